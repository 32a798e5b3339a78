/**
 * Sharing the view: a `#t=<step>` (or `#t=<date>`) fragment that opens the page at that frame
 * and follows the paused frame, a PNG of the view (the 3D scene, the timeline and the panels,
 * as on screen), and a CSV of the selected range (or of the panels' visible range).
 *
 * @module
 */
/// <reference lib="dom" />
import { api } from "./api.ts";
import { $, canvas, timeline } from "./dom.ts";
import { draw } from "./draw.ts";
import { frameTimeText } from "./hud.ts";
import { panelCanvases, visibleRange } from "./panels.ts";
import { rangeCsv } from "./panels_data.ts";
import { view } from "./state.ts";

/**
 * The frame a `#t=` value names: a step index, or a date (the first frame whose timestamp is
 * at or after it, for frames that carry dates); `-1` when it names none.
 *
 * @param value The fragment's value, decoded.
 * @returns The frame, clamped to the run.
 */
export function frameOfFragment(value: string): number {
  const run = view.run;
  if (!run || run.n === 0 || value === "") return -1;
  if (/^\d+$/.test(value)) return Math.min(run.n - 1, Number(value));
  if (!run.dated) return -1;
  const t = run.c.timestamp!;
  let lo = 0, hi = run.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((t[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(run.n - 1, lo);
}

/** The `t` value of the page's fragment, or `""`. */
export function fragmentTime(): string {
  const m = /(?:^#|&)t=([^&]*)/.exec(location.hash);
  if (!m) return "";
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return "";
  }
}

let lastWritten = "";

/** Puts the frame in the page's fragment (`#t=<step>`, or its date when dates are shown). */
export function writeFragment(frame: number): void {
  const value = "#t=" + encodeURIComponent(frameTimeText(frame));
  if (value === lastWritten || value === location.hash) return;
  lastWritten = value;
  try {
    history.replaceState(null, "", value);
  } catch {
    // a page opened where history refuses the change keeps its address
  }
}

/** A file handed to the browser to save; tests read it at `window.__flight.lastExport`. */
function save(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.setAttribute("href", url);
  a.download = name;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  api.lastExport = { name, type: blob.type, size: blob.size };
}

/** A file name's stem from the run's name: letters, digits, `.`, `-` and `_` only. */
function stem(): string {
  const name = view.run ? view.run.name.replace(/\.(jsonl|ndjson|json|txt)$/i, "") : "flight";
  return name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "flight";
}

/**
 * Saves the view as a PNG: the 3D scene, the timeline strip and the panels where they are on
 * screen, on the page's background.
 *
 * @returns A promise that settles once the file is handed over.
 */
export function exportPng(): Promise<void> {
  // the scene is drawn now, so a WebGL canvas still holds its picture when copied
  draw();
  const app = $("app").getBoundingClientRect();
  const dpr = globalThis.devicePixelRatio || 1;
  const out = document.createElement("canvas");
  out.width = Math.round(app.width * dpr);
  out.height = Math.round(app.height * dpr);
  const g = out.getContext("2d")!;
  g.fillStyle = getComputedStyle(document.body).backgroundColor || "#060a10";
  g.fillRect(0, 0, out.width, out.height);
  const place = (source: HTMLCanvasElement, rect: DOMRect) => {
    if (rect.width <= 0 || rect.height <= 0 || source.width === 0 || source.height === 0) return;
    g.drawImage(
      source,
      (rect.left - app.left) * dpr,
      (rect.top - app.top) * dpr,
      rect.width * dpr,
      rect.height * dpr,
    );
  };
  place(canvas, canvas.getBoundingClientRect());
  place(timeline, timeline.getBoundingClientRect());
  for (const { canvas: c, rect } of panelCanvases()) place(c, rect);
  return new Promise((resolve) => {
    out.toBlob((blob) => {
      if (blob) save(`${stem()}_frame${view.frame}.png`, blob);
      resolve();
    }, "image/png");
  });
}

/** Saves the selected range (or the panels' visible range) as CSV. */
export function exportCsv(): void {
  const run = view.run;
  if (!run || run.n === 0) return;
  const [a, b] = view.selection ?? visibleRange();
  const blob = new Blob([rangeCsv(run.c, a, b)], { type: "text/csv" });
  save(`${stem()}_${a}-${b}.csv`, blob);
}
