/**
 * The WebGL2 renderer's level of detail as numbers: how many frames before the cursor it draws
 * at full detail, and the most vertices one draw may take (viewer/gl.ts). Free of DOM APIs.
 *
 * @module
 */
import { MAX_MARKERS } from "./model.ts";

/** Frames before the cursor drawn at full detail, every one of them; earlier ones decimated. */
export const DETAIL_WINDOW = 4096;
/** Most vertices the static scene may take; the WebGL2 renderer refuses more. */
export const STATIC_VERTEX_BUDGET = 16_384;
/** Vertices per line segment or marker: one quad, drawn as a triangle strip. */
export const QUAD = 4;

/**
 * The most vertices one draw of the WebGL2 path takes for a run whose trail levels hold these
 * many points: the path ahead (`level`), its shadow (`coarse`), the flown trail twice (glow and
 * core: at most `level` decimated segments, one bridge and {@linkcode DETAIL_WINDOW} full-detail
 * segments), the flag markers twice (faint ahead, bright flown; at most `MAX_MARKERS` per flag),
 * and the static scene's {@linkcode STATIC_VERTEX_BUDGET}. It depends on the trail levels, never
 * on the run's length: with the html renderer's default `maxTrailPoints` (10,000) the levels hold
 * at most 11,111 and 2,221 points, so a draw takes at most 227,376 vertices.
 *
 * @param level Points of the trail's level of detail (`run.full.dec.length`).
 * @param coarse Points of the coarse level (`run.coarse.dec.length`).
 * @returns The bound, in vertices.
 *
 * @example The bound at the default trail size
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { frameVertexBound } from "./gl_budget.ts";
 *
 * assertEquals(frameVertexBound(11_111, 2_221), 227_376);
 * ```
 */
export function frameVertexBound(level: number, coarse: number): number {
  const flown = level + 1 + DETAIL_WINDOW;
  return QUAD * (level + coarse + 2 * flown + 2 * 3 * MAX_MARKERS) + STATIC_VERTEX_BUDGET;
}
