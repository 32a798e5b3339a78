// The bounded Nelder-Mead and the Hessian's standard errors: known minima, optima on bounds,
// refusals, and second derivatives of functions whose Hessians are known exactly.
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { invertPositiveDefinite, numericalHessian, standardErrors } from "../../models/hessian.ts";
import { minimise } from "../../models/optimise.ts";

const rosenbrock = ([x, y]: number[]) => 100 * (y! - x! * x!) ** 2 + (1 - x!) ** 2;

Deno.test("minimise() finds the minimum of Rosenbrock's valley from the classic start", () => {
  const result = minimise(rosenbrock, [-1.2, 1]);
  assert(result.converged);
  assertAlmostEquals(result.x[0]!, 1, 1e-6);
  assertAlmostEquals(result.x[1]!, 1, 1e-6);
  assert(result.value < 1e-12, `value ${result.value}`);
  assertEquals(result.onBound, []);
});

Deno.test("minimise() finds Rosenbrock's minimum in four dimensions", () => {
  const f = (x: number[]) => {
    let sum = 0;
    for (let i = 0; i + 1 < x.length; i++) {
      sum += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (1 - x[i]!) ** 2;
    }
    return sum;
  };
  const result = minimise(f, [-1, 1.5, -0.5, 2]);
  assert(result.converged);
  for (const v of result.x) assertAlmostEquals(v, 1, 1e-5);
});

Deno.test("minimise() stops on a bound when the unbounded optimum lies beyond it", () => {
  // Unbounded minimum at (2, -3); the box [0, 1] x [-1, 5] puts it at (1, -1), a corner.
  const f = ([x, y]: number[]) => (x! - 2) ** 2 + (y! + 3) ** 2 + 0.5 * x! * y!;
  const result = minimise(f, [0.5, 2], { bounds: [[0, 1], [-1, 5]] });
  assert(result.converged);
  assertAlmostEquals(result.x[0]!, 1, 1e-9);
  assertAlmostEquals(result.x[1]!, -1, 1e-9);
  assertEquals(result.onBound, [0, 1]);
});

Deno.test("minimise() reaches a lower bound alone exactly and keeps an interior coordinate free", () => {
  // x >= 0.3 binds; y's optimum, 0.7 * x, is then 0.21, inside its half-line y <= 10.
  const f = ([x, y]: number[]) => (x! + 1) ** 2 + (y! - 0.7 * x!) ** 2;
  const result = minimise(f, [2, 4], { bounds: [[0.3, Infinity], [-Infinity, 10]] });
  assert(result.converged);
  assertEquals(result.x[0], 0.3);
  assertAlmostEquals(result.x[1]!, 0.21, 1e-7);
  assertEquals(result.onBound, [0]);
});

Deno.test("minimise() never evaluates outside the bounds, and treats NaN as Infinity", () => {
  const seen: number[] = [];
  const f = ([x]: number[]) => {
    seen.push(x!);
    return x! > 0.9 ? NaN : (x! - 0.5) ** 2;
  };
  const result = minimise(f, [0.1], { bounds: [[0, 1]] });
  assert(seen.every((x) => x >= 0 && x <= 1));
  assertAlmostEquals(result.x[0]!, 0.5, 1e-7);
});

Deno.test("minimise() reports a search that ran out of iterations as not converged", () => {
  const result = minimise(rosenbrock, [-1.2, 1], { maxIterations: 20 });
  assertEquals(result.converged, false);
  assert(result.iterations <= 20);
});

Deno.test("minimise() refuses a start outside its bounds or bounds of the wrong length", () => {
  assertThrows(
    () => minimise(rosenbrock, [2, 0], { bounds: [[0, 1], [0, 1]] }),
    RangeError,
    "outside",
  );
  assertThrows(() => minimise(rosenbrock, [0, 0], { bounds: [[0, 1]] }), RangeError, "2 bounds");
});

Deno.test("numericalHessian() matches the exact Hessian of a smooth non-quadratic function", () => {
  // f = exp(x) * y^2 + sin(x * y); exact second derivatives at (0.3, -0.7).
  const [x, y] = [0.3, -0.7];
  const h = numericalHessian(([a, b]) => Math.exp(a!) * b! * b! + Math.sin(a! * b!), [x, y]);
  const s = Math.sin(x * y), c = Math.cos(x * y);
  assertAlmostEquals(h[0]![0]!, Math.exp(x) * y * y - y * y * s, 1e-5);
  assertAlmostEquals(h[0]![1]!, 2 * Math.exp(x) * y + c - x * y * s, 1e-5);
  assertAlmostEquals(h[1]![1]!, 2 * Math.exp(x) - x * x * s, 1e-5);
  assertEquals(h[0]![1], h[1]![0]);
});

Deno.test("invertPositiveDefinite() inverts a 3 x 3 matrix and refuses an indefinite one", () => {
  const m = [[4, 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 2]];
  const inverse = invertPositiveDefinite(m)!;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const product = m[i]!.reduce((sum, v, k) => sum + v * inverse[k]![j]!, 0);
      assertAlmostEquals(product, i === j ? 1 : 0, 1e-14);
    }
  }
  assertEquals(invertPositiveDefinite([[1, 2], [2, 1]]), undefined);
});

Deno.test("standardErrors() gives the textbook errors of a normal sample's mean and sd", () => {
  // -L of n normal draws at (m, s): n ln s + sum (x - m)^2 / (2 s^2), up to a constant.
  const xs = [0.3, -1.2, 0.8, 2.1, -0.4, 0.0, 1.1, -0.9, 0.6, 1.4];
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const negative = ([m, s]: number[]) =>
    n * Math.log(s!) + xs.reduce((a, x) => a + (x - m!) ** 2, 0) / (2 * s! * s!);
  const se = standardErrors(negative, [mean, sd])!;
  // At the MLE the information is n / s^2 for the mean and 2n / s^2 for the sd.
  assertAlmostEquals(se[0]!, sd / Math.sqrt(n), 1e-6);
  assertAlmostEquals(se[1]!, sd / Math.sqrt(2 * n), 1e-6);
  assertEquals(standardErrors(([m]) => -(m! ** 2), [0]), undefined);
});
