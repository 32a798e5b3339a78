/**
 * One draw of the view: fits the canvases to the window, then composes the scene and the live
 * layer. With WebGL2 (viewer/gl.ts) the GPU draws the scene and the trail each time, under a
 * cached Canvas 2D layer of labels; without it, the Canvas 2D path composes the cached static
 * layer and the trail layer brought up to the frame. `window.__flightRender` tells tests and
 * tools which path draws and what the last draw took.
 *
 * @module
 */
/// <reference lib="dom" />
import { api } from "./api.ts";
import { fitHome, followCraft, updateView } from "./camera.ts";
import { $, canvas, ctx, sctx, staticCanvas, trailCanvas } from "./dom.ts";
import { floorWorldY, GlView } from "./gl.ts";
import { updateHud } from "./hud.ts";
import { frameOnCanvas } from "./pick.ts";
import { drawLabelLayer, drawScene, drawStatic, sidesOf } from "./scene.ts";
import { SETTLE_MS, view } from "./state.ts";
import { drawTimeline } from "./timeline.ts";
import { drawLive, updateTrail } from "./trail.ts";

/** Which path draws the view, and what its last draw took. */
export interface RenderInfo {
  /**
   * `webgl2` where the browser runs WebGL2 on a GPU (or the address asks for it with
   * `?renderer=webgl2`), `canvas2d` otherwise, after a lost context, or with `?renderer=canvas2d`.
   */
  renderer: "webgl2" | "canvas2d";
  /** Vertices the last WebGL2 draw submitted; 0 on the Canvas 2D path. */
  vertices: number;
  /** The most any draw of this run may submit (`frameVertexBound` of viewer/gl.ts). */
  vertexBound: number;
  /** The largest {@linkcode RenderInfo.vertices} since the run went on screen. */
  maxVertices: number;
  /** Draw calls of the last WebGL2 draw. */
  drawCalls: number;
  /** Whether each draw waits for the GPU to finish, so that draw times include its work. */
  syncTiming: boolean;
}

declare global {
  /** Which renderer draws the view, and its last draw's size, for tests and tools. */
  var __flightRender: RenderInfo | undefined;
}

/** What `window.__flightRender` shows. */
export const renderInfo: RenderInfo = {
  renderer: "canvas2d",
  vertices: 0,
  vertexBound: 0,
  maxVertices: 0,
  drawCalls: 0,
  syncTiming: false,
};
globalThis.__flightRender = renderInfo;

/** The WebGL2 renderer, made on the first draw; `null` where WebGL2 is unavailable. */
let gl: GlView | null | undefined;
/** The run the renderer's buffers hold. */
let glRunVersion = -1;

/**
 * The renderer the page asks for in its address, `?renderer=webgl2` (WebGL2 even in software)
 * or `?renderer=canvas2d`; otherwise WebGL2 where the GPU runs it, Canvas 2D elsewhere.
 */
function askedRenderer(): string | null {
  try {
    return new URLSearchParams(globalThis.location.search).get("renderer");
  } catch {
    return null;
  }
}

function glView(): GlView | null {
  if (gl === undefined) {
    const asked = askedRenderer();
    gl = asked === "canvas2d" ? null : GlView.create({ softwareToo: asked === "webgl2" });
  }
  if (gl && gl.lost) gl = null;
  renderInfo.renderer = gl ? "webgl2" : "canvas2d";
  return gl;
}

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

/** Draws the scene with WebGL2, under the cached labels and the live layer. */
function drawGl(g: GlView): void {
  const run = view.run!;
  view.detail = run.full;
  if (glRunVersion !== view.runVersion) {
    glRunVersion = view.runVersion;
    g.setRun(run);
    view.staticKey = "";
    renderInfo.maxVertices = 0;
  }
  g.resize(canvas.width, canvas.height);
  const key = "gl:" + view.camVersion + ":" + view.sizeVersion + ":" + view.runVersion + ":" +
    view.sceneVersion;
  if (key !== view.staticKey) {
    view.staticKey = key;
    const ts0 = performance.now();
    const sides = sidesOf();
    g.setScene((p) => drawScene(p, sides));
    drawLabelLayer(sctx);
    api.timing.staticMs = performance.now() - ts0;
  }
  const tt0 = performance.now();
  const V = view.V!;
  const stats = g.render(view.frame, {
    V,
    W: view.W,
    H: view.H,
    DPR: view.DPR,
    floorY: floorWorldY(V),
  });
  if (renderInfo.syncTiming) g.sync();
  api.timing.trailMs = performance.now() - tt0;
  renderInfo.vertices = stats.vertices;
  renderInfo.vertexBound = stats.bound;
  renderInfo.maxVertices = Math.max(renderInfo.maxVertices, stats.vertices);
  renderInfo.drawCalls = stats.drawCalls;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(g.canvas, 0, 0);
  ctx.drawImage(staticCanvas, 0, 0);
  ctx.setTransform(view.DPR, 0, 0, view.DPR, 0, 0);
  drawLive(ctx, { gpuTrail: true });
  drawHover(ctx);
}

/** Draws the view now. */
export function draw(): void {
  const t0 = performance.now();
  resize();
  followCraft();
  updateView();
  const run = view.run;
  const g = run && run.n > 0 ? glView() : null;
  if (g) {
    drawGl(g);
    finish(t0);
    return;
  }
  renderInfo.vertices = 0;
  renderInfo.drawCalls = 0;
  const coarse = run && performance.now() - view.lastInteraction < SETTLE_MS;
  view.detail = run ? (coarse ? run.coarse : run.full) : null;
  const key = view.camVersion + ":" + view.sizeVersion + ":" + view.runVersion + ":" +
    view.sceneVersion + (coarse ? ":coarse" : "");
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
    drawLive(ctx, { gpuTrail: false });
    drawHover(ctx);
  }
  finish(t0);
}

/** Rings the trail frame under the pointer, if any. */
function drawHover(g: CanvasRenderingContext2D): void {
  const at = view.hover >= 0 ? frameOnCanvas(view.hover) : null;
  if (!at) return;
  g.strokeStyle = "rgba(255, 255, 255, 0.9)";
  g.lineWidth = 1.5;
  g.setLineDash([]);
  g.beginPath();
  g.arc(at[0], at[1], 5, 0, Math.PI * 2);
  g.stroke();
}

/** Brings the HUD up to the frame and counts the draw. */
function finish(t0: number): void {
  if (view.hudFrame !== view.frame || view.hudFrame < 0) updateHud();
  api.draws++;
  api.lastDrawMs = performance.now() - t0;
  api.drawMs += api.lastDrawMs;
  view.dirty = false;
}
