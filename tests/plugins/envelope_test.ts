// The flight envelope (SPEC §1): coordinates, regimes, flags and option checks, through both
// `evaluateState` and the `envelope` evaluator plugin.
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { ScenarioError } from "../../core/errors.ts";
import { DEFAULT_SEVERITY, detectEvents, eventOptionsOf } from "../../core/events.ts";
import { type Flag, flagsOf, type Regime, REGIMES } from "../../core/frame.ts";
import { readOptions, runEvaluator } from "../../testing.ts";
import { loadScenario, startRun } from "../../mod.ts";
import envelope, {
  type EnvelopeLevels,
  type EnvelopeOptions,
  evaluateState,
} from "../../plugins/envelope.ts";

type Sample = { spot: number; iv: number; hv: number };

/** ATR 10 and integer levels, so that thresholds are hit by exact doubles (3 / 10 === 0.3). */
const LEVELS = { atr: 10, flip: 1000, putWall: 920, callWall: 1100 };
/** HV that makes `y = iv / 0.25` exact for the IVs used below. */
const HV = 0.25;

/** A state at `spot` with load factor `y` (y * 0.25 is exact for the values used). */
function at(spot: number, y = 1): Sample {
  return { spot, iv: y * HV, hv: HV };
}

/**
 * Evaluates one sample with both `evaluateState` and the plugin, checks they agree exactly,
 * and returns the state with its regime and flags by name.
 */
function evaluate(
  sample: Sample,
  options: Record<string, unknown> = LEVELS,
): { x: number; y: number; z: number; regime: Regime; flags: readonly Flag[] } {
  // Typed levels: the options are the levels the envelope publishes.
  const direct = evaluateState(
    readOptions<EnvelopeOptions>(envelope, options) as EnvelopeLevels,
    sample,
  );
  const out = runEvaluator(envelope, { options, samples: [sample] });
  const plugin = {
    x: out.x[0]!,
    y: out.y[0]!,
    z: out.z[0]!,
    regime: out.regime[0]!,
    flags: out.flags[0]!,
  };
  assertEquals(plugin, direct, "the evaluator and evaluateState() disagree");
  return { ...direct, regime: REGIMES[direct.regime]!, flags: flagsOf(direct.flags) };
}

Deno.test("evaluateState() and the envelope evaluator give the SPEC §1 check values", () => {
  const options = { atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 };
  const sample = { spot: 694, iv: 0.15, hv: 0.12 };
  const state = evaluate(sample, options);
  assertEquals(state, {
    x: 0.5357142857142857,
    y: 1.25,
    z: 0.8,
    regime: "CRUISE",
    flags: [],
  });
});

Deno.test("evaluateState() and the envelope evaluator agree on a grid of states", () => {
  const configs: Record<string, unknown>[] = [
    LEVELS,
    {
      atr: 2.8,
      flip: 692.5,
      putWall: 680,
      callWall: 700,
      riskProxyBase: 1.3,
      thresholds: { taxiX: 0.5, maneuverY: 1.2, overspeedX: 3, stallY: 0.9 },
    },
  ];
  for (const options of configs) {
    const levels = readOptions<EnvelopeOptions>(envelope, options) as EnvelopeLevels;
    // Spots from 6 ATR below the flip to 6 ATR above, past both walls of each config.
    const samples: Sample[] = [];
    for (let k = -16; k <= 16; k++) {
      const spot = levels.flip + k * 0.37 * levels.atr;
      for (const iv of [0.05, 0.12, 0.2, 0.3, 0.45, 0.7]) {
        for (const hv of [0.1, 0.17, 0.25]) samples.push({ spot, iv, hv });
      }
    }
    const out = runEvaluator(envelope, { options, samples });
    const regimes = new Set<number>();
    samples.forEach((sample, i) => {
      const direct = evaluateState(levels, sample);
      regimes.add(direct.regime);
      assertEquals(
        {
          x: out.x[i],
          y: out.y[i],
          z: out.z[i],
          regime: out.regime[i],
          flags: out.flags[i],
        },
        direct,
        `sample ${i}: ${JSON.stringify(sample)}`,
      );
    });
    assertEquals(regimes.size, 4, "the grid should cover every regime");
  }
});

Deno.test("evaluate() puts each regime boundary on the side SPEC §1 gives", () => {
  const cases: { what: string; sample: Sample; x?: number; y?: number; regime: Regime }[] = [
    {
      what: "x exactly taxiX (0.3) is CRUISE, not TAXI",
      sample: at(1003),
      x: 0.3,
      regime: "CRUISE",
    },
    { what: "x exactly 0.3 below the flip is CRUISE", sample: at(997), x: 0.3, regime: "CRUISE" },
    { what: "x just under 0.3 is TAXI", sample: at(1002.99), regime: "TAXI" },
    { what: "x = 0 at the flip is TAXI", sample: at(1000), x: 0, regime: "TAXI" },
    { what: "x just under 2.5 is CRUISE", sample: at(1024.99), regime: "CRUISE" },
    { what: "x exactly maneuverX (2.5) is MANEUVER", sample: at(1025), x: 2.5, regime: "MANEUVER" },
    { what: "x exactly ruptureX (4.5) is MANEUVER", sample: at(1045), x: 4.5, regime: "MANEUVER" },
    {
      what: "x exactly 4.5 below the flip is MANEUVER",
      sample: at(955),
      x: 4.5,
      regime: "MANEUVER",
    },
    { what: "x just above 4.5 is RUPTURE", sample: at(1045.01), regime: "RUPTURE" },
    { what: "y just under 1.5 is CRUISE", sample: at(1010, 1.4999), regime: "CRUISE" },
    {
      what: "y exactly maneuverY (1.5) is MANEUVER",
      sample: at(1010, 1.5),
      y: 1.5,
      regime: "MANEUVER",
    },
    {
      what: "y exactly ruptureY (2.5) is MANEUVER",
      sample: at(1010, 2.5),
      y: 2.5,
      regime: "MANEUVER",
    },
    { what: "y just above 2.5 is RUPTURE", sample: at(1010, 2.5001), regime: "RUPTURE" },
    { what: "RUPTURE by y wins over TAXI by x", sample: at(1000, 3), regime: "RUPTURE" },
    { what: "MANEUVER by y wins over TAXI by x", sample: at(1000, 1.5), regime: "MANEUVER" },
    { what: "RUPTURE by x wins over a low y", sample: at(1050, 0.4), regime: "RUPTURE" },
  ];
  for (const { what, sample, x, y, regime } of cases) {
    const state = evaluate(sample);
    if (x !== undefined) assertEquals(state.x, x, `${what}: x`);
    if (y !== undefined) assertEquals(state.y, y, `${what}: y`);
    assertEquals(state.regime, regime, what);
  }
});

Deno.test("evaluate() keeps STALL on a RUPTURE state: x > 4.5 with y < 0.8", () => {
  const state = evaluate(at(1050, 0.4));
  assertEquals(state.regime, "RUPTURE");
  assertEquals(state.flags, ["OVERSPEED", "STALL"]);
});

Deno.test("evaluate() raises each flag past its threshold and not at it", () => {
  const cases: { what: string; sample: Sample; flag: Flag; raised: boolean }[] = [
    { what: "beyond the call wall", sample: at(1100.01), flag: "BREACH", raised: true },
    { what: "exactly at the call wall", sample: at(1100), flag: "BREACH", raised: false },
    { what: "beyond the put wall", sample: at(919.99), flag: "BREACH", raised: true },
    { what: "exactly at the put wall", sample: at(920), flag: "BREACH", raised: false },
    { what: "just above x = 3.5", sample: at(1035.01), flag: "OVERSPEED", raised: true },
    { what: "exactly x = 3.5", sample: at(1035), flag: "OVERSPEED", raised: false },
    { what: "below the flip, past x = 3.5", sample: at(964.99), flag: "OVERSPEED", raised: true },
    { what: "just below y = 0.8", sample: at(1010, 0.7999), flag: "STALL", raised: true },
    { what: "exactly y = 0.8", sample: at(1010, 0.8), flag: "STALL", raised: false },
  ];
  for (const { what, sample, flag, raised } of cases) {
    const { flags } = evaluate(sample);
    assertEquals(flags.includes(flag), raised, `${flag} ${what}: got ${JSON.stringify(flags)}`);
  }
});

Deno.test("evaluate() flags BREACH beyond the call wall and beyond the put wall, not at z = 0", () => {
  assertEquals(evaluate(at(1100)).z, 0);
  assertEquals(evaluate(at(920)).z, 0);
  assertEquals(evaluate(at(1100)).flags, ["OVERSPEED"]);
  assertEquals(evaluate(at(1100.01)).flags, ["BREACH", "OVERSPEED"]);
  assertEquals(evaluate(at(919.99)).flags, ["BREACH", "OVERSPEED"]);
});

Deno.test("evaluate() lists flags in the order BREACH, OVERSPEED, STALL", () => {
  assertEquals(evaluate(at(1150, 0.4)).flags, ["BREACH", "OVERSPEED", "STALL"]);
  assertEquals(evaluate(at(880, 0.4)).flags, ["BREACH", "OVERSPEED", "STALL"]);
  assertEquals(evaluate(at(1040, 0.4)).flags, ["OVERSPEED", "STALL"]);
  assertEquals(
    evaluate(at(1050, 1), { ...LEVELS, callWall: 1040 }).flags,
    ["BREACH", "OVERSPEED"],
  );
});

Deno.test("evaluate() gives z = 1 at the flip, 0 at each wall, and negative beyond, unclamped", () => {
  // The walls are asymmetric (80 below, 100 above), so each side uses its own span.
  const cases: [spot: number, z: number][] = [
    [1000, 1],
    [1050, 0.5],
    [960, 0.5],
    [1100, 0],
    [920, 0],
    [1150, -0.5],
    [880, -0.5],
    [1300, -2],
    [840, -1],
  ];
  for (const [spot, z] of cases) assertEquals(evaluate(at(spot)).z, z, `spot ${spot}`);
});

Deno.test("evaluate() divides the load factor by riskProxyBase", () => {
  const sample = { spot: 1010, iv: 0.5, hv: 0.25 };
  assertEquals(evaluate(sample).y, 2);
  assertEquals(evaluate(sample).regime, "MANEUVER");
  const halved = evaluate(sample, { ...LEVELS, riskProxyBase: 2 });
  assertEquals(halved.y, 1);
  assertEquals(halved.regime, "CRUISE");
  assertEquals(evaluate(sample, { ...LEVELS, riskProxyBase: 0.5 }).y, 4);
});

Deno.test("evaluate() honours custom thresholds and keeps the defaults of the others", () => {
  const cases: {
    thresholds: Record<string, number>;
    sample: Sample;
    regime: Regime;
    flags: Flag[];
  }[] = [
    // Each of these states has another regime or flags under the default thresholds.
    { thresholds: { taxiX: 1 }, sample: at(1005), regime: "TAXI", flags: [] },
    { thresholds: { maneuverX: 1 }, sample: at(1010), regime: "MANEUVER", flags: [] },
    { thresholds: { ruptureX: 2 }, sample: at(1025), regime: "RUPTURE", flags: [] },
    { thresholds: { maneuverY: 1.25 }, sample: at(1010, 1.25), regime: "MANEUVER", flags: [] },
    { thresholds: { ruptureY: 2 }, sample: at(1010, 2.25), regime: "RUPTURE", flags: [] },
    { thresholds: { overspeedX: 1 }, sample: at(1015), regime: "CRUISE", flags: ["OVERSPEED"] },
    { thresholds: { stallY: 1.2 }, sample: at(1010, 1), regime: "CRUISE", flags: ["STALL"] },
    // A partial group keeps the SPEC defaults for the thresholds it leaves out.
    { thresholds: { taxiX: 1 }, sample: at(1025), regime: "MANEUVER", flags: [] },
    {
      thresholds: { stallY: 0.5 },
      sample: at(1036, 0.6),
      regime: "MANEUVER",
      flags: ["OVERSPEED"],
    },
  ];
  for (const { thresholds, sample, regime, flags } of cases) {
    const state = evaluate(sample, { ...LEVELS, thresholds });
    const what = `${JSON.stringify(thresholds)} at ${JSON.stringify(sample)}`;
    assertEquals(state.regime, regime, what);
    assertEquals(state.flags, flags, what);
  }
});

Deno.test("envelope options reject bad values, naming the field path", () => {
  const cases: { raw: Record<string, unknown>; path: string; found?: string }[] = [
    { raw: { ...LEVELS, atr: 0 }, path: "envelope.atr" },
    { raw: { ...LEVELS, atr: -2.8 }, path: "envelope.atr" },
    { raw: { ...LEVELS, atr: "2.8" }, path: "envelope.atr", found: 'got "2.8"' },
    { raw: { ...LEVELS, flip: "1000" }, path: "envelope.flip", found: 'got "1000"' },
    { raw: { ...LEVELS, atr: Infinity }, path: "envelope.atr" },
    { raw: { atr: 10, putWall: 920, callWall: 1100 }, path: "envelope.flip" },
    { raw: { ...LEVELS, putWall: 1000 }, path: "envelope.putWall" },
    { raw: { ...LEVELS, putWall: 1010 }, path: "envelope.putWall" },
    { raw: { ...LEVELS, callWall: 1000 }, path: "envelope.callWall" },
    { raw: { ...LEVELS, callWall: 990 }, path: "envelope.callWall" },
    { raw: { ...LEVELS, riskProxyBase: 0 }, path: "envelope.riskProxyBase" },
    { raw: { ...LEVELS, thresholds: { stallY: 0 } }, path: "envelope.thresholds.stallY" },
    { raw: { ...LEVELS, thresholds: { ruptureX: -1 } }, path: "envelope.thresholds.ruptureX" },
    { raw: { ...LEVELS, thresholds: { taxiX: "0.3" } }, path: "envelope.thresholds.taxiX" },
    { raw: { ...LEVELS, thresholds: { taxix: 0.3 } }, path: "envelope.thresholds.taxix" },
  ];
  for (const { raw, path, found } of cases) {
    const error = assertThrows(() => readOptions(envelope, raw), ScenarioError, `"${path}"`);
    if (found) assertEquals(error.message.includes(found), true, error.message);
  }
});

Deno.test("envelope options accept valid levels and fill in the defaults", () => {
  const options = readOptions<EnvelopeOptions>(envelope, LEVELS);
  assertEquals(options.riskProxyBase, 1);
  assertEquals(options.thresholds, {
    taxiX: 0.3,
    maneuverX: 2.5,
    maneuverY: 1.5,
    ruptureX: 4.5,
    ruptureY: 2.5,
    overspeedX: 3.5,
    stallY: 0.8,
  });
});

Deno.test("without a chain, the flip and both walls are required, each named", () => {
  const error = assertThrows(() => readOptions(envelope, { atr: 10, flip: 1000 }), ScenarioError);
  assertEquals(error.problems, [
    'Cannot read "envelope.putWall": expected a number, or a "chain" to take it from',
    'Cannot read "envelope.callWall": expected a number, or a "chain" to take it from',
  ]);
});

const chainFile = new URL(
  "../../../shared/data/spx_option_chain_2022-12-12_cboe.csv",
  import.meta.url,
);
const chainPresent = await Deno.stat(chainFile).then(() => true, () => false);
if (!chainPresent && Deno.env.get("CI") === "true") {
  Deno.test("the SPX chain of ../shared/data is there under CI", () => {
    throw new Error(`${chainFile.pathname} is absent`);
  });
}

Deno.test({
  name:
    "a chain gives the envelope its flip and walls; a restriction breaking their order is refused",
  ignore: !chainPresent,
}, async () => {
  const dir = await Deno.makeTempDir();
  const scenario = (evaluator: object) =>
    JSON.stringify({
      name: "chain",
      steps: 5,
      evaluator: { use: "envelope", atr: 62.99, chain: chainFile.pathname, ...evaluator },
      generators: {
        spot: { use: "mean-revert", start: 3990.56 },
        iv: { use: "vol-path", start: 0.25 },
        hv: { use: "hv", value: 0.18 },
      },
    });
  await Deno.writeTextFile(`${dir}/ok.jsonc`, scenario({}));
  const { levels } = await startRun(await loadScenario(`${dir}/ok.jsonc`));
  const { flip, putWall, callWall } = levels as EnvelopeLevels;
  assertEquals([Math.round(flip * 10) / 10, putWall, callWall], [4013.8, 4000, 4100]);
  await Deno.writeTextFile(`${dir}/none.jsonc`, scenario({ restriction: "none" }));
  const none = await loadScenario(`${dir}/none.jsonc`).catch((e) => e);
  assert(none instanceof ScenarioError);
  assertStringIncludes(none.message, `${dir}/none.jsonc: Cannot read "evaluator": `);
  assertStringIncludes(
    none.message,
    'restriction "none": put wall 4000, flip 4013.85, call wall 4000 break',
  );
  await Deno.writeTextFile(`${dir}/both.jsonc`, scenario({ flip: 4000 }));
  const both = await loadScenario(`${dir}/both.jsonc`).catch((e) => e);
  assertStringIncludes(String(both), "give a chain or typed levels, not both (flip typed)");
});

/** Evaluates spot and load-factor series through the envelope plugin, in blocks of `block` steps. */
function evaluateSeries(
  options: Record<string, unknown>,
  series: { spot: number; y?: number }[],
  block = series.length,
): { regime: Regime; flags: readonly Flag[]; x: number; y: number; z: number }[] {
  const read = readOptions<EnvelopeOptions>(envelope, options);
  const n = series.length;
  const context = { options: read, name: "test", seed: 0, run: 0, steps: n, file: "s.jsonc" };
  const instance = envelope.start(context);
  const frames = [];
  for (let from = 0; from < n; from += block) {
    const part = series.slice(from, from + block);
    const samples = {
      start: from,
      length: part.length,
      spot: Float64Array.from(part, (s) => s.spot),
      iv: Float64Array.from(part, (s) => (s.y ?? 1) * HV),
      hv: new Float64Array(part.length).fill(HV),
      time: [],
    };
    const m = part.length;
    const out = {
      x: new Float64Array(m),
      y: new Float64Array(m),
      z: new Float64Array(m),
      regime: new Uint8Array(m),
      flags: new Uint8Array(m),
    };
    instance.evaluate(samples, out);
    for (let i = 0; i < m; i++) {
      frames.push({
        x: out.x[i]!,
        y: out.y[i]!,
        z: out.z[i]!,
        regime: REGIMES[out.regime[i]!]!,
        flags: flagsOf(out.flags[i]!),
      });
    }
  }
  return frames;
}

/** The episodes of each flag and the regime changes of evaluated frames. */
function episodes(frames: ReturnType<typeof evaluateSeries>): Record<string, number[][]> {
  const withTime = frames.map((f) => ({ timestamp: 0, spot: 0, iv: 1, hv: 1, ...f }));
  const found: Record<string, number[][]> = {};
  for (const e of detectEvents(withTime)) (found[e.kind] ??= []).push([e.start, e.end]);
  return found;
}

// Spot flickers across OVERSPEED's 1035 (X 3.5) and back, then leaves by more than the band.
const FLICKER = [1036, 1034, 1036, 1034.5, 1036, 1031, 1029, 1036].map((spot) => ({ spot }));

Deno.test("hysteresis holds a flickering OVERSPEED as one episode; without it, several", () => {
  assertEquals(episodes(evaluateSeries(LEVELS, FLICKER)).OVERSPEED, [[0, 0], [2, 2], [4, 4], [
    7,
    7,
  ]]);
  // Band 0.5 on X: OVERSPEED is left only at X <= 3 (spot 1030), at step 6.
  const held = { ...LEVELS, hysteresis: { x: 0.5 } };
  assertEquals(episodes(evaluateSeries(held, FLICKER)).OVERSPEED, [[0, 5], [7, 7]]);
});

Deno.test("hysteresis holds MANEUVER and TAXI at their boundaries, and RUPTURE above its exit", () => {
  // MANEUVER from X 2.5 (spot 1025), held down to X 2.3 with band 0.2.
  const maneuver = [1026, 1024, 1026, 1023.5, 1022, 1026].map((spot) => ({ spot }));
  const plain = evaluateSeries(LEVELS, maneuver).map((f) => f.regime);
  assertEquals(plain, ["MANEUVER", "CRUISE", "MANEUVER", "CRUISE", "CRUISE", "MANEUVER"]);
  const held = evaluateSeries({ ...LEVELS, hysteresis: { x: 0.2 } }, maneuver).map((f) => f.regime);
  assertEquals(held, ["MANEUVER", "MANEUVER", "MANEUVER", "MANEUVER", "CRUISE", "MANEUVER"]);
  // TAXI below X 0.3 (spot 1003), held up to X 0.5 with band 0.2.
  const taxi = [1002, 1004, 1002, 1004, 1005, 1004].map((spot) => ({ spot }));
  const taxiHeld = evaluateSeries({ ...LEVELS, hysteresis: { x: 0.2 } }, taxi).map((f) => f.regime);
  assertEquals(taxiHeld, ["TAXI", "TAXI", "TAXI", "TAXI", "CRUISE", "CRUISE"]);
  // RUPTURE above Y 2.5, held down to Y 2.2 with band 0.3 on Y; MANEUVER after it.
  const rupture = [2.75, 2.25, 2.5, 2, 2.25].map((y) => ({ spot: 1010, y }));
  const ruptureHeld = evaluateSeries({ ...LEVELS, hysteresis: { y: 0.3 } }, rupture);
  assertEquals(ruptureHeld.map((f) => f.regime), [
    "RUPTURE",
    "RUPTURE",
    "RUPTURE",
    "MANEUVER",
    "MANEUVER",
  ]);
});

Deno.test("hysteresis holds BREACH until Z is back up to its band, and STALL up to stallY plus its band", () => {
  // Z = (1100 - spot) / 100 above the flip: BREACH beyond 1100, held until spot <= 1095 (Z 0.05).
  const breach = [1101, 1099, 1101, 1096, 1095, 1101].map((spot) => ({ spot }));
  assertEquals(episodes(evaluateSeries(LEVELS, breach)).BREACH, [[0, 0], [2, 2], [5, 5]]);
  const held = evaluateSeries({ ...LEVELS, hysteresis: { z: 0.05 } }, breach);
  assertEquals(episodes(held).BREACH, [[0, 3], [5, 5]]);
  // STALL below Y 0.8, held below 0.85 with band 0.05.
  const stall = [0.75, 0.8125, 0.75, 0.84375, 0.875].map((y) => ({ spot: 1010, y }));
  assertEquals(episodes(evaluateSeries(LEVELS, stall)).STALL, [[0, 0], [2, 2]]);
  const stallHeld = evaluateSeries({ ...LEVELS, hysteresis: { y: 0.05 } }, stall);
  assertEquals(episodes(stallHeld).STALL, [[0, 3]]);
});

Deno.test("hysteresis state carries from block to block, and bands of 0 are the plain rules", () => {
  // A noisy walk across every threshold: deterministic, so the test reruns identically.
  const walk: { spot: number; y: number }[] = [];
  let spot = 1000, y = 1;
  for (let i = 0; i < 400; i++) {
    spot += 12 * Math.sin(i * 1.7) + 3 * Math.sin(i * 0.05);
    y = 1.4 + 1.2 * Math.sin(i * 0.09) + 0.1 * Math.sin(i * 2.3);
    walk.push({ spot, y });
  }
  const band = { ...LEVELS, hysteresis: { x: 0.3, y: 0.1, z: 0.05 } };
  assertEquals(evaluateSeries(band, walk, 7), evaluateSeries(band, walk));
  assertEquals(
    evaluateSeries({ ...LEVELS, hysteresis: {} }, walk, 13),
    evaluateSeries(LEVELS, walk),
  );
  // The walk does cross thresholds back and forth, so the bands change something.
  const changes = (fs: ReturnType<typeof evaluateSeries>) =>
    fs.filter((f, i) => i > 0 && f.regime !== fs[i - 1]!.regime).length;
  const plain = changes(evaluateSeries(LEVELS, walk)), held = changes(evaluateSeries(band, walk));
  assert(held < plain, `regime changes with hysteresis ${held}, without ${plain}`);
});

Deno.test("the envelope publishes severity and hysteresis only when the scenario sets them", () => {
  const start = (options: Record<string, unknown>) =>
    envelope.start({
      options: readOptions<EnvelopeOptions>(envelope, options),
      name: "t",
      seed: 0,
      run: 0,
      steps: 1,
      file: "s.jsonc",
    }).levels as EnvelopeLevels;
  assertEquals(Object.keys(start(LEVELS)).sort(), [
    "atr",
    "callWall",
    "flip",
    "putWall",
    "riskProxyBase",
    "thresholds",
  ]);
  const set = start({
    ...LEVELS,
    severity: { stall: { high: { duration: 30 } } },
    hysteresis: { z: 0.1 },
  });
  assertEquals(set.hysteresis, { x: 0, y: 0, z: 0.1 });
  assertEquals(set.severity?.stall, {
    medium: { depth: 0.1, duration: 5 },
    high: { depth: 0.2, duration: 30 },
  });
  assertEquals(set.severity?.breach, DEFAULT_SEVERITY.breach);
  assertEquals(eventOptionsOf(set).severity?.stall.high.duration, 30);
  assertEquals(eventOptionsOf(start(LEVELS)).severity, DEFAULT_SEVERITY);
});

Deno.test("the envelope refuses a high severity band below its medium one, and bad bands, by path", () => {
  const inverted = assertThrows(
    () =>
      readOptions(envelope, {
        ...LEVELS,
        severity: { breach: { medium: { depth: 0.5 }, high: { depth: 0.4 } } },
      }),
    ScenarioError,
  );
  assertStringIncludes(
    inverted.message,
    `"envelope.severity.breach.high.depth": expected a depth at or above the medium band's (0.5), got 0.4`,
  );
  const bad = assertThrows(
    () =>
      readOptions(envelope, {
        ...LEVELS,
        severity: { breach: { high: { duration: 0 } } },
        hysteresis: { x: -1, z: 1, w: 2 },
      }),
    ScenarioError,
  );
  assertStringIncludes(
    bad.message,
    `"envelope.severity.breach.high.duration": expected an integer >= 1, got 0`,
  );
  assertStringIncludes(bad.message, `"envelope.hysteresis.x": expected a number >= 0, got -1`);
  assertStringIncludes(bad.message, `"envelope.hysteresis.z": expected a number in [0, 1), got 1`);
  assertStringIncludes(bad.message, `"envelope.hysteresis.w": unknown key`);
});
