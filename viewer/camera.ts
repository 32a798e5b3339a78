/**
 * The orbit camera and the perspective projection from world and data units to the screen.
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
  camChanged();
}

/** Multiplies the camera's distance, within limits. */
export function zoom(factor: number): void {
  view.cam.dist = Math.max(MIN_DIST, Math.min(MAX_DIST, view.cam.dist * factor));
  camChanged();
}

/** Puts the camera back home: {@linkcode HOME}'s angles, at the distance that fits the window. */
export function resetCamera(): void {
  view.cam = { ...view.home };
  camChanged();
  view.camMoved = false;
}
