/**
 * The flight view's entry point, run once by the page the `html` renderer writes: puts the
 * embedded run on screen, installs the controls and `window.__flight`, and starts the
 * animation loop.
 *
 * @module
 */
/// <reference lib="dom" />
import { api, type FlightApi } from "./api.ts";
import { installControls } from "./controls.ts";
import { decodeFrames } from "./data.ts";
import { canvas, embedded } from "./dom.ts";
import { draw } from "./draw.ts";
import { installLoader } from "./loader.ts";
import { makeRun } from "./model.ts";
import { advance, setPlayIcon, setRun } from "./playback.ts";
import { envelopeLevelsOf } from "./rules.ts";
import { SETTLE_MS, view } from "./state.ts";

declare global {
  /** The view's state and actions, for tests and tools. */
  var __flight: FlightApi | undefined;
}

globalThis.__flight = api;

function tick(now: number): void {
  requestAnimationFrame(tick);
  const run = view.run;
  if (view.playing && run && run.n > 1) {
    advance(view.lastTime ? Math.min(0.25, (now - view.lastTime) / 1000) : 0, embedded.fps);
  }
  view.lastTime = now;
  const detail = view.detail;
  if (
    !view.dirty && detail && run && detail !== run.full &&
    now - view.lastInteraction >= SETTLE_MS
  ) {
    view.dirty = true;
  }
  if (view.dirty) draw();
}

installControls();
installLoader();
globalThis.addEventListener("resize", () => {
  view.dirty = true;
});
if (globalThis.ResizeObserver) {
  new ResizeObserver(() => {
    view.dirty = true;
  }).observe(canvas);
}

setRun(makeRun(decodeFrames(embedded.frames), {
  source: "embedded",
  name: embedded.name,
  seed: embedded.seed,
  runIndex: embedded.run,
  levels: envelopeLevelsOf(embedded.levels),
  maxTrailPoints: embedded.maxTrailPoints,
}));
setPlayIcon();
draw();
api.loadedMs = performance.now();
requestAnimationFrame(tick);
