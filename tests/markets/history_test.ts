// Daily history: the file layouts, the replay's ATR, HV and iv, the calendar join and the
// refusals; then the SOURCES.md reference values on the real files in ../shared/data.
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertStringIncludes,
  assertThrows,
  fail,
} from "@std/assert";
import { fromFileUrl } from "@std/path";
import { ScenarioError } from "../../core/errors.ts";
import {
  type DailySeries,
  parseDaily,
  readDaily,
  replayDays,
  type ReplayOptions,
} from "../../markets/history.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const plain = await readDaily(new URL("daily_plain.csv", fixtures));
const index = await readDaily(new URL("daily_index.csv", fixtures));

/** A plain reference implementation of SPEC §7's ATR: one row at a time, no typed arrays. */
function referenceAtr(series: DailySeries, period: number): Map<string, number> {
  const out = new Map<string, number>();
  const ranges: number[] = [];
  let atr = NaN;
  for (let i = 1; i < series.dates.length; i++) {
    const [o, h, l, c] = [series.open[i]!, series.high[i]!, series.low[i]!, series.close[i]!];
    if (!(o === h && h === l && l === c)) {
      const p = series.close[i - 1]!;
      const tr = Math.max(h - l, Math.abs(h - p), Math.abs(l - p));
      ranges.push(tr);
      if (ranges.length === period) atr = ranges.reduce((a, b) => a + b) / period;
      if (ranges.length > period) atr = (atr * (period - 1) + tr) / period;
    }
    if (ranges.length >= period) out.set(series.dates[i]!, atr);
  }
  return out;
}

/** Sample stdev of the last `n` log returns ending on row `i`, annualised. */
function referenceHv(series: DailySeries, i: number, n: number): number {
  const r = Array.from(
    { length: n },
    (_, k) => Math.log(series.close[i - k]! / series.close[i - k - 1]!),
  );
  const mean = r.reduce((a, b) => a + b) / n;
  return Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) * 252);
}

function replay(series: DailySeries, options: Partial<ReplayOptions>) {
  return replayDays(series, {
    from: "2024-01-12",
    to: "2024-02-07",
    iv: { constant: 0.2 },
    atrPeriod: 5,
    hvWindow: 5,
    ...options,
  });
}

Deno.test("parseDaily() reads a plain lower-case file into columns, with its other columns", () => {
  assertEquals(plain.dates.length, 26);
  assertEquals([plain.dates[0], plain.dates[25]], ["2024-01-02", "2024-02-07"]);
  assertEquals([plain.open[3], plain.high[3], plain.low[3], plain.close[3]], [
    103.42,
    104.85,
    101.52,
    102.48,
  ]);
  assert(plain.close instanceof Float64Array);
  assertEquals(Object.keys(plain.columns), ["iv"]);
  assertEquals(plain.columns.iv![0], 0.2);
});

Deno.test("parseDaily() reads the S&P 500, SPY and Cboe VIX layouts", () => {
  const spx = parseDaily(
    "Date,Open,High,Low,Close,Volume,Dividends,Stock Splits\n" +
      "2023-09-14 00:00:00-04:00,4487.77978515625,4511.990234375,4478.68994140625," +
      "4505.10009765625,3648720000,0.0,0.0\n",
    "spx.csv",
  );
  assertEquals(spx.dates, ["2023-09-14"]);
  assertAlmostEquals(spx.close[0]!, 4505.1, 1e-4);
  assertEquals(Object.keys(spx.columns), ["volume", "dividends", "stock splits"]);
  const spy = parseDaily(
    ",date,open,high,low,close,volume\n5240,2020-08-28,349.44,350.72,348.15,350.58,48588940.0",
    "spy.csv",
  );
  assertEquals([spy.dates[0], spy.open[0], spy.close[0]], ["2020-08-28", 349.44, 350.58]);
  assertEquals(Object.keys(spy.columns), ["volume"]);
  const vix = parseDaily(
    "\uFEFFDATE,OPEN,HIGH,LOW,CLOSE\r\n12/09/2022,22.6,23.3,22.5,22.83\r\n" +
      "2022-12-12,24.400000,25.050000,24.180000,25.000000\r\n",
    "vix.csv",
  );
  assertEquals(vix.dates, ["2022-12-09", "2022-12-12"]);
  assertEquals(vix.close[1], 25);
});

Deno.test("parseDaily() refuses dates that do not increase, naming the line", () => {
  const text = "date,open,high,low,close\n2024-01-03,1,2,1,2\n\n2024-01-02,1,2,1,2\n";
  assertThrows(
    () => parseDaily(text, "d.csv"),
    ScenarioError,
    'd.csv:4: Dates must increase: "2024-01-02" comes after "2024-01-03" (line 2)',
  );
  assertThrows(
    () => parseDaily("date,open,high,low,close\n2024-01-03,1,2,1,2\n2024-01-03,1,2,1,2\n", "d.csv"),
    ScenarioError,
    "d.csv:3: Dates must increase",
  );
});

Deno.test("parseDaily() reports every bad cell of the file at once, by line and column", () => {
  const text = "Date,Open,High,Low,Close\n2024-01-02,1,,1,2\n2024-02-30,1,2,x,0\n2024-03-01,1,2\n";
  const error = assertThrows(() => parseDaily(text, "d.csv"), ScenarioError);
  assertEquals(error.problems, [
    'd.csv:2: Cannot read "High": expected a number, got nothing (the cell is empty)',
    'd.csv:3: Cannot read "Date": expected a date such as "2022-12-12", got "2024-02-30"',
    'd.csv:3: Cannot read "Low": expected a number, got "x"',
    'd.csv:3: Cannot read "Close": expected a number > 0, got "0"',
    "d.csv:4: Cannot read the row: expected 5 fields, got 3",
  ]);
});

Deno.test("parseDaily() refuses missing columns, an empty file and ';' separators", () => {
  assertThrows(
    () => parseDaily("Date,Open,Close\n2024-01-02,1,2\n", "d.csv"),
    ScenarioError,
    'd.csv:1: Cannot read the header: expected columns "date", "open", "high", "low" and ' +
      '"close" in any case, missing "high" and "low", found "Date", "Open" and "Close"',
  );
  assertThrows(
    () => parseDaily("\uFEFF\r\n", "d.csv"),
    ScenarioError,
    "d.csv: Cannot read the file",
  );
  assertThrows(
    () => parseDaily("date;open;high;low;close\n2024-01-02;1,5;2;1;2\n", "d.csv"),
    ScenarioError,
    'd.csv:1: Cannot read the header: expected "," separators and "." decimals, found ";" ' +
      "separators and decimal commas",
  );
  assertThrows(
    () => parseDaily("date,open,high,low,close\n", "d.csv"),
    ScenarioError,
    "d.csv: Cannot read the file: no data rows",
  );
});

Deno.test("replayDays() gives the close, HV over the window and Wilder's ATR per session", () => {
  const days = replay(plain, {});
  const first = plain.dates.indexOf("2024-01-12");
  assertEquals(days.dates, plain.dates.slice(first));
  assertEquals([...days.spot], [...plain.close.slice(first)]);
  const atr = referenceAtr(plain, 5);
  days.dates.forEach((date, s) => {
    assertAlmostEquals(days.atr[s]!, atr.get(date)!, 1e-12, date);
    assertAlmostEquals(days.hv[s]!, referenceHv(plain, first + s, 5), 1e-12, date);
  });
  assertEquals([...days.iv], days.dates.map(() => 0.2));
  assertEquals([days.droppedIndexRows, days.carriedSessions], [0, 0]);
});

Deno.test("replayDays() seeds ATR with the mean of the first true ranges after close-only rows", () => {
  // Rows 0-2 are close-only: the first true range is row 3's, against row 2's close.
  const days = replay(plain, { from: "2024-01-11", to: "2024-01-11" });
  const tr = [3, 4, 5, 6, 7].map((i) =>
    Math.max(
      plain.high[i]! - plain.low[i]!,
      Math.abs(plain.high[i]! - plain.close[i - 1]!),
      Math.abs(plain.low[i]! - plain.close[i - 1]!),
    )
  );
  assertAlmostEquals(days.atr[0]!, tr.reduce((a, b) => a + b) / 5, 1e-12);
});

Deno.test("replayDays() leaves the ATR unchanged on a close-only row inside the range", () => {
  const close = plain.close.slice();
  const open = plain.open.slice(), high = plain.high.slice(), low = plain.low.slice();
  const k = plain.dates.indexOf("2024-01-24");
  open[k] = high[k] = low[k] = close[k]!;
  const flat = { ...plain, open, high, low, close };
  const days = replay(flat, { from: "2024-01-23", to: "2024-01-25" });
  assertEquals(days.atr[1], days.atr[0]);
  assertAlmostEquals(days.atr[2]!, referenceAtr(flat, 5).get("2024-01-25")!, 1e-12);
});

Deno.test("replayDays() takes iv from a column of the price file, scaled", () => {
  const days = replay(plain, { iv: { column: "IV", scale: 2 } });
  assertEquals(days.iv[0], plain.columns.iv![plain.dates.indexOf("2024-01-12")]! * 2);
  assertThrows(
    () => replay(plain, { iv: { column: "vix" } }),
    ScenarioError,
    'daily_plain.csv: Cannot read iv from column "vix": the file has no such column, its other ' +
      'columns are "iv"',
  );
});

Deno.test("replayDays() joins an index by date: other dates dropped and counted", () => {
  const days = replay(plain, { to: "2024-01-23", iv: { index } });
  assertEquals(days.droppedIndexRows, 1);
  assertEquals(days.droppedIndexDates, ["2024-01-15"]);
  assert(!days.dates.includes("2024-01-15"));
  assertEquals(days.iv[0], 18.74 / 100);
  assertEquals(days.iv[1], 20.03 / 100);
});

Deno.test("replayDays() refuses a session with no index row, unless carrying forward", () => {
  assertThrows(
    () => replay(plain, { iv: { index } }),
    ScenarioError,
    "daily_index.csv: Cannot join to ",
  );
  assertThrows(
    () => replay(plain, { iv: { index } }),
    ScenarioError,
    "no index row for the session 2024-01-24 (set carryForward to carry the last value forward)",
  );
  const days = replay(plain, { iv: { index, carryForward: true } });
  assertEquals([days.carriedSessions, days.carriedDates], [1, ["2024-01-24"]]);
  const k = days.dates.indexOf("2024-01-24");
  assertEquals(days.iv[k], days.iv[k - 1]);
  // The carry reaches back before `from`.
  const one = replay(plain, {
    from: "2024-01-24",
    to: "2024-01-24",
    iv: { index, carryForward: true },
  });
  assertEquals(one.iv[0], index.close[index.dates.indexOf("2024-01-23")]! / 100);
});

Deno.test("replayDays() refuses sessions outside the index file, even carrying forward", () => {
  const short = { ...index, dates: index.dates.slice(0, 10), close: index.close.slice(0, 10) };
  assertThrows(
    () => replay(plain, { iv: { index: short, carryForward: true } }),
    ScenarioError,
    "the index file covers 2024-01-02 to 2024-01-15, the replay has sessions from 2024-01-12 to " +
      "2024-02-07",
  );
});

Deno.test("replayDays() refuses a start before the ATR and HV windows fill, naming the first date", () => {
  assertThrows(
    () => replay(plain, { from: "2024-01-05", atrPeriod: 14, hvWindow: 2 }),
    ScenarioError,
    "daily_plain.csv: Cannot replay from 2024-01-05 to 2024-02-07: ATR(14) needs 14 true ranges " +
      "from rows with a real range (close-only rows, open = high = low = close, do not count); " +
      "the first date the replay can start is 2024-01-25",
  );
  assertEquals(replay(plain, { from: "2024-01-25", atrPeriod: 14 }).dates[0], "2024-01-25");
  assertThrows(
    () => replay(plain, { from: "2024-01-25", atrPeriod: 14, hvWindow: 21 }),
    ScenarioError,
    "HV(21) needs 21 daily returns before it; the first date the replay can start is 2024-02-01",
  );
  assertThrows(
    () => replay(plain, { atrPeriod: 30 }),
    ScenarioError,
    "ATR(30) needs 30 true ranges and the file has 23",
  );
});

Deno.test("replayDays() refuses a range outside the file, from after to, and an empty range", () => {
  assertThrows(
    () => replay(plain, { to: "2024-02-08" }),
    ScenarioError,
    "Cannot replay from 2024-01-12 to 2024-02-08: the file covers 2024-01-02 to 2024-02-07",
  );
  assertThrows(
    () => replay(plain, { from: "2024-01-20", to: "2024-01-19" }),
    ScenarioError,
    'Cannot replay from 2024-01-20 to 2024-01-19: "from" is after "to"',
  );
  assertThrows(
    () => replay(plain, { from: "2024-01-13", to: "2024-01-15" }),
    ScenarioError,
    "Cannot replay from 2024-01-13 to 2024-01-15: the file has no session in that range",
  );
  assertThrows(
    () => replay(plain, { from: "2024-1-12", hvWindow: 1 }),
    ScenarioError,
    '"from" expected an ISO date such as "2022-12-12", got "2024-1-12"',
  );
});

// ---- The real files of ../shared/data, against SOURCES.md ----

const data = new URL("../../../shared/data/", import.meta.url);
const files = {
  spx: new URL("spx_daily_1927-2026.csv", data),
  vix: new URL("vix_daily_cboe.csv", data),
  spy: new URL("spy_daily_unadjusted_1999-2020.csv", data),
};
const present = Object.values(files).every((url) => {
  try {
    return Deno.statSync(url).isFile;
  } catch {
    return false;
  }
});
if (!present) {
  if (Deno.env.get("CI") === "true") {
    Deno.test("the ../shared/data files are present under CI", () => {
      fail(`${fromFileUrl(data)} lacks the SPX, VIX or SPY daily file, and CI=true`);
    });
  } else {
    console.warn(`Skipping the ../shared/data history tests: ${fromFileUrl(data)} not found`);
  }
}

const real = present
  ? { spx: await readDaily(files.spx), vix: await readDaily(files.vix) }
  : undefined;
const shared = { ignore: !present };

Deno.test({
  ...shared,
  name: "replayDays() on SPX with VIX matches SOURCES.md for 2022-12-12",
  fn() {
    const { spx, vix } = real!;
    const day = (hvWindow: number) =>
      replayDays(spx, { from: "2022-12-12", to: "2022-12-12", iv: { index: vix }, hvWindow });
    const d = day(21);
    assertEquals(d.dates, ["2022-12-12"]);
    assertAlmostEquals(d.spot[0]!, 3990.56, 0.005);
    assertAlmostEquals(d.atr[0]!, 62.99, 0.01);
    assertAlmostEquals(d.hv[0]! * 100, 18.1, 0.05);
    assertEquals(d.iv[0], 0.25);
    assertAlmostEquals(day(20).hv[0]! * 100, 18.3, 0.05);
    assertAlmostEquals(day(10).hv[0]! * 100, 22.3, 0.05);
    assertAlmostEquals(day(30).hv[0]! * 100, 24.8, 0.05);
  },
});

Deno.test({
  ...shared,
  name: "ATR(14) on 2022-12-12 is the same from the file's first real range as from 1990",
  fn() {
    const { spx } = real!;
    // SOURCES.md runs ATR from 1990; the file's own run starts at its first real range, 1962.
    const k = spx.dates.indexOf("1990-01-02");
    const from1990: DailySeries = {
      path: spx.path,
      dates: spx.dates.slice(k),
      open: spx.open.subarray(k),
      high: spx.high.subarray(k),
      low: spx.low.subarray(k),
      close: spx.close.subarray(k),
      columns: {},
    };
    const options = { from: "2022-12-12", to: "2022-12-12", iv: { constant: 0.25 } };
    const a = replayDays(spx, options).atr[0]!;
    const b = replayDays(from1990, options).atr[0]!;
    assertAlmostEquals(a, b, 1e-9);
    assertAlmostEquals(b, 62.99, 0.01);
  },
});

Deno.test({
  ...shared,
  name: "replayDays() drops VIX rows on US holidays (2022-05-30) and counts them",
  fn() {
    const { spx, vix } = real!;
    const days = replayDays(spx, { from: "2022-05-02", to: "2022-06-30", iv: { index: vix } });
    assert(vix.dates.includes("2022-05-30"));
    assert(!days.dates.includes("2022-05-30"));
    assertEquals(days.droppedIndexDates, ["2022-05-30", "2022-06-20"]);
    assertEquals(days.droppedIndexRows, 2);
    const first = spx.dates.indexOf("2022-05-02");
    assertEquals(days.dates, spx.dates.slice(first, first + days.dates.length));
  },
});

Deno.test({
  ...shared,
  name:
    "replayDays() over 1990-2022 refuses the four SPX sessions with no VIX row, or carries them",
  fn() {
    const { spx, vix } = real!;
    const options = { from: "1990-01-02", to: "2022-12-30" };
    const error = assertThrows(
      () => replayDays(spx, { ...options, iv: { index: vix } }),
      ScenarioError,
      "no index row for the sessions 1991-03-01, 1997-01-31, 1997-11-26 and 1999-12-31",
    );
    assertStringIncludes(error.message, "vix_daily_cboe.csv: Cannot join to ");
    assertThrows(
      () => replayDays(spx, { from: "1997-01-27", to: "1997-02-07", iv: { index: vix } }),
      ScenarioError,
      "no index row for the session 1997-01-31 ",
    );
    const days = replayDays(spx, { ...options, iv: { index: vix, carryForward: true } });
    assertEquals(days.carriedDates, ["1991-03-01", "1997-01-31", "1997-11-26", "1999-12-31"]);
    assertEquals(days.carriedSessions, 4);
    const k = days.dates.indexOf("1997-01-31");
    assertEquals(days.dates[k - 1], "1997-01-30");
    assertEquals(days.iv[k], days.iv[k - 1]);
    assertEquals(days.droppedIndexDates[0], "2004-06-11");
    assert(days.dates.length > 8000);
  },
});

Deno.test({
  ...shared,
  name: "replayDays() refuses the close-only S&P 500 before 1962, naming the first possible date",
  fn() {
    const { spx, vix } = real!;
    assertThrows(
      () => replayDays(spx, { from: "1950-01-03", to: "1950-12-29", iv: { constant: 0.2 } }),
      ScenarioError,
      "spx_daily_1927-2026.csv: Cannot replay from 1950-01-03 to 1950-12-29: ATR(14) needs 14 " +
        "true ranges from rows with a real range (close-only rows, open = high = low = close, do " +
        "not count); the first date the replay can start is 1962-01-19",
    );
    const days = replayDays(spx, { from: "1962-01-19", to: "1962-01-31", iv: { constant: 0.2 } });
    assertEquals(days.dates[0], "1962-01-19");
    // The VIX file starts in 1990: an index cannot cover 1962.
    assertThrows(
      () => replayDays(spx, { from: "1962-01-19", to: "1962-01-31", iv: { index: vix } }),
      ScenarioError,
      "the index file covers 1990-01-02 to 2026-07-23",
    );
  },
});

Deno.test({
  ...shared,
  name:
    "readDaily() reads the SPY file's unnamed index column layout; a range before it is refused",
  async fn() {
    const spy = await readDaily(files.spy);
    assertEquals(spy.dates[0], "1999-11-01");
    assertEquals(spy.dates.at(-1), "2020-08-28");
    assertEquals(spy.close.at(-1), 350.58);
    assertEquals(Object.keys(spy.columns), ["volume"]);
    assertThrows(
      () => replayDays(spy, { from: "1990-01-02", to: "2000-12-29", iv: { index: real!.vix } }),
      ScenarioError,
      "spy_daily_unadjusted_1999-2020.csv: Cannot replay from 1990-01-02 to 2000-12-29: the file " +
        "covers 1999-11-01 to 2020-08-28",
    );
    const crash = replayDays(spy, {
      from: "2020-02-03",
      to: "2020-04-30",
      iv: { index: real!.vix },
    });
    assertEquals(crash.dates[0], "2020-02-03");
    assert(crash.iv.every((iv) => iv > 0.1));
  },
});
