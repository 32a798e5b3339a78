/**
 * What the 2D panels draw, as pure functions of a run's columns: the frames picked for a
 * visible range (every frame when they fit, else each bucket's first frame and its extremes,
 * so spikes survive on a million frames), the values each panel plots there, where a fan's
 * steps fall among the frames, and a range of frames as CSV. Free of DOM APIs.
 *
 * @module
 */
import { stringify } from "@std/csv";
import { FLAGS, REGIMES } from "../core/frame.ts";
import { type Columns, MOVING_LEVELS } from "./data.ts";

/** Largest magnitude a panel plots; beyond it values are drawn at the bound (their text is exact). */
export const PLOT_LIMIT = 1e15;

/**
 * The frames a panel draws for frames `lo` to `hi` (inclusive): all of them when there are at
 * most `maxPoints`, else per bucket its first frame and the frames of the smallest and largest
 * spot, IV, HV, X, Y and Z, and always `hi`.
 *
 * @param c The frames.
 * @param lo First frame of the range.
 * @param hi Last frame of the range.
 * @param maxPoints About how many frames to pick.
 * @returns Frame indexes, increasing.
 *
 * @example A spike in a long run is kept
 * ```ts
 * import { assert, assertEquals } from "@std/assert";
 * import { columnsOf } from "./data.ts";
 * import { pickFrames } from "./panels_data.ts";
 *
 * const frame = { timestamp: 0, spot: 100, iv: 0.2, hv: 0.2, x: 1, y: 1, z: 0.5, regime: "CRUISE" as const, flags: [] };
 * const frames = Array.from({ length: 10_000 }, (_, i) => ({ ...frame, timestamp: i, z: i === 6789 ? -3 : 0.5 }));
 * const picked = pickFrames(columnsOf(frames), 0, 9_999, 500);
 * assert(picked.length < 1_000);
 * assert(picked.includes(6789));
 * assertEquals(picked[picked.length - 1], 9_999);
 * ```
 */
export function pickFrames(c: Columns, lo: number, hi: number, maxPoints: number): Int32Array {
  lo = Math.max(0, Math.floor(lo));
  hi = Math.min(c.n - 1, Math.ceil(hi));
  if (hi < lo) return new Int32Array(0);
  const count = hi - lo + 1;
  if (count <= maxPoints) {
    const all = new Int32Array(count);
    for (let k = 0; k < count; k++) all[k] = lo + k;
    return all;
  }
  const cols = [c.spot, c.iv, c.hv, c.x, c.y, c.z];
  const buckets = Math.max(1, Math.floor(maxPoints / 13));
  const size = Math.ceil(count / buckets);
  const out = new Int32Array(Math.ceil(count / size) * 13 + 1);
  const pick = new Int32Array(13);
  let m = 0;
  for (let b = lo; b <= hi; b += size) {
    const e = Math.min(hi + 1, b + size);
    pick[0] = b;
    let p = 1;
    for (const col of cols) {
      let iMin = b, iMax = b;
      for (let k = b + 1; k < e; k++) {
        const v = col[k]!;
        if (v < col[iMin]!) iMin = k;
        else if (v > col[iMax]!) iMax = k;
      }
      pick[p++] = iMin;
      pick[p++] = iMax;
    }
    pick.sort();
    for (let q = 0; q < 13; q++) {
      if (m === 0 || out[m - 1]! < pick[q]!) out[m++] = pick[q]!;
    }
  }
  if (out[m - 1] !== hi) out[m++] = hi;
  return out.slice(0, m);
}

/** A value as a panel plots it: bounded by {@linkcode PLOT_LIMIT}, `null` when not a number. */
export function plotValue(v: number | undefined): number | null {
  if (v === undefined || Number.isNaN(v)) return null;
  return v > PLOT_LIMIT ? PLOT_LIMIT : v < -PLOT_LIMIT ? -PLOT_LIMIT : v;
}

/**
 * A column's values at the picked frames, scaled, as a panel plots them; `null` past the
 * column's end (a shorter overlaid run) or where a frame carries no such value.
 *
 * @param column The values per frame.
 * @param picked The frames.
 * @param scale Factor applied, such as 100 for a percentage.
 * @returns One value per picked frame.
 */
export function valuesAt(
  column: ArrayLike<number> | undefined,
  picked: Int32Array,
  scale = 1,
): (number | null)[] {
  const out = new Array<number | null>(picked.length);
  for (let k = 0; k < picked.length; k++) {
    const i = picked[k]!;
    out[k] = column && i < column.length ? plotValue(column[i]! * scale) : null;
  }
  return out;
}

/**
 * The frame a fan's step falls on: the step itself, or, when the frames carry numeric
 * timestamps that are not their indexes (a long run's page embeds a selection of its steps),
 * the first frame whose timestamp is at least the step. `-1` past the last frame.
 *
 * @param c The frames.
 * @param step A step of the batch.
 * @returns The frame index.
 *
 * @example Steps of an embedded selection
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { columnsOf } from "./data.ts";
 * import { frameOfStep } from "./panels_data.ts";
 *
 * const frame = { timestamp: 0, spot: 1, iv: 1, hv: 1, x: 1, y: 1, z: 1, regime: "CRUISE" as const, flags: [] };
 * const c = columnsOf([0, 10, 20].map((t) => ({ ...frame, timestamp: t })));
 * assertEquals([frameOfStep(c, 0), frameOfStep(c, 15), frameOfStep(c, 20), frameOfStep(c, 21)], [0, 2, 2, -1]);
 * ```
 */
export function frameOfStep(c: Columns, step: number): number {
  const t = c.timestamp;
  if (!t || typeof t[0] !== "number") return step < c.n ? step : -1;
  let lo = 0, hi = c.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((t[mid] as number) < step) lo = mid + 1;
    else hi = mid;
  }
  return lo < c.n ? lo : -1;
}

/**
 * Frames `a` to `b` (inclusive) as CSV with a header: step, timestamp, spot, IV, HV, X, Y, Z,
 * regime, flags (`|`-separated), and the levels the frames carry when they move.
 *
 * @param c The frames.
 * @param a First frame.
 * @param b Last frame.
 * @returns The CSV text, lines ending `\r\n`.
 *
 * @example Two frames
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { columnsOf } from "./data.ts";
 * import { rangeCsv } from "./panels_data.ts";
 *
 * const frame = { timestamp: 0, spot: 694, iv: 0.15, hv: 0.12, x: 0.5, y: 1.25, z: 0.8, regime: "CRUISE" as const, flags: [] };
 * const c = columnsOf([frame, { ...frame, timestamp: 1, z: -0.1, regime: "MANEUVER" as const, flags: ["BREACH" as const] }]);
 * assertEquals(rangeCsv(c, 1, 1), "step,timestamp,spot,iv,hv,x,y,z,regime,flags\r\n1,1,694,0.15,0.12,0.5,1.25,-0.1,MANEUVER,BREACH\r\n");
 * ```
 */
export function rangeCsv(c: Columns, a: number, b: number): string {
  const lo = Math.max(0, Math.min(a, b)), hi = Math.min(c.n - 1, Math.max(a, b));
  const levels = MOVING_LEVELS.filter((name) => c.levels?.[name]);
  const header = ["step", "timestamp", "spot", "iv", "hv", "x", "y", "z", "regime", "flags"];
  const rows: string[][] = [[...header, ...levels]];
  for (let i = lo; i <= hi; i++) {
    const flags: string[] = [];
    for (let bit = 0; bit < FLAGS.length; bit++) {
      if (c.flags[i]! & (1 << bit)) flags.push(FLAGS[bit]!);
    }
    const row = [
      String(i),
      String(c.timestamp ? c.timestamp[i] : i),
      String(c.spot[i]),
      String(c.iv[i]),
      String(c.hv[i]),
      String(c.x[i]),
      String(c.y[i]),
      String(c.z[i]),
      REGIMES[c.regime[i]!] ?? "",
      flags.join("|"),
    ];
    for (const name of levels) {
      const v = c.levels![name]![i]!;
      row.push(Number.isNaN(v) ? "" : String(v));
    }
    rows.push(row);
  }
  return stringify(rows);
}
