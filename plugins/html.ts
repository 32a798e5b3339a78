/**
 * The `html` renderer: the whole run as one self-contained HTML file, an interactive 3D flight
 * view that a trader opens by double-click. No network and no other files: the frames, the
 * viewer script and its styles are all inside the page, and a Content Security Policy in the
 * page forbids every fetch.
 *
 * ```jsonc
 * "renderers": [{ "use": "html", "title": "SPX breakout, 2 ATR follow-through" }]
 * ```
 *
 * What the page shows:
 *
 * - A 3D wireframe of the envelope: X structural airspeed (ATR from the flip), Y load factor
 *   (IV / HV, in g), Z wall proximity (1 at the flip, 0 at the wall, negative beyond), with
 *   labelled axes and ticks. The regime zones from the thresholds are shaded on the back wall,
 *   the MANEUVER and RUPTURE envelopes are drawn as wireframe boxes between the walls and the
 *   flip, and the wall plane `Z = 0` is a red curtain: beyond it every frame is a BREACH.
 * - The flown trail coloured by regime, the path still ahead in faint grey, the craft at the
 *   current frame with drop lines to the floor, and a marker where each flag starts to fire.
 * - A HUD with the frame's timestamp, spot, IV, HV, X, Y, Z, regime and flags, and the run's
 *   name, seed and levels; a timeline with a regime ribbon and event markers (first BREACH,
 *   regime changes, first OVERSPEED and STALL).
 *
 * Keys: Space play or pause; `,` and `.` step one frame; arrows orbit; W/A/S/D move the camera;
 * Q/E zoom out and in; R resets the camera; `[` and `]` change speed (0.25x to 16x); Home/End
 * jump to the first or last frame; N/P jump to the next or previous event; L toggles loop; `?`
 * shows the key list. Mouse: drag to orbit, shift-drag or right-drag to move, wheel to zoom.
 *
 * Any JSONL log (SPEC §2) can be opened with the "Open log" button or dropped on the window:
 * the page reads it with the library's own log reader, so valid frames play and bad lines are
 * counted, the first ten listed by line number with the reader's messages. Picked or dropped
 * together with its run's `<name>.meta.json` (paired by name, `x.jsonl` with `x.meta.json`, or
 * any one meta file with one log; a meta file picked later joins the log of its name), the log
 * flies with the meta's levels and thresholds as if its run were embedded. The meta file is
 * checked strictly (its format and version, every number, `putWall < flip < callWall`, no
 * unknown key); one that fails is not used, and the load panel names the file and every
 * problem. Without a meta file a log's levels are unknown, and the HUD says so; the regime
 * zones are then drawn from the thresholds of the embedded run, or failing that SPEC §1's
 * defaults, only when every frame of the log agrees with them by the envelope evaluator's own
 * rules (a frame with a negative X agrees with none: no envelope flies one). The same holds
 * for an embedded run whose evaluator publishes no levels.
 *
 * Axes hold the trail and, when the zones are drawn, the envelope: X from 0 to past RUPTURE, Y
 * from 0 to past RUPTURE, Z from the wall to the flip. A trail that flies far beyond the
 * envelope (the shipped breakout reaches X 25 and Z -8) would squeeze the zones into a corner,
 * so an axis whose envelope would fill less than 40% of the box is bent at the envelope's end:
 * the envelope keeps 60% of it and the rest of the trail is drawn at a smaller scale, with a
 * break mark on the axis, ticks at each stretch's own step, and a line in the legend saying
 * where. The first camera fits the box to the room the panels leave free.
 *
 * Decisions where the issue is silent: playback at 1x is `fps` frames per second (30 by
 * default) and the craft glides between frames; playback starts paused at frame 0 and stops at
 * the last frame unless loop is on; stepping pauses; the trail shows at most `maxTrailPoints`
 * points, keeping each stretch's first point, its extremes in X, Y and Z, and its regime
 * changes, so long runs keep their shape. Values read from a file are only ever shown as text.
 *
 * A run longer than `maxEmbeddedFrames` (500,000 by default) embeds a selection of that many
 * frames at most, picked as the trail picks its points (each stretch's first frame, its extremes
 * in X, Y and Z, its regime changes) plus every frame where the flags change, with their real
 * timestamps; the HUD says how many of the run's frames it holds, and opening the run's JSONL
 * log shows every frame. The shipped breakout at 2,000,000 steps embeds 179,523 frames in a
 * 20 MB page, and the renderer's memory stays near the run's columns (50 bytes a step).
 *
 * Under the scene, linked 2D panels (uPlot, inlined) plot spot with the flip and the walls, IV
 * and HV, and X, Y and Z over time, sharing one cursor and one zoom: a click goes to a frame, a
 * drag selects a range (loop plays it, CSV exports it), the wheel zooms. The timeline marks
 * every flag episode as a bookmark coloured by its severity band, `n` / `p` walk the events,
 * the list beside the panels goes to one on a click, and the HUD shows the event in force. A
 * `#t=<step>` (or `#t=<date>`) fragment opens the page at that frame. With `summary`, naming a
 * Monte Carlo batch's `<name>.summary.json` (relative to the scenario file's folder), the page
 * draws the batch's fan (5th to 95th percentile, median dashed) behind the run on the panels.
 *
 * The browser code is TypeScript in `viewer/` (entry `viewer/main.ts`), which reads logs with
 * the library's own parser and checks regimes with the envelope evaluator itself;
 * `deno task build:viewer` bundles it into `viewer/_bundle.ts`, whose script, style and markup
 * this renderer embeds.
 *
 * The page is deterministic: the same frames, levels and options give the same bytes. For
 * tests and tools the page exposes `window.__flight` (current frame, frame count, draw count,
 * `loadedMs` from navigation to the first drawn frame, the last file load) and stable element
 * ids such as `#hud-spot`, `#frame-index`, `#scrubber` and `#file-input`.
 *
 * @module
 */
import { FLAGS, type Frame, REGIMES, type RunColumns } from "../core/frame.ts";
import { integer, number, string } from "../core/options.ts";
import { defineRenderer, type RenderContext, type RendererDefinition } from "../core/plugin.ts";
import { VIEWER_MARKUP, VIEWER_SCRIPT, VIEWER_STYLE } from "../viewer/_bundle.ts";
import { decimate } from "../viewer/model.ts";
import {
  type EmbeddedLevels,
  embeddedLevels,
  type EmbeddedView,
  MOVING_LEVELS,
  VIEW_FORMAT,
} from "../viewer/data.ts";
import { isEnvelopeLevels } from "./envelope.ts";
import { parseFan } from "../viewer/panels_fan.ts";
import { dirname, resolve } from "@std/path";

/**
 * Options of the `html` renderer.
 *
 * @example Every option has a default
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readOptions } from "../testing.ts";
 * import html, { type HtmlOptions } from "./html.ts";
 *
 * const options = readOptions<HtmlOptions>(html, {});
 * assertEquals(options, {
 *   title: undefined,
 *   fps: 30,
 *   maxTrailPoints: 10_000,
 *   maxEmbeddedFrames: 500_000,
 *   summary: undefined,
 * });
 * ```
 */
export interface HtmlOptions {
  /** Page title and heading. @default {the scenario's name} */
  readonly title: string | undefined;
  /** Frames per second at 1x playback speed, from 1 to 240. @default {30} */
  readonly fps: number;
  /**
   * Most trail points drawn, from 1,000 to 1,000,000; longer runs are decimated keeping each
   * stretch's first point, its extremes in X, Y and Z, and its regime changes. @default {10000}
   */
  readonly maxTrailPoints: number;
  /**
   * Most frames the page embeds, from 10,000 to 2,000,000; a longer run embeds a selection
   * keeping extremes, regime changes and flag changes, and its JSONL log holds every frame.
   * @default {500000}
   */
  readonly maxEmbeddedFrames: number;
  /**
   * A Monte Carlo batch's `<name>.summary.json`, relative to the scenario file's folder: the
   * page draws the batch's fan (percentiles of spot, X, Y and Z, and of moving levels, over
   * steps) behind the run on its panels. @default {no fan}
   */
  readonly summary?: string | undefined;
}

const NUMBER_FIELDS = ["spot", "iv", "hv", "x", "y", "z"] as const;

/** A run's frames as columns, checked: what a caller of `render` hands as frames alone. */
function columnsOfFrames(frames: readonly Frame[]): RunColumns {
  const n = frames.length;
  const floats = () => new Float64Array(n);
  const c = { spot: floats(), iv: floats(), hv: floats(), x: floats(), y: floats(), z: floats() };
  const regime = new Uint8Array(n), flags = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const frame = frames[i]!;
    for (const key of NUMBER_FIELDS) {
      const value = frame[key];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new Error(
          `Cannot render step ${i}: "${key}" is ${String(value)}, not a finite number`,
        );
      }
      c[key][i] = value;
    }
    const code = REGIMES.indexOf(frame.regime);
    if (code < 0) throw new Error(`Cannot render step ${i}: unknown regime "${frame.regime}"`);
    let mask = 0;
    for (const flag of frame.flags) {
      const bit = FLAGS.indexOf(flag);
      if (bit < 0) throw new Error(`Cannot render step ${i}: unknown flag "${flag}"`);
      mask |= 1 << bit;
    }
    regime[i] = code, flags[i] = mask;
  }
  return { length: n, ...c, regime, flags, time: [] };
}

/** The timestamps a page embeds: `null` when each is its step index. */
function timestampsOf(context: RenderContext<HtmlOptions>): readonly (number | string)[] | null {
  if (context.columns) return context.columns.time.length > 0 ? context.columns.time : null;
  const { frames } = context;
  return frames.every((f, i) => f.timestamp === i) ? null : frames.map((f) => f.timestamp);
}

/**
 * The frames a long run's page embeds, at most about `max`: the trail's selection (each
 * stretch's first frame, extremes and regime changes), every frame where the flags change and
 * the frame before it, thinned evenly when flags change more often than a quarter of `max`.
 */
function selection(c: RunColumns, max: number): Int32Array {
  const n = c.length;
  const trail = decimate(
    { n, timestamp: null, ...c, levels: null },
    Math.floor(max * 3 / 4),
  );
  const changes: number[] = [];
  for (let i = 1; i < n; i++) if (c.flags[i] !== c.flags[i - 1]) changes.push(i - 1, i);
  const every = Math.ceil(changes.length / Math.floor(max / 4)) || 1;
  const picked = new Int32Array(trail.length + Math.ceil(changes.length / every));
  picked.set(trail);
  let at = trail.length;
  for (let k = 0; k < changes.length; k += every) picked[at++] = changes[k]!;
  picked.sort();
  let unique = 0;
  for (let k = 0; k < picked.length; k++) {
    if (k === 0 || picked[k] !== picked[k - 1]) picked[unique++] = picked[k]!;
  }
  return picked.slice(0, unique);
}

/** The frames at `kept`, as columns. */
function gather(c: RunColumns, kept: Int32Array): RunColumns {
  const pick = <T extends Float64Array | Uint8Array>(from: T, to: T) => {
    for (let k = 0; k < kept.length; k++) to[k] = from[kept[k]!]!;
    return to;
  };
  const floats = (from: Float64Array) => pick(from, new Float64Array(kept.length));
  return {
    length: kept.length,
    spot: floats(c.spot),
    iv: floats(c.iv),
    hv: floats(c.hv),
    x: floats(c.x),
    y: floats(c.y),
    z: floats(c.z),
    regime: pick(c.regime, new Uint8Array(kept.length)),
    flags: pick(c.flags, new Uint8Array(kept.length)),
    time: [],
    ...(c.levels
      ? { levels: Object.fromEntries(Object.entries(c.levels).map(([k, v]) => [k, floats(v)])) }
      : {}),
  };
}

/** Numbers joined for a JSON array, a slice at a time: the page is never one string. */
const SLICE = 1 << 16;

/**
 * The embedded frames' JSON (`EmbeddedFrames` of viewer/data.ts), piece by piece, from columns: moving
 * levels as columns of their own (`null` where a frame has none), a static run as before.
 */
function* framesJson(
  c: RunColumns,
  timestamps: readonly (number | string)[] | null,
  levels: EmbeddedLevels | undefined,
): Generator<string> {
  const n = c.length;
  yield `{"length":${n},"timestamp":`;
  if (timestamps === null) yield "null";
  else {
    for (let at = 0; at < n; at += SLICE) {
      yield (at === 0 ? "[" : ",") + scriptJson(timestamps.slice(at, at + SLICE)).slice(1, -1);
    }
    yield n === 0 ? "[]" : "]";
  }
  for (const key of NUMBER_FIELDS) {
    yield `,"${key}":[`;
    for (let at = 0; at < n; at += SLICE) {
      yield (at === 0 ? "" : ",") + c[key].subarray(at, at + SLICE).join(",");
    }
    yield "]";
  }
  yield `,"regime":"${c.regime.join("")}","flags":"${c.flags.join("")}"`;
  if (levels) yield `,"levels":${scriptJson(levels)}`;
  yield "}";
}

/** The level columns a page embeds, from a run's moving levels. */
function levelsOfColumns(c: RunColumns): EmbeddedLevels | undefined {
  if (!c.levels) return undefined;
  const out: EmbeddedLevels = {};
  for (const name of MOVING_LEVELS) {
    const column = c.levels[name];
    if (column) out[name] = Array.from(column, (v) => (Number.isFinite(v) ? v : null));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** JSON that is safe inside a `<script>` element: no `<`, `>`, `&` or line separators. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Text that is safe as HTML element content or a quoted attribute value. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

let viewerHash: Promise<string> | undefined;

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let binary = "";
  for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The `html` renderer: an interactive 3D flight view of the run in one self-contained page. */
const html: RendererDefinition<HtmlOptions> = defineRenderer({
  name: "html",
  extension: "html",
  // The run is held as columns, 50 bytes a step, before the page embeds its selection.
  maxFrames: 2_000_000,
  options: {
    title: string({
      doc: "Page title and heading; default: the scenario's name",
      optional: true,
    }),
    fps: number({
      doc: "Frames per second at 1x playback speed; default 30",
      min: 1,
      max: 240,
      default: 30,
    }),
    maxTrailPoints: integer({
      doc: "Most trail points drawn; longer runs are decimated, keeping extremes and regime " +
        "changes; default 10000",
      min: 1000,
      max: 1_000_000,
      default: 10_000,
    }),
    maxEmbeddedFrames: integer({
      doc: "Most frames the page embeds; longer runs embed a selection keeping extremes, " +
        "regime and flag changes (the JSONL log holds every frame); default 500000",
      min: 10_000,
      max: 2_000_000,
      default: 500_000,
    }),
    summary: string({
      doc: "A Monte Carlo batch's <name>.summary.json, relative to the scenario file's folder, " +
        "whose fan the page draws behind the run; default: no fan",
      optional: true,
    }),
  },
  /**
   * Renders the page.
   *
   * @example A page for a one-frame run
   * ```ts
   * import { assertStringIncludes } from "@std/assert";
   * import html from "./html.ts";
   *
   * const frame = { timestamp: 0, spot: 694, iv: 0.15, hv: 0.12, x: 0.5357142857142857, y: 1.25, z: 0.8, regime: "CRUISE" as const, flags: [] };
   * const page = await html.render({
   *   options: { title: undefined, fps: 30, maxTrailPoints: 10_000, maxEmbeddedFrames: 500_000, summary: undefined },
   *   name: "demo", seed: 1, run: 0, steps: 1, file: "demo.jsonc", frames: [frame], levels: undefined,
   * });
   * assertStringIncludes(String(page), '<canvas id="view"');
   * ```
   */
  async render(context) {
    let page = "";
    for (const piece of await pieces(context)) page += piece;
    return page;
  },
  /** Writes the page in pieces, from the run's columns: no frame objects, no whole string. */
  async renderTo(context, output) {
    for (const piece of await pieces(context)) {
      const writing = output.write(piece);
      if (writing) await writing;
    }
  },
});
export default html;

/**
 * The summary a page embeds for its fan, read and checked: `undefined` without the option.
 *
 * @throws Error naming the file and every problem when it cannot be read or is not a summary.
 */
async function summaryJson(context: RenderContext<HtmlOptions>): Promise<string | undefined> {
  const given = context.options.summary;
  if (given === undefined) return undefined;
  const path = resolve(dirname(context.file), given);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `Cannot read "summary" ${JSON.stringify(given)} (${path}): ${(error as Error).message}`,
    );
  }
  const read = parseFan(text);
  if (!read.ok) {
    throw new Error(
      `Cannot use "summary" ${JSON.stringify(given)} (${path}): ${read.problems.join("; ")}`,
    );
  }
  return scriptJson(JSON.parse(text));
}

/** The page's text, in order, in pieces. */
async function pieces(context: RenderContext<HtmlOptions>): Promise<Iterable<string>> {
  const { options, name, seed, run, levels } = context;
  const summary = await summaryJson(context);
  const all = context.columns ?? columnsOfFrames(context.frames);
  const every = timestampsOf(context);
  const kept = all.length > options.maxEmbeddedFrames
    ? selection(all, options.maxEmbeddedFrames)
    : undefined;
  const columns = kept ? gather(all, kept) : all;
  const timestamps = kept ? Array.from(kept, (i) => every?.[i] ?? i) : every;
  const moving = context.columns
    ? levelsOfColumns(columns)
    : embeddedLevels(kept ? Array.from(kept, (i) => context.frames[i]!) : context.frames);
  const title = options.title ?? name;
  const head: Omit<EmbeddedView, "frames"> = {
    format: VIEW_FORMAT,
    title,
    name,
    seed,
    run,
    levels: isEnvelopeLevels(levels) ? levels : null,
    fps: options.fps,
    maxTrailPoints: options.maxTrailPoints,
    ...(kept ? { totalFrames: all.length } : {}),
  };
  viewerHash ??= sha256Base64(VIEWER_SCRIPT);
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${await viewerHash}'`,
    "style-src 'unsafe-inline'",
    "img-src data: blob:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return (function* () {
    yield `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="option-flight html renderer">
<title>${escapeHtml(`${title} · option-flight`)}</title>
<link rel="icon" href="data:,">
<style>
${VIEWER_STYLE}</style>
</head>
<body>
${VIEWER_MARKUP}<script type="application/json" id="flight-data">`;
    yield scriptJson(head).slice(0, -1) + ',"frames":';
    yield* framesJson(columns, timestamps, moving);
    yield "}</script>\n";
    if (summary) yield `<script type="application/json" id="flight-summary">${summary}</script>\n`;
    yield `<script>${VIEWER_SCRIPT}</script>
</body>
</html>
`;
  })();
}
