/**
 * What every thread of a Monte Carlo batch runs, the main thread and each Web Worker alike:
 * claiming slices of runs, reducing them to statistics, writing run logs, and the messages
 * between threads. It imports no npm package, so that a worker starts quickly (an npm import
 * was measured to delay a worker by 10 to 20 ms); {@linkcode runBatch} in `batch.ts` drives it.
 *
 * @module
 */
import { PluginError, type PluginFailure, ScenarioError } from "./errors.ts";
import { FrameText } from "./frame_text.ts";
import { outputError, stagedPath } from "./output.ts";
import type { EvaluatorDefinition, GeneratorDefinition, PluginDefinition } from "./plugin.ts";
import { planRuns, type RunBlock, type RunPlan } from "./run.ts";
import type { PluginUse, Scenario } from "./scenario.ts";
import type { MonteCarloStats, MonteCarloStatsSnapshot } from "./stats.ts";

/** The name of run `run`'s log, as the original backend named it. */
export function runLogName(name: string, run: number): string {
  return `mc_${name}_${run}.jsonl`;
}

/** What {@linkcode runChunk} runs. */
export interface ChunkOptions {
  /** The first run. */
  from: number;
  /** One past the last run. */
  to: number;
  /** The seed. */
  seed: number;
  /** Steps per run. */
  steps: number;
  /**
   * When given, each run's frames are written as JSONL to the {@linkcode stagedPath} of
   * `mc_<name>_<i>.jsonl` in `dir`, for the output set of that token to adopt.
   */
  runLogs?: RunLogs | undefined;
  /** Called after each run. */
  onRun?: () => void;
}

/** Where a batch's run logs are staged: an {@linkcode OutputSet}'s staging and the scenario name. */
export interface RunLogs {
  /** The output folder. */
  dir: string;
  /** The output set's token. */
  token: string;
  /** The scenario's name. */
  name: string;
}

/** This thread's run-log buffer, made when a batch first keeps run logs. */
let runLogText: FrameText | undefined;

/**
 * Bytes of run log above which a thread lets its buffer go after a slice: WebAssembly memory
 * never shrinks, so a buffer grown for very long runs is not kept for the life of the thread.
 */
const KEEP_RUN_LOG_BYTES = 16 * 1024 * 1024;

/**
 * Runs a slice of a batch into `stats` on this thread, for other ways of spreading a batch.
 *
 * @param scenario The loaded scenario.
 * @param stats Where the runs are reduced.
 * @param options The runs and what to do with them.
 *
 * @example Two runs
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, MonteCarloStats, runChunk } from "../mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/mean_revert.jsonc", import.meta.url).pathname);
 * const stats = new MonteCarloStats({ steps: 200 });
 * await runChunk(scenario, stats, { from: 0, to: 2, seed: 42, steps: 200 });
 * assertEquals(stats.runs, 2);
 * ```
 */
export async function runChunk(
  scenario: Scenario,
  stats: MonteCarloStats,
  options: ChunkOptions,
): Promise<void> {
  const { seed, steps, runLogs, onRun } = options;
  await runRange(
    planRuns(scenario, { seed, steps }),
    stats,
    options.from,
    options.to,
    runLogs,
    onRun,
  );
}

/** Runs `from` to `to - 1` of a plan into `stats`, writing their logs when asked. */
async function runRange(
  plan: RunPlan,
  stats: MonteCarloStats,
  from: number,
  to: number,
  runLogs: RunLogs | undefined,
  onRun?: () => void,
): Promise<void> {
  const text = runLogs ? (runLogText ??= new FrameText()) : undefined;
  const onBlock = (block: RunBlock) => text?.add(block);
  for (let run = from; run < to; run++) {
    const started = plan.start(run);
    const cursor = started instanceof Promise ? await started : started;
    if (runLogs && text) {
      text.clear();
      stats.addRun(cursor, { onBlock });
      const { dir, token, name } = runLogs;
      try {
        Deno.writeFileSync(stagedPath(dir, token, runLogName(name, run)), text.bytes(), {
          createNew: true,
        });
      } catch (error) {
        throw outputError(`write the run log of run ${run} into ${dir}`, error);
      }
      if (text.length > KEEP_RUN_LOG_BYTES) runLogText = undefined;
    } else {
      stats.addRun(cursor);
    }
    onRun?.();
  }
}

/** A plugin of a {@linkcode ScenarioRecipe}: its module and its options, already checked. */
export interface PluginRecipe {
  /** The `use` string as written. */
  use: string;
  /** The plugin's key, such as `generators.spot`. */
  key: string;
  /** The module whose default export is the plugin, as an absolute specifier. */
  module: string;
  /** The options the main thread read and checked. */
  options: unknown;
}

/**
 * What a batch worker needs of a scenario: the plugins that compute runs, already resolved and
 * checked by the main thread, so the worker neither reads the file again nor parses JSONC.
 */
export interface ScenarioRecipe {
  /** The scenario file, for messages. */
  path: string;
  /** The scenario's name. */
  name: string;
  /** The evaluator. */
  evaluator: PluginRecipe;
  /** The generators, in the order they run. */
  generators: PluginRecipe[];
}

/**
 * Loads a {@linkcode ScenarioRecipe}'s plugins: the scenario a batch worker runs, with no
 * sinks or renderers.
 *
 * @param recipe The recipe from the main thread.
 * @returns The scenario.
 */
export async function scenarioFromRecipe(recipe: ScenarioRecipe): Promise<Scenario> {
  const load = async <D extends PluginDefinition>(
    plugin: PluginRecipe,
    kind: D["kind"],
  ): Promise<PluginUse<D>> => {
    const definition = (await import(plugin.module)).default;
    if (definition?.kind !== kind) {
      throw new ScenarioError(
        `${recipe.path}: ${plugin.key}: ${plugin.module} is not a ${kind} plugin`,
      );
    }
    return { use: plugin.use, key: plugin.key, definition, options: plugin.options };
  };
  return {
    path: recipe.path,
    name: recipe.name,
    description: undefined,
    seed: 0,
    steps: 1,
    evaluator: await load<EvaluatorDefinition>(recipe.evaluator, "evaluator"),
    generators: await Promise.all(
      recipe.generators.map((g) => load<GeneratorDefinition>(g, "generator")),
    ),
    sinks: [],
    renderers: [],
    monteCarlo: undefined,
  };
}

/** A message from the main thread to a batch worker: start, and run what you can claim. */
export interface ToWorker {
  /** The plugins to run. */
  recipe: ScenarioRecipe;
  /** The batch's seed. */
  seed: number;
  /** Steps per run. */
  steps: number;
  /** Where to stage run logs, when the batch keeps them. */
  runLogs: RunLogs | undefined;
  /** The claims' shared counters, from {@linkcode RunClaims}. */
  shared: Int32Array;
  /** One past the batch's last run. */
  to: number;
  /** Threads taking part. */
  threads: number;
}

/** A message from a batch worker to the main thread: its statistics, or why it failed. */
export type FromWorker =
  | { type: "stats"; stats: MonteCarloStatsSnapshot }
  | { type: "error"; error: ErrorData };

/** An error as it crosses from a worker to the main thread. */
export interface ErrorData {
  /** The error class: `ScenarioError`, `PluginError` or another. */
  name: string;
  /** The message. */
  message: string;
  /** The stack, if any. */
  stack: string | undefined;
  /** A ScenarioError's problem lines. */
  problems?: readonly string[];
  /** A PluginError's failure. */
  failure?: PluginFailure;
  /** The stack of a PluginError's cause. */
  cause?: string;
}

/**
 * Turns an error into plain data that can be posted between workers.
 *
 * @param error Anything thrown.
 * @returns Its class name, message, stack and, for the domain errors, their details.
 *
 * @example A ScenarioError keeps its problems
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { errorData, errorFromData } from "./batch.ts";
 * import { ScenarioError } from "./errors.ts";
 *
 * const copy = errorFromData(errorData(new ScenarioError(["a", "b"])));
 * assertEquals(copy instanceof ScenarioError && copy.problems, ["a", "b"]);
 * ```
 */
export function errorData(error: unknown): ErrorData {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), stack: undefined };
  const data: ErrorData = { name: error.name, message: error.message, stack: error.stack };
  if (error instanceof ScenarioError) data.problems = error.problems;
  if (error instanceof PluginError) {
    data.failure = error.failure;
    if (error.cause instanceof Error) data.cause = error.cause.stack ?? error.cause.message;
  }
  return data;
}

/**
 * Rebuilds an error posted by a worker, keeping the class the CLI tells apart.
 *
 * @param data What {@linkcode errorData} made.
 * @returns The error.
 */
export function errorFromData(data: ErrorData): Error {
  if (data.name === "ScenarioError") return new ScenarioError(data.problems ?? [data.message]);
  let error: Error;
  if (data.name === "PluginError" && data.failure) {
    const cause = data.cause === undefined ? undefined : Object.assign(new Error("cause"), {
      stack: data.cause,
    });
    error = new PluginError(data.failure, "", cause ? { cause } : undefined);
    error.message = data.message;
  } else {
    error = new Error(`in a batch worker: ${data.message}`);
  }
  if (data.stack) error.stack = data.stack;
  return error;
}

/** Slots of the counters a batch's threads share: see {@linkcode RunClaims}. */
const NEXT = 0, DONE = 1, STOP = 2;

/** Milliseconds of runs a thread claims at a time, once it knows its pace. */
const SLICE_MS = 4;

/**
 * A thread's claims on the runs of a parallel batch. Every thread (the main one and each
 * worker) takes its next slice from one shared counter with an atomic add, so no thread waits
 * for another to hand out work. A slice is sized to about {@linkcode SLICE_MS} at the
 * thread's last pace, and never more than a quarter of the thread's share of the runs left
 * (guided self-scheduling), so that the threads finish together.
 */
export class RunClaims {
  readonly #shared: Int32Array;
  readonly #to: number;
  readonly #threads: number;
  readonly #reserveMs: number;
  #slice = 1;

  /**
   * Joins the claims on runs up to `to`.
   *
   * @param shared The counters, made by {@linkcode RunClaims.counters}.
   * @param to One past the last run.
   * @param threads Threads taking part.
   * @param options `reserveMs`: stop claiming when the runs left would take this thread about
   * that long, leaving them to the others (default 0). A batch worker reserves the time it
   * takes to post its statistics, so that it posts them while the main thread runs the last
   * runs instead of after.
   */
  constructor(
    shared: Int32Array,
    to: number,
    threads: number,
    options: { reserveMs?: number } = {},
  ) {
    this.#shared = shared;
    this.#to = to;
    this.#threads = threads;
    this.#reserveMs = options.reserveMs ?? 0;
  }

  /**
   * Makes the shared counters of a batch that starts at run `from`.
   *
   * @param from The first run.
   * @returns Counters to post to every thread.
   */
  static counters(from: number): Int32Array {
    const shared = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    shared[NEXT] = from;
    return shared;
  }

  /** The next slice, first and one past the last run, or `undefined` when none is left. */
  take(): [number, number] | undefined {
    const shared = this.#shared;
    if (Atomics.load(shared, STOP) !== 0) return undefined;
    const left = this.#to - Atomics.load(shared, NEXT);
    if (left <= (this.#reserveMs * this.#slice) / SLICE_MS) return undefined;
    const size = Math.max(1, Math.min(this.#slice, Math.ceil(left / (4 * this.#threads))));
    const first = Atomics.add(shared, NEXT, size);
    return first < this.#to ? [first, Math.min(this.#to, first + size)] : undefined;
  }

  /**
   * Records a slice done.
   *
   * @param runs Its runs.
   * @param ms The milliseconds it took.
   */
  done(runs: number, ms: number): void {
    Atomics.add(this.#shared, DONE, runs);
    this.#slice = Math.max(1, Math.round((runs * SLICE_MS) / Math.max(ms, 0.01)));
  }

  /** Runs not claimed yet, shared out over the threads. */
  get leftPerThread(): number {
    return Math.max(0, this.#to - Atomics.load(this.#shared, NEXT)) / this.#threads;
  }

  /** Runs done by all threads. */
  get runsDone(): number {
    return Atomics.load(this.#shared, DONE);
  }

  /** Stops every thread's claims: a thread has failed. */
  stop(): void {
    Atomics.store(this.#shared, STOP, 1);
  }
}

/**
 * Runs slices from `claims` until none is left: what the main thread and each worker do.
 *
 * @param scenario The loaded scenario.
 * @param stats Where the runs are reduced.
 * @param claims This thread's claims.
 * @param options Seed, steps and run logs.
 * @param between Called after each slice.
 */
export async function runClaimed(
  scenario: Scenario,
  stats: MonteCarloStats,
  claims: RunClaims,
  options: Omit<ChunkOptions, "from" | "to" | "onRun">,
  between?: () => void | Promise<void>,
): Promise<void> {
  const plan = planRuns(scenario, { seed: options.seed, steps: options.steps });
  for (let slice = claims.take(); slice; slice = claims.take()) {
    const started = performance.now();
    await runRange(plan, stats, slice[0], slice[1], options.runLogs);
    claims.done(slice[1] - slice[0], performance.now() - started);
    // Near the end, add the values held back to the sketches between slices, while the other
    // threads still claim runs: after the last slice, every thread but one waits for it.
    if (stats.pendingRuns >= claims.leftPerThread) stats.flush();
    await between?.();
  }
}
