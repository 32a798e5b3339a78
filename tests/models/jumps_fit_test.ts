// Merton jump-diffusion by maximum likelihood: the mixture density against a direct sum, the
// truncation, recovery of the `jumps` generator's parameters, and the S&P 500 2010-2019.
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { readDaily } from "../../markets/history.ts";
import { FitError } from "../../models/_fit.ts";
import {
  fitJumps,
  jumpsLogLikelihood,
  type JumpsParams,
  MIN_JUMPS_RETURNS,
  poissonTerms,
} from "../../models/jumps_fit.ts";
import { historyReturns, logReturns } from "../../models/returns.ts";
import jumps from "../../plugins/jumps.ts";
import { runGenerator } from "../../testing.ts";
import { SPX_FILE, SPX_PRESENT } from "./_data.ts";

/** The density of one fractional return written out directly: 40 Poisson terms, no logs. */
function directDensity(x: number, p: JumpsParams, periodsPerYear: number): number {
  const dt = 1 / periodsPerYear, lam = p.lambda * dt;
  let density = 0, factorial = 1;
  for (let k = 0; k < 40; k++) {
    if (k > 0) factorial *= k;
    const weight = Math.exp(-lam) * lam ** k / factorial;
    const variance = p.sigma * p.sigma * dt + k * p.jumpSd * p.jumpSd;
    const mean = p.mu * dt + k * p.jumpMean;
    density += weight * Math.exp(-((x - mean) ** 2) / (2 * variance)) /
      Math.sqrt(2 * Math.PI * variance);
  }
  return density;
}

Deno.test("jumpsLogLikelihood() of three returns equals the Poisson mixture summed directly", () => {
  // Half a jump a day expected, so several terms matter; one return is a -6% crash day.
  const params = { mu: 0.1, sigma: 0.15, lambda: 126, jumpMean: -0.01, jumpSd: 0.02 };
  const returns = [0.4, -1.1, -6];
  const direct = returns.reduce((sum, r) => sum + Math.log(directDensity(r / 100, params, 252)), 0);
  assertAlmostEquals(jumpsLogLikelihood(returns, params), direct, 1e-10);
  // Another step length: the same day-return read as one of 52 weekly steps.
  const weekly = returns.reduce((sum, r) => sum + Math.log(directDensity(r / 100, params, 52)), 0);
  assertAlmostEquals(jumpsLogLikelihood(returns, params, { periodsPerYear: 52 }), weekly, 1e-10);
});

Deno.test("poissonTerms() keeps every term above the truncation's 1e-15 of Poisson mass", () => {
  for (const lam of [0.001, 0.05, 0.3, 1, 4]) {
    const terms = poissonTerms(lam);
    let kept = 0, p = Math.exp(-lam);
    for (let k = 0; k < terms; k++) {
      kept += p;
      p *= lam / (k + 1);
    }
    assert(1 - kept < 2e-15, `lam ${lam}: ${terms} terms leave ${1 - kept}`);
    // One term fewer would leave more than the tolerance: the count is not wasteful.
    assert(1 - (kept - p * (terms / lam)) > 1e-15, `lam ${lam}`);
  }
});

Deno.test("jumpsLogLikelihood() is -Infinity for a sigma of 0 or a negative lambda", () => {
  const params = { mu: 0, sigma: 0, lambda: 5, jumpMean: 0, jumpSd: 0.05 };
  assertEquals(jumpsLogLikelihood([1], params), -Infinity);
  assertEquals(jumpsLogLikelihood([1], { ...params, sigma: 0.1, lambda: -1 }), -Infinity);
});

Deno.test("fitJumps() recovers the jumps generator's parameters within 3 standard errors", async () => {
  const truth = { mu: 0.05, sigma: 0.15, lambda: 25, jumpMean: -0.02, jumpSd: 0.03 };
  const { spot } = await runGenerator(jumps, {
    options: { start: 100, ...truth },
    steps: 5001,
    seed: 3,
  });
  const returns = logReturns(spot);
  const fit = fitJumps(returns);
  for (const key of ["mu", "sigma", "lambda", "jumpMean", "jumpSd"] as const) {
    const z = (fit.params[key] - truth[key]) / fit.standardErrors[key];
    assert(Math.abs(z) < 3, `${key} ${fit.params[key]}, z ${z}`);
  }
  assertEquals([fit.n, fit.periodsPerYear], [5000, 252]);
  assertAlmostEquals(fit.logLikelihood, jumpsLogLikelihood(returns, fit.params), 1e-9);
});

Deno.test("fitJumps() refuses too few returns, naming the minimum", () => {
  const returns = Array.from({ length: MIN_JUMPS_RETURNS - 1 }, (_, i) => Math.sin(i));
  assertThrows(() => fitJumps(returns), FitError, `expected at least ${MIN_JUMPS_RETURNS} returns`);
});

Deno.test({
  name: "fitJumps() on the S&P 500 2010-2019 converges, beating the no-jump normal fit",
  ignore: !SPX_PRESENT,
  async fn() {
    const { returns } = historyReturns(await readDaily(SPX_FILE), {
      from: "2010-01-01",
      to: "2019-12-31",
    });
    const fit = fitJumps(returns);
    const { mu, sigma, lambda, jumpMean, jumpSd } = fit.params;
    assert(sigma > 0.02 && sigma < 0.2, `sigma ${sigma}`);
    assert(lambda > 0 && lambda <= 252, `lambda ${lambda}`);
    assert(jumpMean < 0 && jumpSd > 0, `jump ${jumpMean} ± ${jumpSd}`);
    assert(Number.isFinite(mu));
    // The total daily variance matches the sample's within a few percent.
    const x = Float64Array.from(returns, (r) => r / 100);
    const mean = x.reduce((a, b) => a + b) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1);
    const model = (sigma * sigma + lambda * (jumpMean * jumpMean + jumpSd * jumpSd)) / 252;
    assertAlmostEquals(model / variance, 1, 0.1);
    // Far better than a normal distribution (lambda = 0) at the sample's own mean and sd.
    const normal = jumpsLogLikelihood(returns, {
      mu: mean * 252,
      sigma: Math.sqrt(variance * 252),
      lambda: 0,
      jumpMean: 0,
      jumpSd: 0,
    });
    assert(fit.logLikelihood - normal > 100, `gain ${fit.logLikelihood - normal}`);
  },
});
