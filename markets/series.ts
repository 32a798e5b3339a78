/**
 * Time series a user brings: levels that move (SPEC §7) and their own spot, iv and hv.
 *
 * {@linkcode parseLevelsSeries} reads `date,flip,putWall,callWall` as CSV or JSON lines, each
 * row checked against `putWall < flip < callWall`. {@linkcode parseUserSeries} reads a
 * `timestamp,spot,iv,hv` CSV with any subset of the value columns. Both report every bad row
 * of a file in one error, by line number, the first 20 shown.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import { didYouMean, show } from "../core/options.ts";
import { extname } from "@std/path";
import { isIsoDate, parseCsvTable, parseNumber, Problems, readText, toIsoDate } from "./_csv.ts";

/** Levels in force from each date (or step) on, in columns, keys strictly increasing. */
export interface LevelsSeries {
  /** The file, as given. */
  readonly path: string;
  /** What the rows are keyed by: an ISO date (`date` column) or a step index (`step`). */
  readonly by: "date" | "step";
  /** ISO dates `YYYY-MM-DD` when keyed by date, else empty. */
  readonly dates: readonly string[];
  /** Step indexes (integers from 0) when keyed by step, else empty. */
  readonly steps: Int32Array;
  /** Gamma flip per row. */
  readonly flip: Float64Array;
  /** Put wall per row, below the flip. */
  readonly putWall: Float64Array;
  /** Call wall per row, above the flip. */
  readonly callWall: Float64Array;
  /** ATR per row, when the file has an `atr` column, else undefined. */
  readonly atr: Float64Array | undefined;
}

/** A user's own samples, in columns: the value columns the file has, the others undefined. */
export interface UserSeries {
  /** The file, as given. */
  readonly path: string;
  /** Number of data rows. */
  readonly length: number;
  /** ISO 8601 time per row (`T` between date and time), when the file has `timestamp`. */
  readonly timestamps: readonly string[] | undefined;
  /** Spot per row. */
  readonly spot: Float64Array | undefined;
  /** Implied volatility per row, annualised fraction, > 0. */
  readonly iv: Float64Array | undefined;
  /** Historical volatility per row, annualised fraction, > 0. */
  readonly hv: Float64Array | undefined;
}

const LEVEL_NAMES = ["date", "step", "flip", "putWall", "callWall", "atr"] as const;
type LevelName = typeof LEVEL_NAMES[number];
const USER_NAMES = ["timestamp", "spot", "iv", "hv"] as const;
type UserName = typeof USER_NAMES[number];

/** Header or key as compared: lower case, without spaces, `_` or `-` (`put_wall` is `putWall`). */
function normal(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, "");
}

function listNames(names: readonly string[]): string {
  const quoted = names.map((name) => show(name));
  return `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/**
 * Reads a levels time series: CSV with a header, or JSON lines, one object per line.
 *
 * Columns (keys): `date` (ISO `YYYY-MM-DD`) or `step` (integer from 0), then `flip`, `putWall`
 * and `callWall`, and optionally `atr` (> 0). Names match without regard to case, spaces, `_`
 * and `-`; other names are refused. JSON lines are chosen for a `.jsonl` or `.ndjson` file and
 * for text whose first character is `{`; CSV otherwise. UTF-8 with or without a byte order
 * mark, `\n` or `\r\n`, blank lines skipped. Every row must hold `putWall < flip < callWall`,
 * and the keys must increase.
 *
 * @param text The file's content.
 * @param path The file's name, for messages and to tell JSON lines by extension.
 * @returns The rows in columns.
 * @throws {ScenarioError} Every bad row, by line and date (the first 20).
 *
 * @example CSV
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseLevelsSeries } from "./series.ts";
 *
 * const levels = parseLevelsSeries("date,flip,putWall,callWall\n2022-12-12,4013.8,3950,4100\n", "l.csv");
 * assertEquals([levels.dates, [...levels.callWall]], [["2022-12-12"], [4100]]);
 * ```
 */
export function parseLevelsSeries(text: string, path: string): LevelsSeries {
  const extension = extname(path).toLowerCase();
  const jsonl = extension === ".jsonl" || extension === ".ndjson" ||
    (extension !== ".csv" && /^\uFEFF?\s*\{/.test(text));
  const problems = new Problems(path);
  const records = jsonl
    ? levelRecordsFromJsonl(text, problems)
    : levelRecordsFromCsv(text, problems);
  if (records.rows.length === 0) {
    problems.throwIfAny();
    throw new ScenarioError(`${path}: Cannot read the levels: no data rows`);
  }
  const { rows, by, hasAtr, csv } = records;
  const n = rows.length;
  const dates: string[] = [];
  const steps = new Int32Array(by === "step" ? n : 0);
  const flip = new Float64Array(n), putWall = new Float64Array(n), callWall = new Float64Array(n);
  const atr = hasAtr ? new Float64Array(n) : undefined;
  let previous: { key: string | number; line: number } | undefined;
  for (let i = 0; i < n; i++) {
    const { line, values } = rows[i]!;
    const raw = values.get(by);
    let key: string | number | undefined;
    if (by === "date") {
      key = typeof raw === "string" ? toIsoDate(raw) : undefined;
      if (key === undefined) {
        problems.add(
          line,
          `Cannot read "date": expected a date such as "2022-12-12", got ${shown(raw)}`,
        );
      }
      dates.push(key ?? "");
    } else {
      const step = typeof raw === "number"
        ? raw
        : csv && typeof raw === "string"
        ? parseNumber(raw)
        : NaN;
      if (Number.isInteger(step) && step >= 0 && step <= 2 ** 31 - 1) {
        key = step;
        steps[i] = step;
      } else {
        problems.add(line, `Cannot read "step": expected an integer >= 0, got ${shown(raw)}`);
      }
    }
    const where = key === undefined ? "" : by === "date" ? ` on ${key}` : ` at step ${key}`;
    if (key !== undefined && previous !== undefined && key <= previous.key) {
      problems.add(
        line,
        `Levels${where}: ${by === "date" ? "dates" : "steps"} must increase, ${show(key)} comes ` +
          `after ${show(previous.key)} (line ${previous.line})`,
      );
    }
    if (key !== undefined) previous = { key, line };
    const read = (name: LevelName, into: Float64Array, positive = false) => {
      const value = values.get(name);
      const number = typeof value === "number"
        ? value
        : csv && typeof value === "string"
        ? parseNumber(value)
        : NaN;
      if (!Number.isFinite(number) || (positive && !(number > 0))) {
        problems.add(
          line,
          `Cannot read ${show(name)}${where}: expected a number${positive ? " > 0" : ""}, got ${
            shown(value)
          }${
            !csv && typeof value === "string" ? " (a JSON string: write the number unquoted)" : ""
          }`,
        );
        return false;
      }
      into[i] = number;
      return true;
    };
    const ok = [read("flip", flip), read("putWall", putWall), read("callWall", callWall)];
    if (atr) read("atr", atr, true);
    if (ok.every(Boolean) && !(putWall[i]! < flip[i]! && flip[i]! < callWall[i]!)) {
      problems.add(
        line,
        `Levels${where} break putWall < flip < callWall: putWall ${putWall[i]}, flip ${
          flip[i]
        }, callWall ${callWall[i]}`,
      );
    }
  }
  problems.throwIfAny();
  return { path, by, dates: by === "date" ? dates : [], steps, flip, putWall, callWall, atr };
}

/** Rows of a levels file before checking: each value as written, by canonical name. */
interface LevelRecords {
  by: "date" | "step";
  hasAtr: boolean;
  /** Whether values are CSV cells (text) rather than JSON values. */
  csv: boolean;
  rows: { line: number; values: Map<LevelName, unknown> }[];
}

/** The canonical name of a header or key, or undefined (and a problem) when unknown. */
function levelName(name: string, where: string, problems: Problems, line: number) {
  const found = LEVEL_NAMES.find((known) => normal(known) === normal(name));
  if (found === undefined) {
    problems.add(
      line,
      `Unknown ${where} ${show(name)}: expected ${listNames(LEVEL_NAMES)}${
        didYouMean(name, LEVEL_NAMES)
      }`,
    );
  }
  return found;
}

/** Which key the names use and whether they hold everything needed, with problems if not. */
function levelKeys(names: readonly LevelName[], problems: Problems, line: number) {
  const by = names.includes("step") && !names.includes("date") ? "step" : "date";
  if (names.includes("step") && names.includes("date")) {
    problems.add(line, `Cannot read the levels: expected "date" or "step", found both`);
  }
  const missing = ([by, "flip", "putWall", "callWall"] as const).filter((n) => !names.includes(n));
  if (missing.length > 0) {
    problems.add(
      line,
      `Cannot read the levels: missing ${listNames(missing)}, expected "date" (or "step"), ` +
        `"flip", "putWall", "callWall" and optionally "atr"`,
    );
  }
  return { by, hasAtr: names.includes("atr") } as const;
}

function levelRecordsFromCsv(text: string, problems: Problems): LevelRecords {
  const table = parseCsvTable(text, problems.path);
  const headerLine = table.lineOf(-1);
  const names = table.header.map((name) => levelName(name, "column", problems, headerLine));
  names.forEach((name, k) => {
    if (name !== undefined && names.indexOf(name) !== k) {
      problems.add(headerLine, `Cannot read the header: column ${show(name)} appears twice`);
    }
  });
  const known = names.filter((name): name is LevelName => name !== undefined);
  const { by, hasAtr } = levelKeys(known, problems, headerLine);
  if (problems.list.length > 0) return { by, hasAtr, csv: true, rows: [] };
  const width = names.length;
  const rows = table.rows.flatMap((row, i) => {
    if (row.length !== width) {
      problems.add(
        table.lineOf(i),
        `Cannot read the row: expected ${width} fields, got ${row.length}`,
      );
      return [];
    }
    return [{ line: table.lineOf(i), values: new Map(names.map((name, k) => [name!, row[k]!])) }];
  });
  return { by, hasAtr, csv: true, rows };
}

function levelRecordsFromJsonl(text: string, problems: Problems): LevelRecords {
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  const rows: LevelRecords["rows"] = [];
  const seen = new Set<LevelName>();
  lines.forEach((content, k) => {
    const line = k + 1;
    if (content.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      problems.add(line, `Cannot parse JSON: ${(error as Error).message}`);
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.add(line, `Cannot read the levels: expected a JSON object, got ${shown(value)}`);
      return;
    }
    const values = new Map<LevelName, unknown>();
    for (const [key, v] of Object.entries(value)) {
      const name = levelName(key, "key", problems, line);
      if (name === undefined) continue;
      values.set(name, v);
      seen.add(name);
    }
    rows.push({ line, values });
  });
  if (rows.length === 0) return { by: "date", hasAtr: false, csv: false, rows };
  const { by, hasAtr } = levelKeys([...seen], problems, rows[0]!.line);
  return { by, hasAtr, csv: false, rows };
}

function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string" && value.trim() === "") return "nothing (the cell is empty)";
  return show(value);
}

/**
 * Reads a levels time series file (see {@linkcode parseLevelsSeries}).
 *
 * @param path The file, as a path or a `file:` URL.
 * @returns The rows in columns.
 * @throws {ScenarioError} When the file cannot be read, or any row is bad.
 *
 * @example JSON lines
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readLevelsSeries } from "./series.ts";
 *
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, '{"date":"2022-12-12","flip":4013.8,"putWall":3950,"callWall":4100}\n');
 * assertEquals((await readLevelsSeries(path)).flip[0], 4013.8);
 * await Deno.remove(path);
 * ```
 */
export async function readLevelsSeries(path: string | URL): Promise<LevelsSeries> {
  const { text, name } = await readText(path);
  return parseLevelsSeries(text, name);
}

const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The ISO 8601 form of a timestamp cell (`T` between date and time), or undefined. */
function toTimestamp(cell: string): string | undefined {
  const text = cell.trim();
  const match = TIMESTAMP.exec(text);
  if (!match || !isIsoDate(match[1]!)) return undefined;
  const [hour, minute, second] = [match[2], match[3], match[4]].map((v) => Number(v ?? 0));
  if (hour! > 23 || minute! > 59 || second! > 59) return undefined;
  return text.length > 10 ? `${match[1]}T${text.slice(11)}` : text;
}

/**
 * Reads a user's own `timestamp,spot,iv,hv` CSV, any subset of the value columns.
 *
 * The header is required; names match without regard to case and other names are refused.
 * `timestamp`, if present, is an ISO 8601 date or date-time, increasing; `iv` and `hv` are
 * annualised fractions > 0 (0.25 is 25%); `spot` any finite number. UTF-8 with or without a
 * byte order mark, `\n` or `\r\n`. Every missing or non-numeric value is reported by line and
 * column, all in one error (the first 20, then a count). A file with `;` separators and decimal
 * commas is refused with a hint.
 *
 * @param text The file's content.
 * @param path The file's name, for messages.
 * @returns The columns the file has.
 * @throws {ScenarioError} Every problem of the file at once.
 *
 * @example Spot and iv only
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseUserSeries } from "./series.ts";
 *
 * const user = parseUserSeries("timestamp,spot,iv\r\n2022-12-12,3990.56,0.25\r\n", "mine.csv");
 * assertEquals([user.timestamps, user.iv?.[0], user.hv], [["2022-12-12"], 0.25, undefined]);
 * ```
 */
export function parseUserSeries(text: string, path: string): UserSeries {
  const table = parseCsvTable(text, path);
  const problems = new Problems(path);
  const headerLine = table.lineOf(-1);
  const names = table.header.map((name) => {
    const found = USER_NAMES.find((known) => known === name.toLowerCase());
    if (found === undefined) {
      problems.add(
        headerLine,
        `Unknown column ${show(name)}: expected ${listNames(USER_NAMES)}${
          didYouMean(name, USER_NAMES)
        }`,
      );
    }
    return found;
  });
  names.forEach((name, k) => {
    if (name !== undefined && names.indexOf(name) !== k) {
      problems.add(headerLine, `Cannot read the header: column ${show(name)} appears twice`);
    }
  });
  if (!names.some((name) => name !== undefined && name !== "timestamp")) {
    problems.add(
      headerLine,
      `Cannot read the header: expected at least one of "spot", "iv" and "hv"`,
    );
  }
  problems.throwIfAny();
  const rows = table.rows;
  const n = rows.length;
  if (n === 0) throw new ScenarioError(`${path}: Cannot read the file: no data rows`);
  const column = (name: UserName) => names.includes(name) ? new Float64Array(n) : undefined;
  const out = { spot: column("spot"), iv: column("iv"), hv: column("hv") };
  const timestamps = names.includes("timestamp") ? new Array<string>(n) : undefined;
  let previous: { time: number; text: string; line: number } | undefined;
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const line = table.lineOf(i);
    if (row.length > names.length) {
      problems.add(line, `Cannot read the row: expected ${names.length} fields, got ${row.length}`);
      continue;
    }
    names.forEach((name, k) => {
      const cell = row[k];
      const got = cell === undefined
        ? `nothing (the row has ${row.length} of ${names.length} fields)`
        : cell.trim() === ""
        ? "nothing (the cell is empty)"
        : show(cell);
      if (name === "timestamp") {
        const time = cell === undefined ? undefined : toTimestamp(cell);
        if (time === undefined) {
          problems.add(
            line,
            `Cannot read "timestamp": expected an ISO 8601 date or date-time such as ` +
              `"2022-12-12" or "2022-12-12T15:30:00Z", got ${got}`,
          );
          return;
        }
        timestamps![i] = time;
        const at = Date.parse(time);
        if (previous !== undefined && !(at > previous.time)) {
          problems.add(
            line,
            `Timestamps must increase: ${show(time)} comes after ${
              show(previous.text)
            } (line ${previous.line})`,
          );
        }
        previous = { time: at, text: time, line };
        return;
      }
      const value = cell === undefined ? NaN : parseNumber(cell);
      const positive = name !== "spot";
      if (!Number.isFinite(value) || (positive && !(value > 0))) {
        const hint = cell !== undefined && /^\s*-?\d+,\d+\s*$/.test(cell)
          ? ` (a decimal comma? write "." instead)`
          : "";
        problems.add(
          line,
          `Cannot read ${show(name)}: expected a number${
            positive ? " > 0" : ""
          }, got ${got}${hint}`,
        );
        return;
      }
      out[name as "spot" | "iv" | "hv"]![i] = value;
    });
  }
  problems.throwIfAny();
  return { path, length: n, timestamps, ...out };
}

/**
 * Reads a user's own `timestamp,spot,iv,hv` CSV file (see {@linkcode parseUserSeries}).
 *
 * @param path The file, as a path or a `file:` URL.
 * @returns The columns the file has.
 * @throws {ScenarioError} When the file cannot be read, or has any problem.
 *
 * @example Read a file
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readUserSeries } from "./series.ts";
 *
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, "\uFEFFspot,hv\n694,0.12\n");
 * assertEquals((await readUserSeries(path)).hv?.[0], 0.12);
 * await Deno.remove(path);
 * ```
 */
export async function readUserSeries(path: string | URL): Promise<UserSeries> {
  const { text, name } = await readText(path);
  return parseUserSeries(text, name);
}
