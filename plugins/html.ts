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
 * valid frames play, bad lines are counted and the first ten listed by line number. A log
 * carries no levels, so the HUD says they are unknown; the regime zones are then drawn from
 * the thresholds of the embedded run, or failing that SPEC §1's defaults, only when every frame
 * of the log agrees with them. The same holds for an embedded run whose evaluator publishes no
 * levels. Axes scale to the data, widened to show the thresholds when they are drawn.
 *
 * Decisions where the issue is silent: playback at 1x is `fps` frames per second (30 by
 * default) and the craft glides between frames; playback starts paused at frame 0 and stops at
 * the last frame unless loop is on; stepping pauses; the trail shows at most `maxTrailPoints`
 * points, keeping each stretch's first point, its extremes in X, Y and Z, and its regime
 * changes, so long runs keep their shape. Values read from a file are only ever shown as text.
 *
 * The page is deterministic: the same frames, levels and options give the same bytes. For
 * tests and tools the page exposes `window.__flight` (current frame, frame count, draw count,
 * `loadedMs` from navigation to the first drawn frame, the last file load) and stable element
 * ids such as `#hud-spot`, `#frame-index`, `#scrubber` and `#file-input`.
 *
 * @module
 */
import { FLAGS, type Frame, REGIMES } from "../core/frame.ts";
import { integer, number, string } from "../core/options.ts";
import { defineRenderer, type RendererDefinition } from "../core/plugin.ts";
import { type EnvelopeLevels, isEnvelopeLevels } from "./envelope.ts";

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
 * assertEquals(options, { title: undefined, fps: 30, maxTrailPoints: 10_000 });
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
}

/** Columns of the frames, as embedded in the page. */
interface EmbeddedFrames {
  length: number;
  timestamp: (number | string)[] | null;
  spot: number[];
  iv: number[];
  hv: number[];
  x: number[];
  y: number[];
  z: number[];
  regime: string;
  flags: string;
}

const NUMBER_FIELDS = ["spot", "iv", "hv", "x", "y", "z"] as const;

function embedFrames(frames: readonly Frame[]): EmbeddedFrames {
  const n = frames.length;
  const columns = {
    spot: new Array<number>(n),
    iv: new Array<number>(n),
    hv: new Array<number>(n),
    x: new Array<number>(n),
    y: new Array<number>(n),
    z: new Array<number>(n),
  };
  const timestamp = new Array<number | string>(n);
  let stepTimes = true;
  let regime = "";
  let flags = "";
  for (let i = 0; i < n; i++) {
    const frame = frames[i]!;
    for (const key of NUMBER_FIELDS) {
      const value = frame[key];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new Error(
          `Cannot render step ${i}: "${key}" is ${String(value)}, not a finite number`,
        );
      }
      columns[key][i] = value;
    }
    timestamp[i] = frame.timestamp;
    if (frame.timestamp !== i) stepTimes = false;
    const code = REGIMES.indexOf(frame.regime);
    if (code < 0) throw new Error(`Cannot render step ${i}: unknown regime "${frame.regime}"`);
    let mask = 0;
    for (const flag of frame.flags) {
      const bit = FLAGS.indexOf(flag);
      if (bit < 0) throw new Error(`Cannot render step ${i}: unknown flag "${flag}"`);
      mask |= 1 << bit;
    }
    regime += code;
    flags += mask;
  }
  return { length: n, timestamp: stepTimes ? null : timestamp, ...columns, regime, flags };
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
   *   options: { title: undefined, fps: 30, maxTrailPoints: 10_000 },
   *   name: "demo", seed: 1, run: 0, steps: 1, frames: [frame], levels: undefined,
   * });
   * assertStringIncludes(String(page), '<canvas id="view"');
   * ```
   */
  async render({ options, name, seed, run, frames, levels }) {
    const title = options.title ?? name;
    const data = {
      format: "option-flight-view/1",
      title,
      name,
      seed,
      run,
      levels: (isEnvelopeLevels(levels) ? levels : null) as EnvelopeLevels | null,
      fps: options.fps,
      maxTrailPoints: options.maxTrailPoints,
      frames: embedFrames(frames),
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
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="option-flight html renderer">
<title>${escapeHtml(`${title} · option-flight`)}</title>
<link rel="icon" href="data:,">
<style>${VIEWER_STYLE}</style>
</head>
<body>
${VIEWER_MARKUP}
<script type="application/json" id="flight-data">${scriptJson(data)}</script>
<script>${VIEWER_SCRIPT}</script>
</body>
</html>
`;
  },
});
export default html;

const VIEWER_STYLE = String.raw`
:root {
  --bg: #060a10; --panel: rgba(10, 16, 25, 0.86); --line: rgba(120, 160, 210, 0.2);
  --text: #d3deeb; --dim: #7d8ea5; --accent: #5fd6c8;
  --taxi: #93a4bd; --cruise: #3fd68a; --maneuver: #ffb547; --rupture: #ff4f64;
  --breach: #ff3f7a; --overspeed: #ff8a3d; --stall: #58c7ff;
  --mono: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--text); font: 13px/1.35 var(--sans); overflow: hidden; }
#app { display: grid; grid-template-rows: auto 1fr auto; height: 100vh; }
header { display: flex; align-items: center; gap: 18px; padding: 8px 14px; border-bottom: 1px solid var(--line); background: linear-gradient(#0c1420, #08101a); min-width: 0; }
.brand { font-weight: 600; font-size: 15px; letter-spacing: 0.02em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.brand .logo { color: var(--accent); margin-right: 6px; }
#run-meta { color: var(--dim); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; flex: 1; }
#run-meta b { color: var(--text); font-weight: 600; font-family: var(--mono); font-size: 12px; }
.top-actions { display: flex; gap: 8px; }
button, select { font: inherit; color: var(--text); background: #132031; border: 1px solid rgba(130, 170, 220, 0.28); border-radius: 6px; padding: 4px 10px; cursor: pointer; }
button:hover, select:hover { background: #1a2b42; border-color: rgba(130, 190, 240, 0.5); }
button:focus-visible, select:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
main { position: relative; min-height: 0; }
#view { position: absolute; inset: 0; width: 100%; height: 100%; display: block; cursor: grab; touch-action: none; }
#view.dragging { cursor: grabbing; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; box-shadow: 0 6px 24px rgba(0, 0, 0, 0.35); }
#hud { position: absolute; left: 12px; top: 12px; width: 232px; padding: 10px 12px; }
#hud h2, #legend h2 { margin: 0 0 6px; font-size: 10.5px; font-weight: 600; letter-spacing: 0.12em; text-transform: uppercase; color: var(--dim); }
#hud h2.second { margin-top: 10px; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; }
dt { color: var(--dim); }
dd { margin: 0; text-align: right; font-family: var(--mono); font-size: 12.5px; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
dd.unknown { color: var(--dim); font-style: italic; font-family: var(--sans); }
.regime-row { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 8px; min-height: 22px; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 4px; font: 600 11px/18px var(--mono); letter-spacing: 0.04em; border: 1px solid currentColor; }
.badge.regime { color: var(--text); background: rgba(255, 255, 255, 0.06); }
.badge.flag-BREACH { color: var(--breach); background: rgba(255, 63, 122, 0.12); }
.badge.flag-OVERSPEED { color: var(--overspeed); background: rgba(255, 138, 61, 0.12); }
.badge.flag-STALL { color: var(--stall); background: rgba(88, 199, 255, 0.12); }
#hud-levels-note, #hud-events { margin: 6px 0 0; color: var(--dim); font-size: 11.5px; }
#hud-events b { color: var(--text); font-family: var(--mono); font-weight: 500; }
#legend { position: absolute; right: 12px; top: 12px; width: 268px; padding: 10px 12px; font-size: 12px; }
#legend ul { list-style: none; margin: 0 0 8px; padding: 0; }
#legend li { display: flex; align-items: center; gap: 8px; margin: 2px 0; }
#legend li span.rule { color: var(--dim); font-family: var(--mono); font-size: 11px; margin-left: auto; white-space: nowrap; }
.swatch { width: 18px; height: 4px; border-radius: 2px; flex: none; }
#legend svg { flex: none; }
#load-panel { position: absolute; left: 50%; top: 12px; transform: translateX(-50%); width: min(560px, calc(100% - 520px)); min-width: 300px; padding: 10px 34px 10px 12px; font-size: 12.5px; }
#load-panel.error { border-color: rgba(255, 79, 100, 0.6); }
#load-close { position: absolute; right: 6px; top: 6px; padding: 0 7px; }
#load-summary { margin: 0; }
#load-summary b { font-family: var(--mono); }
#load-message { margin: 4px 0 0; color: var(--dim); }
#bad-lines { margin: 6px 0 0; padding-left: 0; list-style: none; max-height: 180px; overflow: auto; font-family: var(--mono); font-size: 11.5px; color: #ffb0bb; }
#bad-lines li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
footer { display: flex; align-items: center; gap: 12px; padding: 8px 14px 10px; border-top: 1px solid var(--line); background: linear-gradient(#08101a, #0c1420); }
.transport { display: flex; gap: 4px; }
.transport button { padding: 4px 8px; line-height: 0; }
.transport button svg { width: 16px; height: 16px; fill: currentColor; }
#play { color: var(--accent); }
#timeline { flex: 1; min-width: 120px; display: flex; flex-direction: column; }
#timeline-events { width: 100%; height: 26px; display: block; cursor: pointer; }
#scrubber { width: 100%; margin: 0; height: 16px; background: transparent; -webkit-appearance: none; appearance: none; cursor: pointer; }
#scrubber::-webkit-slider-runnable-track { height: 4px; background: #1c2b3e; border-radius: 2px; }
#scrubber::-webkit-slider-thumb { -webkit-appearance: none; width: 12px; height: 12px; margin-top: -4px; border-radius: 50%; background: var(--accent); border: 2px solid #0b1320; box-shadow: 0 0 0 1px var(--accent); }
#scrubber::-moz-range-track { height: 4px; background: #1c2b3e; border-radius: 2px; }
#scrubber::-moz-range-thumb { width: 10px; height: 10px; border-radius: 50%; background: var(--accent); border: 2px solid #0b1320; }
#frame-readout { font-family: var(--mono); font-size: 12px; color: var(--dim); white-space: nowrap; min-width: 120px; text-align: right; }
#frame-index { color: var(--text); }
footer label { color: var(--dim); white-space: nowrap; display: flex; align-items: center; gap: 5px; }
#help { position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%); padding: 14px 18px; min-width: 380px; z-index: 5; }
#help h2 { margin: 0 0 8px; font-size: 14px; }
#help table { border-collapse: collapse; }
#help td { padding: 2px 10px 2px 0; vertical-align: top; }
#help td:first-child { white-space: nowrap; }
kbd { font: 11px var(--mono); padding: 1px 5px; border: 1px solid rgba(150, 180, 220, 0.35); border-bottom-width: 2px; border-radius: 4px; background: #0f1a28; }
#help p { margin: 10px 0 0; color: var(--dim); font-size: 12px; }
#drop-overlay { position: fixed; inset: 0; display: flex; align-items: center; justify-content: center; background: rgba(6, 10, 16, 0.75); border: 3px dashed var(--accent); font-size: 20px; color: var(--accent); z-index: 10; pointer-events: none; }
#hint { position: absolute; bottom: 12px; left: 50%; transform: translateX(-50%); color: var(--dim); font-size: 12px; pointer-events: none; white-space: nowrap; }
[hidden] { display: none !important; }
@media (max-width: 900px) { #legend { display: none; } #load-panel { width: calc(100% - 280px); } }
`;

const icon = (path: string): string =>
  `<svg viewBox="0 0 16 16" aria-hidden="true"><path d="${path}"/></svg>`;

const marker = (shape: string, color: string): string =>
  `<svg width="14" height="14" viewBox="-7 -7 14 14" aria-hidden="true">${
    shape === "diamond"
      ? `<path d="M0 -5.5L5.5 0L0 5.5L-5.5 0Z" fill="${color}"/>`
      : shape === "triangle"
      ? `<path d="M0 -5.5L5.5 4.5L-5.5 4.5Z" fill="${color}"/>`
      : `<circle r="4.5" fill="none" stroke="${color}" stroke-width="2"/>`
  }</svg>`;

const VIEWER_MARKUP = `<div id="app">
<header>
  <div class="brand"><span class="logo">&#9672;</span><span id="hud-title"></span></div>
  <div id="run-meta"><span id="hud-kind">scenario</span> <b id="hud-name"></b> &middot; seed <b id="hud-seed"></b> &middot; <span id="hud-source"></span></div>
  <div class="top-actions">
    <button id="open-file" type="button" title="Open a JSONL telemetry log (or drop one on the window)">Open log&hellip;</button>
    <input type="file" id="file-input" accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson,application/json,text/plain" hidden>
    <button id="help-button" type="button" title="Keyboard shortcuts (?)">?</button>
  </div>
</header>
<main>
  <canvas id="view" aria-label="3D view of the flight envelope and the flown trail"></canvas>
  <aside id="hud" class="panel" aria-live="off">
    <h2>Telemetry</h2>
    <dl>
      <dt>frame</dt><dd id="hud-frame"></dd>
      <dt>time</dt><dd id="hud-timestamp"></dd>
      <dt>spot</dt><dd id="hud-spot"></dd>
      <dt>IV</dt><dd id="hud-iv"></dd>
      <dt>HV</dt><dd id="hud-hv"></dd>
      <dt>X airspeed</dt><dd id="hud-x"></dd>
      <dt>Y load</dt><dd id="hud-y"></dd>
      <dt>Z walls</dt><dd id="hud-z"></dd>
    </dl>
    <div class="regime-row"><span id="hud-regime" class="badge regime"></span><span id="hud-flags"></span></div>
    <h2 class="second">Envelope levels</h2>
    <dl id="hud-levels">
      <dt>ATR</dt><dd id="hud-atr"></dd>
      <dt>flip</dt><dd id="hud-flip"></dd>
      <dt>put wall</dt><dd id="hud-putwall"></dd>
      <dt>call wall</dt><dd id="hud-callwall"></dd>
    </dl>
    <p id="hud-levels-note"></p>
    <p id="hud-events"></p>
  </aside>
  <aside id="legend" class="panel">
    <h2>Regimes</h2>
    <ul id="legend-regimes">
      <li><span class="swatch" style="background:var(--taxi)"></span>TAXI<span class="rule" id="rule-TAXI"></span></li>
      <li><span class="swatch" style="background:var(--cruise)"></span>CRUISE<span class="rule" id="rule-CRUISE"></span></li>
      <li><span class="swatch" style="background:var(--maneuver)"></span>MANEUVER<span class="rule" id="rule-MANEUVER"></span></li>
      <li><span class="swatch" style="background:var(--rupture)"></span>RUPTURE<span class="rule" id="rule-RUPTURE"></span></li>
    </ul>
    <h2>Flags fire</h2>
    <ul>
      <li>${marker("diamond", "#ff3f7a")}BREACH<span class="rule">Z &lt; 0</span></li>
      <li>${
  marker("triangle", "#ff8a3d")
}OVERSPEED<span class="rule" id="rule-OVERSPEED"></span></li>
      <li>${marker("circle", "#58c7ff")}STALL<span class="rule" id="rule-STALL"></span></li>
    </ul>
    <h2>Scene</h2>
    <ul>
      <li><span class="swatch" style="background:linear-gradient(90deg,#3fd68a,#ffb547,#ff4f64)"></span>flown trail, by regime</li>
      <li><span class="swatch" style="background:rgba(190,210,235,0.35)"></span>path ahead</li>
      <li><span class="swatch" style="background:rgba(255,79,100,0.55)"></span>walls, Z = 0</li>
      <li><span class="swatch" style="background:#5fd6c8"></span>gamma flip, Z = 1</li>
    </ul>
  </aside>
  <div id="load-panel" class="panel" role="status" hidden>
    <button id="load-close" type="button" title="Close">&times;</button>
    <p id="load-summary"><span id="load-file"></span>: <b id="load-frames">0</b> frames loaded, <b id="load-bad">0</b> bad lines</p>
    <p id="load-message"></p>
    <ol id="bad-lines"></ol>
  </div>
  <div id="hint">Space to fly &middot; drag to orbit &middot; ? for keys</div>
  <div id="help" class="panel" role="dialog" aria-label="Keyboard shortcuts" hidden>
    <h2>Keys</h2>
    <table>
      <tr><td><kbd>Space</kbd></td><td>play / pause</td></tr>
      <tr><td><kbd>,</kbd> <kbd>.</kbd></td><td>step one frame back / forward</td></tr>
      <tr><td><kbd>Home</kbd> <kbd>End</kbd></td><td>first / last frame</td></tr>
      <tr><td><kbd>N</kbd> <kbd>P</kbd></td><td>next / previous event (regime change, flag)</td></tr>
      <tr><td><kbd>[</kbd> <kbd>]</kbd></td><td>slower / faster (0.25&times; to 16&times;)</td></tr>
      <tr><td><kbd>L</kbd></td><td>loop on / off</td></tr>
      <tr><td><kbd>&larr;</kbd> <kbd>&rarr;</kbd> <kbd>&uarr;</kbd> <kbd>&darr;</kbd></td><td>orbit the camera</td></tr>
      <tr><td><kbd>W</kbd> <kbd>A</kbd> <kbd>S</kbd> <kbd>D</kbd></td><td>move the camera up / left / down / right</td></tr>
      <tr><td><kbd>Q</kbd> <kbd>E</kbd></td><td>zoom out / in</td></tr>
      <tr><td><kbd>R</kbd></td><td>reset the camera</td></tr>
      <tr><td><kbd>?</kbd> <kbd>Esc</kbd></td><td>show / hide this list</td></tr>
    </table>
    <p>Mouse: drag to orbit, shift-drag or right-drag to move, wheel to zoom.<br>Drop a JSONL log anywhere to fly it.</p>
  </div>
</main>
<footer>
  <div class="transport">
    <button id="first" type="button" title="First frame (Home)">${
  icon("M2 2h2v12H2zM14 2v12L5 8z")
}</button>
    <button id="step-back" type="button" title="Step back (,)">${
  icon("M3 2h2v12H3zM13 2v12L6 8z")
}</button>
    <button id="play" type="button" title="Play (Space)" data-state="paused">${
  icon("M4 2l10 6-10 6z")
}</button>
    <button id="step-forward" type="button" title="Step forward (.)">${
  icon("M11 2h2v12h-2zM3 2v12l7-6z")
}</button>
    <button id="last" type="button" title="Last frame (End)">${
  icon("M12 2h2v12h-2zM2 2v12l9-6z")
}</button>
  </div>
  <div id="timeline">
    <canvas id="timeline-events" title="Events: click to jump"></canvas>
    <input type="range" id="scrubber" min="0" max="0" step="1" value="0" aria-label="Frame">
  </div>
  <div id="frame-readout">frame <span id="frame-index">0</span> / <span id="frame-last">0</span></div>
  <label>speed <select id="speed" title="Playback speed ([ and ])">
    <option value="0.25">0.25&times;</option><option value="0.5">0.5&times;</option>
    <option value="1" selected>1&times;</option><option value="2">2&times;</option>
    <option value="4">4&times;</option><option value="8">8&times;</option>
    <option value="16">16&times;</option>
  </select></label>
  <label title="Loop (L)"><input type="checkbox" id="loop"> loop</label>
</footer>
<div id="drop-overlay" hidden>Drop a JSONL log to fly it</div>
</div>`;

const PLAY_ICON = "M4 2l10 6-10 6z";
const PAUSE_ICON = "M3 2h4v12H3zM9 2h4v12H9z";

// The in-page viewer. Plain ES2020, no template literals (this is a template string itself).
const VIEWER_SCRIPT = String.raw`
(function () {
"use strict";
var REGIMES = ["TAXI", "CRUISE", "MANEUVER", "RUPTURE"];
var FLAGS = ["BREACH", "OVERSPEED", "STALL"];
var REGIME_COLORS = ["#93a4bd", "#3fd68a", "#ffb547", "#ff4f64"];
var REGIME_RGB = ["147,164,189", "63,214,138", "255,181,71", "255,79,100"];
var FLAG_COLORS = ["#ff3f7a", "#ff8a3d", "#58c7ff"];
var SPEC_THRESHOLDS = { taxiX: 0.3, maneuverX: 2.5, maneuverY: 1.5, ruptureX: 4.5, ruptureY: 2.5, overspeedX: 3.5, stallY: 0.8 };
var THRESHOLD_KEYS = ["taxiX", "maneuverX", "maneuverY", "ruptureX", "ruptureY", "overspeedX", "stallY"];
var SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16];
var BOX = { w: 2.7, h: 1.45, d: 1.9 };
var HOME = { yaw: 0.55, pitch: 0.38, dist: 5.3, tx: 0, ty: -0.08, tz: 0 };
var PLAY_ICON = "${PLAY_ICON}";
var PAUSE_ICON = "${PAUSE_ICON}";
var MAX_MARKERS = 1500;
var COARSE_POINTS = 2000;
var SETTLE_MS = 200;
var MAX_BAD_SHOWN = 10;
var PAD = 6;

function $(id) { return document.getElementById(id); }
function setText(id, text) { $(id).textContent = text; }

var embedded = JSON.parse($("flight-data").textContent);
var fps = embedded.fps;
var canvas = $("view");
var ctx = canvas.getContext("2d");
var staticCanvas = document.createElement("canvas");
var sctx = staticCanvas.getContext("2d");
var trailCanvas = document.createElement("canvas");
var tctx = trailCanvas.getContext("2d");
var timeline = $("timeline-events");
var tlctx = timeline.getContext("2d");
var scrubber = $("scrubber");

var run = null;
var frame = 0;
var pos = 0;
var playing = false;
var speedIndex = 2;
var loop = false;
var cam = { yaw: HOME.yaw, pitch: HOME.pitch, dist: HOME.dist, tx: HOME.tx, ty: HOME.ty, tz: HOME.tz };
var camVersion = 1;
var runVersion = 0;
var W = 0, H = 0, DPR = 1, sizeVersion = 0;
var FREE = { left: 0, width: 1 };
var V = null;
var viewKey = "";
var staticKey = "";
var trailKey = "";
var trailFrame = -1;
var trailK = -1;
var trailMarkerPos = [0, 0, 0];
var detail = null;
var lastInteraction = -Infinity;
var dirty = true;
var hudFrame = -1;
var lastTime = 0;

var api = {
  loadedMs: null, draws: 0, drawMs: 0, lastDrawMs: 0, load: null, timing: { staticMs: 0, trailMs: 0 },
  get frame() { return frame; },
  get frames() { return run ? run.n : 0; },
  get playing() { return playing; },
  get speed() { return SPEEDS[speedIndex]; },
  get loop() { return loop; },
  get camera() { return { yaw: cam.yaw, pitch: cam.pitch, dist: cam.dist, tx: cam.tx, ty: cam.ty, tz: cam.tz }; },
  get source() { return run ? run.source : null; },
  seek: function (i) { seek(i); },
  play: function () { play(); },
  pause: function () { pause(); }
};
window.__flight = api;

// ---------- data ----------

function columnsFromEmbedded(f) {
  var n = f.length;
  var regime = new Uint8Array(n), flags = new Uint8Array(n);
  for (var i = 0; i < n; i++) {
    regime[i] = f.regime.charCodeAt(i) - 48;
    flags[i] = f.flags.charCodeAt(i) - 48;
  }
  return {
    n: n, timestamp: f.timestamp,
    spot: Float64Array.from(f.spot), iv: Float64Array.from(f.iv), hv: Float64Array.from(f.hv),
    x: Float64Array.from(f.x), y: Float64Array.from(f.y), z: Float64Array.from(f.z),
    regime: regime, flags: flags
  };
}

function showValue(v) {
  if (v === undefined) return "nothing";
  var s;
  try { s = JSON.stringify(v); } catch (e) { s = String(v); }
  if (s === undefined) s = String(v);
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

var NUMBER_KEYS = ["spot", "iv", "hv", "x", "y", "z"];
function frameProblem(v) {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "expected a JSON object";
  var t = v.timestamp;
  if (!(typeof t === "number" && isFinite(t)) && typeof t !== "string") {
    return "\"timestamp\": expected a number or an ISO 8601 string, got " + showValue(t);
  }
  for (var k = 0; k < NUMBER_KEYS.length; k++) {
    var key = NUMBER_KEYS[k];
    if (typeof v[key] !== "number" || !isFinite(v[key])) {
      return "\"" + key + "\": expected a finite number, got " + showValue(v[key]);
    }
  }
  if (REGIMES.indexOf(v.regime) < 0) {
    return "\"regime\": expected one of " + REGIMES.join(", ") + ", got " + showValue(v.regime);
  }
  if (!Array.isArray(v.flags)) return "\"flags\": expected a list of " + FLAGS.join(", ") + ", got " + showValue(v.flags);
  for (var j = 0; j < v.flags.length; j++) {
    if (FLAGS.indexOf(v.flags[j]) < 0) {
      return "\"flags\": expected a list of " + FLAGS.join(", ") + ", got " + showValue(v.flags);
    }
  }
  return null;
}

// SPEC §2 reader: BOM, \r\n and blank lines are fine; any other bad line is reported by number.
function parseJsonl(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  var ts = [], spot = [], iv = [], hv = [], xs = [], ys = [], zs = [], regime = [], flags = [];
  var bad = [], badCount = 0;
  var len = text.length, start = 0, lineNo = 0, allSteps = true;
  while (start <= len) {
    var end = text.indexOf("\n", start);
    if (end < 0) end = len;
    lineNo++;
    var line = text.slice(start, end);
    start = end + 1;
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (line.trim() === "") continue;
    var v, problem;
    try {
      v = JSON.parse(line);
      problem = frameProblem(v);
    } catch (e) {
      problem = "not JSON: " + (e && e.message ? e.message : String(e));
    }
    if (problem) {
      badCount++;
      if (bad.length < MAX_BAD_SHOWN) bad.push({ line: lineNo, message: problem.length > 200 ? problem.slice(0, 197) + "..." : problem });
      continue;
    }
    if (v.timestamp !== ts.length) allSteps = false;
    ts.push(v.timestamp);
    spot.push(v.spot); iv.push(v.iv); hv.push(v.hv); xs.push(v.x); ys.push(v.y); zs.push(v.z);
    regime.push(REGIMES.indexOf(v.regime));
    var mask = 0;
    for (var j = 0; j < v.flags.length; j++) mask |= 1 << FLAGS.indexOf(v.flags[j]);
    flags.push(mask);
  }
  return {
    columns: {
      n: ts.length, timestamp: allSteps ? null : ts,
      spot: Float64Array.from(spot), iv: Float64Array.from(iv), hv: Float64Array.from(hv),
      x: Float64Array.from(xs), y: Float64Array.from(ys), z: Float64Array.from(zs),
      regime: Uint8Array.from(regime), flags: Uint8Array.from(flags)
    },
    bad: bad, badCount: badCount, lines: lineNo
  };
}

function classify(th, x, y) {
  if (x > th.ruptureX || y > th.ruptureY) return 3;
  if (x >= th.maneuverX || y >= th.maneuverY) return 2;
  if (x < th.taxiX) return 0;
  return 1;
}

function validThresholds(th) {
  if (!th || typeof th !== "object") return false;
  for (var i = 0; i < THRESHOLD_KEYS.length; i++) {
    var v = th[THRESHOLD_KEYS[i]];
    if (typeof v !== "number" || !isFinite(v)) return false;
  }
  return true;
}

// Whether every frame's regime and flags follow from these thresholds.
function agrees(th, c) {
  if (!validThresholds(th) || c.n === 0) return false;
  for (var i = 0; i < c.n; i++) {
    var x = c.x[i], y = c.y[i];
    if (classify(th, x, y) !== c.regime[i]) return false;
    var mask = (c.z[i] < 0 ? 1 : 0) | (x > th.overspeedX ? 2 : 0) | (y < th.stallY ? 4 : 0);
    if (mask !== c.flags[i]) return false;
  }
  return true;
}

function niceStep(range, count) {
  var raw = range / Math.max(1, count);
  var mag = Math.pow(10, Math.floor(Math.log10(raw)));
  var r = raw / mag;
  return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

function ticks(lo, hi, count) {
  var step = niceStep(hi - lo, count);
  var out = [];
  var decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  for (var v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push({ v: v, label: (Math.abs(v) < step * 1e-6 ? 0 : v).toFixed(decimals) });
  }
  return out;
}

function domain(lo, hi, extra) {
  for (var i = 0; i < extra.length; i++) { lo = Math.min(lo, extra[i]); hi = Math.max(hi, extra[i]); }
  if (!isFinite(lo) || !isFinite(hi)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  var pad = (hi - lo) * 0.04;
  return [lo - (lo === 0 ? 0 : pad), hi + pad];
}

function upperBound(arr, v) {
  var lo = 0, hi = arr.length;
  while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] <= v) lo = mid + 1; else hi = mid; }
  return lo;
}

// Min/max-preserving decimation: per bucket, its first frame, extremes of X, Y, Z and regime changes.
function decimate(c, maxPoints) {
  var n = c.n;
  if (n <= maxPoints) {
    var all = new Int32Array(n);
    for (var i = 0; i < n; i++) all[i] = i;
    return all;
  }
  var buckets = Math.max(1, Math.floor(maxPoints / 9));
  var size = Math.ceil(n / buckets);
  var out = [];
  var pick = [];
  for (var b = 0; b < n; b += size) {
    var e = Math.min(n, b + size);
    var ix0 = b, ix1 = b, iy0 = b, iy1 = b, iz0 = b, iz1 = b, ch0 = -1, ch1 = -1;
    for (var k = b; k < e; k++) {
      if (c.x[k] < c.x[ix0]) ix0 = k; if (c.x[k] > c.x[ix1]) ix1 = k;
      if (c.y[k] < c.y[iy0]) iy0 = k; if (c.y[k] > c.y[iy1]) iy1 = k;
      if (c.z[k] < c.z[iz0]) iz0 = k; if (c.z[k] > c.z[iz1]) iz1 = k;
      if (k > 0 && c.regime[k] !== c.regime[k - 1]) { if (ch0 < 0) ch0 = k; ch1 = k; }
    }
    pick.length = 0;
    pick.push(b, ix0, ix1, iy0, iy1, iz0, iz1);
    if (ch0 >= 0) { pick.push(ch0 - 1, ch0, ch1); }
    pick.sort(function (p, q) { return p - q; });
    for (var j = 0; j < pick.length; j++) {
      if (pick[j] >= 0 && (out.length === 0 || out[out.length - 1] < pick[j])) out.push(pick[j]);
    }
  }
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return Int32Array.from(out);
}

function onsets(c, bit) {
  var list = [];
  for (var i = 0; i < c.n; i++) {
    if ((c.flags[i] & bit) && (i === 0 || !(c.flags[i - 1] & bit))) list.push(i);
  }
  var total = list.length;
  if (list.length > MAX_MARKERS) {
    var every = Math.ceil(list.length / MAX_MARKERS), kept = [];
    for (var k = 0; k < list.length; k += every) kept.push(list[k]);
    list = kept;
  }
  return { list: Int32Array.from(list), total: total };
}

function makeRun(c, meta) {
  var n = c.n, i;
  var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, minZ = Infinity, maxZ = -Infinity, maxYAt = -1;
  for (i = 0; i < n; i++) {
    if (c.x[i] < minX) minX = c.x[i]; if (c.x[i] > maxX) maxX = c.x[i];
    if (c.y[i] < minY) minY = c.y[i]; if (c.y[i] > maxY) { maxY = c.y[i]; maxYAt = i; }
    if (c.z[i] < minZ) minZ = c.z[i]; if (c.z[i] > maxZ) maxZ = c.z[i];
  }
  var levels = meta.levels && typeof meta.levels === "object" ? meta.levels : null;
  var th = null, thSource = "none";
  if (levels && validThresholds(levels.thresholds)) { th = levels.thresholds; thSource = "levels"; }
  else if (meta.fallback && agrees(meta.fallback, c)) { th = meta.fallback; thSource = "inferred"; }
  else if (agrees(SPEC_THRESHOLDS, c)) { th = SPEC_THRESHOLDS; thSource = "inferred"; }
  var dx, dy, dz;
  if (th) {
    dx = domain(Math.min(0, minX), maxX, [0, th.ruptureX * 1.12]);
    dy = domain(Math.min(0, minY), maxY, [0, th.ruptureY * 1.1]);
    dz = domain(minZ, maxZ, [-0.25, 1]);
  } else {
    dx = domain(minX, maxX, []);
    dy = domain(minY, maxY, []);
    dz = domain(minZ, maxZ, []);
  }
  var r = {
    n: n, c: c, source: meta.source, name: meta.name, seed: meta.seed, runIndex: meta.runIndex,
    levels: levels, th: th, thSource: thSource, dx: dx, dy: dy, dz: dz, maxY: maxY, maxYAt: maxYAt,
    wx: new Float32Array(n), wy: new Float32Array(n), wz: new Float32Array(n)
  };
  for (i = 0; i < n; i++) {
    r.wx[i] = mapX(r, c.x[i]); r.wy[i] = mapY(r, c.y[i]); r.wz[i] = mapZ(r, c.z[i]);
  }
  // two levels of detail: full when the view is still, coarse while the camera moves
  r.full = trailLevel(decimate(c, Math.max(1000, embedded.maxTrailPoints | 0)));
  r.coarse = r.full.dec.length > COARSE_POINTS * 1.5 ? trailLevel(decimate(c, COARSE_POINTS)) : r.full;
  r.onsets = [onsets(c, 1), onsets(c, 2), onsets(c, 4)];
  var changes = [];
  for (i = 1; i < n; i++) if (c.regime[i] !== c.regime[i - 1]) changes.push(i);
  r.changes = Int32Array.from(changes);
  var ev = changes.slice();
  for (var f = 0; f < 3; f++) for (var k = 0; k < r.onsets[f].list.length; k++) ev.push(r.onsets[f].list[k]);
  ev.sort(function (a, b) { return a - b; });
  r.events = Int32Array.from(ev.filter(function (v, j) { return j === 0 || v !== ev[j - 1]; }));
  r.firstBreach = r.onsets[0].list.length ? r.onsets[0].list[0] : -1;
  r.firstOverspeed = r.onsets[1].list.length ? r.onsets[1].list[0] : -1;
  r.firstStall = r.onsets[2].list.length ? r.onsets[2].list[0] : -1;
  return r;
}

function trailLevel(dec) {
  return { dec: dec, sx: new Float32Array(dec.length), sy: new Float32Array(dec.length) };
}

function mapX(r, v) { return ((v - r.dx[0]) / (r.dx[1] - r.dx[0]) - 0.5) * BOX.w; }
function mapY(r, v) { return ((v - r.dy[0]) / (r.dy[1] - r.dy[0]) - 0.5) * BOX.h; }
function mapZ(r, v) { return ((v - r.dz[0]) / (r.dz[1] - r.dz[0]) - 0.5) * BOX.d; }

function timestampText(i) {
  var t = run.c.timestamp ? run.c.timestamp[i] : i;
  return typeof t === "number" ? String(t) : t;
}

// ---------- camera and projection ----------

function updateView() {
  var key = camVersion + ":" + sizeVersion;
  if (key === viewKey) return;
  viewKey = key;
  var cp = Math.cos(cam.pitch), sp = Math.sin(cam.pitch), cy = Math.cos(cam.yaw), sy = Math.sin(cam.yaw);
  var fx = -cp * sy, fy = -sp, fz = -cp * cy;
  var rx = cy, ry = 0, rz = -sy;
  V = {
    Cx: cam.tx - fx * cam.dist, Cy: cam.ty - fy * cam.dist, Cz: cam.tz - fz * cam.dist,
    fx: fx, fy: fy, fz: fz, rx: rx, ry: ry, rz: rz,
    ux: ry * fz - rz * fy, uy: rz * fx - rx * fz, uz: rx * fy - ry * fx,
    F: Math.min(FREE.width * 1.3, H * 1.45), cx: FREE.left + FREE.width / 2, cy: H * 0.5
  };
}

var P = [0, 0];
// Projects a world point into P; returns false when it is behind the camera.
function proj(x, y, z) {
  var dx = x - V.Cx, dy = y - V.Cy, dz = z - V.Cz;
  var d = dx * V.fx + dy * V.fy + dz * V.fz;
  if (d < 0.05) return false;
  P[0] = V.cx + V.F * (dx * V.rx + dy * V.ry + dz * V.rz) / d;
  P[1] = V.cy - V.F * (dx * V.ux + dy * V.uy + dz * V.uz) / d;
  return true;
}
// Projects a point in data units (X, Y, Z).
function projData(x, y, z) { return proj(mapX(run, x), mapY(run, y), mapZ(run, z)); }

function line3(g, a, b) {
  if (!projData(a[0], a[1], a[2])) return;
  var x0 = P[0], y0 = P[1];
  if (!projData(b[0], b[1], b[2])) return;
  g.beginPath(); g.moveTo(x0, y0); g.lineTo(P[0], P[1]); g.stroke();
}

function quad(g, pts) {
  g.beginPath();
  for (var i = 0; i < pts.length; i++) {
    if (!projData(pts[i][0], pts[i][1], pts[i][2])) return false;
    if (i === 0) g.moveTo(P[0], P[1]); else g.lineTo(P[0], P[1]);
  }
  g.closePath();
  return true;
}

function clampRange(v, d) { return Math.max(d[0], Math.min(d[1], v)); }

// ---------- static layer: walls, grid, zones, envelope, labels, path ahead ----------

function drawStatic() {
  var g = sctx;
  g.setTransform(DPR, 0, 0, DPR, 0, 0);
  var grad = g.createRadialGradient(W * 0.55, H * 0.45, 0, W * 0.55, H * 0.45, Math.max(W, H) * 0.75);
  grad.addColorStop(0, "#0d1726");
  grad.addColorStop(1, "#05080d");
  g.fillStyle = grad;
  g.fillRect(0, 0, W, H);
  if (!run) return;
  var dx = run.dx, dy = run.dy, dz = run.dz;
  var xb = V.Cx > 0 ? dx[0] : dx[1], xf = xb === dx[0] ? dx[1] : dx[0];
  var yb = V.Cy > 0 ? dy[0] : dy[1];
  var zb = V.Cz > 0 ? dz[0] : dz[1], zf = zb === dz[0] ? dz[1] : dz[0];
  var tx = ticks(dx[0], dx[1], 6), ty = ticks(dy[0], dy[1], 5), tz = ticks(dz[0], dz[1], 5);
  var th = run.th;
  g.lineCap = "round";
  g.lineJoin = "round";

  // back walls
  g.fillStyle = "rgba(40, 70, 110, 0.10)";
  if (quad(g, [[dx[0], dy[0], zb], [dx[1], dy[0], zb], [dx[1], dy[1], zb], [dx[0], dy[1], zb]])) g.fill();
  if (quad(g, [[dx[0], yb, dz[0]], [dx[1], yb, dz[0]], [dx[1], yb, dz[1]], [dx[0], yb, dz[1]]])) g.fill();
  if (quad(g, [[xb, dy[0], dz[0]], [xb, dy[1], dz[0]], [xb, dy[1], dz[1]], [xb, dy[0], dz[1]]])) g.fill();

  // regime zones on the X-Y back wall
  if (th) {
    var X = function (v) { return clampRange(v, dx); }, Y = function (v) { return clampRange(v, dy); };
    var rect = function (a, b, c, d) { return [[X(a), Y(c), zb], [X(b), Y(c), zb], [X(b), Y(d), zb], [X(a), Y(d), zb]]; };
    var zones = [
      [0, [rect(dx[0], th.taxiX, dy[0], th.maneuverY)]],
      [1, [rect(th.taxiX, th.maneuverX, dy[0], th.maneuverY)]],
      [2, [rect(th.maneuverX, th.ruptureX, dy[0], th.ruptureY), rect(dx[0], th.maneuverX, th.maneuverY, th.ruptureY)]],
      [3, [rect(th.ruptureX, dx[1], dy[0], dy[1]), rect(dx[0], th.ruptureX, th.ruptureY, dy[1])]]
    ];
    for (var zi = 0; zi < zones.length; zi++) {
      g.fillStyle = "rgba(" + REGIME_RGB[zones[zi][0]] + ", " + (zones[zi][0] === 3 ? 0.06 : 0.11) + ")";
      for (var q = 0; q < zones[zi][1].length; q++) if (quad(g, zones[zi][1][q])) g.fill();
    }
  }

  // grid on the back walls
  g.lineWidth = 1;
  g.strokeStyle = "rgba(120, 160, 210, 0.11)";
  var t;
  for (t = 0; t < tx.length; t++) {
    line3(g, [tx[t].v, dy[0], zb], [tx[t].v, dy[1], zb]);
    line3(g, [tx[t].v, yb, dz[0]], [tx[t].v, yb, dz[1]]);
  }
  for (t = 0; t < ty.length; t++) {
    line3(g, [dx[0], ty[t].v, zb], [dx[1], ty[t].v, zb]);
    line3(g, [xb, ty[t].v, dz[0]], [xb, ty[t].v, dz[1]]);
  }
  for (t = 0; t < tz.length; t++) {
    line3(g, [dx[0], yb, tz[t].v], [dx[1], yb, tz[t].v]);
    line3(g, [xb, dy[0], tz[t].v], [xb, dy[1], tz[t].v]);
  }

  // box edges
  g.strokeStyle = "rgba(150, 185, 230, 0.32)";
  var cx = [dx[0], dx[1]], cy = [dy[0], dy[1]], cz = [dz[0], dz[1]];
  for (var a = 0; a < 2; a++) for (var b = 0; b < 2; b++) {
    line3(g, [cx[0], cy[a], cz[b]], [cx[1], cy[a], cz[b]]);
    line3(g, [cx[a], cy[0], cz[b]], [cx[a], cy[1], cz[b]]);
    line3(g, [cx[a], cy[b], cz[0]], [cx[a], cy[b], cz[1]]);
  }

  var inZ = function (v) { return v >= dz[0] && v <= dz[1]; };
  // BREACH zone on the floor and the wall curtain at Z = 0
  if (inZ(0)) {
    g.fillStyle = "rgba(255, 63, 122, 0.08)";
    if (quad(g, [[dx[0], yb, dz[0]], [dx[1], yb, dz[0]], [dx[1], yb, 0], [dx[0], yb, 0]])) g.fill();
    g.fillStyle = "rgba(255, 79, 100, 0.035)";
    if (quad(g, [[dx[0], dy[0], 0], [dx[1], dy[0], 0], [dx[1], dy[1], 0], [dx[0], dy[1], 0]])) g.fill();
    g.strokeStyle = "rgba(255, 79, 100, 0.55)";
    g.lineWidth = 1.2;
    line3(g, [dx[0], yb, 0], [dx[1], yb, 0]);
    line3(g, [xb, dy[0], 0], [xb, dy[1], 0]);
    g.strokeStyle = "rgba(255, 79, 100, 0.3)";
    line3(g, [dx[0], dy[1], 0], [dx[1], dy[1], 0]);
    line3(g, [xf, dy[0], 0], [xf, dy[1], 0]);
  }
  if (inZ(1)) {
    g.strokeStyle = "rgba(95, 214, 200, 0.6)";
    g.setLineDash([5, 4]);
    g.lineWidth = 1.2;
    line3(g, [dx[0], yb, 1], [dx[1], yb, 1]);
    line3(g, [xb, dy[0], 1], [xb, dy[1], 1]);
    g.setLineDash([]);
  }

  if (th) {
    // threshold lines on the back walls and the floor
    var xLines = [[th.taxiX, 1], [th.maneuverX, 2], [th.ruptureX, 3]];
    var yLines = [[th.maneuverY, 2], [th.ruptureY, 3]];
    g.lineWidth = 1.1;
    for (t = 0; t < xLines.length; t++) {
      var xv = xLines[t][0];
      if (xv < dx[0] || xv > dx[1]) continue;
      g.strokeStyle = "rgba(" + REGIME_RGB[xLines[t][1]] + ", 0.55)";
      line3(g, [xv, dy[0], zb], [xv, t === 0 ? clampRange(th.maneuverY, dy) : clampRange(t === 1 ? th.ruptureY : dy[1], dy), zb]);
      line3(g, [xv, yb, dz[0]], [xv, yb, dz[1]]);
    }
    for (t = 0; t < yLines.length; t++) {
      var yv = yLines[t][0];
      if (yv < dy[0] || yv > dy[1]) continue;
      g.strokeStyle = "rgba(" + REGIME_RGB[yLines[t][1]] + ", 0.55)";
      line3(g, [dx[0], yv, zb], [clampRange(t === 0 ? th.ruptureX : dx[1], dx), yv, zb]);
      line3(g, [xb, yv, dz[0]], [xb, yv, dz[1]]);
    }
    g.setLineDash([3, 4]);
    if (th.overspeedX >= dx[0] && th.overspeedX <= dx[1]) {
      g.strokeStyle = "rgba(255, 138, 61, 0.55)";
      line3(g, [th.overspeedX, yb, dz[0]], [th.overspeedX, yb, dz[1]]);
    }
    if (th.stallY >= dy[0] && th.stallY <= dy[1]) {
      g.strokeStyle = "rgba(88, 199, 255, 0.5)";
      line3(g, [dx[0], th.stallY, zb], [dx[1], th.stallY, zb]);
      line3(g, [xb, th.stallY, dz[0]], [xb, th.stallY, dz[1]]);
    }
    g.setLineDash([]);
    // envelope wireframes between the walls and the flip
    if (inZ(0) && inZ(1)) {
      box3(g, [dx[0], clampRange(th.ruptureX, dx)], [dy[0], clampRange(th.ruptureY, dy)], [0, 1], "rgba(255, 79, 100, 0.42)", [6, 4]);
      box3(g, [dx[0], clampRange(th.maneuverX, dx)], [dy[0], clampRange(th.maneuverY, dy)], [0, 1], "rgba(255, 181, 71, 0.5)", [2, 3]);
    }
  }

  // path ahead, and its shadow on the floor
  var dec = detail.dec, sx = detail.sx, sy = detail.sy, k;
  for (k = 0; k < dec.length; k++) {
    var fi = dec[k];
    if (proj(run.wx[fi], run.wy[fi], run.wz[fi])) { sx[k] = P[0]; sy[k] = P[1]; } else { sx[k] = NaN; sy[k] = NaN; }
  }
  var floorY = mapY(run, yb);
  g.strokeStyle = "rgba(120, 150, 190, 0.16)";
  g.lineWidth = 1;
  g.beginPath();
  var pen = false, shadow = run.coarse.dec;
  for (k = 0; k < shadow.length; k++) {
    var j = shadow[k];
    if (!proj(run.wx[j], floorY, run.wz[j])) { pen = false; continue; }
    if (pen) g.lineTo(P[0], P[1]); else g.moveTo(P[0], P[1]);
    pen = true;
  }
  g.stroke();
  g.strokeStyle = "rgba(190, 210, 235, 0.28)";
  g.lineWidth = 1.1;
  polyline(g, 0, dec.length - 1);

  // flags ahead, faint
  g.globalAlpha = 0.35;
  for (var fl = 0; fl < 3; fl++) {
    var list = run.onsets[fl].list;
    for (k = 0; k < list.length; k++) {
      var m = list[k];
      if (proj(run.wx[m], run.wy[m], run.wz[m])) drawMarker(g, fl, P[0], P[1], 3.5);
    }
  }
  g.globalAlpha = 1;

  // axes, ticks and titles
  drawAxes(g, xb, xf, yb, zb, zf, tx, ty, tz);
  if (th) drawZoneLabels(g, zb);
}

function box3(g, X, Y, Z, color, dash) {
  g.strokeStyle = color;
  g.lineWidth = 1.2;
  g.setLineDash(dash);
  for (var a = 0; a < 2; a++) for (var b = 0; b < 2; b++) {
    line3(g, [X[0], Y[a], Z[b]], [X[1], Y[a], Z[b]]);
    line3(g, [X[a], Y[0], Z[b]], [X[a], Y[1], Z[b]]);
    line3(g, [X[a], Y[b], Z[0]], [X[a], Y[b], Z[1]]);
  }
  g.setLineDash([]);
}

// Long paths are stroked in chunks: the rasteriser is much faster on many short paths.
var CHUNK = 256;
function polyline(g, k0, k1) {
  var sx = detail.sx, sy = detail.sy;
  g.beginPath();
  var pen = false, count = 0, lx = 0, ly = 0;
  for (var k = k0; k <= k1; k++) {
    var x = sx[k], y = sy[k];
    if (x !== x) { pen = false; continue; }
    if (pen) {
      if (Math.abs(x - lx) + Math.abs(y - ly) < 0.75 && k < k1) continue;
      g.lineTo(x, y);
    } else g.moveTo(x, y);
    pen = true;
    lx = x; ly = y;
    if (++count === CHUNK) { g.stroke(); g.beginPath(); g.moveTo(x, y); count = 0; }
  }
  g.stroke();
}

function screenDir(a, b) {
  if (!projData(a[0], a[1], a[2])) return [0, 1];
  var x0 = P[0], y0 = P[1];
  if (!projData(b[0], b[1], b[2])) return [0, 1];
  var vx = P[0] - x0, vy = P[1] - y0, l = Math.hypot(vx, vy) || 1;
  return [vx / l, vy / l];
}

function label(g, text, x, y, dir, gap) {
  g.textAlign = dir[0] > 0.35 ? "left" : dir[0] < -0.35 ? "right" : "center";
  g.textBaseline = dir[1] > 0.35 ? "top" : dir[1] < -0.35 ? "bottom" : "middle";
  g.fillText(text, x + dir[0] * gap, y + dir[1] * gap);
}

function drawAxes(g, xb, xf, yb, zb, zf, tx, ty, tz) {
  var dx = run.dx, dy = run.dy, dz = run.dz;
  g.font = "11px " + getComputedStyle(document.body).getPropertyValue("--mono");
  g.fillStyle = "#8fa2bb";
  g.strokeStyle = "rgba(170, 200, 235, 0.55)";
  g.lineWidth = 1;
  var t, d;
  // X along the front floor edge, labels pushed away from the back wall
  d = screenDir([dx[0], yb, zb], [dx[0], yb, zf]);
  for (t = 0; t < tx.length; t++) {
    if (!projData(tx[t].v, yb, zf)) continue;
    g.beginPath(); g.moveTo(P[0], P[1]); g.lineTo(P[0] + d[0] * 5, P[1] + d[1] * 5); g.stroke();
    label(g, tx[t].label, P[0], P[1], d, 8);
  }
  var xTitle = d;
  // Z along the floor edge on the front X side
  d = screenDir([xb, yb, dz[0]], [xf, yb, dz[0]]);
  for (t = 0; t < tz.length; t++) {
    if (!projData(xf, yb, tz[t].v)) continue;
    g.beginPath(); g.moveTo(P[0], P[1]); g.lineTo(P[0] + d[0] * 5, P[1] + d[1] * 5); g.stroke();
    label(g, tz[t].label, P[0], P[1], d, 8);
  }
  var zTitle = d;
  // Y on the vertical edge furthest left on screen among the two silhouette edges
  var cand = [[xb, zf], [xf, zb]], best = cand[0], bestX = Infinity;
  for (var c = 0; c < 2; c++) {
    if (projData(cand[c][0], dy[0], cand[c][1]) && P[0] < bestX) { bestX = P[0]; best = cand[c]; }
  }
  var yDir = [-1, 0];
  for (t = 0; t < ty.length; t++) {
    // the bottom tick would collide with the first X or Z tick at the same corner
    if (ty[t].v <= dy[0] + 1e-9 || !projData(best[0], ty[t].v, best[1])) continue;
    g.beginPath(); g.moveTo(P[0], P[1]); g.lineTo(P[0] - 5, P[1]); g.stroke();
    label(g, ty[t].label, P[0], P[1], yDir, 8);
  }
  g.font = "600 12px " + getComputedStyle(document.body).getPropertyValue("--sans");
  g.fillStyle = "#c9d6e6";
  if (projData((dx[0] + dx[1]) / 2, yb, zf)) label(g, "X  airspeed (ATR from flip)", P[0], P[1], xTitle, 30);
  if (projData(xf, yb, (dz[0] + dz[1]) / 2)) label(g, "Z  wall proximity (1 flip, 0 wall)", P[0], P[1], zTitle, 30);
  // Y title rotated along the axis, left of its tick labels
  if (projData(best[0], dy[0], best[1])) {
    var yx0 = P[0], yy0 = P[1];
    if (projData(best[0], dy[1], best[1])) {
      g.save();
      g.translate((yx0 + P[0]) / 2 - 44, (yy0 + P[1]) / 2);
      g.rotate(-Math.PI / 2);
      g.textAlign = "center";
      g.textBaseline = "middle";
      g.fillText("Y  load factor (IV/HV, g)", 0, 0);
      g.restore();
    }
  }
  g.font = "600 10.5px " + getComputedStyle(document.body).getPropertyValue("--sans");
  if (dz[0] <= 0 && dz[1] >= 0 && projData(xf, dy[1], 0)) {
    g.fillStyle = "rgba(255, 110, 130, 0.85)";
    label(g, "WALL  Z = 0", P[0], P[1], [0, -1], 6);
  }
  if (dz[0] <= 1 && dz[1] >= 1 && projData(xb, dy[1], 1)) {
    g.fillStyle = "rgba(95, 214, 200, 0.9)";
    // beside the top of the flip line, clear of the Y axis title above the box
    label(g, "FLIP  Z = 1", P[0], P[1], [1, 0.6], 8);
  }
}

function drawZoneLabels(g, zb) {
  var th = run.th, dx = run.dx, dy = run.dy;
  g.font = "700 11px " + getComputedStyle(document.body).getPropertyValue("--sans");
  var spots = [
    [1, (Math.max(th.taxiX, dx[0]) + Math.min(th.maneuverX, dx[1])) / 2, dy[0] + (Math.min(th.maneuverY, dy[1]) - dy[0]) * 0.5],
    [2, (Math.max(th.maneuverX, dx[0]) + Math.min(th.ruptureX, dx[1])) / 2, dy[0] + (Math.min(th.ruptureY, dy[1]) - dy[0]) * 0.5],
    [3, (Math.max(th.ruptureX, dx[0]) + dx[1]) / 2, (dy[0] + dy[1]) / 2]
  ];
  for (var i = 0; i < spots.length; i++) {
    var s = spots[i];
    if (s[1] < dx[0] || s[1] > dx[1] || !projData(s[1], s[2], zb)) continue;
    g.fillStyle = "rgba(" + REGIME_RGB[s[0]] + ", 0.6)";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(REGIMES[s[0]], P[0], P[1]);
  }
}

function drawMarker(g, flag, x, y, r) {
  g.fillStyle = FLAG_COLORS[flag];
  g.strokeStyle = FLAG_COLORS[flag];
  g.beginPath();
  if (flag === 0) { g.moveTo(x, y - r); g.lineTo(x + r, y); g.lineTo(x, y + r); g.lineTo(x - r, y); g.closePath(); g.fill(); }
  else if (flag === 1) { g.moveTo(x, y - r); g.lineTo(x + r, y + r * 0.8); g.lineTo(x - r, y + r * 0.8); g.closePath(); g.fill(); }
  else { g.lineWidth = 1.6; g.arc(x, y, r * 0.8, 0, Math.PI * 2); g.stroke(); }
}

// ---------- trail layer: the flown trail and the flags that fired, drawn incrementally ----------

function strokeTrail(g, k0, k1) {
  // segment k (from dec[k - 1] to dec[k]) takes the regime of dec[k]; one path per regime
  if (k1 < Math.max(1, k0)) return;
  var dec = detail.dec, sx = detail.sx, sy = detail.sy, reg = run.c.regime;
  var glow = detail === run.full;
  g.lineCap = "round";
  g.lineJoin = "round";
  var k = Math.max(1, k0);
  while (k <= k1) {
    // a run of segments in one regime, at most CHUNK long
    var r = reg[dec[k]], start = k;
    while (k <= k1 && reg[dec[k]] === r && k - start < CHUNK) k++;
    g.beginPath();
    var pen = false, lx = 0, ly = 0;
    for (var j = start - 1; j < k; j++) {
      var x = sx[j], y = sy[j];
      if (x !== x) { pen = false; continue; }
      if (pen) {
        if (Math.abs(x - lx) + Math.abs(y - ly) < 0.75 && j < k - 1) continue;
        g.lineTo(x, y);
      } else g.moveTo(x, y);
      pen = true;
      lx = x; ly = y;
    }
    if (glow) {
      g.strokeStyle = "rgba(" + REGIME_RGB[r] + ", 0.2)";
      g.lineWidth = 5;
      g.stroke();
    }
    g.strokeStyle = REGIME_COLORS[r];
    g.lineWidth = 1.8;
    g.stroke();
  }
}

function markersUpTo(g, toFrame) {
  for (var f = 0; f < 3; f++) {
    var list = run.onsets[f].list;
    var k = trailMarkerPos[f];
    while (k < list.length && list[k] <= toFrame) {
      var m = list[k];
      if (proj(run.wx[m], run.wy[m], run.wz[m])) {
        var first = f === 0 && m === run.firstBreach;
        drawMarker(g, f, P[0], P[1], first ? 6.5 : 4.5);
        if (first) {
          g.font = "700 11px " + getComputedStyle(document.body).getPropertyValue("--sans");
          g.fillStyle = FLAG_COLORS[0];
          g.textAlign = "left";
          g.textBaseline = "bottom";
          g.fillText("first BREACH", P[0] + 8, P[1] - 6);
        }
      }
      k++;
    }
    trailMarkerPos[f] = k;
  }
}

function updateTrail() {
  var key = staticKey;
  var g = tctx;
  var k = upperBound(detail.dec, frame) - 1;
  if (trailKey !== key || frame < trailFrame) {
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, trailCanvas.width, trailCanvas.height);
    g.setTransform(DPR, 0, 0, DPR, 0, 0);
    trailMarkerPos = [0, 0, 0];
    strokeTrail(g, 1, k);
    markersUpTo(g, frame);
  } else if (frame > trailFrame) {
    strokeTrail(g, trailK + 1, k);
    markersUpTo(g, frame);
  }
  trailKey = key;
  trailFrame = frame;
  trailK = k;
}

// ---------- live layer: the segment since the last trail point, the craft ----------

function drawLive(g) {
  var n = run.n;
  if (n === 0) return;
  var i = frame, frac = playing ? pos - Math.floor(pos) : 0;
  var j = Math.min(n - 1, i + 1);
  var wx = run.wx[i] + (run.wx[j] - run.wx[i]) * frac;
  var wy = run.wy[i] + (run.wy[j] - run.wy[i]) * frac;
  var wz = run.wz[i] + (run.wz[j] - run.wz[i]) * frac;
  var reg = run.c.regime[i];
  var color = REGIME_COLORS[reg];
  g.lineCap = "round";
  // segment from the last trail point through frame i to the craft
  var k = trailK;
  if (k >= 0) {
    var from = detail.dec[k];
    g.strokeStyle = color;
    g.lineWidth = 1.8;
    g.beginPath();
    if (proj(run.wx[from], run.wy[from], run.wz[from])) g.moveTo(P[0], P[1]);
    if (proj(run.wx[i], run.wy[i], run.wz[i])) g.lineTo(P[0], P[1]);
    if (proj(wx, wy, wz)) g.lineTo(P[0], P[1]);
    g.stroke();
  }
  if (!proj(wx, wy, wz)) return;
  var px = P[0], py = P[1];
  // drop line to the floor and the back wall
  var floorY = mapY(run, V.Cy > 0 ? run.dy[0] : run.dy[1]);
  g.setLineDash([3, 3]);
  g.lineWidth = 1;
  g.strokeStyle = "rgba(" + REGIME_RGB[reg] + ", 0.6)";
  if (proj(wx, floorY, wz)) {
    g.beginPath(); g.moveTo(px, py); g.lineTo(P[0], P[1]); g.stroke();
    g.setLineDash([]);
    g.beginPath(); g.ellipse(P[0], P[1], 6, 2.5, 0, 0, Math.PI * 2); g.stroke();
  }
  g.setLineDash([]);
  // glow and craft
  var glow = g.createRadialGradient(px, py, 0, px, py, 22);
  glow.addColorStop(0, "rgba(" + REGIME_RGB[reg] + ", 0.55)");
  glow.addColorStop(1, "rgba(" + REGIME_RGB[reg] + ", 0)");
  g.fillStyle = glow;
  g.beginPath(); g.arc(px, py, 22, 0, Math.PI * 2); g.fill();
  g.fillStyle = "#ffffff";
  g.beginPath(); g.arc(px, py, 3.6, 0, Math.PI * 2); g.fill();
  g.strokeStyle = color;
  g.lineWidth = 2;
  g.beginPath(); g.arc(px, py, 7, 0, Math.PI * 2); g.stroke();
  // tag
  var tag = REGIMES[reg];
  var fl = run.c.flags[i];
  for (var b = 0; b < 3; b++) if (fl & (1 << b)) tag += " · " + FLAGS[b];
  g.font = "600 11px " + getComputedStyle(document.body).getPropertyValue("--mono");
  var tw = g.measureText(tag).width;
  var bx = px + 14, by = py - 24;
  if (bx + tw + 12 > W) bx = px - 14 - tw - 12;
  g.fillStyle = "rgba(8, 13, 21, 0.82)";
  g.strokeStyle = "rgba(" + REGIME_RGB[reg] + ", 0.7)";
  g.lineWidth = 1;
  g.beginPath();
  if (g.roundRect) g.roundRect(bx, by, tw + 12, 18, 4); else g.rect(bx, by, tw + 12, 18);
  g.fill(); g.stroke();
  g.fillStyle = fl & 1 ? FLAG_COLORS[0] : color;
  g.textAlign = "left";
  g.textBaseline = "middle";
  g.fillText(tag, bx + 6, by + 9.5);
}

// ---------- frame drawing ----------

function resize() {
  var rect = canvas.getBoundingClientRect();
  var dpr = window.devicePixelRatio || 1;
  var w = Math.max(1, Math.round(rect.width)), h = Math.max(1, Math.round(rect.height));
  if (w === W && h === H && dpr === DPR) return false;
  W = w; H = h; DPR = dpr;
  var pw = Math.round(w * dpr), ph = Math.round(h * dpr);
  canvas.width = pw; canvas.height = ph;
  staticCanvas.width = pw; staticCanvas.height = ph;
  trailCanvas.width = pw; trailCanvas.height = ph;
  // centre the scene in the room the HUD and the legend leave free
  var hud = $("hud").getBoundingClientRect(), legend = $("legend").getBoundingClientRect();
  var left = Math.max(0, hud.right - rect.left), right = legend.width > 0 ? Math.max(0, rect.right - legend.left) : 0;
  if (w - left - right < w * 0.5) { left = 0; right = 0; }
  FREE = { left: left, width: w - left - right };
  sizeVersion++;
  drawTimeline();
  return true;
}

function draw() {
  var t0 = performance.now();
  resize();
  updateView();
  var coarse = run && performance.now() - lastInteraction < SETTLE_MS;
  detail = run ? (coarse ? run.coarse : run.full) : null;
  var key = camVersion + ":" + sizeVersion + ":" + runVersion + (coarse ? ":coarse" : "");
  if (key !== staticKey) {
    staticKey = key;
    var ts0 = performance.now();
    drawStatic();
    api.timing.staticMs = performance.now() - ts0;
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(staticCanvas, 0, 0);
  if (run && run.n > 0) {
    var tt0 = performance.now();
    updateTrail();
    api.timing.trailMs = performance.now() - tt0;
    ctx.drawImage(trailCanvas, 0, 0);
    ctx.setTransform(DPR, 0, 0, DPR, 0, 0);
    drawLive(ctx);
  }
  if (hudFrame !== frame || hudFrame < 0) updateHud();
  api.draws++;
  api.lastDrawMs = performance.now() - t0;
  api.drawMs += api.lastDrawMs;
  dirty = false;
}

// ---------- HUD ----------

function fmt(v, digits) { return v.toFixed(digits); }
function pct(v) { return (v * 100).toFixed(2) + "%"; }
function setValue(id, text, raw) { var el = $(id); el.textContent = text; el.setAttribute("data-value", raw); }
function levelText(v) { return typeof v === "number" && isFinite(v) ? String(Number(v.toPrecision(10))) : "unknown"; }

function updateHud() {
  hudFrame = frame;
  var n = run ? run.n : 0;
  setText("frame-index", String(frame));
  setText("frame-last", String(Math.max(0, n - 1)));
  scrubber.max = String(Math.max(0, n - 1));
  scrubber.value = String(frame);
  if (n === 0) {
    ["hud-frame", "hud-timestamp", "hud-spot", "hud-iv", "hud-hv", "hud-x", "hud-y", "hud-z"].forEach(function (id) { setValue(id, "—", ""); });
    setText("hud-regime", "no frames");
    $("hud-flags").textContent = "";
    return;
  }
  var c = run.c, i = frame;
  setValue("hud-frame", i + " / " + (n - 1), String(i));
  var ts = timestampText(i);
  setValue("hud-timestamp", ts, ts);
  setValue("hud-spot", fmt(c.spot[i], 2), String(c.spot[i]));
  setValue("hud-iv", pct(c.iv[i]), String(c.iv[i]));
  setValue("hud-hv", pct(c.hv[i]), String(c.hv[i]));
  setValue("hud-x", fmt(c.x[i], 3), String(c.x[i]));
  setValue("hud-y", fmt(c.y[i], 3), String(c.y[i]));
  setValue("hud-z", fmt(c.z[i], 3), String(c.z[i]));
  var regime = $("hud-regime");
  regime.textContent = REGIMES[c.regime[i]];
  regime.setAttribute("data-regime", REGIMES[c.regime[i]]);
  regime.style.color = REGIME_COLORS[c.regime[i]];
  var flags = $("hud-flags");
  var names = [];
  for (var b = 0; b < 3; b++) if (c.flags[i] & (1 << b)) names.push(FLAGS[b]);
  if (flags.getAttribute("data-flags") !== names.join(",") || flags.childNodes.length !== names.length) {
    flags.textContent = "";
    flags.setAttribute("data-flags", names.join(","));
    for (var k = 0; k < names.length; k++) {
      var s = document.createElement("span");
      s.className = "badge flag-" + names[k];
      s.textContent = names[k];
      flags.appendChild(s);
      flags.appendChild(document.createTextNode(" "));
    }
  }
}

function updateRunInfo() {
  setText("hud-title", run.source === "embedded" ? embedded.title : run.name);
  setText("hud-kind", run.source === "embedded" ? "scenario" : "log");
  setText("hud-name", run.name);
  setText("hud-seed", run.seed === null || run.seed === undefined ? "—" : String(run.seed) + (run.runIndex ? " (run " + run.runIndex + ")" : ""));
  setText("hud-source", run.n.toLocaleString("en-US") + " frames" + (run.source === "embedded" ? "" : " from a file"));
  var lv = run.levels;
  var ids = [["hud-atr", "atr"], ["hud-flip", "flip"], ["hud-putwall", "putWall"], ["hud-callwall", "callWall"]];
  for (var i = 0; i < ids.length; i++) {
    var el = $(ids[i][0]);
    var text = lv ? levelText(lv[ids[i][1]]) : "unknown";
    el.textContent = text;
    el.className = text === "unknown" ? "unknown" : "";
  }
  document.body.setAttribute("data-levels", lv ? "known" : "unknown");
  var note = lv ? "" : run.source === "embedded"
    ? "Levels unknown: the run's evaluator publishes none."
    : "Levels unknown: a JSONL log carries none.";
  if (!lv) {
    note += run.th
      ? " Regime zones use the thresholds that every frame's regime and flags agree with."
      : " No thresholds fit every frame, so no zones; axes scale to the data.";
  }
  setText("hud-levels-note", note);
  $("hud-levels-note").hidden = !note;
  var ev = $("hud-events");
  ev.textContent = "";
  if (run.n > 0) {
    var add = function (label, value) {
      if (ev.childNodes.length) ev.appendChild(document.createTextNode(" · "));
      ev.appendChild(document.createTextNode(label + " "));
      var b = document.createElement("b");
      b.textContent = value;
      ev.appendChild(b);
    };
    add("first BREACH", run.firstBreach >= 0 ? "frame " + run.firstBreach : "none");
    add("max load", run.maxY.toFixed(2) + " g");
    add("regime changes", String(run.changes.length));
  }
  var th = run.th;
  var rules = th ? {
    TAXI: "X < " + th.taxiX,
    CRUISE: th.taxiX + " ≤ X < " + th.maneuverX,
    MANEUVER: "X ≥ " + th.maneuverX + " or Y ≥ " + th.maneuverY,
    RUPTURE: "X > " + th.ruptureX + " or Y > " + th.ruptureY,
    OVERSPEED: "X > " + th.overspeedX,
    STALL: "Y < " + th.stallY
  } : { TAXI: "", CRUISE: "", MANEUVER: "", RUPTURE: "", OVERSPEED: "", STALL: "" };
  for (var key in rules) setText("rule-" + key, rules[key]);
}

// ---------- timeline ----------

function frameX(i, w) { var n = run ? run.n : 0; return PAD + (n > 1 ? i / (n - 1) : 0) * (w - 2 * PAD); }

function drawTimeline() {
  var rect = timeline.getBoundingClientRect();
  var dpr = window.devicePixelRatio || 1;
  var w = Math.max(1, Math.round(rect.width)), h = Math.max(1, Math.round(rect.height));
  timeline.width = Math.round(w * dpr);
  timeline.height = Math.round(h * dpr);
  var g = tlctx;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  if (!run || run.n === 0) return;
  var n = run.n, c = run.c, span = Math.max(1, Math.round(w - 2 * PAD));
  var worst = new Int8Array(span + 1).fill(-1), breach = new Uint8Array(span + 1);
  for (var i = 0; i < n; i++) {
    var col = n > 1 ? Math.round(i / (n - 1) * span) : 0;
    if (c.regime[i] > worst[col]) worst[col] = c.regime[i];
    if (c.flags[i] & 1) breach[col] = 1;
  }
  // columns between frames (short runs) carry the previous frame's values
  var cur = -1, curBreach = 0;
  for (var p = 0; p <= span; p++) {
    if (worst[p] >= 0) { cur = worst[p]; curBreach = breach[p]; }
    if (cur < 0) continue;
    g.fillStyle = REGIME_COLORS[cur];
    g.fillRect(PAD + p - 0.5, h - 9, 1.5, 5);
    if (curBreach) { g.fillStyle = FLAG_COLORS[0]; g.fillRect(PAD + p - 0.5, h - 3, 1.5, 3); }
  }
  // regime changes, one tick per pixel column
  var lastPx = -1;
  g.globalAlpha = 0.75;
  for (var k = 0; k < run.changes.length; k++) {
    var at = run.changes[k], x = Math.round(frameX(at, w));
    if (x === lastPx) continue;
    lastPx = x;
    g.fillStyle = REGIME_COLORS[c.regime[at]];
    g.fillRect(x - 0.5, 9, 1, h - 19);
  }
  g.globalAlpha = 1;
  var firsts = [[run.firstStall, 2], [run.firstOverspeed, 1], [run.firstBreach, 0]];
  for (var f = 0; f < firsts.length; f++) {
    if (firsts[f][0] < 0) continue;
    var fx = frameX(firsts[f][0], w), flag = firsts[f][1];
    g.fillStyle = FLAG_COLORS[flag];
    g.beginPath(); g.moveTo(fx - 5, 0); g.lineTo(fx + 5, 0); g.lineTo(fx, 8); g.closePath(); g.fill();
    if (flag === 0) {
      g.fillRect(fx - 0.75, 0, 1.5, h - 9);
      g.font = "700 10px " + getComputedStyle(document.body).getPropertyValue("--sans");
      g.textBaseline = "top";
      var text = "first BREACH";
      var tw = g.measureText(text).width;
      g.textAlign = fx - 7 - tw > 0 ? "right" : "left";
      g.fillText(text, g.textAlign === "left" ? fx + 7 : fx - 7, 0);
    }
  }
}

function timelineFrame(ev) {
  var rect = timeline.getBoundingClientRect();
  var w = rect.width, x = ev.clientX - rect.left, n = run.n;
  var i = Math.round((x - PAD) / Math.max(1, w - 2 * PAD) * (n - 1));
  i = Math.max(0, Math.min(n - 1, i));
  // snap to a nearby event: first BREACH, then the closest regime change or flag onset
  var best = -1, bestD = 6;
  var consider = function (f) {
    if (f < 0) return;
    var d = Math.abs(frameX(f, w) - x);
    if (d < bestD) { bestD = d; best = f; }
  };
  consider(run.firstBreach);
  if (best < 0) {
    var e = run.events, k = upperBound(e, i);
    if (k < e.length) consider(e[k]);
    if (k > 0) consider(e[k - 1]);
  }
  return best >= 0 ? best : i;
}

// ---------- playback ----------

function setPlayIcon() {
  var b = $("play");
  b.setAttribute("data-state", playing ? "playing" : "paused");
  b.title = playing ? "Pause (Space)" : "Play (Space)";
  b.querySelector("path").setAttribute("d", playing ? PAUSE_ICON : PLAY_ICON);
}

function seek(i) {
  if (!run || run.n === 0) return;
  i = Math.max(0, Math.min(run.n - 1, Math.round(Number(i) || 0)));
  if (i < frame && run.full.dec.length > COARSE_POINTS * 1.5) lastInteraction = performance.now();
  frame = i;
  pos = i;
  updateHud();
  dirty = true;
}

function play() {
  if (!run || run.n < 2) return;
  if (frame >= run.n - 1) seek(0);
  playing = true;
  pos = frame;
  lastTime = 0;
  $("hint").hidden = true;
  setPlayIcon();
  dirty = true;
}

function pause() {
  playing = false;
  pos = frame;
  setPlayIcon();
  dirty = true;
}

function step(d) { pause(); seek(frame + d); }

function setSpeed(index) {
  speedIndex = Math.max(0, Math.min(SPEEDS.length - 1, index));
  $("speed").value = String(SPEEDS[speedIndex]);
}

function setLoop(on) { loop = !!on; $("loop").checked = loop; }

function jumpEvent(dir) {
  if (!run || run.events.length === 0) return;
  var e = run.events, k;
  if (dir > 0) { k = upperBound(e, frame); if (k < e.length) { pause(); seek(e[k]); } }
  else { k = upperBound(e, frame - 1) - 1; if (k >= 0) { pause(); seek(e[k]); } }
}

function tick(now) {
  requestAnimationFrame(tick);
  if (playing && run && run.n > 1) {
    var dt = lastTime ? Math.min(0.25, (now - lastTime) / 1000) : 0;
    pos += dt * fps * SPEEDS[speedIndex];
    if (pos >= run.n - 1) {
      if (loop) pos = 0;
      else { pos = run.n - 1; frame = run.n - 1; playing = false; setPlayIcon(); }
    }
    frame = Math.floor(pos);
    dirty = true;
  }
  lastTime = now;
  if (!dirty && detail && run && detail !== run.full && now - lastInteraction >= SETTLE_MS) dirty = true;
  if (dirty) draw();
}

// ---------- camera input ----------

function camChanged() { camVersion++; lastInteraction = performance.now(); dirty = true; }
function orbit(dyaw, dpitch) {
  cam.yaw = (cam.yaw + dyaw) % (Math.PI * 2);
  cam.pitch = Math.max(-1.2, Math.min(1.5, cam.pitch + dpitch));
  camChanged();
}
function pan(right, up) {
  updateView();
  var s = cam.dist * 0.1;
  cam.tx = Math.max(-2.5, Math.min(2.5, cam.tx + (V.rx * right + V.ux * up) * s));
  cam.ty = Math.max(-2.5, Math.min(2.5, cam.ty + (V.ry * right + V.uy * up) * s));
  cam.tz = Math.max(-2.5, Math.min(2.5, cam.tz + (V.rz * right + V.uz * up) * s));
  camChanged();
}
function zoom(factor) { cam.dist = Math.max(2.2, Math.min(16, cam.dist * factor)); camChanged(); }
function resetCamera() {
  cam.yaw = HOME.yaw; cam.pitch = HOME.pitch; cam.dist = HOME.dist;
  cam.tx = HOME.tx; cam.ty = HOME.ty; cam.tz = HOME.tz;
  camChanged();
}

var drag = null;
canvas.addEventListener("pointerdown", function (e) {
  drag = { x: e.clientX, y: e.clientY, pan: e.shiftKey || e.button === 2 };
  canvas.setPointerCapture(e.pointerId);
  canvas.classList.add("dragging");
});
canvas.addEventListener("pointermove", function (e) {
  if (!drag) return;
  var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
  drag.x = e.clientX; drag.y = e.clientY;
  if (drag.pan) pan(-dx / Math.max(60, V ? V.F * 0.35 : 200), dy / Math.max(60, V ? V.F * 0.35 : 200));
  else orbit(-dx * 0.006, dy * 0.006);
});
function endDrag() { drag = null; canvas.classList.remove("dragging"); }
canvas.addEventListener("pointerup", endDrag);
canvas.addEventListener("pointercancel", endDrag);
canvas.addEventListener("contextmenu", function (e) { e.preventDefault(); });
canvas.addEventListener("wheel", function (e) {
  e.preventDefault();
  zoom(Math.exp(Math.max(-1, Math.min(1, e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)))));
}, { passive: false });

// ---------- keyboard ----------

function toggleHelp(show) {
  var help = $("help");
  help.hidden = show === undefined ? !help.hidden : !show;
}

document.addEventListener("keydown", function (e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  var t = e.target;
  if (t && t.tagName === "SELECT" && e.key.indexOf("Arrow") === 0) return;
  var k = e.key, code = e.code, handled = true;
  var a = 0.09, fine = e.shiftKey ? 0.3 : 1;
  if (k === " " || code === "Space") { if (playing) pause(); else play(); }
  else if (k === "," || k === "<") step(-1);
  else if (k === "." || k === ">") step(1);
  else if (k === "?" || (code === "Slash" && e.shiftKey)) toggleHelp();
  else if (k === "Escape") toggleHelp(false);
  else if (k === "ArrowLeft") orbit(a * fine, 0);
  else if (k === "ArrowRight") orbit(-a * fine, 0);
  else if (k === "ArrowUp") orbit(0, a * fine);
  else if (k === "ArrowDown") orbit(0, -a * fine);
  else if (code === "KeyW") pan(0, fine);
  else if (code === "KeyS") pan(0, -fine);
  else if (code === "KeyA") pan(-fine, 0);
  else if (code === "KeyD") pan(fine, 0);
  else if (code === "KeyQ") zoom(1 + 0.12 * fine);
  else if (code === "KeyE") zoom(1 / (1 + 0.12 * fine));
  else if (code === "KeyR") resetCamera();
  else if (code === "KeyL") setLoop(!loop);
  else if (code === "KeyN") jumpEvent(1);
  else if (code === "KeyP") jumpEvent(-1);
  else if (k === "[") setSpeed(speedIndex - 1);
  else if (k === "]") setSpeed(speedIndex + 1);
  else if (k === "Home") { pause(); seek(0); }
  else if (k === "End") { pause(); seek(run ? run.n - 1 : 0); }
  else handled = false;
  if (handled) { e.preventDefault(); dirty = true; }
});

// ---------- controls ----------

function button(id, fn) {
  $(id).addEventListener("click", function (e) { fn(); e.currentTarget.blur(); dirty = true; });
}
button("play", function () { if (playing) pause(); else play(); });
button("first", function () { pause(); seek(0); });
button("last", function () { pause(); seek(run ? run.n - 1 : 0); });
button("step-back", function () { step(-1); });
button("step-forward", function () { step(1); });
button("help-button", function () { toggleHelp(); });
button("open-file", function () { $("file-input").click(); });
button("load-close", function () { $("load-panel").hidden = true; });
scrubber.addEventListener("input", function () { seek(scrubber.value); });
scrubber.addEventListener("change", function () { scrubber.blur(); });
$("speed").addEventListener("change", function () {
  var i = SPEEDS.indexOf(Number($("speed").value));
  setSpeed(i < 0 ? 2 : i);
  $("speed").blur();
});
$("loop").addEventListener("change", function () { setLoop($("loop").checked); $("loop").blur(); });
timeline.addEventListener("click", function (e) { if (run && run.n > 0) seek(timelineFrame(e)); });
timeline.addEventListener("mousemove", function (e) {
  if (!run || run.n === 0) return;
  var i = timelineFrame(e);
  var what = i === run.firstBreach ? "first BREACH" : "";
  var k = upperBound(run.changes, i) - 1;
  if (!what && k >= 0 && run.changes[k] === i) what = "regime change to " + REGIMES[run.c.regime[i]];
  timeline.title = "frame " + i + " · " + timestampText(i) + (what ? " · " + what : "") + " (click to jump)";
});

// ---------- loading logs ----------

function showLoad(state) {
  var panel = $("load-panel");
  panel.hidden = false;
  panel.className = "panel" + (state.error ? " error" : "");
  setText("load-file", state.name);
  setText("load-frames", state.frames.toLocaleString("en-US"));
  $("load-frames").setAttribute("data-value", String(state.frames));
  setText("load-bad", state.badCount.toLocaleString("en-US"));
  $("load-bad").setAttribute("data-value", String(state.badCount));
  setText("load-message", state.message || "");
  var list = $("bad-lines");
  list.textContent = "";
  for (var i = 0; i < state.bad.length; i++) {
    var li = document.createElement("li");
    li.setAttribute("data-line", String(state.bad[i].line));
    li.textContent = "line " + state.bad[i].line + ": " + state.bad[i].message;
    li.title = li.textContent;
    list.appendChild(li);
  }
  if (state.badCount > state.bad.length) {
    var more = document.createElement("li");
    more.textContent = "… and " + (state.badCount - state.bad.length).toLocaleString("en-US") + " more bad lines";
    list.appendChild(more);
  }
}

var loading = 0;
function loadFile(file, extra) {
  if (!file) return;
  var token = ++loading;
  var t0 = performance.now();
  showLoad({ name: file.name, frames: 0, badCount: 0, bad: [], message: "Reading…" });
  file.text().then(function (text) {
    return new Promise(function (resolve) { setTimeout(function () { resolve(text); }, 0); });
  }).then(function (text) {
    if (token !== loading) return;
    var parsed = parseJsonl(text);
    var state = { name: file.name, frames: parsed.columns.n, badCount: parsed.badCount, bad: parsed.bad, message: "", error: false };
    if (parsed.columns.n === 0) {
      state.error = true;
      state.message = "No valid frames in this file; still showing " + (run && run.n ? run.name : "the previous view") + ".";
    } else {
      pause();
      setRun(makeRun(parsed.columns, {
        source: "file", name: file.name, seed: null, levels: null,
        fallback: embedded.levels && embedded.levels.thresholds
      }));
      state.message = (state.badCount ? "Bad lines skipped; " : "") + "levels unknown (a log carries none)." + (extra || "");
    }
    showLoad(state);
    api.load = { name: file.name, frames: state.frames, badCount: state.badCount, badLines: parsed.bad.map(function (b) { return b.line; }), ok: !state.error, ms: performance.now() - t0 };
  }).catch(function (err) {
    if (token !== loading) return;
    showLoad({ name: file.name, frames: 0, badCount: 0, bad: [], message: "Cannot read this file: " + (err && err.message ? err.message : String(err)), error: true });
    api.load = { name: file.name, frames: 0, badCount: 0, badLines: [], ok: false, ms: performance.now() - t0 };
  });
}

$("file-input").addEventListener("change", function (e) {
  var input = e.target;
  var files = input.files;
  if (files && files.length) loadFile(files[0], files.length > 1 ? " Only the first of " + files.length + " files was opened." : "");
  input.value = "";
});

var dragDepth = 0;
function hasFiles(e) { return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0; }
window.addEventListener("dragenter", function (e) { if (!hasFiles(e)) return; e.preventDefault(); dragDepth++; $("drop-overlay").hidden = false; });
window.addEventListener("dragover", function (e) { if (!hasFiles(e)) return; e.preventDefault(); e.dataTransfer.dropEffect = "copy"; });
window.addEventListener("dragleave", function () { dragDepth = Math.max(0, dragDepth - 1); if (dragDepth === 0) $("drop-overlay").hidden = true; });
window.addEventListener("drop", function (e) {
  e.preventDefault();
  dragDepth = 0;
  $("drop-overlay").hidden = true;
  var files = e.dataTransfer && e.dataTransfer.files;
  if (files && files.length) loadFile(files[0], files.length > 1 ? " Only the first of " + files.length + " files was opened." : "");
});

// ---------- start ----------

function setRun(r) {
  run = r;
  runVersion++;
  frame = 0;
  pos = 0;
  hudFrame = -1;
  trailKey = "";
  trailFrame = -1;
  trailK = -1;
  updateRunInfo();
  updateHud();
  drawTimeline();
  dirty = true;
}

window.addEventListener("resize", function () { dirty = true; });
if (window.ResizeObserver) new ResizeObserver(function () { dirty = true; }).observe(canvas);

setRun(makeRun(columnsFromEmbedded(embedded.frames), {
  source: "embedded", name: embedded.name, seed: embedded.seed, runIndex: embedded.run, levels: embedded.levels
}));
setPlayIcon();
draw();
api.loadedMs = performance.now();
requestAnimationFrame(tick);
})();
`;
