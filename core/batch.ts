/**
 * Monte Carlo batches (SPEC §4): many independent runs of one scenario, spread over Web
 * Workers or over machines (shards), reduced to a summary and a report.
 *
 * Run `i` draws only from streams keyed by `(seed, i)` ({@linkcode startRun} with `run: i`),
 * and {@linkcode MonteCarloStats} merges exactly, so the summary is the same, byte for byte,
 * for any number of workers or shards and any order in which they finish.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };
import { ScenarioError } from "./errors.ts";
import {
  type ChunkOptions,
  errorFromData,
  type FromWorker,
  type PluginRecipe,
  runChunk,
  runClaimed,
  RunClaims,
  runLogName,
  type ScenarioRecipe,
  type ToWorker,
} from "./batch_thread.ts";
import { REGIMES } from "./frame.ts";
import { builtinModule } from "./builtins.ts";
import { OutputSet } from "./output.ts";
import { WorkerPool } from "./pool.ts";
import { type EnvelopeLevels, isEnvelopeLevels } from "../plugins/envelope.ts";
import { renderReport } from "./report.ts";
import { startRun } from "./run.ts";
import { MAX_RUNS, type PluginUse, resolveUse, type Scenario } from "./scenario.ts";
import {
  MonteCarloStats,
  type MonteCarloStatsData,
  type MonteCarloSummary,
  summarizeStats,
} from "./stats.ts";

export {
  type ChunkOptions,
  type ErrorData,
  errorData,
  errorFromData,
  runChunk,
  type RunLogs,
} from "./batch_thread.ts";

export { formatBlock } from "./frame_text.ts";

/** The option-flight version, written into partial results so that merge can check it. */
export const VERSION: string = denoJson.version;

/** The most Web Workers one batch may use. */
export const MAX_WORKERS = 256;

/**
 * Steps of work each thread needs by default when the batch starts new workers: a new worker
 * takes some 20 ms to start and about 50 ms more to warm up. Measured on 2 cores, two threads
 * beat one from about 5 million steps of statistics, or 400,000 steps with run logs.
 */
const STEPS_PER_NEW_THREAD = 3_000_000;
/**
 * Steps of work each thread needs by default when the batch runs on a {@linkcode WorkerPool},
 * whose workers are warm after its first batch: measured, two warm threads beat one from about
 * 500,000 steps.
 */
const STEPS_PER_WARM_THREAD = 500_000;

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
 * import { parseShard } from "./batch.ts";
 * import { ScenarioError } from "./errors.ts";
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
 * import { shardRuns } from "./batch.ts";
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

/** Where and how {@linkcode runBatch} runs. */
export interface BatchOptions {
  /** The output folder; every file is written there and nowhere else. */
  outDir: string;
  /** Number of runs; defaults to the scenario's `monteCarlo.runs`. From 1 to {@linkcode MAX_RUNS}. */
  runs?: number;
  /** Seed instead of the scenario's. */
  seed?: number;
  /** Steps per run instead of the scenario's. */
  steps?: number;
  /**
   * Threads to spread the runs over, from 1 to {@linkcode MAX_WORKERS}: the main thread and
   * `workers - 1` Web Workers. Defaults to the machine's cores, but at most one thread per 3
   * million steps of work (a step written to a run log counts as 15), since a new worker takes
   * tens of milliseconds to start and warm up; one per 500,000 with a `pool`, whose workers stay
   * warm from batch to batch.
   */
  workers?: number;
  /** Write each run's frames to `mc_<name>_<i>.jsonl`; defaults to the scenario's `monteCarlo.keepRuns`. */
  keepRuns?: boolean;
  /** Run only this slice of the runs and write a partial result for {@linkcode mergePartials}. */
  shard?: Shard;
  /** Called as runs complete, with the runs done and the runs to do. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Workers to take instead of starting new ones, and to give back: for many batches in one
   * process. See {@linkcode WorkerPool}.
   */
  pool?: WorkerPool;
}

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
}

/**
 * Runs a Monte Carlo batch and writes, all at once when it is complete, `<name>.summary.json`
 * and `<name>.report.html` (or, for a shard, `<name>.part-<k>-of-<n>.json`) and, when asked,
 * one `mc_<name>_<i>.jsonl` per run. The scenario's own sinks and renderers do not run.
 *
 * @param scenario The loaded scenario.
 * @param options The output folder, the number of runs and how to run them.
 * @returns The summary, the statistics and the files written.
 * @throws ScenarioError for a bad number of runs, workers or shards; nothing is written then.
 *
 * @example A small batch
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, runBatch } from "../mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const outDir = await Deno.makeTempDir();
 * const report = await runBatch(scenario, { outDir, runs: 50, steps: 100 });
 * assertEquals(report.summary!.runs, 50);
 * assertEquals(report.files.map((f) => f.slice(outDir.length + 1)), ["breakout.summary.json", "breakout.report.html"]);
 * ```
 */
export async function runBatch(scenario: Scenario, options: BatchOptions): Promise<BatchReport> {
  const runs = options.runs ?? scenario.monteCarlo?.runs;
  if (runs === undefined) {
    throw new ScenarioError(
      `${scenario.path}: Cannot run a Monte Carlo batch: give a number of runs (--runs) or a "monteCarlo" section`,
    );
  }
  checkWhole("runs", runs, 1, MAX_RUNS);
  if (options.workers !== undefined) checkWhole("workers", options.workers, 1, MAX_WORKERS);
  const keepRuns = options.keepRuns ?? scenario.monteCarlo?.keepRuns ?? false;
  const [from, to] = options.shard ? shardRuns(runs, options.shard) : [0, runs];
  const seed = options.seed ?? scenario.seed;
  const output = new OutputSet(options.outDir);
  try {
    // The folder and the results' names are checked before the runs, not after them.
    const results = options.shard
      ? [partialName(scenario.name, options.shard)]
      : [`${scenario.name}.summary.json`, `${scenario.name}.report.html`];
    for (const name of results) output.check(name);
    const result = await simulateBatch(scenario, {
      from,
      to,
      seed,
      ...(options.steps === undefined ? {} : { steps: options.steps }),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.pool ? { pool: options.pool } : {}),
      ...(keepRuns ? { runLogs: output } : {}),
    });
    const meta: BatchMeta = {
      name: scenario.name,
      description: scenario.description ?? "",
      seed,
      runs,
      levels: result.levels ?? null,
    };
    let summary: MonteCarloSummary | undefined;
    if (options.shard) {
      const partial = await partialOf(scenario, meta, result.stats, { ...options.shard, from, to });
      await output.writeFile(partialName(scenario.name, options.shard), formatPartial(partial));
    } else {
      summary = await writeResults(output, meta, result.stats);
    }
    const files = await output.commit();
    const staleRunLogs = options.shard ? 0 : countStaleRunLogs(output.dir, scenario.name, {
      runs,
      keepRuns,
    });
    return {
      name: scenario.name,
      summary,
      staleRunLogs,
      stats: result.stats,
      runs,
      range: [from, to],
      seed,
      workers: result.workers,
      files,
    };
  } catch (error) {
    await output.abort();
    throw error;
  }
}

/** Counts the `mc_<name>_<i>.jsonl` in `dir` that a batch of `runs` runs did not write. */
function countStaleRunLogs(
  dir: string,
  name: string,
  batch: { runs: number; keepRuns: boolean },
): number {
  const pattern = new RegExp(`^mc_${name.replaceAll(".", "\\.")}_(\\d+)\\.jsonl$`);
  let stale = 0;
  try {
    for (const entry of Deno.readDirSync(dir)) {
      const run = pattern.exec(entry.name)?.[1];
      if (run !== undefined && (!batch.keepRuns || Number(run) >= batch.runs)) stale++;
    }
  } catch { /* no folder: nothing stale */ }
  return stale;
}

function checkWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ScenarioError(
      `Cannot run a batch with ${value} ${name}: expected an integer in [${min}, ${max}]`,
    );
  }
}

/** Describes the batch for its summary, report and partial results. */
interface BatchMeta {
  name: string;
  description: string;
  seed: number;
  runs: number;
  levels: EnvelopeLevels | null;
}

async function writeResults(
  output: OutputSet,
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
    }),
  );
  return summary;
}

/** What {@linkcode simulateBatch} runs. */
export interface SimulateBatchOptions {
  /** The first run. @default {0} */
  from?: number;
  /** One past the last run. */
  to: number;
  /** Seed instead of the scenario's. */
  seed?: number;
  /** Steps per run instead of the scenario's. */
  steps?: number;
  /** Threads, 1 for the main thread alone; see {@linkcode BatchOptions.workers}. */
  workers?: number;
  /** Called with the runs done and the runs to do. */
  onProgress?: (done: number, total: number) => void;
  /**
   * When given, each run's frames are written as JSONL to `mc_<name>_<i>.jsonl` in this output
   * set, by whichever thread runs it, and renamed into place by the set's commit.
   */
  runLogs?: OutputSet;
  /** Workers to take and give back; see {@linkcode BatchOptions.pool}. */
  pool?: WorkerPool;
}

/** What {@linkcode simulateBatch} found. */
export interface SimulateBatchResult {
  /** The statistics of the runs. */
  stats: MonteCarloStats;
  /** The levels the evaluator publishes, if any. */
  levels: EnvelopeLevels | undefined;
  /** Threads used: the main thread and `workers - 1` Web Workers. */
  workers: number;
}

/**
 * Runs runs `from` to `to - 1` of a scenario and reduces them to statistics; nothing is
 * written. The statistics are the same for any number of workers.
 *
 * @param scenario The loaded scenario.
 * @param options Which runs, and how to run them.
 * @returns The statistics.
 *
 * @example The same statistics on one thread and on two workers
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, simulateBatch } from "../mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/false_breakout.jsonc", import.meta.url).pathname);
 * const one = await simulateBatch(scenario, { to: 40, workers: 1 });
 * const two = await simulateBatch(scenario, { to: 40, workers: 2 });
 * assertEquals(JSON.stringify(two.stats), JSON.stringify(one.stats));
 * ```
 */
export async function simulateBatch(
  scenario: Scenario,
  options: SimulateBatchOptions,
): Promise<SimulateBatchResult> {
  const from = options.from ?? 0;
  const { to } = options;
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && from < to)) {
    throw new ScenarioError(`Cannot run runs ${from} to ${to}: expected 0 <= from < to`);
  }
  const seed = options.seed ?? scenario.seed;
  const probe = await startRun(scenario, { run: from, seed, ...stepsOf(options) });
  const steps = probe.steps;
  const total = to - from;
  const output = options.runLogs;
  const runLogs = output ? { ...output.staging(), name: scenario.name } : undefined;
  if (output) {
    // Names grow with the run index: checking the first and the last checks them all, before
    // any work is done.
    output.check(runLogName(scenario.name, from));
    output.check(runLogName(scenario.name, to - 1));
  }
  const workers = Math.min(
    total,
    options.workers ??
      defaultWorkers(total * steps * (runLogs ? LOG_COST : 1), options.pool !== undefined),
  );
  const base = { from, to, seed, steps, runLogs };
  let stats: MonteCarloStats;
  if (workers <= 1) {
    stats = new MonteCarloStats({ steps });
    let done = 0;
    await runChunk(scenario, stats, {
      ...base,
      onRun: () => options.onProgress?.(++done, total),
    });
  } else {
    stats = await runInParallel(scenario, {
      ...base,
      threads: workers,
      onProgress: options.onProgress,
      pool: options.pool,
    });
  }
  if (output) {
    for (let run = from; run < to; run++) {
      output.adopt(runLogName(scenario.name, run));
    }
  }
  const levels = isEnvelopeLevels(probe.levels) ? probe.levels : undefined;
  return { stats, levels, workers: Math.max(1, workers) };
}

/**
 * A step written to a run log costs about as much as this many steps of statistics alone:
 * measured, 450 to 600 ns against 34 to 36 ns.
 */
const LOG_COST = 15;

function stepsOf(options: { steps?: number }): { steps?: number } {
  return options.steps === undefined ? {} : { steps: options.steps };
}

/** Threads for `work` steps, on new workers or on a pool's. */
function defaultWorkers(work: number, pooled: boolean): number {
  const cores = navigator.hardwareConcurrency || 1;
  const perThread = pooled ? STEPS_PER_WARM_THREAD : STEPS_PER_NEW_THREAD;
  return Math.max(1, Math.min(cores, Math.floor(work / perThread), MAX_WORKERS));
}

interface WorkerRunOptions extends Omit<ChunkOptions, "onRun"> {
  /** Threads in all: the main thread and `threads - 1` Web Workers. */
  threads: number;
  onProgress?: ((done: number, total: number) => void) | undefined;
  pool?: WorkerPool | undefined;
}

/**
 * Runs a batch on the main thread and `threads - 1` Web Workers, which claim slices of runs
 * from shared counters ({@linkcode RunClaims}), so no thread waits for another's messages.
 * The main thread starts its share at once and so covers the time workers take to start; at
 * the end it merges the workers' statistics, posted as typed arrays.
 */
async function runInParallel(
  scenario: Scenario,
  options: WorkerRunOptions,
): Promise<MonteCarloStats> {
  const recipe = recipeOf(scenario);
  const { from, to, seed, steps, runLogs, onProgress, threads } = options;
  // Workers before this thread's statistics: a new one takes longest to be ready (measured: it
  // claims its first runs 1-4 ms sooner).
  const pool = options.pool ?? new WorkerPool();
  const workers = pool.acquire(threads - 1);
  const total = to - from;
  const stats = new MonteCarloStats({ steps });
  const shared = RunClaims.counters(from);
  const claims = new RunClaims(shared, to, threads);
  // Whether each worker has answered, with statistics or a reported error: only then may it
  // run another batch.
  const answered = new Set<Worker>();
  const results = workers.map((worker) =>
    new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        answered.add(worker);
        const message = event.data;
        if (message.type === "error") return reject(errorFromData(message.error));
        try {
          stats.mergeSnapshot(message.stats);
          resolve();
        } catch (error) {
          reject(error);
        }
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        reject(new Error(`A batch worker failed: ${event.message}`));
      };
      const message: ToWorker = { recipe, seed, steps, runLogs, shared, to, threads };
      worker.postMessage(message);
    }).catch((error) => {
      claims.stop();
      throw error;
    })
  );
  let progress: ReturnType<typeof setInterval> | undefined;
  try {
    // Handled now, awaited below: a worker may fail while the main thread runs.
    const finished = Promise.all(results);
    finished.catch(() => {});
    // One turn of the event loop lets the workers' threads start: measured, they are then
    // claiming runs 15 ms sooner than when the main thread starts its share at once.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await runClaimed(
      scenario,
      stats,
      claims,
      { seed, steps, runLogs },
      () => onProgress?.(claims.runsDone, total),
    );
    // The workers are finishing their last slices: bring this thread's statistics up to date
    // meanwhile, not after their messages arrive.
    stats.flush();
    progress = setInterval(() => onProgress?.(claims.runsDone, total), 100);
    await finished;
    onProgress?.(claims.runsDone, total);
  } catch (error) {
    claims.stop();
    // The other workers finish the slice they are in (a few ms) before they stop: wait for
    // them, so that no run log of theirs lands after the output set's abort has cleaned up.
    await settle(results, WORKER_STOP_MS);
    throw error;
  } finally {
    clearInterval(progress);
    for (const worker of workers) pool.release(worker, answered.has(worker));
    if (!options.pool) pool.close();
  }
  return stats;
}

/** How long a failed batch waits for its other workers to stop before terminating them. */
const WORKER_STOP_MS = 2_000;

/** Waits until every promise has settled, or `ms` milliseconds, whichever comes first. */
async function settle(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>((resolve) => timer = setTimeout(resolve, ms)),
  ]);
  clearTimeout(timer);
}

/**
 * The recipe of the plugins that compute a scenario's runs, for a batch worker: the module of
 * each, resolved here, and the options read and checked here.
 */
function recipeOf(scenario: Scenario): ScenarioRecipe {
  const recipe = ({ use, key, options }: PluginUse): PluginRecipe => {
    const resolved = resolveUse(use, { scenarioPath: scenario.path });
    const module = "builtin" in resolved ? builtinModule(use) : resolved.specifier;
    return { use, key, module, options };
  };
  return {
    path: scenario.path,
    name: scenario.name,
    evaluator: recipe(scenario.evaluator),
    generators: scenario.generators.map(recipe),
  };
}

/**
 * A digest of what a scenario computes: the `use` string, key and checked options of its
 * evaluator and generators. Comments, formatting, sinks and renderers do not change it.
 *
 * @param scenario The loaded scenario.
 * @returns A SHA-256 digest, in hex.
 *
 * @example Same file, same fingerprint
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, scenarioFingerprint } from "../mod.ts";
 *
 * const path = new URL("../scenarios/breakout.jsonc", import.meta.url).pathname;
 * assertEquals(await scenarioFingerprint(await loadScenario(path)), await scenarioFingerprint(await loadScenario(path)));
 * ```
 */
export async function scenarioFingerprint(scenario: Scenario): Promise<string> {
  const uses = [scenario.evaluator, ...scenario.generators].map((use) => ({
    key: use.key,
    use: use.use,
    options: use.options,
  }));
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(JSON.stringify(uses)),
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The `format` of a partial result file. */
export const PARTIAL_FORMAT = "option-flight/mc-partial";
/** The version of the partial result format; merge accepts only this one. */
export const PARTIAL_FORMAT_VERSION = 1;

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
  /** The statistics of the shard's runs. */
  stats: MonteCarloStatsData;
}

function partialName(name: string, shard: Shard): string {
  return `${name}.part-${shard.index}-of-${shard.count}.json`;
}

async function partialOf(
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
    stats: stats.toJSON(),
  };
}

function formatPartial(partial: PartialResult): string {
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
 * import { loadScenario, mergePartials, runBatch } from "../mod.ts";
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
 * import { readPartial, ScenarioError } from "../mod.ts";
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

/** What {@linkcode formatBatchReport} may add. */
export interface FormatReportOptions {
  /** Wall time of the batch, in seconds, shown with the throughput. */
  seconds?: number;
  /** Turns a written file's path into what to show, such as a relative path. */
  showPath?: (path: string) => string;
}

/**
 * The summary table the CLI prints.
 *
 * @param report What {@linkcode runBatch} or {@linkcode mergePartials} returned.
 * @param options The time taken and how to show paths.
 * @returns Lines of text.
 *
 * @example The first line names the batch
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { formatBatchReport, loadScenario, runBatch } from "../mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const report = await runBatch(scenario, { outDir: await Deno.makeTempDir(), runs: 20 });
 * assertStringIncludes(formatBatchReport(report)[0]!, "breakout: 20 runs x 200 steps, seed 42");
 * ```
 */
export function formatBatchReport(
  report: BatchReport,
  options: FormatReportOptions = {},
): string[] {
  const { stats, summary } = report;
  const show = options.showPath ?? ((path: string) => path);
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const num = (v: number) => Number(v.toPrecision(6)).toString();
  const three = (q: { p5: number; p50: number; p95: number }, f = num) =>
    `p5 ${f(q.p5)}  p50 ${f(q.p50)}  p95 ${f(q.p95)}`;
  const [from, to] = report.range;
  const partial = to - from !== report.runs;
  const lines = [
    `${report.name}: ${report.runs} runs x ${stats.steps} steps, seed ${report.seed}${
      partial ? `; this shard ran runs ${from} to ${to - 1}` : ""
    }`,
  ];
  if (summary) {
    const [low, high] = summary.breachRateCI95;
    lines.push(
      `  breach rate    ${pct(summary.breachRate)} of runs (95% CI ${pct(low)} to ${
        pct(high)
      }), ${summary.breachRuns} runs`,
      `  first breach   ${
        summary.firstBreachStep ? `step ${three(summary.firstBreachStep)}` : "no run breaches"
      }`,
      `  max load       ${num(summary.maxLoad)} overall; per run ${
        three(summary.maxLoadQuantiles)
      }`,
      `  regimes        ${
        REGIMES.map((r) => `${r} ${(100 * summary.regimeShare[r]).toFixed(1)}%`).join("  ")
      }`,
      `  flags          ${
        Object.entries(summary.flagCounts).map(([f, n]) => `${f} ${n}`).join("  ")
      } frames`,
      `  final spot     ${three(summary.finalSpotQuantiles)}`,
    );
  } else {
    lines.push(`  partial result of ${stats.runs} runs; merge every shard with deno task merge`);
  }
  if (options.seconds !== undefined) {
    const rate = (stats.runs * stats.steps) / Math.max(options.seconds, 1e-9);
    lines.push(
      `  took           ${options.seconds.toFixed(2)} s, ${
        (rate / 1e6).toFixed(1)
      }M steps/s, ${report.workers} worker${report.workers > 1 ? "s" : ""}`,
    );
  }
  const files = report.files.filter((f) => !/\/mc_[^/]*\.jsonl$/.test(f)).map(show);
  const logs = report.files.length - files.length;
  if (logs > 0) files.push(`${logs} mc_${report.name}_<i>.jsonl`);
  lines.push(`  wrote          ${files.join(", ")}`);
  if (report.staleRunLogs > 0) {
    lines.push(
      `  note           ${report.staleRunLogs} other mc_${report.name}_<i>.jsonl in the folder are from an earlier batch`,
    );
  }
  return lines;
}

/** Where and how a {@linkcode ProgressBar} draws. */
export interface ProgressBarOptions {
  /** Receives the text to print, with its own `\r` or `\n`. */
  write: (text: string) => void;
  /** Redraw one line in place (a terminal), rather than print a line every 10%. */
  terminal: boolean;
  /** What the bar is of, shown first. */
  label?: string;
  /** Milliseconds before anything is drawn, so that short batches print nothing. @default {1000} */
  delay?: number;
  /** The clock, in milliseconds. @default {performance.now} */
  now?: () => number;
}

/**
 * A progress bar for long batches, with elapsed time and ETA: redrawn in place on a terminal,
 * a line every 10% otherwise. Nothing is drawn during the first second.
 *
 * @example Lines every 10% when not on a terminal
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ProgressBar } from "./batch.ts";
 *
 * const out: string[] = [];
 * let clock = 0;
 * const bar = new ProgressBar(100, { write: (t) => out.push(t), terminal: false, now: () => clock });
 * for (let done = 1; done <= 100; done++) {
 *   clock += 50;
 *   bar.update(done);
 * }
 * bar.finish();
 * assertEquals(out.length, 9); // 20% (the first after one second) to 100%
 * assertEquals(out.at(-1), "100% 100/100 runs, elapsed 5.0s, ETA 0.0s\n");
 * ```
 */
export class ProgressBar {
  readonly #total: number;
  readonly #options: ProgressBarOptions;
  readonly #now: () => number;
  readonly #start: number;
  /** The last tenth printed (lines), or whether anything was drawn (terminal): -1 for nothing. */
  #shown = -1;
  #lastDraw = -Infinity;
  #done = 0;

  /**
   * Starts the clock.
   *
   * @param total Runs to do.
   * @param options Where and how to draw.
   */
  constructor(total: number, options: ProgressBarOptions) {
    this.#total = total;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
  }

  /**
   * Records progress and redraws when due.
   *
   * @param done Runs done so far.
   */
  update(done: number): void {
    this.#done = done;
    const now = this.#now();
    if (now - this.#start < (this.#options.delay ?? 1000)) return;
    if (this.#options.terminal) {
      if (now - this.#lastDraw < 100 && done < this.#total) return;
      this.#draw(now);
    } else {
      const tenth = Math.floor((10 * done) / this.#total);
      if (tenth > Math.max(this.#shown, 0)) {
        this.#shown = tenth;
        this.#options.write(`${this.#line(now, false)}\n`);
      }
    }
  }

  /** Ends the bar's line on a terminal, if anything was drawn. */
  finish(): void {
    if (this.#options.terminal && this.#shown >= 0) {
      this.#draw(this.#now());
      this.#options.write("\n");
    }
  }

  #draw(now: number): void {
    this.#lastDraw = now;
    this.#shown = 0;
    this.#options.write(`\r\x1b[2K${this.#line(now, true)}`);
  }

  #line(now: number, bar: boolean): string {
    const done = this.#done;
    const total = this.#total;
    const elapsed = (now - this.#start) / 1000;
    const eta = done === 0 ? Infinity : (elapsed * (total - done)) / done;
    const share = done / total;
    const width = 24;
    const filled = Math.round(share * width);
    const label = this.#options.label ? `${this.#options.label} ` : "";
    const drawn = bar ? `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ` : "";
    return `${label}${drawn}${Math.floor(100 * share)}% ${done}/${total} runs, elapsed ${
      clock(elapsed)
    }, ETA ${clock(eta)}`;
  }
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.floor(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
