/**
 * Frames per second into each sink, the whole process as a user runs it: `deno task run` of
 * one long breakout run with only the `jsonl`, `csv` or `parquet` sink, and, as a yardstick,
 * pyarrow writing the same frames (read from the JSONL) to Parquet when `python3` has it.
 *
 * Run: `deno run --allow-all tools/bench_outputs.ts [--steps N] [--repeat K]`
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { fromFileUrl, join } from "@std/path";

const root = fromFileUrl(new URL("../", import.meta.url));
const args = parseArgs(Deno.args, { string: ["steps", "repeat"] });
const steps = Number(args.steps ?? 2_000_000);
const repeat = Number(args.repeat ?? 3);

/** The scenario of one breakout run of `steps` through `sink`, with no renderer. */
function scenario(sink: object): string {
  return JSON.stringify({
    name: "bench",
    seed: 42,
    steps,
    evaluator: { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 },
    generators: {
      spot: { use: "mean-revert", start: 694, target: 692.5 },
      iv: { use: "vol-path", start: 0.15 },
      hv: { use: "hv", window: 20, initial: 0.12 },
    },
    sinks: [sink],
    renderers: [],
  });
}

/** Seconds of the best of `repeat` runs of a command, and its output folder's file sizes. */
async function best(command: () => Promise<void>): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await command();
    fastest = Math.min(fastest, (performance.now() - start) / 1000);
  }
  return fastest;
}

const dir = await Deno.makeTempDir();
const results: { what: string; seconds: number; bytes: number }[] = [];
for (const sink of [{ use: "jsonl" }, { use: "csv" }, { use: "parquet" }]) {
  const file = join(dir, `${sink.use}.jsonc`);
  await Deno.writeTextFile(file, scenario(sink));
  const out = join(dir, sink.use);
  const seconds = await best(async () => {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "run", file, "--out", out],
      cwd: root,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
  });
  const extension = sink.use === "jsonl" ? "jsonl" : sink.use;
  const bytes = (await Deno.stat(join(out, `bench.${extension}`))).size;
  results.push({ what: `deno task run, ${sink.use} sink`, seconds, bytes });
}

const pyarrow = await new Deno.Command("python3", { args: ["-c", "import pyarrow"] }).output()
  .then((r) => r.code === 0, () => false);
if (pyarrow) {
  const jsonl = join(dir, "jsonl", "bench.jsonl");
  const target = join(dir, "pyarrow.parquet");
  const script = `
import sys, time, pyarrow.json as pj, pyarrow.parquet as pq, pyarrow.compute as pc
table = pj.read_json(sys.argv[1])
start = time.perf_counter()
pq.write_table(table, sys.argv[2], compression="snappy")
print(time.perf_counter() - start)
`;
  const seconds = await best(async () => {
    const { code } = await new Deno.Command("python3", { args: ["-c", script, jsonl, target] })
      .output();
    if (code !== 0) throw new Error("pyarrow failed");
  });
  results.push({
    what: "python3 pyarrow, read JSONL + write Parquet",
    seconds,
    bytes: (await Deno.stat(target)).size,
  });
} else {
  console.log("pyarrow is not installed (python3 -c 'import pyarrow' failed): no yardstick");
}

console.log(`${steps} frames, best of ${repeat}, whole process:`);
for (const { what, seconds, bytes } of results) {
  const rate = (steps / seconds / 1e6).toFixed(2);
  console.log(
    `  ${what.padEnd(46)} ${seconds.toFixed(2).padStart(6)} s  ${rate.padStart(5)}M frames/s  ${
      (bytes / 1e6).toFixed(1).padStart(6)
    } MB`,
  );
}
await Deno.remove(dir, { recursive: true });
