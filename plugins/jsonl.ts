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
import type { Frame } from "../core/frame.ts";
import { framesOf } from "../core/run.ts";
import { OutputSet } from "../files/atomic.ts";
import { defineSink, type SinkDefinition } from "../core/plugin.ts";
import { FrameText } from "./_frame_text.ts";
import { parseJsonl } from "./_jsonl_parse.ts";

export { type BadLine, type ParsedJsonl, parseJsonl } from "./_jsonl_parse.ts";

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

/**
 * Reads a telemetry log.
 *
 * @param path The JSONL file.
 * @returns Its frames.
 * @throws ScenarioError naming the file and every problem: bad lines, timestamps that repeat or
 * go back, an empty file or one without frames, bare `\r` line ends. {@linkcode parseJsonl}
 * reads leniently instead.
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
  const { frames, bad, warnings, problems } = parseJsonl(await Deno.readTextFile(path));
  const lines = [...bad, ...warnings].sort((a, b) => a.line - b.line);
  const all = [
    ...problems.map((p) => `${path}: ${p}`),
    ...lines.map((b) => `${path}:${b.line}: ${b.message}`),
  ];
  if (all.length > 0) throw new ScenarioError(all);
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

/** This thread's line buffer: one serves every jsonl sink, which consume it block by block. */
let text: FrameText | undefined;

/** Streams frames to `<name>.jsonl`, one line each, as SPEC §2 fixes them. */
const jsonl: SinkDefinition<JsonlOptions> = defineSink({
  name: "jsonl",
  extension: "jsonl",
  options: {},
  start({ output }) {
    return {
      write: (frames) => output.write(formatJsonl(frames)),
      // Lines written from the block's columns: the same bytes, no frame objects, no strings.
      writeBlock(block) {
        // Moving levels add fields the WebAssembly writer does not know: daily replays are short.
        if (block.samples.levels) return output.write(formatJsonl(framesOf(block)));
        text ??= new FrameText();
        text.clear();
        text.add(block);
        return output.write(text.bytes());
      },
    };
  },
});
export default jsonl;
