/**
 * Seeded random streams: every draw in option-flight comes from one of these.
 *
 * Streams use seedrandom's `alea` generator (about 5 ns a draw here, against about 25 ns for
 * seedrandom's default ARC4) and are keyed by `(seed, run, key)`, so a stream's draws depend on
 * nothing else: not on other plugins, block sizes, worker counts or the order of runs.
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
// @ts-types="npm:@types/seedrandom@3.0.8"
import seedrandom from "seedrandom";

/** A stream of seeded random draws. */
export interface RandomStream {
  /** A uniform draw in [0, 1). */
  next(): number;
  /** A standard normal draw (mean 0, standard deviation 1). */
  normal(): number;
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
  const uniform: () => number = seedrandom.alea(`${seed}/${key.run}/${key.key}`);
  return {
    next: uniform,
    normal() {
      // alea's draws are multiples of 2^-32, so `hz` is a uniform whole number in
      // [-2^31, 2^31). It stays a double: int32 arithmetic would overflow negating -2^31,
      // and V8 then falls off its fast path (about 2.5x slower).
      const hz = uniform() * 4294967296 - 2147483648;
      const iz = hz & 127;
      return Math.abs(hz) < KN[iz]! ? hz * WN[iz]! : tail(hz, iz, uniform);
    },
  };
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

/** The ziggurat's slow path: a candidate outside the layer's rectangle, or the base strip. */
function tail(hz: number, iz: number, uniform: () => number): number {
  for (;;) {
    const x = hz * WN[iz]!;
    if (iz === 0) {
      let t: number, y: number;
      do {
        t = -Math.log(1 - uniform()) / R;
        y = -Math.log(1 - uniform());
      } while (y + y < t * t);
      return hz > 0 ? R + t : -R - t;
    }
    if (FN[iz]! + uniform() * (FN[iz - 1]! - FN[iz]!) < Math.exp(-0.5 * x * x)) return x;
    hz = uniform() * 4294967296 - 2147483648;
    iz = hz & 127;
    if (Math.abs(hz) < KN[iz]!) return hz * WN[iz]!;
  }
}
