/**
 * Playback: the current frame, play and pause, stepping, speed, loop (over the selected range
 * when there is one), jumping between events, the selected range, the time display, and
 * putting a new run on screen.
 *
 * @module
 */
/// <reference lib="dom" />
import type { SeverityThresholds } from "../core/events.ts";
import { $ } from "./dom.ts";
import { nextEventStart, viewEvents } from "./events.ts";
import { showEventList, updateHud, updateRunInfo } from "./hud.ts";
import { COARSE_POINTS, type Run } from "./model.ts";
import { PAUSE_ICON, PLAY_ICON } from "./palette.ts";
import { setPanelsRun, setZoom, updatePanelMarks } from "./panels.ts";
import { SPEEDS, type TimeMode, view } from "./state.ts";
import { drawTimeline, showTimelineDates } from "./timeline.ts";

/** Shows play or pause on the play button. */
export function setPlayIcon(): void {
  const b = $("play");
  const { playing } = view;
  b.setAttribute("data-state", playing ? "playing" : "paused");
  b.title = playing ? "Pause (Space)" : "Play (Space)";
  b.querySelector("path")!.setAttribute("d", playing ? PAUSE_ICON : PLAY_ICON);
}

/** Goes to a frame (rounded and clamped to the run). */
export function seek(to: unknown): void {
  const run = view.run;
  if (!run || run.n === 0) return;
  const i = Math.max(0, Math.min(run.n - 1, Math.round(Number(to) || 0)));
  if (i < view.frame && run.full.dec.length > COARSE_POINTS * 1.5) {
    view.lastInteraction = performance.now();
  }
  view.frame = i;
  view.pos = i;
  updateHud();
  view.dirty = true;
}

/** Starts playback: from frame 0 when at the last frame, from the range's start when looping outside it. */
export function play(): void {
  const run = view.run;
  if (!run || run.n < 2) return;
  const sel = view.loop ? view.selection : null;
  if (sel && (view.frame < sel[0] || view.frame >= sel[1])) seek(sel[0]);
  else if (view.frame >= run.n - 1) seek(0);
  view.playing = true;
  view.pos = view.frame;
  view.lastTime = 0;
  $("hint").hidden = true;
  setPlayIcon();
  view.dirty = true;
}

/** Stops playback at the current frame. */
export function pause(): void {
  view.playing = false;
  view.pos = view.frame;
  setPlayIcon();
  view.dirty = true;
}

/** Play if paused, pause if playing. */
export function togglePlay(): void {
  if (view.playing) pause();
  else play();
}

/** Pauses and moves `d` frames. */
export function step(d: number): void {
  pause();
  seek(view.frame + d);
}

/** Sets the playback speed by its index in {@linkcode SPEEDS}, clamped. */
export function setSpeed(index: number): void {
  view.speedIndex = Math.max(0, Math.min(SPEEDS.length - 1, index));
  ($("speed") as HTMLSelectElement).value = String(SPEEDS[view.speedIndex]);
}

/** Turns loop on or off. */
export function setLoop(on: boolean): void {
  view.loop = !!on;
  ($("loop") as HTMLInputElement).checked = view.loop;
  updateLoopLabel();
}

function updateLoopLabel(): void {
  const s = view.selection;
  $("loop-range").textContent = s ? s[0] + "–" + s[1] : "";
  $("selection-tools").hidden = !s;
}

/**
 * Selects frames `range[0]` to `range[1]` (ordered, clamped), or clears the selection for
 * `null`: loop plays it, the CSV export writes it, the timeline and the panels show it.
 */
export function setSelection(range: [number, number] | null): void {
  const run = view.run;
  if (range && run && run.n > 0) {
    const clamp = (v: number) => Math.max(0, Math.min(run.n - 1, Math.round(Number(v) || 0)));
    const a = clamp(Math.min(range[0], range[1])), b = clamp(Math.max(range[0], range[1]));
    view.selection = b > a ? [a, b] : null;
  } else view.selection = null;
  updateLoopLabel();
  drawTimeline();
  updatePanelMarks();
  view.dirty = true;
}

/** Zooms the panels to the selected range. */
export function zoomToSelection(): void {
  if (view.selection) setZoom(view.selection);
}

/** Shows frame times as steps or as dates (when the frames carry dates). */
export function setTimeMode(mode: TimeMode): void {
  view.timeMode = mode;
  const b = $("time-mode");
  b.textContent = mode === "date" && view.run?.dated ? "date" : "step";
  b.setAttribute("data-mode", mode);
  view.hudFrame = -1;
  updateHud();
  showTimelineDates();
  showEventList();
  if (view.run) setPanelsRun();
  updatePanelMarks();
  view.dirty = true;
}

/** Pauses at the next (`dir` > 0) or previous event's start, if any. */
export function jumpEvent(dir: number): void {
  if (!view.events) return;
  const to = nextEventStart(view.events, view.frame, dir);
  if (to < 0) return;
  pause();
  seek(to);
}

/** Moves playback on by `dt` seconds at `fps` frames per second, times the speed. */
export function advance(dt: number, fps: number): void {
  const run = view.run;
  if (!view.playing || !run || run.n <= 1) return;
  view.pos += dt * fps * SPEEDS[view.speedIndex]!;
  const sel = view.loop ? view.selection : null;
  if (sel && view.pos >= sel[1]) view.pos = sel[0];
  else if (view.pos >= run.n - 1) {
    if (view.loop) view.pos = 0;
    else {
      view.pos = run.n - 1;
      view.frame = run.n - 1;
      view.playing = false;
      setPlayIcon();
    }
  }
  view.frame = Math.floor(view.pos);
  view.dirty = true;
}

/** Severity bands a run's levels publish, when they hold a set that looks like one. */
function severityOf(run: Run): SeverityThresholds | null {
  const s = (run.levels as { severity?: unknown } | null)?.severity;
  if (typeof s !== "object" || s === null) return null;
  const ok = ["breach", "overspeed", "stall"].every((k) => {
    const bands = (s as Record<string, unknown>)[k] as Record<string, Record<string, unknown>>;
    return !!bands &&
      ["medium", "high"].every((b) =>
        typeof bands[b]?.depth === "number" && typeof bands[b]?.duration === "number"
      );
  });
  return ok ? s as SeverityThresholds : null;
}

/** Puts a run on screen at frame 0. */
export function setRun(run: Run): void {
  view.run = run;
  view.events = viewEvents(run.c, { lines: run.th, severity: severityOf(run) });
  view.selection = null;
  updateLoopLabel();
  view.runVersion++;
  view.hover = -1;
  view.frame = 0;
  view.pos = 0;
  view.hudFrame = -1;
  view.trailKey = "";
  view.trailFrame = -1;
  view.trailK = -1;
  updateRunInfo();
  updateHud();
  showTimelineDates();
  drawTimeline();
  const b = $("time-mode");
  (b as HTMLButtonElement).disabled = !run.dated;
  b.textContent = view.timeMode === "date" && run.dated ? "date" : "step";
  setPanelsRun();
  view.dirty = true;
}
