/**
 * The run loop: starts the plugins, fills blocks of steps, checks every value, and streams
 * frames to sinks and renderers in the fixed order generators, evaluator, sinks, renderers.
 *
 * @module
 */
import { PluginError, type PluginFailure, ScenarioError } from "./errors.ts";
import {
  type Channel,
  type EvaluationBlock,
  FLAGS,
  type Frame,
  frameAt,
  REGIMES,
  type RunBlock,
  type SampleBlock,
} from "./frame.ts";
import { OutputSet } from "./output.ts";
import type {
  EvaluatorInstance,
  GeneratorContext,
  GeneratorDefinition,
  GeneratorInstance,
  Levels,
  OutputStream,
  SinkInstance,
} from "./plugin.ts";
import { type RandomStream, StreamSeeder } from "./random.ts";
import { type PluginUse, runSettings, type Scenario } from "./scenario.ts";

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
  /** Seed of every run. */
  readonly seed: number;
  /** Steps of every run, unless a generator supplies fewer. */
  readonly steps: number;
  /** The scenario. */
  readonly scenario: Scenario;
  readonly #block: Block;
  readonly #seeder = new StreamSeeder();

  /**
   * Checks the overrides and allocates the buffers once.
   *
   * @param scenario The loaded scenario.
   * @param options Seed and steps overrides.
   * @throws ScenarioError when `seed` or `steps` is out of range.
   */
  constructor(scenario: Scenario, options: Omit<RunOptions, "run"> = {}) {
    const { seed, steps } = runSettings(scenario, options);
    this.scenario = scenario;
    this.seed = seed;
    this.steps = steps;
    this.#block = new Block(scenario, Math.min(BLOCK_SIZE, steps));
  }

  /**
   * The levels the evaluator publishes for run `run`, without starting the run.
   *
   * @param run The run index. @default {0}
   * @returns The levels, if any.
   * @throws PluginError when the evaluator fails to start.
   */
  async levels(run = 0): Promise<Levels | undefined> {
    return (await this.#startEvaluator(run)).levels;
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
    const evaluator = await this.#startEvaluator(run);
    const { scenario } = this;
    const levels = () => {
      if (evaluator.levels) return evaluator.levels;
      throw new Error(
        `needs levels, but the evaluator "${scenario.evaluator.definition.name}" publishes none`,
      );
    };
    const generators: GeneratorInstance[] = [];
    let steps = this.steps;
    for (const use of scenario.generators) {
      const context = new StartContext(use, this, run, levels);
      const instance = await guard(
        this.failure(use, run),
        "failed to start",
        () => use.definition.start(context),
      );
      if (instance.length !== undefined) steps = Math.min(steps, instance.length);
      generators.push(instance);
    }
    return new Cursor(this, this.#block, { run, steps, evaluator, generators });
  }

  /** A stream for `key` in run `run`, seeded alongside the same key's next run. */
  stream(run: number, key: string): RandomStream {
    return this.#seeder.stream(this.seed, { run, key });
  }

  /** Where a plugin of this plan failed, for a {@linkcode PluginError}. */
  failure(use: PluginUse, run: number, step?: number): PluginFailure {
    return {
      plugin: `${use.definition.kind} ${use.definition.name}`,
      file: this.scenario.path,
      seed: this.seed,
      ...(run > 0 ? { run } : {}),
      ...(step === undefined ? {} : { step }),
    };
  }

  #startEvaluator(run: number): Promise<EvaluatorInstance> {
    const use = this.scenario.evaluator;
    const context = {
      options: use.options,
      name: this.scenario.name,
      seed: this.seed,
      run,
      steps: this.steps,
    };
    return guard(this.failure(use, run), "failed to start", () => use.definition.start(context));
  }
}

/** The buffers of a plan's blocks, and which generator supplies each channel. */
class Block {
  readonly spot: Float64Array;
  readonly iv: Float64Array;
  readonly hv: Float64Array;
  readonly time: string[] = [];
  readonly evaluation: EvaluationBlock;
  readonly supplier = new Map<Channel, PluginUse>();

  constructor(scenario: Scenario, readonly size: number) {
    for (const use of scenario.generators) {
      for (const channel of use.definition.provides) this.supplier.set(channel, use);
    }
    this.spot = new Float64Array(size);
    this.iv = new Float64Array(size);
    this.hv = new Float64Array(size);
    this.evaluation = {
      x: new Float64Array(size),
      y: new Float64Array(size),
      z: new Float64Array(size),
      regime: new Uint8Array(size),
      flags: new Uint8Array(size),
    };
  }
}

/** What {@linkcode RunPlan.start} started. */
interface Started {
  run: number;
  steps: number;
  evaluator: EvaluatorInstance;
  generators: GeneratorInstance[];
}

/** A started run: fills the plan's buffers block by block and checks every value. */
class Cursor implements RunCursor {
  readonly seed: number;
  readonly steps: number;
  readonly levels: Levels | undefined;
  readonly #plan: RunPlan;
  readonly #block: Block;
  readonly #started: Started;
  #at = 0;

  constructor(plan: RunPlan, block: Block, started: Started) {
    this.#plan = plan;
    this.#block = block;
    this.#started = started;
    this.seed = plan.seed;
    this.steps = started.steps;
    this.levels = started.evaluator.levels;
  }

  next(): RunBlock | undefined {
    const at = this.#at;
    if (at >= this.steps) return undefined;
    const plan = this.#plan, b = this.#block, { run, evaluator, generators } = this.#started;
    const length = Math.min(b.size, this.steps - at);
    const clock = b.supplier.has("time");
    const time = clock ? b.time : [];
    const samples: SampleBlock = { start: at, length, spot: b.spot, iv: b.iv, hv: b.hv, time };
    const what = `steps ${at} to ${at + length - 1}`;
    const uses = plan.scenario.generators;
    for (let g = 0; g < generators.length; g++) {
      try {
        generators[g]!.fill(samples);
      } catch (error) {
        throw wrap(error, plan.failure(uses[g]!, run, at), `threw while filling ${what}`);
      }
    }
    const bad = firstBadSample(samples, clock);
    if (bad >= 0) throw this.#badSample(samples, bad);
    const evaluatorUse = plan.scenario.evaluator;
    try {
      evaluator.evaluate(samples, b.evaluation);
    } catch (error) {
      throw wrap(error, plan.failure(evaluatorUse, run, at), `threw while evaluating ${what}`);
    }
    const wrong = firstBadEvaluation(b.evaluation, length);
    if (wrong >= 0) {
      throw new PluginError(
        plan.failure(evaluatorUse, run, at + wrong),
        evaluationProblem(b.evaluation, wrong),
      );
    }
    this.#at = at + length;
    return { samples, evaluation: b.evaluation };
  }

  #badSample(samples: SampleBlock, i: number): PluginError {
    const { spot, iv, hv, time } = samples;
    const s = spot[i]!, v = iv[i]!;
    const [channel, value, need]: [Channel, unknown, string] = !(s > -Infinity && s < Infinity)
      ? ["spot", s, "a finite number"]
      : !(v > 0 && v < Infinity)
      ? ["iv", v, "a finite number > 0"]
      : !(hv[i]! > 0 && hv[i]! < Infinity)
      ? ["hv", hv[i]!, "a finite number > 0"]
      : ["time", time[i], "an ISO 8601 string"];
    const use = this.#block.supplier.get(channel)!;
    const failure = this.#plan.failure(use, this.#started.run, samples.start + i);
    return new PluginError(failure, `produced ${channel} ${String(value)}, expected ${need}`);
  }
}

/** The first entry with a spot, IV or HV that is not finite (or not > 0), or a time not a string. */
function firstBadSample(samples: SampleBlock, clock: boolean): number {
  const { spot, iv, hv, time, length } = samples;
  for (let i = 0; i < length; i++) {
    const s = spot[i]!, v = iv[i]!, h = hv[i]!;
    // `a - a` is 0 for a finite number and NaN otherwise: three compares a step.
    if (!(s - s + (v - v) + (h - h) === 0 && v > 0 && h > 0)) return i;
  }
  if (clock) {
    for (let i = 0; i < length; i++) if (typeof time[i] !== "string") return i;
  }
  return -1;
}

/** The first entry with an X, Y or Z that is not finite, or a regime or flag code out of range. */
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

/** Calls a plugin hook, turning what it throws or rejects with into a {@linkcode PluginError}. */
async function guard<T>(
  failure: PluginFailure,
  what: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw wrap(error, failure, what);
  }
}

function wrap(error: unknown, failure: PluginFailure, what: string): Error {
  if (error instanceof PluginError || error instanceof ScenarioError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new PluginError(failure, `${what}: ${reason}`, { cause: error });
}

/** A generator's start context; its stream is made on first use, as fixed HV never draws. */
class StartContext implements GeneratorContext<unknown> {
  readonly options: unknown;
  readonly name: string;
  readonly seed: number;
  readonly steps: number;
  readonly #plan: RunPlan;
  readonly #key: string;
  #random: RandomStream | undefined;

  constructor(
    use: PluginUse<GeneratorDefinition>,
    plan: RunPlan,
    readonly run: number,
    readonly levels: () => Levels,
  ) {
    this.options = use.options;
    this.name = plan.scenario.name;
    this.seed = plan.seed;
    this.steps = plan.steps;
    this.#plan = plan;
    this.#key = use.key;
  }

  get random(): RandomStream {
    return this.#random ??= this.#plan.stream(this.run, this.#key);
  }
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

function framesOf({ samples, evaluation }: RunBlock): Frame[] {
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
  for await (const block of streamFrames(scenario, options)) {
    for (const frame of block) frames.push(frame);
  }
  return frames;
}

/** Counts of a run's regimes and flags. */
export interface RunCounts {
  /** Number of frames. */
  frames: number;
  /** Frames in each regime. */
  regimes: Record<(typeof REGIMES)[number], number>;
  /** Frames raising each flag. */
  flags: Record<(typeof FLAGS)[number], number>;
}

/** What {@linkcode runScenario} did. */
export interface RunReport extends RunCounts {
  /** The scenario's name. */
  name: string;
  /** The seed used. */
  seed: number;
  /** The files written, in the output folder. */
  files: string[];
}

/** Where and how {@linkcode runScenario} runs. */
export interface RunScenarioOptions extends RunOptions {
  /** The output folder; every file is written there and nowhere else. */
  outDir: string;
}

/**
 * Runs a scenario and writes its sinks' and renderers' files into the output folder, all at
 * once when the run is complete: a failed run leaves no partial file behind.
 *
 * @param scenario The loaded scenario.
 * @param options The output folder and overrides.
 * @returns Counts of the run and the files written.
 *
 * @example Write breakout.jsonl to a folder
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, runScenario } from "../mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const outDir = await Deno.makeTempDir();
 * const report = await runScenario(scenario, { outDir, steps: 50 });
 * assertEquals(report.frames, 50);
 * assertEquals(report.files.some((f) => f.endsWith("breakout.jsonl")), true);
 * ```
 */
export async function runScenario(
  scenario: Scenario,
  options: RunScenarioOptions,
): Promise<RunReport> {
  const output = new OutputSet(options.outDir);
  try {
    const plan = new RunPlan(scenario, options);
    const run = options.run ?? 0;
    const cursor = await plan.start(run);
    const sinks = await startSinks(plan, { run, steps: cursor.steps, output });
    const keep = scenario.renderers.length > 0;
    const all: Frame[] = [];
    const counts = emptyCounts();
    for (let block = cursor.next(); block; block = cursor.next()) {
      count(block, counts);
      const frames = keep ? framesOf(block) : undefined;
      await writeSinks(sinks, { plan, run, block, ...(frames ? { frames } : {}) });
      if (frames) { for (const frame of frames) all.push(frame); }
    }
    await closeSinks(sinks, { plan, run });
    const base = { name: scenario.name, seed: plan.seed, run, steps: cursor.steps };
    for (const use of scenario.renderers) {
      const context = { ...base, options: use.options, frames: all, levels: cursor.levels };
      const content = await guard(
        plan.failure(use, run),
        "failed to render",
        () => use.definition.render(context),
      );
      await output.writeFile(`${scenario.name}.${use.definition.extension}`, content);
    }
    const files = await output.commit();
    return { name: scenario.name, seed: plan.seed, ...counts, files };
  } catch (error) {
    await output.abort();
    throw error;
  }
}

/** A started sink and the plugin it is. */
export interface StartedSink {
  /** The sink's entry in the scenario. */
  readonly use: PluginUse;
  /** What its `start` hook returned. */
  readonly instance: SinkInstance;
}

/** Where {@linkcode startSinks} starts a run's sinks. */
export interface SinkRun {
  /** The run index. */
  run: number;
  /** Steps the run yields. */
  steps: number;
  /** Where each sink's file `<prefix><name><suffix>.<extension>` is created: an output set. */
  output: { create(name: string): Promise<OutputStream> };
  /** Put before each file's name, such as `mc_` for a kept Monte Carlo run. @default {""} */
  prefix?: string;
  /** Put after the name, before the extension, such as `_12`. @default {""} */
  suffix?: string;
}

/**
 * Starts a plan's sinks for one run, each on its own file in the output set.
 *
 * @param plan The run's plan.
 * @param where The run, and where and under what names its files go.
 * @returns The started sinks, for {@linkcode writeSinks} and {@linkcode closeSinks}.
 * @throws PluginError when a sink fails to start.
 */
export async function startSinks(plan: RunPlan, where: SinkRun): Promise<StartedSink[]> {
  const { scenario } = plan;
  const { run, steps, output, prefix = "", suffix = "" } = where;
  const sinks: StartedSink[] = [];
  for (const use of scenario.sinks) {
    const file = `${prefix}${scenario.name}${suffix}.${use.definition.extension}`;
    const stream = await output.create(file);
    const context = { name: scenario.name, seed: plan.seed, run, steps, options: use.options };
    const instance = await guard(
      plan.failure(use, run),
      "failed to start",
      () => use.definition.start({ ...context, output: stream }),
    );
    sinks.push({ use, instance });
  }
  return sinks;
}

/**
 * Hands a block to every sink: as columns to a sink with `writeBlock`, as frames to the others.
 * Every hook is called before this returns, so a block's arrays may be reused as soon as it has.
 *
 * @param sinks The started sinks.
 * @param at The plan, the run, the block, and its frames if already built.
 * @returns When every sink has written.
 */
export async function writeSinks(
  sinks: readonly StartedSink[],
  at: { plan: RunPlan; run: number; block: RunBlock; frames?: readonly Frame[] },
): Promise<void> {
  const { plan, run, block } = at;
  let frames = at.frames;
  const writes = sinks.map(({ use, instance }) =>
    guard(plan.failure(use, run, block.samples.start), "failed to write", () => {
      if (instance.writeBlock) return instance.writeBlock(block);
      return instance.write(frames ??= framesOf(block));
    })
  );
  await Promise.all(writes);
}

/**
 * Closes every sink after a run's last block.
 *
 * @param sinks The started sinks.
 * @param at The plan and the run.
 */
export async function closeSinks(
  sinks: readonly StartedSink[],
  at: { plan: RunPlan; run: number },
): Promise<void> {
  for (const { use, instance } of sinks) {
    await guard(at.plan.failure(use, at.run), "failed to close", () => instance.close?.());
  }
}

function emptyCounts(): RunCounts {
  return {
    frames: 0,
    regimes: { TAXI: 0, CRUISE: 0, MANEUVER: 0, RUPTURE: 0 },
    flags: { BREACH: 0, OVERSPEED: 0, STALL: 0 },
  };
}

function count({ samples, evaluation }: RunBlock, counts: RunCounts): void {
  const regimes = [0, 0, 0, 0];
  const flags = [0, 0, 0];
  for (let i = 0; i < samples.length; i++) {
    regimes[evaluation.regime[i]!]!++;
    const mask = evaluation.flags[i]!;
    flags[0]! += mask & 1;
    flags[1]! += (mask >> 1) & 1;
    flags[2]! += (mask >> 2) & 1;
  }
  counts.frames += samples.length;
  REGIMES.forEach((r, i) => (counts.regimes[r] += regimes[i]!));
  FLAGS.forEach((f, i) => (counts.flags[f] += flags[i]!));
}
