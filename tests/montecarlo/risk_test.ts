// The Monte Carlo report's event and risk statistics on hand-made runs whose answers are known:
// breach episodes and their sides, time beyond the wall and to re-enter, snap-back, episodes
// per flag, regime transitions, convergence, final loss with VaR and expected shortfall,
// adverse excursions and statistics conditional on a breach; exact merges; the report's pages.
import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join, toFileUrl } from "@std/path";
import { loadScenario, startRun } from "../../mod.ts";
import { QuantileSketch } from "../../montecarlo/sketch.ts";
import {
  convergenceCheckpoint,
  MonteCarloStats,
  type MonteCarloSummary,
  summarizeStats,
} from "../../montecarlo/stats.ts";
import { renderReport, runBatch, simulateBatch } from "../../montecarlo/mod.ts";
import { generatorEntries, writeResults } from "../../montecarlo/results.ts";
import { OutputSet } from "../../files/atomic.ts";
import { isEnvelopeLevels } from "../../plugins/envelope.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));

/**
 * Spot paths of the scripted runs, envelope atr 2, flip 100, put wall 90, call wall 110:
 * BREACH beyond 110 or below 90, OVERSPEED beyond 7 from the flip, TAXI within 0.6,
 * MANEUVER from 5, RUPTURE beyond 9; IV / HV is 1.25 throughout.
 */
const PATHS = [
  [100, 100, 112, 113, 100, 100, 100, 100, 111, 111], // two call breaches, the last still open
  [100, 88, 100, 100, 100, 100, 100, 100, 100, 95], // one put breach of one frame
  [100, 101, 102, 103, 104, 103, 102, 101, 100, 99], // no breach
  [89, 89, 89, 100, 100, 100, 100, 100, 100, 100], // a put breach from step 0
];

/** Writes the scripted scenario: run `i` follows `paths[i % paths.length]`. */
async function scripted(paths: readonly (readonly number[])[] = PATHS): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mc_risk_" });
  const mod = toFileUrl(join(root, "mod.ts")).href;
  await Deno.writeTextFile(
    join(dir, "script.ts"),
    `import { defineGenerator } from "${mod}";
const PATHS = ${JSON.stringify(paths)};
export default defineGenerator({
  name: "script",
  provides: ["spot"],
  options: {},
  start: ({ run }) => ({
    fill({ start, length, spot }) {
      const path = PATHS[run % PATHS.length];
      for (let i = 0; i < length; i++) spot[i] = path[start + i];
    },
  }),
});
`,
  );
  const path = join(dir, "scripted.jsonc");
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      name: "scripted",
      seed: 1,
      steps: paths[0]!.length,
      evaluator: { use: "envelope", atr: 2, flip: 100, putWall: 90, callWall: 110 },
      generators: {
        spot: { use: "./script.ts" },
        iv: { use: "vol-path", start: 0.15, target: 0.15 },
        hv: { use: "hv", value: 0.12 },
      },
      sinks: [],
      renderers: [],
    }),
  );
  return path;
}

async function scriptedStats(runs = PATHS.length): Promise<MonteCarloStats> {
  const scenario = await loadScenario(await scripted());
  const stats = new MonteCarloStats({ steps: 10 });
  for (let run = 0; run < runs; run++) stats.addRun(await startRun(scenario, { run }), { run });
  return stats;
}

function summaryOf(stats: MonteCarloStats): MonteCarloSummary {
  return summarizeStats(stats, { scenario: "scripted", seed: 1 });
}

Deno.test("breach episodes: sides, time beyond the wall, time to re-enter and snap-back", async () => {
  const s = summaryOf(await scriptedStats());
  assertEquals(s.breachRuns, 3);
  assertEquals(s.breachSides, {
    call: { runs: 1, episodes: 2, frames: 4 },
    put: { runs: 2, episodes: 2, frames: 4 },
  });
  // BREACH frames of runs 0, 1 and 3: 4, 1 and 3.
  assertEquals(s.timeBeyondWall, { runs: 3, mean: 8 / 3, quantiles: { p5: 1, p50: 3, p95: 4 } });
  // Closed episodes last 2, 1 and 3 frames; run 0's last is still beyond at the end.
  assertEquals(s.timeToReenter, {
    reentered: 3,
    neverReentered: 1,
    quantiles: { p5: 1, p50: 2, p95: 3 },
  });
  assertEquals(s.snapBack, {
    episodes: 4,
    within: [1, 5, 10, 20],
    probability: [0.25, 0.75, 0.75, 0.75],
  });
});

Deno.test("episodes per run and duration quantiles per flag, including step 0 and open ones", async () => {
  const s = summaryOf(await scriptedStats());
  const expected = {
    count: 4,
    open: 1,
    meanPerRun: 1,
    perRun: { p5: 0, p50: 1, p95: 2 },
    duration: { p5: 1, p50: 2, p95: 3 },
  };
  // OVERSPEED (beyond 7 from the flip) holds on exactly the BREACH frames of these paths.
  assertEquals(s.episodes.BREACH, expected);
  assertEquals(s.episodes.OVERSPEED, expected);
  assertEquals(s.episodes.STALL, {
    count: 0,
    open: 0,
    meanPerRun: 0,
    perRun: { p5: 0, p50: 0, p95: 0 },
    duration: null,
  });
});

Deno.test("the regime transition matrix counts each step's regime against the next", async () => {
  const s = summaryOf(await scriptedStats());
  // Rows and columns TAXI, CRUISE, MANEUVER, RUPTURE, counted by hand from the paths.
  assertEquals(s.regimeTransitions.counts, [
    [16, 2, 1, 3],
    [1, 6, 0, 0],
    [0, 0, 0, 0],
    [3, 0, 0, 4],
  ]);
  assertEquals(s.regimeTransitions.shares[0], [16 / 22, 2 / 22, 1 / 22, 3 / 22]);
  assertEquals(s.regimeTransitions.shares[2], null);
  assertEquals(s.regimeTransitions.shares[3], [3 / 7, 0, 0, 4 / 7]);
});

Deno.test("the breach rate converges in run order, with its standard error", async () => {
  const s = summaryOf(await scriptedStats(10));
  // Runs 0..9 follow paths 0, 1, 2, 3, 0, 1, 2, 3, 0, 1: all breach but runs 2 and 6.
  assertEquals(s.breachConvergence.runs, [1, 2, 3, 4, 5, 6, 7, 8, 10]);
  assertEquals(s.breachConvergence.breachRate, [
    1,
    1,
    2 / 3,
    3 / 4,
    4 / 5,
    5 / 6,
    5 / 7,
    6 / 8,
    8 / 10,
  ]);
  assertAlmostEquals(s.breachRateStandardError, Math.sqrt((0.8 * 0.2) / 10), 1e-15);
  assertEquals(s.breachConvergence.standardError.at(-1), s.breachRateStandardError);
  assertEquals([9, 10, 11, 12, 15].map(convergenceCheckpoint), [12, 14, 16, 20, 32]);
});

Deno.test("final loss, VaR, expected shortfall, adverse excursions and conditional statistics", async () => {
  const s = summaryOf(await scriptedStats());
  const near = (actual: number | undefined, expected: number) =>
    assertAlmostEquals(actual!, expected, Math.abs(expected) * 2 ** -8 + 1e-12);
  // Losses (start less final) of the four runs: -11, 5, 1, -11.
  near(s.finalLoss.quantiles.p5, -11);
  near(s.finalLoss.quantiles.p50, -11);
  assertEquals([s.finalLoss.var95, s.finalLoss.es95, s.finalLoss.var99], [5, 5, 5]);
  assertEquals(s.startSpotQuantiles, { p5: 89, p50: 100, p95: 100 });
  // Below the start: 0, 12, 1, 0; above: 13, 0, 4, 11 (ATR 2).
  assertEquals(s.maxAdverseExcursion.below.price.p95, 12);
  assertEquals(s.maxAdverseExcursion.below.atr!.p95, 6);
  assertEquals(s.maxAdverseExcursion.below.price.p50, 0);
  near(s.maxAdverseExcursion.above.price.p50, 4);
  assertEquals(s.maxAdverseExcursion.above.atr!.p95, 6.5);
  assertEquals(s.conditional.breached.runs, 3);
  assertEquals(s.conditional.breached.finalSpot!.p5, 95);
  assertEquals(s.conditional.breached.finalSpot!.p95, 111);
  // One clear run: its final spot, and its max load, exactly (a sketch's extremes are exact).
  const clear = s.conditional.clear;
  assertEquals([clear.runs, clear.finalSpot], [1, { p5: 99, p50: 99, p95: 99 }]);
  assertEquals(clear.maxLoad!.p5, clear.maxLoad!.p95);
  assert(clear.maxLoad!.p5 > 1 && clear.maxLoad!.p5 < 1.5);
});

Deno.test("QuantileSketch.tailMean() is the mean of the largest values within its error", () => {
  let state = 5;
  const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
  const values = Array.from({ length: 3000 }, () => (next() - 0.4) * 50);
  const sketch = new QuantileSketch({ bits: 7, zeroBelow: 2 ** -20 });
  values.forEach((v) => sketch.add(v));
  const sorted = [...values].sort((a, b) => b - a);
  for (const k of [1, 2, 30, 150, 3000]) {
    const exact = sorted.slice(0, k).reduce((a, b) => a + b, 0) / k;
    const bound = sketch.relativeError *
      (sorted.slice(0, k).reduce((a, b) => a + Math.abs(b), 0) / k);
    assertAlmostEquals(sketch.tailMean(k)!, exact, bound + 2 ** -20, `k = ${k}`);
  }
  assertEquals(sketch.tailMean(1), sorted[0]);
});

Deno.test("the event statistics merge exactly across parts, snapshots and JSON, in any order", async () => {
  const scenario = await loadScenario(await scripted());
  const whole = new MonteCarloStats({ steps: 10 });
  const parts = [0, 1, 2].map(() => new MonteCarloStats({ steps: 10 }));
  for (let run = 0; run < 25; run++) {
    whole.addRun(await startRun(scenario, { run }), { run });
    parts[(run * 7) % 3]!.addRun(await startRun(scenario, { run }), { run });
  }
  const joined = new MonteCarloStats({ steps: 10 });
  const { data, transfer } = parts[2]!.snapshot();
  joined.mergeSnapshot(structuredClone(data, { transfer }));
  joined.merge(MonteCarloStats.fromJSON(JSON.parse(JSON.stringify(parts[0]))));
  joined.merge(parts[1]!);
  assertEquals(JSON.stringify(joined), JSON.stringify(whole));
  assertEquals(JSON.stringify(summaryOf(joined)), JSON.stringify(summaryOf(whole)));
  // Statistics whose episode counts do not add up are refused.
  const broken = JSON.parse(JSON.stringify(whole));
  broken.risk.breachFrames.pop();
  let message = "";
  try {
    MonteCarloStats.fromJSON(broken, "p.json");
  } catch (error) {
    message = (error as Error).message;
  }
  assertStringIncludes(message, '"risk.breachFrames"');
});

Deno.test("a batch's event statistics are the same on 1 and 2 threads and in shards", async () => {
  const scenario = await loadScenario(join(root, "scenarios/false_breakout.jsonc"));
  const one = await simulateBatch(scenario, { to: 300, workers: 1 });
  const two = await simulateBatch(scenario, { to: 300, workers: 2 });
  assertEquals(JSON.stringify(two.stats), JSON.stringify(one.stats));
  const first = await simulateBatch(scenario, { from: 0, to: 120, workers: 2 });
  const second = await simulateBatch(scenario, { from: 120, to: 300, workers: 1 });
  second.stats.merge(first.stats);
  assertEquals(JSON.stringify(summaryOf(second.stats)), JSON.stringify(summaryOf(one.stats)));
});

Deno.test("the report shows the new sections and states its own run", async () => {
  const path = await scripted();
  const scenario = await loadScenario(path);
  const stats = await scriptedStats();
  const dir = await Deno.makeTempDir();
  const output = new OutputSet(dir);
  const levels = (await startRun(scenario, { run: 0 })).levels;
  assert(isEnvelopeLevels(levels));
  await writeResults(output, {
    name: "scripted",
    description: "",
    seed: 1,
    runs: 4,
    levels,
    generators: generatorEntries(scenario),
  }, stats);
  await output.commit();
  const html = await Deno.readTextFile(join(dir, "scripted.report.html"));
  for (
    const text of [
      "Breach rate convergence",
      "Final spot",
      "VaR 95% / expected shortfall 95%",
      'Call wall breaches: runs / episodes / frames</th><td class="num">1 / 2 / 4',
      "Snap-back",
      "25.0% / 75.0% / 75.0% / 75.0%",
      "Regime transitions",
      "Runs that breached and runs that did not",
      "This run",
      "generators.spot (./script.ts)",
      "Threshold overspeedX",
    ]
  ) assertStringIncludes(html, text);
  assert(!html.includes("Not known to this page"));
  // Without levels and generators the page says what it does not know.
  const bare = renderReport(stats, { summary: summaryOf(stats) });
  assertStringIncludes(bare, "Not known to this page: envelope levels and generator options");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runBatch() summaries carry the format version and the new keys after the old", async () => {
  const scenario = await loadScenario(await scripted());
  const dir = await Deno.makeTempDir();
  await runBatch(scenario, { outDir: dir, runs: 8 });
  const summary = JSON.parse(await Deno.readTextFile(join(dir, "scripted.summary.json")));
  const keys = Object.keys(summary);
  assertEquals(keys[0], "formatVersion");
  assertEquals(summary.formatVersion, 2);
  assertEquals(keys.slice(keys.indexOf("quantiles") + 1, keys.indexOf("quantiles") + 3), [
    "startSpotQuantiles",
    "breachConvergence",
  ]);
  await Deno.remove(dir, { recursive: true });
});
