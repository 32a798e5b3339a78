/**
 * Seeded random streams: every draw in option-flight comes from one of these.
 *
 * A stream is seedrandom's `alea` generator keyed by `(seed, run, key)`: draw for draw,
 * `createStream(seed, { run, key })` gives what `seedrandom.alea(`${seed}/${run}/${key}`)`
 * gives (the tests compare them), so a stream's draws depend on nothing else: not on other
 * plugins, block sizes, worker counts or the order of runs. Alea's seeding and recurrence are
 * evaluated here, for speed (docs/monte-carlo.md, "Speed"). Normal draws use the ziggurat of
 * Marsaglia and Tsang (2000), 128 layers, with tables computed once from `Math.exp`, `Math.log`
 * and `Math.sqrt`, which V8 computes alike on every machine.
 *
 * @module
 */

/** A stream of seeded random draws. */
export interface RandomStream {
  /** A uniform draw in [0, 1): a multiple of 2^-32. */
  next(): number;
  /** A standard normal draw (mean 0, standard deviation 1). */
  normal(): number;
  /**
   * Writes standard normal draws into `out[from]` to `out[to - 1]`: the same draws, in the
   * same order, as calling {@linkcode RandomStream.normal} that many times, about three times
   * as fast. For generators that draw once per step.
   *
   * @param out Where the draws go.
   * @param from The first index written. @default {0}
   * @param to One past the last index written. @default {out.length}
   */
  fillNormal(out: Float64Array, from?: number, to?: number): void;
}

/**
 * Creates the stream for one consumer of randomness.
 *
 * @param seed The scenario's seed.
 * @param key Where the stream is used: the run index and the consumer's key.
 * @returns A stream whose draws depend only on `seed` and `key`.
 *
 * @example Same seed and key, same draws
 * ```ts
 * import { assertEquals, assertNotEquals } from "@std/assert";
 * import { createStream } from "./random.ts";
 *
 * const draw = (run: number) => createStream(42, { run, key: "generators.spot" }).normal();
 * assertEquals(draw(0), draw(0));
 * assertNotEquals(draw(0), draw(1));
 * ```
 */
export function createStream(seed: number, key: { run: number; key: string }): RandomStream {
  return new StreamSeeder().stream(seed, key);
}

/** Makes the streams of consecutive runs, seeding a key's next run alongside its current one. */
export class StreamSeeder {
  readonly #ahead = new Map<string, { text: string; s0: number; s1: number; s2: number }>();
  readonly #seeds = new Float64Array(6);

  /**
   * The stream for one consumer of randomness: the same draws as {@linkcode createStream}.
   *
   * @param seed The scenario's seed.
   * @param key The run index and the consumer's key.
   * @returns The stream.
   */
  stream(seed: number, key: { run: number; key: string }): RandomStream {
    const text = `${seed}/${key.run}/${key.key}`;
    let ahead = this.#ahead.get(key.key);
    if (ahead?.text === text) return new AleaStream(ahead.s0, ahead.s1, ahead.s2);
    const seeds = this.#seeds;
    ahead ??= { text: "", s0: NaN, s1: NaN, s2: NaN };
    ahead.text = `${seed}/${key.run + 1}/${key.key}`;
    seedTwo(text, ahead.text, seeds);
    ahead.s0 = seeds[3]!, ahead.s1 = seeds[4]!, ahead.s2 = seeds[5]!;
    this.#ahead.set(key.key, ahead);
    return new AleaStream(seeds[0]!, seeds[1]!, seeds[2]!);
  }
}

/** 2^-32: alea's draws are multiples of it. */
const UNIT = 2.3283064365386963e-10;

/** Baagoe's Mash hash: folds `text` into the running state `n` and returns the new state. */
function mash(n: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    n += text.charCodeAt(i);
    let h = 0.02519603282416938 * n;
    n = h >>> 0;
    h -= n;
    h *= n;
    n = h >>> 0;
    h -= n;
    n += h * 0x100000000;
  }
  return n;
}

/** Alea's seeding starts by hashing " " three times: the same every time, so done once. */
const PRIMED = (() => {
  let n = 0xefc8249d;
  const s: number[] = [];
  for (let k = 0; k < 3; k++) s.push((n = mash(n, " ")) >>> 0);
  return { n, s: Float64Array.from(s, (word) => word * UNIT) };
})();

/** Seeds alea's state words for key `a` into `out[0..2]` and `b` into `out[3..5]`, interleaved. */
function seedTwo(a: string, b: string, out: Float64Array): void {
  let na = PRIMED.n, nb = PRIMED.n;
  const lastA = a.length - 1, lastB = b.length - 1;
  const length = Math.max(a.length, b.length);
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < length; i++) {
      // Past its end, the shorter key hashes its last character again and drops the result.
      let ma = na + a.charCodeAt(Math.min(i, lastA));
      let mb = nb + b.charCodeAt(Math.min(i, lastB));
      let ha = 0.02519603282416938 * ma, hb = 0.02519603282416938 * mb;
      ma = ha >>> 0, mb = hb >>> 0;
      ha -= ma, hb -= mb;
      ha *= ma, hb *= mb;
      ma = ha >>> 0, mb = hb >>> 0;
      ha -= ma, hb -= mb;
      ma += ha * 0x100000000, mb += hb * 0x100000000;
      na = i <= lastA ? ma : na;
      nb = i <= lastB ? mb : nb;
    }
    const start = PRIMED.s[pass]!;
    const sa = start - (na >>> 0) * UNIT, sb = start - (nb >>> 0) * UNIT;
    out[pass] = sa < 0 ? sa + 1 : sa;
    out[pass + 3] = sb < 0 ? sb + 1 : sb;
  }
}

class AleaStream implements RandomStream {
  // Doubles from the start (NaN), so V8 keeps the fields unboxed.
  #s0 = NaN;
  #s1 = NaN;
  #s2 = NaN;
  #c = NaN;
  /** The candidate {@linkcode AleaStream.#fillFast} stopped at. */
  #rejected = NaN;

  /** A stream in the state that seeding its key gave: see {@linkcode seedTwo}. */
  constructor(s0: number, s1: number, s2: number) {
    this.#s0 = s0;
    this.#s1 = s1;
    this.#s2 = s2;
    this.#c = 1;
  }

  next(): number {
    // Alea's `c = t | 0`, as `floor(x)` or one more: a predicted branch, not a dependency chain.
    const x = 2091639 * this.#s0;
    const t = x + this.#c * UNIT;
    const floor = Math.floor(x);
    const c = t >= floor + 1 ? floor + 1 : floor;
    this.#c = c;
    this.#s0 = this.#s1;
    this.#s1 = this.#s2;
    return this.#s2 = t - c;
  }

  normal(): number {
    // A uniform whole number in [-2^31, 2^31), kept a double: -(-2^31) overflows an int32.
    const hz = this.next() * 4294967296 - 2147483648;
    const iz = hz & 127;
    return Math.abs(hz) < KN[iz]! ? hz * WN[iz]! : this.#tail(hz, iz);
  }

  fillNormal(out: Float64Array, from = 0, to: number = out.length): void {
    for (let i = this.#fillFast(out, from, to); i < to; i = this.#fillFast(out, i + 1, to)) {
      out[i] = this.#tail(this.#rejected, this.#rejected & 127);
    }
  }

  /** Fills `out` until the first rejection (left in `#rejected`); a loop with no call in it. */
  #fillFast(out: Float64Array, from: number, to: number): number {
    let s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, c = this.#c;
    let i = from;
    for (; i < to; i++) {
      // next(), inlined.
      const x = 2091639 * s0;
      const t = x + c * UNIT;
      const floor = Math.floor(x);
      c = t >= floor + 1 ? floor + 1 : floor;
      s0 = s1;
      s1 = s2;
      s2 = t - c;
      const hz = s2 * 4294967296 - 2147483648;
      const iz = hz & 127;
      if (Math.abs(hz) >= KN[iz]!) {
        this.#rejected = hz;
        break;
      }
      out[i] = hz * WN[iz]!;
    }
    this.#s0 = s0, this.#s1 = s1, this.#s2 = s2, this.#c = c;
    return i;
  }

  /** The ziggurat's slow path: a candidate outside the layer's rectangle, or the base strip. */
  #tail(hz: number, iz: number): number {
    for (;;) {
      const x = hz * WN[iz]!;
      if (iz === 0) {
        let t: number, y: number;
        do {
          t = -Math.log(1 - this.next()) / R;
          y = -Math.log(1 - this.next());
        } while (y + y < t * t);
        return hz > 0 ? R + t : -R - t;
      }
      // The wedge: y < exp(-x²/2), decided by two bounding lines where they can.
      const y = FN[iz]! + this.next() * (FN[iz - 1]! - FN[iz]!);
      const ax = Math.abs(x);
      if (y < BELOW[2 * iz]! + BELOW[2 * iz + 1]! * ax) return x;
      if (y <= ABOVE[2 * iz]! + ABOVE[2 * iz + 1]! * ax && y < Math.exp(-0.5 * x * x)) return x;
      hz = this.next() * 4294967296 - 2147483648;
      iz = hz & 127;
      if (Math.abs(hz) < KN[iz]!) return hz * WN[iz]!;
    }
  }
}

const R = 3.442619855899;
const KN = new Float64Array(128);
const WN = new Float64Array(128);
const FN = new Float64Array(128);
{
  const m1 = 2147483648;
  const vn = 9.91256303526217e-3;
  let dn = R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * m1;
  KN[1] = 0;
  WN[0] = q / m1;
  WN[127] = dn / m1;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * m1;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
}

/**
 * Lines under (`BELOW`) and over (`ABOVE`) `exp(-x²/2)` across layer `i`'s wedge, as
 * `[2i] + [2i + 1] * |x|`: chord and tangent, swapped where the curve turns convex (`|x| > 1`),
 * each moved 2^-40 outward so they decide a candidate only as the exponential would.
 */
const BELOW = new Float64Array(256);
const ABOVE = new Float64Array(256);
{
  const margin = 2 ** -40;
  for (let i = 1; i < 128; i++) {
    const a = i === 1 ? 0 : WN[i - 1]! * 2147483648, b = WN[i]! * 2147483648;
    const fa = FN[i - 1]!, fb = FN[i]!;
    const chordSlope = (fb - fa) / (b - a);
    const chord = [fa - chordSlope * a, chordSlope];
    const m = (a + b) / 2, fm = Math.exp(-0.5 * m * m);
    const tangent = [fm + m * fm * m, -m * fm];
    const [below, above] = b <= 1
      ? [chord, tangent]
      : a >= 1
      ? [tangent, chord]
      : [[fb, 0], [fa, 0]];
    BELOW.set([below[0]! - margin, below[1]!], 2 * i);
    ABOVE.set([above[0]! + margin, above[1]!], 2 * i);
  }
}
