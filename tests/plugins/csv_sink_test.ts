// The csv sink: the JSONL's frames as a CSV table, read back by @std/csv and by DuckDB.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { parse } from "@std/csv";
import { fromFileUrl, join } from "@std/path";
import { type Frame, loadScenario, parseScenario, runScenario } from "../../mod.ts";
import { runBatch } from "../../montecarlo/mod.ts";
import csvSink from "../../plugins/csv_sink.ts";
import { assertSums, duckdb, regimeCounts, sqlText } from "./_duckdb.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const evaluator = { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 };

/** A breakout run of `steps` into `dir`, through the given sinks. */
async function run(dir: string, steps: number, sinks: object[]): Promise<void> {
  const scenario = await parseScenario(
    JSON.stringify({
      name: "run",
      seed: 7,
      steps,
      evaluator,
      generators: {
        spot: { use: "breakout", start: 694, noise: 0.6 },
        iv: { use: "vol-path", start: 0.15 },
        hv: { use: "hv", window: 20, initial: 0.12 },
      },
      sinks,
    }),
    { path: join(dir, "run.jsonc") },
  );
  await runScenario(scenario, { outDir: dir });
}

/** Each field's text in a JSONL line, in the line's order. */
function jsonTexts(line: string): string[] {
  const frame = JSON.parse(line);
  return Object.keys(frame).map((key) => {
    if (key === "flags") return frame.flags.join("|");
    if (key === "regime") return frame.regime;
    // The number as the line writes it, not as JavaScript would print the parsed value.
    return new RegExp(`"${key}":(-?[0-9.eE+-]+)`).exec(line)![1]!;
  });
}

/** A sink started on an in-memory output, as the core starts it. */
async function startCsv() {
  let text = "";
  const output = { write: (c: string | Uint8Array) => void (text += c) };
  const context = { options: {}, name: "t", seed: 1, run: 0, steps: 3, file: "t.jsonc", output };
  const sink = await csvSink.start(context);
  return { sink, text: () => text };
}

Deno.test("the csv sink writes a header and the JSONL's frames, numbers byte for byte", async () => {
  const dir = await Deno.makeTempDir();
  // More steps than a block of the run loop, so rows come from two blocks.
  await run(dir, 5000, [{ use: "jsonl" }, { use: "csv" }]);
  const lines = (await Deno.readTextFile(join(dir, "run.jsonl"))).trimEnd().split("\n");
  const rows = (await Deno.readTextFile(join(dir, "run.csv"))).split("\n");
  assertEquals(rows[0], "timestamp,spot,iv,hv,x,y,z,regime,flags");
  assertEquals(rows.at(-1), "", "a final newline");
  assertEquals(rows.length - 2, lines.length);
  lines.forEach((line, i) => assertEquals(rows[i + 1]!.split(","), jsonTexts(line), `row ${i}`));
  assert(rows.some((row) => row.includes("|")), "some row raises two flags");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the csv sink quotes extra string fields as RFC 4180 says, and @std/csv and DuckDB read them back", async () => {
  const frame = (timestamp: number, note: unknown): Frame =>
    ({
      timestamp,
      spot: 694,
      iv: 0.15,
      hv: 0.12,
      x: 0.5,
      y: 1.25,
      z: 0.8,
      regime: "CRUISE",
      flags: timestamp === 1 ? ["BREACH", "STALL"] : [],
      note,
      size: timestamp * 0.1,
    }) as Frame;
  const notes = ["a, b", 'say "hi"', "two\nlines", "cr\ronly", "plain"];
  const { sink, text } = await startCsv();
  await sink.write(notes.slice(0, 2).map((note, i) => frame(i, note)));
  await sink.write(notes.slice(2).map((note, i) => frame(i + 2, note)));
  await sink.close?.();
  const csv = text();
  assertEquals(csv.split("\n")[0], "timestamp,spot,iv,hv,x,y,z,regime,flags,note,size");
  assertEquals(
    csv.split("\n")[2],
    '1,694,0.15,0.12,0.5,1.25,0.8,CRUISE,BREACH|STALL,"say ""hi""",0.1',
  );
  const parsed = parse(csv).slice(1);
  assertEquals(parsed.map((row) => row.length), [11, 11, 11, 11, 11]);
  assertEquals(parsed.map((row) => row[9]), notes);
  assertEquals(parsed.map((row) => row[10]), ["0", "0.1", "0.2", "0.30000000000000004", "0.4"]);

  const dir = await Deno.makeTempDir();
  const path = join(dir, "notes.csv");
  await Deno.writeTextFile(path, csv);
  const [read] = await duckdb(
    `select note, flags from read_csv(${sqlText(path)}) order by timestamp`,
  );
  assertEquals(read!.map((row) => row.note), notes);
  assertEquals(read!.map((row) => row.flags), [null, "BREACH|STALL", null, null, null]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the csv sink refuses a frame with a field the header has no column for", async () => {
  const { sink } = await startCsv();
  const base = {
    timestamp: 0,
    spot: 1,
    iv: 0.1,
    hv: 0.1,
    x: 0,
    y: 1,
    z: 1,
    regime: "TAXI",
    flags: [],
  };
  await sink.write([base as Frame]);
  await assertRejects(
    async () => await sink.write([{ ...base, timestamp: 1, late: 2 } as Frame]),
    Error,
    'frame 1 has a field "late" that the first frame had not',
  );
});

Deno.test("a run with the csv sink and no frames kept still writes the header", async () => {
  const { sink, text } = await startCsv();
  await sink.close?.();
  assertEquals(text(), "timestamp,spot,iv,hv,x,y,z,regime,flags\n");
});

Deno.test("DuckDB reads the CSV with the JSONL's row count, column types, sums and regime counts", async () => {
  const dir = await Deno.makeTempDir();
  await run(dir, 5000, [{ use: "jsonl" }, { use: "csv" }]);
  const frames = (await Deno.readTextFile(join(dir, "run.jsonl"))).trimEnd().split("\n").map((l) =>
    JSON.parse(l) as Frame
  );
  const csv = sqlText(join(dir, "run.csv"));
  const [types, sums, regimes] = await duckdb(
    `select column_name, column_type from (describe select * from read_csv(${csv}))`,
    `select count(*)::integer n, sum(x) x, sum(y) y, sum(z) z from read_csv(${csv})`,
    `select regime, count(*)::integer n from read_csv(${csv}) group by regime order by regime`,
  );
  assertEquals(
    Object.fromEntries(types!.map((row) => [row.column_name, row.column_type])),
    {
      timestamp: "BIGINT",
      spot: "DOUBLE",
      iv: "DOUBLE",
      hv: "DOUBLE",
      x: "DOUBLE",
      y: "DOUBLE",
      z: "DOUBLE",
      regime: "VARCHAR",
      flags: "VARCHAR",
    },
  );
  assertSums(sums![0]!, frames);
  assertEquals(regimes, regimeCounts(frames));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a batch writes its summary as a flat statistic,value CSV beside summary.json", async () => {
  const dir = await Deno.makeTempDir();
  const scenario = await loadScenario(join(root, "scenarios/breakout.jsonc"));
  await runBatch(scenario, { outDir: dir, runs: 40, steps: 150, workers: 1 });
  const json = JSON.parse(await Deno.readTextFile(join(dir, "breakout.summary.json")));
  const rows = parse(await Deno.readTextFile(join(dir, "breakout.summary.csv")));
  assertEquals(rows[0], ["statistic", "value"]);
  const table = new Map(rows.slice(1).map(([name, value]) => [name!, value!]));
  assertEquals(table.size, rows.length - 1, "one row per statistic");
  assertEquals(table.get("runs"), "40");
  assertEquals(table.get("breachRate"), String(json.breachRate));
  assertEquals(table.get("breachRateCI95.low"), String(json.breachRateCI95[0]));
  assertEquals(table.get("regimeShare.CRUISE"), String(json.regimeShare.CRUISE));
  assertEquals(table.get("finalLoss.quantiles.p5"), String(json.finalLoss.quantiles.p5));
  assertEquals(table.get("quantiles.definition"), json.quantiles.definition);
  assert(![...table.keys()].some((name) => name.startsWith("series.")), "series stay in the JSON");
  // DuckDB reads it as a two-column table of text.
  const [read] = await duckdb(
    `select value from read_csv(${
      sqlText(join(dir, "breakout.summary.csv"))
    }, all_varchar = true) where statistic = 'maxLoad'`,
  );
  assertEquals(read, [{ value: String(json.maxLoad) }]);
  await Deno.remove(dir, { recursive: true });
});
