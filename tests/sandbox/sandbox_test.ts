// Plugins from outside option-flight, run as a user runs them (`deno task run`): what they may
// not do fails with a message naming the plugin and the permission, exit 1, and no file.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join, toFileUrl } from "@std/path";
import { listDir } from "../cli_harness.ts";
import { runScenario } from "../../files/run.ts";
import { runBatch } from "../../montecarlo/batch.ts";
import { loadScenario } from "../../plugins/mod.ts";
import { scanScenario } from "../../sandbox/mod.ts";

const root = new URL("../../", import.meta.url).pathname;
const hostile = new URL("./hostile/hostile.ts", import.meta.url).href;
const example = join(root, "examples/my_scenario.jsonc");

/** Runs `deno task run <args>` from the repository, as from a fresh shell. */
async function run(args: string[]) {
  const env = Deno.env.toObject();
  delete env.INIT_CWD;
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--config", join(root, "deno.json"), "run", ...args],
    cwd: root,
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  // The line `deno task` echoes is not the command's.
  const err = text(result.stderr).split("\n").filter((l) => !l.includes("Task")).join("\n");
  return { code: result.code, out: text(result.stdout), err };
}

/** A scenario in a fresh folder whose IV comes from the hostile plugin doing `act`. */
async function scenario(act: string, target = "") {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "hostile.jsonc");
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      name: "hostile",
      seed: 1,
      steps: 50,
      evaluator: { use: "envelope", atr: 2, flip: 100, putWall: 95, callWall: 105 },
      generators: {
        spot: { use: "mean-revert", start: 100 },
        iv: { use: hostile, act, target },
        hv: { use: "hv", value: 0.15 },
      },
    }),
  );
  return { dir, file, out: join(dir, "out") };
}

const absent = (path: string) => Deno.lstat(path).then(() => false, () => true);

Deno.test("a plugin from outside option-flight runs sandboxed and writes the same files", async () => {
  const out = await Deno.makeTempDir();
  const result = await run([example, "--out", out, "--quiet"]);
  assertEquals(result.code, 0, result.err);
  const inProcess = await Deno.makeTempDir();
  await runScenario(await loadScenario(example), { outDir: inProcess });
  const files = listDir(out);
  assertEquals(files, ["selloff.csv", "selloff.jsonl", "selloff.meta.json"]);
  for (const name of files) {
    assertEquals(await Deno.readFile(join(out, name)), await Deno.readFile(join(inProcess, name)));
  }
});

const REFUSED: [act: string, permission: string][] = [
  ["read-outside", "was refused read access to"],
  ["write-absolute", "was refused write access to"],
  ["write-up", "was refused write access to"],
  ["write-here", "was refused write access to"],
  ["symlink", "Deno.symlinkSync() requires unscoped --allow-read and --allow-write"],
  ["network", 'was refused net access to "127.0.0.1:8765"'],
  ["env", 'was refused env access to "HOME"'],
  ["subprocess", 'was refused run access to "true"'],
];

for (const [act, permission] of REFUSED) {
  Deno.test(`a plugin that tries ${act} fails, names itself and the permission, writes nothing`, async () => {
    const outside = join(await Deno.makeTempDir(), "escaped");
    // A relative target lands beside the repository (write-up) or in it (write-here).
    const target = act.startsWith("write-") && act !== "write-absolute"
      ? `escaped-${crypto.randomUUID()}`
      : act === "read-outside"
      ? "/etc/hostname"
      : outside;
    const { file, out } = await scenario(act, target);
    const result = await run([file, "--out", out]);
    assertEquals(result.code, 1, result.err);
    assertStringIncludes(result.err, "[generator hostile from file:");
    assertStringIncludes(result.err, permission);
    assertStringIncludes(result.err, "README: What a plugin may do");
    assert(!result.err.includes("run again with"), "no advice to grant the plugin more");
    assert(await absent(out), "no output folder");
    for (const path of [outside, join(root, target), join(root, "..", target)]) {
      assert(await absent(path), `nothing at ${path}`);
    }
  });
}

Deno.test("a plugin that reads outside its folder while it loads fails before any run", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "loader.jsonc");
  const loader = new URL("./hostile/loader.ts", import.meta.url).href;
  const text = (await Deno.readTextFile(new URL("./hostile/scenario.jsonc", import.meta.url)))
    .replace('"./hostile.ts", "act": "none"', JSON.stringify(loader));
  await Deno.writeTextFile(file, text);
  const result = await run([file, "--out", join(dir, "out")]);
  assertEquals(result.code, 1, result.err);
  assertStringIncludes(result.err, "failed to load: was refused read access to");
  assert(await absent(join(dir, "out")));
});

Deno.test("a hook that hangs is stopped at --plugin-timeout, named, with no output", async () => {
  const { file, out } = await scenario("hang");
  const result = await run([file, "--out", out, "--plugin-timeout", "1"]);
  assertEquals(result.code, 1, result.err);
  assertStringIncludes(result.err, "[generator hostile from file:");
  assertStringIncludes(result.err, "did not return from its fill hook within 1 s");
  assert(await absent(out));
});

Deno.test("a plugin that allocates without bound stops at --plugin-memory, with no output", async () => {
  const { file, out } = await scenario("allocate");
  const result = await run([file, "--out", out, "--plugin-memory", "128"]);
  assertEquals(result.code, 1, result.err);
  assertStringIncludes(result.err, "ran out of memory");
  assertStringIncludes(result.err, "limited to 128 MB (raise it with --plugin-memory)");
  assert(!result.err.includes("Last few GCs"), "V8's heap dump is not shown");
  assert(await absent(out));
});

Deno.test("a sandboxed batch gives the statistics of the same batch in process", async () => {
  const out = await Deno.makeTempDir();
  const args = ["--runs", "12", "--workers", "2", "--seed", "3"];
  const result = await run([example, ...args, "--out", out, "--quiet"]);
  assertEquals(result.code, 0, result.err);
  const inProcess = await Deno.makeTempDir();
  await runBatch(await loadScenario(example), { outDir: inProcess, runs: 12, seed: 3 });
  const summary = (dir: string) => Deno.readTextFile(join(dir, "selloff.summary.json"));
  assertEquals(await summary(out), await summary(inProcess));
  // Kept runs too: each run through the scenario's sinks, the custom CSV one included.
  const kept = join(out, "kept");
  const keptRun = await run([example, ...args, "--keep-runs", "--out", kept, "--quiet"]);
  assertEquals(keptRun.code, 0, keptRun.err);
  const keptInProcess = join(inProcess, "kept");
  await runBatch(await loadScenario(example), {
    outDir: keptInProcess,
    runs: 12,
    seed: 3,
    keepRuns: true,
  });
  assertEquals(listDir(kept), listDir(keptInProcess));
  for (const name of ["mc_selloff_11.jsonl", "mc_selloff_11.csv", "selloff.summary.json"]) {
    assertEquals(
      await Deno.readFile(join(kept, name)),
      await Deno.readFile(join(keptInProcess, name)),
    );
  }
});

Deno.test("--plugin-timeout and --plugin-memory take whole numbers in range", async () => {
  const { file, out } = await scenario("none");
  const result = await run([file, "--out", out, "--plugin-timeout", "0", "--plugin-memory", "x"]);
  assertEquals(result.code, 2);
  assertStringIncludes(result.err, "Option --plugin-timeout: expected an integer in [1, 86400]");
  assertStringIncludes(result.err, "Option --plugin-memory: expected an integer in [64, 1048576]");
});

Deno.test("Ctrl-C during a sandboxed run ends the sandbox and leaves no file", async () => {
  const { file, out } = await scenario("none");
  const { tasks } = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const flags = (tasks.run as string).split(" ").filter((word) => word.startsWith("--"));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, join(root, "cli.ts"), file, "--steps", "10000000", "--out", out],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Once the sandbox has started writing: the output folder then exists.
  for (let i = 0; i < 200 && await absent(out); i++) await new Promise((r) => setTimeout(r, 25));
  child.kill("SIGINT");
  const result = await child.output();
  const err = new TextDecoder().decode(result.stderr);
  assertEquals(result.code, 130, err);
  assertStringIncludes(err, "Interrupted by SIGINT: nothing was written");
  assert(await absent(out), "no output folder, no temporary file");
});

const data = join(root, "../shared/data");
const dataPresent = await Deno.stat(data).then(() => true, () => false);

Deno.test({
  name: "in the sandbox, built-ins still read the data files they name, outside its folder",
  ignore: !dataPresent,
}, async () => {
  // A replay of ../shared/data from a scenario elsewhere, with a plugin from outside.
  const dir = await Deno.makeTempDir();
  const file = join(dir, "replay.jsonc");
  const text = (await Deno.readTextFile(join(root, "scenarios/spx_2022_12.jsonc")))
    .replaceAll("../../shared/data/", `${data}/`)
    .replace(
      '"sinks": [{ "use": "jsonl" }]',
      `"sinks": [{ "use": "jsonl" }, { "use": "${
        toFileUrl(join(root, "examples/spot_csv.ts"))
      }" }]`,
    )
    .replace(/"renderers": \[[^\]]*\]/, '"renderers": []');
  await Deno.writeTextFile(file, text);
  const out = join(dir, "out");
  const result = await run([file, "--out", out, "--quiet"]);
  assertEquals(result.code, 0, result.err);
  assertEquals(listDir(out), ["spx_2022_12.csv", "spx_2022_12.jsonl", "spx_2022_12.meta.json"]);
  assertEquals(
    (await Deno.readTextFile(join(out, "spx_2022_12.csv"))).split("\n")[1],
    "2022-12-01,4076.570068359375,CRUISE",
  );
});

/** A project folder: a scenario whose IV comes from a relative plugin beside it. */
async function project(): Promise<{ dir: string; file: string }> {
  const dir = await Deno.makeTempDir();
  const mod = toFileUrl(join(root, "mod.ts")).href;
  await Deno.writeTextFile(
    join(dir, "flat_iv.ts"),
    `import { defineGenerator, number } from "${mod}";
export default defineGenerator({
  name: "flat-iv",
  provides: ["iv"],
  options: { value: number({ doc: "IV", min: 0, minExclusive: true, default: 0.2 }) },
  start: ({ options }) => ({ fill: (b) => b.iv.fill(options.value, 0, b.length) }),
});
`,
  );
  const file = join(dir, "flat.jsonc");
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      name: "flat",
      seed: 3,
      steps: 60,
      evaluator: { use: "envelope", atr: 2, flip: 100, putWall: 95, callWall: 105 },
      generators: {
        spot: { use: "mean-revert", start: 100 },
        iv: { use: "./flat_iv.ts" },
        hv: { use: "hv", value: 0.15 },
      },
    }),
  );
  return { dir, file };
}

Deno.test("a tape naming a relative plugin finds it beside the original scenario, sandboxed", async () => {
  const { dir, file } = await project();
  const first = join(dir, "out");
  const made = await run([file, "--out", first, "--quiet"]);
  assertEquals(made.code, 0, made.err);
  const tape = join(first, "flat.meta.json");
  const scan = await scanScenario(tape);
  assertEquals(scan.foreign, [{
    use: "./flat_iv.ts",
    module: toFileUrl(join(dir, "flat_iv.ts")).href,
  }]);
  // The project moves, scenario, plugin and output together: the tape's path still holds.
  const moved = `${dir}-moved`;
  await Deno.rename(dir, moved);
  const again = join(moved, "again");
  const replay = await run([join(moved, "out", "flat.meta.json"), "--out", again, "--quiet"]);
  assertEquals(replay.code, 0, replay.err);
  for (const name of ["flat.jsonl", "flat.meta.json"]) {
    assertEquals(
      await Deno.readFile(join(again, name)),
      await Deno.readFile(join(moved, "out", name)),
    );
  }
  await Deno.remove(moved, { recursive: true });
});

Deno.test("a tape's foreign plugin runs in the sandbox: reading outside is refused, nothing written", async () => {
  const { dir, file } = await project();
  const made = await run([file, "--out", join(dir, "out"), "--quiet"]);
  assertEquals(made.code, 0, made.err);
  // The plugin beside the scenario turns hostile: its tape must not run it unsandboxed.
  const secret = await Deno.makeTempFile();
  const plugin = join(dir, "flat_iv.ts");
  const text = await Deno.readTextFile(plugin);
  const read = `start: ({ options }) => {\n    Deno.readTextFileSync(${
    JSON.stringify(secret)
  });\n    return`;
  await Deno.writeTextFile(
    plugin,
    text.replace("start: ({ options }) => (", `${read} (`).replace(
      "length) }),\n",
      "length) });\n  },\n",
    ),
  );
  const out = join(dir, "again");
  const replay = await run([join(dir, "out", "flat.meta.json"), "--out", out, "--quiet"]);
  assertEquals(replay.code, 1, replay.err);
  assertStringIncludes(replay.err, "was refused read access to");
  assert(await absent(out), "nothing is written");
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(secret);
});
