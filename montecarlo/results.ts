/**
 * What a whole batch writes: `<name>.summary.json` and `<name>.report.html`, from one batch or
 * merged shards alike.
 *
 * @module
 */
import type { OutputTarget } from "../files/atomic.ts";
import type { EnvelopeLevels } from "../plugins/envelope.ts";
import type { Scenario } from "../core/scenario.ts";
import { type GeneratorEntry, renderReport } from "./report.ts";
import { type MonteCarloStats, type MonteCarloSummary, summarizeStats } from "./stats.ts";

/** What {@linkcode runBatch} or {@linkcode mergePartials} did. */
export interface BatchReport {
  /** The scenario's name. */
  name: string;
  /** The summary; `undefined` for a shard, whose partial result needs merging first. */
  summary: MonteCarloSummary | undefined;
  /** The statistics of the runs done. */
  stats: MonteCarloStats;
  /** Runs in the whole batch. */
  runs: number;
  /** The runs done here: the first and one past the last. */
  range: [from: number, to: number];
  /** The seed. */
  seed: number;
  /** Threads used: the main thread and `workers - 1` Web Workers. */
  workers: number;
  /** The files written, in the output folder. */
  files: string[];
  /**
   * Run logs of this scenario in the output folder that this batch did not write: left by an
   * earlier batch of more runs, or kept when this one kept none. They are never deleted. 0 for a
   * shard or a merge, whose folder may hold every shard's logs.
   */
  staleRunLogs: number;
  /** Temporary files a killed earlier run left in the folder, removed. */
  staleRemoved: number;
}

/** Describes the batch for its summary, report and partial results. */
export interface BatchMeta {
  name: string;
  description: string;
  seed: number;
  runs: number;
  levels: EnvelopeLevels | null;
  /** The scenario's generators and their options, which the report states when given. */
  generators?: readonly GeneratorEntry[];
}

/**
 * The generators of a scenario as the report states them: key, `use` as written and options
 * as read, through JSON so that they are plain data.
 *
 * @param scenario The loaded scenario.
 * @returns One entry a generator, in the order they run.
 */
export function generatorEntries(scenario: Scenario): GeneratorEntry[] {
  return scenario.generators.map(({ key, use, options }) => ({
    key,
    use,
    options: JSON.parse(JSON.stringify(options ?? {})),
  }));
}

/** Writes a whole batch's summary and report, from its statistics, through `output`. */
export async function writeResults(
  output: OutputTarget,
  meta: BatchMeta,
  stats: MonteCarloStats,
): Promise<MonteCarloSummary> {
  const summary = summarizeStats(stats, { scenario: meta.name, seed: meta.seed });
  await output.writeFile(`${meta.name}.summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
  await output.writeFile(
    `${meta.name}.report.html`,
    renderReport(stats, {
      summary,
      description: meta.description,
      levels: meta.levels ?? undefined,
      generators: meta.generators,
    }),
  );
  return summary;
}
