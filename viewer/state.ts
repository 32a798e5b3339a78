/**
 * The view's shared, mutable state: the run on screen, the playback position, the camera and
 * the keys that tell each cached layer when to redraw. One object, so every module sees the
 * same values.
 *
 * @module
 */
import type { Columns } from "./data.ts";
import type { ViewEvents } from "./events.ts";
import type { Run, TrailLevel } from "./model.ts";
import type { Fan } from "./panels_fan.ts";

/** The orbit camera: angles in radians, distance and target in world units. */
export interface Camera {
  /** Turn around the vertical axis. */
  yaw: number;
  /** Tilt above the floor. */
  pitch: number;
  /** Distance from the target. */
  dist: number;
  /** Target X. */
  tx: number;
  /** Target Y. */
  ty: number;
  /** Target Z. */
  tz: number;
}

/** The camera's position and axes, and the screen projection, as of the last change. */
export interface ViewTransform {
  /** Camera position X. */
  Cx: number;
  /** Camera position Y. */
  Cy: number;
  /** Camera position Z. */
  Cz: number;
  /** Forward axis X. */
  fx: number;
  /** Forward axis Y. */
  fy: number;
  /** Forward axis Z. */
  fz: number;
  /** Right axis X. */
  rx: number;
  /** Right axis Y. */
  ry: number;
  /** Right axis Z. */
  rz: number;
  /** Up axis X. */
  ux: number;
  /** Up axis Y. */
  uy: number;
  /** Up axis Z. */
  uz: number;
  /** Focal length, in CSS pixels. */
  F: number;
  /** Screen centre X. */
  cx: number;
  /** Screen centre Y. */
  cy: number;
}

/**
 * The camera the view starts with, and R returns to; its distance is refitted to the window
 * (`fitDistance` in camera.ts).
 */
export const HOME: Readonly<Camera> = {
  yaw: 0.55,
  pitch: 0.38,
  dist: 5.3,
  tx: 0,
  ty: -0.08,
  tz: 0,
};
/** Playback speeds, `[` and `]` step through them. */
export const SPEEDS: readonly number[] = [0.25, 0.5, 1, 2, 4, 8, 16];
/** How long after the camera moves the coarse trail is drawn, in milliseconds. */
export const SETTLE_MS = 200;

/** A further run drawn over the one on screen: a second log dropped with the first. */
export interface OverlayRun {
  /** The file's name. */
  name: string;
  /** Its frames. */
  c: Columns;
}

/** How frame times are shown: step indexes, or the frames' dates when they carry them. */
export type TimeMode = "step" | "date";

/** Everything the modules share. */
export interface ViewState {
  /** The run on screen, `null` before the first. */
  run: Run | null;
  /** The current frame. */
  frame: number;
  /** Playback position: the frame, and how far to the next one while playing. */
  pos: number;
  /** Whether playback runs. */
  playing: boolean;
  /** Index into {@linkcode SPEEDS}. */
  speedIndex: number;
  /** Whether playback wraps to frame 0. */
  loop: boolean;
  /** The camera. */
  cam: Camera;
  /** Where R puts the camera: {@linkcode HOME}, at the distance that fits the window. */
  home: Camera;
  /** Whether the user has moved the camera away from home since the page opened or R. */
  camMoved: boolean;
  /** Bumped on every camera change. */
  camVersion: number;
  /** Bumped on every new run. */
  runVersion: number;
  /** Canvas width, CSS pixels. */
  W: number;
  /** Canvas height, CSS pixels. */
  H: number;
  /** Device pixel ratio. */
  DPR: number;
  /** Bumped on every resize. */
  sizeVersion: number;
  /** The room the panels leave free for the scene, CSS pixels. */
  FREE: { left: number; width: number };
  /** The projection, `null` before the first draw. */
  V: ViewTransform | null;
  /** Camera and size the projection was made for. */
  viewKey: string;
  /** Camera, size, run and detail the static layer was drawn for. */
  staticKey: string;
  /** The static key the trail layer was drawn for. */
  trailKey: string;
  /** The frame the trail layer was drawn up to. */
  trailFrame: number;
  /** The last trail point the trail layer holds. */
  trailK: number;
  /** Per flag, the next onset the trail layer has not drawn. */
  trailMarkerPos: number[];
  /** The trail level of the last draw. */
  detail: TrailLevel | null;
  /** When the camera last moved (or a long seek back), `performance.now()` time. */
  lastInteraction: number;
  /** Whether the next animation frame must draw. */
  dirty: boolean;
  /** The frame the HUD shows, -1 to force an update. */
  hudFrame: number;
  /** Time of the previous animation frame, 0 after a pause. */
  lastTime: number;
  /** The run's events, `null` before the first run. */
  events: ViewEvents | null;
  /** The selected range of frames (both ends inclusive), `null` for none: loop and CSV use it. */
  selection: [number, number] | null;
  /** How frame times are shown. */
  timeMode: TimeMode;
  /** Further runs drawn over the one on screen, in the 3D scene and the 2D panels. */
  overlays: OverlayRun[];
  /** A Monte Carlo batch's fan drawn behind the run, `null` for none. */
  fan: Fan | null;
  /** Bumped when the fan or the further runs change, which the static layer draws. */
  sceneVersion: number;
  /** The trail frame under the pointer, -1 for none. */
  hover: number;
}

/** The state of the view. */
export const view: ViewState = {
  run: null,
  frame: 0,
  pos: 0,
  playing: false,
  speedIndex: 2,
  loop: false,
  cam: { ...HOME },
  home: { ...HOME },
  camMoved: false,
  camVersion: 1,
  runVersion: 0,
  W: 0,
  H: 0,
  DPR: 1,
  sizeVersion: 0,
  FREE: { left: 0, width: 1 },
  V: null,
  viewKey: "",
  staticKey: "",
  trailKey: "",
  trailFrame: -1,
  trailK: -1,
  trailMarkerPos: [0, 0, 0],
  detail: null,
  lastInteraction: -Infinity,
  dirty: true,
  hudFrame: -1,
  lastTime: 0,
  events: null,
  selection: null,
  timeMode: "date",
  overlays: [],
  fan: null,
  sceneVersion: 0,
  hover: -1,
};
