/**
 * What the market-data readers share: a CSV table with real line numbers, a problem list that
 * reports every bad cell at once, strict numbers and ISO dates, and file reading.
 *
 * @module
 */
import { parse as parseCsv } from "@std/csv";
import { fromFileUrl } from "@std/path";
import { ScenarioError } from "../core/errors.ts";

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A CSV file read by {@linkcode parseCsvTable}: its header and data rows. */
export interface CsvTable {
  /** Header fields, trimmed. */
  readonly header: readonly string[];
  /** Data rows after the header; blank lines are left out. */
  readonly rows: readonly (readonly string[])[];
  /**
   * The line number (from 1) where data row `i` starts.
   *
   * @param i Index into `rows`.
   * @returns Its line in the file.
   */
  lineOf(i: number): number;
}

/**
 * Parses CSV text with `@std/csv` into a header and rows, with line numbers for messages.
 *
 * Refuses an empty file, and a file that uses `;` separators (with or without decimal
 * commas) with a hint saying so.
 *
 * @param text The file's content: UTF-8 with or without a byte order mark, `\n` or `\r\n`.
 * @param path The file's name, for messages.
 * @returns The header and rows.
 * @throws {ScenarioError} When the file is empty, uses `;` separators or is not valid CSV.
 *
 * @example Line numbers skip blank lines
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseCsvTable } from "./_csv.ts";
 *
 * const table = parseCsvTable("\uFEFFa,b\r\n\r\n1,2\r\n", "t.csv");
 * assertEquals([table.header, table.rows, table.lineOf(0)], [["a", "b"], [["1", "2"]], 3]);
 * ```
 */
export function parseCsvTable(text: string, path: string): CsvTable {
  let records: string[][];
  try {
    records = text.includes('"') ? parseCsv(text) : plainRecords(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new ScenarioError(`${path}: Cannot parse CSV: ${error.message}`);
  }
  const blank = (row: readonly string[]) => row.every((cell) => cell.trim() === "");
  const kept: number[] = [];
  records.forEach((row, k) => {
    if (!blank(row)) kept.push(k);
  });
  if (kept.length === 0) {
    throw new ScenarioError(`${path}: Cannot read the file: it is empty, expected a header line`);
  }
  const header = records[kept[0]!]!.map((name) => name.trim());
  let starts: number[] | undefined;
  const lineOf = (i: number): number => {
    starts ??= recordLines(text);
    return starts[kept[i + 1]!] ?? 0;
  };
  if (header.length === 1 && header[0]!.includes(";")) {
    const second = kept.length > 1 ? records[kept[1]!]!.join(",") : "";
    const commas = /\d,\d/.test(second);
    throw new ScenarioError(
      `${path}:${lineOf(-1)}: Cannot read the header: expected "," separators and "." decimals, ` +
        `found ";" separators${commas ? " and decimal commas" : ""} (a spreadsheet export in a ` +
        `European locale); save the file as CSV with "," between fields and "." in numbers`,
    );
  }
  const rows = kept.length === records.length
    ? records.slice(1)
    : kept.slice(1).map((k) => records[k]!);
  return { header, rows, lineOf };
}

/**
 * The records of a file without a quote: its non-empty lines split at commas, what @std/csv
 * returns for them (BOM and `\r\n` included), in a tenth of its time on the 2.8 MB S&P file.
 */
function plainRecords(text: string): string[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  for (const raw of body.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.length > 0) records.push(line.split(","));
  }
  return records;
}

/** The line (from 1) where each record of `text` starts, skipping blank lines as @std/csv does. */
function recordLines(text: string): number[] {
  const starts: number[] = [];
  let quoted = false;
  let line = 0;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    line++;
    const content = text.slice(start, text[end - 1] === "\r" ? end - 1 : end);
    if (!quoted && content.length > 0) starts.push(line);
    // An odd number of quotes opens or closes a field that spans lines.
    if ((content.split('"').length - 1) % 2 === 1) quoted = !quoted;
    start = end + 1;
  }
  return starts;
}

/** Collects the problems found in a file by line; throws them at once, the first 20 shown. */
export class Problems {
  /** The file, the location of every problem. */
  readonly path: string;
  /** Every problem so far, `path:line: message`, in the order found. */
  readonly list: string[] = [];
  #lines: number[] = [];

  /**
   * Starts an empty list for a file.
   *
   * @param path The file's name.
   */
  constructor(path: string) {
    this.path = path;
  }

  /**
   * Records a problem.
   *
   * @param line Line number from 1, or undefined for the whole file.
   * @param message What failed, then what was expected and found.
   */
  add(line: number | undefined, message: string): void {
    this.list.push(`${this.path}${line === undefined ? "" : `:${line}`}: ${message}`);
    this.#lines.push(line ?? 0);
  }

  /**
   * Throws a {@linkcode ScenarioError} with the problems, if any, in line order: the first 20,
   * then a count of the rest.
   *
   * @example Nothing to throw
   * ```ts
   * import { Problems } from "./_csv.ts";
   *
   * new Problems("a.csv").throwIfAny();
   * ```
   */
  throwIfAny(): void {
    const count = this.list.length;
    if (count === 0) return;
    const order = this.list.map((_, k) => k).sort((a, b) =>
      this.#lines[a]! - this.#lines[b]! || a - b
    );
    const list = order.slice(0, 20).map((k) => this.list[k]!);
    if (count > 20) list.push(`${this.path}: ...and ${count - 20} more problems (${count} in all)`);
    throw new ScenarioError(list);
  }
}

const NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/**
 * Reads a decimal number from a CSV cell, strictly: no empty cell, hex, `NaN` or `Infinity`.
 *
 * @param cell The cell's text.
 * @returns The number, or `NaN` when the cell is not one.
 *
 * @example Strict numbers
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseNumber } from "./_csv.ts";
 *
 * assertEquals([parseNumber("4505.1"), parseNumber(" 1e3"), parseNumber("")], [4505.1, 1000, NaN]);
 * ```
 */
export function parseNumber(cell: string): number {
  // Fast path for the usual cell: starts with a digit or "-", ends with a digit or ".", and is
  // no "0x", "0b" or "0o" literal; anything else goes through the strict pattern.
  const head = cell.charCodeAt(0), tail = cell.charCodeAt(cell.length - 1);
  const second = cell.charCodeAt(1) | 32;
  if (
    ((head >= 48 && head <= 57) || head === 45) && ((tail >= 48 && tail <= 57) || tail === 46) &&
    second !== 120 && second !== 98 && second !== 111
  ) {
    const value = +cell;
    return Number.isFinite(value) ? value : NaN;
  }
  if (!NUMBER.test(cell)) return NaN;
  const value = Number(cell);
  return Number.isFinite(value) ? value : NaN;
}

/**
 * Whether a string is a valid ISO calendar date `YYYY-MM-DD`.
 *
 * @param text The string.
 * @returns True for a real date such as `2024-02-29`, false for `2023-02-29` or `2023-2-1`.
 *
 * @example Leap days
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { isIsoDate } from "./_csv.ts";
 *
 * assertEquals([isIsoDate("2024-02-29"), isIsoDate("2023-02-29")], [true, false]);
 * ```
 */
export function isIsoDate(text: string): boolean {
  if (typeof text !== "string" || text.length !== 10) return false;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const digit = (k: number) => {
    const c = text.charCodeAt(k) - 48;
    return c >= 0 && c <= 9 ? c : NaN;
  };
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const month = digit(5) * 10 + digit(6);
  const day = digit(8) * 10 + digit(9);
  if (!(month >= 1 && month <= 12 && day >= 1)) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS[month - 1]!);
}

/**
 * Reads a date cell as an ISO date: `YYYY-MM-DD`, optionally followed by a time and zone
 * (the date part is kept as written, not converted), or Cboe's `MM/DD/YYYY`.
 *
 * @param cell The cell's text.
 * @returns `YYYY-MM-DD`, or undefined when the cell is not a valid date.
 *
 * @example The S&P 500 file's dates
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { toIsoDate } from "./_csv.ts";
 *
 * assertEquals(toIsoDate("2023-09-14 00:00:00-04:00"), "2023-09-14");
 * assertEquals(toIsoDate("09/14/2023"), "2023-09-14");
 * ```
 */
export function toIsoDate(cell: string): string | undefined {
  if (cell.length === 10 && isIsoDate(cell)) return cell;
  const text = cell.trim();
  if (text.length >= 10 && text[4] === "-") {
    const date = text.slice(0, 10);
    const rest = text[10];
    if ((rest === undefined || rest === " " || rest === "T") && isIsoDate(date)) return date;
    return undefined;
  }
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (!us) return undefined;
  const date = `${us[3]}-${us[1]!.padStart(2, "0")}-${us[2]!.padStart(2, "0")}`;
  return isIsoDate(date) ? date : undefined;
}

/**
 * Reads a text file for the parsers, turning a missing or unreadable file into a
 * {@linkcode ScenarioError}.
 *
 * @param path The file, as a path or a `file:` URL.
 * @returns The text and the file's name for messages.
 * @throws {ScenarioError} When the file is missing, a folder or not readable.
 *
 * @example A missing file
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { ScenarioError } from "../core/errors.ts";
 * import { readText } from "./_csv.ts";
 *
 * await assertRejects(() => readText("no/such.csv"), ScenarioError, "no/such.csv: Cannot read");
 * ```
 */
export async function readText(path: string | URL): Promise<{ text: string; name: string }> {
  const name = typeof path === "string" ? path : fromFileUrl(path);
  try {
    return { text: await Deno.readTextFile(path), name };
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.IsADirectory
      ? "it is a folder"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : undefined;
    if (reason === undefined) throw error;
    throw new ScenarioError(`${name}: Cannot read the file: ${reason}`);
  }
}
