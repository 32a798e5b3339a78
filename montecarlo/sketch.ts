/**
 * Mergeable distributions for Monte Carlo statistics: a fixed-grid quantile sketch with a
 * guaranteed relative error, and exact counts for whole numbers.
 *
 * Both merge exactly: merging is adding counts bucket by bucket, which is commutative and
 * associative, so any split of the runs across workers, shards or machines gives the same
 * counts and so the same bytes.
 *
 * ## The quantile sketch
 *
 * {@linkcode QuantileSketch} is a fixed-grid log-bucket sketch in the style of DDSketch
 * (Masson, Rim and Lee, VLDB 2019). Each power of two is split into `2^bits` equal-width
 * buckets; a value's bucket is read straight from the top bits of its IEEE 754 encoding (the
 * exponent and the first `bits` bits of the mantissa), so no logarithm is computed. A bucket
 * `[lo, hi)` has `hi - lo <= lo * 2^-bits`, and a quantile is answered with the bucket's
 * midpoint, so the answer is within a relative error of `2^-(bits + 1)` of the exact value:
 * 0.39% with 7 bits, 0.012% with 12 bits. Negative values go to a mirrored set of buckets, and
 * values smaller in magnitude than `zeroBelow` (by default `2^-1022`: zero and subnormals) to
 * a zero bucket answered as 0, within `zeroBelow` of the exact value. A larger `zeroBelow`
 * saves the buckets of powers of two nobody reads, such as the many octaves between 0.001 and
 * 1e-300 when values cross zero. The smallest and largest values are kept exactly.
 *
 * Quantiles use the nearest-rank definition: the `p`th percentile of `n` values is the value
 * of rank `max(1, ceil(p * n / 100))` in ascending order. The sketch finds that rank exactly
 * and answers with its bucket's midpoint, clamped to the exact minimum and maximum; `p = 0`
 * and `p = 100` give the exact minimum and maximum.
 *
 * @module
 */

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
/** Index of the high 32-bit word of a float64 in {@linkcode scratchWords}. */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LOW = 1 - HIGH;
const SIGN = 0x7fffffff;
/** High word of +Infinity: every finite positive float64 is below it. */
const INFINITE = 0x7ff00000;

let lastBuffer: ArrayBufferLike | undefined;
let lastWords: Uint32Array = new Uint32Array(0);

/**
 * The 32-bit words of a buffer of float64s, kept for the next call: a batch adds the values of
 * one buffer to hundreds of sketches in a row, and a view each time was garbage to collect.
 */
function wordsOf(buffer: ArrayBufferLike): Uint32Array {
  if (buffer !== lastBuffer) {
    lastWords = new Uint32Array(buffer, 0, buffer.byteLength >> 2);
    lastBuffer = buffer;
  }
  return lastWords;
}

/** Settings of a {@linkcode QuantileSketch}. */
export interface QuantileSketchOptions {
  /**
   * Buckets per power of two, as a power of two: `2^bits`. The relative error of a quantile is
   * at most `2^-(bits + 1)`; memory grows as `2^bits` per power of two the values span. An
   * integer from 0 to 16.
   *
   * @default {7}
   */
  bits?: number;
  /**
   * Values smaller in magnitude go to the zero bucket, answered as 0: a power of two from
   * `2^-1022` to `2^1023`.
   *
   * @default {2 ** -1022}
   */
  zeroBelow?: number;
}

/** A sketch as plain JSON: counts of the non-empty range of each side's buckets. */
export interface QuantileSketchData {
  /** Bucket resolution, see {@linkcode QuantileSketchOptions.bits}. */
  bits: number;
  /** The zero bucket's bound, see {@linkcode QuantileSketchOptions.zeroBelow}; absent for the default. */
  zeroBelow?: number;
  /** Number of values. */
  count: number;
  /** Smallest value, or `null` when empty. */
  min: number | null;
  /** Largest value, or `null` when empty. */
  max: number | null;
  /** Values in the zero bucket. */
  zero: number;
  /**
   * Positive buckets: the first bucket's key, then the count of each bucket from there, a run
   * of `k` empty buckets written as `-k`.
   */
  positive: number[];
  /** Negative buckets, by the key of the magnitude: the first key, then the counts. */
  negative: number[];
}

/** One side's buckets in a {@linkcode QuantileSketchSnapshot}: the first key and the counts. */
export interface BucketsSnapshot {
  /** Key of the first bucket. */
  offset: number;
  /** Counts of consecutive buckets. */
  counts: Float64Array<ArrayBuffer>;
}

/**
 * A sketch as structured-cloneable data holding its counts in typed arrays, which a thread
 * posts to another with their buffers transferred: much cheaper than its JSON.
 */
export interface QuantileSketchSnapshot {
  /** Bucket resolution. */
  bits: number;
  /** The zero bucket's bound. */
  zeroBelow: number;
  /** Number of values. */
  count: number;
  /** Smallest value, `Infinity` when empty. */
  min: number;
  /** Largest value, `-Infinity` when empty. */
  max: number;
  /** Values in the zero bucket. */
  zero: number;
  /** Positive buckets. */
  positive: BucketsSnapshot;
  /** Negative buckets, by the key of the magnitude. */
  negative: BucketsSnapshot;
}

/** Numbers a sketch in {@linkcode PackedSketches.scalars}. */
const PACKED_SCALARS = 10;

/** Many sketches in two typed arrays, from {@linkcode QuantileSketch.pack}. */
export interface PackedSketches {
  /**
   * Ten numbers a sketch: bits, zeroBelow, count, min, max and zero, then the first key and
   * the number of counts of the positive side, and of the negative side.
   */
  scalars: Float64Array<ArrayBuffer>;
  /** Each sketch's counts, positive side then negative, one sketch after another. */
  counts: Float64Array<ArrayBuffer>;
}

/** Counts of consecutive bucket keys, growing as keys arrive. */
class Buckets {
  offset = 0;
  counts: Float64Array = new Float64Array(0);

  /** Adds `n` to the bucket `key`, growing the window when it lies outside. */
  add(key: number, n: number): void {
    let i = key - this.offset;
    if (i < 0 || i >= this.counts.length) {
      this.grow(key, key);
      i = key - this.offset;
    }
    this.counts[i]! += n;
  }

  /** Widens the window, if need be, to hold keys `low` to `high` (none when `low > high`). */
  fit(low: number, high: number): void {
    if (low <= high && !this.holds(low, high - low + 1)) this.grow(low, high);
  }

  /** Widens the window to hold keys `low` to `high`, at least doubling it on the side it grows. */
  grow(low: number, high: number): void {
    const length = this.counts.length;
    let from = this.offset;
    let to = this.offset + length;
    if (length === 0) {
      from = Math.max(0, low - 32);
      to = Math.max(high + 33, from + 64);
    } else {
      if (low < from) from = Math.max(0, Math.min(low, from - length));
      if (high >= to) to = Math.max(high + 1, to + length);
    }
    const counts = new Float64Array(to - from);
    if (length > 0) counts.set(this.counts, this.offset - from);
    this.offset = from;
    this.counts = counts;
  }

  /** Whether the window holds keys `key` to `key + length - 1`. */
  holds(key: number, length: number): boolean {
    return key >= this.offset && key + length <= this.offset + this.counts.length;
  }

  /** The first and one past the last key with a count, or `[0, 0]` when empty. */
  range(): [number, number] {
    const c = this.counts;
    let a = 0;
    while (a < c.length && c[a] === 0) a++;
    if (a === c.length) return [0, 0];
    let b = c.length;
    while (c[b - 1] === 0) b--;
    return [this.offset + a, this.offset + b];
  }

  /** The first key, then each count, with a run of `k` empty buckets written as `-k`. */
  toJSON(): number[] {
    const [a, b] = this.range();
    if (a === b) return [];
    const out = [a];
    let empty = 0;
    for (let i = a - this.offset; i < b - this.offset; i++) {
      const n = this.counts[i]!;
      if (n === 0) {
        empty++;
        continue;
      }
      if (empty > 0) out.push(-empty);
      empty = 0;
      out.push(n);
    }
    return out;
  }

  merge(other: Buckets): void {
    const [a, b] = other.range();
    this.mergeCounts(a, other.counts, a - other.offset, b - a);
  }

  /** Adds `length` counts of `source` from index `from`, to the buckets from key `key` on. */
  mergeCounts(key: number, source: Float64Array, from: number, length: number): void {
    if (!this.holds(key, length)) {
      // A packed window may have empty ends: trim them before growing to hold them.
      for (; length > 0 && source[from] === 0; length--) from++, key++;
      while (length > 0 && source[from + length - 1] === 0) length--;
    }
    if (length === 0) return;
    if (!this.holds(key, length)) this.grow(key, key + length - 1);
    const counts = this.counts;
    const shift = key - this.offset - from;
    for (let i = from; i < from + length; i++) counts[shift + i]! += source[i]!;
  }

  /** The non-empty range as a key and a copy of its counts, for another thread. */
  snapshot(): BucketsSnapshot {
    const [a, b] = this.range();
    return { offset: a, counts: this.counts.slice(a - this.offset, b - this.offset) };
  }

  /** Buckets holding a {@linkcode Buckets.snapshot}'s counts, which they take over. */
  static fromSnapshot(data: BucketsSnapshot): Buckets {
    const buckets = new Buckets();
    buckets.offset = data.offset;
    buckets.counts = data.counts;
    return buckets;
  }

  /** Reads {@linkcode Buckets.toJSON} data, checking every entry. */
  static read(data: readonly number[], where: string): Buckets {
    const buckets = new Buckets();
    if (data.length === 0) return buckets;
    const offset = data[0]!;
    let length = 0;
    let good = Number.isSafeInteger(offset) && offset >= 0;
    for (let i = 1; i < data.length && good; i++) {
      const n = data[i]!;
      good = Number.isSafeInteger(n) && n !== 0;
      length += n > 0 ? 1 : -n;
    }
    if (!good || length > 1 << 24) {
      throw new RangeError(
        `${where}: expected a bucket key, then counts and runs of empty buckets, got ${
          JSON.stringify(data.slice(0, 4))
        }...`,
      );
    }
    const counts = new Float64Array(length);
    for (let i = 1, at = 0; i < data.length; i++) {
      const n = data[i]!;
      if (n > 0) counts[at++] = n;
      else at -= n;
    }
    buckets.offset = offset;
    buckets.counts = counts;
    return buckets;
  }

  /** The sum of the counts. */
  total(): number {
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) sum += this.counts[i]!;
    return sum;
  }
}

function isCount(n: unknown): boolean {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

/** The value at the lower edge of bucket `key` for a sketch shifting by `shift`. */
function edge(key: number, shift: number): number {
  const bits = key * 2 ** shift;
  scratchWords[HIGH] = bits >>> 0;
  scratchWords[LOW] = 0;
  return scratch[0]!;
}

/**
 * A quantile sketch with a guaranteed relative error and exact, order-independent merges.
 *
 * @example Percentiles of 1 to 1000 within 0.39%
 * ```ts
 * import { assert } from "@std/assert";
 * import { QuantileSketch } from "./sketch.ts";
 *
 * const sketch = new QuantileSketch();
 * for (let v = 1; v <= 1000; v++) sketch.add(v);
 * const p95 = sketch.quantile(95)!;
 * assert(Math.abs(p95 - 950) <= 950 * sketch.relativeError);
 * ```
 */
export class QuantileSketch {
  /** Bucket resolution: `2^bits` buckets per power of two. */
  readonly bits: number;
  /** Largest relative error of a quantile: `2^-(bits + 1)`. */
  readonly relativeError: number;
  /** Values smaller in magnitude are counted in {@linkcode QuantileSketch.zero}. */
  readonly zeroBelow: number;
  /** Number of values added. */
  count = 0;
  /** Smallest value added, `Infinity` when empty. */
  min: number = Infinity;
  /** Largest value added, `-Infinity` when empty. */
  max: number = -Infinity;
  /** Values in the zero bucket (magnitude below {@linkcode QuantileSketch.zeroBelow}). */
  zero = 0;
  readonly #shift: number;
  readonly #zeroKeys: number;
  #positive = new Buckets();
  #negative = new Buckets();

  /**
   * Creates an empty sketch.
   *
   * @param options Its resolution.
   */
  constructor(options: QuantileSketchOptions = {}) {
    const bits = options.bits ?? 7;
    if (!Number.isInteger(bits) || bits < 0 || bits > 16) {
      throw new RangeError(
        `Cannot make a sketch with ${bits} bits: expected an integer in [0, 16]`,
      );
    }
    const zeroBelow = options.zeroBelow ?? 2 ** -1022;
    scratch[0] = zeroBelow;
    if (
      !(zeroBelow >= 2 ** -1022 && zeroBelow < Infinity) || scratchWords[LOW] !== 0 ||
      (scratchWords[HIGH]! & 0xfffff) !== 0
    ) {
      throw new RangeError(
        `Cannot make a sketch with zeroBelow ${zeroBelow}: expected a power of two from 2^-1022`,
      );
    }
    this.bits = bits;
    this.relativeError = 2 ** -(bits + 1);
    this.zeroBelow = zeroBelow;
    this.#shift = 20 - bits;
    this.#zeroKeys = scratchWords[HIGH]! >>> this.#shift;
  }

  /**
   * Adds one value.
   *
   * @param value A finite number.
   * @throws RangeError for `NaN` or an infinity.
   */
  add(value: number): void {
    scratch[0] = value;
    const high = scratchWords[HIGH]!;
    const key = (high & SIGN) >>> this.#shift;
    if (high < INFINITE && key >= this.#zeroKeys) {
      const buckets = this.#positive;
      const i = key - buckets.offset;
      if (i >= 0 && i < buckets.counts.length) buckets.counts[i]!++;
      else buckets.add(key, 1);
    } else if ((high & SIGN) >= INFINITE) {
      throw new RangeError(`Cannot add ${value} to a sketch`);
    } else if (key < this.#zeroKeys) this.zero++;
    else this.#negative.add(key, 1);
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /**
   * Adds every value of an array: the same as calling {@linkcode QuantileSketch.add} on each,
   * but about twice as fast, as it reads the values' bits in place.
   *
   * @param values Finite numbers.
   * @param from The first index of `values` to add. @default {0}
   * @param to One past the last index to add. @default {values.length}
   * @throws RangeError for `NaN` or an infinity; the values before it have been added.
   *
   * @example Add a block of values
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { QuantileSketch } from "./sketch.ts";
   *
   * const a = new QuantileSketch(), b = new QuantileSketch();
   * const values = Float64Array.from({ length: 100 }, (_, i) => (i - 30) / 3);
   * a.addAll(values);
   * values.forEach((v) => b.add(v));
   * assertEquals(a.toJSON(), b.toJSON());
   * ```
   */
  addAll(values: Float64Array, from = 0, to: number = values.length): void {
    const words = wordsOf(values.buffer);
    // Index of values[0]'s high and low words pair in `words`.
    const base = values.byteOffset >> 2;
    for (let i = this.#addHeld(words, values, base, from, to); i < to;) {
      if ((words[base + 2 * i + HIGH]! & SIGN) >= INFINITE) {
        throw new RangeError(`Cannot add ${values[i]} to a sketch`);
      }
      // Grow once for every value left, not once per new bucket: a new sketch's first values
      // would otherwise reallocate its window many times over.
      this.#fit(words, base, i, to);
      i = this.#addHeld(words, values, base, i, to);
    }
  }

  /**
   * Adds values `from` to `to - 1` while each falls in a bucket its side's window holds, or in
   * the zero bucket, and returns the index of the first that does not: one outside the windows,
   * `NaN` or an infinity. No path in the loop grows a window or throws, so V8 keeps the windows
   * and the running extremes in registers.
   */
  #addHeld(
    words: Uint32Array,
    values: Float64Array,
    base: number,
    from: number,
    to: number,
  ): number {
    const shift = this.#shift;
    const zeroKeys = this.#zeroKeys;
    const finiteKeys = INFINITE >>> shift;
    const positive = this.#positive.counts, positiveOffset = this.#positive.offset;
    const negative = this.#negative.counts, negativeOffset = this.#negative.offset;
    let min = this.min, max = this.max, zero = 0;
    let i = from;
    for (; i < to; i++) {
      const high = words[base + 2 * i + HIGH]!;
      const key = (high & SIGN) >>> shift;
      if (key < zeroKeys) zero++;
      else if (high < INFINITE) {
        const at = key - positiveOffset;
        if (at >= 0 && at < positive.length) positive[at]!++;
        else break;
      } else {
        const at = key - negativeOffset;
        if (key < finiteKeys && at >= 0 && at < negative.length) negative[at]!++;
        else break;
      }
      const value = values[i]!;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    this.count += i - from;
    this.zero += zero;
    this.min = min;
    this.max = max;
    return i;
  }

  /** Widens both sides' windows to hold the keys of values `from` to `to - 1`. */
  #fit(words: Uint32Array, base: number, from: number, to: number): void {
    const shift = this.#shift, zeroKeys = this.#zeroKeys;
    // Whole-number sentinels: keys are below 2^31, and Infinity would deoptimise the loop.
    let low = 0x7fffffff, high = -1, negativeLow = 0x7fffffff, negativeHigh = -1;
    for (let i = from; i < to; i++) {
      const word = words[base + 2 * i + HIGH]!;
      const key = (word & SIGN) >>> shift;
      if ((word & SIGN) >= INFINITE || key < zeroKeys) continue;
      if (word < INFINITE) {
        if (key < low) low = key;
        if (key > high) high = key;
      } else {
        if (key < negativeLow) negativeLow = key;
        if (key > negativeHigh) negativeHigh = key;
      }
    }
    this.#positive.fit(low, high);
    this.#negative.fit(negativeLow, negativeHigh);
  }

  /**
   * Adds every value of another sketch of the same resolution. Exact: the result does not
   * depend on the order of merges.
   *
   * @param other The sketch to add.
   * @throws RangeError when the resolutions differ.
   *
   * @example Merging two halves equals sketching the whole
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { QuantileSketch } from "./sketch.ts";
   *
   * const whole = new QuantileSketch(), a = new QuantileSketch(), b = new QuantileSketch();
   * for (let i = -50; i < 50; i++) {
   *   whole.add(i / 7);
   *   (i % 2 ? a : b).add(i / 7);
   * }
   * b.merge(a);
   * assertEquals(b.toJSON(), whole.toJSON());
   * ```
   */
  merge(other: QuantileSketch): void {
    this.#checkResolution(other.bits, other.zeroBelow);
    this.count += other.count;
    this.zero += other.zero;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.#positive.merge(other.#positive);
    this.#negative.merge(other.#negative);
  }

  #checkResolution(bits: number, zeroBelow: number): void {
    if (bits !== this.bits || zeroBelow !== this.zeroBelow) {
      throw new RangeError(
        `Cannot merge a ${bits}-bit sketch with zero below ${zeroBelow} into a ${this.bits}-bit one with zero below ${this.zeroBelow}`,
      );
    }
  }

  /**
   * The `p`th percentile by nearest rank: within {@linkcode relativeError} of the value of rank
   * `max(1, ceil(p * count / 100))`; exact for `p = 0` (minimum) and `p = 100` (maximum).
   *
   * @param p Percentile, from 0 to 100.
   * @returns The estimate, or `undefined` when the sketch is empty.
   *
   * @example Negative, zero and positive values
   * ```ts
   * import { assertAlmostEquals, assertEquals } from "@std/assert";
   * import { QuantileSketch } from "./sketch.ts";
   *
   * const sketch = new QuantileSketch();
   * for (const v of [-2, -1, 0, 1, 2]) sketch.add(v);
   * assertEquals([0, 20, 60, 100].map((p) => sketch.quantile(p)), [-2, -2, 0, 2]);
   * assertAlmostEquals(sketch.quantile(40)!, -1, 1 * sketch.relativeError); // bucket midpoint
   * ```
   */
  quantile(p: number): number | undefined {
    return this.quantiles([p])[0];
  }

  /**
   * Several percentiles in one pass over the buckets, each as {@linkcode QuantileSketch.quantile}
   * gives it: what the report's fan charts take, five a sketch.
   *
   * @param ps Percentiles, from 0 to 100, in any order.
   * @returns The estimates, in the order of `ps`; `undefined`s when the sketch is empty.
   *
   * @example The same as one at a time
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { QuantileSketch } from "./sketch.ts";
   *
   * const sketch = new QuantileSketch();
   * for (let v = -20; v <= 80; v++) sketch.add(v / 3);
   * assertEquals(sketch.quantiles([95, 5, 50]), [95, 5, 50].map((p) => sketch.quantile(p)));
   * ```
   */
  quantiles(ps: readonly number[]): (number | undefined)[] {
    for (let j = 0; j < ps.length; j++) {
      const p = ps[j]!;
      if (!(p >= 0 && p <= 100)) throw new RangeError(`Cannot take percentile ${p}`);
    }
    const n = this.count;
    const out: (number | undefined)[] = new Array(ps.length).fill(undefined);
    if (n === 0) return out;
    // The ranks still to find, smallest first, with where each goes in `out`; the extremes are
    // the exact minimum and maximum. Sorted by insertion, with no closure: compiled once, cold.
    const ranks: number[] = [];
    const slots: number[] = [];
    for (let j = 0; j < ps.length; j++) {
      const rank = Math.max(1, Math.ceil((ps[j]! * n) / 100));
      if (rank === 1) out[j] = this.min;
      else if (rank === n) out[j] = this.max;
      else {
        let i = ranks.length;
        for (; i > 0 && ranks[i - 1]! > rank; i--) {
          ranks[i] = ranks[i - 1]!;
          slots[i] = slots[i - 1]!;
        }
        ranks[i] = rank;
        slots[i] = j;
      }
    }
    // Walk the buckets in ascending order of value, negative side from its largest magnitude,
    // counting values until the next wanted rank; no closure, so the counters stay in registers.
    let next = 0;
    let rank = ranks.length > 0 ? ranks[0]! : Infinity;
    let seen = 0;
    const negative = this.#negative.counts;
    for (let i = negative.length - 1; i >= 0 && rank < Infinity; i--) {
      seen += negative[i]!;
      if (seen < rank) continue;
      const value = this.#clamp(-this.#middle(this.#negative.offset + i));
      for (; seen >= rank; rank = ++next < ranks.length ? ranks[next]! : Infinity) {
        out[slots[next]!] = value;
      }
    }
    seen += this.zero;
    for (; seen >= rank; rank = ++next < ranks.length ? ranks[next]! : Infinity) {
      out[slots[next]!] = this.#clamp(0);
    }
    const positive = this.#positive.counts;
    for (let i = 0; i < positive.length && rank < Infinity; i++) {
      seen += positive[i]!;
      if (seen < rank) continue;
      const value = this.#clamp(this.#middle(this.#positive.offset + i));
      for (; seen >= rank; rank = ++next < ranks.length ? ranks[next]! : Infinity) {
        out[slots[next]!] = value;
      }
    }
    for (; next < ranks.length; next++) out[slots[next]!] = this.max;
    return out;
  }

  /**
   * The mean of the `k` largest values, each estimated as {@linkcode QuantileSketch.quantile}
   * estimates a value (its bucket's midpoint, clamped to the exact minimum and maximum), the
   * largest by the exact maximum: an expected shortfall's tail. Within the relative error of
   * the tail's mean magnitude.
   *
   * @param k How many of the largest values, from 1 to {@linkcode QuantileSketch.count}.
   * @returns Their mean, or `undefined` when the sketch is empty.
   * @throws RangeError when `k` is not a whole number from 1 to the count.
   *
   * @example The mean of the two largest of five
   * ```ts
   * import { assertAlmostEquals } from "@std/assert";
   * import { QuantileSketch } from "./sketch.ts";
   *
   * const sketch = new QuantileSketch();
   * for (const v of [-2, 1, 3, 8, 10]) sketch.add(v);
   * assertAlmostEquals(sketch.tailMean(2)!, 9, 9 * sketch.relativeError);
   * ```
   */
  tailMean(k: number): number | undefined {
    if (this.count === 0) return undefined;
    if (!(Number.isSafeInteger(k) && k >= 1 && k <= this.count)) {
      throw new RangeError(`Cannot take the mean of the ${k} largest of ${this.count} values`);
    }
    // The largest is exact; the other k - 1 are counted down from the top bucket.
    let left = k - 1;
    let sum = this.max;
    let skip = 1;
    const take = (value: number, count: number) => {
      const n = Math.min(left, count - Math.min(skip, count));
      skip -= Math.min(skip, count);
      sum += n * value;
      left -= n;
    };
    const positive = this.#positive.counts;
    for (let i = positive.length - 1; i >= 0 && left > 0; i--) {
      if (positive[i]! > 0) {
        take(this.#clamp(this.#middle(this.#positive.offset + i)), positive[i]!);
      }
    }
    if (left > 0 && this.zero > 0) take(this.#clamp(0), this.zero);
    const negative = this.#negative.counts;
    for (let i = 0; i < negative.length && left > 0; i++) {
      if (negative[i]! > 0) {
        take(this.#clamp(-this.#middle(this.#negative.offset + i)), negative[i]!);
      }
    }
    return sum / k;
  }

  #middle(key: number): number {
    const lo = edge(key, this.#shift);
    return lo + (edge(key + 1, this.#shift) - lo) / 2;
  }

  #clamp(v: number): number {
    return v < this.min ? this.min : v > this.max ? this.max : v;
  }

  /**
   * The non-empty buckets in ascending order of value, for histograms.
   *
   * @returns Each bucket's bounds and count; the zero bucket is `[0, 0]`.
   *
   * @example Two values, two buckets
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { QuantileSketch } from "./sketch.ts";
   *
   * const sketch = new QuantileSketch({ bits: 0 });
   * sketch.add(1.5);
   * sketch.add(-3);
   * assertEquals(sketch.buckets(), [{ low: -4, high: -2, count: 1 }, { low: 1, high: 2, count: 1 }]);
   * ```
   */
  buckets(): { low: number; high: number; count: number }[] {
    const out: { low: number; high: number; count: number }[] = [];
    const side = (buckets: Buckets, sign: number) => {
      const list: { low: number; high: number; count: number }[] = [];
      buckets.counts.forEach((count, i) => {
        if (count === 0) return;
        const a = edge(buckets.offset + i, this.#shift);
        const b = edge(buckets.offset + i + 1, this.#shift);
        list.push(sign > 0 ? { low: a, high: b, count } : { low: -b, high: -a, count });
      });
      return list;
    };
    out.push(...side(this.#negative, -1).reverse());
    if (this.zero > 0) out.push({ low: 0, high: 0, count: this.zero });
    out.push(...side(this.#positive, 1));
    return out;
  }

  /**
   * The sketch as structured-cloneable data, for another thread: see
   * {@linkcode QuantileSketch.fromSnapshot}.
   *
   * @returns The data; its typed arrays are copies, whose buffers may be transferred.
   *
   * @example Round trip
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { QuantileSketch } from "./sketch.ts";
   *
   * const sketch = new QuantileSketch();
   * [-3, 0, 0.5, 9].forEach((v) => sketch.add(v));
   * assertEquals(QuantileSketch.fromSnapshot(structuredClone(sketch.snapshot())).toJSON(), sketch.toJSON());
   * ```
   */
  snapshot(): QuantileSketchSnapshot {
    return {
      ...this.#scalars(),
      positive: this.#positive.snapshot(),
      negative: this.#negative.snapshot(),
    };
  }

  /**
   * Packs many sketches into two typed arrays, for another thread to add to its own with
   * {@linkcode QuantileSketch.mergePacked}: two buffers to transfer and no objects to clone.
   *
   * @param sketches The sketches.
   * @returns Their scalars and counts.
   *
   * @example Pack, post, merge
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { QuantileSketch } from "./sketch.ts";
   *
   * const a = [new QuantileSketch(), new QuantileSketch()];
   * a[0]!.add(-3);
   * a[1]!.add(9);
   * const b = [new QuantileSketch(), new QuantileSketch()];
   * b[1]!.add(0.5);
   * QuantileSketch.mergePacked(b, structuredClone(QuantileSketch.pack(a)));
   * assertEquals(b.map((s) => s.count), [1, 2]);
   * assertEquals(b[1]!.quantile(100), 9);
   * ```
   */
  static pack(sketches: readonly QuantileSketch[]): PackedSketches {
    // Whole windows, empty ends included: scanning for the used range costs more, cold.
    let total = 0;
    for (const sketch of sketches) {
      total += sketch.#positive.counts.length + sketch.#negative.counts.length;
    }
    const scalars = new Float64Array(PACKED_SCALARS * sketches.length);
    const counts = new Float64Array(total);
    let at = 0;
    for (let k = 0, row = 0; k < sketches.length; k++, row += PACKED_SCALARS) {
      const sketch = sketches[k]!;
      const positive = sketch.#positive, negative = sketch.#negative;
      scalars[row] = sketch.bits;
      scalars[row + 1] = sketch.zeroBelow;
      scalars[row + 2] = sketch.count;
      scalars[row + 3] = sketch.min;
      scalars[row + 4] = sketch.max;
      scalars[row + 5] = sketch.zero;
      scalars[row + 6] = positive.offset;
      scalars[row + 7] = positive.counts.length;
      scalars[row + 8] = negative.offset;
      scalars[row + 9] = negative.counts.length;
      counts.set(positive.counts, at);
      at += positive.counts.length;
      counts.set(negative.counts, at);
      at += negative.counts.length;
    }
    return { scalars, counts };
  }

  /**
   * Adds sketches packed by {@linkcode QuantileSketch.pack}, one to each of `sketches` in
   * order. Unlike {@linkcode QuantileSketch.fromJSON} it does not check the counts, which come
   * from another thread of the same program.
   *
   * @param sketches The sketches to add to.
   * @param packed As many packed sketches, of the same resolutions.
   * @throws RangeError when the numbers of sketches or their resolutions differ.
   */
  static mergePacked(sketches: readonly QuantileSketch[], packed: PackedSketches): void {
    const { scalars, counts } = packed;
    if (scalars.length !== PACKED_SCALARS * sketches.length) {
      throw new RangeError(
        `Cannot merge ${scalars.length / PACKED_SCALARS} packed sketches into ${sketches.length}`,
      );
    }
    let at = 0;
    sketches.forEach((sketch, k) => {
      const row = k * PACKED_SCALARS;
      sketch.#checkResolution(scalars[row]!, scalars[row + 1]!);
      sketch.count += scalars[row + 2]!;
      if (scalars[row + 3]! < sketch.min) sketch.min = scalars[row + 3]!;
      if (scalars[row + 4]! > sketch.max) sketch.max = scalars[row + 4]!;
      sketch.zero += scalars[row + 5]!;
      const positive = scalars[row + 7]!, negative = scalars[row + 9]!;
      sketch.#positive.mergeCounts(scalars[row + 6]!, counts, at, positive);
      at += positive;
      sketch.#negative.mergeCounts(scalars[row + 8]!, counts, at, negative);
      at += negative;
    });
  }

  #scalars(): Omit<QuantileSketchSnapshot, "positive" | "negative"> {
    return {
      bits: this.bits,
      zeroBelow: this.zeroBelow,
      count: this.count,
      min: this.min,
      max: this.max,
      zero: this.zero,
    };
  }

  /**
   * Rebuilds a sketch from {@linkcode QuantileSketch.snapshot} data, taking over its arrays.
   * Unlike {@linkcode QuantileSketch.fromJSON} it does not check the data, which comes from
   * another thread of the same program.
   *
   * @param data The snapshot.
   * @returns The sketch.
   */
  static fromSnapshot(data: QuantileSketchSnapshot): QuantileSketch {
    const sketch = new QuantileSketch({ bits: data.bits, zeroBelow: data.zeroBelow });
    sketch.count = data.count;
    sketch.min = data.min;
    sketch.max = data.max;
    sketch.zero = data.zero;
    sketch.#positive = Buckets.fromSnapshot(data.positive);
    sketch.#negative = Buckets.fromSnapshot(data.negative);
    return sketch;
  }

  /**
   * The sketch as plain JSON, holding only the non-empty range of buckets: equal sketches give
   * equal JSON, however they were built.
   *
   * @returns The data, for {@linkcode QuantileSketch.fromJSON}.
   *
   * @example Round trip
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { QuantileSketch } from "./sketch.ts";
   *
   * const sketch = new QuantileSketch({ bits: 3 });
   * sketch.add(0.25);
   * assertEquals(sketch.toJSON(), { bits: 3, count: 1, min: 0.25, max: 0.25, zero: 0, positive: [8168, 1], negative: [] });
   * assertEquals(QuantileSketch.fromJSON(sketch.toJSON()).toJSON(), sketch.toJSON());
   * ```
   */
  toJSON(): QuantileSketchData {
    const empty = this.count === 0;
    return {
      bits: this.bits,
      ...(this.zeroBelow === 2 ** -1022 ? {} : { zeroBelow: this.zeroBelow }),
      count: this.count,
      min: empty ? null : this.min,
      max: empty ? null : this.max,
      zero: this.zero,
      positive: this.#positive.toJSON(),
      negative: this.#negative.toJSON(),
    };
  }

  /**
   * Rebuilds a sketch from {@linkcode QuantileSketch.toJSON} data, checking it.
   *
   * @param data The data.
   * @param where Names the data in errors, such as a file and field.
   * @returns The sketch.
   * @throws RangeError when the data is not a consistent sketch.
   *
   * @example Counts must add up
   * ```ts
   * import { assertThrows } from "@std/assert";
   * import { QuantileSketch } from "./sketch.ts";
   *
   * const data = { bits: 7, count: 5, min: 1, max: 1, zero: 0, positive: [130944, 1], negative: [] };
   * assertThrows(() => QuantileSketch.fromJSON(data), RangeError, "count");
   * ```
   */
  static fromJSON(data: QuantileSketchData, where = "sketch"): QuantileSketch {
    if (typeof data !== "object" || data === null) {
      throw new RangeError(`${where}: expected a sketch object, got ${JSON.stringify(data)}`);
    }
    const sketch = new QuantileSketch({
      bits: data.bits,
      ...(data.zeroBelow === undefined ? {} : { zeroBelow: data.zeroBelow }),
    });
    if (!Array.isArray(data.positive) || !Array.isArray(data.negative) || !isCount(data.zero)) {
      throw new RangeError(`${where}: expected "zero", "positive" and "negative" bucket counts`);
    }
    sketch.#positive = Buckets.read(data.positive, `${where}.positive`);
    sketch.#negative = Buckets.read(data.negative, `${where}.negative`);
    sketch.zero = data.zero;
    const total = data.zero + sketch.#positive.total() + sketch.#negative.total();
    if (!isCount(data.count) || total !== data.count) {
      throw new RangeError(`${where}: "count" is ${data.count} but the buckets hold ${total}`);
    }
    sketch.count = data.count;
    if (data.count > 0) {
      if (typeof data.min !== "number" || typeof data.max !== "number" || data.min > data.max) {
        throw new RangeError(`${where}: expected "min" <= "max", got ${data.min} and ${data.max}`);
      }
      sketch.min = data.min;
      sketch.max = data.max;
    }
    return sketch;
  }
}

/** Counts as plain JSON: `[value, count]` pairs in ascending order of value. */
export type ExactCountsData = [value: number, count: number][];

/**
 * Exact counts of whole numbers, such as the step of a run's first BREACH: quantiles are exact
 * and merges order-independent. Memory grows with the number of distinct values, not the count.
 *
 * @example The median step
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ExactCounts } from "./sketch.ts";
 *
 * const steps = new ExactCounts();
 * for (const step of [40, 10, 30, 20, 10]) steps.add(step);
 * assertEquals(steps.quantile(50), 20);
 * ```
 */
export class ExactCounts {
  readonly #counts = new Map<number, number>();
  /** Number of values added. */
  count = 0;

  /**
   * Adds `n` occurrences of a value.
   *
   * @param value A safe integer.
   * @param n How many times. @default {1}
   */
  add(value: number, n = 1): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`Cannot count ${value}`);
    this.#counts.set(value, (this.#counts.get(value) ?? 0) + n);
    this.count += n;
  }

  /**
   * Adds every count of another.
   *
   * @param other The counts to add.
   *
   * @example Merge
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { ExactCounts } from "./sketch.ts";
   *
   * const a = new ExactCounts(), b = new ExactCounts();
   * a.add(3);
   * b.add(3);
   * b.add(1);
   * a.merge(b);
   * assertEquals(a.toJSON(), [[1, 1], [3, 2]]);
   * ```
   */
  merge(other: ExactCounts): void {
    for (const [value, n] of other.#counts) this.add(value, n);
  }

  /**
   * The `p`th percentile by nearest rank, exactly.
   *
   * @param p Percentile, from 0 to 100.
   * @returns The value of rank `max(1, ceil(p * count / 100))`, or `undefined` when empty.
   *
   * @example Extremes
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { ExactCounts } from "./sketch.ts";
   *
   * const c = new ExactCounts();
   * [5, 1, 9].forEach((v) => c.add(v));
   * assertEquals([c.quantile(0), c.quantile(100)], [1, 9]);
   * ```
   */
  quantile(p: number): number | undefined {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`Cannot take percentile ${p}`);
    if (this.count === 0) return undefined;
    const rank = Math.max(1, Math.ceil((p * this.count) / 100));
    let seen = 0;
    for (const [value, n] of this.toJSON()) {
      seen += n;
      if (seen >= rank) return value;
    }
    return undefined;
  }

  /**
   * The counts in ascending order of value.
   *
   * @returns `[value, count]` pairs.
   *
   * @example Sorted
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { ExactCounts } from "./sketch.ts";
   *
   * const c = new ExactCounts();
   * [7, 2, 7].forEach((v) => c.add(v));
   * assertEquals(c.toJSON(), [[2, 1], [7, 2]]);
   * ```
   */
  toJSON(): ExactCountsData {
    return [...this.#counts].sort((a, b) => a[0] - b[0]);
  }

  /**
   * Rebuilds counts from {@linkcode ExactCounts.toJSON} data, checking it.
   *
   * @param data The pairs.
   * @param where Names the data in errors.
   * @returns The counts.
   * @throws RangeError when a pair is not two whole numbers.
   *
   * @example Round trip
   * ```ts
   * import { assertEquals } from "@std/assert";
   * import { ExactCounts } from "./sketch.ts";
   *
   * assertEquals(ExactCounts.fromJSON([[4, 2]]).quantile(50), 4);
   * ```
   */
  static fromJSON(data: ExactCountsData, where = "counts"): ExactCounts {
    const counts = new ExactCounts();
    if (!Array.isArray(data)) throw new RangeError(`${where}: expected [value, count] pairs`);
    for (const pair of data) {
      if (
        !Array.isArray(pair) || pair.length !== 2 || !Number.isSafeInteger(pair[0]) ||
        !isCount(pair[1])
      ) {
        throw new RangeError(
          `${where}: expected [value, count] pairs, got ${JSON.stringify(pair)}`,
        );
      }
      counts.add(pair[0], pair[1]);
    }
    return counts;
  }
}
