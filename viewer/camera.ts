/**
 * The orbit camera and the perspective projection from world and data units to the screen.
 *
 * @module
 */
/// <reference lib="dom" />
import { mapX, mapY, mapZ } from "./model.ts";
import { HOME, view } from "./state.ts";

/** A 3D point in data units: X, Y, Z. */
export type Point3 = readonly [number, number, number];

/** Remakes the projection when the camera or the canvas size changed. */
export function updateView(): void {
  const key = view.camVersion + ":" + view.sizeVersion;
  if (key === view.viewKey) return;
  view.viewKey = key;
  const { cam, FREE, H } = view;
  const cp = Math.cos(cam.pitch), sp = Math.sin(cam.pitch);
  const cy = Math.cos(cam.yaw), sy = Math.sin(cam.yaw);
  const fx = -cp * sy, fy = -sp, fz = -cp * cy;
  const rx = cy, ry = 0, rz = -sy;
  view.V = {
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
    F: Math.min(FREE.width * 1.3, H * 1.45),
    cx: FREE.left + FREE.width / 2,
    cy: H * 0.5,
  };
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
  view.cam.dist = Math.max(2.2, Math.min(16, view.cam.dist * factor));
  camChanged();
}

/** Puts the camera back {@linkcode HOME}. */
export function resetCamera(): void {
  const cam = view.cam;
  cam.yaw = HOME.yaw;
  cam.pitch = HOME.pitch;
  cam.dist = HOME.dist;
  cam.tx = HOME.tx;
  cam.ty = HOME.ty;
  cam.tz = HOME.tz;
  camChanged();
}
