/**
 * A small derivative-free optimiser: Nelder-Mead, with box bounds handled by a transform.
 *
 * {@linkcode minimise} maps each bounded coordinate to an unbounded one (D'Errico's
 * `fminsearchbnd` transforms: `lo + (hi - lo) * (sin(u) + 1) / 2` for an interval, `lo + u^2`
 * for a lower bound only, `hi - u^2` for an upper bound only), so the simplex moves freely while
 * the function is only ever evaluated inside the box, bounds included. The transforms reach a
 * bound only in the limit, so a coordinate that ends within a millionth of one (relative to
 * `1 + |bound|`) is then tried on the bound itself and kept there when the value is no worse:
 * an optimum on a bound is reported on it exactly. The simplex uses the standard coefficients (reflection 1, expansion 2,
 * contraction 1/2, shrink 1/2) and is restarted around its best point after it converges, until
 * a restart no longer improves the value, the usual guard against a collapsed simplex.
 *
 * @module
 */

/** A lower and an upper bound for one coordinate; either may be infinite. */
export type Bound = readonly [lower: number, upper: number];

/** Settings of {@linkcode minimise}. */
export interface MinimiseOptions {
  /** Bounds per coordinate, in the function's own units. @default {no bounds} */
  readonly bounds?: readonly Bound[];
  /**
   * Initial simplex step per coordinate, in the function's own units.
   * @default {10% of the start's magnitude, or 0.1 for a coordinate that starts at 0}
   */
  readonly step?: readonly number[];
  /**
   * The simplex has converged when its values differ by at most this, relative to
   * `1 + |best value|`. @default {1e-12}
   */
  readonly valueTolerance?: number;
  /**
   * ...and its vertices differ from the best by at most this in every transformed coordinate,
   * relative to `1 + |coordinate|`. @default {1e-9}
   */
  readonly pointTolerance?: number;
  /** Most iterations (reflections, expansions, contractions, shrinks), restarts included. @default {20000} */
  readonly maxIterations?: number;
  /** Most restarts after the first convergence. @default {10} */
  readonly maxRestarts?: number;
}

/** What {@linkcode minimise} found. */
export interface MinimiseResult {
  /** The best point, inside the bounds. */
  readonly x: number[];
  /** The function's value there. */
  readonly value: number;
  /** Whether the tolerances were met, and a restart found nothing better, before the limit. */
  readonly converged: boolean;
  /** Iterations used, restarts included. */
  readonly iterations: number;
  /** Function evaluations used. */
  readonly evaluations: number;
  /** Coordinates that sit on one of their bounds at the optimum, by index. */
  readonly onBound: number[];
}

/** How near a bound, relative to `1 + |bound|`, a converged coordinate is tried on it. */
const SNAP = 1e-6;

/** One coordinate's map from the optimiser's unbounded `u` to the function's `x`, and back. */
interface Transform {
  toX(u: number): number;
  toU(x: number): number;
}

function transformFor([lo, hi]: Bound): Transform {
  if (Number.isFinite(lo) && Number.isFinite(hi)) {
    const width = hi - lo;
    return {
      toX: (u) => Math.min(hi, Math.max(lo, lo + width * (Math.sin(u) + 1) / 2)),
      toU: (x) => Math.asin(Math.min(1, Math.max(-1, (2 * (x - lo)) / width - 1))),
    };
  }
  if (Number.isFinite(lo)) return { toX: (u) => lo + u * u, toU: (x) => Math.sqrt(x - lo) };
  if (Number.isFinite(hi)) return { toX: (u) => hi - u * u, toU: (x) => Math.sqrt(hi - x) };
  return { toX: (u) => u, toU: (x) => x };
}

/**
 * Minimises a function of several variables inside box bounds, by Nelder-Mead.
 *
 * @param f The function; it may return `Infinity` where it is undefined (never `NaN`, which is
 * read as `Infinity`).
 * @param start The starting point, inside the bounds.
 * @param options Bounds, initial steps, tolerances and limits.
 * @returns The best point found, its value, and whether the search converged.
 * @throws RangeError when the start is outside its bounds or the lengths disagree.
 *
 * @example Rosenbrock's valley
 * ```ts
 * import { assert, assertAlmostEquals } from "@std/assert";
 * import { minimise } from "./optimise.ts";
 *
 * const rosenbrock = ([x, y]: number[]) => 100 * (y! - x! * x!) ** 2 + (1 - x!) ** 2;
 * const result = minimise(rosenbrock, [-1.2, 1]);
 * assert(result.converged);
 * assertAlmostEquals(result.x[0]!, 1, 1e-6);
 * ```
 *
 * @example An optimum on a bound
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { minimise } from "./optimise.ts";
 *
 * const result = minimise(([x]) => (x! - 2) ** 2, [0.5], { bounds: [[0, 1]] });
 * assertEquals([result.x[0], result.onBound], [1, [0]]);
 * ```
 */
export function minimise(
  f: (x: number[]) => number,
  start: readonly number[],
  options: MinimiseOptions = {},
): MinimiseResult {
  const n = start.length;
  const bounds = options.bounds ?? start.map((): Bound => [-Infinity, Infinity]);
  if (bounds.length !== n || (options.step && options.step.length !== n)) {
    throw new RangeError(`Expected ${n} bounds and steps, one per coordinate`);
  }
  start.forEach((x, i) => {
    const [lo, hi] = bounds[i]!;
    if (!(x >= lo && x <= hi) || !Number.isFinite(x)) {
      throw new RangeError(`Coordinate ${i} starts at ${x}, outside its bounds [${lo}, ${hi}]`);
    }
  });
  const transforms = bounds.map(transformFor);
  const toX = (u: readonly number[]) => u.map((v, i) => transforms[i]!.toX(v));
  let evaluations = 0;
  const value = (u: readonly number[]): number => {
    evaluations++;
    const y = f(toX(u));
    return Number.isNaN(y) ? Infinity : y;
  };
  // Initial steps in u: the change of u that moves x by the step, toward the box's inside.
  const u0 = start.map((x, i) => transforms[i]!.toU(x));
  const du = start.map((x, i) => {
    const [lo, hi] = bounds[i]!;
    const size = options.step?.[i] ?? (x === 0 ? 0.1 : 0.1 * Math.abs(x));
    const forward = x + size <= hi ? x + size : Math.max(lo, x - size);
    const d = transforms[i]!.toU(forward) - u0[i]!;
    return Math.abs(d) > 1e-12 ? d : 0.1;
  });
  const valueTolerance = options.valueTolerance ?? 1e-12;
  const pointTolerance = options.pointTolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 20000;
  const maxRestarts = options.maxRestarts ?? 10;

  let best = u0;
  let bestValue = value(u0);
  let iterations = 0;
  let converged = false;
  for (let restart = 0; restart <= maxRestarts; restart++) {
    const run = search(value, best, du, {
      valueTolerance,
      pointTolerance,
      maxIterations: maxIterations - iterations,
    });
    iterations += run.iterations;
    const improved = bestValue - run.value > valueTolerance * (1 + Math.abs(run.value));
    if (run.value <= bestValue) [best, bestValue] = [run.u, run.value];
    if (!run.converged) break;
    // The first convergence always gets one restart; later ones only while they improve.
    if (restart > 0 && !improved) {
      converged = true;
      break;
    }
  }
  let x = toX(best);
  // Snap a coordinate that converged next to a bound onto it, when that is no worse: the
  // transforms approach a bound only as u^2 does 0, so the simplex stops a hair short of it.
  for (let i = 0; i < n; i++) {
    for (const bound of bounds[i]!) {
      if (!Number.isFinite(bound) || x[i] === bound) continue;
      if (Math.abs(x[i]! - bound) > SNAP * (1 + Math.abs(bound))) continue;
      const snapped = x.slice();
      snapped[i] = bound;
      evaluations++;
      const y = f(snapped.slice());
      if (y <= bestValue) [x, bestValue] = [snapped, y];
    }
  }
  const onBound = x.flatMap((v, i) => (v === bounds[i]![0] || v === bounds[i]![1] ? [i] : []));
  return { x, value: bestValue, converged, iterations, evaluations, onBound };
}

/** One Nelder-Mead search from a fresh simplex around `u0`. */
function search(
  value: (u: readonly number[]) => number,
  u0: readonly number[],
  du: readonly number[],
  limits: { valueTolerance: number; pointTolerance: number; maxIterations: number },
): { u: number[]; value: number; converged: boolean; iterations: number } {
  const n = u0.length;
  const points: number[][] = [u0.slice()];
  for (let i = 0; i < n; i++) {
    const p = u0.slice();
    p[i]! += du[i]!;
    points.push(p);
  }
  const values = points.map(value);
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const along = (from: readonly number[], to: readonly number[], t: number) =>
    from.map((v, i) => v + t * (to[i]! - v));
  let iterations = 0;
  for (;;) {
    order.sort((a, b) => values[a]! - values[b]!);
    const lo = order[0]!, hi = order[n]!, next = order[n - 1]!;
    const spreadF = values[hi]! - values[lo]!;
    let spreadX = 0;
    for (const k of order) {
      for (let i = 0; i < n; i++) {
        const scale = 1 + Math.abs(points[lo]![i]!);
        spreadX = Math.max(spreadX, Math.abs(points[k]![i]! - points[lo]![i]!) / scale);
      }
    }
    const tolerance = limits.valueTolerance * (1 + Math.abs(values[lo]!));
    if (spreadF <= tolerance && spreadX <= limits.pointTolerance) {
      return { u: points[lo]!, value: values[lo]!, converged: true, iterations };
    }
    if (iterations >= limits.maxIterations) {
      return { u: points[lo]!, value: values[lo]!, converged: false, iterations };
    }
    iterations++;
    // The centroid of all points but the worst.
    const centroid = new Array<number>(n).fill(0);
    for (const k of order.slice(0, n)) {
      for (let i = 0; i < n; i++) centroid[i]! += points[k]![i]! / n;
    }
    const reflected = along(centroid, points[hi]!, -1);
    const fr = value(reflected);
    if (fr < values[lo]!) {
      const expanded = along(centroid, points[hi]!, -2);
      const fe = value(expanded);
      [points[hi], values[hi]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[next]!) {
      [points[hi], values[hi]] = [reflected, fr];
    } else {
      // Contract outside when the reflection beat the worst, inside otherwise.
      const outside = fr < values[hi]!;
      const contracted = along(centroid, points[hi]!, outside ? -0.5 : 0.5);
      const fc = value(contracted);
      if (fc < (outside ? fr : values[hi]!)) {
        [points[hi], values[hi]] = [contracted, fc];
      } else {
        for (const k of order.slice(1)) {
          points[k] = along(points[lo]!, points[k]!, 0.5);
          values[k] = value(points[k]!);
        }
      }
    }
  }
}
