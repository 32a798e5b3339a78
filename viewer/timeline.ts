/**
 * The timeline under the view: a regime ribbon with BREACH under it, a tick at each regime
 * change, each flag episode as a bookmark coloured by its severity band (a tick at its start and
 * a bar to its end), markers at the first BREACH, OVERSPEED and STALL, and the selected range;
 * a click jumps to the frame, snapping to a nearby event. When the frames carry dates, the first and last are shown at its ends (and
 * the current frame's in the frame readout beside it, by the HUD); otherwise only the steps.
 *
 * @module
 */
/// <reference lib="dom" />
import { $, font, setText, timeline, tlctx } from "./dom.ts";
import { SEVERITY_COLORS } from "./events.ts";
import { frameTimeText } from "./hud.ts";
import { upperBound } from "./model.ts";
import { FLAG_COLORS, REGIME_COLORS } from "./palette.ts";
import { view } from "./state.ts";

/** Inset of the first and last frame from the strip's ends, CSS pixels. */
const PAD = 6;

/** The strip's X of a frame, for a strip `w` pixels wide. */
function frameX(i: number, w: number): number {
  const n = view.run ? view.run.n : 0;
  return PAD + (n > 1 ? i / (n - 1) : 0) * (w - 2 * PAD);
}

/** Redraws the timeline strip, at its current size. */
export function drawTimeline(): void {
  const rect = timeline.getBoundingClientRect();
  const dpr = globalThis.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(rect.width)), h = Math.max(1, Math.round(rect.height));
  timeline.width = Math.round(w * dpr);
  timeline.height = Math.round(h * dpr);
  const g = tlctx;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const run = view.run;
  if (!run || run.n === 0) return;
  const n = run.n, c = run.c, span = Math.max(1, Math.round(w - 2 * PAD));
  const worst = new Int8Array(span + 1).fill(-1), breach = new Uint8Array(span + 1);
  for (let i = 0; i < n; i++) {
    const col = n > 1 ? Math.round(i / (n - 1) * span) : 0;
    if (c.regime[i]! > worst[col]!) worst[col] = c.regime[i]!;
    if (c.flags[i]! & 1) breach[col] = 1;
  }
  // columns between frames (short runs) carry the previous frame's values
  let cur = -1, curBreach = 0;
  for (let p = 0; p <= span; p++) {
    if (worst[p]! >= 0) {
      cur = worst[p]!;
      curBreach = breach[p]!;
    }
    if (cur < 0) continue;
    g.fillStyle = REGIME_COLORS[cur]!;
    g.fillRect(PAD + p - 0.5, h - 9, 1.5, 5);
    if (curBreach) {
      g.fillStyle = FLAG_COLORS[0]!;
      g.fillRect(PAD + p - 0.5, h - 3, 1.5, 3);
    }
  }
  // regime changes, one tick per pixel column
  let lastPx = -1;
  g.globalAlpha = 0.75;
  for (const at of run.changes) {
    const x = Math.round(frameX(at, w));
    if (x === lastPx) continue;
    lastPx = x;
    g.fillStyle = REGIME_COLORS[c.regime[at]!]!;
    g.fillRect(x - 0.5, 9, 1, h - 19);
  }
  g.globalAlpha = 1;
  drawBookmarks(g, w);
  const sel = view.selection;
  if (sel) {
    const a = frameX(sel[0], w), b = frameX(sel[1], w);
    g.fillStyle = "rgba(95,214,200,0.16)";
    g.fillRect(a, 0, Math.max(1.5, b - a), h);
    g.fillStyle = "rgba(95,214,200,0.7)";
    g.fillRect(a - 0.5, 0, 1, h);
    g.fillRect(b - 0.5, 0, 1, h);
  }
  const firsts = [[run.firstStall, 2], [run.firstOverspeed, 1], [run.firstBreach, 0]] as const;
  for (const [at, flag] of firsts) {
    if (at < 0) continue;
    const fx = frameX(at, w);
    g.fillStyle = FLAG_COLORS[flag]!;
    g.beginPath();
    g.moveTo(fx - 5, 0);
    g.lineTo(fx + 5, 0);
    g.lineTo(fx, 8);
    g.closePath();
    g.fill();
    if (flag === 0) {
      g.fillRect(fx - 0.75, 0, 1.5, h - 9);
      g.font = font("700 10px ", "--sans");
      g.textBaseline = "top";
      const text = "first BREACH";
      const tw = g.measureText(text).width;
      g.textAlign = fx - 7 - tw > 0 ? "right" : "left";
      g.fillText(text, g.textAlign === "left" ? fx + 7 : fx - 7, 0);
    }
  }
}

const RANK = { low: 1, medium: 2, high: 3 } as const;
const BANDS = ["low", "medium", "high"] as const;

/**
 * Each flag episode as a bookmark: a bar from its start to its end and a tick at its start,
 * coloured by its band; of the episodes sharing a pixel column, the most severe is drawn.
 */
function drawBookmarks(g: CanvasRenderingContext2D, w: number): void {
  const events = view.events;
  if (!events || events.list.length === 0) return;
  const span = Math.max(1, Math.round(w - 2 * PAD));
  const bar = new Uint8Array(span + 1), tick = new Uint8Array(span + 1);
  const n = view.run!.n;
  const col = (i: number) => (n > 1 ? Math.round(i / (n - 1) * span) : 0);
  for (const e of events.list) {
    if (!e.severity) continue;
    const r = RANK[e.severity], a = col(e.start), b = col(e.end);
    if (tick[a]! < r) tick[a] = r;
    for (let p = a; p <= b; p++) if (bar[p]! < r) bar[p] = r;
  }
  for (let p = 0; p <= span; p++) {
    if (bar[p]) {
      g.fillStyle = SEVERITY_COLORS[BANDS[bar[p]! - 1]!];
      g.fillRect(PAD + p - 0.5, 11, 1.5, 4);
    }
  }
  for (let p = 0; p <= span; p++) {
    if (tick[p]) {
      g.fillStyle = SEVERITY_COLORS[BANDS[tick[p]! - 1]!];
      g.fillRect(PAD + p - 0.75, 8, 1.5, 10);
    }
  }
}

/** The frame under the pointer, snapped to the first BREACH or a nearby event. */
export function timelineFrame(ev: MouseEvent): number {
  const run = view.run!;
  const rect = timeline.getBoundingClientRect();
  const w = rect.width, x = ev.clientX - rect.left, n = run.n;
  let i = Math.round((x - PAD) / Math.max(1, w - 2 * PAD) * (n - 1));
  i = Math.max(0, Math.min(n - 1, i));
  // snap to a nearby event: first BREACH, then the closest regime change or flag onset
  let best = -1, bestD = 6;
  const consider = (f: number) => {
    if (f < 0) return;
    const d = Math.abs(frameX(f, w) - x);
    if (d < bestD) {
      bestD = d;
      best = f;
    }
  };
  consider(run.firstBreach);
  if (best < 0 && view.events) {
    const e = view.events.starts, k = upperBound(e, i);
    if (k < e.length) consider(e[k]!);
    if (k > 0) consider(e[k - 1]!);
  }
  return best >= 0 ? best : i;
}

/** Shows the first and last date at the timeline's ends when the run's frames carry dates. */
export function showTimelineDates(): void {
  const run = view.run;
  const dated = !!run && run.n > 0 && run.dated && view.timeMode === "date";
  $("timeline-dates").hidden = !dated;
  setText("timeline-first", dated ? frameTimeText(0) : "");
  setText("timeline-last", dated ? frameTimeText(run!.n - 1) : "");
}
