/**
 * Picking in the 3D scene: the trail frame nearest a point on the canvas, for the hover tooltip
 * and a click that goes to a frame. The points tested come from a grid of the drawn trail's
 * screen positions (the level of detail the scene draws when still, `run.full`), rebuilt only
 * when the camera, the size or the run change; a query tests the trail points in the cells
 * around the pointer, then the frames between the nearest one's neighbours, so that its cost is
 * bounded by the trail's level of detail, never by the run's length.
 *
 * @module
 */
import { P, proj } from "./camera.ts";
import type { Run } from "./model.ts";
import { view } from "./state.ts";

/** How far from a trail point a pick still finds it, CSS pixels. */
export const PICK_RADIUS = 6;
/** The grid's cell size, CSS pixels: at least {@linkcode PICK_RADIUS}, so 3 by 3 cells cover it. */
const CELL = 8;
/** Most frames between two drawn trail points that a pick looks at one by one. */
export const REFINE_MAX = 2048;

/** What picking has cost since the page opened, for tests and tools. */
export interface PickStats {
  /** Queries answered. */
  queries: number;
  /** Points (trail points and frames) tested in all queries. */
  tested: number;
  /** Points tested by the last query. */
  lastTested: number;
  /** The most points one query tested. */
  maxTested: number;
  /** Times the grid was rebuilt. */
  rebuilds: number;
  /** Trail points the grid holds. */
  points: number;
}

/** The counters `window.__flight.pickStats` shows. */
export const pickStats: PickStats = {
  queries: 0,
  tested: 0,
  lastTested: 0,
  maxTested: 0,
  rebuilds: 0,
  points: 0,
};

/** The trail points on screen, bucketed by cell. */
interface Grid {
  /** The camera, size and run it was built for. */
  key: string;
  /** The run. */
  run: Run;
  /** Cells across and down. */
  cols: number;
  rows: number;
  /** Where each cell's points start in {@linkcode Grid.items}; one more entry than cells. */
  start: Int32Array;
  /** Indexes into the trail level's `dec`, cell by cell. */
  items: Int32Array;
  /** Screen position of each trail point, `NaN` off the grid. */
  sx: Float32Array;
  sy: Float32Array;
}

let grid: Grid | null = null;

/** The grid for the current camera, size and run, rebuilt when one of them changed. */
function currentGrid(): Grid | null {
  const run = view.run;
  if (!run || run.n === 0 || !view.V) return null;
  const key = view.viewKey + ":" + view.runVersion;
  if (grid && grid.key === key && grid.run === run) return grid;
  const dec = run.full.dec, m = dec.length;
  const cols = Math.max(1, Math.ceil(view.W / CELL)), rows = Math.max(1, Math.ceil(view.H / CELL));
  const sx = new Float32Array(m), sy = new Float32Array(m), cell = new Int32Array(m);
  const start = new Int32Array(cols * rows + 1);
  for (let k = 0; k < m; k++) {
    const f = dec[k]!;
    cell[k] = -1;
    sx[k] = NaN;
    sy[k] = NaN;
    if (!proj(run.wx[f]!, run.wy[f]!, run.wz[f]!)) continue;
    const cx = Math.floor(P[0] / CELL), cy = Math.floor(P[1] / CELL);
    if (cx < 0 || cy < 0 || cx >= cols || cy >= rows) continue;
    sx[k] = P[0];
    sy[k] = P[1];
    cell[k] = cy * cols + cx;
    start[cell[k]! + 1] = start[cell[k]! + 1]! + 1;
  }
  for (let c = 0; c < cols * rows; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const fill = start.slice(0, cols * rows);
  const items = new Int32Array(start[cols * rows]!);
  for (let k = 0; k < m; k++) {
    const c = cell[k]!;
    if (c < 0) continue;
    items[fill[c]!] = k;
    fill[c] = fill[c]! + 1;
  }
  grid = { key, run, cols, rows, start, items, sx, sy };
  pickStats.rebuilds++;
  pickStats.points = items.length;
  return grid;
}

/**
 * The trail frame nearest a point on the canvas, within {@linkcode PICK_RADIUS}.
 *
 * @param x The point's X from the canvas's left edge, CSS pixels.
 * @param y The point's Y from the canvas's top edge, CSS pixels.
 * @returns The frame, or -1 when no trail point is that close.
 */
export function pickFrame(x: number, y: number): number {
  const g = currentGrid();
  pickStats.queries++;
  pickStats.lastTested = 0;
  if (!g) return -1;
  const run = g.run, dec = run.full.dec;
  let tested = 0, best = -1, bestD = PICK_RADIUS * PICK_RADIUS;
  const cx = Math.floor(x / CELL), cy = Math.floor(y / CELL);
  for (let j = Math.max(0, cy - 1); j <= Math.min(g.rows - 1, cy + 1); j++) {
    for (let i = Math.max(0, cx - 1); i <= Math.min(g.cols - 1, cx + 1); i++) {
      const c = j * g.cols + i;
      for (let s = g.start[c]!; s < g.start[c + 1]!; s++) {
        const k = g.items[s]!;
        const dx = g.sx[k]! - x, dy = g.sy[k]! - y, d = dx * dx + dy * dy;
        tested++;
        // the earlier frame wins a tie, so that a point drawn twice picks one frame
        if (d < bestD || (d === bestD && best >= 0 && k < best)) {
          bestD = d;
          best = k;
        }
      }
    }
  }
  let frame = best < 0 ? -1 : dec[best]!;
  if (best >= 0) {
    // the frames between the nearest trail point's neighbours, which the trail may skip
    const a = dec[Math.max(0, best - 1)]!, b = dec[Math.min(dec.length - 1, best + 1)]!;
    if (b - a <= REFINE_MAX) {
      for (let f = a + 1; f < b; f++) {
        if (f === frame || !proj(run.wx[f]!, run.wy[f]!, run.wz[f]!)) continue;
        const dx = P[0] - x, dy = P[1] - y, d = dx * dx + dy * dy;
        tested++;
        if (d < bestD) {
          bestD = d;
          frame = f;
        }
      }
    }
  }
  pickStats.lastTested = tested;
  pickStats.tested += tested;
  pickStats.maxTested = Math.max(pickStats.maxTested, tested);
  return frame;
}

/**
 * Where a frame is drawn on the canvas.
 *
 * @param frame The frame.
 * @returns Its X and Y from the canvas's top left corner, CSS pixels, or `null` when it is behind
 *   the camera or not a frame of the run.
 */
export function frameOnCanvas(frame: number): [number, number] | null {
  const run = view.run;
  if (!run || !view.V || !(frame >= 0 && frame < run.n) || !Number.isInteger(frame)) return null;
  return proj(run.wx[frame]!, run.wy[frame]!, run.wz[frame]!) ? [P[0], P[1]] : null;
}
