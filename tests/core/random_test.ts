// Random streams (SPEC §3): createStream is seedrandom's alea, draw for draw; block draws are
// the single draws; normals are standard normal, tails included.
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
// @ts-types="npm:@types/seedrandom@3.0.8"
import seedrandom from "seedrandom";
import { createStream } from "../../core/random.ts";

Deno.test("createStream draws what seedrandom.alea draws for the key seed/run/key", () => {
  const keys: [number, number, string][] = [
    [42, 0, "generators.spot"],
    [0, 9_999_999, "generators.iv"],
    [-7, 3, "generators.hv"],
    [2 ** 40 + 0.5, 12, "generators.spot"],
    [1, 1, "générateurs.spot ✈"],
    [5, 2, ""],
  ];
  for (let run = 0; run < 300; run++) keys.push([run * 31 - 400, run, `generators.g${run}`]);
  // A consumer's next run is seeded ahead, alongside its current one: consecutive runs (9 to
  // 10 changes the key's length), runs out of order, a run asked twice, another seed between.
  for (const run of [7, 8, 9, 10, 11, 11, 12, 5, 6, 13]) keys.push([42, run, "generators.spot"]);
  keys.push([43, 14, "generators.spot"], [42, 14, "generators.spot"], [42, 15, "generators.spot"]);
  for (const [seed, run, key] of keys) {
    const ours = createStream(seed, { run, key });
    const theirs = seedrandom.alea(`${seed}/${run}/${key}`);
    for (let i = 0; i < 2000; i++) {
      const [a, b] = [ours.next(), theirs()];
      if (a !== b) throw new Error(`key ${seed}/${run}/${key}, draw ${i}: ${a} !== ${b}`);
    }
  }
});

Deno.test("fillNormal gives the draws of as many normal() calls, in any block split", () => {
  const single = createStream(3, { run: 1, key: "k" });
  const expected = Float64Array.from({ length: 300_000 }, () => single.normal());
  const block = createStream(3, { run: 1, key: "k" });
  const got = new Float64Array(expected.length);
  // Uneven blocks, some empty, so that ziggurat rejections fall at block edges too.
  for (let at = 0, size = 0; at < got.length; size = (size * 7 + 3) % 5000) {
    const to = Math.min(got.length, at + size);
    block.fillNormal(got, at, to);
    at = to;
  }
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== expected[i]) throw new Error(`draw ${i}: ${got[i]} !== ${expected[i]}`);
  }
  assertEquals(block.next(), single.next(), "both streams end in the same state");
  const whole = new Float64Array(10);
  createStream(3, { run: 1, key: "k" }).fillNormal(whole);
  assertEquals(whole, expected.subarray(0, 10));
});

Deno.test("normal draws are standard normal, tails included", () => {
  const n = 1_000_000;
  const draws = new Float64Array(n);
  createStream(11, { run: 0, key: "tests.normal" }).fillNormal(draws);
  let sum = 0, squares = 0, beyond2 = 0, beyond35 = 0;
  for (const d of draws) {
    sum += d;
    squares += d * d;
    if (Math.abs(d) > 2) beyond2++;
    if (Math.abs(d) > 3.5) beyond35++;
  }
  // Tolerances of about 5 standard errors.
  assertAlmostEquals(sum / n, 0, 0.005);
  assertAlmostEquals(squares / n, 1, 0.007);
  // P(|Z| > 2) = 0.0455, P(|Z| > 3.5) = 0.000465: the second lies in the ziggurat's base strip.
  assertAlmostEquals(beyond2 / n, 0.0455, 0.001);
  assertAlmostEquals(beyond35 / n, 0.000465, 0.0001);
  assert(draws.some((d) => d > 3.5) && draws.some((d) => d < -3.5), "both tails drawn");
});

Deno.test("normal draws stay the same draws: speed changes must not move a scenario's outputs", () => {
  // Pinned when the ziggurat's wedges were decided by Math.exp alone, before the squeeze that
  // now decides most of them: a hash (FNV-1a over the 32-bit words) of a million draws, which
  // reach the wedges about 27,000 times and the tail beyond 3.44 about 600 times.
  const draws = new Float64Array(1_000_000);
  createStream(11, { run: 0, key: "tests.normal" }).fillNormal(draws);
  let hash = 0x811c9dc5;
  for (const word of new Uint32Array(draws.buffer)) hash = Math.imul(hash ^ word, 0x01000193) >>> 0;
  assertEquals(hash.toString(16), "9a07bcbe");
});
