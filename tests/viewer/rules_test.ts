// The view decides which thresholds a run's frames follow with the envelope evaluator itself
// (viewer/rules.ts); these tests check that it reads every frame as the run loop made it, and
// that hostile values get the SPEC §1 answer.
import { assert, assertEquals } from "@std/assert";
import { type Flag, FLAGS, type Frame, type Regime, REGIMES } from "../../core/frame.ts";
import { parseJsonl } from "../../plugins/_jsonl_parse.ts";
import {
  DEFAULT_THRESHOLDS,
  type EnvelopeLevels,
  evaluateState,
  type Thresholds,
} from "../../plugins/envelope.ts";
import { EXAMPLE_LEVELS } from "../../testing.ts";
import { columnsOf } from "../../viewer/data.ts";
import {
  agrees,
  classifyStates,
  envelopeLevelsOf,
  thresholdsFor,
  validThresholds,
} from "../../viewer/rules.ts";
import { exampleFrames } from "./_frames.ts";
import { shippedRuns } from "./_scenarios.ts";

/** SPEC §1, read off the page: the oracle for hostile values. */
function spec(th: Thresholds, x: number, y: number, z: number): { regime: number; flags: number } {
  const regime: Regime = x > th.ruptureX || y > th.ruptureY
    ? "RUPTURE"
    : x >= th.maneuverX || y >= th.maneuverY
    ? "MANEUVER"
    : x < th.taxiX
    ? "TAXI"
    : "CRUISE";
  const flags: Flag[] = [];
  if (z < 0) flags.push("BREACH");
  if (x > th.overspeedX) flags.push("OVERSPEED");
  if (y < th.stallY) flags.push("STALL");
  return {
    regime: REGIMES.indexOf(regime),
    flags: flags.reduce((mask, flag) => mask | (1 << FLAGS.indexOf(flag)), 0),
  };
}

function classified(th: Thresholds, states: { x: number; y: number; z: number }[]) {
  const { regime, flags } = classifyStates(th, {
    x: Float64Array.from(states, (s) => s.x),
    y: Float64Array.from(states, (s) => s.y),
    z: Float64Array.from(states, (s) => s.z),
  });
  return states.map((_, i) => ({ regime: regime[i]!, flags: flags[i]! }));
}

function codes(frames: readonly Frame[]): { regime: number; flags: number }[] {
  const c = columnsOf(frames);
  return frames.map((_, i) => ({ regime: c.regime[i]!, flags: c.flags[i]! }));
}

/** A seeded uniform stream in [0, 1). */
function uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

Deno.test("classifyStates gives every shipped scenario's frames their own regimes and flags", async () => {
  for (const { file, frames, levels } of await shippedRuns()) {
    assert(frames.length > 0, file);
    assertEquals(classified(levels.thresholds, frames), codes(frames), file);
    assert(agrees(levels.thresholds, columnsOf(frames)), file);
  }
});

Deno.test("a shipped scenario's log, read back, infers its thresholds; other ones do not fit", async () => {
  let refused = 0;
  for (const { file, frames, levels } of await shippedRuns()) {
    const text = "\uFEFF" + frames.map((f) => JSON.stringify(f)).join("\r\n") + "\r\n\r\n";
    const { frames: read, bad } = parseJsonl(text);
    assertEquals(bad, [], file);
    const columns = columnsOf(read);
    assertEquals(thresholdsFor(columns, { levels: null, fallback: levels.thresholds }), {
      thresholds: levels.thresholds,
      source: "inferred",
    }, file);
    for (const key of Object.keys(levels.thresholds) as (keyof Thresholds)[]) {
      const other: Thresholds = { ...levels.thresholds, [key]: levels.thresholds[key] * 0.8 };
      const fits = frames.every((f, i) => {
        const { regime, flags } = spec(other, f.x, f.y, f.z);
        return regime === columns.regime[i] && flags === columns.flags[i];
      });
      assertEquals(agrees(other, columns), fits, `${file}: ${key}`);
      if (!fits) refused++;
    }
  }
  assert(refused > 3, `only ${refused} changed thresholds were refused`);
});

Deno.test("classifyStates agrees with evaluateState on random levels, thresholds and samples", () => {
  const next = uniform(20240301);
  const states: { x: number; y: number; z: number }[] = [];
  const expected: { regime: number; flags: number }[] = [];
  for (let round = 0; round < 40; round++) {
    const taxiX = 0.05 + next(), maneuverX = taxiX + 0.1 + 3 * next();
    const maneuverY = 0.5 + 2 * next();
    const thresholds: Thresholds = {
      taxiX,
      maneuverX,
      maneuverY,
      ruptureX: maneuverX + 4 * next(),
      ruptureY: maneuverY + 3 * next(),
      overspeedX: 0.1 + 6 * next(),
      stallY: 0.1 + 1.5 * next(),
    };
    const flip = 100 + 1000 * next(), atr = 0.1 + 20 * next();
    const levels: EnvelopeLevels = {
      atr,
      flip,
      putWall: flip - atr * (0.5 + 8 * next()),
      callWall: flip + atr * (0.5 + 8 * next()),
      riskProxyBase: 0.5 + next(),
      thresholds,
    };
    states.length = 0;
    expected.length = 0;
    for (let i = 0; i < 500; i++) {
      const spot = levels.putWall + (levels.callWall - levels.putWall) * (2.4 * next() - 0.7);
      const state = evaluateState(levels, { spot, iv: 0.01 + next(), hv: 0.01 + 0.5 * next() });
      states.push(state);
      expected.push({ regime: state.regime, flags: state.flags });
    }
    assertEquals(classified(thresholds, states), expected, `round ${round}`);
  }
});

Deno.test("classifyStates follows SPEC §1 at the thresholds and on extreme values", () => {
  const th = DEFAULT_THRESHOLDS;
  const up = (v: number) => v + Math.max(Number.MIN_VALUE, Math.abs(v) * Number.EPSILON);
  const down = (v: number) => v - Math.max(Number.MIN_VALUE, Math.abs(v) * Number.EPSILON);
  const xs = [0, -0, Number.MIN_VALUE, 1e-300, 1e308, Number.MAX_VALUE];
  const ys = [0, -0, Number.MIN_VALUE, 1e-300, 1e308, Number.MAX_VALUE, -1, -Number.MAX_VALUE];
  for (const v of [th.taxiX, th.maneuverX, th.ruptureX, th.overspeedX]) xs.push(down(v), v, up(v));
  for (const v of [th.maneuverY, th.ruptureY, th.stallY]) ys.push(down(v), v, up(v));
  const zs = [
    0,
    -0,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    1,
    down(1),
    up(1),
    2,
    -1e-300,
    1e308,
    -1e308,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
  ];
  const states = xs.flatMap((x) => ys.flatMap((y) => zs.map((z) => ({ x, y, z }))));
  assertEquals(
    classified(th, states),
    states.map(({ x, y, z }) => spec(th, x, y, z)),
  );
});

Deno.test("agrees() refuses negative X, no frames and incomplete thresholds", () => {
  const frames = exampleFrames(50);
  const columns = columnsOf(frames);
  assert(agrees(DEFAULT_THRESHOLDS, columns));
  const taxi = { ...frames[0]!, x: -0.1, regime: "TAXI" as const, flags: [] };
  assertEquals(agrees(DEFAULT_THRESHOLDS, columnsOf([...frames, taxi])), false);
  assertEquals(agrees(DEFAULT_THRESHOLDS, columnsOf([...frames, { ...taxi, x: -0 }])), true);
  assertEquals(agrees(DEFAULT_THRESHOLDS, columnsOf([])), false);
  assertEquals(agrees({ ...DEFAULT_THRESHOLDS, taxiX: "0.3" }, columns), false);
  assertEquals(agrees({ ...DEFAULT_THRESHOLDS, stallY: Infinity }, columns), false);
  assertEquals(agrees(null, columns), false);
  assertEquals(validThresholds([]), false);
});

Deno.test("hostile logs: frames whose regimes or flags break the rules fit no thresholds", () => {
  const good = exampleFrames(30).map((f) => JSON.stringify(f));
  const lie = (f: Frame, change: Partial<Frame>) => JSON.stringify({ ...f, ...change });
  const first = exampleFrames(1)[0]!;
  const cases: [string, string[], boolean][] = [
    ["the frames as written", good, true],
    ["noise around them", [
      "",
      "not json",
      '{"timestamp":1,"spot":"694"}',
      "[1,2,3]",
      '{"timestamp":0,"spot":1e999,"iv":1,"hv":1,"x":0,"y":1,"z":1,"regime":"TAXI","flags":[]}',
      ...good,
      '{"__proto__":{"regime":"TAXI"}}',
    ], true],
    ["extra fields and repeated flags", [
      ...good,
      JSON.stringify({ ...first, note: "<b>x</b>", flags: [...first.flags, ...first.flags] }),
    ], true],
    ["a regime the rules do not give", [...good, lie(first, { regime: "RUPTURE" })], false],
    ["a flag the rules do not give", [...good, lie(first, { flags: ["OVERSPEED"] })], false],
    ["a missing BREACH", [...good, lie(first, { z: -0.5, flags: [] })], false],
    ["a BREACH at Z = 0", [...good, lie(first, { z: 0, flags: ["BREACH"] })], false],
    [
      "a negative X called TAXI",
      [...good, lie(first, { x: -3, regime: "TAXI", flags: [] })],
      false,
    ],
    ["huge values", [
      ...good,
      lie(first, { x: 1e308, y: 1e308, regime: "RUPTURE", flags: ["OVERSPEED"] }),
    ], true],
  ];
  for (const [name, lines, fits] of cases) {
    const { frames } = parseJsonl(lines.join("\n") + "\n");
    const columns = columnsOf(frames);
    assertEquals(agrees(DEFAULT_THRESHOLDS, columns), fits, name);
    assertEquals(thresholdsFor(columns, { levels: null }).source, fits ? "inferred" : "none", name);
  }
});

Deno.test("thresholdsFor takes the levels' own, then the fallback, then SPEC §1's", () => {
  const columns = columnsOf(exampleFrames(40));
  assertEquals(thresholdsFor(columns, { levels: EXAMPLE_LEVELS }).source, "levels");
  const loose: Thresholds = { ...DEFAULT_THRESHOLDS, taxiX: 2 };
  const odd: EnvelopeLevels = { ...EXAMPLE_LEVELS, thresholds: loose };
  assertEquals(thresholdsFor(columns, { levels: odd }).thresholds, loose, "levels win unchecked");
  assertEquals(
    thresholdsFor(columns, { levels: null, fallback: loose }).thresholds,
    DEFAULT_THRESHOLDS,
  );
  assertEquals(
    thresholdsFor(columns, { levels: null, fallback: DEFAULT_THRESHOLDS }).source,
    "inferred",
  );
  assertEquals(envelopeLevelsOf(EXAMPLE_LEVELS), EXAMPLE_LEVELS);
  assertEquals(envelopeLevelsOf(null), null);
  assertEquals(envelopeLevelsOf({ ...EXAMPLE_LEVELS, atr: "2.8" }), null);
});
