/**
 * What a whole batch writes: `<name>.summary.json`, the same as a flat table in
 * `<name>.summary.csv`, and `<name>.report.html`, from one batch or merged shards alike.
 *
 * @module
 */
import { stringify } from "@std/csv";
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
  await output.writeFile(`${meta.name}.summary.csv`, formatSummaryCsv(summary));
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

/**
 * A batch's summary as a flat table for spreadsheets: a header `statistic,value`, then one row
 * per statistic, named by its place in `summary.json` (`regimeShare.CRUISE`,
 * `finalLoss.quantiles.p5`), in its order. A two-value interval gives `.low` and `.high` rows
 * (`breachRateCI95.low`), as the sweep's table names them; the longer lists (the per-step
 * series, the timeline, the convergence of the breach rate) are charts, left to the JSON.
 * Numbers are written as the JSON writes them, `null` as an empty cell; lines end with `\r\n`
 * and fields are quoted where RFC 4180 asks.
 *
 * @param summary The batch's summary.
 * @returns The CSV text.
 *
 * @example Statistics by name
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatSummaryCsv } from "./results.ts";
 *
 * const csv = formatSummaryCsv({ runs: 20, breachRateCI95: [0.8, 1], regimeShare: { TAXI: 0.25 }, series: { x: [1, 2, 3] } });
 * assertEquals(csv, "statistic,value\r\nruns,20\r\nbreachRateCI95.low,0.8\r\nbreachRateCI95.high,1\r\nregimeShare.TAXI,0.25\r\n");
 * ```
 */
export function formatSummaryCsv(summary: MonteCarloSummary | Record<string, unknown>): string {
  const rows: string[][] = [["statistic", "value"]];
  const cell = (value: unknown) =>
    value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
  const walk = (value: unknown, name: string): void => {
    if (Array.isArray(value)) {
      if (value.length === 2 && value.every((v) => typeof v === "number")) {
        rows.push([`${name}.low`, cell(value[0])], [`${name}.high`, cell(value[1])]);
      }
      return;
    }
    if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) walk(item, name ? `${name}.${key}` : key);
      return;
    }
    rows.push([name, cell(value)]);
  };
  walk(summary, "");
  return stringify(rows);
}
