/**
 * Cboe option chains: reads the CSV export of Cboe's delayed-quotes page into columnar typed
 * arrays, one entry per row (one strike of one expiry, a call and a put).
 *
 * The layout is that of `spx_option_chain_2022-12-12_cboe.csv`: a free first line (blank or any
 * text), a spot line holding `Last: <price>`, a date line holding
 * `Date: <Month> <day>, <year> ...`, then the header with the calls left of `Strike` and the
 * puts right of it:
 *
 * ```text
 * Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike,Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest
 * ```
 *
 * The spot and date lines may be quoted or not, `\r\n` and a leading BOM are accepted, and blank
 * lines are skipped. Columns are found by name on each side of `Strike`, so their order may
 * change and extra columns are ignored. Every bad cell is reported at once, each by line and
 * column name.
 *
 * @module
 */
import { parse } from "@std/csv";
import { ScenarioError } from "../core/errors.ts";

/** The header Cboe writes, for messages and for fixtures. */
export const CBOE_CHAIN_HEADER: string =
  "Expiration Date,Calls,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest,Strike," +
  "Puts,Last Sale,Net,Bid,Ask,Volume,IV,Delta,Gamma,Open Interest";

/** The most bad cells listed in one error; the rest are counted. */
export const MAX_CHAIN_PROBLEMS: number = 20;

/** The call or the put side of every row of a chain, columnar. */
export interface ChainSide {
  /** Implied volatility, annualised, as a fraction (0.25 is 25%); 0 where Cboe has none. */
  readonly iv: Float64Array;
  /** Cboe's gamma at the snapshot spot: delta change per 1 point of the underlying. */
  readonly gamma: Float64Array;
  /** Open interest, contracts. */
  readonly openInterest: Float64Array;
  /** Cboe's delta, or absent when the file has no `Delta` column. */
  readonly delta?: Float64Array;
  /** Last sale price, or absent when the file has no `Last Sale` column. */
  readonly last?: Float64Array;
  /** Bid, or absent when the file has no `Bid` column. */
  readonly bid?: Float64Array;
  /** Ask, or absent when the file has no `Ask` column. */
  readonly ask?: Float64Array;
  /** The day's volume, contracts, or absent when the file has no `Volume` column. */
  readonly volume?: Float64Array;
}

/** An option chain read from a Cboe export: one entry per row in each array, in file order. */
export interface Chain {
  /** The file the chain was read from, as given (used in messages). */
  readonly path: string;
  /** The underlying's price from the spot line (`Last:`), index points. */
  readonly spot: number;
  /** The date of the export from the date line, ISO `YYYY-MM-DD` (can be a day after the session). */
  readonly date: string;
  /** The date line's text after `Date:`, such as `December 12, 2022 at 8:30 PM EST`. */
  readonly dateText: string;
  /** The underlying's name from the spot line's first field, or `""`. */
  readonly underlying: string;
  /** The distinct expiries, ISO `YYYY-MM-DD`, in the order the file first lists them. */
  readonly expiries: readonly string[];
  /** Per row, the index of its expiry in {@linkcode Chain.expiries}. */
  readonly expiry: Uint16Array;
  /** Per row, the strike, index points. */
  readonly strike: Float64Array;
  /** Per row, the 1-based line of the file it came from. */
  readonly line: Uint32Array;
  /** The calls. */
  readonly call: ChainSide;
  /** The puts. */
  readonly put: ChainSide;
}

const MONTHS = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];

/** How the format is described when a file is not in it. */
const LAYOUT = "a Cboe option-chain export: a free first line, a spot line with " +
  '"Last: <price>", a date line with "Date: <Month> <day>, <year>", then the header ' +
  `"${CBOE_CHAIN_HEADER}"`;

/** Lines searched for the header before the file counts as another layout. */
const PREAMBLE_LINES = 10;

/** A plain decimal number, as Cboe writes them (no thousands separators, no hex, no Infinity). */
const NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** The columns read on each side of `Strike`, with the field of {@linkcode ChainSide}. */
const SIDE_COLUMNS = [
  { name: "IV", key: "iv", required: true, min: 0 },
  { name: "Gamma", key: "gamma", required: true, min: 0 },
  { name: "Open Interest", key: "openInterest", required: true, min: 0 },
  { name: "Delta", key: "delta", required: false, min: -Infinity },
  { name: "Last Sale", key: "last", required: false, min: -Infinity },
  { name: "Bid", key: "bid", required: false, min: -Infinity },
  { name: "Ask", key: "ask", required: false, min: -Infinity },
  { name: "Volume", key: "volume", required: false, min: 0 },
] as const;

type SideKey = (typeof SIDE_COLUMNS)[number]["key"];

/**
 * Reads a Cboe option-chain CSV export from a file: UTF-8 (a BOM is dropped).
 *
 * @param path The file to read; messages name it as given.
 * @returns The chain.
 * @throws {ScenarioError} When the file cannot be read, is not UTF-8, or is not a valid chain.
 *
 * @example Read a chain written to a temporary file
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { CBOE_CHAIN_HEADER, readChain } from "./chain.ts";
 *
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, [
 *   "",
 *   "SPX,Last: 4000,Change: 1",
 *   '"Date: January 3, 2023 at 4:15 PM EST",Bid: 3999',
 *   CBOE_CHAIN_HEADER,
 *   "Fri Jan 06 2023,C1,10,0,9,11,5,0.2,0.5,0.002,100,4000.00,P1,10,0,9,11,5,0.2,-0.5,0.002,200",
 * ].join("\n"));
 * const chain = await readChain(path);
 * await Deno.remove(path);
 * assertEquals([chain.spot, chain.date, chain.expiries[0]], [4000, "2023-01-03", "2023-01-06"]);
 * ```
 */
export async function readChain(path: string): Promise<Chain> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.IsADirectory
      ? "it is a folder"
      : (error as Error).message;
    throw new ScenarioError(`${path}: Cannot read the option chain: ${reason}`);
  }
  // The lenient decoder is faster; only when it replaced something (U+FFFD) can the bytes be
  // invalid, and the strict one decides.
  let text = new TextDecoder("utf-8").decode(bytes);
  if (text.includes("\uFFFD")) {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new ScenarioError(
        `${path}: Cannot read the option chain: expected UTF-8 text, found bytes that are not ` +
          "UTF-8",
      );
    }
  }
  return parseChain(text, path);
}

/**
 * Parses the text of a Cboe option-chain CSV export (layout in the module doc).
 *
 * @param text The file's text; a leading BOM and `\r\n` line ends are accepted.
 * @param path The file name used in messages.
 * @returns The chain, its arrays in file order.
 * @throws {ScenarioError} On an empty file, another layout, a missing column or bad cells; each
 *   problem starts with `path:line:`, and every bad cell is listed (up to
 *   {@linkcode MAX_CHAIN_PROBLEMS}, then a count).
 *
 * @example Parse a two-row chain
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { CBOE_CHAIN_HEADER, parseChain } from "./chain.ts";
 *
 * const chain = parseChain([
 *   "---Example Data---",
 *   "Standard & Poors 500 Index,Last: 3990.5601,Change:  56.1801",
 *   '"Date: December 12, 2022 at 8:30 PM EST",Bid: 3962.01',
 *   CBOE_CHAIN_HEADER,
 *   "Fri Dec 16 2022,C,1,0,0,0,0,0.21,0.5,0.0019,900,4000.00,P,1,0,0,0,0,0.22,-0.5,0.0018,800",
 *   "Fri Dec 16 2022,C,1,0,0,0,0,0.2,0.3,0.0015,50,4050.00,P,1,0,0,0,0,0.2,-0.7,0.0015,10",
 * ].join("\r\n"), "spx.csv");
 * assertEquals(chain.spot, 3990.5601);
 * assertEquals(chain.date, "2022-12-12");
 * assertEquals([...chain.strike], [4000, 4050]);
 * assertEquals([...chain.put.openInterest], [800, 10]);
 * ```
 */
export function parseChain(text: string, path: string): Chain {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith("\r")) lines[i] = line.slice(0, -1);
  }
  if (lines.every((line) => line.trim() === "")) {
    throw new ScenarioError(`${path}:1: Empty file: expected ${LAYOUT}`);
  }

  // The header is the first line with a "Strike" or "Expiration Date" field.
  let headerIndex = -1;
  let header: string[] = [];
  for (let i = 0; i < Math.min(lines.length, PREAMBLE_LINES); i++) {
    const fields = splitLine(lines[i]!);
    if (fields && fields.some((f) => f.trim() === "Strike" || f.trim() === "Expiration Date")) {
      headerIndex = i;
      header = fields.map((f) => f.trim());
      break;
    }
  }
  if (headerIndex < 0) {
    const first = lines.findIndex((line) => line.trim() !== "");
    throw new ScenarioError(
      `${path}:${first + 1}: Unknown layout: expected ${LAYOUT} within the first ` +
        `${PREAMBLE_LINES} lines, found no "Strike" column; line ${first + 1} is ` +
        `${quote(lines[first]!)}`,
    );
  }
  const headerLine = headerIndex + 1;
  const preamble = readPreamble(lines.slice(0, headerIndex), path, headerLine);
  const columns = findColumns(header, path, headerLine);

  // Data rows: everything after the header but blank lines.
  const rowLines: number[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    if (lines[i]!.trim() !== "") rowLines.push(i);
  }
  if (rowLines.length === 0) {
    throw new ScenarioError(
      `${path}:${headerLine + 1}: No option rows: expected rows after the header on line ` +
        `${headerLine}, found none`,
    );
  }

  const problems = new Problems(path);
  const rows = readRows(lines, rowLines, { header, headerLine, columns, problems });
  problems.throwIfAny();
  return {
    path,
    spot: preamble.spot,
    date: preamble.date,
    dateText: preamble.dateText,
    underlying: preamble.underlying,
    ...rows,
  };
}

interface RowsContext {
  header: readonly string[];
  headerLine: number;
  columns: Columns;
  problems: Problems;
}

type Rows = Pick<Chain, "expiries" | "expiry" | "strike" | "line" | "call" | "put">;

/**
 * Reads the data rows into typed arrays. A function of its own, apart from the preamble, so the
 * engine optimises this loop early on a 10,000-row chain.
 */
function readRows(lines: readonly string[], rowLines: readonly number[], at: RowsContext): Rows {
  const { header, columns, problems } = at;
  const n = rowLines.length;
  const expiry = new Uint16Array(n);
  const strike = new Float64Array(n);
  const lineOf = new Uint32Array(n);
  const sides = [makeSide(columns.call, n), makeSide(columns.put, n)] as const;
  // The side columns as flat parallel arrays, for a tight loop over the cells of a row.
  const cells = [...sides[0].columns, ...sides[1].columns];
  const field = Int32Array.from(cells, (c) => c.index);
  const min = Float64Array.from(cells, (c) => c.min);
  const target = cells.map((c) => c.values);
  const expiries: string[] = [];
  const expiryIndex = new Map<string, number>();

  for (let r = 0; r < n; r++) {
    const lineNo = rowLines[r]! + 1;
    lineOf[r] = lineNo;
    let fields: string[] | undefined;
    try {
      fields = splitLine(lines[rowLines[r]!]!);
    } catch (error) {
      problems.add(lineNo, `Cannot parse CSV: ${csvReason(error)}`);
      continue;
    }
    if (!fields || fields.length !== header.length) {
      problems.add(
        lineNo,
        `Cannot read the row: expected ${header.length} fields as in the header on line ` +
          `${at.headerLine}, found ${fields?.length ?? 0}`,
      );
      continue;
    }

    const expiryCell = fields[columns.expiry]!;
    let e = expiryIndex.get(expiryCell);
    if (e === undefined) e = newExpiry(expiryCell, expiries, expiryIndex, problems, lineNo);
    if (e !== undefined) expiry[r] = e;

    const k = readNumber(fields[columns.strike]!);
    if (k === undefined || !(k > 0)) {
      problems.add(
        lineNo,
        `Cannot read column "Strike": expected a number > 0, got ${quote(fields[columns.strike]!)}`,
      );
    } else strike[r] = k;

    for (let c = 0; c < field.length; c++) {
      const value = readNumber(fields[field[c]!]!);
      if (value === undefined || value < min[c]!) {
        const cell = cells[c]!;
        const side = c < sides[0].columns.length ? "calls" : "puts";
        problems.add(
          lineNo,
          `Cannot read column "${cell.name}" (${side}, field ${cell.index + 1}): ` +
            `expected a number${cell.min === 0 ? " >= 0" : ""}, got ${quote(fields[cell.index]!)}`,
        );
      } else target[c]![r] = value;
    }
  }
  if (expiries.length > 0xffff) {
    problems.add(rowLines[0]! + 1, `Too many expiries: expected at most 65535, found more`);
  }
  return {
    expiries,
    expiry,
    strike,
    line: lineOf,
    call: sides[0].result,
    put: sides[1].result,
  };
}

/** Reads an expiry cell not seen before; its index, or undefined (and a problem) when bad. */
function newExpiry(
  cell: string,
  expiries: string[],
  index: Map<string, number>,
  problems: Problems,
  lineNo: number,
): number | undefined {
  const iso = parseExpiry(cell);
  if (iso === undefined) {
    problems.add(
      lineNo,
      `Cannot read column "Expiration Date": expected a date such as "Mon Dec 12 2022", ` +
        `got ${quote(cell)}`,
    );
    return undefined;
  }
  // Two spellings of one date ("Mon Dec 12 2022", "2022-12-12") share an index.
  let e = expiries.indexOf(iso);
  if (e < 0) {
    e = expiries.length;
    expiries.push(iso);
  }
  index.set(cell, e);
  return e;
}

/** Collects problems, capped at {@linkcode MAX_CHAIN_PROBLEMS}. */
class Problems {
  readonly #path: string;
  readonly #list: string[] = [];
  #more = 0;

  constructor(path: string) {
    this.#path = path;
  }

  add(line: number, message: string): void {
    if (this.#list.length < MAX_CHAIN_PROBLEMS) {
      this.#list.push(`${this.#path}:${line}: ${message}`);
    } else this.#more++;
  }

  throwIfAny(): void {
    if (this.#list.length === 0) return;
    const list = this.#more === 0
      ? this.#list
      : [...this.#list, `${this.#path}: and ${this.#more} more problems`];
    throw new ScenarioError(list);
  }
}

/** Splits one line into fields: plain split without quotes, `@std/csv` with them. */
function splitLine(line: string): string[] | undefined {
  // Without a quote character, CSV fields are exactly the comma-separated pieces; this is the
  // fast path for the ~10,000 rows of a real chain, which never quote.
  if (!line.includes('"')) return line.split(",");
  return parse(line)[0];
}

function csvReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // "@std/csv" says "Syntax error on line 1; parse error on line 1, column 5: ..."; our line is
  // already in the location, so keep the column and the reason.
  const match = /column (\d+): (.*)$/.exec(message);
  return match ? `column ${match[1]}: ${match[2]}` : message;
}

interface Preamble {
  spot: number;
  date: string;
  dateText: string;
  underlying: string;
}

function readPreamble(lines: readonly string[], path: string, headerLine: number): Preamble {
  const problems: string[] = [];
  let spot: number | undefined;
  let underlying = "";
  let date: string | undefined;
  let dateText = "";
  let spotFound = false;
  let dateFound = false;
  for (let i = 0; i < lines.length; i++) {
    // Quotes only wrap fields here; dropping them leaves the same text either way.
    const line = lines[i]!.replaceAll('"', "");
    const last = /(?:^|,)\s*Last:\s*([^,]*)/.exec(line);
    if (last && !spotFound) {
      spotFound = true;
      const value = readNumber(last[1]!);
      if (value === undefined || !(value > 0)) {
        problems.push(
          `${path}:${i + 1}: Cannot read the spot: expected "Last: <price>" with a price > 0, ` +
            `got ${quote(`Last: ${last[1]!.trim()}`)}`,
        );
      } else spot = value;
      const name = line.split(",")[0]!.trim();
      if (!name.startsWith("Last:")) underlying = name;
    }
    const dated = /(?:^|,)\s*Date:\s*(.*)$/.exec(line);
    if (dated && !dateFound) {
      dateFound = true;
      // The date ends at the next "Name:" field, such as ",Bid: 3962.01".
      dateText = dated[1]!.split(/,(?=\s*[A-Za-z ]+:)/)[0]!.trim();
      date = parseHeaderDate(dateText);
      if (date === undefined) {
        problems.push(
          `${path}:${i + 1}: Cannot read the date: expected "Date: <Month> <day>, <year>" ` +
            `such as "Date: December 12, 2022 at 8:30 PM EST", got ${quote(`Date: ${dateText}`)}`,
        );
      }
    }
  }
  if (!spotFound) {
    problems.push(
      `${path}:${headerLine}: Cannot find the spot: expected a line with "Last: <price>" ` +
        `before the header on line ${headerLine}, found none`,
    );
  }
  if (!dateFound) {
    problems.push(
      `${path}:${headerLine}: Cannot find the date: expected a line with ` +
        `"Date: <Month> <day>, <year>" before the header on line ${headerLine}, found none`,
    );
  }
  if (problems.length > 0 || spot === undefined || date === undefined) {
    throw new ScenarioError(problems);
  }
  return { spot, date, dateText, underlying };
}

interface Column {
  name: string;
  key: SideKey;
  index: number;
  min: number;
  values: Float64Array;
}

interface SideColumns {
  label: "calls" | "puts";
  found: { name: string; key: SideKey; index: number; min: number }[];
}

interface Columns {
  expiry: number;
  strike: number;
  call: SideColumns;
  put: SideColumns;
}

function findColumns(header: readonly string[], path: string, line: number): Columns {
  const missing: string[] = [];
  const expected = `expected the header "${CBOE_CHAIN_HEADER}", found ${quote(header.join(","))}`;
  const strike = header.indexOf("Strike");
  const expiry = header.indexOf("Expiration Date");
  if (strike < 0) missing.push(`${path}:${line}: Missing column "Strike": ${expected}`);
  if (expiry < 0 || (strike >= 0 && expiry > strike)) {
    missing.push(
      `${path}:${line}: Missing column "Expiration Date" left of "Strike": ${expected}`,
    );
  }
  const side = (label: "calls" | "puts", from: number, to: number): SideColumns => {
    const found: SideColumns["found"] = [];
    for (const column of SIDE_COLUMNS) {
      const index = header.indexOf(column.name, from);
      if (index >= 0 && index < to) found.push({ ...column, index });
      else if (column.required) {
        const where = label === "calls" ? 'left of "Strike"' : 'right of "Strike"';
        missing.push(
          `${path}:${line}: Missing column "${column.name}" for the ${label} (${where}): ${expected}`,
        );
      }
    }
    return { label, found };
  };
  const call = side("calls", 0, strike < 0 ? 0 : strike);
  const put = side("puts", strike < 0 ? header.length : strike + 1, header.length);
  if (missing.length > 0) throw new ScenarioError(missing);
  return { expiry, strike, call, put };
}

function makeSide(
  columns: SideColumns,
  n: number,
): { label: string; columns: Column[]; result: ChainSide } {
  const list = columns.found.map((c) => ({ ...c, values: new Float64Array(n) }));
  const result: Record<string, Float64Array> = {};
  for (const column of list) result[column.key] = column.values;
  return { label: columns.label, columns: list, result: result as unknown as ChainSide };
}

function readNumber(cell: string): number | undefined {
  const value = Number(cell);
  if (!Number.isFinite(value)) return undefined;
  // Number() also reads blanks (as 0) and 0x, 0b and 0o literals: cells that could be one of
  // those go through the full pattern; plain cells ("0.2312") skip it.
  const n = cell.length;
  if (
    n === 0 || cell.charCodeAt(0) <= 32 || cell.charCodeAt(n - 1) <= 32 ||
    (n > 1 && cell.charCodeAt(0) === 48 && cell.charCodeAt(1) > 57)
  ) {
    return NUMBER.test(cell) ? value : undefined;
  }
  return value;
}

/** `Mon Dec 12 2022` (the weekday optional) or ISO `2022-12-12`, as ISO. */
function parseExpiry(cell: string): string | undefined {
  const text = cell.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const cboe = /^(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{4})$/.exec(text);
  if (!cboe) return undefined;
  const month = MONTHS.indexOf(cboe[1]!.toLowerCase()) + 1;
  return month === 0 ? undefined : isoDate(Number(cboe[3]), month, Number(cboe[2]));
}

/** `December 12, 2022 at 8:30 PM EST` (or `Dec 12 2022`, or ISO `2022-12-12`), as ISO. */
function parseHeaderDate(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const named = /^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})\b/.exec(text);
  if (!named) return undefined;
  const word = named[1]!.toLowerCase();
  const month = MONTHS.findIndex((m) => word.startsWith(m) && FULL[m]!.startsWith(word)) + 1;
  return month === 0 ? undefined : isoDate(Number(named[3]), month, Number(named[2]));
}

const FULL: Record<string, string> = {
  jan: "january",
  feb: "february",
  mar: "march",
  apr: "april",
  may: "may",
  jun: "june",
  jul: "july",
  aug: "august",
  sep: "september",
  oct: "october",
  nov: "november",
  dec: "december",
};

/** The ISO date, or undefined when the day does not exist (February 30). */
function isoDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1) return undefined;
  if (date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

function quote(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 117)}...` : value);
}
