/**
 * Helpers for testing plugins: the same ones option-flight's own tests use for its built-ins.
 *
 * ```ts
 * import { runGenerator } from "jsr:@option-flight/option-flight/testing";
 * ```
 *
 * @module
 */
import { ScenarioError } from "./core/errors.ts";
import type { EvaluationBlock, SampleBlock } from "./core/frame.ts";
import { Issues, readFields } from "./core/options.ts";
import type { EvaluatorDefinition, GeneratorDefinition, PluginDefinition } from "./core/plugin.ts";
import { createStream } from "./core/random.ts";
import { DEFAULT_THRESHOLDS, type EnvelopeLevels } from "./plugins/envelope.ts";

/** The example envelope of the original backend: ATR 2.8, flip 692.5, walls 680 and 700. */
export const EXAMPLE_LEVELS: EnvelopeLevels = Object.freeze({
  atr: 2.8,
  flip: 692.5,
  putWall: 680,
  callWall: 700,
  riskProxyBase: 1,
  thresholds: DEFAULT_THRESHOLDS,
});

/**
 * Reads raw options against a plugin's fields and its `check` hook, as a scenario would.
 *
 * @param definition The plugin.
 * @param raw The options as they would appear in a scenario entry (without `use`).
 * @param steps The scenario's steps, for a check of an option that names a step. @default {200}
 * @returns The checked options.
 * @throws ScenarioError listing every problem, each with its field path.
 *
 * @example Defaults fill in
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readOptions } from "./testing.ts";
 * import breakout from "./plugins/breakout.ts";
 *
 * assertEquals(readOptions(breakout, {}).direction, "up");
 * ```
 */
export function readOptions<O>(
  definition: PluginDefinition & {
    check?(o: O, r: (k: string, m: string) => void, at: { steps: number; file: string }): void;
  },
  raw: Record<string, unknown>,
  steps = 200,
): O {
  const issues = new Issues();
  const options = readFields(definition.options, raw, { path: definition.name, issues }) as O;
  if (issues.list.length === 0) {
    const report = (key: string, message: string) =>
      issues.add(`${definition.name}.${key}`, message);
    definition.check?.(options, report, { steps, file: "scenario.jsonc" });
  }
  if (issues.list.length > 0) {
    throw new ScenarioError(
      issues.list.map(([path, message]) => `Cannot read "${path}": ${message}`),
    );
  }
  return options;
}

/** Settings of {@linkcode runGenerator}. */
export interface RunGeneratorOptions {
  /** Raw options, as in a scenario entry. @default {{}} */
  options?: Record<string, unknown>;
  /** Number of steps. @default {200} */
  steps?: number;
  /** Seed of the generator's stream. @default {0} */
  seed?: number;
  /** Monte Carlo run index. @default {0} */
  run?: number;
  /** Envelope levels handed to the generator. @default {EXAMPLE_LEVELS} */
  levels?: EnvelopeLevels;
  /** Values of channels the generator needs, such as a spot path for realised HV. */
  inputs?: { spot?: ArrayLike<number>; iv?: ArrayLike<number>; hv?: ArrayLike<number> };
  /** Steps per `fill` call, to check that block boundaries do not change the path. @default {4096} */
  blockSize?: number;
  /** The scenario file a data file the options name is relative to. @default {"scenario.jsonc"} */
  file?: string;
}

/** The channels a generator filled. */
export interface GeneratorOutput {
  /** Spot per step. */
  spot: Float64Array;
  /** IV per step. */
  iv: Float64Array;
  /** HV per step. */
  hv: Float64Array;
  /** Time per step, when the generator supplies it. */
  time: string[];
}

/**
 * Runs a generator on its own and returns the channels it filled.
 *
 * @param definition The generator.
 * @param settings Options, steps, seed, levels and input channels.
 * @returns Every channel, one entry per step.
 *
 * @example A breakout drifts up
 * ```ts
 * import { assert } from "@std/assert";
 * import { runGenerator } from "./testing.ts";
 * import breakout from "./plugins/breakout.ts";
 *
 * const { spot } = await runGenerator(breakout, { options: { start: 694, noise: 0 }, steps: 11 });
 * assert(Math.abs(spot[10]! - (694 + 10 * 0.1 * 2.8)) < 1e-9);
 * ```
 */
export async function runGenerator(
  definition: GeneratorDefinition,
  settings: RunGeneratorOptions = {},
): Promise<GeneratorOutput> {
  const steps = settings.steps ?? 200;
  const seed = settings.seed ?? 0;
  const run = settings.run ?? 0;
  const levels = settings.levels ?? EXAMPLE_LEVELS;
  const options = readOptions<unknown>(definition, settings.options ?? {});
  const instance = await definition.start({
    options,
    name: "test",
    seed,
    run,
    steps,
    file: settings.file ?? "scenario.jsonc",
    random: createStream(seed, { run, key: `generators.${definition.name}` }),
    levels: () => levels,
  });
  const out: GeneratorOutput = {
    spot: Float64Array.from({ length: steps }, (_, i) => settings.inputs?.spot?.[i] ?? 0),
    iv: Float64Array.from({ length: steps }, (_, i) => settings.inputs?.iv?.[i] ?? 0),
    hv: Float64Array.from({ length: steps }, (_, i) => settings.inputs?.hv?.[i] ?? 0),
    time: [],
  };
  const size = settings.blockSize ?? 4096;
  for (let start = 0; start < steps; start += size) {
    const length = Math.min(size, steps - start);
    const time: string[] = [];
    const block: SampleBlock = {
      start,
      length,
      spot: out.spot.slice(start, start + length),
      iv: out.iv.slice(start, start + length),
      hv: out.hv.slice(start, start + length),
      time,
    };
    instance.fill(block);
    out.spot.set(block.spot, start);
    out.iv.set(block.iv, start);
    out.hv.set(block.hv, start);
    for (let i = 0; i < length; i++) if (time[i] !== undefined) out.time[start + i] = time[i]!;
  }
  return out;
}

/**
 * Evaluates samples with an evaluator on its own.
 *
 * @param definition The evaluator.
 * @param settings Raw options and the samples.
 * @returns The evaluation, one entry per sample.
 *
 * @example The SPEC check values
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { runEvaluator } from "./testing.ts";
 * import envelope from "./plugins/envelope.ts";
 *
 * const options = { atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 };
 * const out = runEvaluator(envelope, { options, samples: [{ spot: 694, iv: 0.15, hv: 0.12 }] });
 * assertEquals(out.y[0], 1.25);
 * ```
 */
export function runEvaluator(
  definition: EvaluatorDefinition,
  settings: {
    options: Record<string, unknown>;
    samples: readonly { spot: number; iv: number; hv: number }[];
  },
): EvaluationBlock {
  const options = readOptions<unknown>(definition, settings.options);
  const n = settings.samples.length;
  const context = { options, name: "test", seed: 0, run: 0, steps: n, file: "scenario.jsonc" };
  const instance = definition.start(context);
  const samples: SampleBlock = {
    start: 0,
    length: n,
    spot: Float64Array.from(settings.samples, (s) => s.spot),
    iv: Float64Array.from(settings.samples, (s) => s.iv),
    hv: Float64Array.from(settings.samples, (s) => s.hv),
    time: [],
  };
  const out: EvaluationBlock = {
    x: new Float64Array(n),
    y: new Float64Array(n),
    z: new Float64Array(n),
    regime: new Uint8Array(n),
    flags: new Uint8Array(n),
  };
  instance.evaluate(samples, out);
  return out;
}
