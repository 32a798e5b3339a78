/**
 * The HUD: the current frame's telemetry, regime and flags, and the run's name, seed, levels,
 * events and the regime rules in the legend. When the frames carry the levels in force on each
 * (levels that move, SPEC §7), the level readouts follow the current frame; when they carry
 * dates, the frame readout under the timeline shows the current frame's. Values are only ever
 * set as text.
 *
 * @module
 */
/// <reference lib="dom" />
import { FLAGS, REGIMES } from "../core/frame.ts";
import { scaleNote } from "./axes.ts";
import { levelsAt } from "./data.ts";
import { $, embedded, scrubber, setText } from "./dom.ts";
import { eventsAt, eventText, SEVERITY_COLORS } from "./events.ts";
import type { Run } from "./model.ts";
import { REGIME_COLORS } from "./palette.ts";
import { view } from "./state.ts";

function fmt(v: number, digits: number): string {
  return v.toFixed(digits);
}

function pct(v: number): string {
  return (v * 100).toFixed(2) + "%";
}

/** Sets a HUD value's text, and its exact value as `data-value` for tools and tests. */
function setValue(id: string, text: string, raw: string): void {
  const el = $(id);
  el.textContent = text;
  el.setAttribute("data-value", raw);
}

function levelText(v: unknown, digits = 10): string {
  return typeof v === "number" && isFinite(v) ? String(Number(v.toPrecision(digits))) : "unknown";
}

/** Significant digits of a level that moves: an ATR from daily ranges has many more. */
const MOVING_DIGITS = 6;

/** The text of a frame's timestamp: the step index when the frames carry none. */
export function timestampText(i: number): string {
  const c = view.run!.c;
  const t = c.timestamp ? c.timestamp[i]! : i;
  return typeof t === "number" ? String(t) : t;
}

/**
 * The text of a frame's time as the display toggle asks: its date when the toggle says date
 * and the frames carry dates, else its step.
 */
export function frameTimeText(i: number): string {
  const run = view.run;
  if (!run || i < 0 || i >= run.n) return String(i);
  return view.timeMode === "date" && run.dated ? timestampText(i) : String(i);
}

/** Shows the events in force on the frame: flag episodes covering it, a regime change on it. */
function showEventInForce(i: number): void {
  const el = $("hud-event");
  const events = view.events;
  const now = events ? eventsAt(events, i) : [];
  const key = now.map((e) => e.kind + e.start).join(",");
  if (el.getAttribute("data-events") === key && el.childNodes.length > 0) return;
  el.setAttribute("data-events", key);
  el.textContent = "";
  if (now.length === 0) {
    el.textContent = "no event in force";
    el.className = "none";
    return;
  }
  el.className = "";
  for (const e of now) {
    const line = document.createElement("span");
    line.className = "event-line";
    line.setAttribute("data-kind", e.kind);
    line.setAttribute("data-start", String(e.start));
    line.setAttribute("data-severity", e.severity ?? "");
    if (e.severity) line.style.borderLeftColor = SEVERITY_COLORS[e.severity];
    line.textContent = eventText(e, frameTimeText);
    el.appendChild(line);
  }
}

const TELEMETRY_IDS = [
  "hud-frame",
  "hud-timestamp",
  "hud-spot",
  "hud-iv",
  "hud-hv",
  "hud-x",
  "hud-y",
  "hud-z",
] as const;

/** Shows the current frame in the HUD, the frame readout and the scrubber. */
export function updateHud(): void {
  const { run, frame } = view;
  view.hudFrame = frame;
  const n = run ? run.n : 0;
  setText("frame-index", String(frame));
  setText("frame-last", String(Math.max(0, n - 1)));
  scrubber.max = String(Math.max(0, n - 1));
  scrubber.value = String(frame);
  const date = $("frame-date");
  date.hidden = !run || n === 0 || !run.dated || view.timeMode !== "date";
  if (!date.hidden) setText("frame-date", timestampText(frame));
  if (!run || n === 0) {
    for (const id of TELEMETRY_IDS) setValue(id, "—", "");
    setText("hud-regime", "no frames");
    $("hud-flags").textContent = "";
    $("hud-event").textContent = "";
    return;
  }
  const c = run.c, i = frame;
  setValue("hud-frame", i + " / " + (n - 1), String(i));
  const ts = timestampText(i);
  setValue("hud-timestamp", ts, ts);
  setValue("hud-spot", fmt(c.spot[i]!, 2), String(c.spot[i]));
  setValue("hud-iv", pct(c.iv[i]!), String(c.iv[i]));
  setValue("hud-hv", pct(c.hv[i]!), String(c.hv[i]));
  setValue("hud-x", fmt(c.x[i]!, 3), String(c.x[i]));
  setValue("hud-y", fmt(c.y[i]!, 3), String(c.y[i]));
  setValue("hud-z", fmt(c.z[i]!, 3), String(c.z[i]));
  if (run.movingLevels) showFrameLevels(run, i);
  showEventInForce(i);
  const regime = $("hud-regime");
  const code = c.regime[i]!;
  regime.textContent = REGIMES[code]!;
  regime.setAttribute("data-regime", REGIMES[code]!);
  regime.style.color = REGIME_COLORS[code]!;
  const flags = $("hud-flags");
  const names: string[] = [];
  for (let b = 0; b < 3; b++) if (c.flags[i]! & (1 << b)) names.push(FLAGS[b]!);
  if (
    flags.getAttribute("data-flags") !== names.join(",") ||
    flags.childNodes.length !== names.length
  ) {
    flags.textContent = "";
    flags.setAttribute("data-flags", names.join(","));
    for (const name of names) {
      const s = document.createElement("span");
      s.className = "badge flag-" + name;
      s.textContent = name;
      flags.appendChild(s);
      flags.appendChild(document.createTextNode(" "));
    }
  }
}

const LEVEL_IDS = [
  ["hud-atr", "atr"],
  ["hud-flip", "flip"],
  ["hud-putwall", "putWall"],
  ["hud-callwall", "callWall"],
] as const;

/**
 * Shows the levels in force on frame `i` of a run whose frames carry them: each frame's own,
 * else the run's static ones, to six significant digits (the exact value in `data-value`). A
 * level that moved since the frame before is marked `moved`.
 */
function showFrameLevels(run: Run, i: number): void {
  const now = levelsAt(run.c, i, run.levels);
  const before = i > 0 ? levelsAt(run.c, i - 1, run.levels) : now;
  for (const [id, key] of LEVEL_IDS) {
    const el = $(id);
    const v = now[key];
    const text = levelText(v, MOVING_DIGITS);
    el.textContent = text;
    el.setAttribute("data-value", v === undefined ? "" : String(v));
    el.className = text === "unknown" ? "unknown" : v !== before[key] ? "moved" : "";
  }
}

/** What the HUD says of a run's levels, for its note under them. */
function levelsNote(run: Run): string {
  const lv = run.levels;
  const moving = run.movingLevels;
  if (lv) {
    const from = run.levelsNote ? "Levels " + run.levelsNote + "." : "";
    const move = moving ? "The levels move: shown as in force on each frame." : "";
    return from && move ? from + " " + move : from || move;
  }
  let note = moving
    ? run.source === "embedded"
      ? "Levels as each frame carries them; the run's evaluator publishes no envelope."
      : run.levelsNote
      ? "Levels as each frame carries them; its meta file says the run's evaluator publishes none."
      : "Levels as each frame carries them; open the log with its .meta.json for its thresholds."
    : run.source === "embedded"
    ? "Levels unknown: the run's evaluator publishes none."
    : run.levelsNote
    ? "Levels unknown: its meta file says the run's evaluator publishes none."
    : "Levels unknown: a JSONL log carries none; open it with its .meta.json.";
  note += run.th
    ? " Regime zones use the thresholds that every frame's regime and flags agree with."
    : " No thresholds fit every frame, so no zones; axes scale to the data.";
  return note;
}

/** Shows the run's name, seed, levels, events and the regime rules in the legend. */
export function updateRunInfo(): void {
  const run = view.run!;
  setText("hud-title", run.source === "embedded" ? embedded.title : run.name);
  setText("hud-kind", run.source === "embedded" ? "scenario" : "log");
  setText("hud-name", run.name);
  setText(
    "hud-seed",
    run.seed === null || run.seed === undefined
      ? "—"
      : String(run.seed) + (run.runIndex ? " (run " + run.runIndex + ")" : ""),
  );
  setText(
    "hud-source",
    run.source !== "embedded"
      ? run.n.toLocaleString("en-US") + " frames from a file"
      : embedded.totalFrames && embedded.totalFrames > run.n
      // A long run's page embeds a decimated selection; its log holds every frame.
      ? run.n.toLocaleString("en-US") + " of " + embedded.totalFrames.toLocaleString("en-US") +
        " frames (open the JSONL log for all)"
      : run.n.toLocaleString("en-US") + " frames",
  );
  const lv = run.levels;
  for (const [id, key] of LEVEL_IDS) {
    const el = $(id);
    const text = lv ? levelText(lv[key]) : "unknown";
    el.textContent = text;
    el.className = text === "unknown" ? "unknown" : "";
    // a frame's own value, from a run whose levels moved, is not this run's
    el.removeAttribute("data-value");
  }
  document.body.setAttribute(
    "data-levels",
    lv ? "known" : run.movingLevels ? "frames" : "unknown",
  );
  const note = levelsNote(run);
  setText("hud-levels-note", note);
  $("hud-levels-note").hidden = !note;
  const ev = $("hud-events");
  ev.textContent = "";
  if (run.n > 0) {
    const add = (label: string, value: string) => {
      if (ev.childNodes.length) ev.appendChild(document.createTextNode(" · "));
      ev.appendChild(document.createTextNode(label + " "));
      const b = document.createElement("b");
      b.textContent = value;
      ev.appendChild(b);
    };
    add(
      "first BREACH",
      run.firstBreach < 0 ? "none" : "frame " + run.firstBreach +
        (run.dated ? " (" + timestampText(run.firstBreach) + ")" : ""),
    );
    add("max load", run.maxY.toFixed(2) + " g");
    add("regime changes", String(run.changes.length));
    const flagged = view.events ? view.events.list.filter((e) => e.severity !== null).length : 0;
    add("flag episodes", String(flagged));
  }
  showEventList();
  const th = run.th;
  const rules: Record<string, string> = th
    ? {
      TAXI: "X < " + th.taxiX,
      CRUISE: th.taxiX + " ≤ X < " + th.maneuverX,
      MANEUVER: "X ≥ " + th.maneuverX + " or Y ≥ " + th.maneuverY,
      RUPTURE: "X > " + th.ruptureX + " or Y > " + th.ruptureY,
      OVERSPEED: "X > " + th.overspeedX,
      STALL: "Y < " + th.stallY,
    }
    : { TAXI: "", CRUISE: "", MANEUVER: "", RUPTURE: "", OVERSPEED: "", STALL: "" };
  for (const key in rules) setText("rule-" + key, rules[key]!);
  const bent = ([["X", run.ax], ["Y", run.ay], ["Z", run.az]] as const)
    .map(([axis, scale]) => [axis, scaleNote(scale)] as const)
    .filter(([, note]) => note)
    .map(([axis, note]) => axis + " " + note);
  setText("scale-note", bent.length ? "scale " + bent.join("; ") : "");
  $("legend-scale").hidden = bent.length === 0;
}

/** Most events listed; `n` and `p` reach every one. */
export const MAX_LISTED_EVENTS = 2000;

/**
 * Lists the run's events, each a button that goes to its start (the controls listen on the
 * list): kind, band, where, peak. Regime changes are listed only when the checkbox asks.
 */
export function showEventList(): void {
  const list = $("event-list");
  list.textContent = "";
  const events = view.events;
  const withRegimes = ($("event-regimes") as HTMLInputElement).checked;
  const shown = events ? events.list.filter((e) => withRegimes || e.kind !== "REGIME") : [];
  setText(
    "event-count",
    shown.length > MAX_LISTED_EVENTS
      ? `first ${MAX_LISTED_EVENTS.toLocaleString("en-US")} of ${
        shown.length.toLocaleString("en-US")
      }`
      : String(shown.length),
  );
  const fragment = document.createDocumentFragment();
  for (const e of shown.slice(0, MAX_LISTED_EVENTS)) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "event-item";
    b.setAttribute("data-start", String(e.start));
    b.setAttribute("data-kind", e.kind);
    b.setAttribute("data-severity", e.severity ?? "");
    if (e.severity) b.style.borderLeftColor = SEVERITY_COLORS[e.severity];
    b.textContent = eventText(e, frameTimeText);
    b.title = "Go to frame " + e.start;
    li.appendChild(b);
    fragment.appendChild(li);
  }
  list.appendChild(fragment);
}

/**
 * Shows the tooltip of a trail frame under the pointer: its frame and time, spot, X, Y and Z,
 * regime and flags, beside the pointer; hides it for -1.
 *
 * @param frame The frame picked, -1 for none.
 * @param at The pointer on the canvas, CSS pixels.
 */
export function showPickTip(frame: number, at: readonly [number, number]): void {
  const tip = $("pick-tip");
  const run = view.run;
  if (!run || frame < 0 || frame >= run.n) {
    tip.hidden = true;
    tip.removeAttribute("data-frame");
    return;
  }
  const c = run.c;
  let flags = "";
  for (let b = 0; b < FLAGS.length; b++) if (c.flags[frame]! & (1 << b)) flags += " · " + FLAGS[b];
  const lines = [
    "frame " + frame + (run.dated || c.timestamp ? " · " + frameTimeText(frame) : ""),
    "spot " + fmt(c.spot[frame]!, 2) + " · IV " + pct(c.iv[frame]!) + " · HV " + pct(c.hv[frame]!),
    "X " + fmt(c.x[frame]!, 3) + " · Y " + fmt(c.y[frame]!, 3) + " · Z " + fmt(c.z[frame]!, 3),
    REGIMES[c.regime[frame]!] + flags,
  ];
  tip.replaceChildren(...lines.map((text) => {
    const line = document.createElement("div");
    line.textContent = text;
    return line;
  }));
  (tip.lastChild as HTMLElement).style.color = REGIME_COLORS[c.regime[frame]!]!;
  tip.setAttribute("data-frame", String(frame));
  tip.hidden = false;
  // beside the pointer, kept inside the canvas
  const w = tip.offsetWidth, h = tip.offsetHeight;
  const x = at[0] + 14 + w > view.W ? at[0] - 14 - w : at[0] + 14;
  const y = Math.max(0, Math.min(view.H - h, at[1] - h - 10));
  tip.style.left = Math.max(0, x) + "px";
  tip.style.top = y + "px";
}
