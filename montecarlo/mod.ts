/**
 * Monte Carlo batches (SPEC §4): many independent runs of one scenario, spread over threads
 * or machines (shards), reduced to statistics, a summary and a report.
 *
 * Run `i` draws only from streams keyed by `(seed, i)`, and the statistics merge exactly, so a
 * summary is the same, byte for byte, however the runs were split.
 *
 * @example A batch's breach rate
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { runBatch } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/false_breakout.jsonc", import.meta.url).pathname);
 * const report = await runBatch(scenario, { outDir: await Deno.makeTempDir(), runs: 100 });
 * assert(report.summary!.breachRate > 0.5);
 * ```
 *
 * @module
 */
export {
  type BatchOptions,
  MAX_WORKERS,
  runBatch,
  simulateBatch,
  type SimulateBatchOptions,
  type SimulateBatchResult,
} from "./batch.ts";
export { WorkerPool } from "./pool.ts";
export {
  type GeneratorEntry,
  renderReport,
  renderSweepReport,
  type ReportOptions,
  type SweepReportTable,
} from "./report.ts";
export type { BatchReport } from "./results.ts";
export {
  type MergeOptions,
  mergePartials,
  parseShard,
  PARTIAL_FORMAT,
  PARTIAL_FORMAT_VERSION,
  type PartialResult,
  readPartial,
  type Shard,
  shardRuns,
} from "./shard.ts";
export {
  formatSweepCsv,
  type FormatSweepOptions,
  formatSweepReport,
  MAX_SWEEP_POINTS,
  parseSweep,
  runSweep,
  SWEEP_COLUMNS,
  type SweepAxis,
  sweepFileNames,
  sweepGrid,
  type SweepOptions,
  type SweepPoint,
  type SweepReport,
  type SweepRow,
  sweepScenarios,
  type SweepScenariosOptions,
  type SweepTable,
  type SweepValue,
} from "./sweep.ts";
export {
  type BucketsSnapshot,
  ExactCounts,
  type ExactCountsData,
  type PackedSketches,
  QuantileSketch,
  type QuantileSketchData,
  type QuantileSketchOptions,
  type QuantileSketchSnapshot,
} from "./sketch.ts";
export {
  type AddRunOptions,
  type AdverseExcursions,
  type BreachConvergence,
  type BreachSides,
  type ConditionalStats,
  convergenceCheckpoint,
  type EpisodeStats,
  type EpisodeStatsData,
  type EpisodeSummary,
  type Excursion,
  type FinalLoss,
  type LevelSeries,
  MonteCarloStats,
  type MonteCarloStatsData,
  type MonteCarloStatsSnapshot,
  type MonteCarloSummary,
  MOVE_SKETCH,
  type Percentiles,
  type RegimeTransitions,
  type RiskStatsData,
  RUN_SKETCHES,
  type RunSketch,
  SERIES,
  type Series,
  type Side,
  type SideCounts,
  SIDES,
  SNAP_BACK_STEPS,
  type SnapBack,
  summarizeStats,
  SUMMARY_FORMAT_VERSION,
  type SummaryOptions,
  type SummaryTimeline,
  type TimeBeyondWall,
  type TimeToReenter,
  wilsonInterval,
  type WilsonOptions,
} from "./stats.ts";
