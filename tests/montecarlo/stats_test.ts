// Monte Carlo statistics against independently computed values: the Wilson interval, the
// sketch's quantile error on known data, exact merges, and the accumulator's counts against
// frames built the ordinary way.
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { loadScenario, runScenario, simulate, startRun } from "../../mod.ts";
import { ExactCounts, QuantileSketch } from "../../montecarlo/sketch.ts";
import {
  MonteCarloStats,
  summarizeStats,
  timelineSteps,
  wilsonInterval,
} from "../../montecarlo/stats.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const scenarioPath = (name: string) => join(root, "scenarios", `${name}.jsonc`);

/** A small deterministic generator for test data (Park-Miller), independent of seedrandom. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/** The nearest-rank percentile of sorted data, as the sketch defines it. */
function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1]!;
}

Deno.test("wilsonInterval() matches Wilson bounds computed independently", () => {
  // Computed in Python with the closed form
  // (2k + z^2 -/+ z sqrt(z^2 + 4k(n-k)/n)) / (2(n + z^2)), z = 1.959963984540054.
  const cases: [number, number, [number, number]][] = [
    [12, 1000, [0.006877647806403522, 0.020857268475498278]],
    [0, 10, [0, 0.2775327998628892]],
    [10, 10, [0.7224672001371107, 1]],
    [1, 2, [0.09453120573423071, 0.9054687942657693]],
    [500, 1000, [0.46906960036810413, 0.5309303996318958]],
  ];
  for (const [k, n, [low, high]] of cases) {
    const [l, h] = wilsonInterval(k, n);
    assertAlmostEquals(l, low, 1e-12, `low of ${k}/${n}`);
    assertAlmostEquals(h, high, 1e-12, `high of ${k}/${n}`);
  }
});

Deno.test("wilsonInterval() refuses no trials and impossible counts", () => {
  assertThrows(() => wilsonInterval(0, 0), RangeError, "0 trials");
  assertThrows(() => wilsonInterval(5, 4), RangeError, "5 successes in 4 trials");
  assertThrows(() => wilsonInterval(-1, 4), RangeError);
});

Deno.test("QuantileSketch.quantile() stays within its relative error on known data", () => {
  const next = lcg(7);
  const values: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    // Spread over 9 orders of magnitude, both signs, with exact zeros.
    const v = i % 97 === 0 ? 0 : (next() - 0.3) * Math.exp(20 * next() - 10);
    values.push(v);
  }
  const sorted = [...values].sort((a, b) => a - b);
  for (const bits of [0, 3, 7, 12]) {
    const sketch = new QuantileSketch({ bits });
    for (const v of values) sketch.add(v);
    assertEquals(sketch.relativeError, 2 ** -(bits + 1));
    for (let p = 0; p <= 100; p += 0.5) {
      const exact = nearestRank(sorted, p);
      const got = sketch.quantile(p)!;
      const error = exact === 0 ? Math.abs(got) : Math.abs(got - exact) / Math.abs(exact);
      assert(
        error <= sketch.relativeError,
        `bits ${bits}, p${p}: got ${got}, exact ${exact}, error ${error}`,
      );
    }
  }
});

Deno.test("QuantileSketch.quantile() is exact at the extremes and empty gives undefined", () => {
  const sketch = new QuantileSketch();
  assertEquals(sketch.quantile(50), undefined);
  for (const v of [3.3, -7.1, 0.004]) sketch.add(v);
  assertEquals(sketch.quantile(0), -7.1);
  assertEquals(sketch.quantile(100), 3.3);
  const one = new QuantileSketch();
  one.add(692.123456);
  assertEquals([one.quantile(5), one.quantile(50), one.quantile(95)], [
    692.123456,
    692.123456,
    692.123456,
  ]);
});

Deno.test("QuantileSketch merges give the same bytes for any split and order", () => {
  const next = lcg(11);
  const values = Array.from({ length: 5000 }, () => (next() - 0.5) * 10 ** (6 * next() - 3));
  const whole = new QuantileSketch();
  values.forEach((v) => whole.add(v));
  const parts = Array.from({ length: 5 }, () => new QuantileSketch());
  for (const v of values) parts[Math.floor(next() * 5) % 5]!.add(v);
  const forward = new QuantileSketch();
  parts.forEach((p) => forward.merge(p));
  const backward = new QuantileSketch();
  [...parts].reverse().forEach((p) => backward.merge(p));
  const grouped = new QuantileSketch();
  const left = new QuantileSketch();
  left.merge(parts[0]!);
  left.merge(parts[3]!);
  const right = new QuantileSketch();
  [parts[4]!, parts[1]!, parts[2]!].forEach((p) => right.merge(p));
  grouped.merge(right);
  grouped.merge(left);
  // Packed, as a batch worker posts them, and merged into empty sketches.
  const unpacked = parts.map(() => new QuantileSketch());
  QuantileSketch.mergePacked(unpacked, structuredClone(QuantileSketch.pack(parts)));
  const viaPacks = new QuantileSketch();
  unpacked.forEach((p) => viaPacks.merge(p));
  const expected = JSON.stringify(whole);
  assertEquals(JSON.stringify(forward), expected);
  assertEquals(JSON.stringify(backward), expected);
  assertEquals(JSON.stringify(grouped), expected);
  assertEquals(JSON.stringify(viaPacks), expected);
});

Deno.test("QuantileSketch refuses NaN and infinities and other resolutions", () => {
  const sketch = new QuantileSketch();
  for (const bad of [NaN, Infinity, -Infinity]) {
    assertThrows(() => sketch.add(bad), RangeError, "Cannot add");
    assertThrows(() => sketch.addAll(Float64Array.of(1, bad)), RangeError, "Cannot add");
  }
  assertEquals(sketch.count, 3); // the 1s before each bad value in addAll
  const partial = new QuantileSketch();
  assertThrows(() => partial.addAll(Float64Array.of(-3, 0, 5, NaN, 7)), RangeError, "NaN");
  assertEquals([partial.count, partial.zero, partial.min, partial.max], [3, 1, -3, 5]);
  assertThrows(() => sketch.merge(new QuantileSketch({ bits: 3 })), RangeError, "3-bit");
  const other = QuantileSketch.pack([new QuantileSketch({ bits: 3 })]);
  assertThrows(() => QuantileSketch.mergePacked([sketch], other), RangeError, "3-bit");
  assertThrows(
    () => QuantileSketch.mergePacked([sketch, sketch], QuantileSketch.pack([sketch])),
    RangeError,
    "1 packed sketches into 2",
  );
  assertThrows(() => new QuantileSketch({ bits: 17 }), RangeError, "[0, 16]");
});

Deno.test("QuantileSketch.fromJSON() round-trips and rejects inconsistent data", () => {
  const sketch = new QuantileSketch();
  [-1e-5, 0, 2.5, 2.51, 1e6].forEach((v) => sketch.add(v));
  const data = JSON.parse(JSON.stringify(sketch));
  assertEquals(QuantileSketch.fromJSON(data).toJSON(), sketch.toJSON());
  assertThrows(
    () => QuantileSketch.fromJSON({ ...data, count: 9 }, "x.json"),
    RangeError,
    'x.json: "count" is 9 but the buckets hold 5',
  );
  assertThrows(
    () => QuantileSketch.fromJSON({ ...data, positive: [1.5, 2] }, "x.json"),
    RangeError,
    "x.json.positive",
  );
});

Deno.test("QuantileSketch.addAll() adds a range of an array, also of a view into a buffer", () => {
  const buffer = new Float64Array([9, -1.5, 0, 2, 1e-9, 250, -7, 3]).buffer;
  const view = new Float64Array(buffer, 8, 6); // -1.5, 0, 2, 1e-9, 250, -7
  const ranged = new QuantileSketch(), single = new QuantileSketch();
  ranged.addAll(view, 1, 5);
  [0, 2, 1e-9, 250].forEach((v) => single.add(v));
  assertEquals(ranged.toJSON(), single.toJSON());
  const whole = new QuantileSketch();
  whole.addAll(view);
  view.forEach((v) => single.add(v));
  ranged.addAll(view.subarray(0, 1));
  ranged.addAll(view, 5);
  ranged.addAll(view, 1, 5);
  assertEquals(ranged.toJSON(), single.toJSON());
  assertEquals(whole.count, 6);
});

Deno.test("QuantileSketch.addAll() counts as add() does while windows grow on both sides", () => {
  const next = lcg(5);
  for (const zeroBelow of [2 ** -1022, 2 ** -10]) {
    const bulk = new QuantileSketch({ bits: 6, zeroBelow });
    const single = new QuantileSketch({ bits: 6, zeroBelow });
    // Each block reaches further out than the last, so most grow a window partway through.
    for (let block = 0; block < 40; block++) {
      const values = Float64Array.from(
        { length: 64 },
        () => next() < 0.1 ? 0 : (next() - 0.4) * 10 ** (block / 4 - 5 + 2 * next()),
      );
      bulk.addAll(values);
      values.forEach((v) => single.add(v));
    }
    assertEquals(bulk.toJSON(), single.toJSON());
  }
});

Deno.test("QuantileSketch.quantiles() finds many percentiles in one call, in any order", () => {
  const sketch = new QuantileSketch({ bits: 8 });
  const random = lcg(11);
  const values = Array.from({ length: 4001 }, (_, i) => i % 50 === 0 ? 0 : (random() - 0.3) * 40);
  values.forEach((v) => sketch.add(v));
  const sorted = [...values].sort((a, b) => a - b);
  const ps = [95, 0, 37.5, 5, 100, 50, 1, 99.9, 25, 75];
  const got = sketch.quantiles(ps);
  ps.forEach((p, k) => {
    const exact = nearestRank(sorted, p);
    const error = Math.abs(got[k]! - exact);
    assert(error <= Math.abs(exact) * sketch.relativeError, `p${p}: ${got[k]} against ${exact}`);
  });
  assertEquals([got[1], got[4]], [sorted[0], sorted.at(-1)]);
  assertEquals(new QuantileSketch().quantiles([5, 50]), [undefined, undefined]);
  assertThrows(() => sketch.quantiles([50, 101]), RangeError, "percentile 101");
});

Deno.test("QuantileSketch zeroBelow counts small magnitudes as 0, within zeroBelow", () => {
  const zeroBelow = 2 ** -10;
  const sketch = new QuantileSketch({ bits: 6, zeroBelow });
  const plain = new QuantileSketch({ bits: 6 });
  const random = lcg(5);
  // Values from about -0.01 to 100, a fifth of them within 0.001 of 0.
  const values = Array.from({ length: 5000 }, (_, i) => {
    const u = random();
    return i % 5 === 0 ? (u - 0.5) * 0.0018 : (u - 0.1) * 10 ** (random() * 2);
  });
  for (const v of values) {
    sketch.add(v);
    plain.add(v);
  }
  const small = values.filter((v) => Math.abs(v) < zeroBelow).length;
  assertEquals(sketch.zero, small);
  const sorted = [...values].sort((a, b) => a - b);
  for (let p = 1; p < 100; p++) {
    const exact = nearestRank(sorted, p);
    const error = Math.abs(sketch.quantile(p)! - exact);
    assert(
      error <= Math.max(zeroBelow, Math.abs(exact) * sketch.relativeError),
      `p${p}: ${sketch.quantile(p)} against ${exact}`,
    );
  }
  assert(sketch.buckets().length < plain.buckets().length, "fewer buckets than without");
  assertEquals(
    QuantileSketch.fromJSON(JSON.parse(JSON.stringify(sketch))).toJSON(),
    sketch.toJSON(),
  );
  assertThrows(() => sketch.merge(plain), RangeError, "zero below");
  assertThrows(() => new QuantileSketch({ zeroBelow: 0.003 }), RangeError, "power of two");
  assertThrows(() => new QuantileSketch({ zeroBelow: 0 }), RangeError, "power of two");
});

Deno.test("ExactCounts quantiles are exact nearest-rank percentiles", () => {
  const next = lcg(3);
  const counts = new ExactCounts();
  const values = Array.from({ length: 999 }, () => Math.floor(next() * 300));
  values.forEach((v) => counts.add(v));
  const sorted = [...values].sort((a, b) => a - b);
  for (let p = 0; p <= 100; p++) assertEquals(counts.quantile(p), nearestRank(sorted, p), `p${p}`);
  assertThrows(() => counts.add(1.5), RangeError);
});

Deno.test("timelineSteps() keeps at most 200 steps, first and last included", () => {
  assertEquals(timelineSteps(5), [0, 1, 2, 3, 4]);
  const long = timelineSteps(1_000_000);
  assertEquals(long.length, 200);
  assertEquals([long[0], long.at(-1)], [0, 999_999]);
  assert(long.every((s, i) => i === 0 || s > long[i - 1]!));
});

Deno.test("MonteCarloStats counts regimes and flags as runScenario does, run by run", async () => {
  const scenario = await loadScenario(scenarioPath("false_breakout"));
  const stats = new MonteCarloStats({ steps: scenario.steps });
  const regimes = { TAXI: 0, CRUISE: 0, MANEUVER: 0, RUPTURE: 0 };
  const flags = { BREACH: 0, OVERSPEED: 0, STALL: 0 };
  for (let run = 0; run < 5; run++) {
    stats.addRun(await startRun(scenario, { run }));
    const outDir = await Deno.makeTempDir();
    const report = await runScenario(scenario, { run, outDir });
    await Deno.remove(outDir, { recursive: true });
    for (const k of Object.keys(regimes) as (keyof typeof regimes)[]) {
      regimes[k] += report.regimes[k];
    }
    for (const k of Object.keys(flags) as (keyof typeof flags)[]) flags[k] += report.flags[k];
  }
  const summary = summarizeStats(stats, { scenario: "false_breakout", seed: 42 });
  assertEquals(summary.flagCounts, flags);
  for (const [k, n] of Object.entries(regimes)) {
    assertEquals(summary.regimeShare[k as keyof typeof regimes], n / (5 * scenario.steps));
  }
});

Deno.test("MonteCarloStats per-run max load, first breach and final spot match the frames", async () => {
  const scenario = await loadScenario(scenarioPath("breakout"));
  const stats = new MonteCarloStats({ steps: scenario.steps });
  const maxLoads: number[] = [];
  const firstBreaches: number[] = [];
  const finalSpots: number[] = [];
  for (let run = 0; run < 40; run++) {
    stats.addRun(await startRun(scenario, { run }));
    const frames = await simulate(scenario, { run });
    maxLoads.push(Math.max(...frames.map((f) => f.y)));
    const first = frames.findIndex((f) => f.flags.includes("BREACH"));
    if (first >= 0) firstBreaches.push(first);
    finalSpots.push(frames.at(-1)!.spot);
  }
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  const summary = summarizeStats(stats, { scenario: "breakout", seed: 42 });
  assertEquals(summary.maxLoad, Math.max(...maxLoads));
  assertEquals(summary.breachRuns, firstBreaches.length);
  assertEquals(summary.breachRate, firstBreaches.length / 40);
  const exactFirst = sorted(firstBreaches);
  assertEquals(summary.firstBreachStep, {
    p5: nearestRank(exactFirst, 5),
    p50: nearestRank(exactFirst, 50),
    p95: nearestRank(exactFirst, 95),
  });
  for (
    const [q, values, error] of [
      [summary.maxLoadQuantiles, sorted(maxLoads), stats.maxLoad.relativeError],
      [summary.finalSpotQuantiles, sorted(finalSpots), stats.finalSpot.relativeError],
    ] as const
  ) {
    for (const p of [5, 50, 95] as const) {
      const exact = nearestRank(values, p);
      const got = q[`p${p}`];
      assert(Math.abs(got - exact) <= exact * error, `p${p}: ${got} vs ${exact}`);
    }
  }
});

Deno.test("MonteCarloStats fan-chart sketches hold every run, however often they are flushed", async () => {
  const scenario = await loadScenario(scenarioPath("false_breakout"));
  const held = new MonteCarloStats({ steps: 60 });
  const flushed = new MonteCarloStats({ steps: 60 });
  const spots: number[] = [];
  for (let run = 0; run < 30; run++) {
    held.addRun(await startRun(scenario, { run, steps: 60 }));
    flushed.addRun(await startRun(scenario, { run, steps: 60 }));
    if (run % 7 === 0) flushed.flush();
    spots.push((await simulate(scenario, { run, steps: 60 }))[59]!.spot);
  }
  assertEquals(held.pendingRuns, 14, "its first flush came by itself, after 16 runs");
  assertEquals(flushed.pendingRuns, 1, "flushed after run 28, then run 29 added");
  // Reading the series adds what is held back.
  const last = held.series.spot.at(-1)!;
  assertEquals(held.pendingRuns, 0);
  assertEquals([last.count, last.min, last.max], [30, Math.min(...spots), Math.max(...spots)]);
  assertEquals(JSON.stringify(flushed), JSON.stringify(held));
});

Deno.test("MonteCarloStats snapshots posted between threads merge into the whole batch", async () => {
  const scenario = await loadScenario(scenarioPath("false_breakout"));
  const whole = new MonteCarloStats({ steps: 60 });
  const halves = [new MonteCarloStats({ steps: 60 }), new MonteCarloStats({ steps: 60 })];
  for (let run = 0; run < 30; run++) {
    whole.addRun(await startRun(scenario, { run, steps: 60 }));
    halves[run % 2]!.addRun(await startRun(scenario, { run, steps: 60 }), { run });
  }
  const { data, transfer } = halves[1]!.snapshot();
  halves[0]!.mergeSnapshot(structuredClone(data, { transfer }));
  assertEquals(JSON.stringify(halves[0]), JSON.stringify(whole));
  assertThrows(
    () => new MonteCarloStats({ steps: 50 }).mergeSnapshot(whole.snapshot().data),
    RangeError,
    "runs of 60 steps",
  );
});

Deno.test("MonteCarloStats.fromJSON() rejects statistics that do not add up", () => {
  const stats = new MonteCarloStats({ steps: 10 });
  const data = JSON.parse(JSON.stringify(stats));
  assertThrows(
    () => MonteCarloStats.fromJSON({ ...data, runs: 3 }, "p.json"),
    RangeError,
    '"runs" is 3',
  );
  assertThrows(
    () => MonteCarloStats.fromJSON({ ...data, timeline: [0, 1] }, "p.json"),
    RangeError,
    '"timeline"',
  );
});
