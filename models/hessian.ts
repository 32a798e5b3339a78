/**
 * Standard errors of a maximum-likelihood fit: the inverse of the numerical Hessian of the
 * negative log-likelihood at the optimum, by central differences.
 *
 * @module
 */

/** Settings of {@linkcode numericalHessian}. */
export interface HessianOptions {
  /**
   * Smallest magnitude the step is taken relative to, per coordinate: the step is
   * `1e-4 * max(|x|, scale)` (about the fourth root of the double's precision, the usual step
   * for second differences). @default {0.01 for every coordinate}
   */
  readonly scale?: readonly number[];
}

/**
 * The Hessian of a function at a point, by central differences.
 *
 * Diagonal: `(f(x + h) - 2 f(x) + f(x - h)) / h^2`; off-diagonal:
 * `(f(x + hi + hj) - f(x + hi - hj) - f(x - hi + hj) + f(x - hi - hj)) / (4 hi hj)`.
 *
 * @param f The function, such as a negative log-likelihood.
 * @param x The point, such as the optimum.
 * @param options The step scales.
 * @returns The symmetric matrix of second derivatives, by rows.
 *
 * @example A quadratic's Hessian
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { numericalHessian } from "./hessian.ts";
 *
 * const h = numericalHessian(([x, y]) => 3 * x! * x! + x! * y! + 2 * y! * y!, [1, -2]);
 * assertAlmostEquals(h[0]![0]!, 6, 1e-5);
 * assertAlmostEquals(h[0]![1]!, 1, 1e-5);
 * assertAlmostEquals(h[1]![1]!, 4, 1e-5);
 * ```
 */
export function numericalHessian(
  f: (x: number[]) => number,
  x: readonly number[],
  options: HessianOptions = {},
): number[][] {
  const n = x.length;
  const h = x.map((v, i) => 1e-4 * Math.max(Math.abs(v), options.scale?.[i] ?? 0.01));
  const at = (moves: [number, number][]) => {
    const p = x.slice();
    for (const [i, sign] of moves) p[i]! += sign * h[i]!;
    return f(p);
  };
  const f0 = f(x.slice());
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    out[i]![i] = (at([[i, 1]]) - 2 * f0 + at([[i, -1]])) / (h[i]! * h[i]!);
    for (let j = 0; j < i; j++) {
      const d = at([[i, 1], [j, 1]]) - at([[i, 1], [j, -1]]) - at([[i, -1], [j, 1]]) +
        at([[i, -1], [j, -1]]);
      out[i]![j] = out[j]![i] = d / (4 * h[i]! * h[j]!);
    }
  }
  return out;
}

/**
 * The inverse of a symmetric positive-definite matrix, by Cholesky factorisation.
 *
 * @param matrix The matrix, by rows.
 * @returns The inverse, or `undefined` when the matrix is not positive definite (or holds a
 * value that is not finite): a Hessian that is not, is not at a strict minimum.
 *
 * @example Invert a 2 x 2 matrix
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { invertPositiveDefinite } from "./hessian.ts";
 *
 * const inverse = invertPositiveDefinite([[4, 2], [2, 3]])!;
 * assertAlmostEquals(inverse[0]![0]!, 3 / 8, 1e-15);
 * assertAlmostEquals(inverse[0]![1]!, -2 / 8, 1e-15);
 * ```
 */
export function invertPositiveDefinite(
  matrix: readonly (readonly number[])[],
): number[][] | undefined {
  const n = matrix.length;
  // L with L L' = matrix.
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return undefined;
        l[i]![i] = Math.sqrt(sum);
      } else {
        l[i]![j] = sum / l[j]![j]!;
      }
    }
  }
  // inverse = L'^-1 L^-1, column by column of the identity.
  const inverse = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let c = 0; c < n; c++) {
    const y = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let sum = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) sum -= l[i]![k]! * y[k]!;
      y[i] = sum / l[i]![i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = y[i]!;
      for (let k = i + 1; k < n; k++) sum -= l[k]![i]! * inverse[k]![c]!;
      inverse[i]![c] = sum / l[i]![i]!;
    }
  }
  return inverse;
}

/**
 * Standard errors of maximum-likelihood estimates: square roots of the diagonal of the inverse
 * of the numerical Hessian of the negative log-likelihood at the optimum.
 *
 * @param negativeLogLikelihood `-L` as a function of the parameters.
 * @param optimum The estimates.
 * @param options The Hessian's step scales.
 * @returns One standard error per parameter, or `undefined` when the Hessian is not positive
 * definite (the optimum is not a strict minimum of `-L`, or lies on a constraint).
 *
 * @example The standard error of a normal mean
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { standardErrors } from "./hessian.ts";
 *
 * // -L of 400 draws with unit variance, mean 0.3: the standard error is 1 / sqrt(400).
 * const se = standardErrors(([m]) => 0.5 * 400 * (m! - 0.3) ** 2, [0.3])!;
 * assertAlmostEquals(se[0]!, 0.05, 1e-6);
 * ```
 */
export function standardErrors(
  negativeLogLikelihood: (x: number[]) => number,
  optimum: readonly number[],
  options: HessianOptions = {},
): number[] | undefined {
  const inverse = invertPositiveDefinite(numericalHessian(negativeLogLikelihood, optimum, options));
  return inverse?.map((row, i) => Math.sqrt(row[i]!));
}
