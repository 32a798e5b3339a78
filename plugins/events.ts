/**
 * The `events` sink: a run's events, `<name>.events.jsonl`, one event a line in the order of
 * `core/events.ts` (by start, then BREACH, OVERSPEED, STALL, REGIME), each with the timestamps
 * of its first and last frames (the step, or the frame's ISO date for dated frames) beside
 * their indices. Severity follows the envelope's `severity` bands and its flag lines.
 *
 * ```jsonc
 * "sinks": [{ "use": "jsonl" }, { "use": "events" }]
 * ```
 *
 * @module
 */
import { EventDetector, eventOptionsOf, type FlightEvent } from "../core/events.ts";
import { BREACH, type Frame, OVERSPEED, STALL } from "../core/frame.ts";
import { boolean } from "../core/options.ts";
import { defineSink, type SinkDefinition } from "../core/plugin.ts";

/** Options of the `events` sink. */
export interface EventsOptions {
  /** Whether regime changes are written too, not only the flags' episodes. @default {true} */
  readonly regimes: boolean;
}

/** What {@linkcode formatEvents} needs beside the events. */
export interface FormatEventsOptions {
  /** The frames' ISO times, by index, for dated frames; absent, a frame's timestamp is its step. */
  readonly time?: readonly string[];
}

/**
 * Formats events as JSONL: one line each, with `startTimestamp` and `endTimestamp` after `end`.
 *
 * @param events The events, in order.
 * @param options The frames' times, when dated.
 * @returns The text, with a final newline after each line (empty for no events).
 *
 * @example A breach of frames 3 to 4
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatEvents } from "./events.ts";
 *
 * const breach = { kind: "BREACH", start: 3, end: 4, duration: 2, peak: -0.1, peakIndex: 4, severity: "low", open: false } as const;
 * assertEquals(
 *   formatEvents([breach]),
 *   '{"kind":"BREACH","start":3,"end":4,"startTimestamp":3,"endTimestamp":4,"duration":2,"peak":-0.1,"peakIndex":4,"severity":"low","open":false}\n',
 * );
 * ```
 */
export function formatEvents(
  events: readonly FlightEvent[],
  options: FormatEventsOptions = {},
): string {
  const { time } = options;
  const stamp = (i: number) => time?.[i] ?? i;
  let text = "";
  for (const e of events) {
    const line = {
      kind: e.kind,
      start: e.start,
      end: e.end,
      startTimestamp: stamp(e.start),
      endTimestamp: stamp(e.end),
      duration: e.duration,
      peak: e.peak,
      peakIndex: e.peakIndex,
      severity: e.severity,
      open: e.open,
      ...(e.kind === "REGIME" ? { from: e.from, regime: e.regime } : {}),
    };
    text += JSON.stringify(line) + "\n";
  }
  return text;
}

/** The flag mask of a frame's flags. */
function maskOf(frame: Frame): number {
  let mask = 0;
  for (const flag of frame.flags) {
    mask |= flag === "BREACH" ? BREACH : flag === "OVERSPEED" ? OVERSPEED : STALL;
  }
  return mask;
}

/** Writes a run's events to `<name>.events.jsonl` when the run is complete. */
const events: SinkDefinition<EventsOptions> = defineSink({
  name: "events",
  extension: "events.jsonl",
  options: {
    regimes: boolean({ doc: "Write regime changes too, not only flag episodes", default: true }),
  },
  start(context) {
    const detector = new EventDetector(eventOptionsOf(context.levels));
    const time: string[] = [];
    return {
      write(frames) {
        for (const frame of frames) {
          if (typeof frame.timestamp === "string") time.push(frame.timestamp);
          detector.push(frame.x, frame.y, frame.z, frame.regime, maskOf(frame));
        }
      },
      writeBlock({ samples, evaluation }) {
        const n = samples.length;
        for (let i = 0; i < n && samples.time.length > 0; i++) time.push(samples.time[i]!);
        detector.pushBlock(evaluation, n);
      },
      close() {
        const all = detector.finish();
        const kept = context.options.regimes ? all : all.filter((e) => e.kind !== "REGIME");
        return context.output.write(formatEvents(kept, time.length > 0 ? { time } : {}));
      },
    };
  },
});
export default events;
