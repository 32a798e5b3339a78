/**
 * The orbit camera and the perspective projection from world and data units to the screen,
 * and the camera presets (top, side, front, follow the craft) with their keys `1` to `4`.
 *
 * @module
 */
/// <reference lib="dom" />
import { BOX, mapX, mapY, mapZ } from "./model.ts";
import { type Camera, HOME, view, type ViewTransform } from "./state.ts";

/** The zoom range: the camera's least and greatest distance from its target. */
const MIN_DIST = 2.2;
const MAX_DIST = 16;

/** A 3D point in data units: X, Y, Z. */
export type Point3 = readonly [number, number, number];

/**
 * The projection of a camera onto a canvas: centred in the room the panels leave free.
 *
 * @param cam The camera.
 * @param free The free room's left edge and width, CSS pixels.
 * @param height The canvas height, CSS pixels.
 * @returns The camera's position and axes, and the screen projection.
 */
export function viewTransform(
  cam: Camera,
  free: { left: number; width: number },
  height: number,
): ViewTransform {
  const cp = Math.cos(cam.pitch), sp = Math.sin(cam.pitch);
  const cy = Math.cos(cam.yaw), sy = Math.sin(cam.yaw);
  const fx = -cp * sy, fy = -sp, fz = -cp * cy;
  const rx = cy, ry = 0, rz = -sy;
  return {
    Cx: cam.tx - fx * cam.dist,
    Cy: cam.ty - fy * cam.dist,
    Cz: cam.tz - fz * cam.dist,
    fx,
    fy,
    fz,
    rx,
    ry,
    rz,
    ux: ry * fz - rz * fy,
    uy: rz * fx - rx * fz,
    uz: rx * fy - ry * fx,
    F: Math.min(free.width * 1.3, height * 1.45),
    cx: free.left + free.width / 2,
    cy: height * 0.5,
  };
}

/** Room kept around the box for the axes' ticks and titles, CSS pixels. */
export const FIT_MARGIN = { left: 64, right: 16, top: 16, bottom: 24 } as const;

/**
 * The camera distance at which the scene box, seen from the camera's angles and target, fills
 * the free room but for {@linkcode FIT_MARGIN}: the closest in the zoom range at which every
 * corner is on screen there. The box holds the envelope and the whole trail (the axes are
 * fitted to both), so the first view shows them all, as large as the window allows.
 *
 * @param cam The camera's angles and target; its distance is ignored.
 * @param free The free room's left edge and width, CSS pixels.
 * @param height The canvas height, CSS pixels.
 * @returns The distance, within the zoom range.
 */
export function fitDistance(
  cam: Camera,
  free: { left: number; width: number },
  height: number,
): number {
  const fits = (dist: number): boolean => {
    const V = viewTransform({ ...cam, dist }, free, height);
    for (const x of [-BOX.w / 2, BOX.w / 2]) {
      for (const y of [-BOX.h / 2, BOX.h / 2]) {
        for (const z of [-BOX.d / 2, BOX.d / 2]) {
          const dx = x - V.Cx, dy = y - V.Cy, dz = z - V.Cz;
          const d = dx * V.fx + dy * V.fy + dz * V.fz;
          if (d < 0.05) return false;
          const px = V.cx + V.F * (dx * V.rx + dy * V.ry + dz * V.rz) / d;
          const py = V.cy - V.F * (dx * V.ux + dy * V.uy + dz * V.uz) / d;
          if (
            px < free.left + FIT_MARGIN.left || px > free.left + free.width - FIT_MARGIN.right ||
            py < FIT_MARGIN.top || py > height - FIT_MARGIN.bottom
          ) return false;
        }
      }
    }
    return true;
  };
  let near = MIN_DIST, far = MAX_DIST;
  if (fits(near)) return near;
  if (!fits(far)) return far;
  for (let i = 0; i < 40; i++) {
    const mid = (near + far) / 2;
    if (fits(mid)) far = mid;
    else near = mid;
  }
  return far;
}

/** Remakes the projection when the camera or the canvas size changed. */
export function updateView(): void {
  const key = view.camVersion + ":" + view.sizeVersion;
  if (key === view.viewKey) return;
  view.viewKey = key;
  view.V = viewTransform(view.cam, view.FREE, view.H);
}

/**
 * Fits the home camera to the canvas, and moves the camera there unless the user has moved it.
 */
export function fitHome(): void {
  const dist = fitDistance(HOME, view.FREE, view.H);
  view.home = { ...HOME, dist };
  if (!view.camMoved) {
    view.cam = { ...view.home };
    view.camVersion++;
  }
}

/** The screen point of the last {@linkcode proj} or {@linkcode projData}. */
export const P: [number, number] = [0, 0];

/** Projects a world point into {@linkcode P}; returns false when it is behind the camera. */
export function proj(x: number, y: number, z: number): boolean {
  const V = view.V!;
  const dx = x - V.Cx, dy = y - V.Cy, dz = z - V.Cz;
  const d = dx * V.fx + dy * V.fy + dz * V.fz;
  if (d < 0.05) return false;
  P[0] = V.cx + V.F * (dx * V.rx + dy * V.ry + dz * V.rz) / d;
  P[1] = V.cy - V.F * (dx * V.ux + dy * V.uy + dz * V.uz) / d;
  return true;
}

/** Projects a point in data units (X, Y, Z) into {@linkcode P}. */
export function projData(x: number, y: number, z: number): boolean {
  const run = view.run!;
  return proj(mapX(run, x), mapY(run, y), mapZ(run, z));
}

/** Strokes a line between two points in data units, unless either is behind the camera. */
export function line3(g: CanvasRenderingContext2D, a: Point3, b: Point3): void {
  if (!projData(a[0], a[1], a[2])) return;
  const x0 = P[0], y0 = P[1];
  if (!projData(b[0], b[1], b[2])) return;
  g.beginPath();
  g.moveTo(x0, y0);
  g.lineTo(P[0], P[1]);
  g.stroke();
}

/** Traces a closed polygon in data units; false when a corner is behind the camera. */
export function quad(g: CanvasRenderingContext2D, pts: readonly Point3[]): boolean {
  g.beginPath();
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    if (!projData(p[0], p[1], p[2])) return false;
    if (i === 0) g.moveTo(P[0], P[1]);
    else g.lineTo(P[0], P[1]);
  }
  g.closePath();
  return true;
}

function camChanged(): void {
  view.camMoved = true;
  view.camVersion++;
  view.lastInteraction = performance.now();
  view.dirty = true;
}

/** Turns the camera around the target. */
export function orbit(dyaw: number, dpitch: number): void {
  const cam = view.cam;
  cam.yaw = (cam.yaw + dyaw) % (Math.PI * 2);
  cam.pitch = Math.max(-1.2, Math.min(1.5, cam.pitch + dpitch));
  camChanged();
}

/** Moves the target along the screen's right and up axes, in tenths of the distance. */
export function pan(right: number, up: number): void {
  updateView();
  const { cam } = view;
  const V = view.V!;
  const s = cam.dist * 0.1;
  cam.tx = Math.max(-2.5, Math.min(2.5, cam.tx + (V.rx * right + V.ux * up) * s));
  cam.ty = Math.max(-2.5, Math.min(2.5, cam.ty + (V.ry * right + V.uy * up) * s));
  cam.tz = Math.max(-2.5, Math.min(2.5, cam.tz + (V.rz * right + V.uz * up) * s));
  following = false;
  camChanged();
}

/** Multiplies the camera's distance, within limits. */
export function zoom(factor: number): void {
  view.cam.dist = Math.max(MIN_DIST, Math.min(MAX_DIST, view.cam.dist * factor));
  camChanged();
}

/** Puts the camera back home: {@linkcode HOME}'s angles, at the distance that fits the window. */
export function resetCamera(): void {
  following = false;
  view.cam = { ...view.home };
  camChanged();
  view.camMoved = false;
}

/** The camera presets: looking down, from the side, from the front, and following the craft. */
export type CameraPreset = "top" | "side" | "front" | "follow";

/**
 * The angles of the fixed presets, radians: `top` looks down on X and Z (pitch at the top of the
 * orbit's range), `side` looks along X at Y and Z, `front` looks along Z at X and Y.
 */
export const PRESET_ANGLES: Readonly<
  Record<Exclude<CameraPreset, "follow">, {
    yaw: number;
    pitch: number;
  }>
> = {
  top: { yaw: 0, pitch: 1.5 },
  side: { yaw: Math.PI / 2, pitch: 0 },
  front: { yaw: 0, pitch: 0 },
};

/** The keys of the presets: `1` top, `2` side, `3` front, `4` follow. */
export const PRESET_KEYS: Readonly<Record<string, CameraPreset>> = {
  Digit1: "top",
  Digit2: "side",
  Digit3: "front",
  Digit4: "follow",
};

/** How close the follow camera comes, as a share of the home distance. */
const FOLLOW_SHARE = 0.6;

/** Whether the camera's target follows the craft. */
let following = false;

/**
 * Whether the camera follows the craft: preset `follow` turns it on; another preset, R and
 * moving the camera's target turn it off.
 *
 * @returns Whether it follows.
 */
export function isFollowing(): boolean {
  return following;
}

/**
 * Puts the camera at a preset. The fixed ones look at the box's centre from their angles, at
 * the distance that fits the whole box in the free room ({@linkcode fitDistance}); the box holds
 * the envelope and the whole trail, its axes bent where the trail flies far beyond the envelope,
 * so the regime zones stay on screen however far the run goes. `follow` keeps the angles, comes
 * closer and moves the target with the craft on every draw.
 *
 * @param preset The preset.
 */
export function setCameraPreset(preset: CameraPreset): void {
  if (preset === "follow") {
    following = true;
    view.cam.dist = Math.max(MIN_DIST, view.home.dist * FOLLOW_SHARE);
    camChanged();
    followCraft();
    return;
  }
  following = false;
  const angles = PRESET_ANGLES[preset];
  const cam = { ...view.cam, ...angles, tx: 0, ty: 0, tz: 0 };
  cam.dist = fitDistance(cam, view.FREE, view.H);
  view.cam = cam;
  camChanged();
}

/** Moves the camera's target to the craft when the camera follows it; called by each draw. */
export function followCraft(): void {
  const run = view.run;
  if (!following || !run || run.n === 0) return;
  const i = view.frame, j = Math.min(run.n - 1, i + 1);
  const frac = view.playing ? view.pos - Math.floor(view.pos) : 0;
  const cam = view.cam;
  const tx = run.wx[i]! + (run.wx[j]! - run.wx[i]!) * frac;
  const ty = run.wy[i]! + (run.wy[j]! - run.wy[i]!) * frac;
  const tz = run.wz[i]! + (run.wz[j]! - run.wz[i]!) * frac;
  if (tx === cam.tx && ty === cam.ty && tz === cam.tz) return;
  cam.tx = tx;
  cam.ty = ty;
  cam.tz = tz;
  view.camMoved = true;
  view.camVersion++;
}

/** Listens to the preset keys, `1` to `4`, outside text fields and without modifiers. */
export function installCameraKeys(): void {
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) {
      if ((t as HTMLInputElement).type !== "range" && (t as HTMLInputElement).type !== "checkbox") {
        return;
      }
    }
    const preset = PRESET_KEYS[e.code];
    if (!preset) return;
    e.preventDefault();
    setCameraPreset(preset);
  });
}
