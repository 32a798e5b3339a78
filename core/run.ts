/**
 * The run loop: starts the plugins, fills blocks of steps with the generators and the
 * evaluator, in that fixed order, and checks every value. `files/run.ts` hands the blocks on
 * to sinks and renderers.
 *
 * @module
 */
import { PluginError, type PluginFailure, ScenarioError } from "./errors.ts";
import {
  type Channel,
  type EvaluationBlock,
  type Frame,
  frameAt,
  type RunBlock,
  type SampleBlock,
} from "./frame.ts";
import type { EvaluatorInstance, GeneratorContext, GeneratorInstance, Levels } from "./plugin.ts";
import { type RandomStream, StreamSeeder } from "./random.ts";
import type { PluginUse, Scenario } from "./scenario.ts";
import { runSettings } from "./settings.ts";

/** Steps per block: large enough to amortise the per-block work, small enough to stream. */
export const BLOCK_SIZE = 4096;

/** Overrides for one run of a scenario. */
export interface RunOptions {
  /** Seed instead of the scenario's. */
  seed?: number;
  /** Steps instead of the scenario's. */
  steps?: number;
  /** Monte Carlo run index; each run draws from streams derived from `(seed, run)` alone. @default {0} */
  run?: number;
}

/** A started run that yields its steps block by block. */
export interface RunCursor {
  /** Seed of the run. */
  readonly seed: number;
  /** Number of steps the run will yield. */
  readonly steps: number;
  /** Levels published by the evaluator, if any. */
  readonly levels: Levels | undefined;
  /** The next block, or `undefined` after the last step. Arrays are reused between calls. */
  next(): RunBlock | undefined;
}

/**
 * Runs of one scenario with one seed and length, sharing their buffers: the way to run many
 * runs (a Monte Carlo batch) without allocating per run. A run's blocks are valid until the
 * next run starts.
 *
 * @example Two runs, one set of buffers
 * ```ts
 * import { assertNotEquals } from "@std/assert";
 * import { loadScenario, RunPlan } from "../mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/mean_revert.jsonc", import.meta.url).pathname);
 * const plan = new RunPlan(scenario, { steps: 50 });
 * const last = async (run: number) => (await plan.start(run)).next()!.samples.spot[49];
 * assertNotEquals(await last(0), await last(1));
 * ```
 */
export class RunPlan {
  /** The scenario. */
  readonly scenario: Scenario;
  /** Seed of every run. */
  readonly seed: number;
  /** Steps of every run, unless a generator supplies fewer. */
  readonly steps: number;
  /** The block buffers every run of the plan fills. */
  readonly block: RunBlock;
  /** Which generator supplies each channel. */
  readonly supplier: ReadonlyMap<Channel, PluginUse>;
  readonly #seeder = new StreamSeeder();
  #levelColumns: Record<string, Float64Array> | undefined;

  /**
   * Checks the overrides and allocates the buffers once.
   *
   * @param scenario The loaded scenario.
   * @param options Seed and steps overrides.
   * @throws ScenarioError when `seed` or `steps` is out of range.
   */
  constructor(scenario: Scenario, options: Omit<RunOptions, "run"> = {}) {
    const { seed, steps } = runSettings(scenario, options);
    this.scenario = scenario, this.seed = seed, this.steps = steps;
    const supplier = new Map<Channel, PluginUse>();
    for (const use of scenario.generators) {
      for (const channel of use.channels ?? use.definition.provides) supplier.set(channel, use);
    }
    this.supplier = supplier;
    const size = Math.min(BLOCK_SIZE, steps);
    const floats = () => new Float64Array(size);
    const time: string[] = [];
    this.block = {
      samples: { start: 0, length: 0, spot: floats(), iv: floats(), hv: floats(), time },
      evaluation: {
        x: floats(),
        y: floats(),
        z: floats(),
        regime: new Uint8Array(size),
        flags: new Uint8Array(size),
      },
    };
  }

  /**
   * The levels the evaluator publishes, without starting a run.
   *
   * @param run The run index. @default {0}
   * @returns The levels, if any.
   * @throws PluginError when the evaluator fails to start.
   */
  levels(run = 0): Levels | undefined {
    return this.#evaluator(run).levels;
  }

  /**
   * Starts run `run`: every plugin's `start` hook is called, in kind order, and each generator
   * draws from its own stream keyed by `(seed, run, key)`.
   *
   * @param run The run index.
   * @returns A cursor over the run's blocks.
   * @throws PluginError when a plugin fails to start.
   */
  async start(run: number): Promise<RunCursor> {
    const evaluator = this.#evaluator(run);
    const name = this.scenario.evaluator.definition.name;
    const levels = () => {
      if (evaluator.levels) return evaluator.levels;
      throw new Error(`needs levels, but the evaluator "${name}" publishes none`);
    };
    const moving = this.#movingLevels(evaluator.levels, run);
    const generators: GeneratorInstance[] = [];
    let steps = this.steps;
    for (const use of this.scenario.generators) {
      const context = new StartContext(this, { run, key: use.key, options: use.options, levels });
      const at = { use, run, what: "failed to start" };
      let instance = this.call(() => use.definition.start(context), at);
      if (instance instanceof Promise) instance = await instance;
      if (instance.length !== undefined) steps = Math.min(steps, instance.length);
      generators.push(instance);
    }
    return new Cursor(this, { run, steps, evaluator, generators, moving });
  }

  /** The level columns of a run whose levels move, and the evaluator's values they start at. */
  #movingLevels(levels: Levels | undefined, run: number): Started["moving"] {
    if (!this.supplier.has("levels")) return undefined;
    const { definition } = this.scenario.evaluator;
    const named = (levels ?? {}) as Record<string, unknown>;
    const fixed = (definition.movingLevels ?? []).map((k) => [k, named[k]] as [string, number]);
    if (fixed.length === 0 || fixed.some(([, v]) => typeof v !== "number")) {
      throw new PluginError(
        this.failure(this.supplier.get("levels")!, { run }),
        `supplies "levels", but the evaluator "${definition.name}" has no numeric levels that move`,
      );
    }
    const size = this.block.samples.spot.length;
    this.#levelColumns ??= Object.fromEntries(fixed.map(([k]) => [k, new Float64Array(size)]));
    return { columns: this.#levelColumns, fixed };
  }

  /**
   * Calls a plugin's hook and returns what it returns, a value or a promise as the hook does
   * (so a run of synchronous hooks waits on nothing), with what it throws or rejects with
   * turned into a {@linkcode PluginError}.
   *
   * @param hook The call.
   * @param at The plugin, the run, the step if any, and what the hook was doing.
   * @returns What the hook returned.
   */
  call<T>(hook: () => T, at: HookCall): T {
    let result: T;
    try {
      result = hook();
    } catch (error) {
      throw wrap(error, this.failure(at.use, at), at.what);
    }
    if (!(result instanceof Promise)) return result;
    return result.catch((error) => {
      throw wrap(error, this.failure(at.use, at), at.what);
    }) as T;
  }

  /** A stream for `key` in run `run`, seeded alongside the same key's next run. */
  stream(run: number, key: string): RandomStream {
    return this.#seeder.stream(this.seed, { run, key });
  }

  /** Where a plugin of this plan failed, for a {@linkcode PluginError}. */
  failure(use: PluginUse, at: { run: number; step?: number | undefined }): PluginFailure {
    const { run, step } = at;
    return {
      plugin: `${use.definition.kind} ${use.definition.name}${
        use.use === use.definition.name ? "" : ` from ${use.use}`
      }`,
      file: this.scenario.path,
      seed: this.seed,
      ...(run > 0 ? { run } : {}),
      ...(step === undefined ? {} : { step }),
    };
  }

  #evaluator(run: number): EvaluatorInstance {
    const use = this.scenario.evaluator;
    const context = { options: use.options, name: this.scenario.name, seed: this.seed, run };
    const file = this.scenario.path;
    const start = () => use.definition.start({ ...context, steps: this.steps, file });
    return this.call(start, { use, run, what: "failed to start" });
  }
}

/** A hook call of {@linkcode RunPlan.call}: the plugin, the run, the step, what it does. */
export interface HookCall {
  /** The plugin. */
  use: PluginUse;
  /** The run index. */
  run: number;
  /** The step, when the call concerns one. */
  step?: number;
  /** What the hook was doing, for the message, such as "failed to start". */
  what: string;
}

/** What {@linkcode RunPlan.start} started. */
type Started = {
  run: number;
  steps: number;
  evaluator: EvaluatorInstance;
  generators: GeneratorInstance[];
  /** When levels move: their columns, and the evaluator's values each block starts from. */
  moving: { columns: Record<string, Float64Array>; fixed: [string, number][] } | undefined;
};

/** A started run: fills the plan's buffers block by block and checks every value. */
class Cursor implements RunCursor {
  readonly seed: number;
  readonly steps: number;
  readonly levels: Levels | undefined;
  readonly #plan: RunPlan;
  readonly #started: Started;
  #at = 0;

  constructor(plan: RunPlan, started: Started) {
    this.#plan = plan, this.#started = started;
    this.seed = plan.seed, this.steps = started.steps, this.levels = started.evaluator.levels;
  }

  next(): RunBlock | undefined {
    const at = this.#at;
    if (at >= this.steps) return undefined;
    const plan = this.#plan, { run, evaluator, generators, moving } = this.#started;
    const { spot, iv, hv, time } = plan.block.samples, { evaluation } = plan.block;
    const length = Math.min(spot.length, this.steps - at);
    const clock = plan.supplier.has("time");
    const base = { start: at, length, spot, iv, hv, time: clock ? time : [] };
    if (moving) {
      for (const [name, value] of moving.fixed) moving.columns[name]!.fill(value, 0, length);
    }
    const samples: SampleBlock = moving ? { ...base, levels: moving.columns } : base;
    const what = `steps ${at} to ${at + length - 1}`;
    const uses = plan.scenario.generators, evaluatorUse = plan.scenario.evaluator;
    for (let g = 0; g < generators.length; g++) {
      try {
        generators[g]!.fill(samples);
      } catch (error) {
        throw wrap(error, plan.failure(uses[g]!, { run, step: at }), `threw while filling ${what}`);
      }
    }
    const bad = firstBadSample(samples, clock);
    if (bad >= 0) throw sampleError(plan, run, samples, bad);
    if (moving) checkLevels(plan, run, samples);
    try {
      evaluator.evaluate(samples, evaluation);
    } catch (error) {
      throw wrap(
        error,
        plan.failure(evaluatorUse, { run, step: at }),
        `threw while evaluating ${what}`,
      );
    }
    const wrong = firstBadEvaluation(evaluation, length);
    if (wrong >= 0) {
      const failure = plan.failure(evaluatorUse, { run, step: at + wrong });
      throw new PluginError(failure, evaluationProblem(evaluation, wrong));
    }
    this.#at = at + length;
    return { samples, evaluation };
  }
}

/** The first entry whose spot, IV or HV is not finite (or IV, HV not > 0), or time not a string. */
function firstBadSample(samples: SampleBlock, clock: boolean): number {
  const { spot, iv, hv, time, length } = samples;
  for (let i = 0; i < length; i++) {
    const s = spot[i]!, v = iv[i]!, h = hv[i]!;
    // `a - a` is 0 for a finite number and NaN otherwise: three compares a step.
    if (!(s - s + (v - v) + (h - h) === 0 && v > 0 && h > 0)) return i;
  }
  for (let i = 0; clock && i < length; i++) if (typeof time[i] !== "string") return i;
  return -1;
}

function sampleError(plan: RunPlan, run: number, samples: SampleBlock, i: number): PluginError {
  const s = samples.spot[i]!, v = samples.iv[i]!, h = samples.hv[i]!;
  const finite = (n: number) => n > -Infinity && n < Infinity;
  const [channel, value, need]: [Channel, unknown, string] = !finite(s)
    ? ["spot", s, "a finite number"]
    : !(v > 0 && finite(v))
    ? ["iv", v, "a finite number > 0"]
    : !(h > 0 && finite(h))
    ? ["hv", h, "a finite number > 0"]
    : ["time", samples.time[i], "an ISO 8601 string"];
  const failure = plan.failure(plan.supplier.get(channel)!, { run, step: samples.start + i });
  return new PluginError(failure, `produced ${channel} ${String(value)}, expected ${need}`);
}

/** Refuses a level that is not a finite number, naming its supplier, the level and the step. */
function checkLevels(plan: RunPlan, run: number, samples: SampleBlock): void {
  for (const [name, column] of Object.entries(samples.levels!)) {
    for (let i = 0; i < samples.length; i++) {
      const v = column[i]!;
      if (v - v === 0) continue;
      const failure = plan.failure(plan.supplier.get("levels")!, { run, step: samples.start + i });
      throw new PluginError(failure, `produced level ${name} ${v}, expected a finite number`);
    }
  }
}

/** The first entry whose X, Y or Z is not finite, or whose regime or flag code is out of range. */
function firstBadEvaluation(evaluation: EvaluationBlock, length: number): number {
  const { x, y, z, regime, flags } = evaluation;
  for (let i = 0; i < length; i++) {
    const a = x[i]!, b = y[i]!, c = z[i]!;
    if (!(a - a + (b - b) + (c - c) === 0 && ((regime[i]! >> 2) | (flags[i]! >> 3)) === 0)) {
      return i;
    }
  }
  return -1;
}

function evaluationProblem(evaluation: EvaluationBlock, i: number): string {
  const bad = (["x", "y", "z"] as const).find((axis) => !Number.isFinite(evaluation[axis][i]!));
  if (bad) return `produced ${bad} ${evaluation[bad][i]}, expected a finite number`;
  const { regime, flags } = evaluation;
  return `produced regime code ${regime[i]} and flag mask ${flags[i]}, expected 0-3 and 0-7`;
}

function wrap(error: unknown, failure: PluginFailure, what: string): Error {
  if (error instanceof PluginError || error instanceof ScenarioError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new PluginError(failure, `${what}: ${reason}`, { cause: error });
}

/** A generator's start context, a class so V8 frees it young; its stream is made on first use. */
class StartContext implements GeneratorContext<unknown> {
  readonly options: unknown;
  readonly name: string;
  readonly seed: number;
  readonly steps: number;
  readonly run: number;
  readonly levels: () => Levels;
  readonly #plan: RunPlan;

  get file(): string {
    return this.#plan.scenario.path;
  }

  readonly #key: string;
  #random: RandomStream | undefined;

  constructor(
    plan: RunPlan,
    use: { run: number; key: string; options: unknown; levels: () => Levels },
  ) {
    this.#plan = plan, this.#key = use.key;
    this.name = plan.scenario.name, this.seed = plan.seed, this.steps = plan.steps;
    this.run = use.run, this.options = use.options, this.levels = use.levels;
  }

  get random(): RandomStream {
    return this.#random ??= this.#plan.stream(this.run, this.#key);
  }
}

/**
 * Starts one run of a scenario: every plugin's `start` hook is called, in kind order.
 *
 * @param scenario The loaded scenario.
 * @param options Seed, steps and run index overrides.
 * @returns A cursor over the run's blocks.
 * @throws PluginError when a plugin fails to start.
 *
 * @example Count the BREACH frames of a run without building frames
 * ```ts
 * import { assert } from "@std/assert";
 * import { loadScenario, startRun } from "../mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/false_breakout.jsonc", import.meta.url).pathname);
 * const cursor = await startRun(scenario);
 * let breaches = 0;
 * for (let block = cursor.next(); block; block = cursor.next()) {
 *   for (let i = 0; i < block.samples.length; i++) breaches += block.evaluation.flags[i]! & 1;
 * }
 * assert(breaches > 0);
 * ```
 */
export function startRun(scenario: Scenario, options: RunOptions = {}): Promise<RunCursor> {
  return new RunPlan(scenario, options).start(options.run ?? 0);
}

/**
 * Streams a run's frames, one array per block.
 *
 * @param scenario The loaded scenario.
 * @param options Seed, steps and run index overrides.
 * @returns The frames, block by block, in step order.
 *
 * @example Stream the frames of a long run
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, streamFrames } from "../mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/mean_revert.jsonc", import.meta.url).pathname);
 * let count = 0;
 * for await (const frames of streamFrames(scenario, { steps: 10_000 })) count += frames.length;
 * assertEquals(count, 10_000);
 * ```
 */
export async function* streamFrames(
  scenario: Scenario,
  options: RunOptions = {},
): AsyncGenerator<Frame[]> {
  const cursor = await startRun(scenario, options);
  for (let block = cursor.next(); block; block = cursor.next()) yield framesOf(block);
}

/**
 * The frames of a block, built from its columns.
 *
 * @param block A block from a run cursor.
 * @returns One frame per step, in step order.
 */
export function framesOf({ samples, evaluation }: RunBlock): Frame[] {
  const frames = new Array<Frame>(samples.length);
  for (let i = 0; i < samples.length; i++) frames[i] = frameAt(samples, evaluation, i);
  return frames;
}

/**
 * Runs a scenario in memory and returns all its frames; nothing is written.
 *
 * @param scenario The loaded scenario.
 * @param options Seed, steps and run index overrides.
 * @returns Every frame of the run.
 *
 * @example The same seed gives the same frames
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, simulate } from "../mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * assertEquals(await simulate(scenario, { seed: 7 }), await simulate(scenario, { seed: 7 }));
 * ```
 */
export async function simulate(scenario: Scenario, options: RunOptions = {}): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const block of streamFrames(scenario, options)) frames.push(...block);
  return frames;
}

/**
 * For a long loop that a signal may stop: gives the event loop a turn about every 100 ms (so
 * that a signal's listener can run) and throws the signal's reason once it has aborted.
 *
 * @param signal The signal, if any: without one the loop is never paused.
 * @returns What to call between steps of the loop, awaiting what it returns.
 */
export function pacer(signal: AbortSignal | undefined): () => Promise<void> | undefined {
  let last = performance.now();
  return () => {
    if (!signal) return undefined;
    signal.throwIfAborted();
    if (performance.now() - last < 100) return undefined;
    return new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => {
      last = performance.now();
      signal.throwIfAborted();
    });
  };
}
