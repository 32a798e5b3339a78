// Monte Carlo batches end to end: worker-count invariance, shards in separate processes merged
// back into one run's bytes, kept run logs, the summary golden, bad input and failures that
// leave nothing behind, and the progress bar.
import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
  fail,
} from "@std/assert";
import { fromFileUrl, join, toFileUrl } from "@std/path";
import { cli, listDir } from "../cli_harness.ts";
import { loadScenario, PluginError, runScenario, ScenarioError } from "../../mod.ts";
import { ProgressBar } from "../../cli.ts";
import { mergePartials, runBatch, simulateBatch, WorkerPool } from "../../montecarlo/mod.ts";
import { RunClaims } from "../../montecarlo/_thread.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const scenarioPath = (name: string) => join(root, "scenarios", `${name}.jsonc`);
const update = Deno.args.includes("--update");

Deno.test("simulateBatch() gives the same statistics on 1, 2 and 3 threads", async () => {
  const scenario = await loadScenario(scenarioPath("false_breakout"));
  const texts = [];
  for (const workers of [1, 2, 3]) {
    const { stats, workers: used } = await simulateBatch(scenario, { to: 240, workers });
    assertEquals(used, workers);
    texts.push(JSON.stringify(stats));
  }
  assertEquals(texts[1], texts[0]);
  assertEquals(texts[2], texts[0]);
});

Deno.test("a worker's claims leave the runs it could do while posting its statistics to the others", () => {
  const shared = RunClaims.counters(0);
  const main = new RunClaims(shared, 1000, 2);
  const worker = new RunClaims(shared, 1000, 2, { reserveMs: 8 });
  // 100 runs in 4 ms: the worker's pace is 25 runs a millisecond, so it reserves 200 runs.
  worker.done(100, 4);
  let last = 0;
  for (let slice = worker.take(); slice; slice = worker.take()) last = slice[1];
  assert(last >= 800 && last < 1000, `the worker stopped at run ${last}`);
  const rest: number[] = [];
  for (let slice = main.take(); slice; slice = main.take()) rest.push(...slice);
  assertEquals([rest[0], rest.at(-1)], [last, 1000]);
});

Deno.test("a batch's default threads grow with its work, from less work on a WorkerPool", async () => {
  const scenario = await loadScenario(scenarioPath("mean_revert"));
  const cores = Math.min(navigator.hardwareConcurrency || 1, 2);
  const threads = async (to: number, pool?: WorkerPool) =>
    (await simulateBatch(scenario, { to, steps: 1000, ...(pool ? { pool } : {}) })).workers;
  // New workers take tens of milliseconds to start and warm up: 3 million steps a thread.
  assertEquals(await threads(2_999), 1);
  assertEquals(await threads(6_000), cores);
  // A pool's workers stay warm from batch to batch: 500,000 steps a thread.
  using pool = new WorkerPool();
  assertEquals(await threads(1_000, pool), cores);
});

Deno.test("runBatch() writes byte-identical summary and report for any worker count", async () => {
  const scenario = await loadScenario(scenarioPath("breakout"));
  const dir = await Deno.makeTempDir();
  const bytes = [];
  for (const workers of [1, 2, 4]) {
    const outDir = join(dir, String(workers));
    const report = await runBatch(scenario, { outDir, runs: 150, steps: 120, workers });
    assertEquals(listDir(outDir), [
      "breakout.report.html",
      "breakout.summary.csv",
      "breakout.summary.json",
    ]);
    assertEquals(report.summary!.runs, 150);
    bytes.push([
      await Deno.readTextFile(join(outDir, "breakout.summary.json")),
      await Deno.readTextFile(join(outDir, "breakout.summary.csv")),
      await Deno.readTextFile(join(outDir, "breakout.report.html")),
    ]);
  }
  assertEquals(bytes[1], bytes[0]);
  assertEquals(bytes[2], bytes[0]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the summary holds no timings: a rerun gives the same bytes, another seed others", async () => {
  const scenario = await loadScenario(scenarioPath("mean_revert"));
  const dir = await Deno.makeTempDir();
  const summary = async (sub: string, seed?: number) => {
    await runBatch(scenario, { outDir: join(dir, sub), runs: 40, ...(seed ? { seed } : {}) });
    return await Deno.readTextFile(join(dir, sub, "mean_revert.summary.json"));
  };
  const first = await summary("a");
  assertEquals(await summary("b"), first);
  assertNotEquals(await summary("c", 7), first);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("shards run as separate processes and merged give one run's summary and report", async () => {
  const dir = await Deno.makeTempDir();
  const scenario = scenarioPath("false_breakout");
  const shards = [1, 2, 3].map((k) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--config",
        join(root, "deno.json"),
        join(root, "cli.ts"),
        scenario,
        "--runs",
        "301",
        "--shard",
        `${k}/3`,
        "--out",
        join(dir, "parts"),
        "--quiet",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output()
  );
  for (const result of await Promise.all(shards)) {
    assertEquals(result.code, 0, new TextDecoder().decode(result.stderr));
  }
  const parts = listDir(join(dir, "parts"));
  assertEquals(parts, [1, 2, 3].map((k) => `false_breakout.part-${k}-of-3.json`));
  const merged = await cli([
    "merge",
    ...[3, 1, 2].map((k) => join(dir, "parts", `false_breakout.part-${k}-of-3.json`)),
    "--out",
    join(dir, "merged"),
  ]);
  assertEquals(merged.code, 0, merged.err);
  assertStringIncludes(merged.out.join("\n"), "false_breakout: 301 runs x 200 steps, seed 42");
  assertEquals((await cli([scenario, "--runs", "301", "--out", join(dir, "whole"), "-q"])).code, 0);
  for (const name of ["false_breakout.summary.json", "false_breakout.report.html"]) {
    assertEquals(
      await Deno.readTextFile(join(dir, "merged", name)),
      await Deno.readTextFile(join(dir, "whole", name)),
      name,
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("merge refuses mixed, missing, duplicate and foreign partial results", async () => {
  const dir = await Deno.makeTempDir();
  const breakout = await loadScenario(scenarioPath("breakout"));
  const meanRevert = await loadScenario(scenarioPath("mean_revert"));
  const part = async (sub: string, scenario = breakout, k = 1, n = 2, seed = 42) =>
    (await runBatch(scenario, {
      outDir: join(dir, sub),
      runs: 20,
      seed,
      shard: { index: k, count: n },
    }))
      .files[0]!;
  const a1 = await part("a1");
  const a2 = await part("a2", breakout, 2);
  const seven = await part("seven", breakout, 2, 2, 7);
  const other = await part("other", meanRevert, 2);
  const rewrite = async (
    from: string,
    to: string,
    edit: (data: Record<string, unknown>) => void,
  ) => {
    const data = JSON.parse(await Deno.readTextFile(from));
    edit(data);
    await Deno.writeTextFile(to, JSON.stringify(data));
    return to;
  };
  const old = await rewrite(a2, join(dir, "old.json"), (d) => d.version = "0.0.1");
  const three = await rewrite(
    a2,
    join(dir, "three.json"),
    (d) => (d.shard as { count: number }).count = 3,
  );
  const notPartial = join(dir, "summary.json");
  await Deno.writeTextFile(notPartial, '{ "runs": 20 }');
  const out = join(dir, "merged");
  const cases: [string[], string][] = [
    [[a1, seven], "seed 7 differs from 42"],
    [[a1, other], 'scenario "mean_revert" differs from "breakout"'],
    [[a1], "missing shard 2/2 of breakout"],
    [[a1, a1, a2], "shard 1/2 is also"],
    [[a1, old], "written by option-flight 0.0.1"],
    [[a1, three], "one of 3 shards"],
    [[a1, notPartial], "is not a partial Monte Carlo result"],
    [[a1, join(dir, "nope.json")], "Cannot read the partial result"],
  ];
  for (const [files, message] of cases) {
    const result = await cli(["merge", ...files, "--out", out]);
    assertEquals(result.code, 2, `${message}: ${result.err}`);
    assertStringIncludes(result.err, message);
    assertEquals(listDir(out), []);
  }
  assertEquals((await mergePartials([a2, a1], { outDir: out })).summary?.runs, 20);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad runs, workers and shards exit 2 and write nothing", async () => {
  const out = join(await Deno.makeTempDir(), "out");
  const breakout = scenarioPath("breakout");
  const cases: [string[], string][] = [
    [["--runs", "0"], 'Option --runs: expected an integer in [1, 10000000], got "0"'],
    [["--runs", "10000001"], "Option --runs"],
    [["--runs", "-5"], "Option --runs"],
    [
      ["--runs", "10", "--workers", "0"],
      'Option --workers: expected an integer in [1, 256], got "0"',
    ],
    [
      ["--runs", "10", "--shard", "0/3"],
      'Option --shard: expected k/n with 1 <= k <= n, such as "2/8", got "0/3"',
    ],
    [["--runs", "10", "--shard", "4/3"], "Option --shard"],
    [["--runs", "10", "--shard", "two/3"], "Option --shard"],
    [["--runs", "3", "--shard", "1/5"], "Cannot split 3 runs into 5 shards"],
    [["--keep-runs"], 'give a number of runs (--runs) or a "monteCarlo" section'],
    [["--shard", "1/2"], "give a number of runs"],
  ];
  for (const [args, message] of cases) {
    const result = await cli([breakout, "--out", out, ...args]);
    assertEquals(result.code, 2, `${args.join(" ")}: ${result.err}`);
    assertStringIncludes(result.err, message);
    assertEquals(listDir(out), []);
  }
  const merge = await cli(["merge", "--out", out]);
  assertEquals(merge.code, 2);
  assertStringIncludes(merge.err, "Expected the partial result files of every shard");
});

Deno.test("runBatch() throws ScenarioError for runs out of range", async () => {
  const scenario = await loadScenario(scenarioPath("breakout"));
  const outDir = await Deno.makeTempDir();
  for (const runs of [0, 1.5, 10_000_001]) {
    try {
      await runBatch(scenario, { outDir, runs });
      fail(`accepted ${runs} runs`);
    } catch (error) {
      assert(error instanceof ScenarioError, String(error));
      assertStringIncludes(error.message, `${runs} runs: expected an integer in [1, 10000000]`);
    }
  }
  assertEquals(listDir(outDir), []);
});

Deno.test("runBatch() checks the output folder and the results' names before the runs", async () => {
  const scenario = await loadScenario(scenarioPath("breakout"));
  const file = await Deno.makeTempFile();
  const taken = await Deno.makeTempDir();
  Deno.mkdirSync(join(taken, "breakout.report.html"));
  const cases: [string, string][] = [
    [join(file, "out"), "Cannot write into the output folder"],
    [taken, "breakout.report.html: Cannot replace a folder with a file"],
  ];
  for (const [outDir, message] of cases) {
    let progress = 0;
    await assertRejects(
      () => runBatch(scenario, { outDir, runs: 20, onProgress: () => progress++ }),
      ScenarioError,
      message,
    );
    assertEquals(progress, 0, `${outDir}: ran before failing`);
  }
  assertEquals(listDir(taken), ["breakout.report.html"]);
});

/**
 * Writes a breakout scenario whose IV comes from a generator named `name`, which throws
 * `message` from its start hook when `condition` (a JS expression over `run`) holds.
 */
async function failingScenario(
  dir: string,
  name: string,
  condition: string,
  message: string,
): Promise<string> {
  await Deno.writeTextFile(
    join(dir, "fails.ts"),
    `import { defineGenerator } from "${toFileUrl(join(root, "mod.ts")).href}";
export default defineGenerator({
  name: "${name}",
  provides: ["iv"],
  options: {},
  start({ run }) {
    if (${condition}) throw new Error("${message}");
    return { fill({ iv, length }) { for (let i = 0; i < length; i++) iv[i] = 0.2; } };
  },
});
`,
  );
  const scenario = join(dir, "fails.jsonc");
  const text = (await Deno.readTextFile(scenarioPath("breakout")))
    .replace(/"iv": \{[^}]*\}/s, '"iv": { "use": "./fails.ts" }')
    .replace(/"\$schema"[^\n]*\n/, "");
  await Deno.writeTextFile(scenario, text);
  return scenario;
}

Deno.test("a plugin failing in one run of a batch exits 1, names the run and leaves nothing", async () => {
  const dir = await Deno.makeTempDir();
  const scenario = await failingScenario(
    dir,
    "fails-on-run",
    "run === 37",
    "no vol surface for this run",
  );
  for (const workers of ["1", "2"]) {
    const out = join(dir, `out${workers}`);
    const result = await cli([
      scenario,
      "--runs",
      "80",
      "--workers",
      workers,
      "--keep-runs",
      "--out",
      out,
    ], true); // in process: the sandbox keeps runs on one thread
    assertEquals(result.code, 1, result.err);
    assertStringIncludes(
      result.err,
      "[generator fails-on-run from ./fails.ts] failed to start: no vol surface",
    );
    assertStringIncludes(result.err, "run 37");
    assertEquals(listDir(out), [], `${workers} workers left files behind`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a plugin failing only in a worker stops the batch, names the run and leaves nothing", async () => {
  const dir = await Deno.makeTempDir();
  const scenario = await failingScenario(
    dir,
    "fails-in-worker",
    '"WorkerGlobalScope" in globalThis',
    "no vol surface in this thread",
  );
  const out = join(dir, "out");
  // Enough runs that the main thread cannot finish them all before the worker starts.
  const args = [scenario, "--runs", "20000", "--steps", "100", "--workers", "2", "--keep-runs"];
  // In process: the sandbox keeps runs on one thread, where this plugin does not fail.
  const result = await cli([...args, "--out", out], true);
  assertEquals(result.code, 1, result.err);
  assertStringIncludes(result.err, "[generator fails-in-worker from ./fails.ts] failed to start");
  assertStringIncludes(result.err, "no vol surface in this thread");
  assertMatch(result.err, /run \d+/);
  assertEquals(listDir(out), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a WorkerPool runs batch after batch on the same workers, with the same bytes", async () => {
  const scenario = await loadScenario(scenarioPath("false_breakout"));
  const dir = await Deno.makeTempDir();
  const summary = async (outDir: string) =>
    await Deno.readTextFile(join(outDir, "false_breakout.summary.json"));
  await runBatch(scenario, { outDir: join(dir, "fresh"), runs: 300, workers: 2 });
  using pool = new WorkerPool();
  for (const batch of ["a", "b"]) {
    const outDir = join(dir, batch);
    await runBatch(scenario, { outDir, runs: 300, workers: 2, pool });
    assertEquals(await summary(outDir), await summary(join(dir, "fresh")));
    assertEquals(pool.idle, 1, `after batch ${batch}`);
  }
  // A batch wanting more workers than are idle starts the rest, and keeps them too.
  await runBatch(scenario, { outDir: join(dir, "c"), runs: 300, workers: 3, pool });
  assertEquals(pool.idle, 2);
  pool.close();
  assertEquals(pool.idle, 0);
  await assertRejects(
    () => runBatch(scenario, { outDir: join(dir, "d"), runs: 300, workers: 2, pool }),
    Error,
    "closed WorkerPool",
  );
  assertEquals(listDir(join(dir, "d")), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a pooled worker that reports a plugin failure stays in the pool for the next batch", async () => {
  const dir = await Deno.makeTempDir();
  const failing = await loadScenario(
    await failingScenario(dir, "fails-in-worker", '"WorkerGlobalScope" in globalThis', "no"),
  );
  using pool = new WorkerPool();
  const outDir = join(dir, "out");
  await assertRejects(
    () => runBatch(failing, { outDir, runs: 20000, steps: 100, workers: 2, pool }),
    PluginError,
    "[generator fails-in-worker from ./fails.ts] failed to start",
  );
  assertEquals(listDir(outDir), []);
  assertEquals(pool.idle, 1);
  const scenario = await loadScenario(scenarioPath("breakout"));
  const report = await runBatch(scenario, { outDir, runs: 100, workers: 2, pool });
  assertEquals(report.summary!.runs, 100);
  assertEquals(pool.idle, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a batch failing on the main thread leaves no log a worker was still writing", async () => {
  const dir = await Deno.makeTempDir();
  const scenario = await failingScenario(
    dir,
    "fails-late-on-main",
    '!("WorkerGlobalScope" in globalThis) && run > 1500',
    "the main thread gives up",
  );
  // The worker writes run logs while the main thread fails: before the batch waited for its
  // workers to stop, one of their last logs landed after the clean-up about half the time.
  for (let attempt = 0; attempt < 3; attempt++) {
    const out = join(dir, `out${attempt}`);
    const args = [scenario, "--runs", "4000", "--steps", "100", "--workers", "2", "--keep-runs"];
    const result = await cli([...args, "--out", out], true); // workers: in process
    assertEquals(result.code, 1, result.err);
    assertStringIncludes(result.err, "the main thread gives up");
    assertEquals(listDir(out), [], `attempt ${attempt} left files behind`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a batch notes run logs an earlier batch left in the folder, and keeps them", async () => {
  const out = await Deno.makeTempDir();
  const batch = (...args: string[]) => cli([scenarioPath("breakout"), ...args, "--out", out]);
  assertEquals((await batch("--runs", "5", "--keep-runs")).code, 0);
  const fewer = await batch("--runs", "3", "--keep-runs");
  assertStringIncludes(fewer.out.join("\n"), "note           2 other mc_breakout_<i>.jsonl in the");
  const none = await batch("--runs", "3");
  assertStringIncludes(none.out.join("\n"), "note           5 other mc_breakout_<i>.jsonl in the");
  assertEquals(listDir(out).filter((f) => /^mc_breakout_\d+\.jsonl$/.test(f)).length, 5);
  const again = await batch("--runs", "5", "--keep-runs");
  assert(!again.out.join("\n").includes("note"), again.out.join("\n"));
  await Deno.remove(out, { recursive: true });
});

Deno.test("--keep-runs writes mc_<name>_<i>.jsonl, each the run's own JSONL", async () => {
  const dir = await Deno.makeTempDir();
  const result = await cli([
    scenarioPath("breakout"),
    "--runs",
    "12",
    "--workers",
    "2",
    "--keep-runs",
    "--out",
    dir,
  ]);
  assertEquals(result.code, 0, result.err);
  const files = listDir(dir);
  assertEquals(files.length, 16); // 12 runs, their meta file, the summary as JSON and CSV, the report
  assert(files.includes("mc_breakout_0.jsonl") && files.includes("mc_breakout_11.jsonl"));
  const meta = JSON.parse(await Deno.readTextFile(join(dir, "mc_breakout.meta.json")));
  assertEquals([meta.run, meta.seed, meta.levels.flip], [null, 42, 692.5]);
  assertStringIncludes(result.out.join("\n"), "12 mc_breakout_<i>.jsonl");
  const scenario = await loadScenario(scenarioPath("breakout"));
  for (const run of [0, 7, 11]) {
    const single = join(dir, `single${run}`);
    await runScenario(scenario, { outDir: single, run });
    assertEquals(
      await Deno.readTextFile(join(dir, `mc_breakout_${run}.jsonl`)),
      await Deno.readTextFile(join(single, "breakout.jsonl")),
      `run ${run}`,
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a batch keeps each run's files through the scenario's own sinks, a custom one too", async () => {
  const dir = await Deno.makeTempDir();
  const mod = toFileUrl(join(root, "mod.ts")).href;
  await Deno.writeTextFile(
    join(dir, "spot_csv.ts"),
    `import { defineSink } from "${mod}";
export default defineSink({
  name: "spot-csv",
  extension: "csv",
  options: {},
  start: ({ output, run }) => {
    output.write("run,step,spot\\n");
    return { write: (frames) => output.write(frames.map((f) => \`\${run},\${f.timestamp},\${f.spot}\\n\`).join("")) };
  },
});
`,
  );
  const text = (await Deno.readTextFile(scenarioPath("breakout")))
    .replace('"name": "breakout"', '"name": "kept"')
    .replace(/"steps": 200,/, '"steps": 30,')
    .replace('"shockAt": 100', '"shockAt": 20')
    .replace(
      '"sinks": [{ "use": "jsonl" }]',
      '"sinks": [{ "use": "jsonl" }, { "use": "./spot_csv.ts" }]',
    );
  await Deno.writeTextFile(join(dir, "kept.jsonc"), text);
  const out = join(dir, "out");
  const result = await cli([
    join(dir, "kept.jsonc"),
    "--runs",
    "6",
    "--workers",
    "2",
    "--keep-runs",
    "--out",
    out,
  ], true); // two threads: in process (the sandbox keeps runs on one)
  assertEquals(result.code, 0, result.err);
  assertStringIncludes(result.out.join("\n"), "6 mc_kept_<i>.jsonl, 6 mc_kept_<i>.csv");
  const scenario = await loadScenario(join(dir, "kept.jsonc"));
  for (const run of [0, 5]) {
    const csv = await Deno.readTextFile(join(out, `mc_kept_${run}.csv`));
    const lines = csv.trimEnd().split("\n");
    assertEquals(lines.length, 31);
    assertEquals(lines[1]!.startsWith(`${run},0,`), true);
    const single = join(dir, `single${run}`);
    await runScenario(scenario, { outDir: single, run });
    assertEquals(csv, await Deno.readTextFile(join(single, "kept.csv")));
    assertEquals(
      await Deno.readTextFile(join(out, `mc_kept_${run}.jsonl`)),
      await Deno.readTextFile(join(single, "kept.jsonl")),
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a monteCarlo section in the scenario runs a batch; --quiet prints nothing", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "mc.jsonc");
  const text = (await Deno.readTextFile(scenarioPath("mean_revert")))
    .replace(/"\$schema"[^\n]*\n/, "")
    .replace(/"steps": 200,/, '"steps": 50, "monteCarlo": { "runs": 30, "keepRuns": true },')
    .replace('"shockAt": 100', '"shockAt": 25');
  await Deno.writeTextFile(path, text);
  const result = await cli([path, "--out", join(dir, "out"), "--quiet"]);
  assertEquals([result.code, result.out, result.err], [0, [], ""]);
  const files = listDir(join(dir, "out"));
  assertEquals(files.length, 34);
  const summary = JSON.parse(await Deno.readTextFile(join(dir, "out", "mean_revert.summary.json")));
  assertEquals([summary.runs, summary.steps], [30, 50]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the summary of a small batch matches its golden file", async () => {
  const scenario = await loadScenario(scenarioPath("mean_revert"));
  const outDir = await Deno.makeTempDir();
  await runBatch(scenario, { outDir, runs: 200 });
  const actual = await Deno.readTextFile(join(outDir, "mean_revert.summary.json"));
  await Deno.remove(outDir, { recursive: true });
  const golden = join(root, "tests/golden/mean_revert.summary.json");
  if (update) await Deno.writeTextFile(golden, actual);
  let expected: string;
  try {
    expected = await Deno.readTextFile(golden);
  } catch {
    return fail(
      "no golden file tests/golden/mean_revert.summary.json; run with --update and review it",
    );
  }
  if (expected !== actual) {
    const a = expected.split("\n");
    const b = actual.split("\n");
    const i = a.findIndex((line, n) => line !== b[n]);
    fail(
      `mean_revert.summary.json differs from its golden at line ${i + 1}:\n  golden: ${
        a[i]
      }\n  actual: ${b[i]}`,
    );
  }
  const summary = JSON.parse(actual);
  for (
    const key of [
      "runs",
      "steps",
      "seed",
      "breachRate",
      "breachRateCI95",
      "maxLoad",
      "maxLoadQuantiles",
      "regimeShare",
      "flagCounts",
      "firstBreachStep",
      "finalSpotQuantiles",
    ]
  ) assert(key in summary, key);
});

Deno.test("ProgressBar redraws in place on a terminal, with elapsed time and ETA", () => {
  const out: string[] = [];
  let clock = 0;
  const bar = new ProgressBar(1000, {
    write: (t) => out.push(t),
    terminal: true,
    label: "mr",
    now: () => clock,
  });
  for (let done = 1; done <= 1000; done++) {
    clock += 5; // 5 s in all: nothing in the first second, then at most every 100 ms
    bar.update(done);
  }
  bar.finish();
  assert(out.length > 20 && out.length < 60, `${out.length} draws`);
  assert(out.slice(0, -1).every((t) => t.startsWith("\r\x1b[2Kmr [")));
  assertStringIncludes(out.at(-2)!, "100% 1,000/1,000 runs, elapsed 5.0s, ETA 0.0s");
  assertStringIncludes(out[0]!, "20% 200/1,000 runs, elapsed 1.0s, ETA 4.0s");
  assertEquals(out.at(-1), "\n");
});

Deno.test("ProgressBar prints nothing for a batch that ends within the first second", () => {
  const out: string[] = [];
  let clock = 0;
  for (const terminal of [true, false]) {
    const bar = new ProgressBar(10, { write: (t) => out.push(t), terminal, now: () => clock });
    for (let done = 1; done <= 10; done++) {
      clock += 50;
      bar.update(done);
    }
    bar.finish();
  }
  assertEquals(out, []);
});

Deno.test("a batch worker's modules import no npm or jsr package at run time, so it starts fast", async () => {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", join(root, "montecarlo/_worker.ts")],
    cwd: root,
    stdout: "piped",
    stderr: "null",
  }).output();
  assert(info.success);
  type Dependency = { code?: { specifier: string } };
  const graph = JSON.parse(new TextDecoder().decode(info.stdout)) as {
    roots: string[];
    modules: { specifier: string; dependencies?: Dependency[] }[];
  };
  const modules = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const loaded = (specifier: string): void => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (dependency.code) loaded(dependency.code.specifier);
    }
  };
  loaded(graph.roots[0]!);
  assert(seen.has(toFileUrl(join(root, "core/run.ts")).href), [...seen].join("\n"));
  assertEquals([...seen].filter((s) => !s.startsWith("file:")), []);
});
