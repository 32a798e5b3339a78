/**
 * `history`: real days flown through the envelope (SPEC §7). Reads a daily OHLC file and
 * supplies, for each session from `from` to `to`, the date (`time`), the close (`spot`), iv
 * from a volatility index's close / 100 (or a constant, or a column), hv realised over the
 * `hvWindow` returns before it, and the `levels` channel: the Wilder ATR in force that day and,
 * from an optional levels series, the flip and walls in force since their latest date.
 *
 * Files are named relative to the scenario's folder.
 *
 * @module
 */
import { dirname, resolve } from "@std/path";
import { boolean, integer, number, string } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { type DailySeries, type IvSource, readDaily, replayDays } from "../markets/history.ts";
import { type LevelsSeries, readLevelsSeries } from "../markets/series.ts";

/** Options of the `history` generator. */
export interface HistoryOptions {
  /** The daily price file. */
  readonly prices: string;
  /** First session, ISO date, inclusive. */
  readonly from: string;
  /** Last session, ISO date, inclusive. */
  readonly to: string;
  /** A volatility index file (VIX style), whose close / 100 is iv. */
  readonly ivIndex: string | undefined;
  /** A constant iv instead, annualised. */
  readonly iv: number | undefined;
  /** A column of the price file holding iv instead, annualised. */
  readonly ivColumn: string | undefined;
  /** Whether a session with no index row takes the last value. @default {false} */
  readonly carryForward: boolean;
  /** Daily log returns in each HV value. @default {21} */
  readonly hvWindow: number;
  /** A levels series (`date,flip,putWall,callWall`, CSV or JSONL) moving the flip and walls. */
  readonly levels: string | undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Files read once per process, whichever run or scenario asks again. */
const read = new Map<string, Promise<DailySeries | LevelsSeries>>();

function once<T extends DailySeries | LevelsSeries>(path: string, load: (p: string) => Promise<T>) {
  let file = read.get(path);
  if (!file) read.set(path, file = load(path));
  return file as Promise<T>;
}

const history: GeneratorDefinition<HistoryOptions> = defineGenerator({
  name: "history",
  dataFiles: ["prices", "ivIndex", "levels"],
  provides: ["time", "levels", "spot", "iv", "hv"],
  options: {
    prices: string({ doc: "Daily price file (date, open, high, low, close)" }),
    from: string({ doc: "First session, YYYY-MM-DD", pattern: ISO_DATE }),
    to: string({ doc: "Last session, YYYY-MM-DD, inclusive", pattern: ISO_DATE }),
    ivIndex: string({ doc: "Volatility index file: iv is its close / 100", optional: true }),
    iv: number({ doc: "Constant iv, annualised", min: 0, minExclusive: true, optional: true }),
    ivColumn: string({ doc: "Column of the price file holding iv, annualised", optional: true }),
    carryForward: boolean({
      doc: "A session with no index row takes the last value instead of failing",
      default: false,
    }),
    hvWindow: integer({ doc: "Daily log returns in each HV value", min: 2, default: 21 }),
    levels: string({
      doc: "Levels series (date, flip, putWall, callWall) that moves the flip and walls",
      optional: true,
    }),
  },
  check(options, report) {
    const given = [options.ivIndex, options.iv, options.ivColumn].filter((v) => v !== undefined);
    if (given.length !== 1) {
      report("ivIndex", `expected exactly one of "ivIndex", "iv" or "ivColumn"`);
    }
    if (options.from > options.to) {
      report("to", `expected a date on or after "from" (${options.from}), got ${options.to}`);
    }
  },
  async start({ options, file }) {
    const at = (name: string) => resolve(dirname(file), name);
    const prices = await once(at(options.prices), readDaily);
    const iv: IvSource = options.ivIndex !== undefined
      ? {
        index: await once(at(options.ivIndex), readDaily),
        carryForward: options.carryForward,
      }
      : options.iv !== undefined
      ? { constant: options.iv }
      : { column: options.ivColumn! };
    const { from, to, hvWindow } = options;
    const days = replayDays(prices, { from, to, iv, hvWindow });
    const series = options.levels === undefined
      ? undefined
      : await once(at(options.levels), readLevelsSeries);
    const walls = series && levelsInForce(series, days.dates);
    return {
      length: days.dates.length,
      fill({ start, length, time, spot, iv, hv, levels }) {
        for (let i = 0; i < length; i++) time[i] = days.dates[start + i]!;
        spot.set(days.spot.subarray(start, start + length));
        iv.set(days.iv.subarray(start, start + length));
        hv.set(days.hv.subarray(start, start + length));
        levels!.atr!.set(days.atr.subarray(start, start + length));
        if (!walls) return;
        for (let i = 0; i < length; i++) {
          const row = walls[start + i]!;
          if (row < 0) continue; // before the series' first date: the evaluator's levels
          levels!.flip![i] = series!.flip[row]!;
          levels!.putWall![i] = series!.putWall[row]!;
          levels!.callWall![i] = series!.callWall[row]!;
        }
      },
    };
  },
});
export default history;

/**
 * For each session, the series row in force: the latest dated on or before it (or, for a
 * series keyed by step, starting at or before its step), or -1 before the first.
 */
function levelsInForce(series: LevelsSeries, dates: readonly string[]): Int32Array {
  const rows = new Int32Array(dates.length);
  const byStep = series.by === "step";
  const n = byStep ? series.steps.length : series.dates.length;
  let row = -1;
  for (let i = 0; i < dates.length; i++) {
    const due = (r: number) => byStep ? series.steps[r]! <= i : series.dates[r]! <= dates[i]!;
    while (row + 1 < n && due(row + 1)) row++;
    rows[i] = row;
  }
  return rows;
}
