/**
 * Fitting the built-in generators' models to history: daily log returns from a history file,
 * maximum-likelihood fits of GARCH(1,1) (`garch`) and Merton jump-diffusion (`jumps`) with
 * standard errors from the inverse Hessian, and the small bounded Nelder-Mead they use.
 *
 * Estimates come in the units of the generators' options, so a fit's parameters paste into a
 * scenario's generator entry as they are; the `fit` command ({@linkcode fitMain}) writes
 * such an entry.
 *
 * @example Fit GARCH(1,1) to a history file's closes
 * ```ts
 * import { assert } from "@std/assert";
 * import { parseDaily } from "../markets/history.ts";
 * import { fitGarch, historyReturns } from "./mod.ts";
 *
 * // A made-up price history: a seeded GARCH walk, for the example only.
 * let seed = 11, h = 1, price = 100;
 * const uniform = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
 * const rows = ["date,open,high,low,close"];
 * for (let d = 0; d < 2000; d++) {
 *   const e = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
 *   price *= Math.exp(Math.sqrt(h) * e / 100);
 *   h = 0.05 + 0.1 * h * e * e + 0.85 * h;
 *   const date = new Date(Date.UTC(2000, 0, 1 + d)).toISOString().slice(0, 10);
 *   rows.push(`${date},${price},${price},${price},${price}`);
 * }
 * const range = historyReturns(parseDaily(rows.join("\n"), "walk.csv"), {
 *   from: "2000-01-01",
 *   to: "2005-12-31",
 * });
 * const fit = fitGarch(range.returns);
 * assert(fit.params.alpha + fit.params.beta < 1 && fit.n === range.returns.length);
 * ```
 *
 * @module
 */
// The types the fits' signatures name, for a reader of this entry alone.
export { ScenarioError } from "../core/errors.ts";
export type { DailySeries } from "../markets/history.ts";
export { type Fit, FitError } from "./_fit.ts";
export { FIT_MODELS, type FitMainOptions, type FitModel, main as fitMain } from "./cli.ts";
export {
  fitGarch,
  type GarchFit,
  type GarchLikelihoodOptions,
  garchLogLikelihood,
  type GarchParams,
  MIN_GARCH_RETURNS,
} from "./garch_fit.ts";
export { invertPositiveDefinite, numericalHessian, standardErrors } from "./hessian.ts";
export type { HessianOptions } from "./hessian.ts";
export {
  fitJumps,
  type JumpsFit,
  type JumpsFitOptions,
  jumpsLogLikelihood,
  type JumpsParams,
  MIN_JUMPS_RETURNS,
  poissonTerms,
} from "./jumps_fit.ts";
export { type Bound, minimise, type MinimiseOptions, type MinimiseResult } from "./optimise.ts";
export {
  type HistoryReturns,
  historyReturns,
  type HistoryReturnsOptions,
  logReturns,
  rangeProblems,
} from "./returns.ts";
