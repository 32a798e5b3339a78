/**
 * The static layer of the 3D view, redrawn only when the camera, the size or the run change:
 * back walls, regime zones, grid, box, the wall curtain at Z = 0 and the flip at Z = 1,
 * threshold lines, the MANEUVER and RUPTURE envelopes, a Monte Carlo batch's fan as a ghost band
 * around its median path, further runs as thin trails, the path ahead, axes and labels. The
 * geometry is described once, through a {@linkcode Painter}, so that the Canvas 2D path and the
 * WebGL2 path (viewer/gl.ts) draw the same scene; labels are Canvas 2D text on both.
 *
 * @module
 */
/// <reference lib="dom" />
import { REGIMES } from "../core/frame.ts";
import { line3, P, type Point3, proj, projData, quad } from "./camera.ts";
import { font } from "./dom.ts";
import { axisKnees, axisShare, axisTicks, axisValue } from "./axes.ts";
import type { Columns } from "./data.ts";
import { decimate, mapY, type Tick } from "./model.ts";
import { FAN_COLORS, FLAG_COLORS, OVERLAY_COLORS, REGIME_RGB } from "./palette.ts";
import { rgbOf } from "../plugins/_palette.ts";
import { view } from "./state.ts";

/** Points per stroked path: the rasteriser is much faster on many short paths. */
export const CHUNK = 256;

/** A colour: red, green and blue from 0 to 255, and alpha from 0 to 1. */
export type Rgba = readonly [number, number, number, number];

/** How a line of the scene is stroked. */
export interface LineStyle {
  /** Its colour. */
  color: Rgba;
  /** Its width, CSS pixels. */
  width: number;
  /** Dash and gap lengths, CSS pixels; solid when absent. */
  dash?: readonly [number, number];
}

/** What the scene's geometry is drawn with: Canvas 2D paths, or WebGL2 buffers. */
export interface Painter {
  /** Fills a flat polygon given by its corners in data units. */
  fill(corners: readonly Point3[], color: Rgba): void;
  /** Strokes a straight line between two points in data units. */
  line(a: Point3, b: Point3, style: LineStyle): void;
}

/** A regime's colour at an alpha. */
export function regimeRgba(regime: number, alpha: number): Rgba {
  const [r, g, b] = REGIME_RGB[regime]!.split(",").map(Number);
  return [r!, g!, b!, alpha];
}

/** A colour as CSS text. */
export function cssColor(c: Rgba): string {
  return "rgba(" + c[0] + ", " + c[1] + ", " + c[2] + ", " + c[3] + ")";
}

/** A painter that draws straight into a Canvas 2D context, as the fallback path does. */
export function canvasPainter(g: CanvasRenderingContext2D): Painter {
  return {
    fill(corners, color) {
      g.fillStyle = cssColor(color);
      if (quad(g, corners)) g.fill();
    },
    line(a, b, style) {
      g.strokeStyle = cssColor(style.color);
      g.lineWidth = style.width;
      g.setLineDash(style.dash ? [style.dash[0], style.dash[1]] : []);
      line3(g, a, b);
    },
  };
}

function clampRange(v: number, d: readonly [number, number]): number {
  return Math.max(d[0], Math.min(d[1], v));
}

/** The box's sides as seen from the camera: back and front X, floor Y, back and front Z. */
export interface Sides {
  /** X of the back wall. */
  xb: number;
  /** X of the front side. */
  xf: number;
  /** Y of the floor. */
  yb: number;
  /** Z of the back wall. */
  zb: number;
  /** Z of the front side. */
  zf: number;
}

/** The sides of the run's box the camera sees from behind, in data units. */
export function sidesOf(): Sides {
  const run = view.run!, V = view.V!;
  const { dx, dy, dz } = run;
  const xb = V.Cx > 0 ? dx[0] : dx[1], xf = xb === dx[0] ? dx[1] : dx[0];
  const yb = V.Cy > 0 ? dy[0] : dy[1];
  const zb = V.Cz > 0 ? dz[0] : dz[1], zf = zb === dz[0] ? dz[1] : dz[0];
  return { xb, xf, yb, zb, zf };
}

/** Draws the view's background: a dark radial gradient. */
export function drawBackground(g: CanvasRenderingContext2D): void {
  const { W, H, DPR } = view;
  g.setTransform(DPR, 0, 0, DPR, 0, 0);
  const grad = g.createRadialGradient(
    W * 0.55,
    H * 0.45,
    0,
    W * 0.55,
    H * 0.45,
    Math.max(W, H) * 0.75,
  );
  grad.addColorStop(0, "#0d1726");
  grad.addColorStop(1, "#05080d");
  g.fillStyle = grad;
  g.fillRect(0, 0, W, H);
}

/** Draws the static layer into `g` on the Canvas 2D path: background, scene and labels. */
export function drawStatic(g: CanvasRenderingContext2D): void {
  drawBackground(g);
  if (!view.run) return;
  g.lineCap = "round";
  g.lineJoin = "round";
  const sides = sidesOf();
  drawScene(canvasPainter(g), sides);
  g.setLineDash([]);
  drawPathAhead(g, sides);
  drawLabels(g, sides);
}

/**
 * Draws the labels layer into `g` on the WebGL2 path: a transparent layer with the axes' ticks
 * and titles and the regime names, over the scene the GPU draws.
 */
export function drawLabelLayer(g: CanvasRenderingContext2D): void {
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.clearRect(0, 0, g.canvas.width, g.canvas.height);
  if (!view.run) return;
  g.setTransform(view.DPR, 0, 0, view.DPR, 0, 0);
  drawLabels(g, sidesOf());
}

/** Axes, ticks and titles, and the regime names on their zones. */
function drawLabels(g: CanvasRenderingContext2D, sides: Sides): void {
  const run = view.run!;
  const tx = axisTicks(run.ax, 6), ty = axisTicks(run.ay, 5), tz = axisTicks(run.az, 5);
  drawAxes(g, sides, tx, ty, tz);
  if (run.th) drawZoneLabels(g, sides.zb);
}

/**
 * Describes the scene's geometry to a painter, back to front: back walls, regime zones, grid,
 * box edges, the BREACH zone and wall curtain, the flip, threshold lines, the envelopes, the
 * fan's ghost band and the further runs.
 *
 * @param p The painter.
 * @param sides The sides the camera sees, from {@linkcode sidesOf}.
 */
export function drawScene(p: Painter, sides: Sides): void {
  const run = view.run!;
  const { dx, dy, dz } = run;
  const { xb, xf, yb, zb } = sides;
  const tx = axisTicks(run.ax, 6), ty = axisTicks(run.ay, 5), tz = axisTicks(run.az, 5);
  const th = run.th;

  // back walls
  const wall: Rgba = [40, 70, 110, 0.10];
  p.fill([[dx[0], dy[0], zb], [dx[1], dy[0], zb], [dx[1], dy[1], zb], [dx[0], dy[1], zb]], wall);
  p.fill([[dx[0], yb, dz[0]], [dx[1], yb, dz[0]], [dx[1], yb, dz[1]], [dx[0], yb, dz[1]]], wall);
  p.fill([[xb, dy[0], dz[0]], [xb, dy[1], dz[0]], [xb, dy[1], dz[1]], [xb, dy[0], dz[1]]], wall);

  // regime zones on the X-Y back wall
  if (th) {
    const X = (v: number) => clampRange(v, dx), Y = (v: number) => clampRange(v, dy);
    const rect = (a: number, b: number, c: number, d: number): Point3[] => [
      [X(a), Y(c), zb],
      [X(b), Y(c), zb],
      [X(b), Y(d), zb],
      [X(a), Y(d), zb],
    ];
    const zones: [number, Point3[][]][] = [
      [0, [rect(dx[0], th.taxiX, dy[0], th.maneuverY)]],
      [1, [rect(th.taxiX, th.maneuverX, dy[0], th.maneuverY)]],
      [2, [
        rect(th.maneuverX, th.ruptureX, dy[0], th.ruptureY),
        rect(dx[0], th.maneuverX, th.maneuverY, th.ruptureY),
      ]],
      [3, [rect(th.ruptureX, dx[1], dy[0], dy[1]), rect(dx[0], th.ruptureX, th.ruptureY, dy[1])]],
    ];
    for (const [regime, quads] of zones) {
      const color = regimeRgba(regime, regime === 3 ? 0.06 : 0.11);
      for (const q of quads) p.fill(q, color);
    }
  }

  // grid on the back walls
  const grid: LineStyle = { color: [120, 160, 210, 0.11], width: 1 };
  for (const { v } of tx) {
    p.line([v, dy[0], zb], [v, dy[1], zb], grid);
    p.line([v, yb, dz[0]], [v, yb, dz[1]], grid);
  }
  for (const { v } of ty) {
    p.line([dx[0], v, zb], [dx[1], v, zb], grid);
    p.line([xb, v, dz[0]], [xb, v, dz[1]], grid);
  }
  for (const { v } of tz) {
    p.line([dx[0], yb, v], [dx[1], yb, v], grid);
    p.line([xb, dy[0], v], [xb, dy[1], v], grid);
  }

  // box edges
  const edge: LineStyle = { color: [150, 185, 230, 0.32], width: 1 };
  const cx = [dx[0], dx[1]] as const, cy = [dy[0], dy[1]] as const, cz = [dz[0], dz[1]] as const;
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      p.line([cx[0], cy[a]!, cz[b]!], [cx[1], cy[a]!, cz[b]!], edge);
      p.line([cx[a]!, cy[0], cz[b]!], [cx[a]!, cy[1], cz[b]!], edge);
      p.line([cx[a]!, cy[b]!, cz[0]], [cx[a]!, cy[b]!, cz[1]], edge);
    }
  }

  const inZ = (v: number) => v >= dz[0] && v <= dz[1];
  // BREACH zone on the floor and the wall curtain at Z = 0
  if (inZ(0)) {
    p.fill([[dx[0], yb, dz[0]], [dx[1], yb, dz[0]], [dx[1], yb, 0], [dx[0], yb, 0]], [
      255,
      63,
      122,
      0.08,
    ]);
    p.fill([[dx[0], dy[0], 0], [dx[1], dy[0], 0], [dx[1], dy[1], 0], [dx[0], dy[1], 0]], [
      255,
      79,
      100,
      0.035,
    ]);
    const curtain: LineStyle = { color: [255, 79, 100, 0.55], width: 1.2 };
    p.line([dx[0], yb, 0], [dx[1], yb, 0], curtain);
    p.line([xb, dy[0], 0], [xb, dy[1], 0], curtain);
    const faint: LineStyle = { color: [255, 79, 100, 0.3], width: 1.2 };
    p.line([dx[0], dy[1], 0], [dx[1], dy[1], 0], faint);
    p.line([xf, dy[0], 0], [xf, dy[1], 0], faint);
  }
  if (inZ(1)) {
    const flip: LineStyle = { color: [95, 214, 200, 0.6], width: 1.2, dash: [5, 4] };
    p.line([dx[0], yb, 1], [dx[1], yb, 1], flip);
    p.line([xb, dy[0], 1], [xb, dy[1], 1], flip);
  }

  if (th) {
    // threshold lines on the back walls and the floor
    const xLines = [[th.taxiX, 1], [th.maneuverX, 2], [th.ruptureX, 3]] as const;
    const yLines = [[th.maneuverY, 2], [th.ruptureY, 3]] as const;
    for (let t = 0; t < xLines.length; t++) {
      const [xv, regime] = xLines[t]!;
      if (xv < dx[0] || xv > dx[1]) continue;
      const style: LineStyle = { color: regimeRgba(regime, 0.55), width: 1.1 };
      const top = t === 0
        ? clampRange(th.maneuverY, dy)
        : clampRange(t === 1 ? th.ruptureY : dy[1], dy);
      p.line([xv, dy[0], zb], [xv, top, zb], style);
      p.line([xv, yb, dz[0]], [xv, yb, dz[1]], style);
    }
    for (let t = 0; t < yLines.length; t++) {
      const [yv, regime] = yLines[t]!;
      if (yv < dy[0] || yv > dy[1]) continue;
      const style: LineStyle = { color: regimeRgba(regime, 0.55), width: 1.1 };
      p.line([dx[0], yv, zb], [clampRange(t === 0 ? th.ruptureX : dx[1], dx), yv, zb], style);
      p.line([xb, yv, dz[0]], [xb, yv, dz[1]], style);
    }
    if (th.overspeedX >= dx[0] && th.overspeedX <= dx[1]) {
      const style: LineStyle = { color: [255, 138, 61, 0.55], width: 1.1, dash: [3, 4] };
      p.line([th.overspeedX, yb, dz[0]], [th.overspeedX, yb, dz[1]], style);
    }
    if (th.stallY >= dy[0] && th.stallY <= dy[1]) {
      const style: LineStyle = { color: [88, 199, 255, 0.5], width: 1.1, dash: [3, 4] };
      p.line([dx[0], th.stallY, zb], [dx[1], th.stallY, zb], style);
      p.line([xb, th.stallY, dz[0]], [xb, th.stallY, dz[1]], style);
    }
    // envelope wireframes between the walls and the flip
    if (inZ(0) && inZ(1)) {
      box3(
        p,
        [dx[0], clampRange(th.ruptureX, dx)],
        [dy[0], clampRange(th.ruptureY, dy)],
        [0, 1],
        { color: [255, 79, 100, 0.42], width: 1.2, dash: [6, 4] },
      );
      box3(
        p,
        [dx[0], clampRange(th.maneuverX, dx)],
        [dy[0], clampRange(th.maneuverY, dy)],
        [0, 1],
        { color: [255, 181, 71, 0.5], width: 1.2, dash: [2, 3] },
      );
    }
  }
  drawGhost(p);
  drawOverlays(p);
}

/** Most segments of the ghost band: a fan over more steps is drawn at every few of them. */
export const GHOST_SEGMENTS = 160;
/** Most trail points of all further runs together in the 3D scene. */
export const OVERLAY_POINTS = 1600;

/**
 * Draws a Monte Carlo batch's fan as a ghost band around its median path: at each step kept,
 * the median of X, Y and Z is a point of the path, and three translucent ribbons along it span
 * the 5th to 95th percentile of each of X, Y and Z with the other two at their medians; the
 * median path is dashed. Percentiles beyond the box are drawn at its side.
 */
function drawGhost(p: Painter): void {
  const fan = view.fan, run = view.run!;
  const bx = fan?.bands.x, by = fan?.bands.y, bz = fan?.bands.z;
  if (!fan || !bx || !by || !bz || fan.steps.length < 2) return;
  const { dx, dy, dz } = run;
  const n = fan.steps.length, every = Math.ceil((n - 1) / GHOST_SEGMENTS);
  const picked: number[] = [];
  for (let k = 0; k < n - 1; k += every) picked.push(k);
  picked.push(n - 1);
  const X = (v: number) => clampRange(v, dx), Y = (v: number) => clampRange(v, dy);
  const Z = (v: number) => clampRange(v, dz);
  const [r, g, b] = rgbOf(FAN_COLORS.outer);
  const ribbon: Rgba = [r, g, b, 0.1];
  const [lr, lg, lb] = rgbOf(FAN_COLORS.line);
  const median: LineStyle = { color: [lr, lg, lb, 0.6], width: 1.2, dash: [5, 4] };
  for (let j = 1; j < picked.length; j++) {
    const a = picked[j - 1]!, c = picked[j]!;
    const mx = (k: number) => X(bx.p50[k]!), my = (k: number) => Y(by.p50[k]!);
    const mz = (k: number) => Z(bz.p50[k]!);
    p.fill([
      [X(bx.p5[a]!), my(a), mz(a)],
      [X(bx.p95[a]!), my(a), mz(a)],
      [X(bx.p95[c]!), my(c), mz(c)],
      [X(bx.p5[c]!), my(c), mz(c)],
    ], ribbon);
    p.fill([
      [mx(a), Y(by.p5[a]!), mz(a)],
      [mx(a), Y(by.p95[a]!), mz(a)],
      [mx(c), Y(by.p95[c]!), mz(c)],
      [mx(c), Y(by.p5[c]!), mz(c)],
    ], ribbon);
    p.fill([
      [mx(a), my(a), Z(bz.p5[a]!)],
      [mx(a), my(a), Z(bz.p95[a]!)],
      [mx(c), my(c), Z(bz.p95[c]!)],
      [mx(c), my(c), Z(bz.p5[c]!)],
    ], ribbon);
    p.line([mx(a), my(a), mz(a)], [mx(c), my(c), mz(c)], median);
  }
}

/** The frames drawn of each further run, by its columns and the points it may take. */
const overlayTrails = new WeakMap<Columns, { points: number; dec: Int32Array }>();

/**
 * Draws the further runs dropped with the one on screen as thin whole trails in their panel
 * colours, decimated to share {@linkcode OVERLAY_POINTS}, on the run's axes (points beyond the
 * box at its side).
 */
function drawOverlays(p: Painter): void {
  const overlays = view.overlays;
  if (overlays.length === 0) return;
  const { dx, dy, dz } = view.run!;
  // decimate keeps up to ten frames per bucket of nine points
  const points = Math.max(20, Math.floor(OVERLAY_POINTS / overlays.length * 0.9));
  overlays.forEach((o, k) => {
    const c = o.c;
    let trail = overlayTrails.get(c);
    if (!trail || trail.points !== points) {
      trail = { points, dec: decimate(c, points) };
      overlayTrails.set(c, trail);
    }
    const [r, g, b] = rgbOf(OVERLAY_COLORS[k % OVERLAY_COLORS.length]!);
    const style: LineStyle = { color: [r, g, b, 0.75], width: 1 };
    const dec = trail.dec;
    const at = (f: number): Point3 => [
      clampRange(c.x[f]!, dx),
      clampRange(c.y[f]!, dy),
      clampRange(c.z[f]!, dz),
    ];
    for (let j = 1; j < dec.length; j++) p.line(at(dec[j - 1]!), at(dec[j]!), style);
  });
}

/** Colour of the path ahead. */
export const PATH_AHEAD: LineStyle = { color: [190, 210, 235, 0.28], width: 1.1 };
/** Colour of the trail's shadow on the floor. */
export const TRAIL_SHADOW: LineStyle = { color: [120, 150, 190, 0.16], width: 1 };
/** Alpha and radius of the flags ahead, drawn faint. */
export const FLAGS_AHEAD = { alpha: 0.35, radius: 3.5 } as const;

/** The path ahead with its shadow on the floor, and the flags ahead, on the Canvas 2D path. */
function drawPathAhead(g: CanvasRenderingContext2D, sides: Sides): void {
  const run = view.run!;
  const detail = view.detail!;
  const { dec, sx, sy } = detail;
  for (let k = 0; k < dec.length; k++) {
    const fi = dec[k]!;
    if (proj(run.wx[fi]!, run.wy[fi]!, run.wz[fi]!)) {
      sx[k] = P[0];
      sy[k] = P[1];
    } else {
      sx[k] = NaN;
      sy[k] = NaN;
    }
  }
  const floorY = mapY(run, sides.yb);
  g.strokeStyle = cssColor(TRAIL_SHADOW.color);
  g.lineWidth = TRAIL_SHADOW.width;
  g.beginPath();
  let pen = false;
  const shadow = run.coarse.dec;
  for (let k = 0; k < shadow.length; k++) {
    const j = shadow[k]!;
    if (!proj(run.wx[j]!, floorY, run.wz[j]!)) {
      pen = false;
      continue;
    }
    if (pen) g.lineTo(P[0], P[1]);
    else g.moveTo(P[0], P[1]);
    pen = true;
  }
  g.stroke();
  g.strokeStyle = cssColor(PATH_AHEAD.color);
  g.lineWidth = PATH_AHEAD.width;
  polyline(g, 0, dec.length - 1);

  // flags ahead, faint
  g.globalAlpha = FLAGS_AHEAD.alpha;
  for (let fl = 0; fl < 3; fl++) {
    const list = run.onsets[fl]!.list;
    for (let k = 0; k < list.length; k++) {
      const m = list[k]!;
      if (proj(run.wx[m]!, run.wy[m]!, run.wz[m]!)) {
        drawMarker(g, fl, P[0], P[1], FLAGS_AHEAD.radius);
      }
    }
  }
  g.globalAlpha = 1;
}

function box3(
  p: Painter,
  X: readonly [number, number],
  Y: readonly [number, number],
  Z: readonly [number, number],
  style: LineStyle,
): void {
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      p.line([X[0], Y[a]!, Z[b]!], [X[1], Y[a]!, Z[b]!], style);
      p.line([X[a]!, Y[0], Z[b]!], [X[a]!, Y[1], Z[b]!], style);
      p.line([X[a]!, Y[b]!, Z[0]], [X[a]!, Y[b]!, Z[1]], style);
    }
  }
}

/** Strokes the detail's screen points `k0` to `k1` as one line, in chunks. */
function polyline(g: CanvasRenderingContext2D, k0: number, k1: number): void {
  const { sx, sy } = view.detail!;
  g.beginPath();
  let pen = false, count = 0, lx = 0, ly = 0;
  for (let k = k0; k <= k1; k++) {
    const x = sx[k]!, y = sy[k]!;
    if (Number.isNaN(x)) {
      pen = false;
      continue;
    }
    if (pen) {
      if (Math.abs(x - lx) + Math.abs(y - ly) < 0.75 && k < k1) continue;
      g.lineTo(x, y);
    } else g.moveTo(x, y);
    pen = true;
    lx = x;
    ly = y;
    if (++count === CHUNK) {
      g.stroke();
      g.beginPath();
      g.moveTo(x, y);
      count = 0;
    }
  }
  g.stroke();
}

/** The screen direction from one data point to another, straight down when unknown. */
function screenDir(a: Point3, b: Point3): [number, number] {
  if (!projData(a[0], a[1], a[2])) return [0, 1];
  const x0 = P[0], y0 = P[1];
  if (!projData(b[0], b[1], b[2])) return [0, 1];
  const vx = P[0] - x0, vy = P[1] - y0, l = Math.hypot(vx, vy) || 1;
  return [vx / l, vy / l];
}

/** Writes a label `gap` pixels from a point in a direction, aligned away from the point. */
function label(
  g: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  dir: readonly [number, number],
  gap: number,
): void {
  g.textAlign = dir[0] > 0.35 ? "left" : dir[0] < -0.35 ? "right" : "center";
  g.textBaseline = dir[1] > 0.35 ? "top" : dir[1] < -0.35 ? "bottom" : "middle";
  g.fillText(text, x + dir[0] * gap, y + dir[1] * gap);
}

/**
 * How far from its axis edge a title goes: past the tick labels, which stand out from the
 * edge by their width when the labels run sideways, by their height otherwise.
 */
function titleGap(
  g: CanvasRenderingContext2D,
  ticks: readonly Tick[],
  d: readonly [number, number],
): number {
  let widest = 0;
  for (const t of ticks) widest = Math.max(widest, g.measureText(t.label).width);
  return Math.max(30, 8 + (Math.abs(d[0]) > 0.35 ? widest : 12) + 12);
}

function drawAxes(
  g: CanvasRenderingContext2D,
  { xb, xf, yb, zb, zf }: Sides,
  tx: readonly Tick[],
  ty: readonly Tick[],
  tz: readonly Tick[],
): void {
  const { dx, dy, dz } = view.run!;
  g.font = font("11px ", "--mono");
  g.fillStyle = "#8fa2bb";
  g.strokeStyle = "rgba(170, 200, 235, 0.55)";
  g.lineWidth = 1;
  // X along the front floor edge, labels pushed away from the back wall
  let d = screenDir([dx[0], yb, zb], [dx[0], yb, zf]);
  for (const t of tx) {
    if (!projData(t.v, yb, zf)) continue;
    g.beginPath();
    g.moveTo(P[0], P[1]);
    g.lineTo(P[0] + d[0] * 5, P[1] + d[1] * 5);
    g.stroke();
    label(g, t.label, P[0], P[1], d, 8);
  }
  const xTitle = d, xGap = titleGap(g, tx, d);
  // Z along the floor edge on the front X side
  d = screenDir([xb, yb, dz[0]], [xf, yb, dz[0]]);
  for (const t of tz) {
    if (!projData(xf, yb, t.v)) continue;
    g.beginPath();
    g.moveTo(P[0], P[1]);
    g.lineTo(P[0] + d[0] * 5, P[1] + d[1] * 5);
    g.stroke();
    label(g, t.label, P[0], P[1], d, 8);
  }
  const zTitle = d, zGap = titleGap(g, tz, d);
  // Y on the vertical edge furthest left on screen among the two silhouette edges
  const cand = [[xb, zf], [xf, zb]] as const;
  let best: readonly [number, number] = cand[0], bestX = Infinity;
  for (const c of cand) {
    if (projData(c[0], dy[0], c[1]) && P[0] < bestX) {
      bestX = P[0];
      best = c;
    }
  }
  const yDir = [-1, 0] as const;
  for (const t of ty) {
    // the bottom tick would collide with the first X or Z tick at the same corner
    if (t.v <= dy[0] + 1e-9 || !projData(best[0], t.v, best[1])) continue;
    g.beginPath();
    g.moveTo(P[0], P[1]);
    g.lineTo(P[0] - 5, P[1]);
    g.stroke();
    label(g, t.label, P[0], P[1], yDir, 8);
  }
  // where a bent axis changes scale: a break across its edge
  const run = view.run!;
  g.strokeStyle = "rgba(200, 220, 245, 0.8)";
  g.lineWidth = 1.2;
  for (const k of axisKnees(run.ax)) {
    breakMark(g, [k, yb, zf], screenDir([dx[0], yb, zf], [dx[1], yb, zf]));
  }
  for (const k of axisKnees(run.az)) {
    breakMark(g, [xf, yb, k], screenDir([xf, yb, dz[0]], [xf, yb, dz[1]]));
  }
  for (const k of axisKnees(run.ay)) {
    breakMark(
      g,
      [best[0], k, best[1]],
      screenDir([best[0], dy[0], best[1]], [best[0], dy[1], best[1]]),
    );
  }
  g.font = font("600 12px ", "--sans");
  g.fillStyle = "#c9d6e6";
  if (projData(axisValue(run.ax, 0.5), yb, zf)) {
    label(g, "X  airspeed (ATR from flip)", P[0], P[1], xTitle, xGap);
  }
  if (projData(xf, yb, axisValue(run.az, 0.5))) {
    label(g, "Z  wall proximity (1 flip, 0 wall)", P[0], P[1], zTitle, zGap);
  }
  // Y title rotated along the axis, left of its tick labels
  if (projData(best[0], dy[0], best[1])) {
    const yx0 = P[0], yy0 = P[1];
    if (projData(best[0], dy[1], best[1])) {
      g.save();
      g.translate((yx0 + P[0]) / 2 - 44, (yy0 + P[1]) / 2);
      g.rotate(-Math.PI / 2);
      g.textAlign = "center";
      g.textBaseline = "middle";
      g.fillText("Y  load factor (IV/HV, g)", 0, 0);
      g.restore();
    }
  }
  g.font = font("600 10.5px ", "--sans");
  if (dz[0] <= 0 && dz[1] >= 0 && projData(xf, dy[1], 0)) {
    g.fillStyle = "rgba(255, 110, 130, 0.85)";
    label(g, "WALL  Z = 0", P[0], P[1], [0, -1], 6);
  }
  if (dz[0] <= 1 && dz[1] >= 1 && projData(xb, dy[1], 1)) {
    g.fillStyle = "rgba(95, 214, 200, 0.9)";
    // beside the top of the flip line, clear of the Y axis title above the box
    label(g, "FLIP  Z = 1", P[0], P[1], [1, 0.6], 8);
  }
}

/**
 * A break across an axis edge at a point: two short slanted strokes over a gap, the usual mark
 * of a scale that changes there.
 */
function breakMark(
  g: CanvasRenderingContext2D,
  at: Point3,
  along: readonly [number, number],
): void {
  if (!projData(at[0], at[1], at[2])) return;
  const x = P[0], y = P[1];
  const nx = -along[1], ny = along[0];
  // slanted 30 degrees off the normal, towards the axis
  const sx = nx * 0.87 + along[0] * 0.5, sy = ny * 0.87 + along[1] * 0.5;
  const stroke = g.strokeStyle, width = g.lineWidth;
  g.strokeStyle = "#0a121d";
  g.lineWidth = 3;
  g.beginPath();
  g.moveTo(x - along[0] * 3, y - along[1] * 3);
  g.lineTo(x + along[0] * 3, y + along[1] * 3);
  g.stroke();
  g.strokeStyle = stroke;
  g.lineWidth = width;
  for (const o of [-2.5, 2.5]) {
    const cx = x + along[0] * o, cy = y + along[1] * o;
    g.beginPath();
    g.moveTo(cx - sx * 5, cy - sy * 5);
    g.lineTo(cx + sx * 5, cy + sy * 5);
    g.stroke();
  }
}

/**
 * How high the regime names sit in their zones, as a share of the height below MANEUVER's Y:
 * low on the wall, under where a trail at an ordinary load (Y about 1.25) passes.
 */
const ZONE_LABEL_HEIGHT = 0.22;

function drawZoneLabels(g: CanvasRenderingContext2D, zb: number): void {
  const { dx, dy } = view.run!;
  const th = view.run!.th!;
  g.font = font("700 11px ", "--sans");
  const ax = view.run!.ax;
  // halfway across each zone as drawn, which on a bent axis is not halfway in X
  const across = (a: number, b: number) =>
    axisValue(ax, (axisShare(ax, Math.max(a, dx[0])) + axisShare(ax, Math.min(b, dx[1]))) / 2);
  const low = dy[0] + (Math.min(th.maneuverY, dy[1]) - dy[0]) * ZONE_LABEL_HEIGHT;
  const spots = [
    [1, across(th.taxiX, th.maneuverX), low],
    [2, across(th.maneuverX, th.ruptureX), low],
    [3, across(th.ruptureX, dx[1]), low],
  ] as const;
  for (const [regime, x, y] of spots) {
    if (x < dx[0] || x > dx[1] || !projData(x, y, zb)) continue;
    g.fillStyle = "rgba(" + REGIME_RGB[regime] + ", 0.6)";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(REGIMES[regime], P[0], P[1]);
  }
}

/** Draws a flag's marker: a diamond for BREACH, a triangle for OVERSPEED, a ring for STALL. */
export function drawMarker(
  g: CanvasRenderingContext2D,
  flag: number,
  x: number,
  y: number,
  r: number,
): void {
  g.fillStyle = FLAG_COLORS[flag]!;
  g.strokeStyle = FLAG_COLORS[flag]!;
  g.beginPath();
  if (flag === 0) {
    g.moveTo(x, y - r);
    g.lineTo(x + r, y);
    g.lineTo(x, y + r);
    g.lineTo(x - r, y);
    g.closePath();
    g.fill();
  } else if (flag === 1) {
    g.moveTo(x, y - r);
    g.lineTo(x + r, y + r * 0.8);
    g.lineTo(x - r, y + r * 0.8);
    g.closePath();
    g.fill();
  } else {
    g.lineWidth = 1.6;
    g.arc(x, y, r * 0.8, 0, Math.PI * 2);
    g.stroke();
  }
}
