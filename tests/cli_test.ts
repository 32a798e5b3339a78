// The command end to end: outputs, flags, exit codes, and what a failed run leaves behind.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join, relative } from "@std/path";
import { cli, listDir } from "./cli_harness.ts";
import { parse as parseCsv } from "@std/csv";
import { SWEEP_COLUMNS } from "../montecarlo/mod.ts";

const root = fromFileUrl(new URL("../", import.meta.url));
const breakout = join(root, "scenarios/breakout.jsonc");
const fixture = (name: string) => join(root, "tests/fixtures", name);

Deno.test("run writes <name>.jsonl into --out and prints a summary", async () => {
  const out = await Deno.makeTempDir();
  const result = await cli([breakout, "--out", out]);
  assertEquals(result.code, 0);
  assertEquals(listDir(out), ["breakout.html", "breakout.jsonl", "breakout.meta.json"]);
  const lines = (await Deno.readTextFile(join(out, "breakout.jsonl"))).split("\n");
  assertEquals(lines.length, 201); // 200 frames and the final newline
  assertEquals(result.out[0], "breakout: 200 frames, seed 42");
  assertStringIncludes(result.out.join("\n"), "RUPTURE");
  assertStringIncludes(result.out.join("\n"), "BREACH");
  assertStringIncludes(result.out.join("\n"), "breakout.jsonl");
});

Deno.test("--seed and --steps override the scenario", async () => {
  const out = await Deno.makeTempDir();
  assertEquals((await cli([breakout, "--out", out, "--steps", "30", "--seed", "7"])).code, 0);
  const text = await Deno.readTextFile(join(out, "breakout.jsonl"));
  assertEquals(text.split("\n").length, 31);
  const other = await Deno.makeTempDir();
  await cli([breakout, "--out", other, "--steps", "30", "--seed", "8"]);
  assert(text !== await Deno.readTextFile(join(other, "breakout.jsonl")));
});

Deno.test("--quiet prints nothing on success and --help prints the usage", async () => {
  const out = await Deno.makeTempDir();
  assertEquals((await cli([breakout, "--out", out, "--quiet"])).out, []);
  const help = await cli(["--help"]);
  assertEquals(help.code, 0);
  assertStringIncludes(help.out.join("\n"), "Usage: deno task run <scenario.jsonc>");
});

Deno.test("bad arguments exit 2 with a message naming the argument", async () => {
  const cases: [string[], string][] = [
    [[breakout, "--stpes", "5"], 'Unknown option "--stpes"'],
    [[breakout, "--steps", "0"], 'Option --steps: expected an integer in [1, 10000000], got "0"'],
    [
      [breakout, "--seed", "-1"],
      'Option --seed: expected an integer in [0, 9007199254740991], got "-1"',
    ],
    [[], "Expected one scenario file, got none"],
    [[breakout, breakout], "Expected one scenario file"],
    [["no/such/file.jsonc"], "no/such/file.jsonc: Cannot read the scenario file"],
  ];
  for (const [args, message] of cases) {
    const result = await cli(args);
    assertEquals(result.code, 2, args.join(" "));
    assertStringIncludes(result.err, message);
    assertEquals(result.err.split("\n").length, 1, result.err);
  }
});

Deno.test("a bad scenario exits 2 and writes nothing", async () => {
  const out = join(await Deno.makeTempDir(), "out");
  const result = await cli([join(root, "tests/errors/walls_reversed.jsonc"), "--out", out]);
  assertEquals(result.code, 2);
  assertStringIncludes(result.err, 'Cannot read "evaluator.putWall"');
  assertEquals(listDir(out), []);
});

Deno.test("a throwing plugin exits 1 naming the plugin, step and seed, and leaves no partial file", async () => {
  const out = await Deno.makeTempDir();
  await Deno.writeTextFile(join(out, "throwing.jsonl"), "earlier good run\n");
  const result = await cli([fixture("throwing.jsonc"), "--out", out]);
  assertEquals(result.code, 1);
  assertStringIncludes(
    result.err,
    "[generator throwing from ./throwing.ts] threw while filling steps 0 to 19: vol surface missing",
  );
  assertStringIncludes(result.err, "seed 42");
  assertEquals(listDir(out), ["throwing.jsonl"]);
  assertEquals(await Deno.readTextFile(join(out, "throwing.jsonl")), "earlier good run\n");
});

Deno.test("a NaN from a plugin stops the run at that step, and no output folder is made", async () => {
  const out = join(await Deno.makeTempDir(), "new");
  const result = await cli([fixture("nan_iv.jsonc"), "--out", out]);
  assertEquals(result.code, 1);
  assertStringIncludes(
    result.err,
    "[generator nan-iv from ./nan_iv.ts] produced iv NaN, expected a finite number > 0",
  );
  assertStringIncludes(result.err, "step 3, seed 42");
  assertEquals(await Deno.stat(out).then(() => "made", () => "absent"), "absent");
});

Deno.test("an output path that is a symbolic link is refused, and its target is untouched", async () => {
  const out = await Deno.makeTempDir();
  const outside = join(await Deno.makeTempDir(), "precious.txt");
  await Deno.writeTextFile(outside, "keep\n");
  await Deno.symlink(outside, join(out, "breakout.jsonl"));
  const result = await cli([breakout, "--out", out]);
  assertEquals(result.code, 2);
  assertStringIncludes(result.err, "Refusing to replace a symbolic link");
  assertEquals(await Deno.readTextFile(outside), "keep\n");
});

Deno.test("an output folder that cannot be made exits 2 naming it, with no stack trace", async () => {
  const file = await Deno.makeTempFile();
  const out = join(file, "out");
  for (const args of [[breakout], [breakout, "--runs", "20"]]) {
    const result = await cli([...args, "--out", out]);
    assertEquals(result.code, 2, result.err);
    assertStringIncludes(result.err, `Cannot write into the output folder ${out}: Not a directory`);
    assert(!result.err.includes("    at "), result.err);
  }
});

Deno.test({
  name: "a file that cannot grow exits 2 naming it, leaving nothing, in a run and in a batch",
  // A file-size limit stands in for a full disk: with SIGXFSZ ignored, writes past it fail with
  // EFBIG ("File too large"), a plain Error from the operating system like ENOSPC.
  ignore: Deno.build.os === "windows",
  async fn() {
    const deno = Deno.execPath();
    const cases = [
      // Streamed by the JSONL sink, past its buffer.
      {
        kb: 256,
        args: [breakout, "--steps", "20000"],
        names: (out: string) => join(out, "breakout.jsonl"),
      },
      {
        kb: 256,
        args: [breakout, "--steps", "5000", "--runs", "4", "--workers", "2", "--keep-runs"],
        names: (out: string) => join(out, "mc_breakout_"),
      },
      // Small enough to stay in the sink's buffer until the output set commits it.
      {
        kb: 16,
        args: [fixture("jsonl_only.jsonc")],
        names: (out: string) => join(out, "jsonl_only.jsonl"),
      },
    ];
    for (const { kb, args, names } of cases) {
      const script = `trap '' XFSZ; ulimit -f ${kb}; exec "$@"`;
      const out = await Deno.makeTempDir();
      const cli = [join(root, "cli.ts"), ...args, "--out", out, "--quiet"];
      const result = await new Deno.Command("bash", {
        args: ["-c", script, "bash", deno, "run", "--allow-read", "--allow-write", ...cli],
        cwd: root,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(result.stderr);
      assertEquals(result.code, 2, err);
      assertStringIncludes(err, `Cannot write ${names(out)}`);
      assertStringIncludes(err, "File too large");
      assertEquals(err.split("Cannot write").length, 2, err);
      assert(!err.includes("    at "), err);
      assertEquals(listDir(out), []);
    }
  },
});

Deno.test("the command exits with main's code when run as a program", async () => {
  const deno = Deno.execPath();
  const run = (args: string[]) =>
    new Deno.Command(deno, {
      args: ["run", "--allow-read", "--allow-write", join(root, "cli.ts"), ...args],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
  const bad = await run([join(root, "tests/errors/syntax_error.jsonc")]);
  assertEquals(bad.code, 2);
  assertStringIncludes(
    new TextDecoder().decode(bad.stderr),
    "syntax_error.jsonc:3:12: Cannot parse JSONC",
  );
  const out = await Deno.makeTempDir();
  const good = await run([breakout, "--out", out, "--quiet"]);
  assertEquals(good.code, 0);
  assertEquals(listDir(out), ["breakout.html", "breakout.jsonl", "breakout.meta.json"]);
});

Deno.test("the bench runs with the V8 flags of the run task, the one place they are set", async () => {
  const { tasks } = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const flags = (task: string) => /--v8-flags=(\S+)/.exec(task)?.[1];
  assert(flags(tasks.run), "the run task sets V8 flags");
  assertEquals(flags(tasks.bench), flags(tasks.run));
  assertEquals(flags(tasks.merge), undefined);
});

/** Runs `deno task <args>` as a user types it, from `cwd`, with this repository's deno.json. */
async function task(cwd: string, args: string[]) {
  // As from a fresh shell: `deno task test` set INIT_CWD, which `deno task` would keep.
  const env = Deno.env.toObject();
  delete env.INIT_CWD;
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--config", join(root, "deno.json"), ...args],
    cwd,
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, out: text(result.stdout), err: text(result.stderr) };
}

Deno.test("deno task run resolves paths against the folder the user runs it in", async () => {
  const out = await Deno.makeTempDir();
  const here = await task(join(root, "scenarios"), ["run", "breakout.jsonc", "--out", out]);
  assertEquals(here.code, 0, here.err);
  assertEquals(listDir(out), ["breakout.html", "breakout.jsonl", "breakout.meta.json"]);
  // An absolute --out is shown as given; a relative one too, against the user's folder.
  assertStringIncludes(here.out, `wrote    ${join(out, "breakout.jsonl")}`);
  const user = await Deno.makeTempDir();
  await Deno.copyFile(breakout, join(user, "mine.jsonc"));
  const mine = await task(user, ["run", "mine.jsonc", "--out", "results", "--quiet"]);
  assertEquals(mine.code, 0, mine.err);
  assertEquals(listDir(join(user, "results")), [
    "breakout.html",
    "breakout.jsonl",
    "breakout.meta.json",
  ]);
  const missing = await task(user, ["run", "nope.jsonc"]);
  assertEquals(missing.code, 2);
  assertStringIncludes(missing.err, `nope.jsonc: Cannot read the scenario file`);
  assertStringIncludes(missing.err, `(a relative path, resolved against ${user})`);
  await Deno.remove(user, { recursive: true });
  await Deno.remove(out, { recursive: true });
});

Deno.test("a run's meta file holds its seed, levels and thresholds, and no absolute path", async () => {
  const out = await Deno.makeTempDir();
  assertEquals((await cli([breakout, "--out", out, "--seed", "9", "--quiet"])).code, 0);
  const text = await Deno.readTextFile(join(out, "breakout.meta.json"));
  const meta = JSON.parse(text);
  assertEquals(meta.format, "option-flight/run-meta");
  assertEquals([meta.scenario, meta.seed, meta.run, meta.steps], ["breakout", 9, 0, 200]);
  assertEquals(meta.levels, {
    atr: 2.8,
    flip: 692.5,
    putWall: 680,
    callWall: 700,
    riskProxyBase: 1,
  });
  assertEquals(meta.thresholds.taxiX, 0.3);
  assertEquals(meta.fingerprint.length, 64);
  // The tape names its scenario relative to the meta file, never by an absolute path.
  assertEquals(meta.tape.file, relative(out, join(root, "scenarios/breakout.jsonc")));
  assert(!text.includes(`"${root}`) && !text.includes(out), text);
});

Deno.test("a plugin's every shape problem and its syntax error's place are reported at once", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    join(dir, "broken.ts"),
    'export default {\n  kind: "generator",\n  provides: [,\n',
  );
  await Deno.writeTextFile(
    join(dir, "bare.ts"),
    'export default { kind: "sink", name: "Bare", start() {} };\n',
  );
  const scenario = JSON.stringify({
    steps: 5,
    evaluator: { use: "envelope", atr: 1, flip: 10, putWall: 5, callWall: 15 },
    generators: {
      spot: { use: "./broken.ts" },
      iv: { use: "vol-path", start: 0.1 },
      hv: { use: "hv", value: 0.1 },
    },
    sinks: [{ use: "./bare.ts" }],
  });
  await Deno.writeTextFile(join(dir, "s.jsonc"), scenario);
  const result = await cli([join(dir, "s.jsonc"), "--out", join(dir, "out")]);
  assertEquals(result.code, 2);
  assertStringIncludes(
    result.err,
    `Cannot load plugin "./broken.ts": ${join(dir, "broken.ts")}:3:`,
  );
  for (const problem of ['a kebab-case "name"', 'an "options" object', 'an "extension"']) {
    assertStringIncludes(result.err, `Plugin "./bare.ts" needs ${problem}`);
  }
  assertEquals(listDir(join(dir, "out")), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("work estimated to take days or to write terabytes is refused, unless --force", async () => {
  const out = join(await Deno.makeTempDir(), "out");
  const long = await cli([breakout, "--runs", "10000000", "--steps", "10000000", "--out", out]);
  assertEquals(long.code, 2);
  assertStringIncludes(
    long.err,
    "Refusing to start: 10,000,000 runs x 10,000,000 steps would take about",
  );
  assertStringIncludes(long.err, "pass --force to run it anyway");
  const kept = await cli([
    breakout,
    "--runs",
    "100000",
    "--steps",
    "100000",
    "--keep-runs",
    "--out",
    out,
  ]);
  assertEquals(kept.code, 2);
  assertStringIncludes(kept.err, "would keep about 2,000 GB of runs (the limit is 10 GB)");
  // A million kept runs of 200 steps, about 40 GB: over the limit too.
  const million = await cli([breakout, "--runs", "1000000", "--keep-runs", "--out", out]);
  assertEquals(million.code, 2);
  assertStringIncludes(million.err, "would keep about 40 GB of runs");
  // With --force the same estimate starts: this scenario's generator then fails at once.
  const huge = ["--runs", "10000000", "--steps", "10000000", "--workers", "1", "--out", out];
  assertEquals((await cli([fixture("throwing.jsonc"), ...huge])).code, 2);
  const forced = await cli([fixture("throwing.jsonc"), ...huge, "--force"]);
  assertEquals(forced.code, 1, forced.err);
  assertStringIncludes(forced.err, "[generator throwing from ./throwing.ts] threw while filling");
});

Deno.test("kept runs estimated past the free disk space are refused, even with --force", async () => {
  const out = join(await Deno.makeTempDir(), "out");
  const args = ["--runs", "10000000", "--steps", "10000", "--keep-runs", "--force", "--out", out];
  const result = await cli([breakout, ...args]);
  assertEquals(result.code, 2, result.err);
  assertMatch(result.err, /would write about 20,000 GB, more than the [\d,]+ GB free where /);
  assertEquals(listDir(out), []);
});

/** Starts the command as the run task does, and sends it `signal` once it has run `ms` ms. */
async function interrupt(args: string[], signal: Deno.Signal, ms: number) {
  const { tasks } = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const flags = (tasks.run as string).split(" ").filter((word) => word.startsWith("--"));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, join(root, "cli.ts"), ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill(signal), ms);
  const result = await child.output();
  clearTimeout(timer);
  return { code: result.code, err: new TextDecoder().decode(result.stderr) };
}

Deno.test("Ctrl-C during a long run exits 130, says nothing was written, and leaves no file", async () => {
  const out = join(await Deno.makeTempDir(), "out");
  const result = await interrupt(
    [fixture("jsonl_only.jsonc"), "--steps", "10000000", "--out", out],
    "SIGINT",
    1500,
  );
  assertEquals(result.code, 130, result.err);
  assertStringIncludes(result.err, "Interrupted by SIGINT: nothing was written");
  assertEquals(await Deno.stat(out).then(() => "made", () => "absent"), "absent");
});

Deno.test("SIGTERM during a batch keeping its runs exits 143 and leaves only earlier files", async () => {
  const out = await Deno.makeTempDir();
  await Deno.writeTextFile(join(out, "earlier.txt"), "keep\n");
  for (const workers of ["1", "2"]) {
    const args = [breakout, "--runs", "200000", "--keep-runs", "--workers", workers, "--out", out];
    const result = await interrupt(args, "SIGTERM", 2000);
    assertEquals(result.code, 143, result.err);
    assertStringIncludes(result.err, "Interrupted by SIGTERM");
    // Hidden temporary files included: the folder holds what it held before.
    assertEquals([...Deno.readDirSync(out)].map((e) => e.name), ["earlier.txt"]);
  }
  assertEquals(await Deno.readTextFile(join(out, "earlier.txt")), "keep\n");
});

Deno.test("past a file-size limit the run task's command exits 2 naming the file, not of SIGXFSZ", async () => {
  const { tasks } = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const flags = (tasks.run as string).split(" ").filter((word) => word.startsWith("--"));
  const out = await Deno.makeTempDir();
  const script = `ulimit -f 256; exec "$@"`;
  const cli = [join(root, "cli.ts"), breakout, "--steps", "20000", "--out", out, "--quiet"];
  // Deno writes its own caches on other threads, where the limit would kill it: fill them first.
  const warm = [join(root, "cli.ts"), breakout, "--steps", "20", "--out", await Deno.makeTempDir()];
  await new Deno.Command(Deno.execPath(), { args: ["run", ...flags, ...warm], cwd: root }).output();
  const result = await new Deno.Command("bash", {
    args: ["-c", script, "bash", Deno.execPath(), "run", ...flags, ...cli],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(result.stderr);
  assertEquals(result.code, 2, err);
  assertStringIncludes(err, `Cannot write ${join(out, "breakout.jsonl")}: File too large`);
  assertEquals(listDir(out), []);
});

Deno.test("temporary files a killed run left are removed by the next run into the folder, with a note", async () => {
  const out = await Deno.makeTempDir();
  // A run killed mid-way: its temporary file stays, its lock file stays but is free.
  await Deno.writeTextFile(join(out, ".breakout.jsonl.123-1.tmp"), "half a log");
  await Deno.writeTextFile(join(out, ".option-flight-123-1.lock"), "");
  // A run still going: it holds its lock, so its file stays.
  const live = await Deno.open(join(out, ".option-flight-456-1.lock"), {
    write: true,
    create: true,
  });
  await live.lock(true);
  await Deno.writeTextFile(join(out, ".other.456-1.tmp"), "still being written");
  const result = await cli([breakout, "--out", out, "--steps", "20"]);
  assertEquals(result.code, 0, result.err);
  assertStringIncludes(
    result.out.join("\n"),
    "note     removed 1 temporary file that a killed earlier run left",
  );
  const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
  assertEquals(names, [
    ".option-flight-456-1.lock",
    ".other.456-1.tmp",
    "breakout.html",
    "breakout.jsonl",
    "breakout.meta.json",
  ]);
  live.close();
});

Deno.test("the command's tables group digits, use plurals and round figures to their accuracy", async () => {
  const out = await Deno.makeTempDir();
  const batch = (await cli([breakout, "--runs", "2000", "--out", out])).out.join("\n");
  assertStringIncludes(batch, "breakout: 2,000 runs x 200 steps, seed 42");
  assertStringIncludes(batch, "BREACH 346,634  OVERSPEED 330,244  STALL 0 frames");
  assertStringIncludes(batch, "per run p5 1.80  p50 2.01  p95 2.24"); // 2^-8: three digits
  assertStringIncludes(batch, "final spot     p5 729.7  p50 749.6  p95 770.1"); // 2^-13
  const one = (await cli([breakout, "--runs", "1", "--out", out])).out.join("\n");
  assertStringIncludes(one, "breakout: 1 run x 200 steps");
  const run = (await cli([breakout, "--steps", "1", "--out", out])).out.join("\n");
  assertStringIncludes(run, "breakout: 1 frame, seed 42");
});

// --sweep: a batch per combination of scenario values, one table of their summaries.

Deno.test("--sweep writes one CSV row per combination, the same bytes with 1 and 2 workers", async () => {
  const dirs: string[] = [];
  const sweep = [
    "--sweep",
    "evaluator.callWall=698,704,712",
    "--sweep=generators.spot.noise=0.2,0.4",
  ];
  for (const workers of ["1", "2"]) {
    const out = await Deno.makeTempDir();
    const args = [breakout, ...sweep, "--runs", "120", "--steps", "60", "--workers", workers];
    const result = await cli([...args, "--out", out]);
    assertEquals(result.code, 0, result.err);
    assertEquals(listDir(out), [
      "breakout.sweep.csv",
      "breakout.sweep.html",
      "breakout.sweep.json",
    ]);
    assertEquals(
      result.out[0],
      "breakout: sweep of 6 combinations x 120 runs x 60 steps, seed 42 (the same in every combination)",
    );
    assertMatch(result.out[1]!, /^ {2}evaluator\.callWall {2}generators\.spot\.noise {2}breach/);
    assertMatch(result.out[2]!, /^ {2}698 {17}0\.2 {20}\d/);
    dirs.push(out);
  }
  for (const name of listDir(dirs[0]!)) {
    assertEquals(
      await Deno.readFile(join(dirs[1]!, name)),
      await Deno.readFile(join(dirs[0]!, name)),
      name,
    );
  }
  const csv = parseCsv(await Deno.readTextFile(join(dirs[0]!, "breakout.sweep.csv")));
  assertEquals(csv[0]!.slice(0, 6), [
    "evaluator.callWall",
    "generators.spot.noise",
    "runs",
    "steps",
    "breachRuns",
    "breachRate",
  ]);
  assertEquals(csv[0]!.length, 2 + SWEEP_COLUMNS.length);
  assertEquals(csv.slice(1).map((row) => row.slice(0, 4)), [
    ["698", "0.2", "120", "60"],
    ["698", "0.4", "120", "60"],
    ["704", "0.2", "120", "60"],
    ["704", "0.4", "120", "60"],
    ["712", "0.2", "120", "60"],
    ["712", "0.4", "120", "60"],
  ]);
  // A call wall farther from a breakout up is breached by fewer runs, for either noise.
  const rate = csv[0]!.indexOf("breachRate");
  const rates = csv.slice(1).map((row) => Number(row[rate]));
  for (const noise of [0, 1]) {
    const [near, mid, far] = [rates[noise]!, rates[2 + noise]!, rates[4 + noise]!];
    assert(near >= mid && mid >= far && near > far, `${rates}`);
  }
  const json = JSON.parse(await Deno.readTextFile(join(dirs[0]!, "breakout.sweep.json")));
  assertEquals(json.axes, [
    { key: "evaluator.callWall", values: [698, 704, 712] },
    { key: "generators.spot.noise", values: [0.2, 0.4] },
  ]);
  assertEquals(json.rows[5].values, [712, 0.4]);
  assertEquals(json.rows[5].summary.breachRate, rates[5]);
  const html = await Deno.readTextFile(join(dirs[0]!, "breakout.sweep.html"));
  assertStringIncludes(html, "<title>Parameter sweep: breakout</title>");
  assertEquals(html.match(/<tr><td>/g)?.length, 6);
});

Deno.test("--sweep with a bad key or value exits 2 naming it, and writes nothing", async () => {
  const cases: [string[], string][] = [
    [
      ["--sweep", "evaluator.atr=-1,2"],
      'Cannot read "evaluator.atr": expected a number > 0, got -1 (with --sweep evaluator.atr=-1)',
    ],
    [["--sweep", "generators.spot.noize=0.1"], 'Cannot read "generators.spot.noize": unknown key'],
    [
      ["--sweep", "generators.vol.noise=0.1"],
      'Option --sweep "generators.vol.noise": names no generator',
    ],
    [["--sweep", "seed=1,2"], 'Option --sweep "seed": every combination runs with the same seed'],
    [
      ["--sweep", "generators.spot.direction=up,sideways"],
      'Cannot read "generators.spot.direction"',
    ],
    [["--sweep", "evaluator.atr"], 'Option --sweep "evaluator.atr": expected key=v1,v2,...'],
    [["--sweep"], "Option --sweep: expected key=v1,v2,... after it"],
    [["--sweep", "evaluator.atr=1", "--sweep", "evaluator.atr=2"], "the key is given twice"],
    [
      ["--sweep", "evaluator.atr=2", "--shard", "1/2"],
      "Option --sweep does not apply with --shard",
    ],
    [
      ["--sweep", "evaluator.atr=2", "--keep-runs"],
      "Option --sweep does not apply with --keep-runs",
    ],
  ];
  for (const [flags, message] of cases) {
    const out = join(await Deno.makeTempDir(), "out");
    const result = await cli([breakout, "--runs", "10", "--out", out, ...flags]);
    assertEquals(result.code, 2, `${flags.join(" ")}: ${result.err}`);
    assertStringIncludes(result.err, message, flags.join(" "));
    assert(!result.err.includes("    at "), result.err);
    assertEquals(await Deno.stat(out).then(() => "made", () => "absent"), "absent");
  }
  const merge = await cli(["merge", "x.json", "--sweep", "evaluator.atr=2"]);
  assertEquals(merge.code, 2);
  assertStringIncludes(merge.err, "Option --sweep does not apply with merge");
});

Deno.test("--sweep counts every combination's runs in the work it refuses without --force", async () => {
  const out = join(await Deno.makeTempDir(), "out");
  const values = Array.from({ length: 100 }, (_, i) => 698 + i / 10).join(",");
  // One of these batches would be allowed: a hundred of them would take days.
  const args = [
    breakout,
    "--runs",
    "10000000",
    "--steps",
    "10000",
    "--sweep",
    `evaluator.callWall=${values}`,
  ];
  const result = await cli([...args, "--workers", "2", "--out", out]);
  assertEquals(result.code, 2, result.err);
  assertStringIncludes(
    result.err,
    "Refusing to start: 100 combinations of 10,000,000 runs x 10,000 steps",
  );
  assertEquals(listDir(out), []);
});

Deno.test("--sweep of a plugin from outside option-flight runs in the sandbox, as in process", async () => {
  const example = join(root, "examples/my_scenario.jsonc");
  const args = [
    example,
    "--runs",
    "40",
    "--steps",
    "80",
    "--sweep",
    "generators.iv.skew=0.005,0.02",
  ];
  const sandboxed = await Deno.makeTempDir();
  const inProcess = await Deno.makeTempDir();
  const result = await cli([...args, "--out", sandboxed, "--quiet"]);
  assertEquals(result.code, 0, result.err);
  assertEquals((await cli([...args, "--out", inProcess, "--quiet"], true)).code, 0);
  assertEquals(listDir(sandboxed), [
    "selloff.sweep.csv",
    "selloff.sweep.html",
    "selloff.sweep.json",
  ]);
  for (const name of listDir(sandboxed)) {
    assertEquals(
      await Deno.readFile(join(sandboxed, name)),
      await Deno.readFile(join(inProcess, name)),
    );
  }
  const bad = await cli([
    example,
    "--runs",
    "4",
    "--sweep",
    "generators.iv.skew=x",
    "--out",
    join(sandboxed, "no"),
  ]);
  assertEquals(bad.code, 2, bad.err);
  assertStringIncludes(bad.err, 'Cannot read "generators.iv.skew"');
  assertEquals(listDir(join(sandboxed, "no")), []);
});

Deno.test("every bad scenario of tests/errors exits 2 through the command, naming its file, writing nothing", async () => {
  const dir = join(root, "tests/errors");
  const out = await Deno.makeTempDir();
  for (const name of listDir(dir).filter((n) => n.endsWith(".jsonc"))) {
    const result = await cli([join(dir, name), "--out", out]);
    assertEquals(result.code, 2, `${name}: ${result.err}`);
    assertStringIncludes(result.err, name);
  }
  assertEquals(listDir(out), []);
  await Deno.remove(out, { recursive: true });
});
