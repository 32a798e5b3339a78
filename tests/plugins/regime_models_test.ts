// The dealer-positioning generators, gamma-regime and pin: what each path must do over long
// seeded runs (tolerances from the sample size), the documented recursions, moving levels,
// option refusals and determinism.
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertNotEquals,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { ScenarioError } from "../../core/errors.ts";
import type { SampleBlock } from "../../core/frame.ts";
import type { GeneratorDefinition, MarketState } from "../../core/plugin.ts";
import { createStream } from "../../core/random.ts";
import { EXAMPLE_LEVELS, readOptions, runGenerator } from "../../testing.ts";
import gammaRegime, { type GammaRegimeOptions } from "../../plugins/gamma_regime.ts";
import pin, { type PinOptions } from "../../plugins/pin.ts";
import { parseScenario } from "../../plugins/mod.ts";

const { atr, flip } = EXAMPLE_LEVELS;

/** The levels in force at one step, as a generator of the `levels` channel fills them. */
type StepLevels = { atr: number; flip: number; putWall: number; callWall: number };

/**
 * Runs a generator as the run loop does when another generator moves the levels: every block
 * carries `levels` columns filled from `levelsAt`, before the generator fills spot.
 */
async function runWithLevels(
  definition: GeneratorDefinition,
  settings: {
    options: Record<string, unknown>;
    steps: number;
    levelsAt: (step: number) => StepLevels;
    seed?: number;
    blockSize?: number;
  },
): Promise<Float64Array> {
  const { steps, levelsAt, seed = 0, blockSize = 4096 } = settings;
  const options = readOptions<unknown>(definition, settings.options, steps);
  const instance = await definition.start({
    options,
    name: "test",
    seed,
    run: 0,
    steps,
    file: "scenario.jsonc",
    random: createStream(seed, { run: 0, key: `generators.${definition.name}` }),
    levels: () => EXAMPLE_LEVELS,
  });
  const spot = new Float64Array(steps);
  for (let start = 0; start < steps; start += blockSize) {
    const length = Math.min(blockSize, steps - start);
    const column = (name: keyof StepLevels) =>
      Float64Array.from({ length }, (_, i) => levelsAt(start + i)[name]);
    const block: SampleBlock = {
      start,
      length,
      spot: new Float64Array(length),
      iv: new Float64Array(length),
      hv: new Float64Array(length),
      time: [],
      levels: {
        atr: column("atr"),
        flip: column("flip"),
        putWall: column("putWall"),
        callWall: column("callWall"),
      },
    };
    instance.fill(block);
    spot.set(block.spot, start);
  }
  return spot;
}

/** Sample standard deviation. */
function sd(values: readonly number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

function meanOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

// gamma-regime

Deno.test("gamma-regime damps shocks above the flip and amplifies them below, in the ratio damping / amplification", async () => {
  const options = {
    noise: 0.3,
    damping: 0.4,
    pull: 0.1,
    amplification: 1.6,
    momentum: 0.3,
    wallStickiness: 0,
  };
  const above: number[] = [], below: number[] = [];
  for (let seed = 0; seed < 200; seed++) {
    const { spot } = await runGenerator(gammaRegime, { options, seed, steps: 500 });
    for (let t = 1; t < spot.length; t++) {
      const move = spot[t]! - spot[t - 1]!;
      const previous = t > 1 ? spot[t - 1]! - spot[t - 2]! : 0;
      // The shock alone: the move less the pull above the flip, less the momentum below it.
      if (spot[t - 1]! >= flip) above.push(move + options.pull * (spot[t - 1]! - flip));
      else below.push(move - options.momentum * previous);
    }
  }
  const n1 = above.length, n2 = below.length;
  assertGreater(Math.min(n1, n2), 10_000, `steps above ${n1}, below ${n2}`);
  // A sample standard deviation has relative standard error 1 / sqrt(2n); four of them.
  const step = options.noise * atr;
  const expected = { above: options.damping * step, below: options.amplification * step };
  assertAlmostEquals(sd(above), expected.above, 4 * expected.above / Math.sqrt(2 * n1));
  assertAlmostEquals(sd(below), expected.below, 4 * expected.below / Math.sqrt(2 * n2));
  const ratio = sd(above) / sd(below), want = options.damping / options.amplification;
  assertAlmostEquals(ratio, want, 4 * want * Math.sqrt(1 / (2 * n1) + 1 / (2 * n2)));
  // The raw moves tell the same story: calm above the flip, wild below it.
  assertLess(sd(above) * 2, sd(below));
});

Deno.test("gamma-regime repels the wallStickiness share of wall touches, following its documented recursion", async () => {
  // Walls close to the flip and a large shock, so that touches are frequent.
  const levels = { ...EXAMPLE_LEVELS, putWall: 690, callWall: 695 };
  const options = {
    noise: 1,
    damping: 1,
    pull: 0.1,
    amplification: 1,
    momentum: 0.2,
    wallStickiness: 0.7,
  };
  const sdStep = options.noise * levels.atr;
  let touches = 0, repelled = 0;
  for (let seed = 0; seed < 300; seed++) {
    const { spot } = await runGenerator(gammaRegime, { options, seed, levels, steps: 400 });
    // The same draws, in the documented order: one normal, then one uniform, per step.
    const random = createStream(seed, { run: 0, key: "generators.gamma-regime" });
    assertEquals(spot[0], levels.flip);
    for (let t = 1; t < spot.length; t++) {
      const e = random.normal(), u = random.next();
      const s = spot[t - 1]!, m = t > 1 ? s - spot[t - 2]! : 0;
      const c = s >= levels.flip
        ? s - options.pull * (s - levels.flip) + options.damping * sdStep * e
        : s + options.momentum * m + options.amplification * sdStep * e;
      const wall = s <= levels.callWall && c > levels.callWall
        ? levels.callWall
        : s >= levels.putWall && c < levels.putWall
        ? levels.putWall
        : undefined;
      if (wall === undefined) {
        assertAlmostEquals(spot[t]!, c, 1e-9, `seed ${seed}, step ${t}`);
        continue;
      }
      touches++;
      const reflected = Math.abs(spot[t]! - (2 * wall - c)) < 1e-9;
      assert(reflected || Math.abs(spot[t]! - c) < 1e-9, `seed ${seed}, step ${t}`);
      assertEquals(reflected, u < options.wallStickiness, `seed ${seed}, step ${t}`);
      if (reflected) repelled++;
    }
  }
  assertGreater(touches, 2_000);
  // A binomial share: four standard errors of p(1 - p) / n.
  const p = options.wallStickiness;
  assertAlmostEquals(repelled / touches, p, 4 * Math.sqrt(p * (1 - p) / touches));
});

Deno.test("gamma-regime with wallStickiness 1 never crosses a wall from inside, and with 0 crosses", async () => {
  // Steps of 0.84 at most a few ATR: none overshoots a wall by the 5 between them.
  const levels = { ...EXAMPLE_LEVELS, putWall: 690, callWall: 695 };
  const inside = (s: number) => levels.putWall <= s && s <= levels.callWall;
  for (const [wallStickiness, crosses] of [[1, false], [0, true]] as const) {
    let crossed = 0;
    for (let seed = 0; seed < 50; seed++) {
      const options = { noise: 0.2, momentum: 0, wallStickiness };
      const { spot } = await runGenerator(gammaRegime, { options, seed, levels, steps: 400 });
      for (let t = 1; t < spot.length; t++) {
        if (inside(spot[t - 1]!) && !inside(spot[t]!)) crossed++;
      }
    }
    assertEquals(crossed > 0, crosses, `wallStickiness ${wallStickiness}: ${crossed} crossings`);
  }
});

Deno.test("gamma-regime pulls toward the flip the levels channel moves to", async () => {
  const moved = 100;
  const levelsAt = (step: number): StepLevels =>
    step < moved
      ? { atr, flip: 692.5, putWall: 680, callWall: 700 }
      : { atr, flip: 670, putWall: 660, callWall: 680 };
  const pull = 0.1;
  for (const blockSize of [4096, 7]) {
    const spot = await runWithLevels(gammaRegime, {
      options: { start: 694, noise: 0, pull },
      steps: 200,
      levelsAt,
      blockSize,
    });
    for (let t = 0; t < moved; t++) {
      assertAlmostEquals(spot[t]!, 692.5 + 1.5 * (1 - pull) ** t, 1e-9, `step ${t}`);
    }
    const from = spot[moved - 1]! - 670;
    for (let t = moved; t < 200; t++) {
      assertAlmostEquals(spot[t]!, 670 + from * (1 - pull) ** (t - moved + 1), 1e-9, `step ${t}`);
    }
  }
});

Deno.test("gamma-regime scales its shock by the ATR the levels channel has in force", async () => {
  const levelsAt = (step: number): StepLevels => ({
    ...EXAMPLE_LEVELS,
    atr: step % 2 === 0 ? 2.8 : 5.6,
  });
  // No pull, no momentum, no damping or amplification: a walk whose step is noise * atr.
  const options = {
    noise: 0.3,
    damping: 1,
    pull: 0,
    amplification: 1,
    momentum: 0,
    wallStickiness: 0,
  };
  const small: number[] = [], large: number[] = [];
  for (let seed = 0; seed < 40; seed++) {
    const spot = await runWithLevels(gammaRegime, { options, steps: 500, levelsAt, seed });
    for (let t = 1; t < spot.length; t++) {
      (t % 2 === 0 ? small : large).push(spot[t]! - spot[t - 1]!);
    }
  }
  const n1 = small.length, n2 = large.length;
  assertGreater(Math.min(n1, n2), 5_000);
  const ratio = sd(large) / sd(small);
  assertAlmostEquals(ratio, 2, 4 * 2 * Math.sqrt(1 / (2 * n1) + 1 / (2 * n2)));
});

Deno.test("gamma-regime repels from the walls the levels channel has in force", async () => {
  const levelsAt = (step: number): StepLevels =>
    step < 150
      ? { atr, flip: 692.5, putWall: 690, callWall: 695 }
      : { atr, flip: 697.5, putWall: 695, callWall: 700 };
  let checked = 0;
  for (let seed = 0; seed < 30; seed++) {
    const spot = await runWithLevels(gammaRegime, {
      options: { noise: 0.2, momentum: 0, wallStickiness: 1 },
      steps: 300,
      levelsAt,
      seed,
    });
    // The default start is the flip in force at step 0.
    assertEquals(spot[0], 692.5);
    for (let t = 1; t < spot.length; t++) {
      const { putWall, callWall } = levelsAt(t);
      const s = spot[t - 1]!;
      if (s < putWall || s > callWall) continue;
      checked++;
      assert(putWall <= spot[t]! && spot[t]! <= callWall, `seed ${seed}, step ${t}`);
    }
  }
  assertGreater(checked, 1_000);
});

Deno.test("gamma-regime gives the same bytes whatever the block size, with static or moving levels", async () => {
  const options = { start: 694, wallStickiness: 0.5 };
  const whole = await runGenerator(gammaRegime, { options, seed: 3, steps: 1000 });
  for (const blockSize of [1, 7, 333]) {
    assertEquals(
      await runGenerator(gammaRegime, { options, seed: 3, steps: 1000, blockSize }),
      whole,
    );
  }
  const levelsAt = (step: number): StepLevels => ({
    atr: 2.8 + (step % 5) * 0.1,
    flip: 692.5 + Math.sin(step / 20),
    putWall: 680,
    callWall: 700,
  });
  const moving = await runWithLevels(gammaRegime, { options, steps: 1000, levelsAt, seed: 3 });
  assertNotEquals(moving, whole.spot);
  for (const blockSize of [1, 7, 333]) {
    const blocks = await runWithLevels(gammaRegime, {
      options,
      steps: 1000,
      levelsAt,
      seed: 3,
      blockSize,
    });
    assertEquals(blocks, moving);
  }
});

// pin

Deno.test("pin hits its strike exactly at step at, for every seed and block size", async () => {
  for (
    const [start, strike, at] of [[690.3, 700.1, 57], [694, 688.7, 1], [700, 692.5, 199]] as const
  ) {
    for (let seed = 0; seed < 50; seed++) {
      for (const blockSize of [4096, 7, 1]) {
        const { spot } = await runGenerator(pin, {
          options: { start, strike, at, noise: 0.8 },
          seed,
          blockSize,
        });
        assertEquals(spot[0], start);
        assertEquals(spot[at], strike, `seed ${seed}, at ${at}, block ${blockSize}`);
      }
    }
  }
});

Deno.test("pin strike and start default to the flip", async () => {
  const { spot } = await runGenerator(pin, { options: { at: 40 } });
  assertEquals([spot[0], spot[40]], [flip, flip]);
  assert(spot.some((s) => s !== flip));
});

Deno.test("pin spread mid-way matches the bridge variance noise^2 t (at - t) / at, then walks on", async () => {
  const at = 100, steps = 151, start = 694, strike = 690, noise = 0.4;
  const runs = 4000;
  const step = noise * atr;
  // Mid-way, either side of it, the step before the pin (where the shrinking shock shows), after.
  const checks = [25, 50, 75, 99, 150];
  const values = new Map(checks.map((t) => [t, [] as number[]]));
  for (let seed = 0; seed < runs; seed++) {
    const { spot } = await runGenerator(pin, {
      options: { start, strike, at, noise },
      seed,
      steps,
    });
    for (const t of checks) values.get(t)!.push(spot[t]!);
  }
  for (const t of checks) {
    const xs = values.get(t)!;
    // Before the pin, the bridge; after it, a walk from the strike: (t - at) steps of noise.
    const mean = t <= at ? start + (strike - start) * t / at : strike;
    const variance = t <= at ? step ** 2 * t * (at - t) / at : step ** 2 * (t - at);
    // Four standard errors: sqrt(var / n) for the mean, var * sqrt(2 / (n - 1)) for the variance.
    assertAlmostEquals(meanOf(xs), mean, 4 * Math.sqrt(variance / runs), `mean at ${t}`);
    assertAlmostEquals(sd(xs) ** 2, variance, 4 * variance * Math.sqrt(2 / (runs - 1)), `at ${t}`);
  }
});

Deno.test("pin with noise 0 closes the gap evenly and stays on the strike", async () => {
  const { spot } = await runGenerator(pin, {
    options: { start: 680, strike: 700, at: 80, noise: 0 },
  });
  for (let t = 0; t <= 80; t++) assertAlmostEquals(spot[t]!, 680 + 20 * t / 80, 1e-9);
  for (let t = 80; t < 200; t++) assertEquals(spot[t], 700);
});

Deno.test("pin takes its default strike and its shock's ATR from the levels channel", async () => {
  const levelsAt = (step: number): StepLevels => ({
    atr: step < 50 ? 2.8 : 28,
    flip: step === 0 ? 695 : 640,
    putWall: 600,
    callWall: 700,
  });
  const spot = await runWithLevels(pin, { options: { at: 20 }, steps: 200, levelsAt });
  // Start and strike are the flip in force at step 0, fixed for the run.
  assertEquals([spot[0], spot[20]], [695, 695]);
  const moves = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => spot[from + i + 1]! - spot[from + i]!);
  // Ten times the ATR, ten times the step: 150 moves against 29 leave no doubt.
  assertGreater(sd(moves(50, 199)), 4 * sd(moves(20, 49)));
});

Deno.test("pin gives the same bytes whatever the block size, and other paths for another seed", async () => {
  const options = { start: 694, strike: 698, at: 120 };
  const whole = await runGenerator(pin, { options, seed: 5, steps: 300 });
  for (const blockSize of [1, 7, 119, 120, 121]) {
    assertEquals(await runGenerator(pin, { options, seed: 5, steps: 300, blockSize }), whole);
  }
  assertNotEquals((await runGenerator(pin, { options, seed: 6, steps: 300 })).spot, whole.spot);
});

Deno.test("gamma-regime gives other paths for another seed, the same for the same seed", async () => {
  const run = (seed: number) => runGenerator(gammaRegime, { seed });
  assertEquals(await run(1), await run(1));
  assertNotEquals((await run(1)).spot, (await run(2)).spot);
});

// Refusals

Deno.test("gamma-regime and pin refuse impossible parameters with their field paths", () => {
  const cases: [GeneratorDefinition, Record<string, unknown>, string][] = [
    [
      gammaRegime,
      { damping: 0 },
      'Cannot read "gamma-regime.damping": expected a number in (0, 1], got 0',
    ],
    [
      gammaRegime,
      { damping: 1.2 },
      'Cannot read "gamma-regime.damping": expected a number in (0, 1], got 1.2',
    ],
    [
      gammaRegime,
      { pull: -0.1 },
      'Cannot read "gamma-regime.pull": expected a number in [0, 1], got -0.1',
    ],
    [
      gammaRegime,
      { amplification: 0.5 },
      'Cannot read "gamma-regime.amplification": expected a number >= 1, got 0.5',
    ],
    [
      gammaRegime,
      { momentum: 1 },
      'Cannot read "gamma-regime.momentum": expected a number in [0, 1), got 1',
    ],
    [
      gammaRegime,
      { wallStickiness: 1.5 },
      'Cannot read "gamma-regime.wallStickiness": expected a number in [0, 1], got 1.5',
    ],
    [
      gammaRegime,
      { noise: -1 },
      'Cannot read "gamma-regime.noise": expected a number >= 0, got -1',
    ],
    [
      pin,
      {},
      'Cannot read "pin.at": expected an integer >= 1, got nothing (the field is required)',
    ],
    [pin, { at: 0 }, 'Cannot read "pin.at": expected an integer >= 1, got 0'],
    [pin, { at: 2.5 }, 'Cannot read "pin.at": expected an integer >= 1, got 2.5'],
    [
      pin,
      { at: 200 },
      `Cannot read "pin.at": expected a step before the run's last, 1 to 199, got 200`,
    ],
    [pin, { at: 10, strike: "700" }, 'Cannot read "pin.strike": expected a number, got "700"'],
  ];
  for (const [definition, raw, message] of cases) {
    const error = assertThrows(() => readOptions(definition, raw), ScenarioError);
    assertEquals(error.message, message, JSON.stringify(raw));
  }
});

Deno.test("a scenario with pin at beyond its steps is refused, naming the file and the field", async () => {
  const text = JSON.stringify({
    steps: 50,
    evaluator: { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 },
    generators: {
      spot: { use: "pin", at: 50 },
      iv: { use: "vol-path", start: 0.15 },
      hv: { use: "hv", value: 0.12 },
    },
  });
  await assertRejects(
    () => parseScenario(text, { path: "x.jsonc" }),
    ScenarioError,
    `x.jsonc: Cannot read "generators.spot.at": expected a step before the run's last, 1 to 49, got 50`,
  );
});

// fromState: a backtest restarts the path from a real day's close

const DAY: MarketState = { date: "2022-12-12", spot: 3990.56, atr: 62.99, iv: 0.2299, hv: 0.21 };
const DAY_LEVELS = { ...EXAMPLE_LEVELS, atr: DAY.atr, flip: 3975, putWall: 3900, callWall: 4100 };

Deno.test("gamma-regime fromState starts the path at the day's close and keeps the other options", async () => {
  const raw = { start: 694, noise: 0.2, damping: 0.6, pull: 0.2, wallStickiness: 0.9 };
  const options = readOptions<GammaRegimeOptions>(gammaRegime, raw);
  const restarted = gammaRegime.fromState!(options, DAY);
  assertEquals(restarted, { ...options, start: DAY.spot });
  const { spot } = await runGenerator(gammaRegime, {
    options: { ...raw, start: restarted.start },
    levels: DAY_LEVELS,
  });
  assertEquals(spot[0], DAY.spot);
  // The noise is in ATRs: the day's ATR of 63 makes steps of tens of points, not of cents.
  assertGreater(sd(Array.from(spot.subarray(1), (s, i) => s - spot[i]!)), 5);
});

Deno.test("pin fromState starts at the day's close and keeps the strike and the pin step", async () => {
  const raw = { start: 694, strike: 4000, at: 30 };
  const options = readOptions<PinOptions>(pin, raw);
  const restarted = pin.fromState!(options, DAY);
  assertEquals(restarted, { ...options, start: DAY.spot });
  const { spot } = await runGenerator(pin, {
    options: { ...raw, start: restarted.start },
    levels: DAY_LEVELS,
  });
  assertEquals([spot[0], spot[30]], [DAY.spot, 4000]);
  // Without a strike, the pin is to that day's flip.
  const untyped = pin.fromState!(readOptions<PinOptions>(pin, { at: 30 }), DAY);
  const { spot: toFlip } = await runGenerator(pin, {
    options: { start: untyped.start, at: 30 },
    levels: DAY_LEVELS,
  });
  assertEquals([toFlip[0], toFlip[30]], [DAY.spot, DAY_LEVELS.flip]);
});
