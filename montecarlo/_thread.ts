/**
 * What every thread of a Monte Carlo batch runs, the main thread and each Web Worker alike:
 * claiming slices of runs, reducing them to statistics, running the sinks of kept runs, and the
 * messages between threads. It imports no npm package, so that a worker starts quickly;
 * `batch.ts` drives it.
 *
 * @module
 */
import { PluginError, type PluginFailure, ScenarioError } from "../core/errors.ts";
import { outputError, type OutputTarget, stagedPath } from "../files/atomic.ts";
import type {
  EvaluatorDefinition,
  GeneratorDefinition,
  OutputStream,
  PluginDefinition,
  SinkDefinition,
} from "../core/plugin.ts";
import { pacer, RunPlan } from "../core/run.ts";
import { Sinks } from "../files/run.ts";
import type { PluginUse, Scenario } from "../core/scenario.ts";
import type { Channel, RunBlock } from "../core/frame.ts";
import type { MonteCarloStats, MonteCarloStatsSnapshot } from "./stats.ts";

/** The file a kept run's sink writes: `mc_<name>_<run>.<extension>`, as the original backend named it. */
export function runFileName(name: string, run: number, extension: string): string {
  return `mc_${name}_${run}.${extension}`;
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
   * When given, each run's frames go through the scenario's sinks, each into the
   * {@linkcode stagedPath} of `mc_<name>_<i>.<extension>` in `dir`, for the output set of that
   * token to adopt.
   */
  keep?: Keep | undefined;
  /** Called after each run. */
  onRun?: () => void;
  /** Stops the runs, between two of them: the signal's reason is then thrown. */
  signal?: AbortSignal | undefined;
}

/** Where a batch's kept runs go: staged for an output set, or to an output on this thread. */
export type Keep = Staging | Pick<OutputTarget, "writeFile">;

/** Where a batch's kept runs are staged: an output set's folder and token. */
export interface Staging {
  /** The output folder. */
  dir: string;
  /** The output set's token. */
  token: string;
}

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
 * import { loadScenario } from "../mod.ts";
 * import { MonteCarloStats } from "./mod.ts";
 * import { runChunk } from "./_thread.ts";
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
  const { seed, steps, keep, onRun, signal } = options;
  const plan = new RunPlan(scenario, { seed, steps });
  await runRange(plan, stats, { from: options.from, to: options.to, keep, onRun, signal });
}

/** Runs `from` to `to - 1` of a plan into `stats`, through the sinks when runs are kept. */
async function runRange(
  plan: RunPlan,
  stats: MonteCarloStats,
  range: {
    from: number;
    to: number;
    keep: Keep | undefined;
    onRun?: (() => void) | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<void> {
  const { keep, onRun } = range;
  const pace = pacer(range.signal);
  const staged = keep === undefined
    ? undefined
    : "writeFile" in keep
    ? new WholeFiles(keep)
    : new StagedFiles(keep);
  for (let run = range.from; run < range.to; run++) {
    await pace();
    const cursor = await plan.start(run);
    if (staged) {
      const where = { run, steps: cursor.steps, output: staged, prefix: "mc_", suffix: `_${run}` };
      const sinks = await Sinks.start(plan, where);
      // Sinks.write calls every hook before it returns, so the run may go on meanwhile.
      let failed: unknown;
      const writes: Promise<unknown>[] = [];
      const onBlock = (block: RunBlock) => {
        const writing = sinks.write(block);
        if (writing) writes.push(writing.catch((error) => void (failed ??= error)));
      };
      stats.addRun(cursor, { onBlock, run });
      await Promise.all(writes);
      if (failed !== undefined) throw failed;
      await sinks.close();
      await staged.close();
    } else {
      stats.addRun(cursor, { run });
    }
    onRun?.();
  }
}

/** A kept run's sink files, written straight to their staged paths; none is held open. */
class StagedFiles {
  readonly #staging: Staging;
  readonly #open: StagedFile[] = [];

  constructor(staging: Staging) {
    this.#staging = staging;
  }

  create(name: string): OutputStream {
    const { dir, token } = this.#staging;
    const file = new StagedFile(stagedPath(dir, token, name), `${dir}/${name}`);
    this.#open.push(file);
    return file;
  }

  /** Ends the run's files: one that was never written is created empty. */
  close(): void {
    for (const file of this.#open.splice(0)) file.close();
  }
}

/** A kept run's sink files, each handed whole to an output when the run ends. */
class WholeFiles {
  readonly #output: Pick<OutputTarget, "writeFile">;
  readonly #open: [name: string, chunks: Uint8Array[]][] = [];

  constructor(output: Pick<OutputTarget, "writeFile">) {
    this.#output = output;
  }

  create(name: string): OutputStream {
    const chunks: Uint8Array[] = [];
    this.#open.push([name, chunks]);
    // A copy: the sink may reuse its bytes once this returns.
    return {
      write: (c) => void chunks.push(typeof c === "string" ? encoder.encode(c) : c.slice()),
    };
  }

  async close(): Promise<void> {
    for (const [name, chunks] of this.#open.splice(0)) {
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
      await this.#output.writeFile(name, bytes);
    }
  }
}

const encoder = new TextEncoder();

/** A kept run's file: each write one system call, creating the file or appending to it. */
class StagedFile implements OutputStream {
  #written = false;

  constructor(readonly path: string, readonly target: string) {}

  write(content: string | Uint8Array): void {
    this.#write(typeof content === "string" ? encoder.encode(content) : content);
  }

  /** Creates the file if nothing was written to it. */
  close(): void {
    if (!this.#written) this.#write(new Uint8Array());
  }

  #write(bytes: Uint8Array): void {
    try {
      Deno.writeFileSync(this.path, bytes, this.#written ? { append: true } : { createNew: true });
      this.#written = true;
    } catch (error) {
      throw outputError(`write ${this.target}`, error);
    }
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
  /** For a generator, the channels it fills when not all it provides. */
  channels?: readonly Channel[];
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
  /** The sinks, when the batch keeps its runs' files. */
  sinks: PluginRecipe[];
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
    const { use, key, module, options, channels } = plugin;
    return { use, key, definition, module, options, ...(channels ? { channels } : {}) };
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
    sinks: await Promise.all(recipe.sinks.map((s) => load<SinkDefinition>(s, "sink"))),
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
  /** Where to stage the kept runs' files, when the batch keeps them. */
  keep: Staging | undefined;
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
 * import { errorData, errorFromData } from "./_thread.ts";
 * import { ScenarioError } from "../core/errors.ts";
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
 * @param options Seed, steps and where kept runs are staged.
 * @param between Called after each slice.
 */
export async function runClaimed(
  scenario: Scenario,
  stats: MonteCarloStats,
  claims: RunClaims,
  options: Omit<ChunkOptions, "from" | "to" | "onRun">,
  between?: () => void | Promise<void>,
): Promise<void> {
  const plan = new RunPlan(scenario, { seed: options.seed, steps: options.steps });
  for (let slice = claims.take(); slice; slice = claims.take()) {
    const started = performance.now();
    await runRange(plan, stats, { from: slice[0], to: slice[1], keep: options.keep });
    claims.done(slice[1] - slice[0], performance.now() - started);
    // Near the end, add the values held back to the sketches between slices, while the other
    // threads still claim runs: after the last slice, every thread but one waits for it.
    if (stats.pendingRuns >= claims.leftPerThread) stats.flush();
    await between?.();
  }
}
