/**
 * The run the view flies: the frames' columns with their axis domains, scene coordinates, the
 * decimated trail, flag onsets and events. Pure functions of the frames, free of DOM APIs.
 *
 * @module
 */
import type { EnvelopeLevels, Thresholds } from "../plugins/envelope.ts";
import { type AxisScale, axisShare, domain, envelopeAxis, linearAxis } from "./axes.ts";
import { type Columns, hasDates } from "./data.ts";
import { thresholdsFor, type ViewThresholds } from "./rules.ts";

export { type AxisScale, domain, niceStep, type Tick, ticks } from "./axes.ts";

/** The scene box, in world units: X across, Y up, Z in depth. */
export const BOX = { w: 2.7, h: 1.45, d: 1.9 } as const;
/** Most flag markers drawn per flag; more onsets are thinned evenly. */
export const MAX_MARKERS = 1500;
/** Trail points drawn while the camera moves. */
export const COARSE_POINTS = 2000;

/** A level of detail of the trail: the frames drawn, and their screen positions. */
export interface TrailLevel {
  /** Frame indexes, increasing. */
  dec: Int32Array;
  /** Screen X of each, `NaN` behind the camera. */
  sx: Float32Array;
  /** Screen Y of each. */
  sy: Float32Array;
}

/** Where each flag starts to fire. */
export interface Onsets {
  /** Frame indexes of the onsets drawn (at most {@linkcode MAX_MARKERS}). */
  list: Int32Array;
  /** Number of onsets in the run. */
  total: number;
}

/** Where a run came from and what is known about it. */
export interface RunMeta {
  /** `embedded` for the page's own run, `file` for a log. */
  source: "embedded" | "file";
  /** The scenario's name, or the file's. */
  name: string;
  /** The seed, `null` when unknown. */
  seed: number | null;
  /** The Monte Carlo run index, when known. */
  runIndex?: number;
  /** The envelope's levels, `null` when unknown. */
  levels: EnvelopeLevels | null;
  /** Thresholds to try when the levels are unknown. */
  fallback?: unknown;
  /** Where the levels of a log came from, such as its meta file, for the HUD. */
  levelsNote?: string;
  /** Most trail points drawn. */
  maxTrailPoints: number;
}

/** A run ready to draw. */
export interface Run {
  /** Number of frames. */
  n: number;
  /** The frames. */
  c: Columns;
  /** Whether the frames carry dates (ISO 8601 timestamps) rather than steps. */
  dated: boolean;
  /** Whether the frames carry the levels in force on each (levels that move, SPEC §7). */
  movingLevels: boolean;
  /** Where the run came from. */
  source: RunMeta["source"];
  /** The scenario's name, or the file's. */
  name: string;
  /** The seed, `null` when unknown. */
  seed: number | null;
  /** The Monte Carlo run index, when known. */
  runIndex: number | undefined;
  /** The envelope's levels, `null` when unknown. */
  levels: EnvelopeLevels | null;
  /** Where the levels of a log came from, such as its meta file. */
  levelsNote: string | undefined;
  /** The thresholds the zones are drawn with, `null` for none. */
  th: Thresholds | null;
  /** Where {@linkcode Run.th} came from. */
  thSource: ViewThresholds["source"];
  /** X axis domain. */
  dx: [number, number];
  /** Y axis domain. */
  dy: [number, number];
  /** Z axis domain. */
  dz: [number, number];
  /** X axis scale over {@linkcode Run.dx}: linear, or bent to keep the envelope readable. */
  ax: AxisScale;
  /** Y axis scale over {@linkcode Run.dy}. */
  ay: AxisScale;
  /** Z axis scale over {@linkcode Run.dz}. */
  az: AxisScale;
  /** Largest Y. */
  maxY: number;
  /** Frame of the largest Y, -1 for no frames. */
  maxYAt: number;
  /** World X of each frame. */
  wx: Float32Array;
  /** World Y of each frame. */
  wy: Float32Array;
  /** World Z of each frame. */
  wz: Float32Array;
  /** The trail drawn when the view is still. */
  full: TrailLevel;
  /** The trail drawn while the camera moves (the full one for short runs). */
  coarse: TrailLevel;
  /** Onsets of BREACH, OVERSPEED and STALL. */
  onsets: [Onsets, Onsets, Onsets];
  /** Frames whose regime differs from the frame before. */
  changes: Int32Array;
  /** Regime changes and flag onsets, increasing, without repeats. */
  events: Int32Array;
  /** First BREACH onset, -1 for none. */
  firstBreach: number;
  /** First OVERSPEED onset, -1 for none. */
  firstOverspeed: number;
  /** First STALL onset, -1 for none. */
  firstStall: number;
}

/** The first index of a sorted array whose value is greater than `v`. */
export function upperBound(arr: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The frames a trail of at most about `maxPoints` points draws: every frame of a short run;
 * of a long one, per bucket, its first frame, the extremes of X, Y and Z and its regime
 * changes, and always the last frame.
 *
 * @example A short run keeps every frame
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { columnsOf } from "./data.ts";
 * import { decimate } from "./model.ts";
 *
 * assertEquals([...decimate(columnsOf([]), 1000)], []);
 * ```
 */
export function decimate(c: Columns, maxPoints: number): Int32Array {
  const n = c.n;
  if (n <= maxPoints) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  const { x, y, z, regime } = c;
  const buckets = Math.max(1, Math.floor(maxPoints / 9));
  const size = Math.ceil(n / buckets);
  const out: number[] = [];
  const pick: number[] = [];
  for (let b = 0; b < n; b += size) {
    const e = Math.min(n, b + size);
    let ix0 = b, ix1 = b, iy0 = b, iy1 = b, iz0 = b, iz1 = b, ch0 = -1, ch1 = -1;
    for (let k = b; k < e; k++) {
      if (x[k]! < x[ix0]!) ix0 = k;
      if (x[k]! > x[ix1]!) ix1 = k;
      if (y[k]! < y[iy0]!) iy0 = k;
      if (y[k]! > y[iy1]!) iy1 = k;
      if (z[k]! < z[iz0]!) iz0 = k;
      if (z[k]! > z[iz1]!) iz1 = k;
      if (k > 0 && regime[k] !== regime[k - 1]) {
        if (ch0 < 0) ch0 = k;
        ch1 = k;
      }
    }
    pick.length = 0;
    pick.push(b, ix0, ix1, iy0, iy1, iz0, iz1);
    if (ch0 >= 0) pick.push(ch0 - 1, ch0, ch1);
    pick.sort((p, q) => p - q);
    for (const p of pick) {
      if (p >= 0 && (out.length === 0 || out[out.length - 1]! < p)) out.push(p);
    }
  }
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return Int32Array.from(out);
}

/** Frames where the flag with this bit starts to fire, thinned to {@linkcode MAX_MARKERS}. */
export function onsets(c: Columns, bit: number): Onsets {
  let list: number[] = [];
  const flags = c.flags;
  for (let i = 0; i < c.n; i++) {
    if ((flags[i]! & bit) && (i === 0 || !(flags[i - 1]! & bit))) list.push(i);
  }
  const total = list.length;
  if (list.length > MAX_MARKERS) {
    const every = Math.ceil(list.length / MAX_MARKERS);
    const kept: number[] = [];
    for (let k = 0; k < list.length; k += every) kept.push(list[k]!);
    list = kept;
  }
  return { list: Int32Array.from(list), total };
}

function trailLevel(dec: Int32Array): TrailLevel {
  return { dec, sx: new Float32Array(dec.length), sy: new Float32Array(dec.length) };
}

/** The domain of an axis: its first and last stop. */
function ends(scale: AxisScale): [number, number] {
  return [scale.stops[0]!, scale.stops[scale.stops.length - 1]!];
}

/** World X of a data X. */
export function mapX(r: Pick<Run, "ax">, v: number): number {
  return (axisShare(r.ax, v) - 0.5) * BOX.w;
}
/** World Y of a data Y. */
export function mapY(r: Pick<Run, "ay">, v: number): number {
  return (axisShare(r.ay, v) - 0.5) * BOX.h;
}
/** World Z of a data Z. */
export function mapZ(r: Pick<Run, "az">, v: number): number {
  return (axisShare(r.az, v) - 0.5) * BOX.d;
}

/**
 * Makes a run ready to draw from its frames.
 *
 * @param c The frames.
 * @param meta Where they came from, the levels if known, and the trail size.
 * @returns The run.
 *
 * @example Events and the first BREACH
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { EXAMPLE_LEVELS } from "../testing.ts";
 * import { decodeFrames } from "./data.ts";
 * import { makeRun } from "./model.ts";
 *
 * const c = decodeFrames({
 *   length: 3, timestamp: null, spot: [694, 699, 701], iv: [0.15, 0.15, 0.15], hv: [0.12, 0.12, 0.12],
 *   x: [0.54, 2.32, 3.04], y: [1.25, 1.25, 1.25], z: [0.8, 0.13, -0.13], regime: "112", flags: "001",
 * });
 * const run = makeRun(c, { source: "embedded", name: "demo", seed: 1, levels: EXAMPLE_LEVELS, maxTrailPoints: 10_000 });
 * assertEquals([...run.events], [2]);
 * assertEquals(run.firstBreach, 2);
 * ```
 */
export function makeRun(c: Columns, meta: RunMeta): Run {
  const n = c.n;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  let minZ = Infinity, maxZ = -Infinity, maxYAt = -1;
  for (let i = 0; i < n; i++) {
    const x = c.x[i]!, y = c.y[i]!, z = c.z[i]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) {
      maxY = y;
      maxYAt = i;
    }
    if (z < minZ) minZ = z;
    if (z > maxZ) maxZ = z;
  }
  const levels = meta.levels;
  const { thresholds: th, source: thSource } = thresholdsFor(c, {
    levels,
    fallback: meta.fallback,
  });
  let dx: [number, number], dy: [number, number], dz: [number, number];
  let ax: AxisScale, ay: AxisScale, az: AxisScale;
  if (th) {
    // axes hold the envelope and the trail; a trail far beyond the envelope bends them, so
    // that the regime zones and the walls keep most of the box
    ax = envelopeAxis([Math.min(0, minX), Math.max(maxX, th.ruptureX * 1.12)], [
      0,
      th.ruptureX * 1.1,
    ]);
    ay = envelopeAxis([Math.min(0, minY), Math.max(maxY, th.ruptureY * 1.1)], [
      0,
      th.ruptureY * 1.1,
    ]);
    az = envelopeAxis([Math.min(minZ, -0.25), Math.max(maxZ, 1)], [0, 1]);
    dx = ends(ax);
    dy = ends(ay);
    dz = ends(az);
  } else {
    dx = domain([minX, maxX], []);
    dy = domain([minY, maxY], []);
    dz = domain([minZ, maxZ], []);
    ax = linearAxis(dx);
    ay = linearAxis(dy);
    az = linearAxis(dz);
  }
  const scale = { ax, ay, az };
  const wx = new Float32Array(n), wy = new Float32Array(n), wz = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    wx[i] = mapX(scale, c.x[i]!);
    wy[i] = mapY(scale, c.y[i]!);
    wz[i] = mapZ(scale, c.z[i]!);
  }
  // two levels of detail: full when the view is still, coarse while the camera moves
  const full = trailLevel(decimate(c, Math.max(1000, meta.maxTrailPoints | 0)));
  const coarse = full.dec.length > COARSE_POINTS * 1.5
    ? trailLevel(decimate(c, COARSE_POINTS))
    : full;
  const flagOnsets: [Onsets, Onsets, Onsets] = [onsets(c, 1), onsets(c, 2), onsets(c, 4)];
  const changes: number[] = [];
  for (let i = 1; i < n; i++) if (c.regime[i] !== c.regime[i - 1]) changes.push(i);
  const ev = changes.slice();
  for (const { list } of flagOnsets) for (const at of list) ev.push(at);
  ev.sort((a, b) => a - b);
  const first = (o: Onsets): number => o.list.length ? o.list[0]! : -1;
  return {
    n,
    c,
    dated: hasDates(c),
    movingLevels: c.levels !== null,
    source: meta.source,
    name: meta.name,
    seed: meta.seed,
    runIndex: meta.runIndex,
    levels,
    levelsNote: meta.levelsNote,
    th,
    thSource,
    dx,
    dy,
    dz,
    ax,
    ay,
    az,
    maxY,
    maxYAt,
    wx,
    wy,
    wz,
    full,
    coarse,
    onsets: flagOnsets,
    changes: Int32Array.from(changes),
    events: Int32Array.from(ev.filter((v, j) => j === 0 || v !== ev[j - 1])),
    firstBreach: first(flagOnsets[0]),
    firstOverspeed: first(flagOnsets[1]),
    firstStall: first(flagOnsets[2]),
  };
}
