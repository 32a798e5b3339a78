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
  EnvelopeLevels,
  EvaluatorInstance,
  GeneratorDefinition,
  GeneratorInstance,
  PluginDefinition,
  SinkInstance,
} from "./plugin.ts";
import { createStream } from "./random.ts";
import { MAX_STEPS, type PluginUse, type Scenario } from "./scenario.ts";

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
  readonly levels: EnvelopeLevels | undefined;
  /** The next block, or `undefined` after the last step. Arrays are reused between calls. */
  next(): RunBlock | undefined;
}

function label(definition: PluginDefinition): string {
  return `${definition.kind} ${definition.name}`;
}

/**
 * Starts a run of a scenario: every plugin's `start` hook is called, in kind order.
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
  const seed = options.seed ?? scenario.seed;
  const run = options.run ?? 0;
  let steps = options.steps ?? scenario.steps;
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) {
    throw new ScenarioError(`Cannot run ${steps} steps: expected an integer in [1, ${MAX_STEPS}]`);
  }
  const base = { name: scenario.name, seed, run, steps };
  const failure = (use: PluginUse, step?: number) => ({
    plugin: label(use.definition),
    file: scenario.path,
    seed,
    ...(run > 0 ? { run } : {}),
    ...(step === undefined ? {} : { step }),
  });

  const evaluatorUse = scenario.evaluator;
  const evaluator: EvaluatorInstance = await guard(
    failure(evaluatorUse),
    "failed to start",
    () => evaluatorUse.definition.start({ ...base, options: evaluatorUse.options }),
  );
  const levels = evaluator.levels;

  const generators: { use: PluginUse<GeneratorDefinition>; instance: GeneratorInstance }[] = [];
  for (const use of scenario.generators) {
    const instance = await guard(failure(use), "failed to start", () =>
      use.definition.start({
        ...base,
        options: use.options,
        random: createStream(seed, { run, key: use.key }),
        levels() {
          if (!levels) {
            throw new Error(
              `needs the envelope levels, but the evaluator "${evaluatorUse.definition.name}" publishes none`,
            );
          }
          return levels;
        },
      }));
    if (instance.length !== undefined) steps = Math.min(steps, instance.length);
    generators.push({ use, instance });
  }
  const supplier = new Map<Channel, PluginUse>();
  for (const { use } of generators) {
    for (const channel of use.definition.provides) supplier.set(channel, use);
  }

  const size = Math.min(BLOCK_SIZE, steps);
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
  let start = 0;

  function checkSamples(samples: SampleBlock): void {
    const checks: [Channel, Float64Array, boolean][] = [["spot", spot, false], ["iv", iv, true], [
      "hv",
      hv,
      true,
    ]];
    for (const [channel, values, positive] of checks) {
      for (let i = 0; i < samples.length; i++) {
        const v = values[i]!;
        if (!Number.isFinite(v) || (positive && v <= 0)) {
          const need = positive ? "a finite number > 0" : "a finite number";
          throw new PluginError(
            failure(supplier.get(channel)!, samples.start + i),
            `produced ${channel} ${v}, expected ${need}`,
          );
        }
      }
    }
    const clock = supplier.get("time");
    if (clock) {
      for (let i = 0; i < samples.length; i++) {
        if (typeof time[i] !== "string") {
          throw new PluginError(
            failure(clock, samples.start + i),
            `produced time ${String(time[i])}, expected an ISO 8601 string`,
          );
        }
      }
    }
  }

  function checkEvaluation(samples: SampleBlock): void {
    const { x, y, z, regime, flags } = evaluation;
    for (let i = 0; i < samples.length; i++) {
      const bad = !Number.isFinite(x[i]!)
        ? "x"
        : !Number.isFinite(y[i]!)
        ? "y"
        : !Number.isFinite(z[i]!)
        ? "z"
        : undefined;
      if (bad) {
        throw new PluginError(
          failure(evaluatorUse, samples.start + i),
          `produced ${bad} ${evaluation[bad][i]}, expected a finite number`,
        );
      }
      if (regime[i]! >= REGIMES.length || flags[i]! >= 1 << FLAGS.length) {
        throw new PluginError(
          failure(evaluatorUse, samples.start + i),
          `produced regime code ${regime[i]} and flag mask ${flags[i]}, expected 0-3 and 0-7`,
        );
      }
    }
  }

  return {
    seed,
    steps,
    levels,
    next() {
      if (start >= steps) return undefined;
      const length = Math.min(size, steps - start);
      const samples: SampleBlock = {
        start,
        length,
        spot,
        iv,
        hv,
        time: supplier.has("time") ? time : [],
      };
      for (const { use, instance } of generators) {
        guardSync(
          failure(use, start),
          `threw while filling steps ${start} to ${start + length - 1}`,
          () => instance.fill(samples),
        );
      }
      checkSamples(samples);
      guardSync(
        failure(evaluatorUse, start),
        `threw while evaluating steps ${start} to ${start + length - 1}`,
        () => evaluator.evaluate(samples, evaluation),
      );
      checkEvaluation(samples);
      start += length;
      return { samples, evaluation };
    },
  };
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

function guardSync<T>(
  failure: ConstructorParameters<typeof PluginError>[0],
  what: string,
  fn: () => T,
): T {
  try {
    return fn();
  } catch (error) {
    throw wrap(error, failure, what);
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
