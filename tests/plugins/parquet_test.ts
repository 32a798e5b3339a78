// The parquet sink: typed columns that DuckDB and hyparquet, two readers not our own, read back
// as the JSONL's frames.
import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { type Frame, parseScenario, runScenario } from "../../mod.ts";
import parquetSink from "../../plugins/parquet.ts";
import { assertSums, duckdb, regimeCounts, sqlText } from "./_duckdb.ts";

const evaluator = { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 };

/** A breakout run of `steps` into `dir`, through the given sinks, with its JSONL's frames. */
async function run(
  dir: string,
  options: { steps: number; sinks: object[]; seed?: number; generators?: object },
): Promise<Frame[]> {
  const scenario = await parseScenario(
    JSON.stringify({
      name: "run",
      seed: options.seed ?? 7,
      steps: options.steps,
      evaluator,
      generators: options.generators ?? {
        spot: { use: "breakout", start: 694, noise: 0.6 },
        iv: { use: "vol-path", start: 0.15 },
        hv: { use: "hv", window: 20, initial: 0.12 },
      },
      sinks: [{ use: "jsonl" }, ...options.sinks],
    }),
    { path: join(dir, "run.jsonc") },
  );
  await runScenario(scenario, { outDir: dir });
  return (await Deno.readTextFile(join(dir, "run.jsonl"))).trimEnd().split("\n").map((l) =>
    JSON.parse(l)
  );
}

/** The rows hyparquet reads from a file. */
async function readRows(path: string): Promise<Record<string, unknown>[]> {
  const file = (await Deno.readFile(path)).buffer;
  return await parquetReadObjects({ file });
}

Deno.test("DuckDB reads the Parquet with the JSONL's row count, column types, sums and regime counts", async () => {
  const dir = await Deno.makeTempDir();
  const frames = await run(dir, { steps: 5000, sinks: [{ use: "parquet", rowGroupSize: 2048 }] });
  const parquet = sqlText(join(dir, "run.parquet"));
  const [types, sums, regimes, flags, groups] = await duckdb(
    `select column_name, column_type from (describe select * from read_parquet(${parquet}))`,
    `select count(*)::integer n, sum(x) x, sum(y) y, sum(z) z from read_parquet(${parquet})`,
    `select regime, count(*)::integer n from read_parquet(${parquet}) group by regime order by regime`,
    `select count(*) filter (breach)::integer breach, count(*) filter (overspeed)::integer overspeed,
      count(*) filter (stall)::integer stall, max(timestamp)::integer final_step from read_parquet(${parquet})`,
    `select count(distinct row_group_id)::integer n, max(compression) codec
      from parquet_metadata(${parquet})`,
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
      breach: "BOOLEAN",
      overspeed: "BOOLEAN",
      stall: "BOOLEAN",
    },
  );
  assertSums(sums![0]!, frames);
  assertEquals(regimes, regimeCounts(frames));
  const count = (flag: string) => frames.filter((f) => f.flags.includes(flag as never)).length;
  assertEquals(flags![0], {
    breach: count("BREACH"),
    overspeed: count("OVERSPEED"),
    stall: count("STALL"),
    final_step: 4999,
  });
  assert(count("BREACH") > 0 && count("OVERSPEED") > 0, "the run raises flags");
  // 5000 rows in groups of 2048: 2048, 2048 and 904.
  assertEquals(groups![0], { n: 3, codec: "SNAPPY" });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("hyparquet reads the Parquet's every value as the JSONL's frame", async () => {
  const dir = await Deno.makeTempDir();
  const frames = await run(dir, { steps: 4500, sinks: [{ use: "parquet", compression: "none" }] });
  const rows = await readRows(join(dir, "run.parquet"));
  assertEquals(rows.length, frames.length);
  rows.forEach((row, i) => {
    const { timestamp, spot, iv, hv, x, y, z, regime, flags } = frames[i]!;
    assertEquals(row, {
      timestamp: BigInt(timestamp),
      spot,
      iv,
      hv,
      x,
      y,
      z,
      regime,
      breach: flags.includes("BREACH"),
      overspeed: flags.includes("OVERSPEED"),
      stall: flags.includes("STALL"),
    }, `row ${i}`);
  });
  const metadata = parquetMetadata((await Deno.readFile(join(dir, "run.parquet"))).buffer);
  assertEquals(metadata.created_by, "option-flight");
  // The regime column is dictionary-encoded.
  const regime = metadata.row_groups[0]!.columns.find((c) =>
    c.meta_data?.path_in_schema[0] === "regime"
  );
  assert(regime?.meta_data?.encodings.includes("RLE_DICTIONARY"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the same seed gives the same Parquet bytes, another seed other bytes", async () => {
  const bytes = async (seed: number) => {
    const dir = await Deno.makeTempDir();
    await run(dir, { steps: 3000, seed, sinks: [{ use: "parquet", rowGroupSize: 1024 }] });
    const file = await Deno.readFile(join(dir, "run.parquet"));
    await Deno.remove(dir, { recursive: true });
    return file;
  };
  const first = await bytes(1);
  assertEquals(await bytes(1), first);
  assert(!equalBytes(await bytes(2), first));
});

Deno.test("dated frames keep plain dates as a DATE column and date-times as their text", async () => {
  const dir = await Deno.makeTempDir();
  const dated = async (stamps: string[]) => {
    const rows = stamps.map((t, i) => `${t},${694 + i}`).join("\n");
    const file = `samples_${stamps.length}.csv`;
    await Deno.writeTextFile(join(dir, file), `timestamp,spot\n${rows}\n`);
    const generators = {
      spot: { use: "csv", file },
      iv: { use: "vol-path", start: 0.15 },
      hv: { use: "hv", value: 0.12 },
    };
    await run(dir, { steps: stamps.length, sinks: [{ use: "parquet" }], generators });
    const parquet = sqlText(join(dir, "run.parquet"));
    const [types, values] = await duckdb(
      `select column_type from (describe select timestamp from read_parquet(${parquet}))`,
      `select timestamp::varchar t from read_parquet(${parquet})`,
    );
    return { type: types![0]!.column_type, values: values!.map((row) => row.t) };
  };
  assertEquals(await dated(["2020-03-16", "2020-03-17", "2020-03-18"]), {
    type: "DATE",
    values: ["2020-03-16", "2020-03-17", "2020-03-18"],
  });
  const times = ["2024-03-15T14:30:00Z", "2024-03-15T14:31:00Z"];
  assertEquals(await dated(times), { type: "VARCHAR", values: times });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the parquet sink keeps frames' extra fields as typed optional columns", async () => {
  const chunks: Uint8Array[] = [];
  const output = { write: (c: string | Uint8Array) => void chunks.push(c as Uint8Array) };
  const options = { compression: "snappy" as const, rowGroupSize: 1024 };
  const context = { options, name: "t", seed: 1, run: 0, steps: 2, file: "t.jsonc", output };
  const sink = await parquetSink.start(context);
  const base = { spot: 694, iv: 0.15, hv: 0.12, x: 0.5, y: 1.25, z: 0.8, regime: "CRUISE" };
  await sink.write([
    { ...base, timestamp: 0, flags: ["STALL"], note: "a, b", size: 1.5 } as unknown as Frame,
    { ...base, timestamp: 1, flags: [], size: 2 } as unknown as Frame,
  ]);
  await assertRejects(
    async () =>
      await sink.write([{ ...base, timestamp: 2, flags: [], late: 1 } as unknown as Frame]),
    Error,
    'frame 2 has a field "late" that the first frame had not',
  );
  await sink.close?.();
  const file = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (file.set(c, at), at + c.length), 0);
  const rows = await parquetReadObjects({ file: file.buffer });
  assertEquals(rows.map((r) => [r.timestamp, r.stall, r.note, r.size]), [
    [0n, true, "a, b", 1.5],
    [1n, false, null, 2],
  ]);
});

Deno.test("the parquet sink's options are checked with their paths", async () => {
  const dir = await Deno.makeTempDir();
  await assertRejects(
    () =>
      run(dir, { steps: 10, sinks: [{ use: "parquet", compression: "zip", rowGroupSize: 10 }] }),
    Error,
    'Cannot read "sinks[1].compression": expected one of "snappy", "none", got "zip"',
  );
  await Deno.remove(dir, { recursive: true });
});

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
