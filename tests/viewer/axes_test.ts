// The view's axes: linear while the envelope fills enough of the box, bent when the trail flies
// far beyond it, with ticks that sit at their own values either way.
import { assert, assertAlmostEquals, assertEquals } from "@std/assert";
import {
  axisKnees,
  axisShare,
  axisTicks,
  axisValue,
  domain,
  ENVELOPE_SHARE,
  envelopeAxis,
  linearAxis,
  MIN_LINEAR_SHARE,
  scaleNote,
} from "../../viewer/axes.ts";
import { columnsOf } from "../../viewer/data.ts";
import { makeRun } from "../../viewer/model.ts";
import { shippedRuns } from "./_scenarios.ts";

Deno.test("envelopeAxis() stays linear, and pads as domain() does, while the envelope fills the box", () => {
  assertEquals(envelopeAxis([0, 6], [0, 4.95]), linearAxis(domain([0, 6], [])));
  assertEquals(envelopeAxis([-0.4, 1], [0, 1]), linearAxis(domain([-0.4, 1], [])));
  assertEquals(axisKnees(envelopeAxis([0, 6], [0, 4.95])), []);
  assertEquals(scaleNote(linearAxis([0, 1])), "");
});

Deno.test("envelopeAxis() bends at the envelope's ends when the trail flies far beyond", () => {
  const x = envelopeAxis([0, 27], [0, 4.95]);
  assertEquals(axisKnees(x), [5]);
  assertEquals(axisShare(x, 5), ENVELOPE_SHARE);
  assertEquals(axisShare(x, 0), 0);
  assertEquals(axisShare(x, x.stops.at(-1)!), 1);
  const z = envelopeAxis([-9, 1], [0, 1]);
  assertEquals(axisKnees(z), [0]);
  assertAlmostEquals(axisShare(z, 1) - axisShare(z, 0), ENVELOPE_SHARE, 0.03);
  // both sides beyond: the rest is shared by length
  const both = envelopeAxis([-10, 12], [0, 2]);
  assertEquals(axisKnees(both), [0, 2]);
  assertAlmostEquals(axisShare(both, 2) - axisShare(both, 0), ENVELOPE_SHARE, 1e-12);
  assertAlmostEquals(axisShare(both, 0) / (1 - axisShare(both, 2)), 10 / 10, 0.1);
});

Deno.test("axisShare() and axisValue() are increasing and each other's inverse", () => {
  for (const scale of [envelopeAxis([0, 27], [0, 4.95]), envelopeAxis([-10, 12], [0, 2])]) {
    let last = -Infinity;
    for (let k = 0; k <= 100; k++) {
      const share = k / 100;
      const v = axisValue(scale, share);
      assert(v > last, `${v} after ${last}`);
      last = v;
      assertAlmostEquals(axisShare(scale, v), share, 1e-12);
    }
  }
});

Deno.test("axisTicks() labels each tick with its own value, apart and increasing", () => {
  const scales = [
    envelopeAxis([0, 27], [0, 4.95]),
    envelopeAxis([-9.4, 1], [0, 1]),
    envelopeAxis([-10, 12], [0, 2]),
    envelopeAxis([0, 430], [0, 2.75]),
    envelopeAxis([0, 1e-3], [0, 2e-5]),
  ];
  for (const scale of scales) {
    const ticks = axisTicks(scale, 5);
    assert(ticks.length >= 4, JSON.stringify(ticks));
    for (let k = 0; k < ticks.length; k++) {
      const t = ticks[k]!;
      assertAlmostEquals(Number(t.label), t.v, Math.abs(t.v) * 1e-9 + 1e-12, t.label);
      assert(t.v >= scale.stops[0]! && t.v <= scale.stops.at(-1)!, t.label);
      if (k > 0) {
        const gap = axisShare(scale, t.v) - axisShare(scale, ticks[k - 1]!.v);
        assert(gap >= 0.09 * (1 - 1e-9), `${ticks[k - 1]!.label} and ${t.label} crowd`);
      }
    }
  }
  assertEquals(axisTicks(envelopeAxis([0, 27], [0, 4.95]), 6).map((t) => t.label), [
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "10",
    "15",
    "20",
    "25",
  ]);
});

Deno.test("the shipped breakout flies its zones and walls in most of the box; the others stay linear", async () => {
  for (const { file, frames, levels } of await shippedRuns()) {
    const run = makeRun(columnsOf(frames), {
      source: "embedded",
      name: file,
      seed: 42,
      levels,
      maxTrailPoints: 10_000,
    });
    const th = levels.thresholds;
    // the envelope's X (to past RUPTURE) and Z (the wall to the flip) take most of the box
    assert(axisShare(run.ax, th.ruptureX) >= 0.5, `${file}: RUPTURE's X is squeezed`);
    assert(axisShare(run.az, 1) - axisShare(run.az, 0) >= MIN_LINEAR_SHARE, `${file}: Z 0 to 1`);
    // and the trail still fits
    for (const v of frames.map((f) => f.x)) assert(v >= run.dx[0] && v <= run.dx[1]);
    for (const v of frames.map((f) => f.z)) assert(v >= run.dz[0] && v <= run.dz[1]);
    if (file === "breakout.jsonc") {
      assertEquals(axisKnees(run.ax), [5], file);
      assertEquals(axisKnees(run.az), [0], file);
      assertEquals(scaleNote(run.az), "compressed below 0");
    } else {
      assertEquals([axisKnees(run.ax), axisKnees(run.az)], [[], []], file);
    }
  }
});
