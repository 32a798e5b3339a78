/**
 * The static layer of the 3D view, redrawn only when the camera, the size or the run change:
 * back walls, regime zones, grid, box, the wall curtain at Z = 0 and the flip at Z = 1,
 * threshold lines, the MANEUVER and RUPTURE envelopes, the path ahead, axes and labels.
 *
 * @module
 */
/// <reference lib="dom" />
import { REGIMES } from "../core/frame.ts";
import { line3, P, type Point3, proj, projData, quad } from "./camera.ts";
import { font } from "./dom.ts";
import { axisKnees, axisShare, axisTicks, axisValue } from "./axes.ts";
import { mapY, type Tick } from "./model.ts";
import { FLAG_COLORS, REGIME_RGB } from "./palette.ts";
import { view } from "./state.ts";

/** Points per stroked path: the rasteriser is much faster on many short paths. */
export const CHUNK = 256;

function clampRange(v: number, d: readonly [number, number]): number {
  return Math.max(d[0], Math.min(d[1], v));
}

/** Draws the static layer into `g`: the background, and the scene when there is a run. */
export function drawStatic(g: CanvasRenderingContext2D): void {
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
  const run = view.run;
  if (!run) return;
  const V = view.V!;
  const detail = view.detail!;
  const { dx, dy, dz } = run;
  const xb = V.Cx > 0 ? dx[0] : dx[1], xf = xb === dx[0] ? dx[1] : dx[0];
  const yb = V.Cy > 0 ? dy[0] : dy[1];
  const zb = V.Cz > 0 ? dz[0] : dz[1], zf = zb === dz[0] ? dz[1] : dz[0];
  const tx = axisTicks(run.ax, 6), ty = axisTicks(run.ay, 5), tz = axisTicks(run.az, 5);
  const th = run.th;
  g.lineCap = "round";
  g.lineJoin = "round";

  // back walls
  g.fillStyle = "rgba(40, 70, 110, 0.10)";
  if (quad(g, [[dx[0], dy[0], zb], [dx[1], dy[0], zb], [dx[1], dy[1], zb], [dx[0], dy[1], zb]])) {
    g.fill();
  }
  if (quad(g, [[dx[0], yb, dz[0]], [dx[1], yb, dz[0]], [dx[1], yb, dz[1]], [dx[0], yb, dz[1]]])) {
    g.fill();
  }
  if (quad(g, [[xb, dy[0], dz[0]], [xb, dy[1], dz[0]], [xb, dy[1], dz[1]], [xb, dy[0], dz[1]]])) {
    g.fill();
  }

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
      g.fillStyle = "rgba(" + REGIME_RGB[regime] + ", " + (regime === 3 ? 0.06 : 0.11) + ")";
      for (const q of quads) if (quad(g, q)) g.fill();
    }
  }

  // grid on the back walls
  g.lineWidth = 1;
  g.strokeStyle = "rgba(120, 160, 210, 0.11)";
  for (const { v } of tx) {
    line3(g, [v, dy[0], zb], [v, dy[1], zb]);
    line3(g, [v, yb, dz[0]], [v, yb, dz[1]]);
  }
  for (const { v } of ty) {
    line3(g, [dx[0], v, zb], [dx[1], v, zb]);
    line3(g, [xb, v, dz[0]], [xb, v, dz[1]]);
  }
  for (const { v } of tz) {
    line3(g, [dx[0], yb, v], [dx[1], yb, v]);
    line3(g, [xb, dy[0], v], [xb, dy[1], v]);
  }

  // box edges
  g.strokeStyle = "rgba(150, 185, 230, 0.32)";
  const cx = [dx[0], dx[1]] as const, cy = [dy[0], dy[1]] as const, cz = [dz[0], dz[1]] as const;
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      line3(g, [cx[0], cy[a]!, cz[b]!], [cx[1], cy[a]!, cz[b]!]);
      line3(g, [cx[a]!, cy[0], cz[b]!], [cx[a]!, cy[1], cz[b]!]);
      line3(g, [cx[a]!, cy[b]!, cz[0]], [cx[a]!, cy[b]!, cz[1]]);
    }
  }

  const inZ = (v: number) => v >= dz[0] && v <= dz[1];
  // BREACH zone on the floor and the wall curtain at Z = 0
  if (inZ(0)) {
    g.fillStyle = "rgba(255, 63, 122, 0.08)";
    if (quad(g, [[dx[0], yb, dz[0]], [dx[1], yb, dz[0]], [dx[1], yb, 0], [dx[0], yb, 0]])) g.fill();
    g.fillStyle = "rgba(255, 79, 100, 0.035)";
    if (quad(g, [[dx[0], dy[0], 0], [dx[1], dy[0], 0], [dx[1], dy[1], 0], [dx[0], dy[1], 0]])) {
      g.fill();
    }
    g.strokeStyle = "rgba(255, 79, 100, 0.55)";
    g.lineWidth = 1.2;
    line3(g, [dx[0], yb, 0], [dx[1], yb, 0]);
    line3(g, [xb, dy[0], 0], [xb, dy[1], 0]);
    g.strokeStyle = "rgba(255, 79, 100, 0.3)";
    line3(g, [dx[0], dy[1], 0], [dx[1], dy[1], 0]);
    line3(g, [xf, dy[0], 0], [xf, dy[1], 0]);
  }
  if (inZ(1)) {
    g.strokeStyle = "rgba(95, 214, 200, 0.6)";
    g.setLineDash([5, 4]);
    g.lineWidth = 1.2;
    line3(g, [dx[0], yb, 1], [dx[1], yb, 1]);
    line3(g, [xb, dy[0], 1], [xb, dy[1], 1]);
    g.setLineDash([]);
  }

  if (th) {
    // threshold lines on the back walls and the floor
    const xLines = [[th.taxiX, 1], [th.maneuverX, 2], [th.ruptureX, 3]] as const;
    const yLines = [[th.maneuverY, 2], [th.ruptureY, 3]] as const;
    g.lineWidth = 1.1;
    for (let t = 0; t < xLines.length; t++) {
      const [xv, regime] = xLines[t]!;
      if (xv < dx[0] || xv > dx[1]) continue;
      g.strokeStyle = "rgba(" + REGIME_RGB[regime] + ", 0.55)";
      const top = t === 0
        ? clampRange(th.maneuverY, dy)
        : clampRange(t === 1 ? th.ruptureY : dy[1], dy);
      line3(g, [xv, dy[0], zb], [xv, top, zb]);
      line3(g, [xv, yb, dz[0]], [xv, yb, dz[1]]);
    }
    for (let t = 0; t < yLines.length; t++) {
      const [yv, regime] = yLines[t]!;
      if (yv < dy[0] || yv > dy[1]) continue;
      g.strokeStyle = "rgba(" + REGIME_RGB[regime] + ", 0.55)";
      line3(g, [dx[0], yv, zb], [clampRange(t === 0 ? th.ruptureX : dx[1], dx), yv, zb]);
      line3(g, [xb, yv, dz[0]], [xb, yv, dz[1]]);
    }
    g.setLineDash([3, 4]);
    if (th.overspeedX >= dx[0] && th.overspeedX <= dx[1]) {
      g.strokeStyle = "rgba(255, 138, 61, 0.55)";
      line3(g, [th.overspeedX, yb, dz[0]], [th.overspeedX, yb, dz[1]]);
    }
    if (th.stallY >= dy[0] && th.stallY <= dy[1]) {
      g.strokeStyle = "rgba(88, 199, 255, 0.5)";
      line3(g, [dx[0], th.stallY, zb], [dx[1], th.stallY, zb]);
      line3(g, [xb, th.stallY, dz[0]], [xb, th.stallY, dz[1]]);
    }
    g.setLineDash([]);
    // envelope wireframes between the walls and the flip
    if (inZ(0) && inZ(1)) {
      box3(
        g,
        [dx[0], clampRange(th.ruptureX, dx)],
        [dy[0], clampRange(th.ruptureY, dy)],
        [0, 1],
        "rgba(255, 79, 100, 0.42)",
        [6, 4],
      );
      box3(
        g,
        [dx[0], clampRange(th.maneuverX, dx)],
        [dy[0], clampRange(th.maneuverY, dy)],
        [0, 1],
        "rgba(255, 181, 71, 0.5)",
        [2, 3],
      );
    }
  }

  // path ahead, and its shadow on the floor
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
  const floorY = mapY(run, yb);
  g.strokeStyle = "rgba(120, 150, 190, 0.16)";
  g.lineWidth = 1;
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
  g.strokeStyle = "rgba(190, 210, 235, 0.28)";
  g.lineWidth = 1.1;
  polyline(g, 0, dec.length - 1);

  // flags ahead, faint
  g.globalAlpha = 0.35;
  for (let fl = 0; fl < 3; fl++) {
    const list = run.onsets[fl]!.list;
    for (let k = 0; k < list.length; k++) {
      const m = list[k]!;
      if (proj(run.wx[m]!, run.wy[m]!, run.wz[m]!)) drawMarker(g, fl, P[0], P[1], 3.5);
    }
  }
  g.globalAlpha = 1;

  // axes, ticks and titles
  drawAxes(g, { xb, xf, yb, zb, zf }, tx, ty, tz);
  if (th) drawZoneLabels(g, zb);
}

function box3(
  g: CanvasRenderingContext2D,
  X: readonly [number, number],
  Y: readonly [number, number],
  Z: readonly [number, number],
  color: string,
  dash: number[],
): void {
  g.strokeStyle = color;
  g.lineWidth = 1.2;
  g.setLineDash(dash);
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      line3(g, [X[0], Y[a]!, Z[b]!], [X[1], Y[a]!, Z[b]!]);
      line3(g, [X[a]!, Y[0], Z[b]!], [X[a]!, Y[1], Z[b]!]);
      line3(g, [X[a]!, Y[b]!, Z[0]], [X[a]!, Y[b]!, Z[1]]);
    }
  }
  g.setLineDash([]);
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

/** The box's sides as seen from the camera: back and front X, floor Y, back and front Z. */
interface Sides {
  xb: number;
  xf: number;
  yb: number;
  zb: number;
  zf: number;
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
