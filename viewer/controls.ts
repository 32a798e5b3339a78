/**
 * Mouse, keyboard and button input: hover a trail point for its values, click one to go to its
 * frame, drag to orbit, shift-drag or right-drag to move, wheel to
 * zoom; the keys of the help list; the transport buttons, the scrubber, speed, loop and the
 * timeline; the event list, the selection's buttons, the time toggle, the panels' toggle and
 * the exports.
 *
 * @module
 */
/// <reference lib="dom" />
import { REGIMES } from "../core/frame.ts";
import { pointer } from "./api.ts";
import { orbit, pan, resetCamera, zoom } from "./camera.ts";
import { $, canvas, scrubber, timeline } from "./dom.ts";
import { frameTimeText, showEventList, showPickTip } from "./hud.ts";
import { upperBound } from "./model.ts";
import { resizePanels } from "./panels.ts";
import { pickFrame } from "./pick.ts";
import { exportCsv, exportPng } from "./panels_share.ts";
import {
  jumpEvent,
  pause,
  seek,
  setLoop,
  setSelection,
  setSpeed,
  setTimeMode,
  step,
  togglePlay,
  zoomToSelection,
} from "./playback.ts";
import { SPEEDS, view } from "./state.ts";
import { timelineFrame } from "./timeline.ts";

/** Shows or hides the key list; toggles it when `show` is not given. */
function toggleHelp(show?: boolean): void {
  const help = $("help");
  help.hidden = show === undefined ? !help.hidden : !show;
}

function toggleTimeMode(): void {
  if (view.run && view.run.dated) setTimeMode(view.timeMode === "date" ? "step" : "date");
}

function togglePanels(): void {
  document.body.classList.toggle("no-panels");
  view.dirty = true;
  requestAnimationFrame(() => resizePanels());
}

function lastFrame(): number {
  return view.run ? view.run.n - 1 : 0;
}

/** How far the pointer may move between press and release for a click, CSS pixels. */
const CLICK_SLOP = 3;

/** The pointer's position on the canvas, CSS pixels. */
function onCanvas(e: MouseEvent): [number, number] {
  const rect = canvas.getBoundingClientRect();
  return [e.clientX - rect.left, e.clientY - rect.top];
}

/**
 * Hovers a point of the canvas: the trail frame under it, if any, shows in the tooltip and is
 * ringed in the scene.
 *
 * @param at The point, CSS pixels from the canvas's top left corner.
 * @returns The frame, -1 for none.
 */
export function hoverAt(at: readonly [number, number]): number {
  const frame = pickFrame(at[0], at[1]);
  showPickTip(frame, at);
  canvas.classList.toggle("picking", frame >= 0);
  if (frame !== view.hover) {
    view.hover = frame;
    view.dirty = true;
  }
  return frame;
}

/**
 * Clicks a point of the canvas: goes to the trail frame under it, if any, and pauses.
 *
 * @param at The point, CSS pixels from the canvas's top left corner.
 * @returns The frame, -1 for none (the view then stays where it is).
 */
export function clickAt(at: readonly [number, number]): number {
  const frame = pickFrame(at[0], at[1]);
  if (frame >= 0) {
    pause();
    seek(frame);
    view.dirty = true;
  }
  return frame;
}

function installPointer(): void {
  pointer.hover = hoverAt;
  let drag: { x: number; y: number; pan: boolean; moved: number; button: number } | null = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = {
      x: e.clientX,
      y: e.clientY,
      pan: e.shiftKey || e.button === 2,
      moved: 0,
      button: e.button,
    };
    canvas.setPointerCapture(e.pointerId);
    canvas.classList.add("dragging");
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) {
      hoverAt(onCanvas(e));
      return;
    }
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    drag.x = e.clientX;
    drag.y = e.clientY;
    drag.moved += Math.abs(dx) + Math.abs(dy);
    if (drag.moved <= CLICK_SLOP) return;
    hoverAt([-1e9, -1e9]);
    const V = view.V;
    if (drag.pan) {
      pan(-dx / Math.max(60, V ? V.F * 0.35 : 200), dy / Math.max(60, V ? V.F * 0.35 : 200));
    } else orbit(-dx * 0.006, dy * 0.006);
  });
  const endDrag = () => {
    drag = null;
    canvas.classList.remove("dragging");
  };
  canvas.addEventListener("pointerup", (e) => {
    // a press and release that did not move is a click on the trail
    const click = drag && drag.moved <= CLICK_SLOP && drag.button === 0 && !drag.pan;
    endDrag();
    if (click) clickAt(onCanvas(e));
  });
  canvas.addEventListener("pointercancel", endDrag);
  canvas.addEventListener("pointerleave", () => {
    if (!drag) hoverAt([-1e9, -1e9]);
  });
  canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    zoom(Math.exp(Math.max(-1, Math.min(1, e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)))));
  }, { passive: false });
}

/** Handles a key of the help list; returns whether it was one. */
function handleKey(e: KeyboardEvent): boolean {
  const k = e.key, code = e.code;
  const a = 0.09, fine = e.shiftKey ? 0.3 : 1;
  if (k === " " || code === "Space") togglePlay();
  else if (k === "," || k === "<") step(-1);
  else if (k === "." || k === ">") step(1);
  else if (k === "?" || (code === "Slash" && e.shiftKey)) toggleHelp();
  else if (k === "Escape") toggleHelp(false);
  else if (k === "ArrowLeft") orbit(a * fine, 0);
  else if (k === "ArrowRight") orbit(-a * fine, 0);
  else if (k === "ArrowUp") orbit(0, a * fine);
  else if (k === "ArrowDown") orbit(0, -a * fine);
  else if (code === "KeyW") pan(0, fine);
  else if (code === "KeyS") pan(0, -fine);
  else if (code === "KeyA") pan(-fine, 0);
  else if (code === "KeyD") pan(fine, 0);
  else if (code === "KeyQ") zoom(1 + 0.12 * fine);
  else if (code === "KeyE") zoom(1 / (1 + 0.12 * fine));
  else if (code === "KeyR") resetCamera();
  else if (code === "KeyL") setLoop(!view.loop);
  else if (code === "KeyN") jumpEvent(1);
  else if (code === "KeyP") jumpEvent(-1);
  else if (code === "KeyT") toggleTimeMode();
  else if (code === "KeyG") togglePanels();
  else if (code === "KeyZ") zoomToSelection();
  else if (code === "KeyX") setSelection(null);
  else if (k === "[") setSpeed(view.speedIndex - 1);
  else if (k === "]") setSpeed(view.speedIndex + 1);
  else if (k === "Home") {
    pause();
    seek(0);
  } else if (k === "End") {
    pause();
    seek(lastFrame());
  } else return false;
  return true;
}

function installKeyboard(): void {
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement | null;
    if (t && t.tagName === "SELECT" && e.key.indexOf("Arrow") === 0) return;
    if (handleKey(e)) {
      e.preventDefault();
      view.dirty = true;
    }
  });
}

function button(id: string, fn: () => void): void {
  $(id).addEventListener("click", (e) => {
    fn();
    (e.currentTarget as HTMLElement).blur();
    view.dirty = true;
  });
}

function installButtons(): void {
  button("play", togglePlay);
  button("first", () => {
    pause();
    seek(0);
  });
  button("last", () => {
    pause();
    seek(lastFrame());
  });
  button("step-back", () => step(-1));
  button("step-forward", () => step(1));
  button("help-button", () => toggleHelp());
  button("open-file", () => $("file-input").click());
  button("load-close", () => {
    $("load-panel").hidden = true;
  });
  button("time-mode", toggleTimeMode);
  button("toggle-panels", togglePanels);
  button("export-png", () => void exportPng());
  button("export-csv", exportCsv);
  button("zoom-selection", zoomToSelection);
  button("clear-selection", () => setSelection(null));
  $("event-list").addEventListener("click", (e) => {
    const item = (e.target as HTMLElement).closest(".event-item");
    if (!item) return;
    pause();
    seek(Number(item.getAttribute("data-start")));
    (item as HTMLElement).blur();
    view.dirty = true;
  });
  const regimes = $("event-regimes") as HTMLInputElement;
  regimes.addEventListener("change", () => {
    showEventList();
    regimes.blur();
  });
  scrubber.addEventListener("input", () => seek(scrubber.value));
  scrubber.addEventListener("change", () => scrubber.blur());
  const speed = $("speed") as HTMLSelectElement;
  speed.addEventListener("change", () => {
    const i = SPEEDS.indexOf(Number(speed.value));
    setSpeed(i < 0 ? 2 : i);
    speed.blur();
  });
  const loop = $("loop") as HTMLInputElement;
  loop.addEventListener("change", () => {
    setLoop(loop.checked);
    loop.blur();
  });
  timeline.addEventListener("click", (e) => {
    if (view.run && view.run.n > 0) seek(timelineFrame(e));
  });
  timeline.addEventListener("mousemove", (e) => {
    const run = view.run;
    if (!run || run.n === 0) return;
    const i = timelineFrame(e);
    let what = i === run.firstBreach ? "first BREACH" : "";
    const k = upperBound(run.changes, i) - 1;
    if (!what && k >= 0 && run.changes[k] === i) {
      what = "regime change to " + REGIMES[run.c.regime[i]!];
    }
    timeline.title = "frame " + i + " · " + frameTimeText(i) + (what ? " · " + what : "") +
      " (click to jump)";
  });
}

/** Listens to the mouse, the keyboard and the controls. */
export function installControls(): void {
  installPointer();
  installKeyboard();
  installButtons();
}
