/**
 * Shards: a batch's runs split over processes or machines, each writing a partial result that
 * {@linkcode mergePartials} turns into the summary and report one batch of all the runs gives.
 *
 * @module
 */
import { VERSION } from "../files/meta.ts";
import { ScenarioError } from "../core/errors.ts";
import { OutputSet } from "../files/atomic.ts";
import type { Scenario } from "../core/scenario.ts";
import type { EnvelopeLevels } from "../plugins/envelope.ts";
import { scenarioFingerprint } from "../files/meta.ts";
import { type BatchMeta, type BatchReport, writeResults } from "./results.ts";
import type { GeneratorEntry } from "./report.ts";
import { MonteCarloStats, type MonteCarloStatsData } from "./stats.ts";

/** Which slice of a batch's runs to run: shard `index` of `count`, from 1. */
export interface Shard {
  /** The shard, from 1 to `count`. */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
}

/**
 * Reads a shard such as `2/8` (the second of eight), as `--shard` takes it.
 *
 * @param text `k/n` with `1 <= k <= n`.
 * @returns The shard.
 * @throws ScenarioError when the text is not a valid shard.
 *
 * @example Good and bad shards
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { parseShard } from "./shard.ts";
 * import { ScenarioError } from "../core/errors.ts";
 *
 * assertEquals(parseShard("2/8"), { index: 2, count: 8 });
 * assertThrows(() => parseShard("0/8"), ScenarioError, "expected k/n with 1 <= k <= n");
 * ```
 */
export function parseShard(text: string): Shard {
  const match = /^(\d{1,8})\/(\d{1,8})$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || index > count) {
    throw new ScenarioError(
      `Option --shard: expected k/n with 1 <= k <= n, such as "2/8", got ${JSON.stringify(text)}`,
    );
  }
  return { index, count };
}

/**
 * The runs of a shard: a contiguous slice, `[floor((k-1)·runs/n), floor(k·runs/n))`.
 *
 * @param runs Runs in the whole batch.
 * @param shard The shard.
 * @returns The first run and one past the last.
 * @throws ScenarioError when there are more shards than runs.
 *
 * @example Ten runs in three shards
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { shardRuns } from "./shard.ts";
 *
 * assertEquals([1, 2, 3].map((index) => shardRuns(10, { index, count: 3 })), [[0, 3], [3, 6], [6, 10]]);
 * ```
 */
export function shardRuns(runs: number, shard: Shard): [from: number, to: number] {
  const { index, count } = shard;
  if (!(Number.isInteger(index) && Number.isInteger(count) && index >= 1 && index <= count)) {
    throw new ScenarioError(`Cannot run shard ${index}/${count}: expected 1 <= k <= n`);
  }
  if (count > runs) {
    throw new ScenarioError(
      `Cannot split ${runs} runs into ${count} shards: expected at most one shard per run`,
    );
  }
  return [Math.floor(((index - 1) * runs) / count), Math.floor((index * runs) / count)];
}

/** The `format` of a partial result file. */
export const PARTIAL_FORMAT = "option-flight/mc-partial";
/** The version of the partial result format; merge accepts only this one. */
export const PARTIAL_FORMAT_VERSION = 2;

/** A shard's partial result: `<name>.part-<k>-of-<n>.json`. */
export interface PartialResult {
  /** Always {@linkcode PARTIAL_FORMAT}. */
  format: string;
  /** Always {@linkcode PARTIAL_FORMAT_VERSION}. */
  formatVersion: number;
  /** The option-flight version that wrote it. */
  version: string;
  /** The scenario's name. */
  scenario: string;
  /** The scenario's description. */
  description: string;
  /** {@linkcode scenarioFingerprint} of the scenario. */
  fingerprint: string;
  /** The seed. */
  seed: number;
  /** Steps per run. */
  steps: number;
  /** Runs in the whole batch. */
  runs: number;
  /** Which shard, and its runs. */
  shard: { index: number; count: number; from: number; to: number };
  /** The evaluator's levels, if it publishes them. */
  levels: EnvelopeLevels | null;
  /** The scenario's generators and their options, when the batch knew them. */
  generators?: GeneratorEntry[];
  /** The statistics of the shard's runs. */
  stats: MonteCarloStatsData;
}

/** The file name of a shard's partial result. */
export function partialName(name: string, shard: Shard): string {
  return `${name}.part-${shard.index}-of-${shard.count}.json`;
}

/** The partial result of a shard's runs. */
export async function partialOf(
  scenario: Scenario,
  meta: BatchMeta,
  stats: MonteCarloStats,
  shard: PartialResult["shard"],
): Promise<PartialResult> {
  return {
    format: PARTIAL_FORMAT,
    formatVersion: PARTIAL_FORMAT_VERSION,
    version: VERSION,
    scenario: meta.name,
    description: meta.description,
    fingerprint: await scenarioFingerprint(scenario),
    seed: meta.seed,
    steps: stats.steps,
    runs: meta.runs,
    shard,
    levels: meta.levels,
    ...(meta.generators ? { generators: [...meta.generators] } : {}),
    stats: stats.toJSON(),
  };
}

/** A partial result as its file's text: the statistics on a line of their own. */
export function formatPartial(partial: PartialResult): string {
  const { stats, ...head } = partial;
  return `{${JSON.stringify(head).slice(1, -1)},\n"stats":${JSON.stringify(stats)}}\n`;
}

/** Where {@linkcode mergePartials} writes. */
export interface MergeOptions {
  /** The output folder. */
  outDir: string;
}

/**
 * Merges the partial results of every shard of a batch into the summary and report a single
 * run of the whole batch gives, byte for byte.
 *
 * @param paths The partial result files, one per shard, in any order.
 * @param options The output folder.
 * @returns The summary and the files written.
 * @throws ScenarioError when a file is not a partial result, when the partials come from
 * different scenarios, seeds, steps, batch sizes or versions, or when a shard is missing or
 * given twice; nothing is written then.
 *
 * @example Two shards make the batch
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { mergePartials, runBatch } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/mean_revert.jsonc", import.meta.url).pathname);
 * const dir = await Deno.makeTempDir();
 * const parts = [];
 * for (const index of [1, 2]) {
 *   parts.push(...(await runBatch(scenario, { outDir: dir, runs: 30, shard: { index, count: 2 } })).files);
 * }
 * const merged = await mergePartials(parts, { outDir: `${dir}/merged` });
 * const whole = await runBatch(scenario, { outDir: `${dir}/whole`, runs: 30 });
 * assertEquals(merged.summary, whole.summary);
 * ```
 */
export async function mergePartials(
  paths: readonly string[],
  options: MergeOptions,
): Promise<BatchReport> {
  if (paths.length === 0) throw new ScenarioError("Cannot merge: expected partial result files");
  const partials: [string, PartialResult][] = [];
  for (const path of paths) partials.push([path, await readPartial(path)]);
  const [firstPath, first] = partials[0]!;
  const problems: string[] = [];
  const keys = ["scenario", "fingerprint", "seed", "steps", "runs", "version"] as const;
  for (const [path, partial] of partials.slice(1)) {
    for (const key of keys) {
      if (partial[key] !== first[key]) {
        problems.push(
          `${path}: Cannot merge: ${key} ${JSON.stringify(partial[key])} differs from ${
            JSON.stringify(first[key])
          } in ${firstPath}`,
        );
      }
    }
    if (partial.shard.count !== first.shard.count) {
      problems.push(
        `${path}: Cannot merge: it is one of ${partial.shard.count} shards, ${firstPath} one of ${first.shard.count}`,
      );
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  const count = first.shard.count;
  const seen = new Map<number, string>();
  for (const [path, partial] of partials) {
    const other = seen.get(partial.shard.index);
    if (other !== undefined) {
      problems.push(
        `${path}: Cannot merge: shard ${partial.shard.index}/${count} is also ${other}`,
      );
    }
    seen.set(partial.shard.index, path);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    problems.push(
      `Cannot merge: missing shard${missing.length > 1 ? "s" : ""} ${
        missing.slice(0, 10).map((i) => `${i}/${count}`).join(", ")
      }${missing.length > 10 ? ", ..." : ""} of ${first.scenario}`,
    );
  }
  if (problems.length > 0) throw new ScenarioError(problems);

  const stats = new MonteCarloStats({ steps: first.steps });
  for (const [path, partial] of partials) {
    try {
      stats.merge(MonteCarloStats.fromJSON(partial.stats, `${path}: "stats"`));
    } catch (error) {
      if (error instanceof RangeError) throw new ScenarioError(`${error.message}`);
      throw error;
    }
  }
  if (stats.runs !== first.runs) {
    throw new ScenarioError(
      `Cannot merge: the shards hold ${stats.runs} runs, expected ${first.runs}`,
    );
  }
  const output = new OutputSet(options.outDir);
  try {
    const meta: BatchMeta = {
      name: first.scenario,
      description: first.description,
      seed: first.seed,
      runs: first.runs,
      levels: first.levels,
      ...(first.generators ? { generators: first.generators } : {}),
    };
    const summary = await writeResults(output, meta, stats);
    const files = await output.commit();
    return {
      name: first.scenario,
      summary,
      stats,
      runs: first.runs,
      range: [0, first.runs],
      seed: first.seed,
      workers: 1,
      files,
      staleRunLogs: 0,
      staleRemoved: output.staleRemoved,
    };
  } catch (error) {
    await output.abort();
    throw error;
  }
}

/**
 * Reads and checks a shard's partial result file.
 *
 * @param path The file.
 * @returns Its content.
 * @throws ScenarioError when it cannot be read, is not JSON, or is not a partial result of this
 * version of option-flight.
 *
 * @example Not a partial result
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { ScenarioError } from "../mod.ts";
 * import { readPartial } from "./mod.ts";
 *
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, "{}");
 * await assertRejects(() => readPartial(path), ScenarioError, "is not a partial Monte Carlo result");
 * ```
 */
export async function readPartial(path: string): Promise<PartialResult> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new ScenarioError(`${path}: Cannot read the partial result: ${(error as Error).message}`);
  }
  const p = value as Partial<PartialResult> | null;
  if (typeof p !== "object" || p === null || p.format !== PARTIAL_FORMAT) {
    throw new ScenarioError(
      `${path}: Cannot merge: the file is not a partial Monte Carlo result (no "format": "${PARTIAL_FORMAT}")`,
    );
  }
  if (p.formatVersion !== PARTIAL_FORMAT_VERSION) {
    throw new ScenarioError(
      `${path}: Cannot merge: partial result format ${p.formatVersion}, expected ${PARTIAL_FORMAT_VERSION}`,
    );
  }
  if (p.version !== VERSION) {
    throw new ScenarioError(
      `${path}: Cannot merge: written by option-flight ${p.version}, this is ${VERSION}; rerun the shard`,
    );
  }
  const shard = p.shard;
  const good = typeof p.scenario === "string" && typeof p.fingerprint === "string" &&
    Number.isSafeInteger(p.seed) && Number.isSafeInteger(p.steps) && Number.isSafeInteger(p.runs) &&
    typeof shard === "object" && shard !== null && Number.isInteger(shard.index) &&
    Number.isInteger(shard.count) && shard.index >= 1 && shard.index <= shard.count &&
    typeof p.stats === "object" && p.stats !== null;
  if (!good) throw new ScenarioError(`${path}: Cannot merge: the partial result is incomplete`);
  return { description: "", levels: null, ...p } as PartialResult;
}
