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
    if (typeof f[key] !== "number" || !Number.isFinite(f[key])) {
      return `${JSON.stringify(key)}: expected a finite number, got ${
        JSON.stringify(f[key]) ?? "nothing"
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
 * Parses JSONL text into frames, collecting the bad lines rather than stopping at the first.
 *
 * @param text The log's text.
 * @returns The valid frames and the bad lines.
 *
 * @example Blank lines and CRLF are fine; other bad lines are reported by number
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseJsonl } from "./_jsonl_parse.ts";
 *
 * const good = '{"timestamp":0,"spot":694,"iv":0.15,"hv":0.12,"x":0.5,"y":1.25,"z":0.8,"regime":"CRUISE","flags":[]}';
 * const { frames, bad } = parseJsonl(`\uFEFF${good}\r\n\r\nnot json\n${good}\n`);
 * assertEquals(frames.length, 2);
 * assertEquals(bad.map((b) => b.line), [3]);
 * ```
 */
export function parseJsonl(text: string): ParsedJsonl {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split("\n");
  const frames: Frame[] = [];
  const bad: BadLine[] = [];
  for (const [i, raw] of lines.entries()) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      bad.push({ line: i + 1, message: `not JSON: ${(error as Error).message}` });
      continue;
    }
    const problem = frameProblem(value);
    if (problem) bad.push({ line: i + 1, message: problem });
    else frames.push(value as Frame);
  }
  return { frames, bad };
}
