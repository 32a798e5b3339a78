/**
 * One draw of the view: fits the canvases to the window, then composes the cached static layer,
 * the trail layer brought up to the frame, and the live layer.
 *
 * @module
 */
/// <reference lib="dom" />
import { api } from "./api.ts";
import { fitHome, updateView } from "./camera.ts";
import { $, canvas, ctx, sctx, staticCanvas, trailCanvas } from "./dom.ts";
import { updateHud } from "./hud.ts";
import { drawStatic } from "./scene.ts";
import { SETTLE_MS, view } from "./state.ts";
import { drawTimeline } from "./timeline.ts";
import { drawLive, updateTrail } from "./trail.ts";

/** Fits the canvases to the view's size; returns whether it changed. */
function resize(): boolean {
  const rect = canvas.getBoundingClientRect();
  const dpr = globalThis.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(rect.width)), h = Math.max(1, Math.round(rect.height));
  if (w === view.W && h === view.H && dpr === view.DPR) return false;
  view.W = w;
  view.H = h;
  view.DPR = dpr;
  const pw = Math.round(w * dpr), ph = Math.round(h * dpr);
  canvas.width = pw;
  canvas.height = ph;
  staticCanvas.width = pw;
  staticCanvas.height = ph;
  trailCanvas.width = pw;
  trailCanvas.height = ph;
  // centre the scene in the room the HUD and the legend leave free
  const hud = $("hud").getBoundingClientRect(), legend = $("legend").getBoundingClientRect();
  let left = Math.max(0, hud.right - rect.left);
  let right = legend.width > 0 ? Math.max(0, rect.right - legend.left) : 0;
  if (w - left - right < w * 0.5) {
    left = 0;
    right = 0;
  }
  view.FREE = { left, width: w - left - right };
  view.sizeVersion++;
  fitHome();
  drawTimeline();
  return true;
}

/** Draws the view now. */
export function draw(): void {
  const t0 = performance.now();
  resize();
  updateView();
  const run = view.run;
  const coarse = run && performance.now() - view.lastInteraction < SETTLE_MS;
  view.detail = run ? (coarse ? run.coarse : run.full) : null;
  const key = view.camVersion + ":" + view.sizeVersion + ":" + view.runVersion +
    (coarse ? ":coarse" : "");
  if (key !== view.staticKey) {
    view.staticKey = key;
    const ts0 = performance.now();
    drawStatic(sctx);
    api.timing.staticMs = performance.now() - ts0;
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(staticCanvas, 0, 0);
  if (run && run.n > 0) {
    const tt0 = performance.now();
    updateTrail();
    api.timing.trailMs = performance.now() - tt0;
    ctx.drawImage(trailCanvas, 0, 0);
    ctx.setTransform(view.DPR, 0, 0, view.DPR, 0, 0);
    drawLive(ctx);
  }
  if (view.hudFrame !== view.frame || view.hudFrame < 0) updateHud();
  api.draws++;
  api.lastDrawMs = performance.now() - t0;
  api.drawMs += api.lastDrawMs;
  view.dirty = false;
}
