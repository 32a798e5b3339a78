/**
 * Merton jump-diffusion by maximum likelihood: the parameters of the `jumps` generator from
 * daily returns.
 *
 * The model is the generator's, step for step: with `dt = 1 / periodsPerYear`, a step's log
 * return (a fraction) is `mu * dt + sigma * sqrt(dt) * z + J`, where `J` is the sum of `k`
 * normal jumps of mean `jumpMean` and standard deviation `jumpSd`, and `k` is Poisson with mean
 * `lambda * dt`. Given `k` the return is normal, so its density is the Poisson mixture
 *
 * `f(x) = sum over k of P(k) * N(x; mu * dt + k * jumpMean, sigma^2 * dt + k * jumpSd^2)`.
 *
 * The sum is truncated after the first `k` at which the Poisson mass beyond it is certainly
 * below `1e-15` (bounded by the next term over `1 - lam / (k + 2)`), so the truncation moves
 * the log-likelihood by less than `1e-15` a return, below double rounding: at `lambda * dt` of
 * 0.1 jumps a step that is 10 terms, at 1 (the most the fit allows) 18. Each return's log
 * density is summed by log-sum-exp, so a crash day far out in the jump terms stays finite.
 *
 * The fit works in per-step units (`mu * dt`, `sigma * sqrt(dt)`, `lambda * dt`) inside bounds:
 * `lambda * dt` in `[0, 1]` (more than one jump a day on average is a diffusion, not jumps),
 * `jumpSd >= 0`, and `sigma * sqrt(dt)` at least 1% of the returns' standard deviation: with
 * `sigma` free to reach 0 the no-jump term could sit on one return alone and the likelihood
 * would grow without bound (the mixture's well-known degeneracy). Standard errors come from
 * the Hessian of `-L` in the generator's own units.
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

/** Merton parameters, in the units of the `jumps` generator's options. */
export interface JumpsParams {
  /** Drift of log spot, per year (no compensator: a step's mean is `(mu + lambda * jumpMean) * dt`). */
  readonly mu: number;
  /** Volatility of the diffusion, annualised fraction. */
  readonly sigma: number;
  /** Expected number of jumps per year. */
  readonly lambda: number;
  /** Mean log jump size, a fraction. */
  readonly jumpMean: number;
  /** Standard deviation of the log jump size, a fraction. */
  readonly jumpSd: number;
}

/** Settings of {@linkcode jumpsLogLikelihood} and {@linkcode fitJumps}. */
export interface JumpsFitOptions {
  /** Returns per year: each return spans `1 / periodsPerYear` years. @default {252} */
  readonly periodsPerYear?: number;
}

/** A jump-diffusion fit. */
export interface JumpsFit extends Fit<JumpsParams> {
  /** Returns per year used. */
  readonly periodsPerYear: number;
  /** Poisson terms in the density at the estimates. */
  readonly terms: number;
}

/** Fewest returns {@linkcode fitJumps} accepts: a year of sessions, so rare jumps can show. */
export const MIN_JUMPS_RETURNS = 250;

/** Poisson mass beyond the last term kept. */
const TAIL = 1e-15;

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * How many Poisson terms the jump density sums: `k = 0` to `K - 1` jumps a step, `K` the
 * first count after which the remaining Poisson mass is certainly below `1e-15`.
 *
 * @param lam Expected jumps a step, `lambda / periodsPerYear`.
 * @returns `K`, at least 1.
 *
 * @example Few terms for rare jumps
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { poissonTerms } from "./jumps_fit.ts";
 *
 * assertEquals([poissonTerms(0), poissonTerms(0.1), poissonTerms(1)], [1, 10, 18]);
 * ```
 */
export function poissonTerms(lam: number): number {
  if (!(lam > 0)) return 1;
  let p = Math.exp(-lam);
  for (let k = 0;; k++) {
    const next = p * lam / (k + 1);
    // The terms after k fall at least geometrically, by lam / (k + 2), once k + 2 > lam.
    if (k + 2 > lam && next / (1 - lam / (k + 2)) < TAIL) return k + 1;
    p = next;
  }
}

/** The mixture log-likelihood of returns (fractions) in per-step parameters. */
function stepLogLikelihood(
  x: ArrayLike<number>,
  m: number,
  s: number,
  lam: number,
  jumpMean: number,
  jumpSd: number,
): number {
  if (![m, s, lam, jumpMean, jumpSd].every(Number.isFinite) || !(s > 0) || lam < 0) {
    return -Infinity;
  }
  const terms = poissonTerms(lam);
  const logWeight = new Float64Array(terms);
  const mean = new Float64Array(terms);
  const halfPrecision = new Float64Array(terms);
  let logP = -lam;
  for (let k = 0; k < terms; k++) {
    if (k > 0) logP += Math.log(lam / k);
    const v = s * s + k * jumpSd * jumpSd;
    logWeight[k] = logP - 0.5 * (LOG_2PI + Math.log(v));
    mean[k] = m + k * jumpMean;
    halfPrecision[k] = 0.5 / v;
  }
  let total = 0;
  const logs = new Float64Array(terms);
  for (let t = 0; t < x.length; t++) {
    const r = x[t]!;
    let top = -Infinity;
    for (let k = 0; k < terms; k++) {
      const d = r - mean[k]!;
      const l = logWeight[k]! - d * d * halfPrecision[k]!;
      logs[k] = l;
      if (l > top) top = l;
    }
    let sum = 0;
    for (let k = 0; k < terms; k++) sum += Math.exp(logs[k]! - top);
    total += top + Math.log(sum);
  }
  return Number.isFinite(total) ? total : -Infinity;
}

/**
 * The Merton jump-diffusion log-likelihood of daily returns at given parameters.
 *
 * @param returns Log returns, percent (as `logReturns` gives them), one per step.
 * @param params The parameters, in the `jumps` generator's units.
 * @param options Steps per year.
 * @returns `L` of the returns as fractions (the generator's unit), constant terms included;
 * `-Infinity` where a parameter is out of range or not finite.
 *
 * @example Without jumps it is the normal log-likelihood
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { jumpsLogLikelihood } from "./jumps_fit.ts";
 *
 * // sigma of 0.1588 a year is 1% a day at 252 steps a year; one return of 1%.
 * const sigma = 0.01 * Math.sqrt(252);
 * const l = jumpsLogLikelihood([1], { mu: 0, sigma, lambda: 0, jumpMean: 0, jumpSd: 0.05 });
 * assertAlmostEquals(l, -0.5 * Math.log(2 * Math.PI) - Math.log(0.01) - 0.5, 1e-9);
 * ```
 */
export function jumpsLogLikelihood(
  returns: ArrayLike<number>,
  params: JumpsParams,
  options: JumpsFitOptions = {},
): number {
  const dt = 1 / (options.periodsPerYear ?? 252);
  return stepLogLikelihood(
    fractions(returns),
    params.mu * dt,
    params.sigma * Math.sqrt(dt),
    params.lambda * dt,
    params.jumpMean,
    params.jumpSd,
  );
}

/** Percent returns as fractions. */
function fractions(returns: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: returns.length }, (_, i) => returns[i]! / 100);
}

/**
 * Fits the Merton jump-diffusion to daily returns by maximum likelihood, with standard errors.
 *
 * Nelder-Mead searches from three starts (0.01, 0.05 and 0.2 jumps a step, the jump size a few
 * standard deviations of the returns, the diffusion carrying the rest of the variance) and
 * keeps the best converged optimum: a mixture's likelihood can have more than one maximum.
 *
 * @param returns Log returns, percent (as `logReturns` gives them), at least
 * {@linkcode MIN_JUMPS_RETURNS}.
 * @param options Steps per year.
 * @returns The estimates in the generator's units, their standard errors and the
 * log-likelihood.
 * @throws FitError when there are too few returns, the search does not converge, the optimum
 * lies on a bound (no jumps at all, a jump a day, or no diffusion) or the Hessian is not
 * positive definite.
 *
 * @example Too few returns for a fit
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { FitError } from "./_fit.ts";
 * import { fitJumps } from "./jumps_fit.ts";
 *
 * assertThrows(() => fitJumps([0.5, -0.2, 0.1]), FitError, "expected at least 250 returns, got 3");
 * ```
 */
export function fitJumps(returns: ArrayLike<number>, options: JumpsFitOptions = {}): JumpsFit {
  const n = returns.length;
  const periodsPerYear = options.periodsPerYear ?? 252;
  if (!(periodsPerYear > 0) || !Number.isFinite(periodsPerYear)) {
    throw new RangeError(`periodsPerYear is ${periodsPerYear}: expected a number above 0`);
  }
  if (n < MIN_JUMPS_RETURNS) {
    throw new FitError(
      `Cannot fit jumps: expected at least ${MIN_JUMPS_RETURNS} returns, got ${n}`,
    );
  }
  const x = fractions(returns);
  const mean = sampleMean(x);
  const variance = sampleVariance(x);
  const sd = Math.sqrt(variance);
  const negative = ([m, s, lam, jm, jsd]: number[]) =>
    -stepLogLikelihood(x, m!, s!, lam!, jm!, jsd!);
  const starts = [[0.01, -1, 4], [0.05, 0, 3], [0.2, 0, 1.5]].map(([lam, jm, jsd]) => {
    const jumpMean = jm! * sd, jumpSd = jsd! * sd;
    const diffusion = variance - lam! * (jumpMean * jumpMean + jumpSd * jumpSd);
    return [mean - lam! * jumpMean, Math.sqrt(diffusion), lam!, jumpMean, jumpSd];
  });
  const best = bestMinimum(negative, starts, {
    bounds: [[-Infinity, Infinity], [0.01 * sd, Infinity], [0, 1], [-Infinity, Infinity], [
      0,
      Infinity,
    ]],
    atBound: [
      ["", ""],
      ["sigma at 1% of the returns' volatility (no diffusion)", ""],
      ["lambda = 0 (no jumps: a plain diffusion fits as well)", "one jump a step"],
      ["", ""],
      ["jumpSd = 0", ""],
    ],
    steps: [0.1 * sd, 0.1 * sd, 0.01, 0.5 * sd, 0.5 * sd],
  }, "jumps");
  const [m, s, lam, jumpMean, jumpSd] = best.x as [number, number, number, number, number];
  const dt = 1 / periodsPerYear;
  const params: JumpsParams = {
    mu: m / dt,
    sigma: s / Math.sqrt(dt),
    lambda: lam / dt,
    jumpMean,
    jumpSd,
  };
  const names = ["mu", "sigma", "lambda", "jumpMean", "jumpSd"] as const;
  const inUnits = ([mu, sigma, lambda, jm, jsd]: number[]) =>
    -stepLogLikelihood(x, mu! * dt, sigma! * Math.sqrt(dt), lambda! * dt, jm!, jsd!);
  const standardErrors = namedErrors(inUnits, names.map((k) => params[k]), names, "jumps");
  return {
    params,
    standardErrors,
    logLikelihood: -inUnits(names.map((k) => params[k])),
    n,
    iterations: best.iterationsAll,
    evaluations: best.evaluationsAll,
    periodsPerYear,
    terms: poissonTerms(lam),
  };
}
