/**
 * Daily log returns for the fits: in percent, from the closes (or another price column) of a
 * daily history file between two dates.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import type { DailySeries } from "../markets/history.ts";

/**
 * Log returns in percent of consecutive prices: `100 * ln(p[t] / p[t-1])`.
 *
 * @param prices Prices in time order, each > 0.
 * @returns One return fewer than there are prices.
 * @throws RangeError when a price is not a finite number above 0.
 *
 * @example Two returns of three closes
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { logReturns } from "./returns.ts";
 *
 * const returns = logReturns([100, 101, 99.99]);
 * assertAlmostEquals(returns[0]!, 100 * Math.log(1.01), 1e-12);
 * assertAlmostEquals(returns[1]!, 100 * Math.log(99.99 / 101), 1e-12);
 * ```
 */
export function logReturns(prices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, prices.length - 1));
  for (let i = 0; i < prices.length; i++) {
    const p = prices[i]!;
    if (!(p > 0) || !Number.isFinite(p)) {
      throw new RangeError(`Price ${i} is ${p}: expected a finite number above 0`);
    }
    if (i > 0) out[i - 1] = 100 * Math.log(p / prices[i - 1]!);
  }
  return out;
}

/** Settings of {@linkcode historyReturns}. */
export interface HistoryReturnsOptions {
  /** First date of the range, ISO `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  /** Last date of the range, ISO `YYYY-MM-DD`, inclusive. */
  readonly to: string;
  /**
   * The price column, without regard to case: `open`, `high`, `low`, `close` or another
   * named column of the file. @default {"close"}
   */
  readonly column?: string;
}

/** The daily log returns of a history file's range. */
export interface HistoryReturns {
  /** The file, as given. */
  readonly path: string;
  /** The price column used, lower case. */
  readonly column: string;
  /** Date of the first price in the range: the close the first return starts from. */
  readonly firstDate: string;
  /** Date of the last price in the range. */
  readonly lastDate: string;
  /** Daily log returns in percent, one per session after the first in the range. */
  readonly returns: Float64Array;
}

/**
 * The daily log returns in percent of the prices dated within `[from, to]`: the first return is
 * from the first session in the range to the second, so `n` sessions give `n - 1` returns.
 *
 * @param series A daily history, as `readDaily` reads it.
 * @param options The range and the price column.
 * @returns The returns, with the dates and column they come from.
 * @throws ScenarioError naming the file, when a date is not `YYYY-MM-DD`, `from` is after `to`,
 * the range holds fewer than two sessions, the column is missing, or a price in the range is
 * not above 0 (by date).
 *
 * @example Three sessions in range
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseDaily } from "../markets/history.ts";
 * import { historyReturns } from "./returns.ts";
 *
 * const prices = parseDaily(
 *   "date,open,high,low,close\n2024-01-02,1,1,1,100\n2024-01-03,1,1,1,101\n2024-01-04,1,1,1,102\n",
 *   "prices.csv",
 * );
 * const range = historyReturns(prices, { from: "2024-01-03", to: "2024-01-31" });
 * assertEquals([range.firstDate, range.lastDate, range.returns.length], ["2024-01-03", "2024-01-04", 1]);
 * ```
 */
export function historyReturns(
  series: DailySeries,
  options: HistoryReturnsOptions,
): HistoryReturns {
  const { path, dates } = series;
  const { from, to } = options;
  const problems = rangeProblems(from, to);
  const column = (options.column ?? "close").toLowerCase();
  const prices = pricesOf(series, column);
  if (prices === undefined) {
    const names = ["open", "high", "low", "close", ...Object.keys(series.columns)];
    problems.push(
      `${path}: Option --column: the file has no column ${JSON.stringify(column)}; it has ` +
        names.map((n) => JSON.stringify(n)).join(", "),
    );
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  let first = 0;
  while (first < dates.length && dates[first]! < from) first++;
  let end = first;
  while (end < dates.length && dates[end]! <= to) end++;
  const sessions = end - first;
  if (sessions < 2) {
    const span = dates.length === 0
      ? "it has no rows"
      : `its rows run from ${dates[0]} to ${dates[dates.length - 1]}`;
    throw new ScenarioError(
      `${path}: Options --from ${from} --to ${to}: expected at least two sessions in the ` +
        `range, found ${sessions} (${span})`,
    );
  }
  const slice = prices!.subarray(first, end);
  const bad: string[] = [];
  slice.forEach((p, i) => {
    if (!(p > 0) || !Number.isFinite(p)) {
      bad.push(
        `${path}: Cannot compute returns: column "${column}" on ${dates[first + i]} is ${p}, ` +
          "expected a number above 0",
      );
    }
  });
  if (bad.length > 0) throw new ScenarioError(bad.slice(0, 20));
  return {
    path,
    column,
    firstDate: dates[first]!,
    lastDate: dates[end - 1]!,
    returns: logReturns(slice),
  };
}

/**
 * What is wrong with a date range, as `--from` and `--to` arguments: dates that are not real
 * `YYYY-MM-DD` calendar dates, or `from` after `to`.
 *
 * @param from The first date.
 * @param to The last date.
 * @returns One line per problem; none when the range is good.
 *
 * @example A reversed range
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { rangeProblems } from "./returns.ts";
 *
 * assertEquals(rangeProblems("2020-01-02", "2019-12-31"), [
 *   "Options --from and --to: --from 2020-01-02 is after --to 2019-12-31",
 * ]);
 * ```
 */
export function rangeProblems(from: string, to: string): string[] {
  const problems: string[] = [];
  for (const [flag, date] of [["from", from], ["to", to]] as const) {
    if (!isDate(date)) {
      problems.push(`Option --${flag}: expected a date YYYY-MM-DD, got ${JSON.stringify(date)}`);
    }
  }
  if (problems.length === 0 && from > to) {
    problems.push(`Options --from and --to: --from ${from} is after --to ${to}`);
  }
  return problems;
}

/** A price column of the file by lower-case name, if it has one. */
function pricesOf(series: DailySeries, column: string): Float64Array | undefined {
  if (column === "open" || column === "high" || column === "low" || column === "close") {
    return series[column];
  }
  return Object.hasOwn(series.columns, column) ? series.columns[column] : undefined;
}

/** Whether `text` is a real calendar date `YYYY-MM-DD`. */
function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === text;
}
