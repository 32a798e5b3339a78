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
import { ScenarioError } from "../core/errors.ts";
import { OutputSet, type OutputTarget } from "../files/atomic.ts";
import { metaText } from "../files/meta.ts";
import { pacer, RunPlan } from "../core/run.ts";
import type { PluginUse, Scenario } from "../core/scenario.ts";
import { runSettings } from "../core/settings.ts";
import { isEnvelopeLevels } from "../plugins/envelope.ts";
import {
  type ChunkOptions,
  errorFromData,
  type FromWorker,
  type Keep,
  type PluginRecipe,
  runChunk,
  runClaimed,
  RunClaims,
  runFileName,
  type ScenarioRecipe,
  type Staging,
  type ToWorker,
} from "./_thread.ts";
import { WorkerPool } from "./pool.ts";
import { type BatchMeta, type BatchReport, generatorEntries, writeResults } from "./results.ts";
import { formatPartial, partialName, partialOf, type Shard, shardRuns } from "./shard.ts";
import { MonteCarloStats, type MonteCarloSummary } from "./stats.ts";
import type { EnvelopeLevels } from "../plugins/envelope.ts";

/** The most Web Workers one batch may use. */
export const MAX_WORKERS = 256;

/** Steps of work a new worker must have to pay for its start and warm-up (docs/monte-carlo.md). */
const STEPS_PER_NEW_THREAD = 3_000_000;
/** Steps of work a warm {@linkcode WorkerPool} worker must have to pay for itself. */
const STEPS_PER_WARM_THREAD = 500_000;

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
   * million steps of work (a step a kept run's sinks write counts as 15), since a new worker takes
   * tens of milliseconds to start and warm up; one per 500,000 with a `pool`, whose workers stay
   * warm from batch to batch.
   */
  workers?: number;
  /**
   * Run each run's frames through the scenario's sinks, into `mc_<name>_<i>.<extension>` (with
   * the default sink, `mc_<name>_<i>.jsonl`); defaults to the scenario's `monteCarlo.keepRuns`.
   */
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
  /** Stops the batch between slices of runs: it then throws the signal's reason, writing nothing. */
  signal?: AbortSignal;
  /**
   * Where the files go instead of an output set on `outDir`, such as the sandbox's writer. Kept
   * runs are then written on the main thread alone: only an {@linkcode OutputSet}'s files can be
   * staged by every thread.
   */
  output?: OutputTarget;
}

/**
 * Runs a Monte Carlo batch and writes, all at once when it is complete, `<name>.summary.json`,
 * `<name>.summary.csv` and `<name>.report.html` (or, for a shard, `<name>.part-<k>-of-<n>.json`) and, when asked,
 * each run's sink files, `mc_<name>_<i>.<extension>`. The scenario's renderers do not run.
 *
 * @param scenario The loaded scenario.
 * @param options The output folder, the number of runs and how to run them.
 * @returns The summary, the statistics and the files written.
 * @throws ScenarioError for a bad number of runs, workers or shards; nothing is written then.
 *
 * @example A small batch
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { runBatch } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const outDir = await Deno.makeTempDir();
 * const report = await runBatch(scenario, { outDir, runs: 50, steps: 100 });
 * assertEquals(report.summary!.runs, 50);
 * assertEquals(report.files.map((f) => f.slice(outDir.length + 1)), ["breakout.summary.json", "breakout.summary.csv", "breakout.report.html"]);
 * ```
 */
export async function runBatch(scenario: Scenario, options: BatchOptions): Promise<BatchReport> {
  const { seed, steps, runs, keepRuns } = runSettings(scenario, options);
  if (runs === undefined) {
    throw new ScenarioError(
      `${scenario.path}: Cannot run a Monte Carlo batch: give a number of runs (--runs) or a "monteCarlo" section`,
    );
  }
  const [from, to] = options.shard ? shardRuns(runs, options.shard) : [0, runs];
  const output = options.output ?? new OutputSet(options.outDir);
  try {
    // The folder and the results' names are checked before the runs, not after them.
    const results = options.shard ? [partialName(scenario.name, options.shard)] : [
      `${scenario.name}.summary.json`,
      `${scenario.name}.summary.csv`,
      `${scenario.name}.report.html`,
    ];
    for (const name of results) output.check(name);
    const result = await simulateRuns(scenario, {
      from,
      to,
      seed,
      steps,
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.pool ? { pool: options.pool } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(keepRuns ? { keep: output, runs } : {}),
    });
    const meta: BatchMeta = {
      name: scenario.name,
      description: scenario.description ?? "",
      seed,
      runs,
      levels: result.levels ?? null,
      generators: generatorEntries(scenario),
    };
    let summary: MonteCarloSummary | undefined;
    if (options.shard) {
      const partial = await partialOf(scenario, meta, result.stats, { ...options.shard, from, to });
      await output.writeFile(partialName(scenario.name, options.shard), formatPartial(partial));
    } else {
      summary = await writeResults(output, meta, result.stats);
    }
    const files = await output.commit();
    const staleRunLogs = options.shard ? 0 : countStaleRunFiles(output.dir, scenario, {
      runs,
      keepRuns,
    });
    return {
      name: scenario.name,
      summary,
      staleRunLogs,
      staleRemoved: output.staleRemoved,
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

/** Counts the kept-run files in `dir` of the scenario's sinks that this batch did not write. */
function countStaleRunFiles(
  dir: string,
  scenario: Scenario,
  batch: { runs: number; keepRuns: boolean },
): number {
  const dot = (text: string) => text.replaceAll(".", "\\.");
  const extensions = scenario.sinks.map((use) => dot(use.definition.extension)).join("|");
  const pattern = new RegExp(`^mc_${dot(scenario.name)}_(\\d+)\\.(${extensions})$`);
  let stale = 0;
  try {
    for (const entry of Deno.readDirSync(dir)) {
      const run = pattern.exec(entry.name)?.[1];
      if (run !== undefined && (!batch.keepRuns || Number(run) >= batch.runs)) stale++;
    }
  } catch { /* no folder: nothing stale */ }
  return stale;
}

function checkWorkers(value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_WORKERS) {
    throw new ScenarioError(
      `Cannot run a batch with ${value} workers: expected an integer in [1, ${MAX_WORKERS}]`,
    );
  }
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
  /** Workers to take and give back; see {@linkcode BatchOptions.pool}. */
  pool?: WorkerPool;
  /** Stops the batch between slices of runs: it then throws the signal's reason. */
  signal?: AbortSignal;
}

/**
 * {@linkcode simulateBatch}'s options and, for {@linkcode runBatch}, an output set: each run's
 * frames then go through the scenario's sinks into `mc_<name>_<i>.<extension>` there, written
 * by whichever thread runs the run and renamed into place by the set's commit.
 */
interface KeepOptions extends SimulateBatchOptions {
  keep?: OutputTarget | undefined;
  /** The batch's number of runs, which the kept runs' meta file records. */
  runs?: number;
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
 * import { loadScenario } from "../mod.ts";
 * import { simulateBatch } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/false_breakout.jsonc", import.meta.url).pathname);
 * const one = await simulateBatch(scenario, { to: 40, workers: 1 });
 * const two = await simulateBatch(scenario, { to: 40, workers: 2 });
 * assertEquals(JSON.stringify(two.stats), JSON.stringify(one.stats));
 * ```
 */
export function simulateBatch(
  scenario: Scenario,
  options: SimulateBatchOptions,
): Promise<SimulateBatchResult> {
  return simulateRuns(scenario, { ...options, keep: undefined });
}

async function simulateRuns(
  scenario: Scenario,
  options: KeepOptions,
): Promise<SimulateBatchResult> {
  const from = options.from ?? 0;
  const { to } = options;
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && from < to)) {
    throw new ScenarioError(`Cannot run runs ${from} to ${to}: expected 0 <= from < to`);
  }
  if (options.workers !== undefined) checkWorkers(options.workers);
  const plan = new RunPlan(scenario, options);
  const { seed } = plan;
  // A generator may end its runs early, such as a replay of a range of dates: the batch's runs
  // are as long as its first.
  const steps = Math.min(plan.steps, (await plan.start(from)).steps);
  const levels = plan.levels(from);
  const total = to - from;
  const output = options.keep;
  const extensions = output ? scenario.sinks.map((use) => use.definition.extension) : [];
  // Names grow with the run index: checking the first and the last checks them all, before
  // any work is done.
  for (const extension of extensions) {
    output!.check(runFileName(scenario.name, from, extension));
    output!.check(runFileName(scenario.name, to - 1, extension));
  }
  const staged = output instanceof OutputSet;
  const keep: Keep | undefined = staged ? output.staging() : output;
  const workers = output && !staged ? 1 : Math.min(
    total,
    options.workers ??
      defaultWorkers(total * steps * (keep ? LOG_COST : 1), options.pool !== undefined),
  );
  const base = { from, to, seed, steps, keep };
  let stats: MonteCarloStats;
  if (workers <= 1) {
    stats = new MonteCarloStats({ steps });
    let done = 0;
    await runChunk(scenario, stats, {
      ...base,
      onRun: () => options.onProgress?.(++done, total),
      signal: options.signal,
    });
  } else {
    stats = await runInParallel(scenario, {
      ...base,
      keep: keep as Staging | undefined, // several threads: an output set's staging
      threads: workers,
      onProgress: options.onProgress,
      pool: options.pool,
      signal: options.signal,
    });
  }
  if (staged) {
    for (let run = from; run < to; run++) {
      for (const extension of extensions) output.adopt(runFileName(scenario.name, run, extension));
    }
  }
  if (output && extensions.length > 0) {
    const about = { dir: output.dir, plannedSteps: plan.steps, runs: options.runs ?? to };
    const meta = await metaText(scenario, { seed, run: null, steps, levels, ...about });
    await output.writeFile(`mc_${scenario.name}.meta.json`, meta);
  }
  const envelope = isEnvelopeLevels(levels) ? levels : undefined;
  return { stats, levels: envelope, workers: Math.max(1, workers) };
}

/** A step a sink writes costs about this many steps of statistics alone. */
const LOG_COST = 15;

/** Threads for `work` steps, on new workers or on a pool's. */
function defaultWorkers(work: number, pooled: boolean): number {
  const cores = navigator.hardwareConcurrency || 1;
  const perThread = pooled ? STEPS_PER_WARM_THREAD : STEPS_PER_NEW_THREAD;
  return Math.max(1, Math.min(cores, Math.floor(work / perThread), MAX_WORKERS));
}

interface WorkerRunOptions extends Omit<ChunkOptions, "onRun" | "keep"> {
  /** Where workers stage kept runs: an output set's folder and token. */
  keep: Staging | undefined;
  /** Threads in all: the main thread and `threads - 1` Web Workers. */
  threads: number;
  onProgress?: ((done: number, total: number) => void) | undefined;
  pool?: WorkerPool | undefined;
  signal?: AbortSignal | undefined;
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
  const recipe = recipeOf(scenario, options.keep !== undefined);
  const { from, to, seed, steps, keep, onProgress, threads } = options;
  // Workers first: a new one takes longest to be ready.
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
      const message: ToWorker = { recipe, seed, steps, keep, shared, to, threads };
      worker.postMessage(message);
    }).catch((error) => {
      claims.stop();
      throw error;
    })
  );
  let progress: ReturnType<typeof setInterval> | undefined;
  const pace = pacer(options.signal);
  try {
    // Handled now, awaited below: a worker may fail while the main thread runs.
    const finished = Promise.all(results);
    finished.catch(() => {});
    // One turn of the event loop lets the workers' threads start before this one runs.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await runClaimed(
      scenario,
      stats,
      claims,
      { seed, steps, keep },
      () => {
        onProgress?.(claims.runsDone, total);
        return pace();
      },
    );
    // The workers are finishing their last slices: bring this thread's statistics up to date
    // meanwhile, not after their messages arrive.
    stats.flush();
    progress = setInterval(() => onProgress?.(claims.runsDone, total), 100);
    await Promise.race([finished, abortion(options.signal)]);
    onProgress?.(claims.runsDone, total);
  } catch (error) {
    claims.stop();
    // The other workers finish the slice they are in (a few ms) before they stop: wait for
    // them, so that no kept file of theirs lands after the output set's abort has cleaned up.
    await settle(results, WORKER_STOP_MS);
    throw error;
  } finally {
    clearInterval(progress);
    for (const worker of workers) pool.release(worker, answered.has(worker));
    if (!options.pool) pool.close();
  }
  return stats;
}

/** A promise that rejects with the signal's reason when it aborts, and never settles otherwise. */
function abortion(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
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
function recipeOf(scenario: Scenario, keep: boolean): ScenarioRecipe {
  const recipe = ({ use, key, module, options, channels }: PluginUse): PluginRecipe => ({
    use,
    key,
    module,
    options,
    ...(channels ? { channels } : {}),
  });
  return {
    path: scenario.path,
    name: scenario.name,
    evaluator: recipe(scenario.evaluator),
    generators: scenario.generators.map(recipe),
    sinks: keep ? scenario.sinks.map(recipe) : [],
  };
}
