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
  }
  return { n, timestamp: steps ? null : timestamp, spot, iv, hv, x, y, z, regime, flags };
}
