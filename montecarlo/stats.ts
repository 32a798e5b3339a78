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
import { type Flag, FLAGS, type Regime, REGIMES } from "../core/frame.ts";
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

/**
 * Sketch settings of price moves (a run's final loss and its adverse excursions, in price units
 * and in ATRs): relative error `2^-8`, about 0.39%, and moves within `2^-20` of 0 counted as 0.
 */
export const MOVE_SKETCH: Readonly<QuantileSketchOptions> = Object.freeze({
  bits: STATE_BITS,
  zeroBelow: 2 ** -20,
});

/**
 * The steps within which a breach episode counts as snapped back, for the summary's
 * `snapBack`: an episode snaps back within `n` steps when its first frame back inside the walls
 * is at most `n` steps after its first BREACH frame (it lasts at most `n` frames and ends
 * before the run does).
 */
export const SNAP_BACK_STEPS: readonly number[] = Object.freeze([1, 5, 10, 20]);

/** The walls a breach episode can cross, by the side of the flip spot is on as it starts. */
export const SIDES = ["call", "put", "unknown"] as const;
/** One of {@linkcode SIDES}: `unknown` when the evaluator publishes no flip. */
export type Side = typeof SIDES[number];

/** Buckets of the breach rate's convergence: checkpoints up to past `MAX_RUNS`. */
const CONVERGENCE_BUCKETS = 100;

/**
 * The run counts at which the running breach rate is given: 1, 2, 3, then four a power of two
 * (4, 5, 6, 7, 8, 10, 12, 14, 16, 20, ...), so a log axis shows them evenly.
 *
 * @param bucket The checkpoint's index, from 0.
 * @returns The number of runs.
 *
 * @example The first checkpoints
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { convergenceCheckpoint } from "./stats.ts";
 *
 * assertEquals([0, 1, 2, 3, 4, 7, 8, 11].map(convergenceCheckpoint), [1, 2, 3, 4, 5, 8, 10, 16]);
 * ```
 */
export function convergenceCheckpoint(bucket: number): number {
  if (bucket < 4) return bucket + 1;
  const e = Math.floor((bucket - 3) / 4);
  return (4 + ((bucket - 3) % 4)) * 2 ** e;
}

/** The bucket of run `run` (from 0): the first checkpoint that counts it. */
function convergenceBucket(run: number): number {
  const n = run + 1;
  if (n <= 4) return n - 1;
  const e = 31 - Math.clz32(n) - 2;
  const m = Math.ceil(n / 2 ** e);
  return Math.min(CONVERGENCE_BUCKETS - 1, 3 + 4 * e + (m - 4));
}

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

/**
 * The per-run distributions beside max load and final spot, each a {@linkcode QuantileSketch}
 * with one value a run (the ATR ones only of runs whose ATR is known; the conditional ones only
 * of the runs that did, or did not, breach):
 *
 * - `startSpot`: spot at step 0.
 * - `finalLoss`: spot at step 0 less spot at the last step, price units: a long position's loss.
 * - `excursionBelow`, `excursionAbove`: the largest move below, and above, the start spot over
 *   the run, price units (the maximum adverse excursion of a long, and of a short, position).
 * - `excursionBelowAtr`, `excursionAboveAtr`: the same in ATRs (the ATR at step 0).
 * - `finalSpotBreached`, `finalSpotClear`: final spot of the runs with, and without, a BREACH.
 * - `maxLoadBreached`, `maxLoadClear`: largest Y of the runs with, and without, a BREACH.
 */
export const RUN_SKETCHES = [
  "startSpot",
  "finalLoss",
  "excursionBelow",
  "excursionAbove",
  "excursionBelowAtr",
  "excursionAboveAtr",
  "finalSpotBreached",
  "finalSpotClear",
  "maxLoadBreached",
  "maxLoadClear",
] as const;
/** One of {@linkcode RUN_SKETCHES}. */
export type RunSketch = typeof RUN_SKETCHES[number];

/** The sketch settings of each of {@linkcode RUN_SKETCHES}. */
const RUN_SKETCH_OPTIONS: Record<RunSketch, Readonly<QuantileSketchOptions>> = {
  startSpot: { bits: LEVEL_BITS },
  finalLoss: MOVE_SKETCH,
  excursionBelow: MOVE_SKETCH,
  excursionAbove: MOVE_SKETCH,
  excursionBelowAtr: MOVE_SKETCH,
  excursionAboveAtr: MOVE_SKETCH,
  finalSpotBreached: { bits: LEVEL_BITS },
  finalSpotClear: { bits: LEVEL_BITS },
  maxLoadBreached: { bits: STATE_BITS },
  maxLoadClear: { bits: STATE_BITS },
};

/**
 * The episodes of one flag (maximal stretches of consecutive frames that carry it, as
 * core/events.ts defines them), as {@linkcode MonteCarloStats.episodes} keeps them.
 */
export interface EpisodeStats {
  /** Episodes per run: one value a run, 0 for a run without one. */
  readonly perRun: ExactCounts;
  /** Durations in frames of the episodes that end before their run does. */
  readonly closed: ExactCounts;
  /** Durations so far of the episodes still in force at their run's last frame. */
  readonly open: ExactCounts;
}

/** {@linkcode EpisodeStats} as plain JSON. */
export interface EpisodeStatsData {
  /** As {@linkcode EpisodeStats.perRun}. */
  perRun: ExactCountsData;
  /** As {@linkcode EpisodeStats.closed}. */
  closed: ExactCountsData;
  /** As {@linkcode EpisodeStats.open}. */
  open: ExactCountsData;
}

/** Breach episodes on one side, as {@linkcode MonteCarloStats.sides} counts them. */
export interface SideCounts {
  /** Runs with at least one breach episode on this side. */
  runs: number;
  /** Breach episodes that start on this side. */
  episodes: number;
  /** Frames of those episodes. */
  frames: number;
}

/** The episode, side, transition and per-run statistics, in {@linkcode MonteCarloStatsData.risk}. */
export interface RiskStatsData {
  /**
   * Runs, and runs with a BREACH, by convergence bucket: bucket `b` holds the runs whose index
   * is below {@linkcode convergenceCheckpoint}`(b)` and not below that of bucket `b - 1`.
   * Trimmed after the last bucket with a run.
   */
  convergence: { runs: number[]; breaches: number[] };
  /** Steps from regime `i` (row) to regime `j` (column), in {@linkcode REGIMES} order. */
  transitions: number[][];
  /** Breach episodes by the wall they cross. */
  sides: Record<Side, SideCounts>;
  /** Episodes of each flag. */
  episodes: Record<Flag, EpisodeStatsData>;
  /** BREACH frames of each run that breaches (its time beyond a wall). */
  breachFrames: ExactCountsData;
  /** The per-run distributions of {@linkcode RUN_SKETCHES}. */
  sketches: Record<RunSketch, QuantileSketchData>;
}

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
  /** Episodes, breach sides, regime transitions, convergence and per-run distributions. */
  risk: RiskStatsData;
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
  /**
   * The run's index in its batch, from 0, which orders the runs of the breach rate's
   * convergence; a batch's threads and shards pass it, so their merge is exact.
   * @default {the number of runs these statistics held before}
   */
  run?: number;
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
  /** As {@linkcode MonteCarloStatsData.risk}, with its sketches in `sketches` instead. */
  risk: Omit<RiskStatsData, "sketches">;
  /**
   * The largest Y of each run, the spot at its last step, the per-run distributions of
   * {@linkcode RUN_SKETCHES} in that order, then the distribution of each series
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
  /** The per-run distributions of {@linkcode RUN_SKETCHES}. */
  readonly runSketches: Readonly<Record<RunSketch, QuantileSketch>> = runSketches();
  /** Episodes of each flag, in {@linkcode FLAGS} order. */
  readonly episodes: readonly EpisodeStats[] = FLAGS.map(() => ({
    perRun: new ExactCounts(),
    closed: new ExactCounts(),
    open: new ExactCounts(),
  }));
  /** BREACH frames of each run that breaches: its time beyond a wall. */
  readonly breachFrames: ExactCounts = new ExactCounts();
  /**
   * Breach episodes by side, `[side * 3 + k]` with `k` 0 for runs, 1 for episodes and 2 for
   * frames, sides in {@linkcode SIDES} order.
   */
  readonly sides: Float64Array = new Float64Array(SIDES.length * 3);
  /** Steps from regime `i` to regime `j` at `[i * 4 + j]`, over all runs. */
  readonly transitions: Float64Array = new Float64Array(REGIMES.length * REGIMES.length);
  /** Runs by convergence bucket: see {@linkcode RiskStatsData.convergence}. */
  readonly convergenceRuns: Float64Array = new Float64Array(CONVERGENCE_BUCKETS);
  /** Runs with a BREACH by convergence bucket. */
  readonly convergenceBreaches: Float64Array = new Float64Array(CONVERGENCE_BUCKETS);
  /** The run being added: where each flag's open episode started, by flag bit. */
  readonly #started = new Int32Array(FLAGS.length);
  /** The run being added: episodes of each flag so far. */
  readonly #runEpisodes = new Int32Array(FLAGS.length);
  /** The run being added: its regime changes, as {@linkcode MonteCarloStats.transitions}. */
  readonly #runTransitions = new Int32Array(REGIMES.length * REGIMES.length);
  /** The run being added: whether it had a breach episode on each side. */
  readonly #sideHit = new Uint8Array(SIDES.length);
  /** The run being added: the side of its open breach episode. */
  #side = 0;
  /**
   * The run being added: its closed episodes, three numbers each (flag bit, duration, side),
   * kept until the run is whole, so that a refused run leaves none behind.
   */
  readonly #ended: number[] = [];
  /** The run being added: its first BREACH frame's step, -1 before. */
  #firstBreach = -1;
  /** The run being added: its flip when levels do not move, `NaN` when unknown. */
  #flip = NaN;
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
    const run = options?.run ?? this.runs;
    if (!(Number.isSafeInteger(run) && run >= 0)) {
      throw new RangeError(`Cannot add run ${run}: expected a run index from 0`);
    }
    const onBlock = options?.onBlock;
    const counts = this.frameCounts;
    const tally = this.#tally;
    const points = this.#points;
    const pending = this.#pending;
    this.#startRun(cursor);
    let at = this.#pendingRuns * points.length * SERIES.length;
    let p = 0;
    let maxY = -Infinity;
    let firstSpot = NaN;
    let atr = NaN;
    let low = Infinity;
    let high = -Infinity;
    let lastSpot = 0;
    // The previous frame's regime and flags, as a tally cell; -1 before the first frame.
    let cell = -1;
    for (let block = cursor.next(); block; block = cursor.next()) {
      const { start, length, spot } = block.samples;
      const { x, y, z, regime, flags } = block.evaluation;
      if (start === 0) {
        firstSpot = spot[0]!;
        atr = block.samples.levels?.atr?.[0] ?? atrOf(cursor);
      }
      // Two tallies, even and odd steps: consecutive frames mostly share a regime, and with
      // one tally each increment waits for the last (two made this loop about a third faster).
      // A frame whose regime or flags differ from the last is where episodes start and end.
      for (let i = 0; i < length; i++) {
        const load = y[i]!;
        if (load > maxY) maxY = load;
        const key = (regime[i]! << 3) | flags[i]!;
        tally[(i & 1) * CELLS + key]!++;
        if (key !== cell) {
          this.#change(cell, key, block, i);
          cell = key;
        }
        const s = spot[i]!;
        if (s < low) low = s;
        if (s > high) high = s;
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
    this.#endRun(cell);
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
    const sketches = this.runSketches;
    sketches.startSpot.add(firstSpot);
    sketches.finalLoss.add(firstSpot - lastSpot);
    sketches.excursionBelow.add(firstSpot - low);
    sketches.excursionAbove.add(high - firstSpot);
    if (atr > 0 && atr < Infinity) {
      sketches.excursionBelowAtr.add((firstSpot - low) / atr);
      sketches.excursionAboveAtr.add((high - firstSpot) / atr);
    }
    const firstBreach = this.#firstBreach;
    this.convergenceRuns[convergenceBucket(run)]!++;
    if (firstBreach >= 0) {
      this.breachRuns++;
      this.firstBreach.add(firstBreach);
      this.convergenceBreaches[convergenceBucket(run)]!++;
      sketches.finalSpotBreached.add(lastSpot);
      sketches.maxLoadBreached.add(maxY);
    } else {
      sketches.finalSpotClear.add(lastSpot);
      sketches.maxLoadClear.add(maxY);
    }
  }

  /** Clears the state of the run being added, and notes its static flip. */
  #startRun(cursor: RunCursor): void {
    this.#started.fill(0);
    this.#runEpisodes.fill(0);
    this.#runTransitions.fill(0);
    this.#sideHit.fill(0);
    this.#ended.length = 0;
    this.#firstBreach = -1;
    const flip = (cursor.levels as { flip?: unknown } | undefined)?.flip;
    this.#flip = typeof flip === "number" ? flip : NaN;
  }

  /**
   * Notes a frame whose regime or flags (tally cell `to`) differ from the last frame's
   * (`from`, -1 at the run's first frame): a regime transition, and episodes that start or end.
   */
  #change(from: number, to: number, block: RunBlock, i: number): void {
    const step = block.samples.start + i;
    const before = from < 0 ? 0 : from & 7;
    const after = to & 7;
    if (from >= 0 && from >> 3 !== to >> 3) this.#runTransitions[(from >> 3) * 4 + (to >> 3)]!++;
    if (before === after) return;
    for (let bit = 0; bit < FLAGS.length; bit++) {
      const mask = 1 << bit;
      if ((after & mask) !== 0 && (before & mask) === 0) {
        this.#started[bit] = step;
        this.#runEpisodes[bit]!++;
        if (bit === 0) this.#breachStarts(block, i, step);
      } else if ((after & mask) === 0 && (before & mask) !== 0) {
        this.#episodeEnds(bit, step - this.#started[bit]!);
      }
    }
  }

  /** A breach episode starts at frame `i` of a block: its side, and the run's first breach. */
  #breachStarts(block: RunBlock, i: number, step: number): void {
    if (this.#firstBreach < 0) this.#firstBreach = step;
    const flip = block.samples.levels?.flip?.[i] ?? this.#flip;
    this.#side = Number.isNaN(flip) ? 2 : block.samples.spot[i]! >= flip ? 0 : 1;
    this.#sideHit[this.#side] = 1;
  }

  /** An episode of flag `bit` ends after `duration` frames: held until the run is whole. */
  #episodeEnds(bit: number, duration: number): void {
    this.#ended.push(bit, duration, this.#side);
  }

  /**
   * Ends the run being added, whose last frame's tally cell is `cell`: adds its episodes (those
   * still open at its last frame as open), breach sides and regime transitions.
   */
  #endRun(cell: number): void {
    const ended = this.#ended;
    const sides = this.sides;
    let breachFrames = 0;
    const count = (bit: number, duration: number, side: number, open: boolean) => {
      const episodes = this.episodes[bit]!;
      (open ? episodes.open : episodes.closed).add(duration);
      if (bit !== 0) return;
      breachFrames += duration;
      sides[side * 3 + 1]!++;
      sides[side * 3 + 2]! += duration;
    };
    for (let k = 0; k < ended.length; k += 3) count(ended[k]!, ended[k + 1]!, ended[k + 2]!, false);
    for (let bit = 0; bit < FLAGS.length; bit++) {
      if ((cell & (1 << bit)) !== 0) {
        count(bit, this.steps - this.#started[bit]!, this.#side, true);
      }
      this.episodes[bit]!.perRun.add(this.#runEpisodes[bit]!);
    }
    if (this.#firstBreach >= 0) this.breachFrames.add(breachFrames);
    for (let side = 0; side < SIDES.length; side++) this.sides[side * 3]! += this.#sideHit[side]!;
    // A regime's steps to itself: its frames but the run's last, less its steps to another.
    const tally = this.#tally;
    const transitions = this.transitions;
    const changes = this.#runTransitions;
    for (let r = 0; r < REGIMES.length; r++) {
      let frames = r === cell >> 3 ? -1 : 0;
      for (let k = r << 3; k < (r + 1) << 3; k++) frames += tally[k]! + tally[k + CELLS]!;
      for (let j = 0; j < REGIMES.length; j++) {
        const n = changes[r * 4 + j]!;
        transitions[r * 4 + j]! += n;
        frames -= n;
      }
      transitions[r * 5]! += frames;
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
   *   parts[run % 2]!.addRun(await startRun(scenario, { run }), { run });
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
    for (const name of RUN_SKETCHES) this.runSketches[name].merge(other.runSketches[name]);
    this.#mergeRisk(other.#riskJSON());
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

  /** The episode, side, transition and convergence counts as plain JSON. */
  #riskJSON(): Omit<RiskStatsData, "sketches"> {
    let used = CONVERGENCE_BUCKETS;
    while (used > 0 && this.convergenceRuns[used - 1] === 0) used--;
    const transitions: number[][] = [];
    for (let r = 0; r < REGIMES.length; r++) {
      transitions.push([...this.transitions.subarray(r * 4, (r + 1) * 4)]);
    }
    const sides = {} as Record<Side, SideCounts>;
    SIDES.forEach((side, k) => {
      const [runs, episodes, frames] = this.sides.subarray(k * 3, k * 3 + 3) as unknown as [
        number,
        number,
        number,
      ];
      sides[side] = { runs, episodes, frames };
    });
    const episodes = {} as Record<Flag, EpisodeStatsData>;
    FLAGS.forEach((flag, bit) => {
      const e = this.episodes[bit]!;
      episodes[flag] = {
        perRun: e.perRun.toJSON(),
        closed: e.closed.toJSON(),
        open: e.open.toJSON(),
      };
    });
    return {
      convergence: {
        runs: [...this.convergenceRuns.subarray(0, used)],
        breaches: [...this.convergenceBreaches.subarray(0, used)],
      },
      transitions,
      sides,
      episodes,
      breachFrames: this.breachFrames.toJSON(),
    };
  }

  /**
   * Adds another part's episode, side, transition and convergence counts, checking their shape.
   *
   * @throws RangeError when they do not have the shape of {@linkcode RiskStatsData}.
   */
  #mergeRisk(data: Omit<RiskStatsData, "sketches">, where = "statistics"): void {
    const fail = (what: string): never => {
      throw new RangeError(`${where}: "risk.${what}"`);
    };
    if (typeof data !== "object" || data === null) fail("" as string);
    const counts = (list: unknown, length: number | undefined, what: string): number[] => {
      if (
        !Array.isArray(list) || (length !== undefined && list.length !== length) ||
        list.length > CONVERGENCE_BUCKETS || !list.every((n) => Number.isSafeInteger(n) && n >= 0)
      ) fail(`${what}" must hold ${length ?? "at most " + CONVERGENCE_BUCKETS} counts`);
      return list as number[];
    };
    const runs = counts(data.convergence?.runs, undefined, "convergence.runs");
    const breaches = counts(data.convergence?.breaches, runs.length, "convergence.breaches");
    if (!Array.isArray(data.transitions) || data.transitions.length !== REGIMES.length) {
      fail(`transitions" must be ${REGIMES.length} rows`);
    }
    const transitions = data.transitions.map((row, r) =>
      counts(row, REGIMES.length, `transitions[${r}]`)
    );
    const sides = SIDES.map((side) => {
      const c = data.sides?.[side];
      return counts(c && [c.runs, c.episodes, c.frames], 3, `sides.${side}`);
    });
    const episodes = FLAGS.map((flag) => {
      const e = data.episodes?.[flag];
      if (typeof e !== "object" || e === null) fail(`episodes.${flag}" is missing`);
      const at = `${where}: "risk.episodes.${flag}`;
      return {
        perRun: ExactCounts.fromJSON(e.perRun, `${at}.perRun"`),
        closed: ExactCounts.fromJSON(e.closed, `${at}.closed"`),
        open: ExactCounts.fromJSON(e.open, `${at}.open"`),
      };
    });
    const breachFrames = ExactCounts.fromJSON(data.breachFrames, `${where}: "risk.breachFrames"`);
    runs.forEach((n, b) => {
      this.convergenceRuns[b]! += n;
      this.convergenceBreaches[b]! += breaches[b]!;
    });
    transitions.forEach((row, r) => row.forEach((n, j) => this.transitions[r * 4 + j]! += n));
    sides.forEach((row, k) => row.forEach((n, j) => this.sides[k * 3 + j]! += n));
    episodes.forEach((e, bit) => {
      const mine = this.episodes[bit]!;
      mine.perRun.merge(e.perRun);
      mine.closed.merge(e.closed);
      mine.open.merge(e.open);
    });
    this.breachFrames.merge(breachFrames);
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
      risk: {
        ...this.#riskJSON(),
        sketches: Object.fromEntries(
          RUN_SKETCHES.map((name) => [name, this.runSketches[name].toJSON()]),
        ) as Record<RunSketch, QuantileSketchData>,
      },
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
      risk: this.#riskJSON(),
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
    this.#mergeRisk(data.risk);
    QuantileSketch.mergePacked(this.#sketches(data.levels ? moving : null), data.sketches);
  }

  /** Checks that the episode and per-run statistics hold as many runs and frames as the rest. */
  #checkRisk(fail: (what: string) => never): void {
    const runs = this.runs;
    const holds = (what: string, n: number, expected: number) => {
      if (n !== expected) fail(`"${what}" holds ${n}, expected ${expected}`);
    };
    const sk = this.runSketches;
    for (const name of ["startSpot", "finalLoss", "excursionBelow", "excursionAbove"] as const) {
      holds(`risk.sketches.${name}`, sk[name].count, runs);
    }
    holds("risk.sketches.finalSpotBreached", sk.finalSpotBreached.count, this.breachRuns);
    holds("risk.sketches.maxLoadBreached", sk.maxLoadBreached.count, this.breachRuns);
    holds("risk.sketches.finalSpotClear", sk.finalSpotClear.count, runs - this.breachRuns);
    holds("risk.sketches.maxLoadClear", sk.maxLoadClear.count, runs - this.breachRuns);
    holds("risk.convergence.runs", this.convergenceRuns.reduce((a, b) => a + b, 0), runs);
    holds(
      "risk.convergence.breaches",
      this.convergenceBreaches.reduce((a, b) => a + b, 0),
      this.breachRuns,
    );
    holds("risk.breachFrames", this.breachFrames.count, this.breachRuns);
    FLAGS.forEach((flag, bit) =>
      holds(`risk.episodes.${flag}.perRun`, this.episodes[bit]!.perRun.count, runs)
    );
    const transitions = this.transitions.reduce((a, b) => a + b, 0);
    holds("risk.transitions", transitions, runs * (this.steps - 1));
  }

  /** Every sketch, in {@linkcode MonteCarloStatsSnapshot.sketches} order. */
  #sketches(moving: MovingLevels | null | undefined = this.#moving): QuantileSketch[] {
    const series = this.series;
    const sketches = [
      this.maxLoad,
      this.finalSpot,
      ...RUN_SKETCHES.map((name) => this.runSketches[name]),
      ...SERIES.flatMap((name) => series[name]),
    ];
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
    if (typeof data.risk !== "object" || data.risk === null) fail(`"risk" is missing`);
    stats.#mergeRisk(data.risk, where);
    for (const name of RUN_SKETCHES) {
      const sketch = data.risk.sketches?.[name];
      if (sketch === undefined) fail(`"risk.sketches.${name}" is missing`);
      stats.runSketches[name].merge(
        QuantileSketch.fromJSON(sketch, `${where}.risk.sketches.${name}`),
      );
    }
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
    stats.#checkRisk(fail);
    return stats;
  }
}

/** Empty sketches of {@linkcode RUN_SKETCHES}. */
function runSketches(): Record<RunSketch, QuantileSketch> {
  const sketches = {} as Record<RunSketch, QuantileSketch>;
  for (const name of RUN_SKETCHES) sketches[name] = new QuantileSketch(RUN_SKETCH_OPTIONS[name]);
  return sketches;
}

/** The ATR a run's evaluator publishes, `NaN` when it publishes none. */
function atrOf(cursor: RunCursor): number {
  const atr = (cursor.levels as { atr?: unknown } | undefined)?.atr;
  return typeof atr === "number" ? atr : NaN;
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

/**
 * The version of `<name>.summary.json`'s format, its `formatVersion`: 2 added the breach rate's
 * standard error and convergence, final loss with VaR and expected shortfall, adverse
 * excursions, breach sides, episodes, time beyond the wall and to re-enter, snap-back, regime
 * transitions and statistics conditional on a breach. Every version only adds keys, so a
 * reader of an older one reads a newer one by ignoring the keys it does not know.
 */
export const SUMMARY_FORMAT_VERSION = 2;

/** The summary of a Monte Carlo batch: `<name>.summary.json`. No timings: same inputs, same bytes. */
export interface MonteCarloSummary {
  /** {@linkcode SUMMARY_FORMAT_VERSION}. */
  formatVersion: number;
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
  /** The breach rate's Monte Carlo standard error, `sqrt(p (1 - p) / runs)`. */
  breachRateStandardError: number;
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
  /** Percentiles of spot at step 0 (all equal when every run starts at the same spot). */
  startSpotQuantiles: Percentiles;
  /** The running breach rate in run order. */
  breachConvergence: BreachConvergence;
  /** Loss at the last step relative to the start, with VaR and expected shortfall. */
  finalLoss: FinalLoss;
  /** Each run's largest move against a long position (below the start) and a short (above). */
  maxAdverseExcursion: AdverseExcursions;
  /** Breach episodes by the wall crossed. */
  breachSides: BreachSides;
  /** Per breaching run, its frames with Z < 0 (BREACH frames). */
  timeBeyondWall: TimeBeyondWall;
  /** Frames from a breach episode's first frame to the first frame back inside the walls. */
  timeToReenter: TimeToReenter;
  /** Share of breach episodes back inside within each of {@linkcode SNAP_BACK_STEPS}. */
  snapBack: SnapBack;
  /** Episodes of each flag: maximal stretches of consecutive frames that carry it. */
  episodes: Record<Flag, EpisodeSummary>;
  /** Steps from one regime to the next, over all runs. */
  regimeTransitions: RegimeTransitions;
  /** Statistics of the runs that breached and of those that did not. */
  conditional: { breached: ConditionalStats; clear: ConditionalStats };
  /**
   * The steps the per-step series below are kept at ({@linkcode timelineSteps}), and their
   * timestamps when the frames carry them. (A sweep's rows leave out this and the series.)
   */
  timeline?: SummaryTimeline;
  /**
   * Per quantity (spot, X, Y, Z), its percentiles over the runs at each step of
   * `timeline.steps`: the fan the report draws, and the flight view overlays on a run.
   */
  series?: Record<Series, LevelSeries>;
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
     * Largest relative error of the final loss, VaR, expected shortfall and adverse excursion
     * figures; moves within `zeroBelow` of 0 count as 0.
     */
    moveRelativeError: number;
    /** Moves smaller in magnitude count as 0. */
    moveZeroBelow: number;
    /**
     * Largest relative error of the moving levels' percentiles, only when levels moved; a step
     * where every run has the same level gives it exactly.
     */
    levelRelativeError?: number;
  };
}

/** {@linkcode MonteCarloSummary.breachConvergence}. */
export interface BreachConvergence {
  /**
   * Run counts, ascending: {@linkcode convergenceCheckpoint}s (1, 2, 3, 4, 5, 6, 7, 8, 10,
   * ...) below the batch's runs, then the batch's runs.
   */
  runs: number[];
  /** The breach rate of the first `runs[k]` runs, in run order. */
  breachRate: number[];
  /** Its Monte Carlo standard error. */
  standardError: number[];
}

/** {@linkcode MonteCarloSummary.finalLoss}. */
export interface FinalLoss {
  /** The sign convention. */
  definition: string;
  /** Percentiles of the loss. */
  quantiles: Percentiles;
  /** 95% value at risk: the 95th percentile of the loss. */
  var95: number;
  /** 95% expected shortfall: the mean of the worst 5% of losses (`ceil(runs / 20)` runs). */
  es95: number;
  /** 99% value at risk. */
  var99: number;
  /** 99% expected shortfall: the mean of the worst `ceil(runs / 100)` losses. */
  es99: number;
}

/** Percentiles of an adverse excursion, in price and in ATRs. */
export interface Excursion {
  /** Price units. */
  price: Percentiles;
  /** ATRs at step 0; `null` when the evaluator publishes no ATR. */
  atr: Percentiles | null;
}

/** {@linkcode MonteCarloSummary.maxAdverseExcursion}. */
export interface AdverseExcursions {
  /** What is measured. */
  definition: string;
  /** The largest fall below the start spot: a long position's. */
  below: Excursion;
  /** The largest rise above the start spot: a short position's. */
  above: Excursion;
}

/** {@linkcode MonteCarloSummary.breachSides}. */
export interface BreachSides {
  /** Breaches of the call wall (spot at or above the flip as the episode starts). */
  call: SideCounts;
  /** Breaches of the put wall (spot below the flip). */
  put: SideCounts;
  /** Only when the evaluator publishes no flip: episodes whose side is unknown. */
  unknown?: SideCounts;
}

/** {@linkcode MonteCarloSummary.timeBeyondWall}. */
export interface TimeBeyondWall {
  /** Runs with a BREACH frame. */
  runs: number;
  /** Mean BREACH frames per breaching run; `null` when none breaches. */
  mean: number | null;
  /** Percentiles of BREACH frames per breaching run, exact; `null` when none breaches. */
  quantiles: Percentiles | null;
}

/** {@linkcode MonteCarloSummary.timeToReenter}. */
export interface TimeToReenter {
  /** Breach episodes that ended before their run did: they re-entered. */
  reentered: number;
  /** Breach episodes still beyond the wall at their run's last frame. */
  neverReentered: number;
  /** Percentiles of the frames to re-enter of the episodes that did, exact; `null` if none. */
  quantiles: Percentiles | null;
}

/** {@linkcode MonteCarloSummary.snapBack}. */
export interface SnapBack {
  /** Breach episodes. */
  episodes: number;
  /** The steps, {@linkcode SNAP_BACK_STEPS}. */
  within: number[];
  /** Share of breach episodes back inside within each of `within` steps; `null` when none. */
  probability: number[] | null;
}

/** One flag's entry in {@linkcode MonteCarloSummary.episodes}. */
export interface EpisodeSummary {
  /** Episodes over all runs. */
  count: number;
  /** Of them, still in force at the run's last frame. */
  open: number;
  /** Mean episodes per run. */
  meanPerRun: number;
  /** Percentiles of episodes per run, exact. */
  perRun: Percentiles;
  /**
   * Percentiles of the duration in frames of every episode, exact (an open episode counted
   * with its frames so far); `null` when there is none.
   */
  duration: Percentiles | null;
}

/** {@linkcode MonteCarloSummary.regimeTransitions}. */
export interface RegimeTransitions {
  /** Row and column order. */
  regimes: Regime[];
  /** Steps from regime `regimes[i]` at step t to `regimes[j]` at t + 1, over all runs. */
  counts: number[][];
  /** Each row as shares of its total: the chance of the next step's regime; `null` rows when none. */
  shares: (number[] | null)[];
}

/** One side of {@linkcode MonteCarloSummary.conditional}. */
export interface ConditionalStats {
  /** Runs. */
  runs: number;
  /** Percentiles of spot at the last step; `null` when there is no such run. */
  finalSpot: Percentiles | null;
  /** Percentiles of each run's largest Y; `null` when there is no such run. */
  maxLoad: Percentiles | null;
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

/** The 5th, 50th and 95th percentiles of each of a series' sketches, step by step. */
function seriesOf(sketches: readonly QuantileSketch[]): LevelSeries {
  const series: LevelSeries = { p5: [], p50: [], p95: [] };
  for (const sketch of sketches) {
    const [p5, p50, p95] = sketch.quantiles([5, 50, 95]) as [number, number, number];
    series.p5.push(p5), series.p50.push(p50), series.p95.push(p95);
  }
  return series;
}

function percentiles(get: (p: number) => number | undefined): Percentiles {
  return { p5: get(5)!, p50: get(50)!, p95: get(95)! };
}

/** A sketch's or counts' percentiles, `null` when empty. */
function percentilesOf(source: QuantileSketch | ExactCounts): Percentiles | null {
  return source.count === 0 ? null : percentiles((p) => source.quantile(p));
}

/** The running breach rate at each checkpoint, from the convergence buckets. */
function convergenceOf(stats: MonteCarloStats): BreachConvergence {
  const out: BreachConvergence = { runs: [], breachRate: [], standardError: [] };
  let runs = 0, breaches = 0;
  stats.convergenceRuns.forEach((n, b) => {
    runs += n;
    breaches += stats.convergenceBreaches[b]!;
    if (n === 0) return;
    const rate = breaches / runs;
    out.runs.push(runs);
    out.breachRate.push(rate);
    out.standardError.push(Math.sqrt((rate * (1 - rate)) / runs));
  });
  return out;
}

/** VaR and expected shortfall at `level` (such as 0.95) of a loss sketch. */
function valueAtRisk(loss: QuantileSketch, level: number): [number, number] {
  const tail = Math.max(1, Math.ceil(loss.count * (1 - level) - 1e-9));
  return [loss.quantile(100 * level)!, loss.tailMean(tail)!];
}

/** The event and risk parts of a summary. */
function riskSummary(stats: MonteCarloStats): Pick<
  MonteCarloSummary,
  | "startSpotQuantiles"
  | "breachConvergence"
  | "finalLoss"
  | "maxAdverseExcursion"
  | "breachSides"
  | "timeBeyondWall"
  | "timeToReenter"
  | "snapBack"
  | "episodes"
  | "regimeTransitions"
  | "conditional"
> {
  const sk = stats.runSketches;
  const [var95, es95] = valueAtRisk(sk.finalLoss, 0.95);
  const [var99, es99] = valueAtRisk(sk.finalLoss, 0.99);
  const side = (k: number): SideCounts => {
    const [runs, episodes, frames] = [0, 1, 2].map((j) => stats.sides[k * 3 + j]!) as [
      number,
      number,
      number,
    ];
    return { runs, episodes, frames };
  };
  const unknown = side(2);
  const breach = stats.episodes[0]!;
  const reentered = breach.closed.count;
  const all = breach.closed.count + breach.open.count;
  const episodes = {} as Record<Flag, EpisodeSummary>;
  FLAGS.forEach((flag, bit) => {
    const e = stats.episodes[bit]!;
    const durations = new ExactCounts();
    durations.merge(e.closed);
    durations.merge(e.open);
    episodes[flag] = {
      count: durations.count,
      open: e.open.count,
      meanPerRun: durations.count / stats.runs,
      perRun: percentiles((p) => e.perRun.quantile(p)),
      duration: percentilesOf(durations),
    };
  });
  const counts: number[][] = [];
  const shares: (number[] | null)[] = [];
  for (let r = 0; r < REGIMES.length; r++) {
    const row = [...stats.transitions.subarray(r * 4, r * 4 + 4)];
    const total = row.reduce((a, b) => a + b, 0);
    counts.push(row);
    shares.push(total === 0 ? null : row.map((n) => n / total));
  }
  const breachFrames = stats.breachFrames;
  let frames = 0;
  for (const [n, runs] of breachFrames.toJSON()) frames += n * runs;
  const conditional = (breached: boolean): ConditionalStats => ({
    runs: breached ? stats.breachRuns : stats.runs - stats.breachRuns,
    finalSpot: percentilesOf(breached ? sk.finalSpotBreached : sk.finalSpotClear),
    maxLoad: percentilesOf(breached ? sk.maxLoadBreached : sk.maxLoadClear),
  });
  return {
    startSpotQuantiles: percentiles((p) => sk.startSpot.quantile(p)),
    breachConvergence: convergenceOf(stats),
    finalLoss: {
      definition:
        "spot at step 0 minus spot at the last step, price units, per run: positive is a loss to a long position, negative a gain",
      quantiles: percentiles((p) => sk.finalLoss.quantile(p)),
      var95,
      es95,
      var99,
      es99,
    },
    maxAdverseExcursion: {
      definition:
        "per run, the largest distance of spot below (a long position's) and above (a short position's) its spot at step 0, 0 if it never goes there; in price units and in ATRs at step 0",
      below: { price: percentilesOf(sk.excursionBelow)!, atr: percentilesOf(sk.excursionBelowAtr) },
      above: { price: percentilesOf(sk.excursionAbove)!, atr: percentilesOf(sk.excursionAboveAtr) },
    },
    breachSides: {
      call: side(0),
      put: side(1),
      ...(unknown.episodes > 0 ? { unknown } : {}),
    },
    timeBeyondWall: {
      runs: breachFrames.count,
      mean: breachFrames.count === 0 ? null : frames / breachFrames.count,
      quantiles: percentilesOf(breachFrames),
    },
    timeToReenter: {
      reentered,
      neverReentered: breach.open.count,
      quantiles: percentilesOf(breach.closed),
    },
    snapBack: {
      episodes: all,
      within: [...SNAP_BACK_STEPS],
      probability: all === 0 ? null : SNAP_BACK_STEPS.map((n) => {
        let back = 0;
        for (const [duration, k] of breach.closed.toJSON()) if (duration <= n) back += k;
        return back / all;
      }),
    },
    episodes,
    regimeTransitions: { regimes: [...REGIMES], counts, shares },
    conditional: { breached: conditional(true), clear: conditional(false) },
  };
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
    movingLevels[name] = seriesOf(sketches);
  }
  const timeline: SummaryTimeline = {
    steps: [...stats.timeline],
    ...(dates ? { dates: [...dates] } : {}),
  };
  const series = {} as Record<Series, LevelSeries>;
  SERIES.forEach((name) => (series[name] = seriesOf(stats.series[name])));
  const p = stats.breachRuns / stats.runs;
  return {
    formatVersion: SUMMARY_FORMAT_VERSION,
    scenario: options.scenario,
    runs: stats.runs,
    steps: stats.steps,
    seed: options.seed,
    breachRuns: stats.breachRuns,
    breachRate: stats.breachRuns / stats.runs,
    breachRateCI95: wilsonInterval(stats.breachRuns, stats.runs),
    breachRateStandardError: Math.sqrt((p * (1 - p)) / stats.runs),
    maxLoad: stats.maxLoad.max,
    maxLoadQuantiles: percentiles((p) => stats.maxLoad.quantile(p)),
    regimeShare,
    flagCounts,
    firstBreachStep: breach.count === 0 ? null : percentiles((p) => breach.quantile(p)),
    finalSpotQuantiles: percentiles((p) => stats.finalSpot.quantile(p)),
    timeline,
    series,
    ...(levels ? { movingLevels } : {}),
    quantiles: {
      definition: "nearest rank: the pth percentile of n values is the value of rank ceil(p*n/100)",
      method:
        "fixed-grid log-bucket sketch (exact merge); first-breach steps, episode counts and durations are counted exactly",
      spotRelativeError: stats.finalSpot.relativeError,
      stateRelativeError: stats.maxLoad.relativeError,
      moveRelativeError: stats.runSketches.finalLoss.relativeError,
      moveZeroBelow: stats.runSketches.finalLoss.zeroBelow,
      ...(levels ? { levelRelativeError: Object.values(levels)[0]![0]!.relativeError } : {}),
    },
    ...riskSummary(stats),
  };
}
