// The built-in generators (SPEC §3): what each path must do over many seeds, the documented
// recursions where noise is off, option checks, and determinism.
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreaterOrEqual,
  assertLess,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { ScenarioError } from "../../core/errors.ts";
import type { GeneratorDefinition } from "../../core/plugin.ts";
import { createStream } from "../../core/random.ts";
import { EXAMPLE_LEVELS, readOptions, runGenerator } from "../../testing.ts";
import breakout from "../../plugins/breakout.ts";
import falseBreakout from "../../plugins/false_breakout.ts";
import hv from "../../plugins/hv.ts";
import meanRevert from "../../plugins/mean_revert.ts";
import volPath from "../../plugins/vol_path.ts";

const { atr, flip, putWall, callWall } = EXAMPLE_LEVELS;
const SEEDS = Array.from({ length: 200 }, (_, i) => i);
const STEPS = 200;
const START = 694;

/** Runs a generator once per seed and returns the chosen channel of each run. */
async function paths(
  definition: GeneratorDefinition,
  options: Record<string, unknown>,
  channel: "spot" | "iv" = "spot",
): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  for (const seed of SEEDS) {
    out.push((await runGenerator(definition, { options, seed, steps: STEPS }))[channel]);
  }
  return out;
}

/** Share of the items for which `test` holds. */
function share<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.filter(test).length / items.length;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function last(path: Float64Array): number {
  return path[path.length - 1]!;
}

// mean-revert

Deno.test("mean-revert stays within a few ATR of the flip over 200 steps", async () => {
  const runs = await paths(meanRevert, { start: START });
  const maxDistance = runs.map((p) => Math.max(...p.map((s) => Math.abs(s - flip))) / atr);
  const finalDistance = runs.map((p) => Math.abs(last(p) - flip) / atr);
  assertGreaterOrEqual(share(maxDistance, (d) => d < 5), 0.95);
  assertLess(mean(finalDistance), 2);
});

Deno.test("mean-revert closes the intensity share of the gap to its target each step", async () => {
  const target = 700;
  const { spot } = await runGenerator(meanRevert, {
    options: { start: START, target, intensity: 0.25, noise: 0 },
  });
  assertEquals(spot[0], START);
  for (let t = 1; t < 40; t++) {
    assertAlmostEquals(spot[t]!, target - (target - START) * 0.75 ** t, 1e-9, `step ${t}`);
  }
  assertAlmostEquals(last(spot), target, 1e-9);
});

Deno.test("mean-revert defaults its start and target to the flip", async () => {
  const { spot } = await runGenerator(meanRevert, { options: { noise: 0 } });
  assert(spot.every((s) => s === flip));
});

// breakout

for (
  const { direction, wall, beyond } of [
    { direction: "up", wall: "call", beyond: (s: number) => s > callWall },
    { direction: "down", wall: "put", beyond: (s: number) => s < putWall },
  ]
) {
  Deno.test(`breakout ${direction} ends beyond the ${wall} wall in at least 90% of seeds`, async () => {
    const runs = await paths(breakout, { start: START, direction });
    assertGreaterOrEqual(share(runs, (p) => beyond(last(p))), 0.9);
  });
}

Deno.test("breakout onset delays the drift: with noise 0 the path is flat until onset", async () => {
  const onset = 50;
  for (const [direction, sign] of [["up", 1], ["down", -1]] as const) {
    const { spot } = await runGenerator(breakout, {
      options: { start: START, direction, onset, noise: 0, speed: 0.2 },
    });
    for (let t = 0; t < onset; t++) assertEquals(spot[t], START, `${direction}, step ${t}`);
    for (let t = onset; t < STEPS; t++) {
      const expected = START + sign * (t - onset + 1) * 0.2 * atr;
      assertAlmostEquals(spot[t]!, expected, 1e-9, `${direction}, step ${t}`);
    }
  }
});

Deno.test("breakout onset delays the drift with the default noise too", async () => {
  const onset = 120;
  const runs = await paths(breakout, { start: START, onset });
  const before = mean(runs.map((p) => (p[onset - 1]! - START) / atr));
  const after = mean(runs.map((p) => (last(p) - START) / atr));
  // Before the onset the path only wanders; afterwards it drifts 0.1 ATR a step.
  assertLess(Math.abs(before), 0.5);
  assertAlmostEquals(after, (STEPS - onset) * 0.1, 0.5);
});

// false-breakout

for (
  const { wall, options, beyondWall } of [
    {
      wall: "call",
      options: { start: START, wall: "call" },
      beyondWall: (s: number) => (s - callWall) / atr,
    },
    {
      wall: "put",
      options: { start: START, wall: "put", depth: 1.5, push: 0.25 },
      beyondWall: (s: number) => (putWall - s) / atr,
    },
  ]
) {
  const { depth, push } = readOptions<{ depth: number; push: number }>(falseBreakout, options);
  const peakStep = Math.floor(push * STEPS);

  Deno.test(`false-breakout crosses the ${wall} wall by about depth ATR at floor(push * steps)`, async () => {
    const runs = await paths(falseBreakout, options);
    const atPeak = runs.map((p) => beyondWall(p[peakStep]!));
    // Step noise is 0.2 ATR: within 0.6 ATR of the depth is three standard deviations.
    assertGreaterOrEqual(share(atPeak, (d) => d > 0 && Math.abs(d - depth) < 0.6), 0.95);
    assertAlmostEquals(mean(atPeak), depth, 0.1);
    // The BREACH episode is around the peak step, not later in the recovery.
    const lateBreach = (p: Float64Array) => p.slice(peakStep + 10).some((s) => beyondWall(s) > 0);
    assertGreaterOrEqual(share(runs, (p) => !lateBreach(p)), 0.95);
  });

  Deno.test(`false-breakout through the ${wall} wall ends back inside the walls`, async () => {
    const runs = await paths(falseBreakout, options);
    for (const [seed, p] of runs.entries()) {
      assert(beyondWall(p[0]!) < 0, `seed ${seed} starts outside`);
      assert(putWall < last(p) && last(p) < callWall, `seed ${seed} ends at ${last(p)}`);
    }
  });
}

Deno.test("false-breakout with noise 0 peaks exactly at the push step, then reverts", async () => {
  const { spot } = await runGenerator(falseBreakout, {
    options: { start: START, wall: "call", depth: 0.5, push: 0.4, noise: 0 },
  });
  const peakStep = Math.floor(0.4 * STEPS);
  assertAlmostEquals(spot[peakStep]!, callWall + 0.5 * atr, 1e-9);
  assertEquals(spot.indexOf(Math.max(...spot)), peakStep);
  for (let t = peakStep + 1; t < STEPS; t++) assertLess(spot[t]!, spot[t - 1]!);
  assertAlmostEquals(last(spot), START, 1e-6);
});

// vol-path

Deno.test("vol-path IV stays > 0 with a large negative shock and a big volOfVol", async () => {
  const options = { start: 0.15, volOfVol: 0.6, shockAt: 20, shockSize: -0.99 };
  const runs = await paths(volPath, options, "iv");
  for (const [seed, iv] of runs.entries()) {
    const low = Math.min(...iv);
    assert(low > 0 && low >= 0.01, `seed ${seed}: IV fell to ${low}`);
  }
});

Deno.test("vol-path with volOfVol 0 drifts monotonically to the target", async () => {
  for (const [start, target] of [[0.15, 0.3], [0.3, 0.15]] as const) {
    const { iv } = await runGenerator(volPath, { options: { start, target, volOfVol: 0 } });
    assertEquals(iv[0], start);
    for (let t = 1; t < STEPS; t++) {
      assertLess(Math.abs(target - iv[t]!), Math.abs(target - iv[t - 1]!), `step ${t}`);
      assert((iv[t]! - iv[t - 1]!) * (target - start) > 0, `step ${t} moves away`);
    }
    assertAlmostEquals(last(iv), target, 1e-4);
  }
});

Deno.test("vol-path drifts to the target on average with the default volOfVol", async () => {
  const runs = await paths(volPath, { start: 0.15, target: 0.3 }, "iv");
  assertAlmostEquals(mean(runs.map(last)), 0.3, 0.01);
});

Deno.test("vol-path jumps by shockSize exactly at shockAt, then decays to the target", async () => {
  const shockAt = 60;
  const reversion = 0.05;
  for (const shockSize of [0.5, -0.3]) {
    const target = 0.25;
    const { iv } = await runGenerator(volPath, {
      options: { start: 0.15, target, reversion, volOfVol: 0, shockAt, shockSize },
    });
    const next = (v: number) => v + reversion * (target - v);
    // No jump before the shock step: each step is the plain reversion.
    assertAlmostEquals(iv[shockAt - 1]! / next(iv[shockAt - 2]!), 1, 1e-12);
    assertAlmostEquals(iv[shockAt]! / next(iv[shockAt - 1]!), 1 + shockSize, 1e-12);
    assertAlmostEquals(iv[shockAt + 1]! / next(iv[shockAt]!), 1, 1e-12);
    // Then the gap to the target shrinks every step.
    for (let t = shockAt + 1; t < STEPS; t++) {
      assertLess(Math.abs(iv[t]! - target), Math.abs(iv[t - 1]! - target), `step ${t}`);
    }
    assertLess(Math.abs(last(iv) - target), 1e-3);
  }
});

Deno.test("vol-path target defaults to start", async () => {
  const { iv } = await runGenerator(volPath, { options: { start: 0.2, volOfVol: 0 } });
  assert(iv.every((v) => v === 0.2), `got ${iv.find((v) => v !== 0.2)}`);
});

// hv

/** A geometric random walk with 1% daily moves, about 16% annualised. */
function randomSpot(steps: number): Float64Array {
  const random = createStream(7, { run: 0, key: "tests.spot" });
  const spot = new Float64Array(steps);
  let s = 100;
  for (let t = 0; t < steps; t++) {
    if (t > 0) s *= Math.exp(0.01 * random.normal());
    spot[t] = s;
  }
  return spot;
}

/** Sample standard deviation of the last `window` log returns up to step t, annualised. */
function realised(spot: Float64Array, t: number, window: number, periodsPerYear: number): number {
  const returns: number[] = [];
  for (let k = t - window + 1; k <= t; k++) returns.push(Math.log(spot[k]! / spot[k - 1]!));
  const m = mean(returns);
  const variance = returns.reduce((sum, r) => sum + (r - m) ** 2, 0) / (window - 1);
  return Math.sqrt(variance * periodsPerYear);
}

Deno.test("hv fixed gives the constant at every step", async () => {
  const { hv: out } = await runGenerator(hv, {
    options: { value: 0.12 },
    blockSize: 7,
    inputs: { spot: randomSpot(STEPS) },
  });
  assertEquals(out.length, STEPS);
  assert(out.every((v) => v === 0.12), `got ${out.find((v) => v !== 0.12)}`);
});

Deno.test("hv realised uses initial during warm-up, then the annualised sample std of log returns", async () => {
  const spot = randomSpot(STEPS);
  for (
    const { window, periodsPerYear, blockSize } of [
      { window: 20, periodsPerYear: 252, blockSize: 4096 },
      { window: 5, periodsPerYear: 52, blockSize: 7 },
    ]
  ) {
    const options = { window, initial: 0.12, periodsPerYear };
    const { hv: out } = await runGenerator(hv, { options, blockSize, inputs: { spot } });
    for (let t = 0; t < window; t++) assertEquals(out[t], 0.12, `warm-up step ${t}`);
    for (let t = window; t < STEPS; t++) {
      // The documented value: the realised HV, never below the default floor of 0.01.
      const expected = Math.max(realised(spot, t, window, periodsPerYear), 0.01);
      assertAlmostEquals(out[t]!, expected, 1e-12 * expected, `window ${window}, step ${t}`);
    }
  }
});

Deno.test("hv realised on a flat spot path gives the floor after warm-up", async () => {
  const spot = new Float64Array(STEPS).fill(START);
  for (const [floor, raw] of [[0.01, {}], [0.05, { floor: 0.05 }]] as const) {
    const options = { window: 10, initial: 0.12, ...raw };
    const { hv: out } = await runGenerator(hv, { options, inputs: { spot } });
    for (let t = 0; t < 10; t++) assertEquals(out[t], 0.12);
    for (let t = 10; t < STEPS; t++) assertEquals(out[t], floor, `step ${t}`);
  }
});

Deno.test("hv options reject a bad choice between fixed and realised, naming the field", () => {
  const cases: { raw: Record<string, unknown>; path: string }[] = [
    { raw: {}, path: "hv.value" },
    { raw: { value: 0.12, window: 20, initial: 0.12 }, path: "hv.value" },
    { raw: { window: 20 }, path: "hv.initial" },
    { raw: { value: 0.12, initial: 0.12 }, path: "hv.initial" },
    { raw: { window: 1, initial: 0.12 }, path: "hv.window" },
    { raw: { value: 0 }, path: "hv.value" },
  ];
  for (const { raw, path } of cases) {
    assertThrows(() => readOptions(hv, raw), ScenarioError, `"${path}"`);
  }
});

// Determinism, for every generator

const DETERMINISM: { definition: GeneratorDefinition; options: Record<string, unknown> }[] = [
  { definition: meanRevert, options: { start: START } },
  { definition: breakout, options: { start: START, onset: 13 } },
  { definition: falseBreakout, options: { start: START } },
  { definition: volPath, options: { start: 0.15, target: 0.2, shockAt: 50 } },
  { definition: hv, options: { window: 20, initial: 0.12 } },
];
const INPUTS = { spot: randomSpot(STEPS) };

for (const { definition, options } of DETERMINISM) {
  const run = (seed: number, blockSize?: number) =>
    runGenerator(definition, {
      options,
      seed,
      inputs: INPUTS,
      ...(blockSize === undefined ? {} : { blockSize }),
    });

  Deno.test(`${definition.name} gives identical arrays for the same seed`, async () => {
    assertEquals(await run(42), await run(42));
  });

  Deno.test(`${definition.name} gives the same path whatever the block size`, async () => {
    assertEquals(await run(42, 7), await run(42));
    assertEquals(await run(42, 1), await run(42));
  });

  if (definition === hv) {
    // Realised HV is a function of the spot path alone: it draws nothing from its stream.
    Deno.test("hv gives the same values for any seed, given the same spot path", async () => {
      assertEquals((await run(1)).hv, (await run(2)).hv);
    });
  } else {
    Deno.test(`${definition.name} gives different arrays for a different seed`, async () => {
      const channel = definition.provides[0] as "spot" | "iv";
      assertNotEquals((await run(1))[channel], (await run(2))[channel]);
    });
  }
}
