/**
 * The `jsonl` sink, and the reader and writer of telemetry logs (SPEC §2).
 *
 * A log is UTF-8, one frame per line, `\n` line ends and a final newline. The reader accepts
 * `\r\n`, a leading byte order mark and blank lines, ignores fields it does not know, and
 * reports every other bad line by its line number.
 *
 * @module
 */
import { basename, dirname } from "@std/path";
import { ScenarioError } from "../core/errors.ts";
import { FLAGS, type Frame, REGIMES } from "../core/frame.ts";
import { OutputSet } from "../core/output.ts";
import { defineSink, type SinkDefinition } from "../core/plugin.ts";

/**
 * Formats frames as JSONL text: one line each, fields in SPEC §2 order followed by any extra
 * fields, with a final newline.
 *
 * @param frames The frames.
 * @returns The JSONL text.
 *
 * @example One frame, one line
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatJsonl } from "./jsonl.ts";
 *
 * const frame = { timestamp: 0, spot: 694, iv: 0.15, hv: 0.12, x: 0.5, y: 1.25, z: 0.8, regime: "CRUISE", flags: [] } as const;
 * assertEquals(formatJsonl([frame]), '{"timestamp":0,"spot":694,"iv":0.15,"hv":0.12,"x":0.5,"y":1.25,"z":0.8,"regime":"CRUISE","flags":[]}\n');
 * ```
 */
export function formatJsonl(frames: readonly Frame[]): string {
  let text = "";
  for (const frame of frames) {
    // SPEC §2's nine fields in its order, then any fields other plugins added.
    const { timestamp, spot, iv, hv, x, y, z, regime, flags, ...extra } = frame;
    const line = { timestamp, spot, iv, hv, x, y, z, regime, flags, ...extra };
    text += JSON.stringify(line) + "\n";
  }
  return text;
}

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
 * import { parseJsonl } from "./jsonl.ts";
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

/**
 * Reads a telemetry log.
 *
 * @param path The JSONL file.
 * @returns Its frames.
 * @throws ScenarioError naming the file and the first bad lines, if any line is not a frame.
 *
 * @example Round trip
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readJsonl, writeJsonl } from "./jsonl.ts";
 *
 * const path = `${await Deno.makeTempDir()}/run.jsonl`;
 * const frames = [{ timestamp: 0, spot: 694, iv: 0.15, hv: 0.12, x: 0.5, y: 1.25, z: 0.8, regime: "CRUISE" as const, flags: [] }];
 * await writeJsonl(path, frames);
 * assertEquals(await readJsonl(path), frames);
 * ```
 */
export async function readJsonl(path: string): Promise<Frame[]> {
  const { frames, bad } = parseJsonl(await Deno.readTextFile(path));
  if (bad.length > 0) {
    const shown = bad.slice(0, 10).map((b) => `${path}:${b.line}: ${b.message}`);
    if (bad.length > 10) shown.push(`${path}: ${bad.length - 10} more bad lines`);
    throw new ScenarioError(shown);
  }
  return frames;
}

/**
 * Writes a telemetry log atomically: under a temporary name, renamed when complete.
 *
 * @param path The JSONL file to write.
 * @param frames The frames.
 *
 * @example Write a log
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { writeJsonl } from "./jsonl.ts";
 *
 * const path = `${await Deno.makeTempDir()}/empty.jsonl`;
 * await writeJsonl(path, []);
 * assertEquals(await Deno.readTextFile(path), "");
 * ```
 */
export async function writeJsonl(path: string, frames: readonly Frame[]): Promise<void> {
  const output = new OutputSet(dirname(path));
  try {
    await output.writeFile(basename(path), formatJsonl(frames));
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
}

/** The `jsonl` sink has no options. */
export type JsonlOptions = Record<string, never>;

/** Streams frames to `<name>.jsonl`, one line each, as SPEC §2 fixes them. */
const jsonl: SinkDefinition<JsonlOptions> = defineSink({
  name: "jsonl",
  extension: "jsonl",
  options: {},
  start({ output }) {
    return { write: (frames) => output.write(formatJsonl(frames)) };
  },
});
export default jsonl;
