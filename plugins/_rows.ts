/**
 * Frames as table rows, for the `csv` and `parquet` sinks: the column names in SPEC §2 order,
 * CSV text straight from a run's blocks (numbers as the JSONL writes them), and RFC 4180
 * quoting.
 *
 * @module
 */
import { FLAGS, flagsOf, type Frame, REGIMES, type RunBlock } from "../core/frame.ts";

/** The frame's fields in SPEC §2 order: the first nine columns of every table. */
export const FIELDS = [
  "timestamp",
  "spot",
  "iv",
  "hv",
  "x",
  "y",
  "z",
  "regime",
  "flags",
] as const;

/** A flag mask's text: the flags joined by `|`, in frame order, empty when none. */
export const FLAG_TEXT: readonly string[] = Array.from(
  { length: 1 << FLAGS.length },
  (_, mask) => flagsOf(mask).join("|"),
);

/** The text from the end of z to the end of the flags, by regime code then flag mask. */
const REGIME_FLAGS = REGIMES.map((regime) => FLAG_TEXT.map((flags) => `,${regime},${flags}`));

/** What makes a CSV field need quotes (RFC 4180 §2.6). */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field: a string quoted when it holds a comma, a double quote, a carriage return or a
 * line feed (its quotes doubled, RFC 4180); a number or a boolean as JSON writes it; nothing
 * for `null` or `undefined`; anything else as its JSON, quoted as a string is.
 *
 * @param value The field's value.
 * @returns Its text in a row.
 *
 * @example Quotes where RFC 4180 asks for them
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { csvCell } from "./_rows.ts";
 *
 * assertEquals(csvCell("plain"), "plain");
 * assertEquals(csvCell('say "hi", then\nleave'), '"say ""hi"", then\nleave"');
 * assertEquals(csvCell(0.1 + 0.2), "0.30000000000000004");
 * ```
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? "";
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Formats a block's frames as CSV rows, without building the frames: the moving levels, when
 * the block has them, follow the flags in the block's order.
 *
 * @param block A block from a run cursor.
 * @returns One row per step, each ending in `\n`.
 *
 * @example The rows of a short run
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, startRun } from "../mod.ts";
 * import { formatCsvBlock } from "./_rows.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const rows = formatCsvBlock((await startRun(scenario)).next()!).split("\n");
 * assertEquals(rows[0]!.split(",").slice(0, 1), ["0"]);
 * assertEquals(rows.at(-1), "");
 * ```
 */
export function formatCsvBlock(block: RunBlock): string {
  const { start, length, spot, iv, hv, time } = block.samples;
  const { x, y, z, regime, flags } = block.evaluation;
  const levels = Object.values(block.samples.levels ?? {});
  let text = "";
  // HV is often constant: its text is made once, not once a row.
  let lastHv = NaN, hvText = "";
  for (let i = 0; i < length; i++) {
    const stamp = time.length > 0 ? csvCell(time[i]) : start + i;
    const h = hv[i]!;
    if (h !== lastHv) hvText = String(lastHv = h);
    text += `${stamp},${spot[i]},${iv[i]},${hvText},${x[i]},${y[i]},${z[i]}${
      REGIME_FLAGS[regime[i]!]![flags[i]!]
    }`;
    for (const column of levels) text += `,${column[i]}`;
    text += "\n";
  }
  return text;
}

/**
 * Formats frames as CSV rows: SPEC §2's fields, then the `extra` fields by name.
 *
 * @param frames The frames.
 * @param extra The columns after the flags, as the header names them.
 * @returns One row per frame, each ending in `\n`.
 * @throws Error for a frame with a field the header has no column for, naming its timestamp.
 *
 * @example An extra field with a comma is quoted
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatCsvRows } from "./_rows.ts";
 *
 * const frame = { timestamp: 0, spot: 694, iv: 0.15, hv: 0.12, x: 0.5, y: 1.25, z: 0.8, regime: "CRUISE", flags: ["BREACH"], note: "a, b" } as const;
 * assertEquals(formatCsvRows([frame], ["note"]), '0,694,0.15,0.12,0.5,1.25,0.8,CRUISE,BREACH,"a, b"\n');
 * ```
 */
export function formatCsvRows(frames: readonly Frame[], extra: readonly string[]): string {
  const known = new Set<string>([...FIELDS, ...extra]);
  let text = "";
  for (const frame of frames) {
    const record = frame as unknown as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!known.has(key)) {
        throw new Error(
          `frame ${
            JSON.stringify(frame.timestamp)
          } has a field "${key}" that the first frame had not, so the CSV header has no column for it`,
        );
      }
    }
    text += `${
      csvCell(frame.timestamp)
    },${frame.spot},${frame.iv},${frame.hv},${frame.x},${frame.y},${frame.z},${frame.regime},${
      csvCell(frame.flags.join("|"))
    }`;
    for (const key of extra) text += `,${csvCell(record[key])}`;
    text += "\n";
  }
  return text;
}
