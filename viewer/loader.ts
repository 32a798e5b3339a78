/**
 * Opening a JSONL log (SPEC §2) from the "Open log" button or by dropping it on the window,
 * with the project's own log reader: valid frames play, bad lines are counted and the first
 * ten listed by line number. Values read from a file are only ever shown as text.
 *
 * @module
 */
/// <reference lib="dom" />
import { parseJsonl } from "../plugins/_jsonl_parse.ts";
import { api } from "./api.ts";
import { columnsOf } from "./data.ts";
import { $, embedded, setText } from "./dom.ts";
import { makeRun } from "./model.ts";
import { pause, setRun } from "./playback.ts";
import { view } from "./state.ts";

/** Bad lines listed in the load panel. */
const MAX_BAD_SHOWN = 10;
/** Longest bad-line message shown, in characters. */
const MAX_MESSAGE = 200;

/** What the load panel shows. */
interface LoadState {
  name: string;
  frames: number;
  badCount: number;
  bad: { line: number; message: string }[];
  message: string;
  error?: boolean;
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

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE - 3) + "..." : message;
}

let loading = 0;

/** Reads a log and flies it; a file with no valid frame leaves the current run on screen. */
function loadFile(file: File | undefined, extra: string): void {
  if (!file) return;
  const token = ++loading;
  const t0 = performance.now();
  showLoad({ name: file.name, frames: 0, badCount: 0, bad: [], message: "Reading…" });
  file.text().then((text) =>
    // let the panel paint before the parse
    new Promise<string>((resolve) => setTimeout(() => resolve(text), 0))
  ).then((text) => {
    if (token !== loading) return;
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
        (view.run && view.run.n ? view.run.name : "the previous view") + ".";
    } else {
      pause();
      setRun(makeRun(columns, {
        source: "file",
        name: file.name,
        seed: null,
        levels: null,
        fallback: embedded.levels && embedded.levels.thresholds,
        maxTrailPoints: embedded.maxTrailPoints,
      }));
      state.message = (state.badCount ? "Bad lines skipped; " : "") +
        "levels unknown (a log carries none)." + extra;
    }
    showLoad(state);
    api.load = {
      name: file.name,
      frames: state.frames,
      badCount: state.badCount,
      badLines: bad.map((b) => b.line),
      ok: !state.error,
      ms: performance.now() - t0,
    };
  }).catch((err) => {
    if (token !== loading) return;
    showLoad({
      name: file.name,
      frames: 0,
      badCount: 0,
      bad: [],
      message: "Cannot read this file: " + (err && err.message ? err.message : String(err)),
      error: true,
    });
    api.load = {
      name: file.name,
      frames: 0,
      badCount: 0,
      badLines: [],
      ok: false,
      ms: performance.now() - t0,
    };
  });
}

/** The first of the files picked or dropped, saying so when there were more. */
function loadFirst(files: FileList | null | undefined): void {
  if (files && files.length) {
    loadFile(
      files[0],
      files.length > 1 ? " Only the first of " + files.length + " files was opened." : "",
    );
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
    loadFirst(input.files);
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
    loadFirst(e.dataTransfer && e.dataTransfer.files);
  });
}
