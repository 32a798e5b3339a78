/**
 * Opening a JSONL log (SPEC §2) from the "Open log" button or by dropping it on the window,
 * with the project's own log reader: valid frames play, bad lines are counted and the first
 * ten listed by line number. Picked or dropped with its meta file (`x.meta.json` with
 * `x.jsonl`, or any one meta file with one log), the log flies with the meta's levels and
 * thresholds, as its run's own page would; a meta file that fails its checks is not used, and
 * the panel says which file and why. A meta file alone joins the log on screen when their
 * names match. Frames that carry the levels in force on each (levels that move, SPEC §7) show
 * their own, with a meta file or without. Further logs picked or dropped with the first are
 * drawn over it in the 2D panels; a Monte Carlo batch's `<name>.summary.json` draws its fan
 * behind the run, on its own or with a log. Values read from a file are only ever shown as text.
 *
 * @module
 */
/// <reference lib="dom" />
import { parseJsonl } from "../plugins/_jsonl_parse.ts";
import { api, type MetaLoad } from "./api.ts";
import { type Columns, columnsOf } from "./data.ts";
import { $, embedded, setText } from "./dom.ts";
import {
  type LogMeta,
  metaMismatch,
  namesPair,
  pairFiles,
  parseRunMeta,
  runInName,
} from "./meta.ts";
import { makeRun } from "./model.ts";
import { MAX_OVERLAYS, setPanelsRun } from "./panels.ts";
import { parseFan } from "./panels_fan.ts";
import { pause, setRun } from "./playback.ts";
import { agrees } from "./rules.ts";
import { type OverlayRun, view } from "./state.ts";

/** Bad lines listed in the load panel. */
const MAX_BAD_SHOWN = 10;
/** Longest bad-line message shown, in characters. */
const MAX_MESSAGE = 200;
/** Longest meta-file message shown, in characters. */
const MAX_META_MESSAGE = 600;

/** What the load panel shows. */
interface LoadState {
  name: string;
  frames: number;
  badCount: number;
  bad: { line: number; message: string }[];
  message: string;
  error?: boolean;
  /** What became of the meta file, if one was given. */
  meta?: { text: string; problem: boolean };
}

function showLoad(state: LoadState): void {
  const panel = $("load-panel");
  panel.hidden = false;
  panel.className = "panel" + (state.error ? " error" : "");
  setText("load-file", state.name);
  setText("load-frames", state.frames.toLocaleString("en-US"));
  $("load-frames").setAttribute("data-value", String(state.frames));
  setText("load-bad", state.badCount.toLocaleString("en-US"));
  $("load-bad").setAttribute("data-value", String(state.badCount));
  setText("load-message", state.message || "");
  const meta = $("load-meta");
  meta.hidden = !state.meta;
  meta.className = state.meta?.problem ? "problem" : "";
  meta.textContent = state.meta ? clip(state.meta.text, MAX_META_MESSAGE) : "";
  const list = $("bad-lines");
  list.textContent = "";
  for (const bad of state.bad) {
    const li = document.createElement("li");
    li.setAttribute("data-line", String(bad.line));
    li.textContent = "line " + bad.line + ": " + bad.message;
    li.title = li.textContent;
    list.appendChild(li);
  }
  if (state.badCount > state.bad.length) {
    const more = document.createElement("li");
    more.textContent = "… and " + (state.badCount - state.bad.length).toLocaleString("en-US") +
      " more bad lines";
    list.appendChild(more);
  }
}

function clip(message: string, max = MAX_MESSAGE): string {
  return message.length > max ? message.slice(0, max - 3) + "..." : message;
}

let loading = 0;

/** The log on screen, when it came from a file: what a meta file dropped later joins. */
let lastLog: { name: string; columns: Columns; badCount: number; bad: LoadState["bad"] } | null =
  null;

/** A meta file's text, read and checked; a file that cannot be read is one more problem. */
async function readMeta(file: File): Promise<MetaLoad & { meta?: LogMeta }> {
  let text: string;
  try {
    text = await file.text();
  } catch (err) {
    return { name: file.name, ok: false, problems: ["cannot read it: " + errorText(err)] };
  }
  const read = parseRunMeta(text);
  return read.ok
    ? { name: file.name, ok: true, problems: [], meta: read.meta }
    : { name: file.name, ok: false, problems: read.problems };
}

function errorText(err: unknown): string {
  return err && (err as Error).message ? (err as Error).message : String(err);
}

/** Puts a log's frames on screen, with the levels of its meta file when it has a good one. */
function flyLog(
  name: string,
  columns: Columns,
  meta: (MetaLoad & { meta?: LogMeta }) | undefined,
): void {
  const m = meta?.meta;
  pause();
  setRun(makeRun(columns, {
    source: "file",
    name,
    seed: m ? m.seed : null,
    ...(m ? { runIndex: m.run ?? runInName(name, m.scenario) } : {}),
    levels: m ? m.levels : null,
    fallback: embedded.levels && embedded.levels.thresholds,
    ...(m ? { levelsNote: `from ${meta!.name}: scenario "${m.scenario}", seed ${m.seed}` } : {}),
    maxTrailPoints: embedded.maxTrailPoints,
  }));
}

/** What the panel says of a meta file: why it was not used, or how it fits the log. */
function metaStatus(
  meta: MetaLoad & { meta?: LogMeta },
  log: { columns: Columns; badCount: number },
): { text: string; problem: boolean } {
  if (!meta.meta) {
    return { text: "Ignored " + meta.name + ": " + meta.problems.join("; ") + ".", problem: true };
  }
  const levels = meta.meta.levels;
  const notes = metaMismatch(meta.meta, {
    frames: log.columns.n,
    badLines: log.badCount,
    agrees: !!levels && agrees(levels.thresholds, log.columns),
  });
  const used = levels
    ? "Levels and thresholds from " + meta.name + "."
    : meta.name + ": its run's evaluator publishes no envelope levels.";
  return { text: used + (notes.length ? " Note: " + notes.join("; ") + "." : ""), problem: false };
}

/** Further logs, read and parsed: the runs to overlay, and what the panel says of them. */
async function readOverlays(files: File[]): Promise<{ runs: OverlayRun[]; note: string }> {
  const runs: OverlayRun[] = [];
  const notes: string[] = [];
  for (const file of files.slice(0, MAX_OVERLAYS)) {
    try {
      const parsed = parseJsonl(await file.text());
      const c = columnsOf(parsed.frames);
      if (c.n === 0) notes.push(file.name + " has no valid frames");
      else {
        runs.push({ name: file.name, c });
        notes.push(
          file.name + " (" + c.n.toLocaleString("en-US") + " frames" +
            (parsed.bad.length
              ? ", " + parsed.bad.length.toLocaleString("en-US") + " bad lines"
              : "") +
            ")",
        );
      }
    } catch (err) {
      notes.push("cannot read " + file.name + ": " + clip(errorText(err)));
    }
  }
  const left = files.length - MAX_OVERLAYS;
  return {
    runs,
    note: files.length === 0
      ? ""
      : " Overlaid in the scene and the panels: " + notes.join("; ") + "." +
        (left > 0 ? " At most " + MAX_OVERLAYS + " logs are overlaid; " + left + " left out." : ""),
  };
}

/** Reads a batch's summary and draws its fan; returns what the load panel says of it. */
async function loadFan(file: File): Promise<{ text: string; problem: boolean }> {
  let text: string;
  try {
    text = await file.text();
  } catch (err) {
    return { text: "Cannot read " + file.name + ": " + errorText(err), problem: true };
  }
  const read = parseFan(text);
  if (!read.ok) {
    return { text: "Ignored " + file.name + ": " + read.problems.join("; ") + ".", problem: true };
  }
  view.fan = read.fan;
  view.sceneVersion++;
  view.dirty = true;
  showFanNote(file.name);
  return {
    text: "Fan from " + file.name + ": " + read.fan.runs.toLocaleString("en-US") +
      ' runs of "' + read.fan.scenario + '", ' + Object.keys(read.fan.bands).join(", ") + ".",
    problem: false,
  };
}

/** Says under the event list which batch's fan is drawn. */
export function showFanNote(source: string): void {
  const fan = view.fan, note = $("fan-note");
  note.hidden = !fan;
  note.textContent = fan
    ? "Fan: 5th–95th percentile of " + fan.runs.toLocaleString("en-US") + ' runs of "' +
      fan.scenario + '" (' + source + "), median dashed"
    : "";
}

/** Reads a log (and its meta file) and flies it; a log with no valid frame changes nothing. */
function loadLog(
  file: File,
  metaFile: File | undefined,
  extra: string,
  more: { overlays: File[]; summary?: File },
): void {
  const token = ++loading;
  const t0 = performance.now();
  showLoad({ name: file.name, frames: 0, badCount: 0, bad: [], message: "Reading…" });
  Promise.all([
    file.text(),
    metaFile ? readMeta(metaFile) : Promise.resolve(undefined),
    readOverlays(more.overlays),
    more.summary ? loadFan(more.summary) : Promise.resolve(undefined),
  ]).then((read) =>
    // let the panel paint before the parse
    new Promise<typeof read>((resolve) => setTimeout(() => resolve(read), 0))
  ).then(([text, meta, overlays, fanStatus]) => {
    if (token !== loading) return;
    extra = overlays.note + (fanStatus ? " " + fanStatus.text : "") + extra;
    const parsed = parseJsonl(text);
    const columns = columnsOf(parsed.frames);
    const bad = parsed.bad.slice(0, MAX_BAD_SHOWN).map(({ line, message }) => ({
      line,
      message: clip(message),
    }));
    const state: LoadState = {
      name: file.name,
      frames: columns.n,
      badCount: parsed.bad.length,
      bad,
      message: "",
      error: false,
    };
    if (columns.n === 0) {
      state.error = true;
      state.message = "No valid frames in this file; still showing " +
        (view.run && view.run.n ? view.run.name : "the previous view") + "." + extra;
      if (meta) {
        state.meta = { text: meta.name + " was not used: its log has no frames.", problem: true };
      }
    } else {
      view.overlays = overlays.runs;
      view.sceneVersion++;
      flyLog(file.name, columns, meta);
      lastLog = { name: file.name, columns, badCount: parsed.bad.length, bad };
      const known = !!meta?.meta?.levels;
      const moving = columns.levels !== null;
      state.message = (state.badCount ? "Bad lines skipped; " : "") +
        (known
          ? moving
            ? "levels from its meta file, moving as its frames carry them."
            : "levels from its meta file."
          : moving
          ? "levels as its frames carry them" +
            (meta?.meta
              ? " (its meta file has none)."
              : " (open it with its .meta.json for its thresholds).")
          : meta?.meta
          ? "levels unknown (its meta file has none)."
          : "levels unknown (a log carries none: open it with its .meta.json).") +
        extra;
      if (meta) state.meta = metaStatus(meta, { columns, badCount: parsed.bad.length });
    }
    showLoad(state);
    api.load = {
      name: file.name,
      frames: state.frames,
      badCount: state.badCount,
      badLines: bad.map((b) => b.line),
      ok: !state.error,
      ms: performance.now() - t0,
      meta: meta ? { name: meta.name, ok: meta.ok, problems: meta.problems } : null,
    };
  }).catch((err) => {
    if (token !== loading) return;
    showLoad({
      name: file.name,
      frames: 0,
      badCount: 0,
      bad: [],
      message: "Cannot read this file: " + errorText(err),
      error: true,
    });
    api.load = {
      name: file.name,
      frames: 0,
      badCount: 0,
      badLines: [],
      ok: false,
      ms: performance.now() - t0,
      meta: null,
    };
  });
}

/** A meta file on its own: it joins the log on screen when their names match. */
function loadMeta(metaFile: File, extra: string): void {
  const token = ++loading;
  const t0 = performance.now();
  const log = lastLog && view.run && view.run.c === lastLog.columns ? lastLog : null;
  readMeta(metaFile).then((meta) => {
    if (token !== loading) return;
    if (!log || !namesPair(log.name, metaFile.name)) {
      showLoad({
        name: metaFile.name,
        frames: 0,
        badCount: 0,
        bad: [],
        message: "A meta file holds no frames: open it together with its log (pick or drop " +
          "both), or after the log whose name it shares." + extra,
        error: true,
        meta: meta.ok ? undefined : {
          text: "Ignored " + meta.name + ": " + meta.problems.join("; ") + ".",
          problem: true,
        },
      });
    } else {
      if (meta.meta) flyLog(log.name, log.columns, meta);
      showLoad({
        name: log.name,
        frames: log.columns.n,
        badCount: log.badCount,
        bad: log.bad,
        message: (meta.meta?.levels
          ? "Levels from its meta file."
          : log.columns.levels
          ? "Levels as its frames carry them."
          : "Levels unknown.") + extra,
        meta: metaStatus(meta, log),
      });
    }
    api.load = {
      name: metaFile.name,
      frames: log && meta.meta ? log.columns.n : 0,
      badCount: 0,
      badLines: [],
      ok: !!(log && meta.meta && namesPair(log.name, metaFile.name)),
      ms: performance.now() - t0,
      meta: { name: meta.name, ok: meta.ok, problems: meta.problems },
    };
  });
}

/**
 * The files picked or dropped: the first log with its meta file, further logs overlaid, a
 * batch's summary for its fan, saying what was left out.
 */
function loadFiles(list: FileList | null | undefined): void {
  if (!list || !list.length) return;
  const all = Array.from(list);
  const summaries = all.filter((f) => /\.summary\.json$/i.test(f.name));
  const files = all.filter((f) => !summaries.includes(f));
  const { log, meta, otherLogs, otherMetas } = pairFiles(files);
  const summary = summaries[0];
  // meta files alone: the first may join the log on screen
  const lone = log ? undefined : otherMetas[0];
  const unused = lone ? otherMetas.slice(1) : otherMetas;
  let extra = "";
  if (summaries.length > 1) {
    extra += " Only the first of " + summaries.length + " summaries was used.";
  }
  if (unused.length) {
    extra += " Not used, as no log opened goes with " + (unused.length === 1 ? "it" : "them") +
      ": " + unused.map((f) => f.name).join(", ") + ".";
  }
  if (log) loadLog(log, meta, extra, { overlays: otherLogs, ...(summary ? { summary } : {}) });
  else if (lone) loadMeta(lone, extra);
  else if (summary) {
    const token = ++loading;
    loadFan(summary).then((status) => {
      if (token !== loading) return;
      if (!status.problem) setPanelsRun();
      showLoad({
        name: summary.name,
        frames: view.run ? view.run.n : 0,
        badCount: 0,
        bad: [],
        message: status.text + extra,
        error: status.problem,
      });
    });
  }
}

function hasFiles(e: DragEvent): boolean {
  return !!e.dataTransfer &&
    Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0;
}

/** Listens to the file picker and to files dragged onto the window. */
export function installLoader(): void {
  $("file-input").addEventListener("change", (e) => {
    const input = e.target as HTMLInputElement;
    loadFiles(input.files);
    input.value = "";
  });
  let dragDepth = 0;
  const overlay = () => $("drop-overlay");
  globalThis.addEventListener("dragenter", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth++;
    overlay().hidden = false;
  });
  globalThis.addEventListener("dragover", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer!.dropEffect = "copy";
  });
  globalThis.addEventListener("dragleave", () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) overlay().hidden = true;
  });
  globalThis.addEventListener("drop", (e) => {
    e.preventDefault();
    dragDepth = 0;
    overlay().hidden = true;
    loadFiles(e.dataTransfer && e.dataTransfer.files);
  });
}
