/**
 * Daily price history (SPEC §7): reading daily OHLC files and replaying a date range as the
 * spot, iv, hv and ATR of each session.
 *
 * {@linkcode parseDaily} and {@linkcode readDaily} read the layouts of `../shared/data` (the
 * S&P 500 file with `Date` like `2023-09-14 00:00:00-04:00`, the SPY file with an unnamed index
 * column, Cboe's VIX `DATE,OPEN,HIGH,LOW,CLOSE`) and any plain `date,open,high,low,close` file
 * into columns. {@linkcode replayDays} turns a range of sessions into channels:
 *
 * - spot: the close.
 * - hv: sample standard deviation of the last `hvWindow` daily log returns times `sqrt(252)`,
 *   the window ending on the session it is reported for and reaching back before `from`.
 * - atr: Wilder's average true range, seeded TA-Lib's way with the mean of the first
 *   `atrPeriod` true ranges. Close-only rows (open = high = low = close) have no real range:
 *   they add no true range and leave the ATR as it was. The first row of a file has no
 *   previous close, so, as in TA-Lib, no true range either.
 * - iv: a volatility index's close / 100 joined by date, a constant, or a column of the file.
 *
 * The price file's sessions are the calendar. Dates are the file's own calendar dates (the
 * first ten characters of a `Date` with a time and zone), never converted to another zone.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import { show } from "../core/options.ts";
import { isIsoDate, parseCsvTable, parseNumber, Problems, readText, toIsoDate } from "./_csv.ts";

/** A daily OHLC file in columns, one entry per row, dates strictly increasing. */
export interface DailySeries {
  /** The file, as given: the location in every message about it. */
  readonly path: string;
  /** Session dates, ISO `YYYY-MM-DD`, strictly increasing. */
  readonly dates: readonly string[];
  /** Opening price per row. */
  readonly open: Float64Array;
  /** High per row. */
  readonly high: Float64Array;
  /** Low per row. */
  readonly low: Float64Array;
  /** Close per row, always > 0. */
  readonly close: Float64Array;
  /**
   * The file's other named columns (such as `volume`), keyed by lower-case header name;
   * `NaN` where a cell is empty or not a number.
   */
  readonly columns: Readonly<Record<string, Float64Array>>;
}

/** Where {@linkcode replayDays} takes implied volatility from. */
export type IvSource =
  | {
    /** A volatility index in points (VIX style): iv is its close / 100, joined by date. */
    readonly index: DailySeries;
    /**
     * Whether a session with no index row takes the last joined value instead of being an
     * error; sessions outside the index file's dates are errors either way.
     * @default {false}
     */
    readonly carryForward?: boolean;
  }
  | {
    /** The same iv on every session, annualised fraction (0.25 is 25%). */
    readonly constant: number;
  }
  | {
    /** A column of the price file, matched without regard to case. */
    readonly column: string;
    /**
     * Factor applied to the column: 0.01 for a column in volatility points.
     * @default {1}
     */
    readonly scale?: number;
  };

/** Settings of {@linkcode replayDays}. */
export interface ReplayOptions {
  /** First date of the range, ISO `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  /** Last date of the range, ISO `YYYY-MM-DD`, inclusive. */
  readonly to: string;
  /** Where iv comes from. */
  readonly iv: IvSource;
  /** HV window, in daily log returns (at least 2). @default {21} */
  readonly hvWindow?: number;
  /** ATR period, in true ranges (at least 1). @default {14} */
  readonly atrPeriod?: number;
}

/** The sessions of a replayed range, in columns, with what the calendar join did. */
export interface DailyReplay {
  /** The price file. */
  readonly path: string;
  /** Session dates, ISO `YYYY-MM-DD`: the `time` channel. */
  readonly dates: readonly string[];
  /** Close per session. */
  readonly spot: Float64Array;
  /** Implied volatility per session, annualised fraction. */
  readonly iv: Float64Array;
  /** Realised volatility per session, annualised fraction. */
  readonly hv: Float64Array;
  /** Wilder ATR in force at each session's close, price units. */
  readonly atr: Float64Array;
  /** Index rows dated inside the range on days that are not sessions (dropped). */
  readonly droppedIndexRows: number;
  /** Their dates. */
  readonly droppedIndexDates: readonly string[];
  /** Sessions with no index row that carried the last value forward. */
  readonly carriedSessions: number;
  /** Their dates. */
  readonly carriedDates: readonly string[];
}

const REQUIRED = ["date", "open", "high", "low", "close"] as const;

/**
 * Reads a daily OHLC CSV file from its text.
 *
 * Columns `date`, `open`, `high`, `low` and `close` are found by name without regard to case
 * and may sit anywhere; other named columns land in `columns`, unnamed ones (the SPY file's
 * index) are ignored. Dates are `YYYY-MM-DD`, optionally followed by a time and zone, or
 * Cboe's `MM/DD/YYYY`. UTF-8 with or without a byte order mark, `\n` or `\r\n` line ends.
 *
 * @param text The file's content.
 * @param path The file's name, for messages.
 * @returns The rows in columns.
 * @throws {ScenarioError} When a column is missing, a cell is not a number or a date, a close
 * is not above 0, or the dates do not increase: every problem, by line (the first 20).
 *
 * @example Cboe's VIX layout
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseDaily } from "./history.ts";
 *
 * const vix = parseDaily("DATE,OPEN,HIGH,LOW,CLOSE\r\n2022-12-12,24.4,25.05,24.18,25\r\n", "vix.csv");
 * assertEquals([vix.dates[0], vix.close[0]], ["2022-12-12", 25]);
 * ```
 */
export function parseDaily(text: string, path: string): DailySeries {
  const table = parseCsvTable(text, path);
  const names = table.header.map((name) => name.toLowerCase());
  const at = REQUIRED.map((name) => names.indexOf(name));
  const problems = new Problems(path);
  const missing = REQUIRED.filter((_, k) => at[k]! < 0);
  if (missing.length > 0) {
    problems.add(
      table.lineOf(-1),
      `Cannot read the header: expected columns "date", "open", "high", "low" and "close" in ` +
        `any case, missing ${showList(missing)}, found ${showList(table.header)}`,
    );
  }
  names.forEach((name, k) => {
    if (name !== "" && names.indexOf(name) !== k) {
      problems.add(
        table.lineOf(-1),
        `Cannot read the header: column ${show(table.header[k])} appears twice`,
      );
    }
  });
  problems.throwIfAny();
  const rows = table.rows;
  const n = rows.length;
  if (n === 0) throw new ScenarioError(`${path}: Cannot read the file: no data rows`);
  const [di, oi, hi, li, ci] = at as [number, number, number, number, number];
  const extra = names.flatMap((name, k) => name === "" || at.includes(k) ? [] : [k]);
  const dates: string[] = new Array(n);
  const columns = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const close = new Float64Array(n);
  const extras = extra.map(() => new Float64Array(n));
  const width = table.header.length;
  const cells = [oi, hi, li];
  let previous = "";
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (row.length !== width) {
      problems.add(
        table.lineOf(i),
        `Cannot read the row: expected ${width} fields, got ${row.length}`,
      );
      continue;
    }
    const rawDate = row[di]!;
    const date = toIsoDate(rawDate);
    if (date === undefined) {
      problems.add(
        table.lineOf(i),
        `Cannot read ${show(table.header[di])}: expected a date such as "2022-12-12", got ${
          showCell(rawDate)
        }`,
      );
    } else if (date <= previous) {
      problems.add(
        table.lineOf(i),
        `Dates must increase: ${show(date)} comes after ${show(previous)} (line ${
          table.lineOf(i - 1)
        })`,
      );
    }
    if (date !== undefined) previous = date;
    dates[i] = date ?? "";
    for (let k = 0; k < 3; k++) {
      const cell = row[cells[k]!]!;
      const value = parseNumber(cell);
      if (Number.isNaN(value)) {
        problems.add(table.lineOf(i), numberProblem(table.header[cells[k]!]!, cell));
      }
      columns[k]![i] = value;
    }
    const value = parseNumber(row[ci]!);
    if (!(value > 0)) {
      problems.add(table.lineOf(i), numberProblem(table.header[ci]!, row[ci]!, " > 0"));
    }
    close[i] = value;
    for (let k = 0; k < extra.length; k++) extras[k]![i] = parseNumber(row[extra[k]!]!);
  }
  problems.throwIfAny();
  return {
    path,
    dates,
    open: columns[0]!,
    high: columns[1]!,
    low: columns[2]!,
    close,
    columns: Object.fromEntries(extra.map((k, j) => [names[k]!, extras[j]!])),
  };
}

/**
 * Reads a daily OHLC CSV file (see {@linkcode parseDaily} for the layouts).
 *
 * @param path The file, as a path or a `file:` URL.
 * @returns The rows in columns.
 * @throws {ScenarioError} When the file cannot be read or parsed.
 *
 * @example Read a file
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readDaily } from "./history.ts";
 *
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, "date,open,high,low,close\n2020-08-28,349.44,350.72,348.15,350.58\n");
 * assertEquals((await readDaily(path)).close[0], 350.58);
 * await Deno.remove(path);
 * ```
 */
export async function readDaily(path: string | URL): Promise<DailySeries> {
  const { text, name } = await readText(path);
  return parseDaily(text, name);
}

/**
 * Replays the sessions between two dates, inclusive: spot, iv, hv and ATR of each.
 *
 * HV and ATR use the file's rows before `from`. The range must lie inside the file, hold at
 * least one session, and start once `atrPeriod` true ranges and `hvWindow` returns exist.
 * With an index for iv, index rows on days that are not sessions are dropped and counted, and
 * a session with no index row is an error unless `carryForward` is set.
 *
 * @param prices The price file, whose sessions are the calendar.
 * @param options The range, the iv source and the windows.
 * @returns The sessions in columns and what the join dropped and carried.
 * @throws {ScenarioError} When the range or an option is refused, naming the file and the date.
 *
 * @example Three sessions, constant iv
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseDaily, replayDays } from "./history.ts";
 *
 * const rows = ["date,open,high,low,close"];
 * for (let d = 1; d <= 9; d++) rows.push(`2024-01-0${d},${100 + d},${102 + d},${99 + d},${101 + d}`);
 * const prices = parseDaily(rows.join("\n"), "prices.csv");
 * const days = replayDays(prices, {
 *   from: "2024-01-07", to: "2024-01-09", iv: { constant: 0.2 }, hvWindow: 3, atrPeriod: 3,
 * });
 * assertEquals(days.dates, ["2024-01-07", "2024-01-08", "2024-01-09"]);
 * assertEquals([...days.atr], [3, 3, 3]);
 * ```
 */
export function replayDays(prices: DailySeries, options: ReplayOptions): DailyReplay {
  const { path, dates, close } = prices;
  const { from, to } = options;
  const hvWindow = options.hvWindow ?? 21;
  const atrPeriod = options.atrPeriod ?? 14;
  const bad: string[] = [];
  if (!isIsoDate(from)) {
    bad.push(`"from" expected an ISO date such as "2022-12-12", got ${show(from)}`);
  }
  if (!isIsoDate(to)) bad.push(`"to" expected an ISO date such as "2022-12-12", got ${show(to)}`);
  if (!(Number.isInteger(hvWindow) && hvWindow >= 2)) {
    bad.push(`"hvWindow" expected an integer >= 2, got ${show(hvWindow)}`);
  }
  if (!(Number.isInteger(atrPeriod) && atrPeriod >= 1)) {
    bad.push(`"atrPeriod" expected an integer >= 1, got ${show(atrPeriod)}`);
  }
  if (bad.length > 0) throw new ScenarioError(bad.map((b) => `${path}: Cannot replay: ${b}`));
  const range = `from ${from} to ${to}`;
  const refuse = (why: string): never => {
    throw new ScenarioError(`${path}: Cannot replay ${range}: ${why}`);
  };
  if (from > to) refuse(`"from" is after "to"`);
  const n = dates.length;
  if (from < dates[0]! || to > dates[n - 1]!) {
    refuse(`the file covers ${dates[0]} to ${dates[n - 1]}`);
  }
  const first = lowerBound(dates, from);
  // "~" sorts after every digit: the bound just past the last row dated `to`.
  const last = lowerBound(dates, `${to}~`, first) - 1;
  if (first > last) refuse("the file has no session in that range");

  // ATR over rows 0..last: Wilder smoothing after a mean of the first `atrPeriod` true ranges.
  const { high, low, open } = prices;
  const atr = new Float64Array(last - first + 1);
  let ranges = 0;
  let sum = 0;
  let value = NaN;
  let atrStart = -1;
  for (let i = 1; i <= last || (atrStart < 0 && i < n); i++) {
    const h = high[i]!, l = low[i]!, c = close[i]!;
    if (!(open[i] === h && h === l && l === c)) {
      const previous = close[i - 1]!;
      const tr = Math.max(h - l, Math.abs(h - previous), Math.abs(l - previous));
      if (ranges < atrPeriod) {
        sum += tr;
        if (++ranges === atrPeriod) [value, atrStart] = [sum / atrPeriod, i];
      } else {
        value = (value * (atrPeriod - 1) + tr) / atrPeriod;
      }
    }
    if (i >= first && i <= last) atr[i - first] = value;
  }
  const start = atrStart < 0 ? -1 : Math.max(atrStart, hvWindow);
  if (start < 0 || start >= n) {
    const why = atrStart < 0
      ? `ATR(${atrPeriod}) needs ${atrPeriod} true ranges and the file has ${ranges} (close-only ` +
        `rows, open = high = low = close, have none)`
      : `HV(${hvWindow}) needs ${hvWindow} daily returns and the file has ${n - 1}`;
    refuse(`${why}; no date of the file can start a replay`);
  }
  if (first < start) {
    const why = start === atrStart
      ? `ATR(${atrPeriod}) needs ${atrPeriod} true ranges from rows with a real range (close-only ` +
        `rows, open = high = low = close, do not count)`
      : `HV(${hvWindow}) needs ${hvWindow} daily returns before it`;
    refuse(`${why}; the first date the replay can start is ${dates[start]}`);
  }

  // HV: two passes over each window of log returns, which stays exact over decades.
  const length = last - first + 1;
  const returns = new Float64Array(length + hvWindow - 1);
  for (let k = 0; k < returns.length; k++) {
    const i = first - hvWindow + k + 1;
    returns[k] = Math.log(close[i]! / close[i - 1]!);
  }
  const hv = new Float64Array(length);
  const flat: string[] = [];
  for (let s = 0; s < length; s++) {
    let mean = 0;
    for (let k = s; k < s + hvWindow; k++) mean += returns[k]!;
    mean /= hvWindow;
    let squares = 0;
    for (let k = s; k < s + hvWindow; k++) squares += (returns[k]! - mean) ** 2;
    hv[s] = Math.sqrt((squares / (hvWindow - 1)) * 252);
    if (!(hv[s]! > 0)) flat.push(dates[first + s]!);
  }
  if (flat.length > 0) {
    refuse(
      `HV(${hvWindow}) is 0 on ${listDates(flat)} (every return of the window is the same), ` +
        `and iv / hv needs hv > 0`,
    );
  }
  if (atr.some((a) => !(a > 0))) {
    const zero = dates.slice(first, last + 1).filter((_, s) => !(atr[s]! > 0));
    refuse(`ATR(${atrPeriod}) is 0 on ${listDates(zero)}, and x needs atr > 0`);
  }

  const joined = joinIv(prices, options.iv, { first, last, from, to });
  return {
    path,
    dates: dates.slice(first, last + 1),
    spot: close.slice(first, last + 1),
    hv,
    atr,
    ...joined,
  };
}

interface JoinedIv {
  iv: Float64Array;
  droppedIndexRows: number;
  droppedIndexDates: string[];
  carriedSessions: number;
  carriedDates: string[];
}

/** The iv of sessions `first..last` from the source, with the calendar join's counts. */
function joinIv(
  prices: DailySeries,
  source: IvSource,
  sessions: { first: number; last: number; from: string; to: string },
): JoinedIv {
  const { first, last, from, to } = sessions;
  const range = `from ${from} to ${to}`;
  const { path, dates } = prices;
  const length = last - first + 1;
  const iv = new Float64Array(length);
  const result = { iv, droppedIndexRows: 0, droppedIndexDates: [] as string[] };
  const noCarry = { carriedSessions: 0, carriedDates: [] as string[] };
  if ("constant" in source) {
    if (
      !(typeof source.constant === "number" && source.constant > 0 &&
        Number.isFinite(source.constant))
    ) {
      throw new ScenarioError(
        `${path}: Cannot replay: "iv.constant" expected a number > 0, got ${show(source.constant)}`,
      );
    }
    iv.fill(source.constant);
    return { ...result, ...noCarry };
  }
  if ("column" in source) {
    const scale = source.scale ?? 1;
    const column = prices.columns[source.column.toLowerCase()];
    if (column === undefined) {
      const names = Object.keys(prices.columns);
      throw new ScenarioError(
        `${path}: Cannot read iv from column ${show(source.column)}: the file has no such column` +
          (names.length ? `, its other columns are ${showList(names)}` : ""),
      );
    }
    if (!(scale > 0 && Number.isFinite(scale))) {
      throw new ScenarioError(
        `${path}: Cannot replay: "iv.scale" expected a number > 0, got ${show(scale)}`,
      );
    }
    const wrong: string[] = [];
    for (let s = 0; s < length; s++) {
      iv[s] = column[first + s]! * scale;
      if (!(iv[s]! > 0 && Number.isFinite(iv[s]!))) wrong.push(dates[first + s]!);
    }
    if (wrong.length > 0) {
      throw new ScenarioError(
        `${path}: Cannot read iv from column ${show(source.column)}: expected a number > 0, ` +
          `got an empty, non-numeric or non-positive cell on ${listDates(wrong)}`,
      );
    }
    return { ...result, ...noCarry };
  }
  const index = source.index;
  const at = index.dates;
  const m = at.length;
  const firstDate = dates[first]!;
  const lastDate = dates[last]!;
  if (firstDate < at[0]! || lastDate > at[m - 1]!) {
    throw new ScenarioError(
      `${index.path}: Cannot join to ${path} ${range}: the index file covers ${at[0]} to ${
        at[m - 1]
      }, the replay has sessions from ${firstDate} to ${lastDate}`,
    );
  }
  // Index rows inside the range on days that are not sessions are dropped.
  const dropped = result.droppedIndexDates;
  for (let k = lowerBound(at, from), i = first; k < m && at[k]! <= to; k++) {
    while (i <= last && dates[i]! < at[k]!) i++;
    if (dates[i] !== at[k]) dropped.push(at[k]!);
  }
  // Walk both calendars from the index's first date, so a carry can reach back before `from`.
  const carry = source.carryForward === true;
  const carried = noCarry.carriedDates;
  const missing: string[] = [];
  let j = 0;
  let held = NaN;
  for (let i = lowerBound(dates, at[0]!); i <= last; i++) {
    const date = dates[i]!;
    while (j < m && at[j]! < date) j++;
    const s = i - first;
    if (j < m && at[j] === date) {
      held = index.close[j]! / 100;
      if (s >= 0) iv[s] = held;
    } else if (s >= 0) {
      if (carry && !Number.isNaN(held)) {
        iv[s] = held;
        carried.push(date);
      } else {
        missing.push(date);
      }
    }
  }
  if (missing.length > 0) {
    throw new ScenarioError(
      `${index.path}: Cannot join to ${path} ${range}: no index row for the session${
        missing.length > 1 ? "s" : ""
      } ${listDates(missing)} (set carryForward to carry the last value forward)`,
    );
  }
  return {
    ...result,
    droppedIndexRows: dropped.length,
    carriedSessions: carried.length,
    carriedDates: carried,
  };
}

/** Index of the first entry of sorted `list` at or after `key`, searching from `low`. */
function lowerBound(list: readonly string[], key: string, low = 0): number {
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Dates for a message: the first 20, then how many more. */
function listDates(list: readonly string[]): string {
  const shown = list.slice(0, 20);
  const tail = list.length > 20 ? ` and ${list.length - 20} more` : "";
  if (shown.length === 1) return shown[0]!;
  return tail
    ? `${shown.join(", ")}${tail}`
    : `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}

function showList(names: readonly string[]): string {
  const quoted = names.map((name) => show(name));
  return quoted.length < 2
    ? quoted.join("")
    : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

function showCell(cell: string): string {
  return cell.trim() === "" ? "nothing (the cell is empty)" : show(cell);
}

function numberProblem(column: string, cell: string, range = ""): string {
  const hint = /^\s*-?\d+,\d+\s*$/.test(cell) ? ` (a decimal comma? write "." instead)` : "";
  return `Cannot read ${show(column)}: expected a number${range}, got ${showCell(cell)}${hint}`;
}
