/**
 * Seeded random streams: every draw in option-flight comes from one of these.
 *
 * A stream is seedrandom's `alea` generator (Baagoe's Alea, seeded with his Mash hash), keyed
 * by `(seed, run, key)`: draw for draw, `createStream(seed, { run, key })` returns what
 * `seedrandom.alea(`${seed}/${run}/${key}`)` returns, so a stream's draws depend on nothing
 * else: not on other plugins, block sizes, worker counts or the order of runs. The recurrence
 * is evaluated here rather than through seedrandom's closures, because a Monte Carlo batch
 * starts two streams per run and draws two numbers per step: seeding a stream costs about
 * 0.6-0.9 µs instead of 2.2 µs (keys of 25 characters; a consumer's next run is seeded alongside
 * its current one), and a draw about 1.5 ns instead of 5 ns. The tests compare both, draw for
 * draw, against seedrandom itself.
 *
 * Normal draws use the ziggurat method of Marsaglia and Tsang (2000) with 128 layers: one
 * 32-bit uniform gives both the layer (its low 7 bits) and the candidate, which is accepted
 * about 99% of the time, so a normal costs little more than a uniform (the polar method needs
 * about 2.5 uniforms, a logarithm and a square root). The tables are computed once with
 * `Math.exp`, `Math.log` and `Math.sqrt`, whose results V8 computes the same way on every
 * machine, so draws are identical everywhere.
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
 * const a = createStream(42, { run: 0, key: "generators.spot" });
 * const b = createStream(42, { run: 0, key: "generators.spot" });
 * const c = createStream(42, { run: 1, key: "generators.spot" });
 * const first = a.normal();
 * assertEquals(first, b.normal());
 * assertNotEquals(first, c.normal());
 * ```
 */
export function createStream(seed: number, key: { run: number; key: string }): RandomStream {
  return new StreamSeeder().stream(seed, key);
}

/**
 * Makes the streams of consecutive runs: a key's next run is usually `run + 1`, so its stream
 * is seeded alongside the current one, in little more time than one (docs/monte-carlo.md).
 */
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

/**
 * Starts filling a block of a path that draws one normal a step after step 0, the way the
 * built-in path generators do: writes the block's normals into `out` (for the recursion to read
 * and overwrite in place), and `first`, the path's value, at entry 0 when the block starts at
 * step 0.
 *
 * @param random The generator's stream.
 * @param out The channel being filled.
 * @param block Where the block starts and how long it is.
 * @param first The path's value at step 0.
 * @returns The first entry the recursion updates: 1 for the block holding step 0, else 0.
 *
 * @example A random walk
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createStream, startPathBlock } from "./random.ts";
 *
 * const spot = new Float64Array(5);
 * const from = startPathBlock(createStream(1, { run: 0, key: "walk" }), spot, { start: 0, length: 5 }, 100);
 * for (let i = from, s = 100; i < 5; i++) spot[i] = s += spot[i]!;
 * assertEquals([from, spot[0]], [1, 100]);
 * ```
 */
export function startPathBlock(
  random: RandomStream,
  out: Float64Array,
  block: { start: number; length: number },
  first: number,
): number {
  const from = block.start === 0 ? 1 : 0;
  random.fillNormal(out, from, block.length);
  if (from === 1) out[0] = first;
  return from;
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

/**
 * Seeds two streams: alea's three state words for key `a` into `out[0..2]` and for key `b` into
 * `out[3..5]`. Each character of Mash is a chain of a dozen dependent operations; the two keys'
 * chains, interleaved, run side by side, so two streams are seeded in little more time than one
 * (measured: a stream of a batch 0.56-0.9 µs instead of 0.95-1.2).
 */
function seedTwo(a: string, b: string, out: Float64Array): void {
  let na = PRIMED.n, nb = PRIMED.n;
  const lastA = a.length - 1, lastB = b.length - 1;
  const length = Math.max(a.length, b.length);
  for (let pass = 0; pass < 3; pass++) {
    for (let i = 0; i < length; i++) {
      // Past the end of the shorter key, its chain hashes its last character again and drops
      // the result: every operation runs every time, so V8's optimised code has no path it has
      // not seen. (A separate loop for the longer key's tail, run when the run index gains a
      // digit, deoptimised this function a few times a batch.)
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
  // Every field starts as a double (NaN), so V8 stores them unboxed: a field that started
  // undefined or as a small integer would box each write, measured at three times the cost.
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
    // Alea's step is `t = 2091639 * s0 + c * 2^-32; c = t | 0; s2 = t - c`. Each `c` hangs on
    // the last, a chain of about 16 cycles a draw. `c * 2^-32` is below 0.0005, so `t | 0` is
    // `floor(x)` (x = 2091639 * s0, known three draws ahead) or one more: written as a branch
    // the CPU predicts, the chain breaks and a draw takes about 3 ns instead of 5. Same numbers.
    // `floor` stays a double: on integers V8 emits a conditional move, which keeps the chain.
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
    // alea's draws are multiples of 2^-32, so `hz` is a uniform whole number in
    // [-2^31, 2^31). It stays a double: int32 arithmetic would overflow negating -2^31,
    // and V8 then falls off its fast path (about 2.5x slower).
    const hz = this.next() * 4294967296 - 2147483648;
    const iz = hz & 127;
    return Math.abs(hz) < KN[iz]! ? hz * WN[iz]! : this.#tail(hz, iz);
  }

  fillNormal(out: Float64Array, from = 0, to: number = out.length): void {
    for (let i = this.#fillFast(out, from, to); i < to; i = this.#fillFast(out, i + 1, to)) {
      out[i] = this.#tail(this.#rejected, this.#rejected & 127);
    }
  }

  /**
   * Fills `out` with normal draws until the ziggurat's first rejection, whose candidate it
   * leaves in `#rejected`. Returns where it stopped: `to`, or the index of that rejection.
   * The loop makes no call, so V8 keeps the state in registers: a call in it (to the slow
   * path) was measured to cost 2 ns a draw in spills.
   */
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
      // The wedge: accept when y < exp(-x²/2). Two lines that bound the curve over the layer
      // decide most candidates without the exponential, and always as it would.
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
 * The squeeze of the ziggurat's wedges: for layer `i`, whose wedge spans `|x|` from `a` (the
 * next layer's edge, 0 for layer 1) to `b`, lines `BELOW[2i] + BELOW[2i + 1] * |x|` under
 * `exp(-x²/2)` and `ABOVE[2i] + ABOVE[2i + 1] * |x|` over it. Where the curve is concave
 * (`|x| < 1`), the chord through the wedge's ends is under it and the tangent at the middle over
 * it; where it is convex (`|x| > 1`), the other way round. The one layer across 1 gets the
 * horizontal lines through its ends, which decide nothing. Each line is moved 2^-40 outward,
 * far more than the rounding of these sums and of `Math.exp` (below 1e-15), so a candidate the
 * lines decide is one the exponential decides the same way: the draws do not change. About 2.7%
 * of draws reach a wedge, and 8% of those fall between the lines and compute the exponential:
 * a normal draw took 2.9 ns instead of 3.2.
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
