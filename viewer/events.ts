/**
 * The view's events: a run's flag episodes and regime changes found by `core/events.ts` from
 * its columns, with what the timeline, the event list, the HUD and the `n` / `p` keys ask of
 * them. Pure functions of the frames, free of DOM APIs.
 *
 * @module
 */
import {
  DEFAULT_FLAG_LINES,
  DEFAULT_SEVERITY,
  EventDetector,
  type FlagLines,
  type FlightEvent,
  type Severity,
  type SeverityThresholds,
} from "../core/events.ts";
import type { Columns } from "./data.ts";
import { upperBound } from "./model.ts";

export type { FlightEvent, Severity };
export { SEVERITY_COLORS } from "./palette.ts";

/** A run's events, indexed for the view. */
export interface ViewEvents {
  /** Every event, by start, then BREACH, OVERSPEED, STALL, REGIME. */
  list: readonly FlightEvent[];
  /** The distinct frames where an event starts, increasing: what `n` and `p` walk. */
  starts: Int32Array;
  /** Per flag (BREACH, OVERSPEED, STALL), the indexes into `list` of its episodes, by start. */
  byFlag: [Int32Array, Int32Array, Int32Array];
}

/** What the view's events are found with: the flag lines and the severity bands. */
export interface ViewEventOptions {
  /** Where OVERSPEED and STALL start, for their depth. @default {DEFAULT_FLAG_LINES} */
  lines?: FlagLines | null;
  /** Severity bands. @default {DEFAULT_SEVERITY} */
  severity?: SeverityThresholds | null;
}

const FLAG_INDEX: Readonly<Record<string, number>> = { BREACH: 0, OVERSPEED: 1, STALL: 2 };

/**
 * Finds a run's events from its columns.
 *
 * @param c The frames.
 * @param options The flag lines (the run's thresholds) and severity bands.
 * @returns The events, indexed.
 *
 * @example A breach that starts at frame 0 and a regime change
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { decodeFrames } from "./data.ts";
 * import { viewEvents } from "./events.ts";
 *
 * const c = decodeFrames({
 *   length: 3, timestamp: null, spot: [1, 1, 1], iv: [0.2, 0.2, 0.2], hv: [0.2, 0.2, 0.2],
 *   x: [3, 3, 1], y: [1, 1, 1], z: [-0.1, -0.2, 0.5], regime: "221", flags: "110",
 * });
 * const events = viewEvents(c);
 * assertEquals(events.list.map((e) => [e.kind, e.start, e.end]), [["BREACH", 0, 1], ["REGIME", 2, 2]]);
 * assertEquals([...events.starts], [0, 2]);
 * ```
 */
export function viewEvents(c: Columns, options: ViewEventOptions = {}): ViewEvents {
  const detector = new EventDetector({
    lines: options.lines ?? DEFAULT_FLAG_LINES,
    severity: options.severity ?? DEFAULT_SEVERITY,
  });
  detector.pushBlock(c, c.n);
  const list = detector.finish();
  const starts: number[] = [];
  const byFlag: number[][] = [[], [], []];
  list.forEach((e, k) => {
    if (starts.length === 0 || starts[starts.length - 1] !== e.start) starts.push(e.start);
    const f = FLAG_INDEX[e.kind];
    if (f !== undefined) byFlag[f]!.push(k);
  });
  return {
    list,
    starts: Int32Array.from(starts),
    byFlag: [Int32Array.from(byFlag[0]!), Int32Array.from(byFlag[1]!), Int32Array.from(byFlag[2]!)],
  };
}

/**
 * The frame of the next (`dir` > 0) or previous event's start from `frame`, `-1` for none.
 *
 * @param events The run's events.
 * @param frame The current frame.
 * @param dir Direction: positive for the next, otherwise the previous.
 * @returns The frame.
 *
 * @example Walking two events
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { decodeFrames } from "./data.ts";
 * import { nextEventStart, viewEvents } from "./events.ts";
 *
 * const c = decodeFrames({
 *   length: 4, timestamp: null, spot: [1, 1, 1, 1], iv: [1, 1, 1, 1], hv: [1, 1, 1, 1],
 *   x: [1, 3, 3, 1], y: [1, 1, 1, 1], z: [1, -1, 1, 1], regime: "1221", flags: "0100",
 * });
 * const events = viewEvents(c);
 * assertEquals(nextEventStart(events, 0, 1), 1);
 * assertEquals(nextEventStart(events, 1, 1), 3);
 * assertEquals(nextEventStart(events, 3, 1), -1);
 * assertEquals(nextEventStart(events, 3, -1), 1);
 * ```
 */
export function nextEventStart(events: ViewEvents, frame: number, dir: number): number {
  const s = events.starts;
  if (dir > 0) {
    const k = upperBound(s, frame);
    return k < s.length ? s[k]! : -1;
  }
  const k = upperBound(s, frame - 1) - 1;
  return k >= 0 ? s[k]! : -1;
}

const RANK: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2 };

/**
 * The events in force on a frame: the flag episodes that cover it, the most severe first (then
 * BREACH, OVERSPEED, STALL), and a regime change on that very frame last.
 *
 * @param events The run's events.
 * @param frame The frame.
 * @returns The events, possibly none.
 *
 * @example A breach in force, then nothing
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { decodeFrames } from "./data.ts";
 * import { eventsAt, viewEvents } from "./events.ts";
 *
 * const c = decodeFrames({
 *   length: 4, timestamp: null, spot: [1, 1, 1, 1], iv: [1, 1, 1, 1], hv: [1, 1, 1, 1],
 *   x: [1, 1, 1, 1], y: [1, 1, 1, 1], z: [1, -1, -1, 1], regime: "1111", flags: "0110",
 * });
 * const events = viewEvents(c);
 * assertEquals(eventsAt(events, 2).map((e) => [e.kind, e.start, e.end]), [["BREACH", 1, 2]]);
 * assertEquals(eventsAt(events, 3), []);
 * ```
 */
export function eventsAt(events: ViewEvents, frame: number): FlightEvent[] {
  const out: FlightEvent[] = [];
  const { list } = events;
  for (const ids of events.byFlag) {
    // episodes of one flag never overlap: only the last one starting at or before can cover
    let lo = 0, hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[ids[mid]!]!.start <= frame) lo = mid + 1;
      else hi = mid;
    }
    const e = lo > 0 ? list[ids[lo - 1]!]! : undefined;
    if (e && e.end >= frame) out.push(e);
  }
  out.sort((a, b) => RANK[b.severity ?? "low"] - RANK[a.severity ?? "low"]);
  const k = firstAt(list, frame);
  for (let j = k; j < list.length && list[j]!.start === frame; j++) {
    if (list[j]!.kind === "REGIME") out.push(list[j]!);
  }
  return out;
}

/** The first index of `list` whose event starts at or after `frame`. */
export function firstAt(list: readonly FlightEvent[], frame: number): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.start < frame) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Significant digits of an event's peak in the text the view shows. */
const PEAK_DIGITS = 4;

/**
 * One line of text for an event: kind, band, where it is and its peak.
 *
 * @param e The event.
 * @param at The text of a frame's time (a step, or a date when the frames carry dates).
 * @returns Such as `BREACH high · 57–63 (7 frames) · peak Z -0.42`.
 *
 * @example A regime change and a breach
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { eventText } from "./events.ts";
 *
 * const at = (i: number) => String(i);
 * assertEquals(eventText({ kind: "REGIME", start: 4, end: 4, duration: 1, peak: 3, peakIndex: 4, severity: null, open: false, regime: "MANEUVER", from: "CRUISE" }, at), "REGIME CRUISE → MANEUVER · 4");
 * assertEquals(eventText({ kind: "BREACH", start: 5, end: 7, duration: 3, peak: -0.42, peakIndex: 6, severity: "high", open: true }, at), "BREACH high · 5–7 (3 frames, open) · peak Z -0.42");
 * ```
 */
export function eventText(e: FlightEvent, at: (frame: number) => string): string {
  if (e.kind === "REGIME") return `REGIME ${e.from} → ${e.regime} · ${at(e.start)}`;
  const axis = e.kind === "BREACH" ? "Z" : e.kind === "OVERSPEED" ? "X" : "Y";
  const span = e.duration === 1 ? at(e.start) : `${at(e.start)}–${at(e.end)}`;
  const frames = `${e.duration} frame${e.duration === 1 ? "" : "s"}${e.open ? ", open" : ""}`;
  return `${e.kind} ${e.severity} · ${span} (${frames}) · peak ${axis} ${
    Number(e.peak.toPrecision(PEAK_DIGITS))
  }`;
}
