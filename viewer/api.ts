/**
 * `window.__flight`: what tests and tools read of the view (the current frame, the frame
 * count, draw counts and times, the last file load) and the few actions they drive.
 *
 * @module
 */
/// <reference lib="dom" />
import type { FlightEvent } from "../core/events.ts";
import { api as panelsApi, setZoom } from "./panels.ts";
import { frameOnCanvas, type PickStats, pickStats } from "./pick.ts";
import { pause, play, seek, setSelection, setTimeMode } from "./playback.ts";
import { type Camera, SPEEDS, type TimeMode, view } from "./state.ts";

/** A file the view handed to the browser to save. */
export interface FileExport {
  /** The file's name. */
  name: string;
  /** Its MIME type. */
  type: string;
  /** Its size, bytes. */
  size: number;
}

/** A meta file opened with a log: its name, and whether it was used or why not. */
export interface MetaLoad {
  /** The file's name. */
  name: string;
  /** Whether it passed its checks, so that its levels are on screen. */
  ok: boolean;
  /** What is wrong with it, each naming the field; empty when it was used. */
  problems: string[];
}

/** The last file opened: its name, frames and bad lines, and how long it took. */
export interface FileLoad {
  /** The file's name. */
  name: string;
  /** Frames loaded. */
  frames: number;
  /** Bad lines in the file. */
  badCount: number;
  /** Line numbers of the bad lines listed (at most ten). */
  badLines: number[];
  /** Whether the file's frames are on screen. */
  ok: boolean;
  /** Milliseconds from the pick or drop to the frames on screen. */
  ms: number;
  /** The meta file opened with it, `null` for none. */
  meta: MetaLoad | null;
}

/** The view as tests and tools see it, at `window.__flight`. */
export interface FlightApi {
  /** Milliseconds from navigation to the first drawn frame, `null` before it. */
  loadedMs: number | null;
  /** Frames drawn. */
  draws: number;
  /** Milliseconds spent drawing, in total. */
  drawMs: number;
  /** Milliseconds the last draw took. */
  lastDrawMs: number;
  /** The last file opened, `null` before any. */
  load: FileLoad | null;
  /** The last file saved (PNG or CSV), `null` before any. */
  lastExport: FileExport | null;
  /** The run's events, by start. */
  readonly events: readonly FlightEvent[];
  /** The selected range of frames, `null` for none. */
  readonly selection: [number, number] | null;
  /** How frame times are shown. */
  readonly timeMode: TimeMode;
  /** Names of the runs drawn over the one on screen. */
  readonly overlays: string[];
  /** The fan drawn behind the run: its scenario, runs and steps, `null` for none. */
  readonly fan: { scenario: string; runs: number; steps: number; series: string[] } | null;
  /** The panels: frames plotted, visible range, and how often a fan was drawn on one. */
  readonly panels: { points: number; range: [number, number]; fanDraws: number };
  /** Selects a range of frames, or clears the selection with `null`. */
  select(range: [number, number] | null): void;
  /** Zooms the panels to a range of frames, or shows the whole run with `null`. */
  zoom(range: [number, number] | null): void;
  /** Shows frame times as steps or dates. */
  setTimeMode(mode: TimeMode): void;
  /** Milliseconds the last static-layer and trail-layer updates took. */
  timing: { staticMs: number; trailMs: number };
  /** What picking in the 3D scene has cost: queries, points tested, grid rebuilds. */
  readonly pickStats: PickStats;
  /** The trail frame under the pointer, -1 for none. */
  readonly hover: number;
  /**
   * Where a frame is drawn in the 3D scene, as the page's own camera projects it.
   *
   * @param frame The frame.
   * @returns Its position in the window's CSS pixels (as a mouse event's `clientX` and
   *   `clientY`), or `null` when it is behind the camera or not a frame.
   */
  project(frame: number): { x: number; y: number } | null;
  /**
   * Hovers a point of the window, as a mouse move over the 3D scene does.
   *
   * @param x The point's `clientX`.
   * @param y The point's `clientY`.
   * @returns The trail frame under it, -1 for none.
   */
  hoverAt(x: number, y: number): number;
  /** The current frame. */
  readonly frame: number;
  /** Number of frames of the run on screen. */
  readonly frames: number;
  /** Whether playback runs. */
  readonly playing: boolean;
  /** Playback speed. */
  readonly speed: number;
  /** Whether loop is on. */
  readonly loop: boolean;
  /** A copy of the camera. */
  readonly camera: Camera;
  /** `embedded` or `file`, `null` before the first run. */
  readonly source: string | null;
  /** Goes to a frame. */
  seek(i: number): void;
  /** Starts playback. */
  play(): void;
  /** Stops playback. */
  pause(): void;
}

/** The 3D canvas's place in the window. */
function canvasRect(): { left: number; top: number } {
  const el = document.getElementById("view");
  return el ? el.getBoundingClientRect() : { left: 0, top: 0 };
}

/** What a pointer move over the 3D scene does, set by the controls (viewer/controls.ts). */
export const pointer: { hover: (at: readonly [number, number]) => number } = {
  hover: () => -1,
};

/** The view's API object, installed as `window.__flight` by the entry module. */
export const api: FlightApi = {
  loadedMs: null,
  draws: 0,
  drawMs: 0,
  lastDrawMs: 0,
  load: null,
  lastExport: null,
  timing: { staticMs: 0, trailMs: 0 },
  get pickStats() {
    return { ...pickStats };
  },
  get hover() {
    return view.hover;
  },
  project(frame) {
    const at = frameOnCanvas(frame);
    if (!at) return null;
    const rect = canvasRect();
    return { x: rect.left + at[0], y: rect.top + at[1] };
  },
  hoverAt(x, y) {
    const rect = canvasRect();
    return pointer.hover([x - rect.left, y - rect.top]);
  },
  get events() {
    return view.events ? view.events.list : [];
  },
  get selection() {
    return view.selection ? [view.selection[0], view.selection[1]] as [number, number] : null;
  },
  get timeMode() {
    return view.timeMode;
  },
  get overlays() {
    return view.overlays.map((o) => o.name);
  },
  get fan() {
    const f = view.fan;
    return f
      ? { scenario: f.scenario, runs: f.runs, steps: f.steps.length, series: Object.keys(f.bands) }
      : null;
  },
  get panels() {
    return { points: panelsApi.points, range: panelsApi.range, fanDraws: panelsApi.fanDraws };
  },
  select(range) {
    setSelection(range);
  },
  zoom(range) {
    setZoom(range);
  },
  setTimeMode(mode) {
    setTimeMode(mode === "step" ? "step" : "date");
  },
  get frame() {
    return view.frame;
  },
  get frames() {
    return view.run ? view.run.n : 0;
  },
  get playing() {
    return view.playing;
  },
  get speed() {
    return SPEEDS[view.speedIndex]!;
  },
  get loop() {
    return view.loop;
  },
  get camera() {
    const { yaw, pitch, dist, tx, ty, tz } = view.cam;
    return { yaw, pitch, dist, tx, ty, tz };
  },
  get source() {
    return view.run ? view.run.source : null;
  },
  seek(i) {
    seek(i);
  },
  play() {
    play();
  },
  pause() {
    pause();
  },
};
