// Levels series and a user's own samples: layouts, encodings and every bad row in one error.
import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { ScenarioError } from "../../core/errors.ts";
import {
  parseLevelsSeries,
  parseUserSeries,
  readLevelsSeries,
  readUserSeries,
} from "../../markets/series.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const text = (name: string) => Deno.readTextFileSync(fixture(name));

Deno.test("readLevelsSeries() reads a date,flip,putWall,callWall CSV into columns", async () => {
  const levels = await readLevelsSeries(fixture("series_levels.csv"));
  assertEquals(levels.by, "date");
  assertEquals(levels.dates, ["2022-12-12", "2022-12-13", "2022-12-14"]);
  assertEquals([...levels.flip], [4013.8, 4020, 4010.5]);
  assertEquals([...levels.putWall], [3950, 3950, 3900]);
  assertEquals([...levels.callWall], [4100, 4100, 4050]);
  assertEquals([levels.atr, levels.steps.length], [undefined, 0]);
});

Deno.test("readLevelsSeries() reads the same levels from JSON lines, blank lines skipped", async () => {
  const csv = await readLevelsSeries(fixture("series_levels.csv"));
  const jsonl = await readLevelsSeries(fixture("series_levels.jsonl"));
  assertEquals({ ...jsonl, path: "" }, { ...csv, path: "" });
  // Told by content when the extension says nothing, with a BOM and \r\n.
  const crlf = `\uFEFF${text("series_levels.jsonl").replaceAll("\n", "\r\n")}`;
  assertEquals(parseLevelsSeries(crlf, "levels.txt").flip, csv.flip);
  assertEquals(parseLevelsSeries(`\uFEFF${text("series_levels.csv")}`, "levels").dates, csv.dates);
});

Deno.test("readLevelsSeries() reads step-keyed levels with an ATR, names in any spelling", async () => {
  const levels = await readLevelsSeries(fixture("series_levels_steps.csv"));
  assertEquals(levels.by, "step");
  assertEquals([[...levels.steps], levels.dates], [[0, 100], []]);
  assertEquals([...levels.atr!], [2.8, 3.1]);
  assertEquals([...levels.putWall], [680, 685]);
});

Deno.test("parseLevelsSeries() refuses rows breaking putWall < flip < callWall, by line and date", () => {
  const path = fromFileUrl(fixture("series_levels_bad.csv"));
  const error = assertThrows(
    () => parseLevelsSeries(text("series_levels_bad.csv"), path),
    ScenarioError,
  );
  assertEquals(error.problems, [
    `${path}:2: Levels on 2022-12-12 break putWall < flip < callWall: putWall 4000, flip 4013.8, ` +
    `callWall 4000`,
    `${path}:4: Levels on 2022-12-13: dates must increase, "2022-12-13" comes after ` +
    `"2022-12-13" (line 3)`,
    `${path}:5: Cannot read "callWall" on 2022-12-15: expected a number, got nothing (the cell ` +
    `is empty)`,
  ]);
});

Deno.test("parseLevelsSeries() reports bad JSON lines, unknown keys and strings for numbers", () => {
  const lines = [
    '{"date":"2022-12-12","flip":4013.8,"putWall":3950,"callWall":4100,"gex":-1.08}',
    '{"date":"2022-12-13","flip":"4020","putWall":3950,"callWall":4100}',
    "{not json",
    "[1,2]",
  ].join("\n");
  const error = assertThrows(() => parseLevelsSeries(lines, "l.jsonl"), ScenarioError);
  assertEquals(error.problems.length, 4);
  assertStringIncludes(
    error.problems[0]!,
    'l.jsonl:1: Unknown key "gex": expected "date", "step", "flip", "putWall", "callWall" and "atr"',
  );
  assertStringIncludes(
    error.problems[1]!,
    'l.jsonl:2: Cannot read "flip" on 2022-12-13: expected a number, got "4020" (a JSON string',
  );
  assertStringIncludes(error.problems[2]!, "l.jsonl:3: Cannot parse JSON: ");
  assertStringIncludes(
    error.problems[3]!,
    "l.jsonl:4: Cannot read the levels: expected a JSON object",
  );
});

Deno.test("parseLevelsSeries() refuses unknown and missing columns, and an empty file", () => {
  assertThrows(
    () => parseLevelsSeries("date,flip,putwal,callWall\n2022-12-12,1,0,2\n", "l.csv"),
    ScenarioError,
    'l.csv:1: Unknown column "putwal": expected "date", "step", "flip", "putWall", "callWall" and ' +
      '"atr" (did you mean "putWall"?)',
  );
  assertThrows(
    () => parseLevelsSeries("date,flip\n2022-12-12,1\n", "l.csv"),
    ScenarioError,
    'l.csv:1: Cannot read the levels: missing "putWall" and "callWall"',
  );
  assertThrows(() => parseLevelsSeries("", "l.csv"), ScenarioError, "l.csv: Cannot read the file");
  assertThrows(() => parseLevelsSeries("\n", "l.jsonl"), ScenarioError, "no data rows");
});

Deno.test("readUserSeries() reads timestamp,spot,iv,hv; with BOM and \\r\\n alike", async () => {
  const user = await readUserSeries(fixture("series_user.csv"));
  assertEquals(user.length, 3);
  assertEquals(user.timestamps, ["2022-12-12", "2022-12-13", "2022-12-14"]);
  assertEquals([...user.spot!], [3990.56, 4019.65, 3995.32]);
  assertEquals([...user.iv!], [0.25, 0.2255, 0.2197]);
  assertEquals([...user.hv!], [0.181, 0.19, 0.188]);
  const bom = `\uFEFF${text("series_user.csv").replaceAll("\n", "\r\n")}`;
  assertEquals({ ...parseUserSeries(bom, "u.csv"), path: "" }, { ...user, path: "" });
});

Deno.test("parseUserSeries() takes any subset of the value columns, timestamp optional", () => {
  const user = parseUserSeries("IV,Spot\n0.2,694\n0.21,695\n", "u.csv");
  assertEquals([user.timestamps, user.hv], [undefined, undefined]);
  assertEquals([...user.spot!], [694, 695]);
  assertEquals([...user.iv!], [0.2, 0.21]);
  const times = parseUserSeries(
    "timestamp,hv\n2022-12-12 15:30,0.1\n2022-12-12T15:31:00Z,0.1\n",
    "u.csv",
  );
  assertEquals(times.timestamps, ["2022-12-12T15:30", "2022-12-12T15:31:00Z"]);
  assertThrows(
    () => parseUserSeries("timestamp\n2022-12-12\n", "u.csv"),
    ScenarioError,
    'u.csv:1: Cannot read the header: expected at least one of "spot", "iv" and "hv"',
  );
});

Deno.test("parseUserSeries() reports every bad value by line and column, the first 20", () => {
  const path = "series_user_bad.csv";
  const error = assertThrows(() => parseUserSeries(text(path), path), ScenarioError);
  assertEquals(error.problems.length, 21);
  assertEquals(error.problems.slice(0, 3), [
    'series_user_bad.csv:2: Cannot read "iv": expected a number > 0, got "abc"',
    'series_user_bad.csv:3: Cannot read "hv": expected a number > 0, got nothing (the cell is ' +
    "empty)",
    'series_user_bad.csv:4: Cannot read "iv": expected a number > 0, got "abc"',
  ]);
  assertEquals(
    error.problems[19],
    'series_user_bad.csv:21: Cannot read "iv": expected a number > 0, got "abc"',
  );
  assertEquals(error.problems[20], "series_user_bad.csv: ...and 10 more problems (30 in all)");
});

Deno.test("parseUserSeries() reports short and long rows, bad and decreasing timestamps", () => {
  const csv = [
    "timestamp,spot,iv,hv",
    "2022-12-12,1,0.2,0.1",
    "2022-12-32,1,0.2,0.1",
    "2022-12-11,1",
    "2022-12-14,1,0.2,0.1,9",
    "2022-12-15,1,-0.2,0.1",
  ].join("\r\n");
  const error = assertThrows(() => parseUserSeries(csv, "u.csv"), ScenarioError);
  assertEquals(error.problems, [
    'u.csv:3: Cannot read "timestamp": expected an ISO 8601 date or date-time such as ' +
    '"2022-12-12" or "2022-12-12T15:30:00Z", got "2022-12-32"',
    'u.csv:4: Timestamps must increase: "2022-12-11" comes after "2022-12-12" (line 2)',
    'u.csv:4: Cannot read "iv": expected a number > 0, got nothing (the row has 2 of 4 fields)',
    'u.csv:4: Cannot read "hv": expected a number > 0, got nothing (the row has 2 of 4 fields)',
    "u.csv:5: Cannot read the row: expected 4 fields, got 5",
    'u.csv:6: Cannot read "iv": expected a number > 0, got "-0.2"',
  ]);
});

Deno.test("parseUserSeries() refuses ';' separators with decimal commas, with a hint", async () => {
  const error = await readUserSeries(fixture("series_user_semicolon.csv")).catch((e) => e);
  assertEquals(error instanceof ScenarioError, true);
  assertStringIncludes(
    error.message,
    'series_user_semicolon.csv:1: Cannot read the header: expected "," separators and "." ' +
      'decimals, found ";" separators and decimal commas (a spreadsheet export in a European ' +
      'locale); save the file as CSV with "," between fields and "." in numbers',
  );
  assertThrows(
    () => parseUserSeries('spot,iv\n"3990,56",0.25\n', "u.csv"),
    ScenarioError,
    'u.csv:2: Cannot read "spot": expected a number, got "3990,56" (a decimal comma? write "." instead)',
  );
});

Deno.test("parseUserSeries() refuses unknown columns, naming the allowed ones", async () => {
  const error = await readUserSeries(fixture("series_user_unknown.csv")).catch((e) => e);
  assertEquals(error instanceof ScenarioError, true);
  assertEquals((error as ScenarioError).problems.map((p) => p.replace(/^.*fixtures\//, "")), [
    'series_user_unknown.csv:1: Unknown column "ivol": expected "timestamp", "spot", "iv" and ' +
    '"hv" (did you mean "iv"?)',
    'series_user_unknown.csv:1: Unknown column "volume": expected "timestamp", "spot", "iv" and ' +
    '"hv"',
  ]);
  assertThrows(() => parseUserSeries("", "u.csv"), ScenarioError, "u.csv: Cannot read the file");
  assertThrows(
    () => parseUserSeries("spot\n", "u.csv"),
    ScenarioError,
    "u.csv: Cannot read the file: no data rows",
  );
});

Deno.test("readUserSeries() names a missing file", async () => {
  const error = await readUserSeries("no/such/file.csv").catch((e) => e);
  assertEquals(error instanceof ScenarioError, true);
  assertEquals(error.message, "no/such/file.csv: Cannot read the file: no such file");
});
