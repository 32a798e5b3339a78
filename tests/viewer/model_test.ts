// The run model the view draws: decimation of long trails, flag onsets, events and axes.
import { assert, assertEquals } from "@std/assert";
import { DEFAULT_THRESHOLDS } from "../../plugins/envelope.ts";
import { columnsOf } from "../../viewer/data.ts";
import {
  COARSE_POINTS,
  decimate,
  domain,
  makeRun,
  MAX_MARKERS,
  onsets,
  ticks,
  upperBound,
} from "../../viewer/model.ts";
import { EXAMPLE_LEVELS, exampleFrames, movingFrames } from "./_frames.ts";

const argmin = (a: Float64Array) => a.indexOf(Math.min(...a));
const argmax = (a: Float64Array) => a.indexOf(Math.max(...a));

Deno.test("decimate() keeps every frame of a run that fits", () => {
  const c = columnsOf(exampleFrames(1000));
  assertEquals([...decimate(c, 1000)], [...Array(1000).keys()]);
});

Deno.test("decimate() keeps a long run's ends, extremes and regime changes, in order", () => {
  const c = columnsOf(exampleFrames(50_000));
  const kept = decimate(c, 2000);
  assert(kept.length <= 2000 * 10 / 9 + 1, `${kept.length} points`);
  assert(kept.length > 1000, `${kept.length} points`);
  for (let k = 1; k < kept.length; k++) assert(kept[k - 1]! < kept[k]!, "increasing");
  assertEquals(kept[0], 0);
  assertEquals(kept[kept.length - 1], c.n - 1);
  const set = new Set(kept);
  for (const column of [c.x, c.y, c.z]) {
    assert(set.has(argmin(column)) && set.has(argmax(column)), "the extremes");
  }
  const firstChange = c.regime.findIndex((r, i) => i > 0 && r !== c.regime[i - 1]);
  assert(firstChange > 0 && set.has(firstChange) && set.has(firstChange - 1));
});

Deno.test("onsets() marks where a flag starts, thinned to MAX_MARKERS", () => {
  const frame = exampleFrames(1)[0]!;
  const blinking = Array.from({ length: 4 * MAX_MARKERS }, (_, i) => ({
    ...frame,
    flags: i % 2 ? [] : ["STALL" as const],
  }));
  const stall = onsets(columnsOf(blinking), 4);
  assertEquals(stall.total, 2 * MAX_MARKERS);
  assert(stall.list.length <= MAX_MARKERS);
  assertEquals(stall.list[0], 0);
  assertEquals(onsets(columnsOf(blinking), 1).total, 0);
});

Deno.test("makeRun() lists events in order, finds the first BREACH and the largest load", () => {
  const frames = exampleFrames(200);
  const run = makeRun(columnsOf(frames), {
    source: "embedded",
    name: "x",
    seed: 1,
    levels: EXAMPLE_LEVELS,
    maxTrailPoints: 10_000,
  });
  const changes = frames.flatMap((f, i) => i > 0 && f.regime !== frames[i - 1]!.regime ? [i] : []);
  assertEquals([...run.changes], changes);
  for (let k = 1; k < run.events.length; k++) assert(run.events[k - 1]! < run.events[k]!);
  assertEquals(run.firstBreach, frames.findIndex((f) => f.flags.includes("BREACH")));
  const maxY = Math.max(...frames.map((f) => f.y));
  assertEquals(run.maxY, maxY);
  assertEquals(run.maxYAt, frames.findIndex((f) => f.y === maxY));
  assertEquals(run.th, DEFAULT_THRESHOLDS);
  assert(run.dx[1] >= DEFAULT_THRESHOLDS.ruptureX * 1.12, "X shows the RUPTURE threshold");
  assertEquals(run.coarse, run.full, "one level of detail for a short run");
  const long = makeRun(columnsOf(exampleFrames(30_000)), {
    source: "file",
    name: "long",
    seed: null,
    levels: null,
    maxTrailPoints: 10_000,
  });
  assert(long.coarse.dec.length <= COARSE_POINTS * 10 / 9 + 1);
  assert(long.full.dec.length > long.coarse.dec.length);
});

Deno.test("makeRun() knows a run of dated frames with moving levels from a static one", () => {
  const meta = { source: "embedded", name: "x", seed: 1, levels: EXAMPLE_LEVELS } as const;
  const moving = makeRun(columnsOf(movingFrames(40)), { ...meta, maxTrailPoints: 10_000 });
  assertEquals([moving.dated, moving.movingLevels], [true, true]);
  assertEquals(moving.th, DEFAULT_THRESHOLDS, "the regimes follow the same thresholds");
  const fixed = makeRun(columnsOf(exampleFrames(40)), { ...meta, maxTrailPoints: 10_000 });
  assertEquals([fixed.dated, fixed.movingLevels], [false, false]);
  const empty = makeRun(columnsOf([]), { ...meta, maxTrailPoints: 10_000 });
  assertEquals([empty.dated, empty.movingLevels], [false, false]);
});

Deno.test("axes: domains pad the data, ticks fall on nice values", () => {
  assertEquals(domain([0, 1], []), [0, 1.04]);
  assertEquals(domain([2, 2], []), [1.5 - 0.04, 2.5 + 0.04]);
  assertEquals(domain([Infinity, -Infinity], []), [0, 1.04]);
  assertEquals(ticks([-0.25, 1], 5).map((t) => t.label), [
    "-0.2",
    "0.0",
    "0.2",
    "0.4",
    "0.6",
    "0.8",
    "1.0",
  ]);
  assertEquals(upperBound([1, 3, 3, 5], 3), 3);
  assertEquals(upperBound([], 3), 0);
});
