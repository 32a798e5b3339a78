/**
 * A run, written: the scenario's sinks receive its frames as they stream and its renderers draw
 * the whole run, each into a file of the output folder, all committed at once when the run is
 * complete.
 *
 * @module
 */
import {
  countEvents,
  type EventCounts,
  EventDetector,
  eventOptionsOf,
  type FlightEvent,
  worstEvents,
} from "../core/events.ts";
import type { Frame, RunBlock, RunColumns } from "../core/frame.ts";
import { FLAGS, REGIMES } from "../core/frame.ts";
import type { Levels, OutputStream, SinkInstance } from "../core/plugin.ts";
import { framesOf, pacer, type RunOptions, RunPlan } from "../core/run.ts";
import type { PluginUse, Scenario } from "../core/scenario.ts";
import { ScenarioError } from "../core/errors.ts";
import { OutputSet, type OutputTarget } from "./atomic.ts";
import { metaText } from "./meta.ts";

/** Counts of a run's regimes and flags. */
export interface RunCounts {
  /** Number of frames. */
  frames: number;
  /** Frames in each regime. */
  regimes: Record<(typeof REGIMES)[number], number>;
  /** Frames raising each flag. */
  flags: Record<(typeof FLAGS)[number], number>;
}

/** An event with the timestamp of its first frame: the step, or the frame's ISO date. */
export interface TimedEvent extends FlightEvent {
  /** Timestamp of frame `start`. */
  readonly startTimestamp: number | string;
}

/** How many of the worst events a {@linkcode RunReport} lists. */
export const WORST_EVENTS = 3;

/** What {@linkcode runScenario} did. */
export interface RunReport extends RunCounts {
  /** The scenario's name. */
  name: string;
  /** The seed used. */
  seed: number;
  /** The files written, in the output folder. */
  files: string[];
  /** Temporary files a killed earlier run left in the folder, removed. */
  staleRemoved: number;
  /** The run's events (core/events.ts), whether or not an `events` sink writes them. */
  events: FlightEvent[];
  /** The events counted by kind, and the flag episodes by kind and band. */
  eventCounts: EventCounts;
  /** The worst flag episodes, worst first, at most {@linkcode WORST_EVENTS}. */
  worstEvents: TimedEvent[];
}

/** Where and how {@linkcode runScenario} runs. */
export interface RunScenarioOptions extends RunOptions {
  /** The output folder; every file is written there and nowhere else. */
  outDir: string;
  /** Called after each block with the steps done and the steps to do. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the run between blocks: it then throws the signal's reason and writes nothing. */
  signal?: AbortSignal;
  /** Where the files go instead of an output set on `outDir`, such as the sandbox's writer. */
  output?: OutputTarget;
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
  const output = options.output ?? new OutputSet(options.outDir);
  try {
    const plan = new RunPlan(scenario, options);
    refuseLongRenders(plan);
    const run = options.run ?? 0;
    const cursor = await plan.start(run);
    const sinks = await Sinks.start(plan, {
      run,
      steps: cursor.steps,
      output,
      levels: cursor.levels,
    });
    const eventOptions = eventOptionsOf(cursor.levels);
    const detector = new EventDetector(eventOptions);
    const time: string[] = [];
    const keep = scenario.renderers.length > 0 ? new ColumnsOf(cursor.steps) : undefined;
    const counts: RunCounts = {
      frames: 0,
      regimes: { TAXI: 0, CRUISE: 0, MANEUVER: 0, RUPTURE: 0 },
      flags: { BREACH: 0, OVERSPEED: 0, STALL: 0 },
    };
    const pace = pacer(options.signal);
    for (let block = cursor.next(); block; block = cursor.next()) {
      await pace();
      count(block, counts);
      detector.pushBlock(block.evaluation, block.samples.length);
      for (let i = 0; i < block.samples.time.length && i < block.samples.length; i++) {
        time.push(block.samples.time[i]!);
      }
      options.onProgress?.(block.samples.start + block.samples.length, cursor.steps);
      await sinks.write(block);
      keep?.add(block);
    }
    await sinks.close();
    if (scenario.sinks.length > 0) {
      const about = { seed: plan.seed, run, steps: cursor.steps, levels: cursor.levels };
      const meta = await metaText(scenario, {
        ...about,
        dir: output.dir,
        plannedSteps: plan.steps,
      });
      await output.writeFile(`${scenario.name}.meta.json`, meta);
    }
    const base = {
      name: scenario.name,
      seed: plan.seed,
      run,
      steps: cursor.steps,
      file: scenario.path,
    };
    const columns = keep?.columns();
    let frames: Frame[] | undefined;
    for (const [i, use] of scenario.renderers.entries()) {
      const context = {
        ...base,
        options: use.options,
        columns,
        levels: cursor.levels,
        // Frame objects only for a renderer that reads them: a long run's would take gigabytes.
        get frames(): Frame[] {
          return frames ??= framesOfColumns(columns!);
        },
      };
      const file = `${scenario.name}.${use.definition.extension}`;
      const at = { use, run, what: "failed to render, after the run's last frame" };
      try {
        const { definition } = use;
        if (definition.renderTo) {
          const stream = await output.create(file);
          try {
            await plan.call(() => definition.renderTo!(context, stream), at);
          } catch (error) {
            await output.discard(file); // half a page is no page
            throw error;
          }
        } else {
          await output.writeFile(file, await plan.call(() => definition.render(context), at));
        }
      } catch (error) {
        // Every frame was made: the files already complete are kept (SPEC §5).
        const kept = await output.commit();
        const lost = scenario.renderers.slice(i).map((r) =>
          `${scenario.name}.${r.definition.extension}`
        );
        if (error instanceof Error) {
          const wrote = kept.length > 0 ? `wrote ${kept.join(", ")}` : "wrote nothing";
          error.message += `; ${wrote}; not written: ${lost.join(", ")}`;
        }
        throw error;
      }
    }
    const files = await output.commit();
    const events = detector.finish();
    const worst = worstEvents(events, WORST_EVENTS, eventOptions)
      .map((e) => ({ ...e, startTimestamp: time[e.start] ?? e.start }));
    return {
      name: scenario.name,
      seed: plan.seed,
      ...counts,
      files,
      staleRemoved: output.staleRemoved,
      events,
      eventCounts: countEvents(events),
      worstEvents: worst,
    };
  } catch (error) {
    await output.abort();
    throw error;
  }
}

/** A run's blocks copied into columns, for its renderers: bytes, not frame objects. */
class ColumnsOf {
  readonly #steps: number;
  readonly #floats: Record<"spot" | "iv" | "hv" | "x" | "y" | "z", Float64Array>;
  readonly #regime: Uint8Array;
  readonly #flags: Uint8Array;
  readonly #time: string[] = [];
  #levels: Record<string, Float64Array> | undefined;
  #length = 0;

  constructor(steps: number) {
    this.#steps = steps;
    const floats = () => new Float64Array(steps);
    this.#floats = {
      spot: floats(),
      iv: floats(),
      hv: floats(),
      x: floats(),
      y: floats(),
      z: floats(),
    };
    this.#regime = new Uint8Array(steps), this.#flags = new Uint8Array(steps);
  }

  add({ samples, evaluation }: RunBlock): void {
    const at = this.#length, n = samples.length;
    const copy = (to: Float64Array | Uint8Array, from: Float64Array | Uint8Array) =>
      to.set(from.subarray(0, n), at);
    const f = this.#floats;
    copy(f.spot, samples.spot), copy(f.iv, samples.iv), copy(f.hv, samples.hv);
    copy(f.x, evaluation.x), copy(f.y, evaluation.y), copy(f.z, evaluation.z);
    copy(this.#regime, evaluation.regime), copy(this.#flags, evaluation.flags);
    for (let i = 0; i < n && samples.time.length > 0; i++) this.#time.push(samples.time[i]!);
    if (samples.levels) {
      this.#levels ??= Object.fromEntries(
        Object.keys(samples.levels).map((k) => [k, new Float64Array(this.#steps)]),
      );
      for (const [k, column] of Object.entries(samples.levels)) copy(this.#levels[k]!, column);
    }
    this.#length = at + n;
  }

  columns(): RunColumns {
    const n = this.#length, f = this.#floats;
    const cut = <T extends Float64Array | Uint8Array>(a: T) => a.subarray(0, n) as T;
    return {
      length: n,
      spot: cut(f.spot),
      iv: cut(f.iv),
      hv: cut(f.hv),
      x: cut(f.x),
      y: cut(f.y),
      z: cut(f.z),
      regime: cut(this.#regime),
      flags: cut(this.#flags),
      time: this.#time,
      ...(this.#levels
        ? { levels: Object.fromEntries(Object.entries(this.#levels).map(([k, v]) => [k, cut(v)])) }
        : {}),
    };
  }
}

/** The frames of a run in columns. */
function framesOfColumns(c: RunColumns): Frame[] {
  const samples = {
    start: 0,
    length: c.length,
    spot: c.spot,
    iv: c.iv,
    hv: c.hv,
    time: [...c.time],
  };
  return framesOf({
    samples: c.levels ? { ...samples, levels: c.levels } : samples,
    evaluation: c,
  });
}

/** Refuses, before any work, a run longer than one of its renderers can draw. */
function refuseLongRenders(plan: RunPlan): void {
  const { scenario, steps } = plan;
  const problems = scenario.renderers.filter((use) =>
    steps > (use.definition.maxFrames ?? Infinity)
  )
    .map((use) =>
      `${scenario.path}: Cannot run ${steps.toLocaleString("en-US")} steps with the renderer ${
        JSON.stringify(use.definition.name)
      }: it draws at most ${
        use.definition.maxFrames!.toLocaleString("en-US")
      } frames, all held in memory; remove it from "renderers" or run fewer --steps (sinks stream runs of any length)`
    );
  if (problems.length > 0) throw new ScenarioError(problems);
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

/** Where {@linkcode Sinks.start} starts a run's sinks. */
export interface SinkRun {
  /** The run index. */
  run: number;
  /** Steps the run yields. */
  steps: number;
  /** Where each sink's file `<prefix><name><suffix>.<extension>` is created: an output set. */
  output: { create(name: string): OutputStream | Promise<OutputStream> };
  /** Before each file's name, such as `mc_` for a kept Monte Carlo run. @default {""} */
  prefix?: string;
  /** After the name, before the extension, such as `_12`. @default {""} */
  suffix?: string;
  /** The evaluator's levels, handed to each sink as `levels`. @default {the plan's levels} */
  levels?: Levels | undefined;
}

/** A run's started sinks: blocks go to each, as columns or as frames, then each is closed. */
export class Sinks {
  readonly #plan: RunPlan;
  readonly #run: number;
  readonly #started: [PluginUse, SinkInstance][];

  private constructor(plan: RunPlan, run: number, started: [PluginUse, SinkInstance][]) {
    this.#plan = plan, this.#run = run, this.#started = started;
  }

  /**
   * Starts a plan's sinks for one run, each on its own file.
   *
   * @param plan The run's plan.
   * @param where The run, and where and under what names its files go.
   * @returns The started sinks.
   * @throws PluginError when a sink fails to start.
   */
  static async start(plan: RunPlan, where: SinkRun): Promise<Sinks> {
    const { scenario, seed } = plan;
    const { run, steps, output, prefix = "", suffix = "" } = where;
    const started: [PluginUse, SinkInstance][] = [];
    for (const use of scenario.sinks) {
      const file = `${prefix}${scenario.name}${suffix}.${use.definition.extension}`;
      let stream = output.create(file);
      if (stream instanceof Promise) stream = await stream;
      const context = {
        name: scenario.name,
        seed,
        run,
        steps,
        file: scenario.path,
        options: use.options,
        output: stream,
        // The evaluator's levels, as renderers get them, read only by a sink that needs them.
        get levels(): Levels | undefined {
          return where.levels ?? plan.levels(run);
        },
      };
      let instance = plan.call(() => use.definition.start(context), {
        use,
        run,
        what: "failed to start",
      });
      if (instance instanceof Promise) instance = await instance;
      started.push([use, instance]);
    }
    return new Sinks(plan, run, started);
  }

  /**
   * Hands a block to every sink: as columns to a sink with `writeBlock`, as frames to the
   * others. Every hook is called before this returns, so the block may then be reused.
   *
   * @param block The block.
   * @param frames Its frames, if already built.
   * @returns A promise when a sink is still writing, to await before the next block.
   */
  write(block: RunBlock, frames?: readonly Frame[]): Promise<unknown> | undefined {
    const { start, length } = block.samples;
    const what = `failed to write steps ${start} to ${start + length - 1}`;
    const at = { run: this.#run, step: start, what };
    let pending: Promise<void>[] | undefined;
    for (const [use, sink] of this.#started) {
      const write = () =>
        sink.writeBlock ? sink.writeBlock(block) : sink.write(frames ??= framesOf(block));
      const done = this.#plan.call(write, { use, ...at });
      if (done instanceof Promise) (pending ??= []).push(done);
    }
    return pending && Promise.all(pending);
  }

  /** Closes every sink after the run's last block. */
  async close(): Promise<void> {
    for (const [use, sink] of this.#started) {
      const at = { use, run: this.#run, what: "failed to close" };
      const done = this.#plan.call(() => sink.close?.(), at);
      if (done instanceof Promise) await done;
    }
  }
}
