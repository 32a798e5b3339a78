// The backtest engine: the observed-touch rule on a hand-made price file, the days left out,
// the walls of a levels series, the placement of the scenario's levels, and the refusals.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { ScenarioError } from "../../core/errors.ts";
import { parseDaily, readDaily } from "../../markets/history.ts";
import { parseLevelsSeries } from "../../markets/series.ts";
import { loadScenario } from "../../plugins/mod.ts";
import { computeBacktest, dayNumber, RUN_STRIDE } from "../../backtest/engine.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const scenarios = new URL("../../scenarios/", import.meta.url);
const touch = await readDaily(new URL("touch.csv", fixtures));
const garch = await loadScenario(fromFileUrl(new URL("backtest_garch.jsonc", scenarios)));

// touch.csv: 2024-02-09 closes at 100 with ATR 2, so a 1-ATR band is [98, 102]. The sessions
// after it close at 101 (high 102.5), 100.5, 102 (on the edge) and 99 (low 97).
const day = { history: touch, from: "2024-02-09", to: "2024-02-09", band: 1, runs: 20, workers: 1 };

Deno.test("the market touches the band on a close at or beyond an edge", async () => {
  const two = await computeBacktest(garch, { ...day, horizon: 2 });
  assertEquals(two.days.map((d) => [d.date, d.spot, d.atr, d.observed]), [
    ["2024-02-09", 100, 2, false],
  ]);
  const three = await computeBacktest(garch, { ...day, horizon: 3 });
  assertEquals(three.days[0]!.observed, true);
});

Deno.test("touch high-low reads the market's highs and lows instead", async () => {
  const one = await computeBacktest(garch, { ...day, horizon: 1, touch: "high-low" });
  assertEquals(one.days[0]!.observed, true);
  const closes = await computeBacktest(garch, { ...day, horizon: 1 });
  assertEquals(closes.days[0]!.observed, false);
});

Deno.test("days without horizon sessions after them are left out and counted", async () => {
  const run = await computeBacktest(garch, { ...day, to: "2024-02-15", horizon: 3 });
  assertEquals([run.sessions, run.scoredSessions, run.leftOut], [5, 2, 3]);
  assertEquals(run.days.map((d) => d.date), ["2024-02-09", "2024-02-12"]);
  await assertRejects(
    () => computeBacktest(garch, { ...day, from: "2024-02-14", to: "2024-02-15", horizon: 3 }),
    ScenarioError,
    "no session of the range has 3 sessions after it",
  );
});

Deno.test("a levels series gives each day's walls, scored as a second event", async () => {
  const levels = parseLevelsSeries(
    "date,flip,putWall,callWall\n2024-02-01,100,97.5,101.5\n",
    "levels.csv",
  );
  const run = await computeBacktest(garch, { ...day, to: "2024-02-12", horizon: 2, levels });
  const [first, second] = run.days;
  // 2024-02-09: the next closes 101 and 100.5 stay inside 97.5 .. 101.5.
  assertEquals(first!.walls!.observed, false);
  // 2024-02-12: the next closes 100.5 and 102 reach the call wall.
  assertEquals(second!.walls!.observed, true);
  assertEquals([first!.walls!.flip, first!.walls!.putWall, first!.walls!.callWall], [
    100,
    97.5,
    101.5,
  ]);
  assert(first!.walls!.predicted >= 0 && first!.walls!.predicted <= 1);
  // Before the series' first row, no walls.
  const early = parseLevelsSeries("date,flip,putWall,callWall\n2024-02-12,100,97,103\n", "l.csv");
  const partial = await computeBacktest(garch, {
    ...day,
    to: "2024-02-12",
    horizon: 2,
    levels: early,
  });
  assertEquals(partial.days.map((d) => d.walls === undefined), [true, false]);
});

Deno.test("a day's prediction depends on its date, not on the range around it", async () => {
  const alone = await computeBacktest(garch, {
    ...day,
    from: "2024-02-12",
    to: "2024-02-12",
    horizon: 2,
    runs: 300,
  });
  const within = await computeBacktest(garch, { ...day, to: "2024-02-12", horizon: 2, runs: 300 });
  assertEquals(alone.days[0]!.predicted, within.days[1]!.predicted);
  assertEquals(dayNumber("0001-01-02"), 1);
  assert(dayNumber("2100-01-01") * RUN_STRIDE < Number.MAX_SAFE_INTEGER);
});

Deno.test("the band is scored from the day's close and ATR: a wider band is touched less", async () => {
  const wave = await readDaily(new URL("wave.csv", fixtures));
  const settings = {
    history: wave,
    from: "2024-02-15",
    to: "2024-03-29",
    horizon: 5,
    runs: 300,
    workers: 1,
  };
  const narrow = await computeBacktest(garch, { ...settings, band: 0.5 });
  const wide = await computeBacktest(garch, { ...settings, band: 3 });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert(mean(narrow.days.map((d) => d.predicted)) > mean(wide.days.map((d) => d.predicted)));
  assert(
    narrow.days.filter((d) => d.observed).length >= wide.days.filter((d) => d.observed).length,
  );
});

Deno.test("the scenario's levels are scaled to put the flip at the close, or a series places it", async () => {
  // A pin to the flip at step 1 without noise: the path sits on the flip from step 1 on.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/pin.jsonc`,
      JSON.stringify({
        steps: 5,
        evaluator: { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 },
        generators: {
          spot: { use: "pin", at: 1, noise: 0 },
          iv: { use: "vol-path", start: 0.2 },
          hv: { use: "hv", value: 0.2 },
        },
      }),
    );
    const pin = await loadScenario(`${dir}/pin.jsonc`);
    const scaled = await computeBacktest(pin, { ...day, horizon: 2 });
    assertEquals(scaled.days.map((d) => d.predicted), [0]);
    assertEquals(scaled.heldGenerators, ["generators.iv", "generators.hv"]);
    // A series' flip 3 points above the close: the pinned path closes beyond the 2-point band.
    const levels = parseLevelsSeries(
      "date,flip,putWall,callWall\n2024-02-01,103,90,110\n",
      "l.csv",
    );
    const placed = await computeBacktest(pin, { ...day, horizon: 2, levels });
    assertEquals(placed.days.map((d) => [d.predicted, d.walls!.predicted]), [[1, 0]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a spot generator without fromState is refused, naming it and the scenario file", async () => {
  const path = fromFileUrl(new URL("breakout.jsonc", scenarios));
  const breakout = await loadScenario(path);
  const error = await assertRejects(
    () => computeBacktest(breakout, { ...day, horizon: 2 }),
    ScenarioError,
  );
  assertStringIncludes(
    error.message,
    `${path}: Cannot backtest: "generators.spot" uses generator "breakout", which has no fromState hook`,
  );
});

Deno.test("a plugin from outside option-flight is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/vol.ts`,
      `export default { kind: "generator", name: "my-vol", provides: ["iv"], options: {}, fromState: (o) => o, start: () => ({ fill: (b) => b.iv.fill(0.2, 0, b.length) }) };\n`,
    );
    const text = (await Deno.readTextFile(fromFileUrl(new URL("backtest_garch.jsonc", scenarios))))
      .replace('"ivMarkup": 1.2', '"periodsPerYear": 252')
      .replace('"generators": {', '"generators": { "iv": { "use": "./vol.ts" },');
    await Deno.writeTextFile(`${dir}/s.jsonc`, text);
    const scenario = await loadScenario(`${dir}/s.jsonc`);
    await assertRejects(
      () => computeBacktest(scenario, { ...day, horizon: 2 }),
      ScenarioError,
      `"generators.iv" uses "./vol.ts", a plugin from outside option-flight`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("without a volatility index, IV is the day's HV", async () => {
  const run = await computeBacktest(garch, { ...day, horizon: 2 });
  assertEquals(run.days[0]!.iv, run.days[0]!.hv);
  assertEquals(run.settings.iv, null);
  const vix = parseDaily(
    "date,open,high,low,close\n2024-01-01,20,20,20,20\n2024-03-01,30,30,30,30\n",
    "vix.csv",
  );
  const joined = await computeBacktest(garch, { ...day, horizon: 2, iv: vix });
  assertEquals([joined.days[0]!.iv, joined.carriedIv], [0.2, 1]);
});
