/**
 * GARCH(1,1) by maximum likelihood: the parameters of the `garch` generator from daily returns.
 *
 * The model, in the generator's units (returns in percent, variances in percent²):
 * `r[t] = mu + sqrt(h[t]) * e[t]` with `e[t] ~ N(0, 1)`, and
 * `h[t+1] = omega + alpha * (r[t] - mu)^2 + beta * h[t]`. The variance is started at the sample
 * variance of the returns, `h[1] = sum((r - mean(r))^2) / (n - 1)`, the convention the issue
 * fixes (Python's `arch` starts it at a backcast instead, an exponentially weighted average of
 * the first squared residuals, so its log-likelihood differs slightly). The log-likelihood is
 * `L = -0.5 * sum(ln(2 * pi) + ln(h[t]) + (r[t] - mu)^2 / h[t])`, constant included.
 *
 * The stationarity constraint `alpha + beta < 1` is handled by reparametrisation: the
 * optimiser searches the box of `(mu, omega, p, w)` with `p = alpha + beta` in `[0, 1 - 1e-6]`
 * and `w = alpha / p` in `[0, 1]`, so every point it tries is a valid generator (no penalty
 * to tune, no infeasible evaluations). Standard errors are then taken in the generator's own
 * parameters, from the Hessian of `-L` in `(mu, omega, alpha, beta)` at the optimum.
 *
 * @module
 */
import {
  bestMinimum,
  type Fit,
  FitError,
  namedErrors,
  sampleMean,
  sampleVariance,
} from "./_fit.ts";

/** GARCH(1,1) parameters, in the units of the `garch` generator's options. */
export interface GarchParams {
  /** Mean daily log return, percent. */
  readonly mu: number;
  /** Constant term of the variance recursion, percent², > 0. */
  readonly omega: number;
  /** Weight of the last squared shock, >= 0. */
  readonly alpha: number;
  /** Weight of the last variance, >= 0, with `alpha + beta < 1`. */
  readonly beta: number;
}

/** Settings of {@linkcode garchLogLikelihood}. */
export interface GarchLikelihoodOptions {
  /** `h[1]`, the variance of the first return, percent². @default {the sample variance (n - 1)} */
  readonly variance0?: number;
}

/** A GARCH(1,1) fit: the estimates and what the variance recursion ends at. */
export interface GarchFit extends Fit<GarchParams> {
  /** `h[1]` used: the sample variance of the returns, percent². */
  readonly variance0: number;
  /** `h[n+1]`: the variance of the next return after the last, percent² (a `variance0`). */
  readonly lastVariance: number;
  /** `alpha + beta`. */
  readonly persistence: number;
  /** `omega / (1 - alpha - beta)`, percent²: the generator's default `variance0`. */
  readonly unconditionalVariance: number;
}

/** Fewest returns {@linkcode fitGarch} accepts: four parameters need a few hundred in practice. */
export const MIN_GARCH_RETURNS = 100;

/** Highest `alpha + beta` the search may reach: at it the fit is refused as integrated. */
const MAX_PERSISTENCE = 1 - 1e-6;

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The GARCH(1,1) log-likelihood of daily returns at given parameters, with normal errors.
 *
 * @param returns Daily log returns, percent.
 * @param params The parameters, in the generator's units.
 * @param options `h[1]`, if not the sample variance.
 * @returns `L`, the `-0.5 * ln(2 * pi)` of each return included; `-Infinity` where a variance
 * is not above 0 or a parameter is not finite.
 *
 * @example One return: the normal log-density at the starting variance
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { garchLogLikelihood } from "./garch_fit.ts";
 *
 * const params = { mu: 0, omega: 0.1, alpha: 0.1, beta: 0.8 };
 * const l = garchLogLikelihood([1], params, { variance0: 2 });
 * assertAlmostEquals(l, -0.5 * (Math.log(2 * Math.PI) + Math.log(2) + 1 / 2), 1e-12);
 * ```
 */
export function garchLogLikelihood(
  returns: ArrayLike<number>,
  params: GarchParams,
  options: GarchLikelihoodOptions = {},
): number {
  return garchRecursion(returns, params, options.variance0 ?? sampleVariance(returns))
    .logLikelihood;
}

/** The log-likelihood and `h[n+1]`, in one pass. */
function garchRecursion(
  returns: ArrayLike<number>,
  { mu, omega, alpha, beta }: GarchParams,
  variance0: number,
): { logLikelihood: number; lastVariance: number } {
  const failed = { logLikelihood: -Infinity, lastVariance: NaN };
  if (![mu, omega, alpha, beta, variance0].every(Number.isFinite)) return failed;
  const n = returns.length;
  let h = variance0, sum = 0;
  for (let t = 0; t < n; t++) {
    if (!(h > 0)) return failed;
    const e = returns[t]! - mu;
    sum += Math.log(h) + e * e / h;
    h = omega + alpha * e * e + beta * h;
  }
  const logLikelihood = -0.5 * (n * LOG_2PI + sum);
  return Number.isFinite(logLikelihood) ? { logLikelihood, lastVariance: h } : failed;
}

/**
 * Fits GARCH(1,1) to daily returns by maximum likelihood, with standard errors.
 *
 * Nelder-Mead (`minimise` of optimise.ts) searches from three starts (`alpha, beta` of `0.1, 0.85`,
 * `0.05, 0.93` and `0.2, 0.5`, `omega` at the sample variance times `1 - alpha - beta`, `mu` at
 * the sample mean) and keeps the best converged optimum.
 *
 * @param returns Daily log returns, percent, at least {@linkcode MIN_GARCH_RETURNS}.
 * @returns The estimates, their standard errors, the log-likelihood and the variance's ends.
 * @throws FitError when there are too few returns, the search does not converge, the optimum
 * lies on a bound (`alpha` or `omega` at 0, `alpha + beta` reaching 1) or the Hessian is not
 * positive definite.
 *
 * @example Recover the parameters of a simulated series
 * ```ts
 * import { assert } from "@std/assert";
 * import { fitGarch } from "./garch_fit.ts";
 *
 * // A simulated series with a small deterministic generator, for the example only.
 * let seed = 7;
 * const uniform = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
 * const returns: number[] = [];
 * let h = 1;
 * for (let t = 0; t < 3000; t++) {
 *   const e = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
 *   returns.push(Math.sqrt(h) * e);
 *   h = 0.05 + 0.1 * h * e * e + 0.85 * h;
 * }
 * const fit = fitGarch(returns);
 * assert(Math.abs(fit.params.beta - 0.85) < 4 * fit.standardErrors.beta);
 * assert(fit.persistence < 1);
 * ```
 */
export function fitGarch(returns: ArrayLike<number>): GarchFit {
  const n = returns.length;
  if (n < MIN_GARCH_RETURNS) {
    throw new FitError(
      `Cannot fit garch: expected at least ${MIN_GARCH_RETURNS} returns, got ${n}`,
    );
  }
  const variance0 = sampleVariance(returns);
  const mean = sampleMean(returns);
  const paramsOf = ([mu, omega, p, w]: readonly number[]): GarchParams => ({
    mu: mu!,
    omega: omega!,
    alpha: p! * w!,
    beta: p! * (1 - w!),
  });
  const negative = (u: number[]) => -garchRecursion(returns, paramsOf(u), variance0).logLikelihood;
  const starts = [[0.1, 0.85], [0.05, 0.93], [0.2, 0.5]].map(([alpha, beta]) => {
    const p = alpha! + beta!;
    return [mean, variance0 * (1 - p), p, alpha! / p];
  });
  const best = bestMinimum(negative, starts, {
    bounds: [[-Infinity, Infinity], [0, Infinity], [0, MAX_PERSISTENCE], [0, 1]],
    atBound: [
      ["", ""],
      ["omega = 0", ""],
      [
        "alpha + beta = 0",
        "alpha + beta = 1 (an integrated GARCH, which has no long-run variance)",
      ],
      ["alpha = 0 (no volatility clustering)", "beta = 0 (an ARCH(1))"],
    ],
  }, "garch");
  const params = paramsOf(best.x);
  const x = [params.mu, params.omega, params.alpha, params.beta];
  const names = ["mu", "omega", "alpha", "beta"] as const;
  const standardErrors = namedErrors(
    ([mu, omega, alpha, beta]) =>
      -garchRecursion(returns, { mu: mu!, omega: omega!, alpha: alpha!, beta: beta! }, variance0)
        .logLikelihood,
    x,
    names,
    "garch",
  );
  const { logLikelihood, lastVariance } = garchRecursion(returns, params, variance0);
  const persistence = params.alpha + params.beta;
  if (!(persistence < 1)) {
    throw new FitError(`Cannot fit garch: alpha + beta is ${persistence}, expected below 1`);
  }
  return {
    params,
    standardErrors,
    logLikelihood,
    n,
    iterations: best.iterationsAll,
    evaluations: best.evaluationsAll,
    variance0,
    lastVariance,
    persistence,
    unconditionalVariance: params.omega / (1 - persistence),
  };
}
