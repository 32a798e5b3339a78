/**
 * Monte Carlo statistics (SPEC §4): the accumulator that reduces runs as they stream, its
 * exact merge, and the summary it gives.
 *
 * {@linkcode MonteCarloStats} reads each run's blocks straight from the typed arrays of
 * {@linkcode startRun} and never builds a frame. Its memory does not grow with the number of
 * runs: counts are numbers, distributions are {@linkcode QuantileSketch}es, and the per-step
 * fan charts sample at most {@linkcode TIMELINE_POINTS} steps. Every part merges exactly, so
 * the summary of a batch is the same, byte for byte, however its runs were split.
 *
 * When the runs' levels move (SPEC §7: blocks carry `samples.levels`), the statistics also keep,
 * at each timeline step, the distribution over the runs of each level in force there; when the
 * runs' frames carry ISO 8601 timestamps (`samples.time`), the timestamp of each timeline step.
 * Runs with static levels and no timestamps do none of that work.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import { BREACH, type Flag, FLAGS, type Regime, REGIMES } from "../core/frame.ts";
import type { RunBlock } from "../core/frame.ts";
import type { RunCursor } from "../core/run.ts";
import {
  ExactCounts,
  type ExactCountsData,
  type PackedSketches,
  QuantileSketch,
  type QuantileSketchData,
  type QuantileSketchOptions,
} from "./sketch.ts";

/** The normal quantile of 97.5%, for two-sided 95% intervals. */
export const Z95 = 1.959963984540054;

/** The most steps of a run whose distribution over time is kept, for the fan charts. */
export const TIMELINE_POINTS = 200;

/** Sketch resolution of price levels (spot): relative error `2^-13`, about 0.012%. */
export const LEVEL_BITS = 12;

/** Sketch resolution of X, Y, Z and per-run max load: relative error `2^-8`, about 0.39%. */
export const STATE_BITS = 7;

/**
 * Sketch settings of the fan charts' X, Y and Z, read only as drawn bands: relative error
 * `2^-7`, about 0.78%, and values within `2^-10` of 0 drawn as 0; a quarter of the summary's
 * sketch size, so that 600 of them stay in the CPU's caches.
 */
export const FAN_SKETCH: Readonly<QuantileSketchOptions> = Object.freeze({
  bits: 6,
  zeroBelow: 2 ** -10,
});

/** Options of {@linkcode wilsonInterval}. */
export interface WilsonOptions {
  /** The normal quantile of the confidence level. @default {Z95} (95%) */
  z?: number;
}

/**
 * The Wilson score interval of a binomial proportion: unlike the normal approximation it stays
 * inside [0, 1] and is sound for rates near 0 or 1 and for few trials.
 *
 * @param successes Number of successes, such as runs with a BREACH.
 * @param trials Number of trials (> 0).
 * @param options The confidence level.
 * @returns `[low, high]`.
 *
 * @example 12 breaches in 1000 runs
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { wilsonInterval } from "./stats.ts";
 *
 * const [low, high] = wilsonInterval(12, 1000);
 * assertAlmostEquals(low, 0.0068776, 1e-7);
 * assertAlmostEquals(high, 0.0208573, 1e-7);
 * ```
 */
export function wilsonInterval(
  successes: number,
  trials: number,
  options: WilsonOptions = {},
): [number, number] {
  const z = options.z ?? Z95;
  if (!(Number.isSafeInteger(trials) && trials > 0)) {
    throw new RangeError(`Cannot take an interval over ${trials} trials`);
  }
  if (!(Number.isSafeInteger(successes) && successes >= 0 && successes <= trials)) {
    throw new RangeError(`Cannot take an interval of ${successes} successes in ${trials} trials`);
  }
  const n = trials;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [
    successes === 0 ? 0 : Math.max(0, center - half),
    successes === trials ? 1 : Math.min(1, center + half),
  ];
}

/**
 * The steps whose distribution over the runs is kept: every step when there are at most
 * `points`, otherwise `points` steps spread evenly from the first to the last.
 *
 * @param steps Steps per run.
 * @param points The most steps kept. @default {TIMELINE_POINTS}
 * @returns Step indices, ascending, starting at 0 and ending at `steps - 1`.
 *
 * @example 1000 steps, 5 points
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { timelineSteps } from "./stats.ts";
 *
 * assertEquals(timelineSteps(1000, 5), [0, 249, 499, 749, 999]);
 * assertEquals(timelineSteps(3), [0, 1, 2]);
 * ```
 */
export function timelineSteps(steps: number, points: number = TIMELINE_POINTS): number[] {
  if (steps <= points) return Array.from({ length: steps }, (_, i) => i);
  return Array.from({ length: points }, (_, j) => Math.floor((j * (steps - 1)) / (points - 1)));
}

/** Cells of the frame counts: one per regime and flag mask. */
const CELLS = REGIMES.length << FLAGS.length;

/** Runs whose timeline values are held and added to the sketches together (32 KB a point). */
const PENDING_RUNS = 1024;

/** Runs held before the first flush: early, so the compiled `addRun` has seen one. */
const FIRST_FLUSH_RUNS = 16;

/**
 * Sketch resolution of moving levels, as of spot: they are prices (and the ATR, in price
 * units). A step where every run has the same level gives it exactly, as its sketch's minimum
 * and maximum are exact.
 */
const MOVING_LEVEL_SKETCH: Readonly<QuantileSketchOptions> = Object.freeze({ bits: LEVEL_BITS });

/** The quantities tracked at each timeline step. */
export const SERIES = ["spot", "x", "y", "z"] as const;
/** One of {@linkcode SERIES}. */
export type Series = typeof SERIES[number];

/** {@linkcode MonteCarloStats} as plain JSON, for partial results and worker messages. */
export interface MonteCarloStatsData {
  /** Steps per run. */
  steps: number;
  /** Runs reduced. */
  runs: number;
  /** Runs with at least one BREACH frame. */
  breachRuns: number;
  /** Frames by regime code (rows) and flag mask (columns): 4 rows of 8. */
  frames: number[][];
  /** Largest Y of each run. */
  maxLoad: QuantileSketchData;
  /** Spot at the last step of each run. */
  finalSpot: QuantileSketchData;
  /** Step of each breaching run's first BREACH frame. */
  firstBreach: ExactCountsData;
  /** The steps of the timeline. */
  timeline: number[];
  /** Per timeline step, the distribution of each quantity over the runs. */
  series: Record<Series, QuantileSketchData[]>;
  /**
   * When the runs' levels move: per level (in the evaluator's `movingLevels` order), per
   * timeline step, the distribution of the level in force over the runs. Absent otherwise.
   */
  levels?: Record<string, QuantileSketchData[]>;
  /**
   * When the runs' frames carry timestamps: the timestamp of each timeline step, or `null`
   * when runs differ there. Absent otherwise.
   */
  dates?: string[] | null;
}

/** Options of {@linkcode MonteCarloStats.addRun}. */
export interface AddRunOptions {
  /** Called with each block after it is reduced, such as to write the run's frames. */
  onBlock?: (block: RunBlock) => void;
}

/** {@linkcode MonteCarloStats} as structured-cloneable data, from {@linkcode MonteCarloStats.snapshot}. */
export interface MonteCarloStatsSnapshot {
  /** Steps per run. */
  steps: number;
  /** Runs reduced. */
  runs: number;
  /** Runs with at least one BREACH frame. */
  breachRuns: number;
  /** Frames by `regime * 8 + flagMask`. */
  frameCounts: Float64Array<ArrayBuffer>;
  /** Step of each breaching run's first BREACH frame. */
  firstBreach: ExactCountsData;
  /**
   * The largest Y of each run, the spot at its last step, then the distribution of each series
   * over the runs at each timeline step, series by series in {@linkcode SERIES} order; then,
   * when levels move, each level's at each timeline step, in the order of `levels`.
   */
  sketches: PackedSketches;
  /** The names of the levels that move, when they do. */
  levels?: string[];
  /** As {@linkcode MonteCarloStatsData.dates}. */
  dates?: string[] | null;
}

/**
 * The running statistics of a Monte Carlo batch: add runs, merge batches, then summarise.
 *
 * @example Reduce three runs, then read the breach count
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, startRun } from "../mod.ts";
 * import { MonteCarloStats } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/false_breakout.jsonc", import.meta.url).pathname);
 * const stats = new MonteCarloStats({ steps: scenario.steps });
 * for (let run = 0; run < 3; run++) stats.addRun(await startRun(scenario, { run }));
 * assertEquals(stats.runs, 3);
 * assertEquals(stats.breachRuns, 3);
 * ```
 */
export class MonteCarloStats {
  /** Steps per run. */
  readonly steps: number;
  /** The steps of the timeline, from {@linkcode timelineSteps}. */
  readonly timeline: readonly number[];
  /** Runs reduced. */
  runs = 0;
  /** Runs with at least one BREACH frame. */
  breachRuns = 0;
  /** Frames by `regime * 8 + flagMask`. */
  readonly frameCounts: Float64Array = new Float64Array(CELLS);
  /** Largest Y of each run. */
  readonly maxLoad: QuantileSketch = new QuantileSketch({ bits: STATE_BITS });
  /** Spot at the last step of each run. */
  readonly finalSpot: QuantileSketch = new QuantileSketch({ bits: LEVEL_BITS });
  /** Step of each breaching run's first BREACH frame. */
  readonly firstBreach: ExactCounts = new ExactCounts();
  readonly #series: Readonly<Record<Series, readonly QuantileSketch[]>>;
  readonly #points: Int32Array;
  /**
   * Timeline values of the last runs, `[run][point][series]`, added to the sketches in bulk:
   * each run writes one contiguous stretch.
   */
  readonly #pending: Float64Array;
  /** One timeline step's pending values, `[series][run]`. */
  readonly #row = new Float64Array(PENDING_RUNS * SERIES.length);
  #pendingRuns = 0;
  /** Runs held when the next flush comes: {@linkcode FIRST_FLUSH_RUNS}, then {@linkcode PENDING_RUNS}. */
  #flushAt = FIRST_FLUSH_RUNS;
  /** One run's frame counts, as {@linkcode MonteCarloStats.frameCounts}, for even and odd steps. */
  readonly #tally = new Int32Array(2 * CELLS);
  /** When levels move: their names, and their per-step values, as for the series. */
  #moving: MovingLevels | undefined;
  /**
   * The timestamp of each timeline step: `undefined` until a run with timestamps is added,
   * `null` once two runs differ at a step (a lattice, so merges are exact in any order).
   */
  #dates: (string | undefined)[] | null | undefined;

  /**
   * Creates empty statistics.
   *
   * @param options The steps per run.
   */
  constructor(options: { steps: number }) {
    const { steps } = options;
    if (!Number.isSafeInteger(steps) || steps < 1) {
      throw new RangeError(`Cannot keep statistics of runs of ${steps} steps`);
    }
    this.steps = steps;
    this.timeline = Object.freeze(timelineSteps(steps));
    this.#points = Int32Array.from(this.timeline);
    const make = (options: QuantileSketchOptions) =>
      this.timeline.map(() => new QuantileSketch(options));
    this.#pending = new Float64Array(PENDING_RUNS * this.timeline.length * SERIES.length);
    this.#series = {
      spot: make({ bits: LEVEL_BITS }),
      x: make(FAN_SKETCH),
      y: make(FAN_SKETCH),
      z: make(FAN_SKETCH),
    };
  }

  /** Per timeline step, the distribution of spot, X, Y and Z over the runs. */
  get series(): Readonly<Record<Series, readonly QuantileSketch[]>> {
    this.#flush();
    return this.#series;
  }

  /**
   * When the runs' levels move: per level, by name in the evaluator's `movingLevels` order, per
   * timeline step, the distribution over the runs of the level in force. `undefined` for runs
   * with static levels.
   */
  get levels(): Readonly<Record<string, readonly QuantileSketch[]>> | undefined {
    this.#flush();
    return this.#moving?.sketches;
  }

  /**
   * The timestamp of each timeline step, when the runs' frames carry them (a generator supplies
   * the `time` channel) and every run has the same one at each step; `undefined` otherwise.
   */
  get dates(): readonly string[] | undefined {
    const dates = this.#dates;
    return dates && this.runs > 0 ? (dates as string[]) : undefined;
  }

  /**
   * Adds the pending timeline values to the sketches, one timeline step at a time: its values
   * are gathered from the runs into one row per series, and each sketch's buckets are fetched
   * once for the whole group of runs instead of once per run.
   */
  #flush(): void {
    const runs = this.#pendingRuns;
    if (runs === 0) return;
    // One call a timeline step, not nested loops: each new worker compiles it once, whole.
    for (let p = 0; p < this.timeline.length; p++) this.#flushPoint(p, runs);
    this.#pendingRuns = 0;
  }

  /** Adds the pending values of timeline step `p` of `runs` runs to its sketches. */
  #flushPoint(p: number, runs: number): void {
    const pending = this.#pending;
    const row = this.#row;
    const width = this.timeline.length * SERIES.length;
    for (let s = 0; s < SERIES.length; s++) {
      for (let r = 0, at = p * SERIES.length + s; r < runs; r++, at += width) {
        row[s * PENDING_RUNS + r] = pending[at]!;
      }
    }
    const series = this.#series;
    series.spot[p]!.addAll(row, 0, runs);
    series.x[p]!.addAll(row, PENDING_RUNS, PENDING_RUNS + runs);
    series.y[p]!.addAll(row, 2 * PENDING_RUNS, 2 * PENDING_RUNS + runs);
    series.z[p]!.addAll(row, 3 * PENDING_RUNS, 3 * PENDING_RUNS + runs);
    if (this.#moving) this.#flushLevels(this.#moving, p, runs);
  }

  /** As {@linkcode MonteCarloStats.#flushPoint}, for the levels that move. */
  #flushLevels(moving: MovingLevels, p: number, runs: number): void {
    const { names, pending, row } = moving;
    const n = names.length;
    const width = this.timeline.length * n;
    for (let k = 0; k < n; k++) {
      for (let r = 0, at = p * n + k; r < runs; r++, at += width) {
        row[k * PENDING_RUNS + r] = pending[at]!;
      }
      moving.sketches[names[k]!]![p]!.addAll(row, k * PENDING_RUNS, k * PENDING_RUNS + runs);
    }
  }

  /**
   * Adds the timeline values held back for bulk adding to their sketches now, instead of when
   * they are next read or merged: for a thread that would otherwise wait.
   */
  flush(): void {
    this.#flush();
  }

  /** Runs whose timeline values are held back: see {@linkcode MonteCarloStats.flush}. */
  get pendingRuns(): number {
    return this.#pendingRuns;
  }

  /** Frames reduced. */
  get frames(): number {
    return this.frameCounts.reduce((a, b) => a + b, 0);
  }

  /**
   * Reduces one run, reading its cursor to the end.
   *
   * @param cursor A started run, from {@linkcode startRun}.
   * @param options A hook that sees each block.
   * @throws ScenarioError when the run's length differs from {@linkcode MonteCarloStats.steps}.
   */
  addRun(cursor: RunCursor, options?: AddRunOptions): void {
    if (cursor.steps !== this.steps) {
      throw new ScenarioError(
        `Cannot add a run of ${cursor.steps} steps to a batch of ${this.steps}-step runs`,
      );
    }
    const onBlock = options?.onBlock;
    const counts = this.frameCounts;
    const tally = this.#tally;
    const points = this.#points;
    const pending = this.#pending;
    let at = this.#pendingRuns * points.length * SERIES.length;
    let p = 0;
    let maxY = -Infinity;
    let firstBreach = -1;
    let lastSpot = 0;
    for (let block = cursor.next(); block; block = cursor.next()) {
      const { start, length, spot } = block.samples;
      const { x, y, z, regime, flags } = block.evaluation;
      // Two tallies, even and odd steps: consecutive frames mostly share a regime, and with
      // one tally each increment waits for the last (two made this loop about a third faster).
      for (let i = 0; i < length; i++) {
        const load = y[i]!;
        if (load > maxY) maxY = load;
        tally[(i & 1) * CELLS + ((regime[i]! << 3) | flags[i]!)]!++;
      }
      if (firstBreach < 0) {
        for (let i = 0; i < length; i++) {
          if ((flags[i]! & BREACH) !== 0) {
            firstBreach = start + i;
            break;
          }
        }
      }
      const end = start + length;
      const from = p;
      while (p < points.length && points[p]! < end) {
        const i = points[p]! - start;
        pending[at] = spot[i]!;
        pending[at + 1] = x[i]!;
        pending[at + 2] = y[i]!;
        pending[at + 3] = z[i]!;
        at += SERIES.length;
        p++;
      }
      // Per block, not per step: runs with static levels and no timestamps skip both.
      if (p > from) {
        const { levels, time } = block.samples;
        if (levels !== undefined || this.#moving !== undefined) {
          this.#holdLevels(levels, start, from, p);
        }
        if (time.length > 0) this.#noteDates(time, start, from, p);
      }
      lastSpot = spot[length - 1]!;
      if (onBlock) onBlock(block);
    }
    for (let k = 0; k < CELLS; k++) {
      counts[k]! += tally[k]! + tally[k + CELLS]!;
      tally[k] = tally[k + CELLS] = 0;
    }
    if (++this.#pendingRuns === this.#flushAt) {
      this.#flush();
      this.#flushAt = PENDING_RUNS;
    }
    this.runs++;
    this.maxLoad.add(maxY);
    this.finalSpot.add(lastSpot);
    if (firstBreach >= 0) {
      this.breachRuns++;
      this.firstBreach.add(firstBreach);
    }
  }

  /**
   * Holds the levels in force at timeline steps `from` to `to - 1` of the run being added,
   * which the block starting at step `start` holds, for {@linkcode MonteCarloStats.#flush}.
   */
  #holdLevels(
    levels: Readonly<Record<string, Float64Array>> | undefined,
    start: number,
    from: number,
    to: number,
  ): void {
    let moving = this.#moving;
    if (!levels) this.#refuse("a run with static levels to a batch of runs whose levels move");
    if (!moving) {
      if (this.runs > 0) {
        this.#refuse("a run whose levels move to a batch of runs with static levels");
      }
      moving = this.#joinLevels(Object.keys(levels), 0)!;
    }
    const { names, pending } = moving;
    const n = names.length;
    const points = this.#points;
    const at = (this.#pendingRuns * this.timeline.length + from) * n;
    for (let k = 0; k < n; k++) {
      const column = levels[names[k]!];
      if (!column) this.#refuse(`a run without the moving level "${names[k]}"`);
      for (let p = from, j = at + k; p < to; p++, j += n) pending[j] = column[points[p]! - start]!;
    }
  }

  /** Refuses the run being added, forgetting its frame counts so far. */
  #refuse(what: string): never {
    this.#tally.fill(0);
    throw new ScenarioError(`Cannot add ${what}`);
  }

  /** Notes the timestamps of timeline steps `from` to `to - 1`, from a block at step `start`. */
  #noteDates(time: readonly string[], start: number, from: number, to: number): void {
    let dates = this.#dates;
    if (dates === null) return;
    if (dates === undefined) dates = this.#dates = new Array(this.timeline.length);
    const points = this.#points;
    for (let p = from; p < to; p++) {
      const t = time[points[p]! - start]!;
      const kept = dates[p];
      // The first run to reach a step sets its timestamp; a run that differs there ends them.
      if (kept === undefined) dates[p] = t;
      else if (kept !== t) {
        this.#dates = null;
        return;
      }
    }
  }

  /**
   * The moving levels' sketches and buffers, made on first use, for levels named `names` (or
   * none) of statistics that hold `runs` more runs; checked against the levels already held.
   *
   * @throws RangeError when runs whose levels move would join runs with static levels, or runs
   * whose levels have other names.
   */
  #joinLevels(names: readonly string[] | undefined, runs: number): MovingLevels | undefined {
    const moving = this.#moving;
    if (names === undefined) {
      if (moving && runs > 0) {
        throw new RangeError("Cannot merge runs with static levels into runs whose levels move");
      }
      return moving;
    }
    if (moving) {
      if (moving.names.join() !== names.join()) {
        throw new RangeError(
          `Cannot merge runs whose levels ${names.join(", ")} move into runs whose levels ${
            moving.names.join(", ")
          } move`,
        );
      }
      return moving;
    }
    if (this.runs > 0 || this.#pendingRuns > 0) {
      throw new RangeError("Cannot merge runs whose levels move into runs with static levels");
    }
    const points = this.timeline.length;
    const sketches: Record<string, QuantileSketch[]> = {};
    for (const name of names) {
      sketches[name] = this.timeline.map(() => new QuantileSketch(MOVING_LEVEL_SKETCH));
    }
    return this.#moving = {
      names: [...names],
      sketches,
      pending: new Float64Array(PENDING_RUNS * points * names.length),
      row: new Float64Array(PENDING_RUNS * names.length),
    };
  }

  /** Joins another part's timestamps into these: see {@linkcode MonteCarloStats.#dates}. */
  #joinDates(other: readonly (string | undefined)[] | null | undefined): void {
    const dates = this.#dates;
    if (other === undefined || dates === null) return;
    if (other === null || dates === undefined) {
      this.#dates = other === null ? null : [...other];
      return;
    }
    for (let p = 0; p < dates.length; p++) {
      if (dates[p] === undefined) dates[p] = other[p];
      else if (other[p] !== undefined && other[p] !== dates[p]) {
        this.#dates = null;
        return;
      }
    }
  }

  /**
   * Adds another batch's statistics. Exact: the result does not depend on how runs were split
   * or in what order the parts are merged.
   *
   * @param other Statistics of runs of the same length.
   * @throws RangeError when the runs' lengths differ.
   *
   * @example Two halves make the whole
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { loadScenario, startRun } from "../mod.ts";
   * import { MonteCarloStats } from "./mod.ts";
   *
   * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
   * const whole = new MonteCarloStats({ steps: 200 });
   * const parts = [new MonteCarloStats({ steps: 200 }), new MonteCarloStats({ steps: 200 })];
   * for (let run = 0; run < 6; run++) {
   *   whole.addRun(await startRun(scenario, { run }));
   *   parts[run % 2]!.addRun(await startRun(scenario, { run }));
   * }
   * parts[1]!.merge(parts[0]!);
   * assertEquals(JSON.stringify(parts[1]), JSON.stringify(whole));
   * ```
   */
  merge(other: MonteCarloStats): void {
    if (other.steps !== this.steps) {
      throw new RangeError(
        `Cannot merge runs of ${other.steps} steps into ${this.steps}-step runs`,
      );
    }
    const otherLevels = other.levels;
    const moving = this.#joinLevels(otherLevels && Object.keys(otherLevels), other.runs);
    this.#joinDates(other.#dates);
    this.runs += other.runs;
    this.breachRuns += other.breachRuns;
    for (let i = 0; i < this.frameCounts.length; i++) this.frameCounts[i]! += other.frameCounts[i]!;
    this.maxLoad.merge(other.maxLoad);
    this.finalSpot.merge(other.finalSpot);
    this.firstBreach.merge(other.firstBreach);
    const series = this.series;
    for (const name of SERIES) {
      series[name].forEach((sketch, i) => sketch.merge(other.series[name][i]!));
    }
    if (moving && otherLevels) {
      this.#flush();
      for (const name of moving.names) {
        moving.sketches[name]!.forEach((sketch, i) => sketch.merge(otherLevels[name]![i]!));
      }
    }
  }

  /**
   * The statistics as plain JSON.
   *
   * @returns The data, for {@linkcode MonteCarloStats.fromJSON}.
   */
  toJSON(): MonteCarloStatsData {
    const series = this.series;
    const frames: number[][] = [];
    for (let r = 0; r < REGIMES.length; r++) {
      frames.push([...this.frameCounts.subarray(r << 3, (r + 1) << 3)]);
    }
    return {
      steps: this.steps,
      runs: this.runs,
      breachRuns: this.breachRuns,
      frames,
      maxLoad: this.maxLoad.toJSON(),
      finalSpot: this.finalSpot.toJSON(),
      firstBreach: this.firstBreach.toJSON(),
      timeline: [...this.timeline],
      series: {
        spot: series.spot.map((s) => s.toJSON()),
        x: series.x.map((s) => s.toJSON()),
        y: series.y.map((s) => s.toJSON()),
        z: series.z.map((s) => s.toJSON()),
      },
      ...this.#extrasJSON(),
    };
  }

  /** The moving levels and timestamps of {@linkcode MonteCarloStats.toJSON}, when there are. */
  #extrasJSON(): Pick<MonteCarloStatsData, "levels" | "dates"> {
    const moving = this.#moving;
    const dates = this.#dates;
    const levels: Record<string, QuantileSketchData[]> = {};
    for (const name of moving?.names ?? []) {
      levels[name] = moving!.sketches[name]!.map((s) => s.toJSON());
    }
    return {
      ...(moving ? { levels } : {}),
      ...(dates === undefined ? {} : { dates: dates && (dates as string[]).slice() }),
    };
  }

  /**
   * The statistics as structured-cloneable data for another thread, with every count in a
   * typed array: what a batch worker posts. Posting and merging it costs about half of
   * {@linkcode MonteCarloStats.toJSON}, {@linkcode MonteCarloStats.fromJSON} and a merge.
   *
   * @returns The data and the buffers to transfer with it.
   */
  snapshot(): { data: MonteCarloStatsSnapshot; transfer: ArrayBuffer[] } {
    const sketches = QuantileSketch.pack(this.#sketches());
    const data: MonteCarloStatsSnapshot = {
      steps: this.steps,
      runs: this.runs,
      breachRuns: this.breachRuns,
      frameCounts: this.frameCounts.slice(),
      firstBreach: this.firstBreach.toJSON(),
      sketches,
      ...(this.#moving ? { levels: [...this.#moving.names] } : {}),
      ...(this.#dates === undefined ? {} : { dates: this.#dates && [...this.#dates] as string[] }),
    };
    return {
      data,
      transfer: [sketches.scalars.buffer, sketches.counts.buffer, data.frameCounts.buffer],
    };
  }

  /**
   * Adds statistics posted by another thread as a {@linkcode MonteCarloStats.snapshot}.
   *
   * @param data The snapshot.
   * @throws RangeError when its runs have another length.
   */
  mergeSnapshot(data: MonteCarloStatsSnapshot): void {
    if (data.steps !== this.steps) {
      throw new RangeError(`Cannot merge runs of ${data.steps} steps into ${this.steps}-step runs`);
    }
    const moving = this.#joinLevels(data.levels, data.runs);
    this.#joinDates(data.dates);
    this.runs += data.runs;
    this.breachRuns += data.breachRuns;
    for (let i = 0; i < this.frameCounts.length; i++) this.frameCounts[i]! += data.frameCounts[i]!;
    this.firstBreach.merge(ExactCounts.fromJSON(data.firstBreach));
    QuantileSketch.mergePacked(this.#sketches(data.levels ? moving : null), data.sketches);
  }

  /** Every sketch, in {@linkcode MonteCarloStatsSnapshot.sketches} order. */
  #sketches(moving: MovingLevels | null | undefined = this.#moving): QuantileSketch[] {
    const series = this.series;
    const sketches = [this.maxLoad, this.finalSpot, ...SERIES.flatMap((name) => series[name])];
    for (const name of moving?.names ?? []) sketches.push(...moving!.sketches[name]!);
    return sketches;
  }

  /**
   * Rebuilds statistics from {@linkcode MonteCarloStats.toJSON} data, checking that it holds
   * together.
   *
   * @param data The data.
   * @param where Names the data in errors, such as the file it came from.
   * @returns The statistics.
   * @throws RangeError when the data is not consistent.
   *
   * @example Round trip
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { MonteCarloStats } from "./stats.ts";
   *
   * const stats = new MonteCarloStats({ steps: 10 });
   * const copy = MonteCarloStats.fromJSON(JSON.parse(JSON.stringify(stats)));
   * assertEquals(copy.toJSON(), stats.toJSON());
   * ```
   */
  static fromJSON(data: MonteCarloStatsData, where = "statistics"): MonteCarloStats {
    if (typeof data !== "object" || data === null) {
      throw new RangeError(`${where}: expected an object of statistics`);
    }
    const stats = new MonteCarloStats({ steps: data.steps });
    const fail = (what: string) => {
      throw new RangeError(`${where}: ${what}`);
    };
    if (JSON.stringify(data.timeline) !== JSON.stringify(stats.timeline)) {
      fail(`"timeline" does not match ${data.steps} steps`);
    }
    const frames = data.frames;
    if (
      !Array.isArray(frames) || frames.length !== REGIMES.length ||
      !frames.every((row) => Array.isArray(row) && row.length === 1 << FLAGS.length)
    ) fail(`"frames" must be ${REGIMES.length} rows of ${1 << FLAGS.length} counts`);
    frames.flat().forEach((n, i) => {
      if (!Number.isSafeInteger(n) || n < 0) fail(`"frames" holds ${n}, expected a count`);
      stats.frameCounts[i] = n;
    });
    stats.maxLoad.merge(QuantileSketch.fromJSON(data.maxLoad, `${where}.maxLoad`));
    stats.finalSpot.merge(QuantileSketch.fromJSON(data.finalSpot, `${where}.finalSpot`));
    stats.firstBreach.merge(ExactCounts.fromJSON(data.firstBreach, `${where}.firstBreach`));
    for (const name of SERIES) {
      const list = data.series?.[name];
      if (!Array.isArray(list) || list.length !== stats.timeline.length) {
        fail(`"series.${name}" must hold ${stats.timeline.length} sketches`);
      }
      list.forEach((d, i) =>
        stats.series[name][i]!.merge(QuantileSketch.fromJSON(d, `${where}.series.${name}[${i}]`))
      );
    }
    if (data.levels !== undefined) {
      const levels = data.levels;
      if (typeof levels !== "object" || levels === null || Object.keys(levels).length === 0) {
        fail(`"levels" must map each level that moves to its sketches`);
      }
      const moving = stats.#joinLevels(Object.keys(levels), 0)!;
      for (const name of moving.names) {
        const list = levels[name];
        if (!Array.isArray(list) || list.length !== stats.timeline.length) {
          return fail(`"levels.${name}" must hold ${stats.timeline.length} sketches`);
        }
        list.forEach((d, i) => {
          const sketch = QuantileSketch.fromJSON(d, `${where}.levels.${name}[${i}]`);
          if (sketch.count !== data.runs) {
            fail(`"levels.${name}[${i}]" holds ${sketch.count} runs, expected ${data.runs}`);
          }
          moving.sketches[name]![i]!.merge(sketch);
        });
      }
    }
    if (data.dates !== undefined) {
      const dates = data.dates;
      if (
        dates !== null &&
        !(Array.isArray(dates) && dates.length === stats.timeline.length &&
          dates.every((d) => typeof d === "string"))
      ) fail(`"dates" must be null or ${stats.timeline.length} timestamps`);
      stats.#dates = dates && [...dates];
    }
    stats.runs = data.runs;
    stats.breachRuns = data.breachRuns;
    if (stats.maxLoad.count !== data.runs || stats.finalSpot.count !== data.runs) {
      fail(`"runs" is ${data.runs} but the sketches hold ${stats.maxLoad.count} runs`);
    }
    if (stats.firstBreach.count !== data.breachRuns) {
      fail(`"breachRuns" is ${data.breachRuns} but "firstBreach" holds ${stats.firstBreach.count}`);
    }
    if (stats.frames !== data.runs * data.steps) {
      fail(`"frames" holds ${stats.frames} frames, expected ${data.runs * data.steps}`);
    }
    return stats;
  }
}

/** The levels that move, as {@linkcode MonteCarloStats} holds them. */
interface MovingLevels {
  /** Their names, in the order the runs' blocks give them. */
  names: string[];
  /** Per level, per timeline step, its distribution over the runs. */
  sketches: Record<string, QuantileSketch[]>;
  /** Values of the runs not yet in the sketches, `[run][point][level]`. */
  pending: Float64Array;
  /** One timeline step's pending values, `[level][run]`. */
  row: Float64Array;
}

/** Three percentiles of a distribution. */
export interface Percentiles {
  /** 5th percentile. */
  p5: number;
  /** Median. */
  p50: number;
  /** 95th percentile. */
  p95: number;
}

/** The summary of a Monte Carlo batch: `<name>.summary.json`. No timings: same inputs, same bytes. */
export interface MonteCarloSummary {
  /** The scenario's name. */
  scenario: string;
  /** Number of runs. */
  runs: number;
  /** Steps per run. */
  steps: number;
  /** Seed of the batch; run `i` draws from streams derived from `(seed, i)`. */
  seed: number;
  /** Runs with at least one BREACH frame. */
  breachRuns: number;
  /** Share of runs with at least one BREACH frame. */
  breachRate: number;
  /** 95% Wilson score interval of the breach rate. */
  breachRateCI95: [number, number];
  /** Largest Y over all frames of all runs. */
  maxLoad: number;
  /** Percentiles of each run's largest Y. */
  maxLoadQuantiles: Percentiles;
  /** Share of all frames in each regime. */
  regimeShare: Record<Regime, number>;
  /** Frames raising each flag. */
  flagCounts: Record<Flag, number>;
  /** Percentiles of the step of the first BREACH, over the runs that breach; `null` if none. */
  firstBreachStep: Percentiles | null;
  /** Percentiles of spot at the last step. */
  finalSpotQuantiles: Percentiles;
  /**
   * The steps the per-step series below are kept at ({@linkcode timelineSteps}), and their
   * timestamps: only when levels moved or the frames carry timestamps, so a batch of static
   * levels and step-numbered frames has no such key.
   */
  timeline?: SummaryTimeline;
  /**
   * Only when levels moved (SPEC §7): per level, in the evaluator's `movingLevels` order, the
   * percentiles over the runs of the level in force at each step of `timeline.steps`.
   */
  movingLevels?: Record<string, LevelSeries>;
  /** How the percentiles are computed. */
  quantiles: {
    /** The definition of a percentile. */
    definition: string;
    /** The estimator and its error bound. */
    method: string;
    /** Largest relative error of the spot percentiles. */
    spotRelativeError: number;
    /** Largest relative error of the X, Y, Z and max-load percentiles. */
    stateRelativeError: number;
    /**
     * Largest relative error of the moving levels' percentiles, only when levels moved; a step
     * where every run has the same level gives it exactly.
     */
    levelRelativeError?: number;
  };
}

/** {@linkcode MonteCarloSummary.timeline}. */
export interface SummaryTimeline {
  /** The steps, ascending, from 0 to the last. */
  steps: number[];
  /**
   * The frames' timestamp at each of `steps`, when they carry timestamps (the `time` channel)
   * and every run has the same there; absent otherwise.
   */
  dates?: string[];
}

/** One level's percentiles over the runs at each step of {@linkcode SummaryTimeline.steps}. */
export interface LevelSeries {
  /** 5th percentile at each step. */
  p5: number[];
  /** Median at each step. */
  p50: number[];
  /** 95th percentile at each step. */
  p95: number[];
}

function percentiles(get: (p: number) => number | undefined): Percentiles {
  return { p5: get(5)!, p50: get(50)!, p95: get(95)! };
}

/** What {@linkcode summarizeStats} needs besides the statistics. */
export interface SummaryOptions {
  /** The scenario's name. */
  scenario: string;
  /** The batch's seed. */
  seed: number;
}

/**
 * Summarises a batch's statistics.
 *
 * @param stats The statistics of at least one run.
 * @param options The scenario's name and the seed.
 * @returns The summary, with keys in a fixed order.
 *
 * @example Summarise a small batch
 * ```ts
 * import { assert, assertEquals } from "@std/assert";
 * import { loadScenario, startRun } from "../mod.ts";
 * import { MonteCarloStats, summarizeStats } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const stats = new MonteCarloStats({ steps: 200 });
 * for (let run = 0; run < 20; run++) stats.addRun(await startRun(scenario, { run }));
 * const summary = summarizeStats(stats, { scenario: "breakout", seed: 42 });
 * assertEquals(summary.runs, 20);
 * assert(summary.breachRateCI95[0] <= summary.breachRate && summary.breachRate <= summary.breachRateCI95[1]);
 * ```
 */
export function summarizeStats(stats: MonteCarloStats, options: SummaryOptions): MonteCarloSummary {
  if (stats.runs === 0) throw new RangeError("Cannot summarise a batch of no runs");
  const frames = stats.frames;
  const counts = stats.frameCounts;
  const regimeShare = {} as Record<Regime, number>;
  REGIMES.forEach((regime, r) => {
    let n = 0;
    for (let mask = 0; mask < 8; mask++) n += counts[(r << 3) | mask]!;
    regimeShare[regime] = n / frames;
  });
  const flagCounts = {} as Record<Flag, number>;
  FLAGS.forEach((flag, bit) => {
    let n = 0;
    for (let i = 0; i < counts.length; i++) if ((i & (1 << bit)) !== 0) n += counts[i]!;
    flagCounts[flag] = n;
  });
  const breach = stats.firstBreach;
  const levels = stats.levels;
  const dates = stats.dates;
  const movingLevels: Record<string, LevelSeries> = {};
  for (const [name, sketches] of Object.entries(levels ?? {})) {
    const series: LevelSeries = { p5: [], p50: [], p95: [] };
    for (const sketch of sketches) {
      const [p5, p50, p95] = sketch.quantiles([5, 50, 95]) as [number, number, number];
      series.p5.push(p5), series.p50.push(p50), series.p95.push(p95);
    }
    movingLevels[name] = series;
  }
  const timeline: SummaryTimeline = {
    steps: [...stats.timeline],
    ...(dates ? { dates: [...dates] } : {}),
  };
  return {
    scenario: options.scenario,
    runs: stats.runs,
    steps: stats.steps,
    seed: options.seed,
    breachRuns: stats.breachRuns,
    breachRate: stats.breachRuns / stats.runs,
    breachRateCI95: wilsonInterval(stats.breachRuns, stats.runs),
    maxLoad: stats.maxLoad.max,
    maxLoadQuantiles: percentiles((p) => stats.maxLoad.quantile(p)),
    regimeShare,
    flagCounts,
    firstBreachStep: breach.count === 0 ? null : percentiles((p) => breach.quantile(p)),
    finalSpotQuantiles: percentiles((p) => stats.finalSpot.quantile(p)),
    ...(levels || dates ? { timeline } : {}),
    ...(levels ? { movingLevels } : {}),
    quantiles: {
      definition: "nearest rank: the pth percentile of n values is the value of rank ceil(p*n/100)",
      method: "fixed-grid log-bucket sketch (exact merge); first-breach steps are counted exactly",
      spotRelativeError: stats.finalSpot.relativeError,
      stateRelativeError: stats.maxLoad.relativeError,
      ...(levels ? { levelRelativeError: Object.values(levels)[0]![0]!.relativeError } : {}),
    },
  };
}
