/**
 * The trail layer, drawn incrementally as the frame advances (the flown trail coloured by
 * regime and the flags that fired), and the live layer drawn every frame: the segment since
 * the last trail point, the craft with its drop line, glow and tag, and, when the frames carry
 * levels that move, the levels in force on the current frame beside the walls and the flip.
 *
 * @module
 */
/// <reference lib="dom" />
import { FLAGS, REGIMES } from "../core/frame.ts";
import { P, proj, projData } from "./camera.ts";
import { levelsAt } from "./data.ts";
import { font, tctx, trailCanvas } from "./dom.ts";
import { mapY, upperBound } from "./model.ts";
import { FLAG_COLORS, REGIME_COLORS, REGIME_RGB } from "./palette.ts";
import { CHUNK, drawMarker } from "./scene.ts";
import { view } from "./state.ts";

/** Strokes trail segments `k0` to `k1`, one path per stretch of one regime. */
function strokeTrail(g: CanvasRenderingContext2D, k0: number, k1: number): void {
  // segment k (from dec[k - 1] to dec[k]) takes the regime of dec[k]; one path per regime
  if (k1 < Math.max(1, k0)) return;
  const run = view.run!;
  const detail = view.detail!;
  const { dec, sx, sy } = detail;
  const reg = run.c.regime;
  const glow = detail === run.full;
  g.lineCap = "round";
  g.lineJoin = "round";
  let k = Math.max(1, k0);
  while (k <= k1) {
    // a run of segments in one regime, at most CHUNK long
    const r = reg[dec[k]!]!, start = k;
    while (k <= k1 && reg[dec[k]!] === r && k - start < CHUNK) k++;
    g.beginPath();
    let pen = false, lx = 0, ly = 0;
    for (let j = start - 1; j < k; j++) {
      const x = sx[j]!, y = sy[j]!;
      if (Number.isNaN(x)) {
        pen = false;
        continue;
      }
      if (pen) {
        if (Math.abs(x - lx) + Math.abs(y - ly) < 0.75 && j < k - 1) continue;
        g.lineTo(x, y);
      } else g.moveTo(x, y);
      pen = true;
      lx = x;
      ly = y;
    }
    if (glow) {
      g.strokeStyle = "rgba(" + REGIME_RGB[r] + ", 0.2)";
      g.lineWidth = 5;
      g.stroke();
    }
    g.strokeStyle = REGIME_COLORS[r]!;
    g.lineWidth = 1.8;
    g.stroke();
  }
}

/** Writes "first BREACH" beside its marker. */
function firstBreachLabel(g: CanvasRenderingContext2D, x: number, y: number): void {
  g.font = font("700 11px ", "--sans");
  g.fillStyle = FLAG_COLORS[0]!;
  g.textAlign = "left";
  g.textBaseline = "bottom";
  g.fillText("first BREACH", x + 8, y - 6);
}

/** Price digits for a level: six significant, as the HUD shows them. */
function price(v: number | undefined): string {
  return v === undefined || !isFinite(v) ? "?" : String(Number(v.toPrecision(6)));
}

/**
 * Labels the wall curtain (Z = 0) and the flip (Z = 1) with the levels in force on the current
 * frame, redrawn each frame, when the frames carry levels that move (SPEC §7): the planes stay
 * where Z puts them, while the prices they stand for move, and an arrow shows which way each
 * moved since the frame before.
 */
function drawLevelTags(g: CanvasRenderingContext2D): void {
  const run = view.run!;
  const i = view.frame;
  const now = levelsAt(run.c, i, run.levels);
  const before = i > 0 ? levelsAt(run.c, i - 1, run.levels) : now;
  const arrow = (a: number | undefined, b: number | undefined): string =>
    a === undefined || b === undefined || a === b ? "" : a > b ? " \u25B2" : " \u25BC";
  const { dx, dy, dz } = run;
  const V = view.V!;
  const xf = V.Cx > 0 ? dx[1] : dx[0];
  g.font = font("600 10.5px ", "--mono");
  g.textBaseline = "middle";
  g.textAlign = "left";
  if (dz[0] <= 0 && dz[1] >= 0 && projData(xf, (dy[0] + dy[1]) / 2, 0)) {
    g.fillStyle = "rgba(255, 110, 130, 0.9)";
    g.fillText(
      "put " + price(now.putWall) + arrow(now.putWall, before.putWall) + " \u00B7 call " +
        price(now.callWall) + arrow(now.callWall, before.callWall),
      P[0] + 8,
      P[1],
    );
  }
  if (dz[0] <= 1 && dz[1] >= 1 && projData(xf, (dy[0] + dy[1]) / 2, 1)) {
    g.fillStyle = "rgba(95, 214, 200, 0.95)";
    g.fillText(
      "flip " + price(now.flip) + arrow(now.flip, before.flip) + " \u00B7 ATR " +
        price(now.atr) + arrow(now.atr, before.atr),
      P[0] + 8,
      P[1],
    );
  }
}

/** Draws the flag onsets not yet on the trail layer, up to a frame. */
function markersUpTo(g: CanvasRenderingContext2D, toFrame: number): void {
  const run = view.run!;
  for (let f = 0; f < 3; f++) {
    const list = run.onsets[f]!.list;
    let k = view.trailMarkerPos[f]!;
    while (k < list.length && list[k]! <= toFrame) {
      const m = list[k]!;
      if (proj(run.wx[m]!, run.wy[m]!, run.wz[m]!)) {
        const first = f === 0 && m === run.firstBreach;
        drawMarker(g, f, P[0], P[1], first ? 6.5 : 4.5);
        if (first) firstBreachLabel(g, P[0], P[1]);
      }
      k++;
    }
    view.trailMarkerPos[f] = k;
  }
}

/**
 * Brings the trail layer up to the current frame: from scratch after the static layer
 * changed or the frame went back, otherwise only the new segments.
 */
export function updateTrail(): void {
  const key = view.staticKey;
  const g = tctx;
  const { frame, DPR } = view;
  const k = upperBound(view.detail!.dec, frame) - 1;
  if (view.trailKey !== key || frame < view.trailFrame) {
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, trailCanvas.width, trailCanvas.height);
    g.setTransform(DPR, 0, 0, DPR, 0, 0);
    view.trailMarkerPos = [0, 0, 0];
    strokeTrail(g, 1, k);
    markersUpTo(g, frame);
  } else if (frame > view.trailFrame) {
    strokeTrail(g, view.trailK + 1, k);
    markersUpTo(g, frame);
  }
  view.trailKey = key;
  view.trailFrame = frame;
  view.trailK = k;
}

/** How the live layer is drawn. */
export interface LiveOptions {
  /**
   * Whether the GPU drew the flown trail up to the current frame (the WebGL2 path), so that the
   * live segment starts there and the first BREACH's name is written here.
   */
  gpuTrail: boolean;
}

/** Draws the live layer: the craft at the current frame, gliding to the next while playing. */
export function drawLive(g: CanvasRenderingContext2D, options: LiveOptions): void {
  const run = view.run!;
  const n = run.n;
  if (n === 0) return;
  if (options.gpuTrail && run.firstBreach >= 0 && view.frame >= run.firstBreach) {
    const m = run.firstBreach;
    if (proj(run.wx[m]!, run.wy[m]!, run.wz[m]!)) firstBreachLabel(g, P[0], P[1]);
  }
  if (run.movingLevels) drawLevelTags(g);
  const i = view.frame, frac = view.playing ? view.pos - Math.floor(view.pos) : 0;
  const j = Math.min(n - 1, i + 1);
  const wx = run.wx[i]! + (run.wx[j]! - run.wx[i]!) * frac;
  const wy = run.wy[i]! + (run.wy[j]! - run.wy[i]!) * frac;
  const wz = run.wz[i]! + (run.wz[j]! - run.wz[i]!) * frac;
  const reg = run.c.regime[i]!;
  const color = REGIME_COLORS[reg]!;
  g.lineCap = "round";
  // segment from the last trail point through frame i to the craft
  const k = options.gpuTrail ? 0 : view.trailK;
  if (k >= 0) {
    const from = options.gpuTrail ? i : view.detail!.dec[k]!;
    g.strokeStyle = color;
    g.lineWidth = 1.8;
    g.beginPath();
    if (proj(run.wx[from]!, run.wy[from]!, run.wz[from]!)) g.moveTo(P[0], P[1]);
    if (proj(run.wx[i]!, run.wy[i]!, run.wz[i]!)) g.lineTo(P[0], P[1]);
    if (proj(wx, wy, wz)) g.lineTo(P[0], P[1]);
    g.stroke();
  }
  if (!proj(wx, wy, wz)) return;
  const px = P[0], py = P[1];
  // drop line to the floor and the back wall
  const floorY = mapY(run, view.V!.Cy > 0 ? run.dy[0] : run.dy[1]);
  g.setLineDash([3, 3]);
  g.lineWidth = 1;
  g.strokeStyle = "rgba(" + REGIME_RGB[reg] + ", 0.6)";
  if (proj(wx, floorY, wz)) {
    g.beginPath();
    g.moveTo(px, py);
    g.lineTo(P[0], P[1]);
    g.stroke();
    g.setLineDash([]);
    g.beginPath();
    g.ellipse(P[0], P[1], 6, 2.5, 0, 0, Math.PI * 2);
    g.stroke();
  }
  g.setLineDash([]);
  // glow and craft
  const glow = g.createRadialGradient(px, py, 0, px, py, 22);
  glow.addColorStop(0, "rgba(" + REGIME_RGB[reg] + ", 0.55)");
  glow.addColorStop(1, "rgba(" + REGIME_RGB[reg] + ", 0)");
  g.fillStyle = glow;
  g.beginPath();
  g.arc(px, py, 22, 0, Math.PI * 2);
  g.fill();
  g.fillStyle = "#ffffff";
  g.beginPath();
  g.arc(px, py, 3.6, 0, Math.PI * 2);
  g.fill();
  g.strokeStyle = color;
  g.lineWidth = 2;
  g.beginPath();
  g.arc(px, py, 7, 0, Math.PI * 2);
  g.stroke();
  // tag
  let tag: string = REGIMES[reg]!;
  const fl = run.c.flags[i]!;
  for (let b = 0; b < 3; b++) if (fl & (1 << b)) tag += " · " + FLAGS[b];
  g.font = font("600 11px ", "--mono");
  const tw = g.measureText(tag).width;
  let bx = px + 14;
  const by = py - 24;
  if (bx + tw + 12 > view.W) bx = px - 14 - tw - 12;
  g.fillStyle = "rgba(8, 13, 21, 0.82)";
  g.strokeStyle = "rgba(" + REGIME_RGB[reg] + ", 0.7)";
  g.lineWidth = 1;
  g.beginPath();
  if (g.roundRect) g.roundRect(bx, by, tw + 12, 18, 4);
  else g.rect(bx, by, tw + 12, 18);
  g.fill();
  g.stroke();
  g.fillStyle = fl & 1 ? FLAG_COLORS[0]! : color;
  g.textAlign = "left";
  g.textBaseline = "middle";
  g.fillText(tag, bx + 6, by + 9.5);
}
