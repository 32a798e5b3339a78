// Calibration maths on hand-made inputs: the buckets, the Wilson intervals and the Brier scores,
// each checked against a computation written out by hand.
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { bucketOf, calibrate, wilsonReal } from "../../backtest/calibration.ts";
import { wilsonInterval } from "../../montecarlo/stats.ts";

Deno.test("bucketOf() puts each probability in its tenth, 1 in the last", () => {
  const cases: [number, number][] = [
    [0, 0],
    [0.05, 0],
    [0.1, 1],
    [0.3, 3],
    [0.7, 7],
    [0.6999, 6],
    [0.9, 9],
    [0.95, 9],
    [1, 9],
  ];
  for (const [p, k] of cases) assertEquals(bucketOf(p), k, `p = ${p}`);
  // Every count / 1000 lands where a comparison against k / 10 puts it.
  for (let c = 0; c <= 1000; c++) {
    const p = c / 1000;
    assertEquals(bucketOf(p), Math.min(9, Math.floor(c / 100)), `p = ${p}`);
  }
});

Deno.test("calibrate() counts, averages and scores the days by hand", () => {
  const predicted = [0.05, 0.15, 0.12, 0.55, 0.58, 0.95, 1];
  const observed = [false, true, false, true, false, true, true];
  const c = calibrate(predicted, observed, { horizon: 1 });
  assertEquals([c.days, c.events], [7, 4]);
  assertAlmostEquals(c.baseRate, 4 / 7);
  // Brier by hand: (0.05)^2 + (0.85)^2 + (0.12)^2 + (0.45)^2 + (0.58)^2 + (0.05)^2 + 0
  const brier = (0.0025 + 0.7225 + 0.0144 + 0.2025 + 0.3364 + 0.0025 + 0) / 7;
  assertAlmostEquals(c.brier, brier, 1e-12);
  assertAlmostEquals(c.brierClimatology, (4 / 7) * (3 / 7), 1e-12);
  assertAlmostEquals(c.skill!, 1 - brier / ((4 / 7) * (3 / 7)), 1e-12);
  const [b0, b1, , , , b5, , , , b9] = c.buckets;
  assertEquals([b0!.count, b1!.count, b5!.count, b9!.count], [1, 2, 2, 2]);
  assertAlmostEquals(b1!.meanPredicted!, 0.135, 1e-12);
  assertEquals([b1!.observed, b1!.frequency], [1, 0.5]);
  assertEquals(b1!.interval, wilsonInterval(1, 2));
  assertEquals([b9!.frequency, b9!.interval![1]], [1, 1]);
  assertEquals(c.buckets[3], {
    low: 0.3,
    high: 0.4,
    count: 0,
    meanPredicted: null,
    observed: 0,
    frequency: null,
    interval: null,
    effectiveInterval: null,
  });
  // Reliability and resolution over the buckets, by hand.
  const base = 4 / 7;
  const groups = [[0.05, 0], [0.135, 0.5], [0.565, 0.5], [0.975, 1]];
  const sizes = [1, 2, 2, 2];
  const reliability = groups.reduce((s, [p, o], k) => s + sizes[k]! * (p! - o!) ** 2, 0) / 7;
  const resolution = groups.reduce((s, [, o], k) => s + sizes[k]! * (o! - base) ** 2, 0) / 7;
  assertAlmostEquals(c.reliability, reliability, 1e-12);
  assertAlmostEquals(c.resolution, resolution, 1e-12);
});

Deno.test("calibrate() widens the effective intervals by the horizon", () => {
  const predicted = Array.from({ length: 200 }, () => 0.45);
  const observed = Array.from({ length: 200 }, (_, i) => i % 2 === 0);
  const c = calibrate(predicted, observed, { horizon: 10 });
  const bucket = c.buckets[4]!;
  assertEquals(c.effectiveDays, 20);
  assertEquals(bucket.interval, wilsonInterval(100, 200));
  const [low, high] = wilsonReal(0.5, 20);
  assertEquals(bucket.effectiveInterval, [low, high]);
  assertEquals(bucket.effectiveInterval, wilsonInterval(10, 20));
  // 0.45 lies inside the effective interval (about 0.30 to 0.70) and inside the narrow one.
  assertEquals(c.bucketsOutside, 0);
});

Deno.test("calibrate() marks a bucket whose prediction is off by more than its interval", () => {
  const predicted = Array.from({ length: 400 }, () => 0.9);
  const observed = Array.from({ length: 400 }, (_, i) => i % 4 === 0);
  const c = calibrate(predicted, observed, { horizon: 5 });
  assertEquals(c.bucketsOutside, 1);
  assertEquals(c.skill! < 0, true);
});

Deno.test("calibrate() has no skill score when every day had the same outcome", () => {
  const c = calibrate([0.2, 0.4], [false, false]);
  assertEquals([c.baseRate, c.brierClimatology, c.skill], [0, 0, null]);
});

Deno.test("calibrate() refuses mismatched, empty or out-of-range inputs", () => {
  assertThrows(() => calibrate([0.5], [true, false]), RangeError, "1 predictions against 2");
  assertThrows(() => calibrate([], []), RangeError, "no predictions");
  assertThrows(() => calibrate([1.5], [true]), RangeError, "expected [0, 1]");
  assertThrows(() => calibrate([0.5], [true], { horizon: 0 }), RangeError, "horizon of 0");
});
