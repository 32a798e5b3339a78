/**
 * The telemetry log reader's parsing (SPEC §2), free of Deno's APIs so that the flight view
 * runs the same code in the browser.
 *
 * @module
 */
import { FLAGS, type Frame, REGIMES } from "../core/frame.ts";

/** A line of a log that is not a frame. */
export interface BadLine {
  /** Line number, from 1. */
  line: number;
  /** What is wrong with it. */
  message: string;
}

/** What {@linkcode parseJsonl} found. */
export interface ParsedJsonl {
  /** The valid frames, in file order. */
  frames: Frame[];
  /** The lines that are not frames. */
  bad: BadLine[];
  /** Frames kept that look wrong: a timestamp repeated or going back. */
  warnings: BadLine[];
  /** What concerns the whole file: empty, no frames, bare `\r` line ends. */
  problems: string[];
}

const NUMBERS = ["spot", "iv", "hv", "x", "y", "z"] as const;

function frameProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "expected a JSON object";
  }
  const f = value as Record<string, unknown>;
  if (
    !(typeof f.timestamp === "number" && Number.isFinite(f.timestamp)) &&
    typeof f.timestamp !== "string"
  ) {
    return `"timestamp": expected a number or an ISO 8601 string, got ${
      JSON.stringify(f.timestamp) ?? "nothing"
    }`;
  }
  for (const key of NUMBERS) {
    const v = f[key];
    if (typeof v === "number" && !Number.isFinite(v)) {
      return `${JSON.stringify(key)}: the number is out of range (a double holds at most 1.8e308)`;
    }
    if (typeof v !== "number") {
      return `${JSON.stringify(key)}: expected a finite number, got ${
        JSON.stringify(v) ?? "nothing"
      }`;
    }
  }
  if (!(REGIMES as readonly unknown[]).includes(f.regime)) {
    return `"regime": expected one of ${REGIMES.join(", ")}, got ${
      JSON.stringify(f.regime) ?? "nothing"
    }`;
  }
  if (
    !Array.isArray(f.flags) ||
    !f.flags.every((flag) => (FLAGS as readonly unknown[]).includes(flag))
  ) {
    return `"flags": expected a list of ${FLAGS.join(", ")}, got ${
      JSON.stringify(f.flags) ?? "nothing"
    }`;
  }
  return undefined;
}

/**
 * Parses JSONL text into frames, leniently: the valid frames are kept, and every problem is
 * listed rather than the first thrown. Bad lines (not JSON, not a frame, a last line cut off)
 * are in `bad`; frames kept that look wrong (a timestamp repeated or going back) in `warnings`;
 * what concerns the whole file (empty, no frames, bare `\r` line ends) in `problems`.
 *
 * @param text The log's text.
 * @returns The valid frames and the problems.
 *
 * @example Blank lines and CRLF are fine; other bad lines are reported by number
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseJsonl } from "./_jsonl_parse.ts";
 *
 * const good = '{"timestamp":0,"spot":694,"iv":0.15,"hv":0.12,"x":0.5,"y":1.25,"z":0.8,"regime":"CRUISE","flags":[]}';
 * const { frames, bad, warnings } = parseJsonl(`\uFEFF${good}\r\n\r\nnot json\n${good}\n`);
 * assertEquals(frames.length, 2);
 * assertEquals(bad.map((b) => b.line), [3]);
 * assertEquals(warnings.map((w) => w.line), [4]); // timestamp 0 again
 * ```
 */
export function parseJsonl(text: string): ParsedJsonl {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const problems: string[] = [];
  // Bare \r line ends (old Mac files): said once, and read as line ends.
  const bareCr = /\r(?!\n)/.test(body);
  if (bareCr) problems.push("lines end in a bare \\r; expected \\n or \\r\\n");
  const lines = body.split(bareCr ? /\r\n|\r|\n/ : "\n");
  const frames: Frame[] = [];
  const bad: BadLine[] = [];
  const warnings: BadLine[] = [];
  let last: number | string | undefined;
  for (const [i, raw] of lines.entries()) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const cut = i === lines.length - 1 && !/\n$/.test(body);
      const message = cut
        ? "truncated (no final newline)"
        : `not JSON: ${(error as Error).message}`;
      bad.push({ line: i + 1, message });
      continue;
    }
    const problem = frameProblem(value);
    if (problem) {
      bad.push({ line: i + 1, message: problem });
      continue;
    }
    const frame = value as Frame;
    const t = frame.timestamp;
    if (last !== undefined && typeof t === typeof last && t <= last) {
      const what = t === last ? "repeats" : "goes back from";
      warnings.push({
        line: i + 1,
        message: `timestamp ${JSON.stringify(t)} ${what} ${JSON.stringify(last)}`,
      });
    }
    last = t;
    frames.push(frame);
  }
  if (body.trim() === "") problems.push("the file is empty");
  else if (frames.length === 0) problems.push("no line is a frame");
  return { frames, bad, warnings, problems };
}
