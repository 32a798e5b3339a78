/**
 * What the maximum-likelihood fits share: their error, the shape of their result, and the
 * step from an optimiser's result to estimates with standard errors.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import { standardErrors } from "./hessian.ts";
import { type Bound, minimise, type MinimiseResult } from "./optimise.ts";

/**
 * A fit that cannot be made from the data given: too few returns, no convergence, an optimum
 * on a bound or a Hessian that is not positive definite. A {@linkcode ScenarioError}, so a
 * command prints it without a stack and exits 2.
 */
export class FitError extends ScenarioError {
  /**
   * Creates the error.
   *
   * @param message What failed and what would help.
   */
  constructor(message: string) {
    super(message);
    this.name = "FitError";
  }
}

/** A maximum-likelihood fit of a model with parameters `P`. */
export interface Fit<P> {
  /** The estimates, in the generator's units. */
  readonly params: P;
  /** One standard error per parameter, same units: from the inverse Hessian of `-L`. */
  readonly standardErrors: { readonly [K in keyof P]: number };
  /** The log-likelihood at the estimates, the `-0.5 * ln(2 * pi)` of each return included. */
  readonly logLikelihood: number;
  /** Number of returns fitted. */
  readonly n: number;
  /** Nelder-Mead iterations used, restarts and every start included. */
  readonly iterations: number;
  /** Log-likelihood evaluations used by the optimiser. */
  readonly evaluations: number;
}

/** The sample variance of the returns, with `n - 1` in the denominator. */
export function sampleVariance(returns: ArrayLike<number>): number {
  const n = returns.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += returns[i]!;
  mean /= n;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (returns[i]! - mean) ** 2;
  return sum / (n - 1);
}

/** The sample mean of the returns. */
export function sampleMean(returns: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < returns.length; i++) sum += returns[i]!;
  return sum / returns.length;
}

/** A search space of the optimiser: its coordinates, their bounds and names for messages. */
export interface Space {
  /** Bounds per coordinate. */
  readonly bounds: readonly Bound[];
  /** What reaching each bound means, per coordinate: `[lower, upper]`, for the error. */
  readonly atBound: readonly (readonly [string, string])[];
  /** Initial simplex steps per coordinate, when 10% of each start is not a sensible scale. */
  readonly steps?: readonly number[];
}

/**
 * Minimises `-L` over the space from each start, keeps the best, and refuses a result that did
 * not converge or lies on a bound (where the inverse Hessian is no standard error).
 */
export function bestMinimum(
  negativeLogLikelihood: (u: number[]) => number,
  starts: readonly (readonly number[])[],
  space: Space,
  model: string,
): MinimiseResult & { iterationsAll: number; evaluationsAll: number } {
  let best: MinimiseResult | undefined;
  let iterationsAll = 0, evaluationsAll = 0;
  for (const start of starts) {
    const run = minimise(negativeLogLikelihood, start, {
      bounds: space.bounds,
      ...(space.steps ? { step: space.steps } : {}),
    });
    iterationsAll += run.iterations;
    evaluationsAll += run.evaluations;
    if (run.converged && Number.isFinite(run.value) && (!best || run.value < best.value)) {
      best = run;
    }
  }
  if (!best) {
    throw new FitError(
      `Cannot fit ${model}: the likelihood's maximum search did not converge from any of ` +
        `${starts.length} starts; try a longer or calmer date range`,
    );
  }
  best.x.forEach((v, i) => {
    const [lo, hi] = space.bounds[i]!;
    // Within a millionth of the box's scale of a bound counts as on it.
    const near = 1e-6 * Math.max(1, Math.abs(v));
    const side = v - lo <= near ? 0 : hi - v <= near ? 1 : undefined;
    if (side !== undefined) {
      throw new FitError(
        `Cannot fit ${model}: the likelihood is largest at the bound ${
          space.atBound[i]![side]
        }, where standard errors are undefined and the generator refuses the value; the data ` +
          "do not support this model over this range",
      );
    }
  });
  return { ...best, iterationsAll, evaluationsAll };
}

/** Standard errors by name, or a {@linkcode FitError} when the Hessian is not positive definite. */
export function namedErrors<K extends string>(
  negativeLogLikelihood: (x: number[]) => number,
  estimates: readonly number[],
  names: readonly K[],
  model: string,
): Record<K, number> {
  const se = standardErrors(negativeLogLikelihood, estimates);
  if (!se || se.some((s) => !Number.isFinite(s) || !(s > 0))) {
    throw new FitError(
      `Cannot fit ${model}: the Hessian of the log-likelihood at the optimum is not negative ` +
        "definite, so it is no strict maximum and has no standard errors; the parameters are " +
        "not identified by this range (try a longer one)",
    );
  }
  return Object.fromEntries(names.map((name, i) => [name, se[i]!])) as Record<K, number>;
}
