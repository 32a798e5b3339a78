// Event detection (core/events.ts) against episodes worked out by hand.
import { assertEquals, assertThrows } from "@std/assert";
import {
  countEvents,
  DEFAULT_FLAG_LINES,
  DEFAULT_SEVERITY,
  detectEvents,
  EventDetector,
  type FlightEvent,
  severityOf,
  worstEvents,
} from "../../core/events.ts";
import { BREACH, type Frame, OVERSPEED, type Regime, STALL } from "../../core/frame.ts";

/** A frame of the given coordinates, regime and flags; spot, IV and HV do not matter here. */
function frame(x: number, y: number, z: number, regime: Regime, flags: Frame["flags"]): Frame {
  return { timestamp: 0, spot: 1, iv: 0.2, hv: 0.2, x, y, z, regime, flags };
}

/** The fields a hand-computed episode fixes, in one short tuple. */
const brief = (e: FlightEvent) => [e.kind, e.start, e.end, e.duration, e.peak, e.peakIndex, e.open];

Deno.test("detectEvents() finds an episode starting at frame 0 and one still open at the last frame", () => {
  // Frames 0-1 BREACH (z -0.1, -0.3), 2-3 clear, 4-5 BREACH again (z -0.2, -0.05), open.
  const zs = [-0.1, -0.3, 0.2, 0.4, -0.2, -0.05];
  const frames = zs.map((z) => frame(1, 1, z, "CRUISE", z < 0 ? ["BREACH"] : []));
  const events = detectEvents(frames);
  assertEquals(events.map(brief), [
    ["BREACH", 0, 1, 2, -0.3, 1, false],
    ["BREACH", 4, 5, 2, -0.2, 4, true],
  ]);
});

Deno.test("detectEvents() takes the peak in each flag's own sense, first frame on a tie", () => {
  const frames = [
    frame(3.6, 0.7, 0.5, "MANEUVER", ["OVERSPEED", "STALL"]),
    frame(3.9, 0.6, 0.5, "MANEUVER", ["OVERSPEED", "STALL"]),
    frame(3.9, 0.6, 0.5, "MANEUVER", ["OVERSPEED", "STALL"]),
    frame(3.7, 0.75, 0.5, "MANEUVER", ["OVERSPEED", "STALL"]),
    frame(2, 1, 0.5, "MANEUVER", []),
  ];
  assertEquals(detectEvents(frames).map(brief), [
    ["OVERSPEED", 0, 3, 4, 3.9, 1, false],
    ["STALL", 0, 3, 4, 0.6, 1, false],
  ]);
});

Deno.test("detectEvents() marks each regime change, not the first frame, with the regimes left and entered", () => {
  const regimes: Regime[] = ["TAXI", "TAXI", "CRUISE", "MANEUVER", "MANEUVER", "CRUISE"];
  const frames = regimes.map((r, i) => frame(i / 2, 1, 0.5, r, []));
  const events = detectEvents(frames);
  assertEquals(
    events.map((e) => [e.kind, e.start, e.end, e.duration, e.peak, e.from, e.regime, e.severity]),
    [
      ["REGIME", 2, 2, 1, 1, "TAXI", "CRUISE", null],
      ["REGIME", 3, 3, 1, 1.5, "CRUISE", "MANEUVER", null],
      ["REGIME", 5, 5, 1, 2.5, "MANEUVER", "CRUISE", null],
    ],
  );
});

Deno.test("events are ordered by start, then BREACH, OVERSPEED, STALL, REGIME", () => {
  const frames = [
    frame(1, 1, 0.5, "CRUISE", []),
    frame(3.6, 0.7, -0.1, "MANEUVER", ["BREACH", "OVERSPEED", "STALL"]),
    frame(1, 1, 0.5, "CRUISE", []),
  ];
  assertEquals(
    detectEvents(frames).map((e) => [e.kind, e.start]),
    [["BREACH", 1], ["OVERSPEED", 1], ["STALL", 1], ["REGIME", 1], ["REGIME", 2]],
  );
});

Deno.test("a one-frame run and an empty run have no regime event", () => {
  assertEquals(detectEvents([]), []);
  assertEquals(detectEvents([frame(1, 1, 0.5, "CRUISE", [])]), []);
  const one = detectEvents([frame(1, 1, -0.5, "CRUISE", ["BREACH"])]);
  assertEquals(one.map(brief), [["BREACH", 0, 0, 1, -0.5, 0, true]]);
});

Deno.test("severityOf() starts each band at its limit, depth and duration alike", () => {
  const sev = (kind: "BREACH" | "OVERSPEED" | "STALL", peak: number, duration: number) =>
    severityOf(kind, peak, duration, DEFAULT_SEVERITY, DEFAULT_FLAG_LINES);
  // BREACH depth -z: medium from 0.25, high from 1; duration medium from 3, high from 10.
  assertEquals(
    [
      sev("BREACH", -0.24, 1),
      sev("BREACH", -0.25, 1),
      sev("BREACH", -0.99, 1),
      sev("BREACH", -1, 1),
    ],
    ["low", "medium", "medium", "high"],
  );
  assertEquals(
    [
      sev("BREACH", -0.01, 2),
      sev("BREACH", -0.01, 3),
      sev("BREACH", -0.01, 9),
      sev("BREACH", -0.01, 10),
    ],
    ["low", "medium", "medium", "high"],
  );
  // OVERSPEED depth x - 3.5 (0.5 and 1 are exact sums with 3.5); STALL depth 0.8 - y.
  assertEquals(
    [sev("OVERSPEED", 3.9, 1), sev("OVERSPEED", 4, 1), sev("OVERSPEED", 4.5, 1)],
    ["low", "medium", "high"],
  );
  assertEquals([sev("STALL", 0.75, 4), sev("STALL", 0.75, 5), sev("STALL", 0.75, 20)], [
    "low",
    "medium",
    "high",
  ]);
  // The higher of the two bands: deep and short, shallow and long.
  assertEquals([sev("STALL", 0.5, 1), sev("STALL", 0.79, 25)], ["high", "high"]);
});

Deno.test("detectEvents() bands episodes with the given thresholds and flag lines", () => {
  const frames = [3.6, 3.7, 1].map((x) =>
    frame(x, 1, 0.5, "MANEUVER", x > 3.5 ? ["OVERSPEED"] : [])
  );
  assertEquals(detectEvents(frames).map((e) => e.severity), ["low"]);
  // With the overspeed line at 3, the peak 3.7 is 0.7 ATR deep: medium.
  const lines = { overspeedX: 3, stallY: 0.8 };
  assertEquals(detectEvents(frames, { lines }).map((e) => e.severity), ["medium"]);
  const severity = {
    ...DEFAULT_SEVERITY,
    overspeed: { medium: { depth: 5, duration: 2 }, high: { depth: 9, duration: 3 } },
  };
  assertEquals(detectEvents(frames, { severity }).map((e) => e.severity), ["medium"]);
});

Deno.test("EventDetector gives the same events fed by columns in blocks as by frames", () => {
  const n = 500;
  const x = new Float64Array(n), y = new Float64Array(n), z = new Float64Array(n);
  const regime = new Uint8Array(n), flags = new Uint8Array(n);
  const frames: Frame[] = [];
  for (let i = 0; i < n; i++) {
    // A slow wave in each axis, so that every flag comes and goes several times.
    x[i] = 2 + 2 * Math.sin(i / 17);
    y[i] = 1 + 0.4 * Math.sin(i / 23);
    z[i] = 0.3 + 0.5 * Math.sin(i / 11);
    regime[i] = x[i]! >= 2.5 ? 2 : x[i]! < 0.3 ? 0 : 1;
    flags[i] = (z[i]! < 0 ? BREACH : 0) | (x[i]! > 3.5 ? OVERSPEED : 0) | (y[i]! < 0.8 ? STALL : 0);
    const names = (["BREACH", "OVERSPEED", "STALL"] as const).filter((_, b) =>
      flags[i]! & (1 << b)
    );
    frames.push(
      frame(x[i]!, y[i]!, z[i]!, (["TAXI", "CRUISE", "MANEUVER"] as const)[regime[i]!]!, names),
    );
  }
  const detector = new EventDetector();
  for (const [from, to] of [[0, 1], [1, 200], [200, 333], [333, n]] as const) {
    const cut = (a: Float64Array | Uint8Array) => a.subarray(from, to);
    detector.pushBlock(
      { x: cut(x), y: cut(y), z: cut(z), regime: cut(regime), flags: cut(flags) },
      to - from,
    );
  }
  const byBlocks = detector.finish();
  assertEquals(byBlocks, detectEvents(frames));
  const kinds = new Set(byBlocks.map((e) => e.kind));
  assertEquals(kinds.size, 4, "the wave should raise every kind of event");
  // Each flag's episodes cover exactly its flagged frames.
  for (
    const [kind, bit] of [["BREACH", BREACH], ["OVERSPEED", OVERSPEED], ["STALL", STALL]] as const
  ) {
    const covered = byBlocks.filter((e) => e.kind === kind).reduce((s, e) => s + e.duration, 0);
    assertEquals(covered, flags.filter((m) => (m & bit) !== 0).length, kind);
  }
});

Deno.test("EventDetector refuses an unknown regime and a push after finish()", () => {
  const detector = new EventDetector();
  assertThrows(() => detector.push(1, 1, 1, 7, 0), Error, "unknown regime 7 at frame 0");
  detector.push(1, 1, 1, "CRUISE", 0);
  assertEquals(detector.finish(), []);
  assertThrows(() => detector.push(1, 1, 1, "CRUISE", 0), Error, "after finish()");
});

Deno.test("countEvents() and worstEvents() rank by band, then relative depth, then duration", () => {
  const frames = [
    frame(1, 1, -0.3, "CRUISE", ["BREACH"]), // BREACH 0-0, depth 0.3: medium
    frame(1, 1, 0.5, "CRUISE", []),
    frame(3.6, 1, 0.5, "MANEUVER", ["OVERSPEED"]), // OVERSPEED 2-2, depth 0.1: low
    frame(1, 0.55, 0.5, "CRUISE", ["STALL"]), // STALL 3-3, depth 0.25: high
    frame(1, 1, -1.5, "CRUISE", ["BREACH"]), // BREACH 4-4, depth 1.5: high, deeper relative to 1
  ];
  const events = detectEvents(frames);
  const counts = countEvents(events);
  assertEquals(counts.byKind, { BREACH: 2, OVERSPEED: 1, STALL: 1, REGIME: 2 });
  assertEquals(counts.byBand.BREACH, { low: 0, medium: 1, high: 1 });
  assertEquals(counts.byBand.STALL, { low: 0, medium: 0, high: 1 });
  assertEquals(
    worstEvents(events, 3).map((e) => [e.kind, e.start]),
    [["BREACH", 4], ["STALL", 3], ["BREACH", 0]],
  );
  assertEquals(worstEvents(events, 0), []);
});
