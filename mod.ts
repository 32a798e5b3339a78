/**
 * option-flight: flies a market through a dealer-gamma flight envelope.
 *
 * Each step maps `(spot, iv, hv)` to a point in a 3D state space (X airspeed
 * `|spot - flip| / atr`, Y load factor `iv / hv`, Z wall proximity), classifies its regime
 * (TAXI, CRUISE, MANEUVER, RUPTURE) and raises flags (BREACH, OVERSPEED, STALL). Scenario
 * files wire generators, an evaluator, sinks and renderers together; this module exports the
 * plugin interfaces, the built-in plugins and the functions that load and run scenarios.
 *
 * @example Evaluate one state against the envelope
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_THRESHOLDS, evaluateState, REGIMES } from "./mod.ts";
 *
 * const levels = { atr: 2.8, flip: 692.5, putWall: 680, callWall: 700, riskProxyBase: 1, thresholds: DEFAULT_THRESHOLDS };
 * assertEquals(REGIMES[evaluateState(levels, { spot: 694, iv: 0.15, hv: 0.12 }).regime], "CRUISE");
 * ```
 *
 * @example Run a scenario in memory
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, simulate } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("./scenarios/breakout.jsonc", import.meta.url).pathname);
 * const frames = await simulate(scenario);
 * assertEquals(frames.length, 200);
 * ```
 *
 * @module
 */
export * from "./core/errors.ts";
export * from "./core/frame.ts";
export * from "./core/options.ts";
export * from "./core/plugin.ts";
export * from "./core/random.ts";
export { BUILTINS } from "./core/builtins.ts";
export { OutputSet, stagedPath } from "./core/output.ts";
export * from "./core/run.ts";
export * from "./core/scenario.ts";
export * from "./core/sketch.ts";
export * from "./core/stats.ts";
export {
  type BatchOptions,
  type BatchReport,
  type ChunkOptions,
  formatBatchReport,
  formatBlock,
  type FormatReportOptions,
  MAX_WORKERS,
  type MergeOptions,
  mergePartials,
  parseShard,
  PARTIAL_FORMAT,
  PARTIAL_FORMAT_VERSION,
  type PartialResult,
  ProgressBar,
  type ProgressBarOptions,
  readPartial,
  runBatch,
  runChunk,
  type RunLogs,
  scenarioFingerprint,
  type Shard,
  shardRuns,
  simulateBatch,
  type SimulateBatchOptions,
  type SimulateBatchResult,
  VERSION,
} from "./core/batch.ts";
export { WorkerPool } from "./core/pool.ts";
export { renderReport, type ReportOptions } from "./core/report.ts";
export {
  DEFAULT_THRESHOLDS,
  type EnvelopeLevels,
  envelopeLevels,
  type EnvelopeState,
  evaluateState,
  isEnvelopeLevels,
  type Thresholds,
} from "./plugins/envelope.ts";
export {
  type BadLine,
  formatJsonl,
  type ParsedJsonl,
  parseJsonl,
  readJsonl,
  writeJsonl,
} from "./plugins/jsonl.ts";
export { default as envelope, type EnvelopeOptions } from "./plugins/envelope.ts";
export { default as meanRevert, type MeanRevertOptions } from "./plugins/mean_revert.ts";
export { type BreakoutOptions, default as breakout } from "./plugins/breakout.ts";
export { default as falseBreakout, type FalseBreakoutOptions } from "./plugins/false_breakout.ts";
export { default as volPath, type VolPathOptions } from "./plugins/vol_path.ts";
export { default as hv, type HvOptions } from "./plugins/hv.ts";
export { default as jsonl, type JsonlOptions } from "./plugins/jsonl.ts";
export { default as html, type HtmlOptions } from "./plugins/html.ts";
