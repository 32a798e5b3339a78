/**
 * Playback: the current frame, play and pause, stepping, speed, loop, jumping between events,
 * and putting a new run on screen.
 *
 * @module
 */
/// <reference lib="dom" />
import { $ } from "./dom.ts";
import { updateHud, updateRunInfo } from "./hud.ts";
import { COARSE_POINTS, type Run, upperBound } from "./model.ts";
import { PAUSE_ICON, PLAY_ICON } from "./palette.ts";
import { SPEEDS, view } from "./state.ts";
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

/** Starts playback, from frame 0 when at the last frame. */
export function play(): void {
  const run = view.run;
  if (!run || run.n < 2) return;
  if (view.frame >= run.n - 1) seek(0);
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
}

/** Pauses at the next (`dir` > 0) or previous event, if any. */
export function jumpEvent(dir: number): void {
  const run = view.run;
  if (!run || run.events.length === 0) return;
  const e = run.events;
  if (dir > 0) {
    const k = upperBound(e, view.frame);
    if (k < e.length) {
      pause();
      seek(e[k]);
    }
  } else {
    const k = upperBound(e, view.frame - 1) - 1;
    if (k >= 0) {
      pause();
      seek(e[k]);
    }
  }
}

/** Moves playback on by `dt` seconds at `fps` frames per second, times the speed. */
export function advance(dt: number, fps: number): void {
  const run = view.run;
  if (!view.playing || !run || run.n <= 1) return;
  view.pos += dt * fps * SPEEDS[view.speedIndex]!;
  if (view.pos >= run.n - 1) {
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

/** Puts a run on screen at frame 0. */
export function setRun(run: Run): void {
  view.run = run;
  view.runVersion++;
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
  view.dirty = true;
}
