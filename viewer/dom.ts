/**
 * The page's elements the viewer draws on and reads, found once when the script runs (it is
 * the last element of the page's body), and the embedded run.
 *
 * @module
 */
/// <reference lib="dom" />
import type { EmbeddedView } from "./data.ts";

/** The element with this id; the markup has every id the viewer asks for. */
export function $(id: string): HTMLElement {
  return document.getElementById(id)!;
}

/** Sets an element's text (never its HTML). */
export function setText(id: string, text: string): void {
  $(id).textContent = text;
}

/** The 2D context of a canvas. */
function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  return canvas.getContext("2d")!;
}

/** The run embedded in the page by the `html` renderer. */
export const embedded: EmbeddedView = JSON.parse($("flight-data").textContent!);

/** The 3D view. */
export const canvas = $("view") as HTMLCanvasElement;
/** Its context. */
export const ctx: CanvasRenderingContext2D = context(canvas);
/** The static layer: box, walls, zones, labels, the path ahead. */
export const staticCanvas: HTMLCanvasElement = document.createElement("canvas");
/** Its context. */
export const sctx: CanvasRenderingContext2D = context(staticCanvas);
/** The trail layer: the flown trail and the flags that fired. */
export const trailCanvas: HTMLCanvasElement = document.createElement("canvas");
/** Its context. */
export const tctx: CanvasRenderingContext2D = context(trailCanvas);
/** The timeline's event strip. */
export const timeline = $("timeline-events") as HTMLCanvasElement;
/** Its context. */
export const tlctx: CanvasRenderingContext2D = context(timeline);
/** The frame slider. */
export const scrubber = $("scrubber") as HTMLInputElement;

/** A font from the page's CSS variables, such as `"600 11px "` and `--mono`. */
export function font(prefix: string, variable: "--mono" | "--sans"): string {
  return prefix + getComputedStyle(document.body).getPropertyValue(variable);
}
