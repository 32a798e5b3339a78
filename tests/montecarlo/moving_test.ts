// Monte Carlo batches whose levels move (SPEC §7) and whose frames carry dates: the levels in
// force per step in the statistics and the summary, the same bytes for any number of threads
// and for shards merged, the report's moving lines and dated time axes, and static batches
// left exactly as they were.
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { loadScenario, ScenarioError, startRun } from "../../mod.ts";
import {
  mergePartials,
  MonteCarloStats,
  type MonteCarloSummary,
  renderReport,
  runBatch,
  simulateBatch,
  summarizeStats,
} from "../../montecarlo/mod.ts";
import {
  CLIMB,
  CLIMB_AT,
  dayOf,
  DAYS,
  expectedLevels,
  movingScenarios,
  ROLL_AT,
} from "./_moving.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const { dir, moving, dated } = await movingScenarios();

/** Runs a batch into a fresh folder and reads back its summary and report. */
async function batch(path: string, options: { runs: number; workers?: number; sub: string }) {
  const outDir = join(dir, options.sub);
  const scenario = await loadScenario(path);
  const report = await runBatch(scenario, {
    outDir,
    runs: options.runs,
    ...(options.workers ? { workers: options.workers } : {}),
  });
  const name = scenario.name;
  return {
    report,
    summary: await Deno.readTextFile(join(outDir, `${name}.summary.json`)),
    html: await Deno.readTextFile(join(outDir, `${name}.report.html`)),
  };
}

Deno.test("the summary of runs whose levels move holds the levels in force at each step", async () => {
  const { summary: text } = await batch(moving, { runs: 40, sub: "levels" });
  const summary = JSON.parse(text) as MonteCarloSummary;
  assertEquals(summary.steps, 60);
  assertEquals(summary.timeline, { steps: Array.from({ length: 60 }, (_, i) => i) });
  const levels = summary.movingLevels!;
  assertEquals(Object.keys(levels), ["atr", "flip", "putWall", "callWall"]);
  const error = summary.quantiles.levelRelativeError!;
  assertEquals(error, 2 ** -13);
  // Levels nobody moves keep the evaluator's value, exactly, at every step.
  for (const p of ["p5", "p50", "p95"] as const) {
    assertEquals(levels.atr![p], Array(60).fill(2.8));
    assertEquals(levels.putWall![p], Array(60).fill(680));
  }
  // The call wall rolls to 702, 703 or 704 by run (run % 3): 14, 13 and 13 of 40 runs.
  for (let i = 0; i < 60; i++) {
    const wall = levels.callWall!;
    if (i < ROLL_AT) {
      assertEquals([wall.p5[i], wall.p50[i], wall.p95[i]], [700, 700, 700], `step ${i}`);
      continue;
    }
    assertAlmostEquals(wall.p5[i]!, 702, 702 * error, `step ${i}`);
    assertAlmostEquals(wall.p50[i]!, 703, 703 * error, `step ${i}`);
    assertAlmostEquals(wall.p95[i]!, 704, 704 * error, `step ${i}`);
    // The flip climbs the same way in every run: each percentile is that value, exactly.
    const flip = 692.5 + (i >= CLIMB_AT ? CLIMB * (i - CLIMB_AT) : 0);
    assertEquals([levels.flip!.p5[i], levels.flip!.p50[i], levels.flip!.p95[i]], [
      flip,
      flip,
      flip,
    ]);
  }
  // The moving levels sit after the fan's series, before "quantiles"; a static batch has none.
  const keys = Object.keys(summary);
  assertEquals(keys.slice(keys.indexOf("finalSpotQuantiles"), keys.indexOf("quantiles") + 1), [
    "finalSpotQuantiles",
    "timeline",
    "series",
    "movingLevels",
    "quantiles",
  ]);
});

Deno.test("the statistics of moving levels match each run's levels, step by step", async () => {
  const scenario = await loadScenario(moving);
  const stats = new MonteCarloStats({ steps: 60 });
  for (let run = 0; run < 7; run++) stats.addRun(await startRun(scenario, { run }));
  const walls = stats.levels!.callWall!;
  for (const i of [0, ROLL_AT - 1, ROLL_AT, 59]) {
    const values = Array.from({ length: 7 }, (_, run) => expectedLevels(run, i).callWall);
    assertEquals([walls[i]!.count, walls[i]!.min, walls[i]!.max], [
      7,
      Math.min(...values),
      Math.max(...values),
    ]);
  }
  assertEquals(stats.dates, undefined, "no time channel, no dates");
});

Deno.test("moving levels and dates give the same bytes on 1, 2 and 3 threads", async () => {
  for (const path of [moving, dated]) {
    const outputs = [];
    for (const workers of [1, 2, 3]) {
      const { summary, html, report } = await batch(path, {
        runs: 90,
        workers,
        sub: `threads-${workers}`,
      });
      assertEquals(report.workers, workers);
      outputs.push([summary, html, JSON.stringify(report.stats)]);
    }
    assertEquals(outputs[1], outputs[0], path);
    assertEquals(outputs[2], outputs[0], path);
    assertStringIncludes(outputs[0]![2]!, '"levels":{"atr":[');
  }
});

Deno.test("shards of a batch whose levels move, merged, give the whole batch's bytes", async () => {
  for (const path of [moving, dated]) {
    const scenario = await loadScenario(path);
    const parts: string[] = [];
    for (const index of [1, 2, 3]) {
      const shard = await runBatch(scenario, {
        outDir: join(dir, "parts"),
        runs: 50,
        shard: { index, count: 3 },
      });
      parts.push(...shard.files);
    }
    const partial = JSON.parse(await Deno.readTextFile(parts[0]!));
    assertEquals(Object.keys(partial.stats.levels), ["atr", "flip", "putWall", "callWall"]);
    const merged = await mergePartials([parts[2]!, parts[0]!, parts[1]!], {
      outDir: join(dir, "merged"),
    });
    const whole = await runBatch(scenario, { outDir: join(dir, "whole"), runs: 50 });
    for (const file of [`${scenario.name}.summary.json`, `${scenario.name}.report.html`]) {
      assertEquals(
        await Deno.readTextFile(join(dir, "merged", file)),
        await Deno.readTextFile(join(dir, "whole", file)),
        file,
      );
    }
    assertEquals(JSON.stringify(merged.stats), JSON.stringify(whole.stats));
  }
});

Deno.test("the report draws the levels that moved as they move, and flat ones flat", async () => {
  const { html } = await batch(moving, { runs: 40, sub: "report" });
  const spot = html.slice(html.indexOf("Spot percentiles over time"), html.indexOf("</figure>"));
  assertMatch(spot, /<path class="moving-level" data-level="callWall" d="M[^"]+V[^"]+"/);
  assertMatch(spot, /<path class="moving-level" data-level="flip" d="M[^"]+V[^"]+"/);
  // Runs differ on the call wall: its 5th to 95th percentile is shaded; they agree on the flip.
  assertStringIncludes(spot, 'class="moving-level-band" data-level="callWall"');
  assert(!spot.includes('class="moving-level-band" data-level="flip"'));
  // The put wall never moved: still the flat reference line and its label.
  assert(!spot.includes('data-level="putWall"'));
  assertStringIncludes(spot, ">put wall 680</text>");
  assert(!spot.includes(">call wall 700</text>"), "no flat line at the call wall it left");
  // Its median at the end, 703, within the sketch's 0.012%.
  assertMatch(spot, />call wall 703(\.\d)?<\/text>/);
  assertStringIncludes(spot, "dashed, the levels in force at each step");
  // Step numbers, not dates, without timestamps.
  assert(!html.includes("data-step="));
  assertStringIncludes(html, "Call wall in force, first / last step (median)</th>");
  // Only the spot chart draws levels.
  assertEquals(html.match(/class="moving-level"/g)?.length, 2);
});

Deno.test("frames with dates: the summary records them and the report's time axes show them", async () => {
  const { summary: text, html } = await batch(dated, { runs: 30, sub: "dated" });
  const summary = JSON.parse(text) as MonteCarloSummary;
  // The days run out before the scenario's 100 steps: the batch's runs end with them.
  assertEquals(summary.steps, DAYS);
  const dates = Array.from({ length: DAYS }, (_, i) => dayOf(i));
  assertEquals(summary.timeline?.dates, dates);
  assertStringIncludes(
    html,
    `seed 42 &middot; 1,350 frames &middot; ${dates[0]} to ${dates.at(-1)}`,
  );
  const ticks = [...html.matchAll(/<text class="tick tick-x" data-step="(\d+)"[^>]*>([^<]+)</g)];
  // Four time axes (the fan charts) and the first-breach histogram's.
  assert(ticks.length >= 5 * 3, `${ticks.length} dated ticks`);
  for (const [, step, label] of ticks) assertEquals(label, dayOf(Number(step)));
  const firstChart = html.slice(0, html.indexOf("</figure>"));
  const steps = [...firstChart.matchAll(/data-step="(\d+)"/g)].map((m) => Number(m[1]));
  assertEquals([steps[0], steps.at(-1)], [0, DAYS - 1], "the first and last day");
  assertEquals(html.match(/>date<\/text>/g)?.length, 5);
  assert(!/class="tick tick-x" x=/.test(firstChart), "no step-numbered tick on a dated axis");
});

Deno.test("dates that differ between runs are not recorded, and merge so in any order", () => {
  const run = (days: string[]) => {
    const stats = new MonteCarloStats({ steps: 2 });
    stats.addRun(cursor(days));
    return stats;
  };
  const a = run(["2024-01-01", "2024-01-02"]);
  assertEquals(a.dates, ["2024-01-01", "2024-01-02"]);
  assertEquals(summarizeStats(a, { scenario: "t", seed: 1 }).timeline, {
    steps: [0, 1],
    dates: ["2024-01-01", "2024-01-02"],
  });
  const texts: string[] = [];
  for (const order of [[0, 1, 2], [2, 1, 0], [1, 0, 2]]) {
    const parts = [
      run(["2024-01-01", "2024-01-02"]),
      run(["2024-01-01", "2024-01-03"]),
      new MonteCarloStats({ steps: 2 }),
    ];
    const whole = new MonteCarloStats({ steps: 2 });
    for (const k of order) {
      const { data, transfer } = parts[k]!.snapshot();
      whole.mergeSnapshot(structuredClone(data, { transfer }));
    }
    assertEquals(whole.dates, undefined);
    texts.push(JSON.stringify(whole));
  }
  assertEquals(new Set(texts).size, 1);
  assertStringIncludes(texts[0]!, '"dates":null');
  const summary = summarizeStats(MonteCarloStats.fromJSON(JSON.parse(texts[0]!)), {
    scenario: "t",
    seed: 1,
  });
  assertEquals(summary.timeline?.dates, undefined, "dates that differ are not recorded");
});

Deno.test("MonteCarloStats with moving levels: flushes, snapshots and JSON give the whole", async () => {
  const scenario = await loadScenario(moving);
  const whole = new MonteCarloStats({ steps: 60 });
  const flushed = new MonteCarloStats({ steps: 60 });
  const thirds = [0, 1, 2].map(() => new MonteCarloStats({ steps: 60 }));
  for (let run = 0; run < 40; run++) {
    whole.addRun(await startRun(scenario, { run }));
    flushed.addRun(await startRun(scenario, { run }));
    if (run % 7 === 0) flushed.flush();
    thirds[run % 3]!.addRun(await startRun(scenario, { run }), { run });
  }
  assertEquals(JSON.stringify(flushed), JSON.stringify(whole));
  const joined = new MonteCarloStats({ steps: 60 });
  const { data, transfer } = thirds[1]!.snapshot();
  joined.mergeSnapshot(structuredClone(data, { transfer }));
  joined.merge(MonteCarloStats.fromJSON(JSON.parse(JSON.stringify(thirds[2]))));
  joined.merge(thirds[0]!);
  assertEquals(JSON.stringify(joined), JSON.stringify(whole));
  // Sketches that do not hold every run are refused.
  const broken = JSON.parse(JSON.stringify(whole));
  broken.levels.flip.pop();
  assertThrows(() => MonteCarloStats.fromJSON(broken, "p.json"), RangeError, '"levels.flip"');
});

Deno.test("runs whose levels move and runs with static levels do not mix", async () => {
  const movingRuns = new MonteCarloStats({ steps: 60 });
  movingRuns.addRun(await startRun(await loadScenario(moving), { run: 0 }));
  const staticRuns = new MonteCarloStats({ steps: 60 });
  const breakout = await loadScenario(join(root, "scenarios/breakout.jsonc"));
  staticRuns.addRun(await startRun(breakout, { run: 0, steps: 60 }));
  const staticRun = await startRun(breakout, { run: 1, steps: 60 });
  assertThrows(
    () => movingRuns.addRun(staticRun),
    ScenarioError,
    "Cannot add a run with static levels to a batch of runs whose levels move",
  );
  assertThrows(() => staticRuns.merge(movingRuns), RangeError, "into runs with static levels");
  assertThrows(() => movingRuns.merge(staticRuns), RangeError, "static levels into runs whose");
  // The refused run left no frame behind: the counts still add up.
  assertEquals(movingRuns.frames, 60);
});

Deno.test("a static batch's summary and report have the fan's timeline but no moving level or date", async () => {
  const { summary, html } = await batch(join(root, "scenarios/breakout.jsonc"), {
    runs: 30,
    sub: "static",
  });
  for (const key of ["movingLevels", "levelRelativeError", "dates"]) {
    assert(!summary.includes(`"${key}"`), key);
  }
  // The fan of spot, X, Y and Z at every timeline step, as the flight view overlays it.
  const read = JSON.parse(summary) as MonteCarloSummary;
  assertEquals(Object.keys(read.series!), ["spot", "x", "y", "z"]);
  assertEquals(read.series!.spot.p50.length, read.timeline!.steps.length);
  for (const text of ["moving-level", "data-step", ">date</text>", "in force"]) {
    assert(!html.includes(text), text);
  }
  assertStringIncludes(html, ">call wall 700</text>");
  const stats = await simulateBatch(await loadScenario(join(root, "scenarios/breakout.jsonc")), {
    to: 10,
  });
  assertEquals(stats.stats.levels, undefined);
  assert(!JSON.stringify(stats.stats).includes('"levels"'));
  assert(
    !renderReport(stats.stats, {
      summary: summarizeStats(stats.stats, { scenario: "b", seed: 42 }),
    }).includes("moving-level"),
  );
});

/** A hand-made run of `days.length` steps whose frames carry those timestamps. */
function cursor(days: string[]) {
  const n = days.length;
  const block = {
    samples: {
      start: 0,
      length: n,
      spot: new Float64Array(n).fill(694),
      iv: new Float64Array(n).fill(0.15),
      hv: new Float64Array(n).fill(0.12),
      time: days,
    },
    evaluation: {
      x: new Float64Array(n).fill(0.5),
      y: new Float64Array(n).fill(1.25),
      z: new Float64Array(n).fill(0.8),
      regime: new Uint8Array(n).fill(1),
      flags: new Uint8Array(n),
    },
  };
  let given = false;
  return {
    seed: 1,
    steps: n,
    levels: undefined,
    next: () => given ? undefined : (given = true, block),
  };
}

// The scenarios' folder goes when the tests end, whichever of them ran.
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
