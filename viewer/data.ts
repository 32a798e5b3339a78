/**
 * The data a flight-view page carries: the shape the `html` renderer embeds and the viewer
 * decodes, shared by both sides so that they cannot drift apart. Free of DOM and Deno APIs.
 *
 * @module
 */
import { FLAGS, type Frame, REGIMES } from "../core/frame.ts";
import type { EnvelopeLevels } from "../plugins/envelope.ts";

/** The `format` of the embedded data block, for readers other than the viewer. */
export const VIEW_FORMAT = "option-flight-view/1";

/**
 * The levels that may move during a run (SPEC §7), in the order a frame carries them after
 * `flags` (SPEC §2): the envelope's `movingLevels`.
 */
export const MOVING_LEVELS = ["atr", "flip", "putWall", "callWall"] as const;
/** A level that may move: `atr`, `flip`, `putWall` or `callWall`. */
export type MovingLevel = typeof MOVING_LEVELS[number];

/**
 * The levels in force on each frame, as embedded: for each level some frame carries, one entry
 * per frame, `null` where that frame carries none. Levels no frame carries are left out.
 */
export type EmbeddedLevels = Partial<Record<MovingLevel, (number | null)[]>>;

/**
 * The levels in force on each frame, as columns: for each level some frame carries, its value
 * per frame, `NaN` where that frame carries none.
 */
export type LevelColumns = Partial<Record<MovingLevel, Float64Array>>;

/**
 * The frames as embedded in the page: one array per number field, and the regimes and flag
 * masks as strings of digits (one character per frame), which keeps long runs compact.
 */
export interface EmbeddedFrames {
  /** Number of frames. */
  length: number;
  /** Each frame's timestamp, or `null` when every timestamp is its step index. */
  timestamp: (number | string)[] | null;
  /** Spot per frame. */
  spot: number[];
  /** IV per frame. */
  iv: number[];
  /** HV per frame. */
  hv: number[];
  /** X per frame. */
  x: number[];
  /** Y per frame. */
  y: number[];
  /** Z per frame. */
  z: number[];
  /** Regime codes (indexes into `REGIMES`), one digit per frame. */
  regime: string;
  /** Flag masks (bit `1 << i` is `FLAGS[i]`), one digit per frame. */
  flags: string;
  /**
   * The levels in force on each frame, when the frames carry them (levels that move, SPEC
   * §7); absent when no frame carries any, as for every run with static levels.
   */
  levels?: EmbeddedLevels;
}

/** The JSON block `<script type="application/json" id="flight-data">` of a page. */
export interface EmbeddedView {
  /** Always {@linkcode VIEW_FORMAT}. */
  format: typeof VIEW_FORMAT;
  /** Page title and heading. */
  title: string;
  /** The scenario's name. */
  name: string;
  /** The scenario's seed. */
  seed: number;
  /** The Monte Carlo run index, 0 for a single run. */
  run: number;
  /** The envelope's levels, or `null` when the evaluator publishes none. */
  levels: EnvelopeLevels | null;
  /** Frames per second at 1x playback. */
  fps: number;
  /** Most trail points drawn. */
  maxTrailPoints: number;
  /**
   * The run's frame count, when the page embeds fewer (a long run, decimated): opening the
   * run's JSONL log shows every frame. Absent when every frame is embedded.
   */
  totalFrames?: number;
  /** The frames. */
  frames: EmbeddedFrames;
}

/** A run's frames as typed columns, the form every part of the viewer reads. */
export interface Columns {
  /** Number of frames. */
  n: number;
  /** Each frame's timestamp, or `null` when every timestamp is its step index. */
  timestamp: readonly (number | string)[] | null;
  /** Spot per frame. */
  spot: Float64Array;
  /** IV per frame. */
  iv: Float64Array;
  /** HV per frame. */
  hv: Float64Array;
  /** X per frame. */
  x: Float64Array;
  /** Y per frame. */
  y: Float64Array;
  /** Z per frame. */
  z: Float64Array;
  /** Regime code per frame: an index into `REGIMES`. */
  regime: Uint8Array;
  /** Flag mask per frame: bit `1 << i` is `FLAGS[i]`. */
  flags: Uint8Array;
  /** The levels in force on each frame, `null` when no frame carries any (static levels). */
  levels: LevelColumns | null;
}

/** A frame's own value of a level, when it carries one as a finite number. */
function carried(frame: Frame, name: MovingLevel): number | undefined {
  const v = (frame as unknown as Record<string, unknown>)[name];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/**
 * The levels the frames carry, one column per level, as the page embeds them; `undefined` when
 * no frame carries any, so that a run with static levels embeds exactly what it did before.
 *
 * @param frames The run's frames; when levels move, each carries `atr`, `flip`, `putWall` and
 *   `callWall` after `flags` (SPEC §2).
 * @returns The columns, `null` where a frame carries no such level, or `undefined`.
 *
 * @example Moving levels, and static ones
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { embeddedLevels } from "./data.ts";
 *
 * const frame = { timestamp: "2022-12-12", spot: 3990, iv: 0.22, hv: 0.2, x: 0.5, y: 1.1, z: 0.8, regime: "CRUISE" as const, flags: [] };
 * const moving = [{ ...frame, atr: 62, flip: 3960, putWall: 3900, callWall: 4100 }, { ...frame, atr: 61, flip: 3970, putWall: 3900, callWall: 4050 }];
 * assertEquals(embeddedLevels(moving), { atr: [62, 61], flip: [3960, 3970], putWall: [3900, 3900], callWall: [4100, 4050] });
 * assertEquals(embeddedLevels([frame]), undefined);
 * ```
 */
export function embeddedLevels(frames: readonly Frame[]): EmbeddedLevels | undefined {
  const n = frames.length;
  const out: EmbeddedLevels = {};
  let any = false;
  for (const name of MOVING_LEVELS) {
    let column: (number | null)[] | undefined;
    for (let i = 0; i < n; i++) {
      const v = carried(frames[i]!, name);
      if (v === undefined) continue;
      column ??= new Array<number | null>(n).fill(null);
      column[i] = v;
    }
    if (column) {
      out[name] = column;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** Embedded level columns as typed columns; entries that are not finite numbers are `NaN`. */
function decodeLevels(levels: unknown, n: number): LevelColumns | null {
  if (typeof levels !== "object" || levels === null) return null;
  const out: LevelColumns = {};
  let any = false;
  for (const name of MOVING_LEVELS) {
    const column = (levels as Record<string, unknown>)[name];
    if (!Array.isArray(column)) continue;
    const values = new Float64Array(n).fill(NaN);
    for (let i = 0; i < n && i < column.length; i++) {
      const v: unknown = column[i];
      if (typeof v === "number" && Number.isFinite(v)) values[i] = v;
    }
    out[name] = values;
    any = true;
  }
  return any ? out : null;
}

/**
 * Decodes the embedded frames into columns.
 *
 * @param frames The `frames` of an {@linkcode EmbeddedView}.
 * @returns The same frames as typed columns.
 *
 * @example Regimes and flags come back as codes
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { decodeFrames } from "./data.ts";
 *
 * const columns = decodeFrames({
 *   length: 2, timestamp: null, spot: [694, 701], iv: [0.15, 0.2], hv: [0.12, 0.12],
 *   x: [0.5, 3.04], y: [1.25, 1.67], z: [0.8, -0.13], regime: "12", flags: "01",
 * });
 * assertEquals([...columns.regime], [1, 2]);
 * assertEquals([...columns.flags], [0, 1]);
 * ```
 */
export function decodeFrames(frames: EmbeddedFrames): Columns {
  const n = frames.length;
  const regime = new Uint8Array(n);
  const flags = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    regime[i] = frames.regime.charCodeAt(i) - 48;
    flags[i] = frames.flags.charCodeAt(i) - 48;
  }
  return {
    n,
    timestamp: frames.timestamp,
    spot: Float64Array.from(frames.spot),
    iv: Float64Array.from(frames.iv),
    hv: Float64Array.from(frames.hv),
    x: Float64Array.from(frames.x),
    y: Float64Array.from(frames.y),
    z: Float64Array.from(frames.z),
    regime,
    flags,
    levels: decodeLevels(frames.levels, n),
  };
}

/**
 * Puts frames, such as those read from a JSONL log, into columns.
 *
 * @param frames Frames whose regimes and flags are known names (as `parseJsonl` returns them).
 * @returns The frames as typed columns; `timestamp` is `null` when each is its step index.
 *
 * @example Step timestamps are not stored
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { columnsOf } from "./data.ts";
 *
 * const frame = { timestamp: 0, spot: 694, iv: 0.15, hv: 0.12, x: 0.5, y: 1.25, z: 0.8, regime: "CRUISE" as const, flags: ["STALL" as const] };
 * const columns = columnsOf([frame]);
 * assertEquals(columns.timestamp, null);
 * assertEquals([...columns.flags], [4]);
 * ```
 */
export function columnsOf(frames: readonly Frame[]): Columns {
  const n = frames.length;
  const timestamp = new Array<number | string>(n);
  const spot = new Float64Array(n);
  const iv = new Float64Array(n);
  const hv = new Float64Array(n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  const regime = new Uint8Array(n);
  const flags = new Uint8Array(n);
  let levels: LevelColumns | null = null;
  let steps = true;
  for (let i = 0; i < n; i++) {
    const frame = frames[i]!;
    if (frame.timestamp !== i) steps = false;
    timestamp[i] = frame.timestamp;
    spot[i] = frame.spot;
    iv[i] = frame.iv;
    hv[i] = frame.hv;
    x[i] = frame.x;
    y[i] = frame.y;
    z[i] = frame.z;
    regime[i] = REGIMES.indexOf(frame.regime);
    let mask = 0;
    for (const flag of frame.flags) mask |= 1 << FLAGS.indexOf(flag);
    flags[i] = mask;
    for (const name of MOVING_LEVELS) {
      const v = carried(frame, name);
      if (v === undefined) continue;
      levels ??= {};
      (levels[name] ??= new Float64Array(n).fill(NaN))[i] = v;
    }
  }
  return { n, timestamp: steps ? null : timestamp, spot, iv, hv, x, y, z, regime, flags, levels };
}

/**
 * The levels in force on a frame: its own where it carries them (levels that move, SPEC §7),
 * else the run's static ones, else `undefined` (unknown).
 *
 * @param c The frames.
 * @param i The frame's index.
 * @param fallback The run's static levels, `null` when unknown.
 * @returns Each level's value on that frame.
 *
 * @example A frame's own levels win
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { columnsOf, levelsAt } from "./data.ts";
 *
 * const frame = { timestamp: 0, spot: 694, iv: 0.15, hv: 0.12, x: 0.5, y: 1.25, z: 0.8, regime: "CRUISE" as const, flags: [] };
 * const moved = { ...frame, flip: 693 }; // a frame that carries only its flip
 * const c = columnsOf([moved]);
 * assertEquals(levelsAt(c, 0, { atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 }), { atr: 2.8, flip: 693, putWall: 680, callWall: 700 });
 * assertEquals(levelsAt(c, 0, null), { atr: undefined, flip: 693, putWall: undefined, callWall: undefined });
 * ```
 */
export function levelsAt(
  c: Columns,
  i: number,
  fallback: Readonly<Record<MovingLevel, number>> | null,
): Record<MovingLevel, number | undefined> {
  const out = {} as Record<MovingLevel, number | undefined>;
  for (const name of MOVING_LEVELS) {
    const own = c.levels?.[name]?.[i];
    out[name] = own !== undefined && !Number.isNaN(own)
      ? own
      : fallback
      ? fallback[name]
      : undefined;
  }
  return out;
}

/**
 * Whether the frames carry dates: every timestamp an ISO 8601 string (SPEC §2), as a replay
 * of real days gives, rather than step indexes or other numbers.
 *
 * @param c The frames.
 * @returns `true` for a run with frames whose timestamps are all strings.
 *
 * @example Days, and steps
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { columnsOf, hasDates } from "./data.ts";
 *
 * const frame = { timestamp: 0, spot: 694, iv: 0.15, hv: 0.12, x: 0.5, y: 1.25, z: 0.8, regime: "CRUISE" as const, flags: [] };
 * assertEquals(hasDates(columnsOf([{ ...frame, timestamp: "2020-02-03" }])), true);
 * assertEquals(hasDates(columnsOf([frame])), false);
 * ```
 */
export function hasDates(c: Columns): boolean {
  const t = c.timestamp;
  if (!t || c.n === 0) return false;
  for (let i = 0; i < c.n; i++) if (typeof t[i] !== "string") return false;
  return true;
}
