/**
 * The run loop: starts the plugins, fills blocks of steps, checks every value, and streams
 * frames to sinks and renderers in the fixed order generators, evaluator, sinks, renderers.
 *
 * @module
 */
import { PluginError, ScenarioError } from "./errors.ts";
import {
  type Channel,
  type EvaluationBlock,
  FLAGS,
  type Frame,
  frameAt,
  REGIMES,
  type SampleBlock,
} from "./frame.ts";
import { OutputSet } from "./output.ts";
import type {
  EvaluatorInstance,
  GeneratorContext,
  GeneratorDefinition,
  GeneratorInstance,
  Levels,
  PluginDefinition,
  SinkInstance,
} from "./plugin.ts";
import { createStream, type RandomStream } from "./random.ts";
import type { PluginUse, Scenario } from "./scenario.ts";

/** The most steps one run may have: 10 million frames is about 1.7 GB of JSONL. */
export const MAX_STEPS = 10_000_000;

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

/** One block of a run: the samples and their evaluation, valid until the next call. */
export interface RunBlock {
  /** The generators' output. */
  readonly samples: SampleBlock;
  /** The evaluator's output. */
  readonly evaluation: EvaluationBlock;
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

function label(definition: PluginDefinition): string {
  return `${definition.kind} ${definition.name}`;
}

/** Seed and steps shared by the runs of a {@linkcode RunPlan}. */
export interface PlanOptions {
  /** Seed instead of the scenario's. */
  seed?: number;
  /** Steps instead of the scenario's. */
  steps?: number;
}

/**
 * Runs of one scenario with one seed and length, sharing their buffers: the way to run many
 * runs (a Monte Carlo batch) without allocating per run. A run's blocks are valid until the
 * next run starts.
 */
export interface RunPlan {
  /** Seed of every run. */
  readonly seed: number;
  /** Steps of every run, unless a generator supplies fewer. */
  readonly steps: number;
  /**
   * Starts run `run`: every plugin's `start` hook is called, in kind order, and each
   * generator draws from its own stream keyed by `(seed, run, key)`. Returns the cursor
   * itself when every hook returns synchronously, as the built-ins do, and a promise of it
   * otherwise: `await` it either way.
   *
   * @throws PluginError when a plugin fails to start (or the promise rejects with it).
   */
  start(run: number): RunCursor | Promise<RunCursor>;
}

type Failure = ConstructorParameters<typeof PluginError>[0];

/**
 * Plans the runs of a scenario: checks the overrides and allocates the buffers once.
 *
 * @param scenario The loaded scenario.
 * @param options Seed and steps overrides.
 * @returns A plan whose `start(run)` starts each run.
 * @throws ScenarioError when `steps` is out of range.
 *
 * @example Two runs, one set of buffers
 * ```ts
 * import { assertNotEquals } from "@std/assert";
 * import { loadScenario, planRuns } from "../mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/mean_revert.jsonc", import.meta.url).pathname);
 * const plan = planRuns(scenario, { steps: 50 });
 * const last = async (run: number) => (await plan.start(run)).next()!.samples.spot[49];
 * assertNotEquals(await last(0), await last(1));
 * ```
 */
export function planRuns(scenario: Scenario, options: PlanOptions = {}): RunPlan {
  const seed = options.seed ?? scenario.seed;
  const planned = options.steps ?? scenario.steps;
  if (!Number.isInteger(planned) || planned < 1 || planned > MAX_STEPS) {
    throw new ScenarioError(
      `Cannot run ${planned} steps: expected an integer in [1, ${MAX_STEPS}]`,
    );
  }
  const evaluatorUse = scenario.evaluator;
  const supplier = new Map<Channel, PluginUse>();
  for (const use of scenario.generators) {
    for (const channel of use.definition.provides) supplier.set(channel, use);
  }
  const clock = supplier.get("time");
  const size = Math.min(BLOCK_SIZE, planned);
  const spot = new Float64Array(size);
  const iv = new Float64Array(size);
  const hv = new Float64Array(size);
  const time: string[] = [];
  const evaluation: EvaluationBlock = {
    x: new Float64Array(size),
    y: new Float64Array(size),
    z: new Float64Array(size),
    regime: new Uint8Array(size),
    flags: new Uint8Array(size),
  };
  const failureOf = (use: PluginUse, run: number, step?: number): Failure => ({
    plugin: label(use.definition),
    file: scenario.path,
    seed,
    ...(run > 0 ? { run } : {}),
    ...(step === undefined ? {} : { step }),
  });

  /** Finds the first bad sample: one loop, so the common case costs a few compares a step. */
  // The checks' loops only find the first bad entry; the errors are built out of line, so
  // that the code V8 optimises (and compiles on every thread of a batch) stays small.
  function checkSamples(samples: SampleBlock, run: number): void {
    for (let i = 0; i < samples.length; i++) {
      const s = spot[i]!, v = iv[i]!, h = hv[i]!;
      // `a - a` is 0 for a finite number and NaN otherwise, and NaN > 0 is false: three
      // compares a step in the common case.
      if (s - s + (v - v) + (h - h) === 0 && v > 0 && h > 0) continue;
      throw badSample(samples.start + i, i, run);
    }
    if (clock) {
      for (let i = 0; i < samples.length; i++) {
        if (typeof time[i] !== "string") {
          throw new PluginError(
            failureOf(clock, run, samples.start + i),
            `produced time ${String(time[i])}, expected an ISO 8601 string`,
          );
        }
      }
    }
  }

  function badSample(step: number, i: number, run: number): PluginError {
    const s = spot[i]!, v = iv[i]!;
    const [channel, value, need] = !(s > -Infinity && s < Infinity)
      ? ["spot", s, "a finite number"]
      : !(v > 0 && v < Infinity)
      ? ["iv", v, "a finite number > 0"]
      : ["hv", hv[i]!, "a finite number > 0"];
    const use = supplier.get(channel as Channel)!;
    return new PluginError(
      failureOf(use, run, step),
      `produced ${channel} ${value}, expected ${need}`,
    );
  }

  function checkEvaluation(samples: SampleBlock, run: number): void {
    const { x, y, z, regime, flags } = evaluation;
    for (let i = 0; i < samples.length; i++) {
      const a = x[i]!, b = y[i]!, c = z[i]!;
      // Finite X, Y, Z (as in checkSamples), regime codes 0-3 and flag masks 0-7.
      if (a - a + (b - b) + (c - c) === 0 && ((regime[i]! >> 2) | (flags[i]! >> 3)) === 0) {
        continue;
      }
      throw badEvaluation(samples.start + i, i, run);
    }
  }

  function badEvaluation(step: number, i: number, run: number): PluginError {
    const at = failureOf(evaluatorUse, run, step);
    const finite = (n: number) => n > -Infinity && n < Infinity;
    const bad = (["x", "y", "z"] as const).find((axis) => !finite(evaluation[axis][i]!));
    if (bad) {
      return new PluginError(at, `produced ${bad} ${evaluation[bad][i]}, expected a finite number`);
    }
    const { regime, flags } = evaluation;
    return new PluginError(
      at,
      `produced regime code ${regime[i]} and flag mask ${flags[i]}, expected 0-3 and 0-7`,
    );
  }

  function start(run: number): RunCursor | Promise<RunCursor> {
    const base = { name: scenario.name, seed, run, steps: planned };
    const evaluator = attempt(
      () => evaluatorUse.definition.start({ ...base, options: evaluatorUse.options }),
      () => failureOf(evaluatorUse, run),
      "failed to start",
    );
    return isPromise(evaluator)
      ? evaluator.then((instance) => startGenerators(instance, run, [], 0))
      : startGenerators(evaluator, run, [], 0);
  }

  /**
   * Starts generators `from` onward, then returns the cursor: synchronously unless a start
   * hook returns a promise, so that a batch's runs start without a trip through the event loop.
   */
  function startGenerators(
    evaluator: EvaluatorInstance,
    run: number,
    generators: GeneratorInstance[],
    from: number,
  ): RunCursor | Promise<RunCursor> {
    const levels = evaluator.levels;
    const levelsOf = () => {
      if (!levels) {
        throw new Error(
          `needs levels, but the evaluator "${evaluatorUse.definition.name}" publishes none`,
        );
      }
      return levels;
    };
    for (let g = from; g < scenario.generators.length; g++) {
      const use = scenario.generators[g]!;
      const context = new StartContext(use, scenario.name, seed, run, planned, levelsOf);
      const instance = attempt(
        () => use.definition.start(context),
        () => failureOf(use, run),
        "failed to start",
      );
      if (isPromise(instance)) {
        return instance.then((ready) =>
          startGenerators(evaluator, run, [...generators, ready], g + 1)
        );
      }
      generators.push(instance);
    }
    return cursorOf(evaluator, run, generators);
  }

  function cursorOf(
    evaluator: EvaluatorInstance,
    run: number,
    generators: GeneratorInstance[],
  ): RunCursor {
    let steps = planned;
    for (const instance of generators) {
      if (instance.length !== undefined) steps = Math.min(steps, instance.length);
    }
    const uses = scenario.generators;
    let at = 0;
    return {
      seed,
      steps,
      levels: evaluator.levels,
      next() {
        if (at >= steps) return undefined;
        const length = Math.min(size, steps - at);
        const samples: SampleBlock = { start: at, length, spot, iv, hv, time: clock ? time : [] };
        const last = at + length - 1;
        for (let g = 0; g < generators.length; g++) {
          try {
            generators[g]!.fill(samples);
          } catch (error) {
            throw wrap(
              error,
              failureOf(uses[g]!, run, at),
              `threw while filling steps ${at} to ${last}`,
            );
          }
        }
        checkSamples(samples, run);
        try {
          evaluator.evaluate(samples, evaluation);
        } catch (error) {
          throw wrap(
            error,
            failureOf(evaluatorUse, run, at),
            `threw while evaluating steps ${at} to ${last}`,
          );
        }
        checkEvaluation(samples, run);
        at += length;
        return { samples, evaluation };
      },
    };
  }

  return { seed, steps: planned, start };
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
export async function startRun(scenario: Scenario, options: RunOptions = {}): Promise<RunCursor> {
  return await planRuns(scenario, options).start(options.run ?? 0);
}

async function guard<T>(
  failure: ConstructorParameters<typeof PluginError>[0],
  what: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw wrap(error, failure, what);
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/**
 * Calls a plugin hook that may return a promise, wrapping what it throws or rejects with: the
 * synchronous counterpart of {@linkcode guard}, which describes the failure only when there is one.
 */
function attempt<T>(
  fn: () => T | Promise<T>,
  failure: () => Failure,
  what: string,
): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = fn();
  } catch (error) {
    throw wrap(error, failure(), what);
  }
  return isPromise(result)
    ? result.catch((error: unknown) => Promise.reject(wrap(error, failure(), what)))
    : result;
}

/**
 * A generator's start context. A class rather than an object literal with a `random` getter:
 * V8 keeps such literals alive past the young generation, which was measured to spend 40% of a
 * batch's run starts in garbage collection.
 */
class StartContext implements GeneratorContext<unknown> {
  readonly options: unknown;
  readonly #use: PluginUse<GeneratorDefinition>;
  #random: RandomStream | undefined;

  constructor(
    use: PluginUse<GeneratorDefinition>,
    readonly name: string,
    readonly seed: number,
    readonly run: number,
    readonly steps: number,
    readonly levels: () => Levels,
  ) {
    this.#use = use;
    this.options = use.options;
  }

  /** Made on first use: seeding costs a little, and many generators (fixed HV) never draw. */
  get random(): RandomStream {
    return this.#random ??= createStream(this.seed, { run: this.run, key: this.#use.key });
  }
}

function wrap(
  error: unknown,
  failure: ConstructorParameters<typeof PluginError>[0],
  what: string,
): Error {
  if (error instanceof PluginError || error instanceof ScenarioError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new PluginError(failure, `${what}: ${reason}`, { cause: error });
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
    const cursor = await startRun(scenario, options);
    const base = {
      name: scenario.name,
      seed: cursor.seed,
      run: options.run ?? 0,
      steps: cursor.steps,
    };
    const failure = (use: PluginUse, step?: number) => ({
      plugin: label(use.definition),
      file: scenario.path,
      seed: cursor.seed,
      ...(step === undefined ? {} : { step }),
    });
    const sinks: { use: PluginUse; instance: SinkInstance }[] = [];
    for (const use of scenario.sinks) {
      const stream = await output.create(`${scenario.name}.${use.definition.extension}`);
      const instance = await guard(
        failure(use),
        "failed to start",
        () => use.definition.start({ ...base, options: use.options, output: stream }),
      );
      sinks.push({ use, instance });
    }
    const keep = scenario.renderers.length > 0;
    const all: Frame[] = [];
    const counts = emptyCounts();
    for (let block = cursor.next(); block; block = cursor.next()) {
      count(block, counts);
      if (sinks.length === 0 && !keep) continue;
      const frames = framesOf(block);
      for (const { use, instance } of sinks) {
        await guard(
          failure(use, block.samples.start),
          "failed to write",
          () => instance.write(frames),
        );
      }
      if (keep) { for (const frame of frames) all.push(frame); }
    }
    for (const { use, instance } of sinks) {
      await guard(failure(use), "failed to close", () => instance.close?.());
    }
    for (const use of scenario.renderers) {
      const content = await guard(
        failure(use),
        "failed to render",
        () =>
          use.definition.render({
            ...base,
            options: use.options,
            frames: all,
            levels: cursor.levels,
          }),
      );
      await output.writeFile(`${scenario.name}.${use.definition.extension}`, content);
    }
    const files = await output.commit();
    return { name: scenario.name, seed: cursor.seed, ...counts, files };
  } catch (error) {
    await output.abort();
    throw error;
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
