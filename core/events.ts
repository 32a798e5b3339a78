/**
 * Flight events: the episodes of a run's flags and its regime changes, each with its start,
 * end, peak and severity band, what a reviewer jumps between.
 *
 * An episode of a flag is a maximal stretch of consecutive frames carrying it; one that starts
 * at frame 0, or is still open at the last frame, is an episode like any other (`open: true` in
 * the second case). A REGIME event is a frame whose regime differs from the previous frame's
 * (the first frame is not one). Events are ordered by `start`, then by kind in the order
 * BREACH, OVERSPEED, STALL, REGIME.
 *
 * Pure TypeScript without Deno APIs: the browser views use it too.
 *
 * @module
 */
import { BREACH, type Frame, OVERSPEED, type Regime, REGIMES, STALL } from "./frame.ts";

/** The kinds of event, in the order events of one start are listed. */
export const EVENT_KINDS = ["BREACH", "OVERSPEED", "STALL", "REGIME"] as const;
/** A kind of event: an episode of a flag, or a regime change. */
export type EventKind = typeof EVENT_KINDS[number];
/** The kinds of event that are episodes of a flag, and so have a severity. */
export type FlagEventKind = Exclude<EventKind, "REGIME">;

/** Severity bands, mildest first. */
export const SEVERITIES = ["low", "medium", "high"] as const;
/** A severity band. */
export type Severity = typeof SEVERITIES[number];

/** One event of a run. */
export interface FlightEvent {
  /** What happened. */
  readonly kind: EventKind;
  /** Index of the episode's first frame (0-based); for REGIME, the frame of the change. */
  readonly start: number;
  /** Index of its last frame, inclusive; for REGIME, the frame of the change. */
  readonly end: number;
  /** `end - start + 1`, frames. */
  readonly duration: number;
  /**
   * BREACH: the most negative Z; OVERSPEED: the largest X; STALL: the smallest Y; REGIME: the
   * X at the change.
   */
  readonly peak: number;
  /** Frame index of the peak: the first frame that reaches it. */
  readonly peakIndex: number;
  /** The band of the episode's depth and duration; `null` for REGIME. */
  readonly severity: Severity | null;
  /** Whether the episode is still in force at the last frame; always false for REGIME. */
  readonly open: boolean;
  /** REGIME: the regime entered. */
  readonly regime?: Regime;
  /** REGIME: the regime left. */
  readonly from?: Regime;
}

/** Where the medium or the high band of one flag starts: whichever of the two is reached. */
export interface SeverityLimit {
  /** Depth at or beyond which the band starts, in the flag's own units (see {@linkcode eventDepth}). */
  readonly depth: number;
  /** Duration at or beyond which the band starts, frames. */
  readonly duration: number;
}

/** The medium and high limits of one flag; below both medium limits an episode is low. */
export interface SeverityBands {
  /** Start of the medium band. */
  readonly medium: SeverityLimit;
  /** Start of the high band. */
  readonly high: SeverityLimit;
}

/** Severity bands for each flag, on depth and on duration. */
export interface SeverityThresholds {
  /** BREACH: depth is `-peak z`, the distance beyond the wall in flip-to-wall spans. */
  readonly breach: SeverityBands;
  /** OVERSPEED: depth is `peak x - overspeedX`, ATRs past the overspeed line. */
  readonly overspeed: SeverityBands;
  /** STALL: depth is `stallY - peak y`, load factor under the stall line. */
  readonly stall: SeverityBands;
}

/**
 * Default severity bands.
 *
 * - BREACH medium at a quarter of the flip-to-wall span beyond the wall (past a wall's usual
 *   overshoot) or 3 frames (more than a poke); high at a whole span beyond (as far out as the
 *   flip is in) or 10 frames (the wall has stopped holding).
 * - OVERSPEED medium at 0.5 ATR past the line or 3 frames; high at 1 ATR past it, where RUPTURE
 *   starts with the default thresholds, or 10 frames.
 * - STALL medium at 0.1 under the line or 5 frames; high at 0.2 under it (IV at 60% of HV with
 *   the default line) or 20 frames: the IV/HV ratio moves slowly, so stalls last longer.
 */
export const DEFAULT_SEVERITY: SeverityThresholds = Object.freeze({
  breach: Object.freeze({
    medium: Object.freeze({ depth: 0.25, duration: 3 }),
    high: Object.freeze({ depth: 1, duration: 10 }),
  }),
  overspeed: Object.freeze({
    medium: Object.freeze({ depth: 0.5, duration: 3 }),
    high: Object.freeze({ depth: 1, duration: 10 }),
  }),
  stall: Object.freeze({
    medium: Object.freeze({ depth: 0.1, duration: 5 }),
    high: Object.freeze({ depth: 0.2, duration: 20 }),
  }),
});

/** The flag lines an episode's depth is measured from: the envelope's thresholds will do. */
export interface FlagLines {
  /** OVERSPEED above this X. */
  readonly overspeedX: number;
  /** STALL below this Y. */
  readonly stallY: number;
}

/** The SPEC §1 defaults of the flag lines. */
export const DEFAULT_FLAG_LINES: FlagLines = Object.freeze({ overspeedX: 3.5, stallY: 0.8 });

const BANDS_KEY = { BREACH: "breach", OVERSPEED: "overspeed", STALL: "stall" } as const;

/**
 * How deep an episode went, in its flag's units: BREACH `-peak` (Z), OVERSPEED
 * `peak - overspeedX` (X), STALL `stallY - peak` (Y).
 *
 * @param kind The flag.
 * @param peak The episode's peak.
 * @param lines The flag lines.
 * @returns The depth, positive beyond the line.
 *
 * @example A breach a tenth of a span beyond the wall
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_FLAG_LINES, eventDepth } from "./events.ts";
 *
 * assertEquals(eventDepth("BREACH", -0.1, DEFAULT_FLAG_LINES), 0.1);
 * ```
 */
export function eventDepth(kind: FlagEventKind, peak: number, lines: FlagLines): number {
  return kind === "BREACH"
    ? -peak
    : kind === "OVERSPEED"
    ? peak - lines.overspeedX
    : lines.stallY - peak;
}

/**
 * The severity band of an episode: the higher of its depth's band and its duration's band. A
 * band starts at its limit: a depth or duration equal to the medium limit is medium.
 *
 * @param kind The flag.
 * @param peak The episode's peak (see {@linkcode FlightEvent.peak}).
 * @param duration The episode's length, frames.
 * @param thresholds The severity bands.
 * @param envelopeThresholds The flag lines depth is measured from.
 * @returns `low`, `medium` or `high`.
 *
 * @example Short but deep is high
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_FLAG_LINES, DEFAULT_SEVERITY, severityOf } from "./events.ts";
 *
 * assertEquals(severityOf("BREACH", -1.2, 1, DEFAULT_SEVERITY, DEFAULT_FLAG_LINES), "high");
 * assertEquals(severityOf("BREACH", -0.1, 2, DEFAULT_SEVERITY, DEFAULT_FLAG_LINES), "low");
 * ```
 */
export function severityOf(
  kind: FlagEventKind,
  peak: number,
  duration: number,
  thresholds: SeverityThresholds,
  envelopeThresholds: FlagLines,
): Severity {
  const { medium, high } = thresholds[BANDS_KEY[kind]];
  const depth = eventDepth(kind, peak, envelopeThresholds);
  if (depth >= high.depth || duration >= high.duration) return "high";
  if (depth >= medium.depth || duration >= medium.duration) return "medium";
  return "low";
}

/** Options of {@linkcode EventDetector} and {@linkcode detectEvents}. */
export interface EventOptions {
  /** Severity bands. @default {DEFAULT_SEVERITY} */
  readonly severity?: SeverityThresholds;
  /** The flag lines depth is measured from. @default {DEFAULT_FLAG_LINES} */
  readonly lines?: FlagLines;
}

/**
 * What events are measured with under an evaluator's levels: the severity bands and flag lines
 * the envelope publishes (`thresholds.overspeedX`, `thresholds.stallY`, `severity`), or the
 * defaults for levels without them. Read by shape, so any evaluator publishing the same fields
 * gets the same events.
 *
 * @param levels What the scenario's evaluator published, if anything.
 * @returns The options for {@linkcode EventDetector} and {@linkcode detectEvents}.
 *
 * @example A stall line moved up
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { eventOptionsOf } from "./events.ts";
 *
 * const levels = { atr: 2.8, flip: 692.5, thresholds: { overspeedX: 3.5, stallY: 0.9 } };
 * assertEquals(eventOptionsOf(levels).lines?.stallY, 0.9);
 * ```
 */
export function eventOptionsOf(levels: unknown): EventOptions {
  const thresholds = (levels as { thresholds?: Partial<FlagLines> } | undefined)?.thresholds;
  const overspeedX = thresholds?.overspeedX, stallY = thresholds?.stallY;
  if (!(typeof overspeedX === "number" && typeof stallY === "number")) return {};
  const severity = (levels as { severity?: SeverityThresholds }).severity;
  return { severity: severity ?? DEFAULT_SEVERITY, lines: { overspeedX, stallY } };
}

/** The flags episodes are found for, in event order, with their bit and their peak's sense. */
const EPISODES = [
  { kind: "BREACH", bit: BREACH, lowest: true },
  { kind: "OVERSPEED", bit: OVERSPEED, lowest: false },
  { kind: "STALL", bit: STALL, lowest: true },
] as const;

const KIND_ORDER: Record<EventKind, number> = { BREACH: 0, OVERSPEED: 1, STALL: 2, REGIME: 3 };

/** An episode being followed: its first frame and its peak so far. */
interface OpenEpisode {
  start: number;
  peak: number;
  peakIndex: number;
}

/** The columns {@linkcode EventDetector.pushBlock} reads: an evaluation block will do. */
export interface EventColumns {
  /** Structural airspeed per frame. */
  readonly x: ArrayLike<number>;
  /** Load factor per frame. */
  readonly y: ArrayLike<number>;
  /** Wall proximity per frame. */
  readonly z: ArrayLike<number>;
  /** Regime code per frame, an index into `REGIMES`. */
  readonly regime: ArrayLike<number>;
  /** Flag mask per frame. */
  readonly flags: ArrayLike<number>;
}

/**
 * Finds events while a run streams: feed frames in order, one at a time or a block of columns
 * at a time, and take the events at {@linkcode EventDetector.finish}.
 *
 * @example A breach from frame 1 to 2, then a regime change
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { EventDetector } from "./events.ts";
 *
 * const detector = new EventDetector();
 * detector.push(0.5, 1, 0.5, "CRUISE", 0);
 * detector.push(3, 1, -0.1, "MANEUVER", 1);
 * detector.push(3, 1, -0.2, "MANEUVER", 1);
 * detector.push(1, 1, 0.5, "CRUISE", 0);
 * const events = detector.finish();
 * assertEquals(events.map((e) => [e.kind, e.start, e.end]), [["BREACH", 1, 2], ["REGIME", 1, 1], ["REGIME", 3, 3]]);
 * ```
 */
export class EventDetector {
  readonly #severity: SeverityThresholds;
  readonly #lines: FlagLines;
  readonly #open: (OpenEpisode | undefined)[] = [undefined, undefined, undefined];
  readonly #events: FlightEvent[] = [];
  #index = 0;
  #regime = -1;
  #done = false;

  /**
   * Starts a detector.
   *
   * @param options Severity bands and flag lines.
   */
  constructor(options: EventOptions = {}) {
    this.#severity = options.severity ?? DEFAULT_SEVERITY;
    this.#lines = options.lines ?? DEFAULT_FLAG_LINES;
  }

  /** Number of frames pushed so far. */
  get length(): number {
    return this.#index;
  }

  /**
   * Feeds the next frame.
   *
   * @param x Structural airspeed.
   * @param y Load factor.
   * @param z Wall proximity.
   * @param regime The regime, by name or by its code (an index into `REGIMES`).
   * @param flagsMask The flag mask: BREACH 1, OVERSPEED 2, STALL 4.
   */
  push(x: number, y: number, z: number, regime: Regime | number, flagsMask: number): void {
    if (this.#done) throw new Error("EventDetector: push() after finish()");
    const code = typeof regime === "number" ? regime : REGIMES.indexOf(regime);
    if (!(code >= 0 && code < REGIMES.length)) {
      throw new Error(
        `EventDetector: unknown regime ${JSON.stringify(regime)} at frame ${this.#index}`,
      );
    }
    const i = this.#index++;
    if (this.#regime >= 0 && code !== this.#regime) {
      this.#events.push({
        kind: "REGIME",
        start: i,
        end: i,
        duration: 1,
        peak: x,
        peakIndex: i,
        severity: null,
        open: false,
        regime: REGIMES[code]!,
        from: REGIMES[this.#regime]!,
      });
    }
    this.#regime = code;
    if (
      flagsMask === 0 && this.#open[0] === undefined && this.#open[1] === undefined &&
      this.#open[2] === undefined
    ) return;
    const values = [z, x, y];
    for (let f = 0; f < EPISODES.length; f++) {
      const { bit, lowest } = EPISODES[f]!;
      const episode = this.#open[f];
      const value = values[f]!;
      if ((flagsMask & bit) !== 0) {
        if (episode === undefined) this.#open[f] = { start: i, peak: value, peakIndex: i };
        else if (lowest ? value < episode.peak : value > episode.peak) {
          episode.peak = value;
          episode.peakIndex = i;
        }
      } else if (episode !== undefined) {
        this.#close(f, i - 1, false);
      }
    }
  }

  /**
   * Feeds the first `length` frames of a block of columns, as {@linkcode push} one by one.
   *
   * @param columns X, Y, Z, regime codes and flag masks, such as an evaluation block.
   * @param length Number of live entries.
   */
  pushBlock(columns: EventColumns, length: number): void {
    const { x, y, z, regime, flags } = columns;
    let i = 0;
    while (i < length) {
      // Fast path: frames with no flag, no open episode and the previous frame's regime.
      const idle = this.#open[0] === undefined && this.#open[1] === undefined &&
        this.#open[2] === undefined && !this.#done;
      const previous = this.#regime;
      if (idle && previous >= 0) {
        const start = i;
        while (i < length && flags[i] === 0 && regime[i] === previous) i++;
        this.#index += i - start;
        if (i === length) break;
      }
      this.push(x[i]!, y[i]!, z[i]!, regime[i]!, flags[i]!);
      i++;
    }
  }

  /**
   * Closes the episodes still open at the last frame and returns every event, in order.
   *
   * @returns The events, by start, then BREACH, OVERSPEED, STALL, REGIME.
   */
  finish(): FlightEvent[] {
    if (!this.#done) {
      this.#done = true;
      for (let f = 0; f < EPISODES.length; f++) {
        if (this.#open[f] !== undefined) this.#close(f, this.#index - 1, true);
      }
      this.#events.sort((a, b) => a.start - b.start || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
    }
    return this.#events.slice();
  }

  #close(f: number, end: number, open: boolean): void {
    const { start, peak, peakIndex } = this.#open[f]!;
    const kind = EPISODES[f]!.kind;
    const duration = end - start + 1;
    const severity = severityOf(kind, peak, duration, this.#severity, this.#lines);
    this.#events.push({ kind, start, end, duration, peak, peakIndex, severity, open });
    this.#open[f] = undefined;
  }
}

/**
 * The events of a run's frames.
 *
 * @param frames The frames, in order.
 * @param options Severity bands and flag lines.
 * @returns The events, by start, then BREACH, OVERSPEED, STALL, REGIME.
 *
 * @example A breach still open at the last frame
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { detectEvents } from "./events.ts";
 *
 * const frame = { timestamp: 0, spot: 1, iv: 0.2, hv: 0.2, x: 3, y: 1, regime: "MANEUVER", flags: [] } as const;
 * const events = detectEvents([{ ...frame, z: 0.1 }, { ...frame, z: -0.3, flags: ["BREACH"] }]);
 * assertEquals(events.map((e) => [e.kind, e.start, e.end, e.open, e.severity]), [["BREACH", 1, 1, true, "medium"]]);
 * ```
 */
export function detectEvents(frames: readonly Frame[], options?: EventOptions): FlightEvent[] {
  const detector = new EventDetector(options);
  for (const frame of frames) {
    let mask = 0;
    for (const flag of frame.flags) {
      mask |= flag === "BREACH"
        ? BREACH
        : flag === "OVERSPEED"
        ? OVERSPEED
        : flag === "STALL"
        ? STALL
        : 0;
    }
    detector.push(frame.x, frame.y, frame.z, frame.regime, mask);
  }
  return detector.finish();
}

/** Events counted by kind, and flag episodes by kind and band. */
export interface EventCounts {
  /** Number of events of each kind. */
  readonly byKind: Readonly<Record<EventKind, number>>;
  /** Number of episodes of each flag in each band. */
  readonly byBand: Readonly<Record<FlagEventKind, Readonly<Record<Severity, number>>>>;
}

/**
 * Counts events by kind, and flag episodes by kind and band.
 *
 * @param events The events.
 * @returns The counts, every kind and band present (zero when none).
 *
 * @example Two breaches
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { countEvents, type FlightEvent } from "./events.ts";
 *
 * const breach = { kind: "BREACH", start: 0, end: 0, duration: 1, peak: -0.1, peakIndex: 0, severity: "low", open: false } as const;
 * const counts = countEvents([breach, { ...breach, start: 5, end: 5, peakIndex: 5, severity: "high" }] as FlightEvent[]);
 * assertEquals([counts.byKind.BREACH, counts.byBand.BREACH.high], [2, 1]);
 * ```
 */
export function countEvents(events: readonly FlightEvent[]): EventCounts {
  const band = () => ({ low: 0, medium: 0, high: 0 });
  const byKind = { BREACH: 0, OVERSPEED: 0, STALL: 0, REGIME: 0 };
  const byBand = { BREACH: band(), OVERSPEED: band(), STALL: band() };
  for (const event of events) {
    byKind[event.kind]++;
    if (event.kind !== "REGIME" && event.severity) byBand[event.kind][event.severity]++;
  }
  return { byKind, byBand };
}

const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };

/**
 * The worst flag episodes: highest band first, then the deepest relative to the band's high
 * depth limit (so kinds of different units compare), then the longest, then the earliest.
 *
 * @param events The events; REGIME events are left out.
 * @param count How many to return.
 * @param options Severity bands and flag lines, as the events were detected with.
 * @returns Up to `count` episodes, worst first.
 *
 * @example A high stall beats a low breach
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { type FlightEvent, worstEvents } from "./events.ts";
 *
 * const breach = { kind: "BREACH", start: 0, end: 0, duration: 1, peak: -0.1, peakIndex: 0, severity: "low", open: false } as const;
 * const stall = { ...breach, kind: "STALL", peak: 0.5, severity: "high" } as const;
 * assertEquals(worstEvents([breach, stall] as FlightEvent[], 1).map((e) => e.kind), ["STALL"]);
 * ```
 */
export function worstEvents(
  events: readonly FlightEvent[],
  count: number,
  options: EventOptions = {},
): FlightEvent[] {
  const severity = options.severity ?? DEFAULT_SEVERITY;
  const lines = options.lines ?? DEFAULT_FLAG_LINES;
  const scored = events.filter((e) => e.kind !== "REGIME").map((event) => {
    const kind = event.kind as FlagEventKind;
    const depth = eventDepth(kind, event.peak, lines) / severity[BANDS_KEY[kind]].high.depth;
    return { event, rank: SEVERITY_RANK[event.severity ?? "low"], depth };
  });
  scored.sort((a, b) =>
    b.rank - a.rank || b.depth - a.depth || b.event.duration - a.event.duration ||
    a.event.start - b.event.start || KIND_ORDER[a.event.kind] - KIND_ORDER[b.event.kind]
  );
  return scored.slice(0, Math.max(0, count)).map((s) => s.event);
}
