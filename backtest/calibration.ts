/**
 * Calibration of predicted probabilities against what happened: a reliability table over equal
 * probability buckets, with Wilson intervals, and the Brier score against the climatological
 * base rate.
 *
 * Overlapping windows make neighbouring days dependent: with a horizon of N sessions, the
 * outcomes of days d and d + 1 share N - 1 sessions. The intervals computed as if every day
 * were independent are then too narrow; each bucket also carries an interval over an effective
 * sample size, its count divided by the horizon (one independent window per N days), a
 * conservative rule of thumb rather than an exact correction.
 *
 * @module
 */
import { wilsonInterval, Z95 } from "../montecarlo/stats.ts";

/** Number of equal probability buckets of a calibration table. */
export const BUCKETS = 10;

/** One bucket of a calibration table: the days whose predicted probability fell in it. */
export interface CalibrationBucket {
  /** Lowest predicted probability of the bucket, inclusive. */
  readonly low: number;
  /** Highest predicted probability of the bucket: exclusive, except 1 for the last. */
  readonly high: number;
  /** Days in the bucket. */
  readonly count: number;
  /** Mean predicted probability of those days; null for an empty bucket. */
  readonly meanPredicted: number | null;
  /** Days whose event happened. */
  readonly observed: number;
  /** `observed / count`; null for an empty bucket. */
  readonly frequency: number | null;
  /** 95% Wilson interval of the frequency, days taken as independent; null when empty. */
  readonly interval: readonly [number, number] | null;
  /** 95% Wilson interval over the effective sample size `count / horizon`; null when empty. */
  readonly effectiveInterval: readonly [number, number] | null;
}

/** Scores and table of one event's predictions against outcomes. */
export interface Calibration {
  /** Days scored. */
  readonly days: number;
  /** Days whose event happened. */
  readonly events: number;
  /** The climatological base rate, `events / days`. */
  readonly baseRate: number;
  /** Mean predicted probability. */
  readonly meanPredicted: number;
  /** Brier score: mean of `(predicted - observed)^2`, 0 best. */
  readonly brier: number;
  /** Brier score of always predicting the base rate: `baseRate * (1 - baseRate)`. */
  readonly brierClimatology: number;
  /** Skill score `1 - brier / brierClimatology`: above 0 beats the base rate; null when it is 0. */
  readonly skill: number | null;
  /**
   * Reliability term of the bucketed Brier decomposition, `sum n_k (p_k - o_k)^2 / n`: 0 for
   * a model whose buckets' mean predictions equal their frequencies.
   */
  readonly reliability: number;
  /** Resolution term, `sum n_k (o_k - baseRate)^2 / n`: how far the buckets sort the outcomes. */
  readonly resolution: number;
  /** Effective sample size used for the effective intervals: `days / horizon`. */
  readonly effectiveDays: number;
  /** Non-empty buckets whose mean prediction lies outside their effective interval. */
  readonly bucketsOutside: number;
  /** The buckets, lowest first, empty ones included. */
  readonly buckets: readonly CalibrationBucket[];
}

/** Settings of {@linkcode calibrate}. */
export interface CalibrateOptions {
  /**
   * The horizon of the outcomes, in sessions: the effective sample size of a bucket is its
   * count divided by it. @default {1}
   */
  horizon?: number;
}

/**
 * Scores predicted probabilities against outcomes.
 *
 * @param predicted Predicted probability per day, each in [0, 1].
 * @param observed Outcome per day: true when the event happened.
 * @param options The horizon, for the effective sample size.
 * @returns The table, the Brier scores and the skill score.
 * @throws RangeError when the lists differ in length, are empty, or a probability is outside
 * [0, 1].
 *
 * @example Perfectly sure and right scores 0
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { calibrate } from "./calibration.ts";
 *
 * const result = calibrate([1, 0, 1, 0], [true, false, true, false]);
 * assertEquals([result.brier, result.baseRate, result.skill], [0, 0.5, 1]);
 * ```
 */
export function calibrate(
  predicted: ArrayLike<number>,
  observed: ArrayLike<boolean>,
  options: CalibrateOptions = {},
): Calibration {
  const n = predicted.length;
  const horizon = options.horizon ?? 1;
  if (n !== observed.length) {
    throw new RangeError(`Cannot calibrate ${n} predictions against ${observed.length} outcomes`);
  }
  if (n === 0) throw new RangeError("Cannot calibrate no predictions");
  if (!(horizon >= 1 && Number.isFinite(horizon))) {
    throw new RangeError(`Cannot calibrate over a horizon of ${horizon}: expected a number >= 1`);
  }
  const counts = new Array<number>(BUCKETS).fill(0);
  const hits = new Array<number>(BUCKETS).fill(0);
  const sums = new Array<number>(BUCKETS).fill(0);
  let events = 0, squares = 0, total = 0;
  for (let i = 0; i < n; i++) {
    const p = predicted[i]!, o = observed[i] ? 1 : 0;
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(
        `Cannot calibrate predicted probability ${p} (day ${i}): expected [0, 1]`,
      );
    }
    const k = bucketOf(p);
    counts[k]!++, hits[k]! += o, sums[k]! += p;
    events += o, total += p, squares += (p - o) ** 2;
  }
  const baseRate = events / n;
  const brier = squares / n;
  const brierClimatology = baseRate * (1 - baseRate);
  let reliability = 0, resolution = 0, outside = 0;
  const buckets: CalibrationBucket[] = [];
  for (let k = 0; k < BUCKETS; k++) {
    const count = counts[k]!, observedCount = hits[k]!;
    const low = k / BUCKETS, high = (k + 1) / BUCKETS;
    if (count === 0) {
      buckets.push({
        low,
        high,
        count,
        meanPredicted: null,
        observed: 0,
        frequency: null,
        interval: null,
        effectiveInterval: null,
      });
      continue;
    }
    const mean = sums[k]! / count, frequency = observedCount / count;
    const effective = wilsonReal(frequency, count / horizon);
    reliability += count * (mean - frequency) ** 2;
    resolution += count * (frequency - baseRate) ** 2;
    if (mean < effective[0] || mean > effective[1]) outside++;
    buckets.push({
      low,
      high,
      count,
      meanPredicted: mean,
      observed: observedCount,
      frequency,
      interval: wilsonInterval(observedCount, count),
      effectiveInterval: effective,
    });
  }
  return {
    days: n,
    events,
    baseRate,
    meanPredicted: total / n,
    brier,
    brierClimatology,
    skill: brierClimatology > 0 ? 1 - brier / brierClimatology : null,
    reliability: reliability / n,
    resolution: resolution / n,
    effectiveDays: n / horizon,
    bucketsOutside: outside,
    buckets,
  };
}

/**
 * The bucket of a predicted probability: `floor(p * 10)`, with 1 in the last bucket.
 *
 * @param p A probability in [0, 1].
 * @returns The bucket index, 0 to {@linkcode BUCKETS} - 1.
 *
 * @example Edges go up, except 1
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { bucketOf } from "./calibration.ts";
 *
 * assertEquals([bucketOf(0), bucketOf(0.1), bucketOf(0.0999), bucketOf(1)], [0, 1, 0, 9]);
 * ```
 */
export function bucketOf(p: number): number {
  // 0.3 * 10 is 3 exactly, but 0.7 * 10 is 7.000000000000001: compare against k / 10 instead.
  let k = Math.min(BUCKETS - 1, Math.floor(p * BUCKETS));
  if (k > 0 && p < k / BUCKETS) k--;
  else if (k < BUCKETS - 1 && p >= (k + 1) / BUCKETS) k++;
  return k;
}

/**
 * The 95% Wilson score interval of a frequency over a sample size that need not be whole (an
 * effective sample size): the formula of {@linkcode wilsonInterval} with `n` real.
 *
 * @param frequency The observed frequency, in [0, 1].
 * @param n The sample size, > 0.
 * @returns `[low, high]`.
 *
 * @example The same as wilsonInterval for a whole n
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { wilsonReal } from "./calibration.ts";
 *
 * assertAlmostEquals(wilsonReal(12 / 1000, 1000)[0], 0.0068776, 1e-7);
 * ```
 */
export function wilsonReal(frequency: number, n: number): [number, number] {
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / n;
  const center = (frequency + z2 / (2 * n)) / denominator;
  const half = (Z95 / denominator) *
    Math.sqrt((frequency * (1 - frequency)) / n + z2 / (4 * n * n));
  return [
    frequency === 0 ? 0 : Math.max(0, center - half),
    frequency === 1 ? 1 : Math.min(1, center + half),
  ];
}
