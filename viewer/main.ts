/**
 * The flight view's entry point, run once by the page the `html` renderer writes: puts the
 * embedded run on screen (with the embedded batch's fan, if any, and at the frame a `#t=`
 * fragment names), installs the controls, the panels and `window.__flight`, and starts the
 * animation loop.
 *
 * @module
 */
/// <reference lib="dom" />
import { api, type FlightApi } from "./api.ts";
import { installCameraKeys } from "./camera.ts";
import { installControls } from "./controls.ts";
import { decodeFrames } from "./data.ts";
import { canvas, embedded } from "./dom.ts";
import { draw } from "./draw.ts";
import { installLoader, showFanNote } from "./loader.ts";
import { makeRun } from "./model.ts";
import { installPanels, updatePanelMarks } from "./panels.ts";
import { parseFan } from "./panels_fan.ts";
import { fragmentTime, frameOfFragment, writeFragment } from "./panels_share.ts";
import { advance, pause, seek, setPlayIcon, setRun, setSelection } from "./playback.ts";
import { envelopeLevelsOf } from "./rules.ts";
import { SETTLE_MS, view } from "./state.ts";

declare global {
  /** The view's state and actions, for tests and tools. */
  var __flight: FlightApi | undefined;
}

globalThis.__flight = api;

/** The frame the panels last marked, and the one the fragment last named. */
let marked = -1, shared = -1, shareAt = 0;

/** Keeps the panels' frame line and, once playback rests, the `#t=` fragment on the frame. */
function follow(now: number): void {
  if (view.frame !== marked) {
    marked = view.frame;
    updatePanelMarks();
    shareAt = now + 250;
  }
  if (!view.playing && view.frame !== shared && now >= shareAt && view.run && view.run.n) {
    shared = view.frame;
    writeFragment(view.frame);
  }
}

/** Goes to the frame the page's `#t=` fragment names, if any. */
function openAtFragment(): void {
  const at = frameOfFragment(fragmentTime());
  if (at < 0) return;
  pause();
  seek(at);
  shared = at;
}

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
  follow(now);
}

installControls();
installCameraKeys();
installLoader();
installPanels({
  seek: (i) => {
    pause();
    seek(i);
  },
  select: setSelection,
});
globalThis.addEventListener("hashchange", openAtFragment);
const summary = document.getElementById("flight-summary");
if (summary) {
  const read = parseFan(summary.textContent ?? "");
  if (read.ok) view.fan = read.fan;
  else console.warn("The page's embedded summary is not used: " + read.problems.join("; "));
}
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
if (view.fan) showFanNote("embedded");
openAtFragment();
draw();
api.loadedMs = performance.now();
requestAnimationFrame(tick);
