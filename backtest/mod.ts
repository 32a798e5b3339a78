/**
 * Backtests: does the simulator breach like the market? On every session of a range, a Monte
 * Carlo batch starts from that day's real state, and the share of its runs touching a band
 * (close ± K ATR) within N sessions is scored against what the market did, in a calibration
 * table with Wilson intervals, the Brier score and a reliability plot.
 *
 * @example A short backtest on a hand-made history
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { parseDaily } from "../markets/history.ts";
 * import { backtestDocument, computeBacktest } from "./mod.ts";
 *
 * const rows = ["date,open,high,low,close"];
 * for (let d = 0; d < 60; d++) {
 *   const c = 100 + 3 * Math.sin(d / 3);
 *   rows.push(`${new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10)},${c},${c + 1},${c - 1},${c}`);
 * }
 * const history = parseDaily(rows.join("\n"), "prices.csv");
 * const scenario = await loadScenario(new URL("../scenarios/backtest_garch.jsonc", import.meta.url).pathname);
 * const run = await computeBacktest(scenario, { history, from: "2024-01-25", to: "2024-02-10", horizon: 5, runs: 50, workers: 1 });
 * const doc = backtestDocument(run, "");
 * assert(doc.band.brier >= 0 && doc.band.brier <= 1);
 * ```
 *
 * @module
 */
export {
  bucketOf,
  BUCKETS,
  calibrate,
  type CalibrateOptions,
  type Calibration,
  type CalibrationBucket,
  wilsonReal,
} from "./calibration.ts";
export {
  BACKTEST_FORMAT,
  type BacktestDay,
  type BacktestDocument,
  type BacktestOptions,
  type BacktestRun,
  type BacktestSettings,
  type BacktestWalls,
  computeBacktest,
  dayNumber,
  MAX_BACKTEST_WORKERS,
  MAX_DAY_RUNS,
  MAX_HORIZON,
  RUN_STRIDE,
  type TouchRule,
} from "./engine.ts";
export {
  BACKTEST_PARTIAL_FORMAT,
  backtestDocument,
  backtestFiles,
  type BacktestPartial,
  backtestPartialName,
  calibrationCsv,
  daysCsv,
  mergeBacktests,
  writeBacktest,
} from "./output.ts";
export { backtestPage } from "./page.ts";
export { type BacktestMainOptions, main, summaryLines } from "./cli.ts";
export { type DailySeries, readDaily } from "../markets/history.ts";
export { type LevelsSeries, readLevelsSeries } from "../markets/series.ts";
export type { Shard } from "../montecarlo/shard.ts";
