// GARCH(1,1) by maximum likelihood: the log-likelihood against a hand computation, recovery of
// the `garch` generator's own parameters from its simulated path, and the S&P 500 2010-2019.
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { readDaily } from "../../markets/history.ts";
import { bestMinimum, FitError } from "../../models/_fit.ts";
import {
  fitGarch,
  garchLogLikelihood,
  type GarchParams,
  MIN_GARCH_RETURNS,
} from "../../models/garch_fit.ts";
import { historyReturns, logReturns } from "../../models/returns.ts";
import garch from "../../plugins/garch.ts";
import { runGenerator } from "../../testing.ts";
import { SPX_FILE, SPX_PRESENT } from "./_data.ts";

Deno.test("garchLogLikelihood() of five returns equals the recursion worked by hand", () => {
  const returns = [0.5, -1.2, 0.3, 2.0, -0.7];
  const params = { mu: 0.1, omega: 0.05, alpha: 0.1, beta: 0.85 };
  // Sample mean 0.9 / 5 = 0.18; squared deviations 0.1024, 1.9044, 0.0144, 3.3124, 0.7744
  // sum to 6.108, so h1 = 6.108 / 4 = 1.527 (the sample variance, n - 1).
  // e = r - mu = 0.4, -1.3, 0.2, 1.9, -0.8; e^2 = 0.16, 1.69, 0.04, 3.61, 0.64.
  // h2 = 0.05 + 0.1 * 0.16 + 0.85 * 1.527 = 1.36395
  // h3 = 0.05 + 0.1 * 1.69 + 0.85 * 1.36395 = 1.3783575
  // h4 = 0.05 + 0.1 * 0.04 + 0.85 * 1.3783575 = 1.225603875
  // h5 = 0.05 + 0.1 * 3.61 + 0.85 * 1.225603875 = 1.45276329375
  const h = [1.527, 1.36395, 1.3783575, 1.225603875, 1.45276329375];
  const e2 = [0.16, 1.69, 0.04, 3.61, 0.64];
  let sum = 0;
  for (let t = 0; t < 5; t++) sum += Math.log(2 * Math.PI) + Math.log(h[t]!) + e2[t]! / h[t]!;
  assertAlmostEquals(garchLogLikelihood(returns, params), -0.5 * sum, 1e-12);
  // The same with h1 given: only the start changes.
  const given = garchLogLikelihood(returns, params, { variance0: 1.527 });
  assertAlmostEquals(given, -0.5 * sum, 1e-12);
});

Deno.test("garchLogLikelihood() is -Infinity where a variance is not above 0", () => {
  const params = { mu: 0, omega: -2, alpha: 0, beta: 0.5 };
  assertEquals(garchLogLikelihood([1, 1, 1], params, { variance0: 1 }), -Infinity);
  assertEquals(garchLogLikelihood([1, 1], { ...params, omega: NaN }), -Infinity);
});

/** Simulates the generator itself and returns its daily log returns, percent. */
async function simulated(options: GarchParams, seed: number, steps: number) {
  const { spot } = await runGenerator(garch, {
    options: { start: 100, ...options },
    steps: steps + 1,
    seed,
  });
  return logReturns(spot);
}

Deno.test("fitGarch() recovers the garch generator's parameters within 3 standard errors", async () => {
  const truth = { mu: 0.04, omega: 0.02, alpha: 0.1, beta: 0.88 };
  for (const seed of [1, 2]) {
    const fit = fitGarch(await simulated(truth, seed, 5000));
    for (const key of ["mu", "omega", "alpha", "beta"] as const) {
      const z = (fit.params[key] - truth[key]) / fit.standardErrors[key];
      assert(Math.abs(z) < 3, `seed ${seed}: ${key} ${fit.params[key]}, z ${z}`);
    }
    assertEquals(fit.n, 5000);
    assert(fit.persistence < 1);
    // The estimate maximises L: nudging any parameter by a tenth of its SE lowers it.
    const returns = await simulated(truth, seed, 5000);
    for (const key of ["mu", "omega", "alpha", "beta"] as const) {
      for (const sign of [-1, 1]) {
        const moved = {
          ...fit.params,
          [key]: fit.params[key] + sign * 0.1 * fit.standardErrors[key],
        };
        assert(garchLogLikelihood(returns, moved) < fit.logLikelihood, `${key} ${sign}`);
      }
    }
  }
});

Deno.test("fitGarch() refuses too few returns, naming the minimum", () => {
  const returns = Array.from({ length: MIN_GARCH_RETURNS - 1 }, (_, i) => Math.sin(i));
  assertThrows(
    () => fitGarch(returns),
    FitError,
    `expected at least ${MIN_GARCH_RETURNS} returns, got 99`,
  );
});

Deno.test("a fit whose optimum lies on a bound is refused, naming the bound", () => {
  const space = { bounds: [[0, 1]] as const, atBound: [["alpha = 0", "alpha = 1"]] as const };
  assertThrows(
    () => bestMinimum(([x]) => (x! + 1) ** 2, [[0.5]], space, "toy"),
    FitError,
    "Cannot fit toy: the likelihood is largest at the bound alpha = 0",
  );
  assertAlmostEquals(
    bestMinimum(([x]) => (x! - 0.25) ** 2, [[0.5]], space, "toy").x[0]!,
    0.25,
    1e-7,
  );
});

Deno.test({
  name: "fitGarch() on the S&P 500 2010-2019 converges to the independent scipy optimum",
  ignore: !SPX_PRESENT,
  async fn() {
    const range = historyReturns(await readDaily(SPX_FILE), {
      from: "2010-01-01",
      to: "2019-12-31",
    });
    assertEquals([range.firstDate, range.lastDate, range.returns.length], [
      "2010-01-04",
      "2019-12-31",
      2515,
    ]);
    const fit = fitGarch(range.returns);
    assert(fit.persistence < 1 && fit.persistence > 0.9, `alpha + beta ${fit.persistence}`);
    const volatility = Math.sqrt(fit.unconditionalVariance * 252) / 100;
    assert(volatility > 0.1 && volatility < 0.25, `long-run volatility ${volatility}`);
    // The same likelihood written in numpy and maximised by scipy's SLSQP with alpha + beta < 1
    // as a constraint (a different optimiser and code) gave these; they agree to 7 digits.
    const scipy = { mu: 0.07894739, omega: 0.03686204, alpha: 0.17133569, beta: 0.78972652 };
    for (const key of ["mu", "omega", "alpha", "beta"] as const) {
      const z = (fit.params[key] - scipy[key]) / fit.standardErrors[key];
      assert(Math.abs(z) < 0.01, `${key} ${fit.params[key]} against ${scipy[key]}`);
    }
    assertAlmostEquals(fit.logLikelihood, -3004.9910622844463, 1e-6);
    // scipy's numerical Hessian, same step rule: the standard errors agree to 3 digits.
    const se = { mu: 0.01358844, omega: 0.00540986, alpha: 0.0183024, beta: 0.01859941 };
    for (const key of ["mu", "omega", "alpha", "beta"] as const) {
      assertAlmostEquals(fit.standardErrors[key] / se[key], 1, 1e-3);
    }
  },
});
