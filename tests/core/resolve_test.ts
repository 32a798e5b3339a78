// Loading plugins by use string: relative paths, file: specifiers, and the built-in table.
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { fromFileUrl, join, toFileUrl } from "@std/path";
import { BUILTINS, parseScenario, PluginError, ScenarioError, simulate } from "../../mod.ts";
import type { PluginKind } from "../../core/plugin.ts";
import { resolveUse } from "../../core/resolve.ts";
import { runGenerator } from "../../testing.ts";
import skewVol from "../../examples/my_vol.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));

Deno.test("a relative use path resolves against the scenario's folder, not the working directory", async () => {
  const deno = Deno.execPath();
  const out = await Deno.makeTempDir();
  const result = await new Deno.Command(deno, {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run=deno", // the plugin beside the scenario runs in the sandbox
      join(root, "cli.ts"),
      join(root, "examples/my_scenario.jsonc"),
      "--out",
      out,
    ],
    cwd: await Deno.makeTempDir(),
    stderr: "piped",
  }).output();
  assertEquals(result.code, 0, new TextDecoder().decode(result.stderr));
  const frames = (await Deno.readTextFile(join(out, "selloff.jsonl"))).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  // The custom plugin sets IV from spot: base + skew * (flip - spot) / atr.
  const last = frames.at(-1);
  assert(Math.abs(last.iv - Math.max(0.05, 0.15 + 0.012 * (692.5 - last.spot) / 2.8)) < 1e-12);
  // The custom sink writes a header and one line a frame.
  const csv = (await Deno.readTextFile(join(out, "selloff.csv"))).trimEnd().split("\n");
  assertEquals(csv.length, frames.length + 1);
  assertEquals(csv[0], "step,spot,regime");
  assertEquals(csv.at(-1), `${last.timestamp},${last.spot},${last.regime}`);
});

Deno.test("a file: specifier loads the same plugin", async () => {
  const use = toFileUrl(join(root, "examples/my_vol.ts")).href;
  const text = (await Deno.readTextFile(join(root, "examples/my_scenario.jsonc")))
    .replace("./my_vol.ts", use)
    .replace("./spot_csv.ts", toFileUrl(join(root, "examples/spot_csv.ts")).href);
  const scenario = await parseScenario(text, {
    path: join(await Deno.makeTempDir(), "elsewhere.jsonc"),
  });
  assertEquals(scenario.generators.map((g) => g.definition.name), ["breakout", "skew-vol", "hv"]);
  assertEquals((await simulate(scenario, { steps: 5 })).length, 5);
});

Deno.test("resolveUse() passes jsr: and npm: through and refuses http(s)", () => {
  const from = { scenarioPath: "/a/b.jsonc", builtins: BUILTINS, kind: "generator" } as const;
  assertEquals(resolveUse("jsr:@scope/vol@1/plugin", from), {
    module: "jsr:@scope/vol@1/plugin",
  });
  assertEquals(resolveUse("npm:flight-vol@2", from), { module: "npm:flight-vol@2" });
  assertEquals(resolveUse("../p.ts", from), { module: "file:///p.ts" });
  assertThrows(() => resolveUse("http://x.test/p.ts", from), ScenarioError, "Refusing to import");
  assertThrows(() => resolveUse("p.ts", from), ScenarioError, 'Cannot resolve "p.ts"');
});

Deno.test("resolveUse() resolves a bare name by the kind of its section", () => {
  const from = (kind: PluginKind) => ({ scenarioPath: "/a/b.jsonc", builtins: BUILTINS, kind });
  const module = (file: string) => toFileUrl(join(root, "plugins", file)).href;
  assertEquals(resolveUse("csv", from("generator")).module, module("csv.ts"));
  assertEquals(resolveUse("csv", from("sink")).module, module("csv_sink.ts"));
  assertThrows(
    () => resolveUse("csv", from("renderer")),
    ScenarioError,
    '"csv" names a generator and a sink, not a renderer; built-in renderers are "html"',
  );
  assertThrows(
    () => resolveUse("parquet", from("generator")),
    ScenarioError,
    '"parquet" names a sink, not a generator; built-in generators are "breakout", "csv",',
  );
  assertThrows(
    () => resolveUse("parqet", from("sink")),
    ScenarioError,
    'Unknown built-in sink "parqet" (did you mean "parquet"?); built-in sinks are "csv", "events", "jsonl", "parquet"',
  );
});

Deno.test("a scenario gets the csv generator among its generators and the csv sink among its sinks", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "samples.csv"), "spot\n694\n695\n696\n");
  const scenario = await parseScenario(
    JSON.stringify({
      steps: 3,
      evaluator: { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 },
      generators: {
        spot: { use: "csv", file: "samples.csv" },
        iv: { use: "vol-path", start: 0.15 },
        hv: { use: "hv", value: 0.12 },
      },
      sinks: [{ use: "csv" }],
    }),
    { path: join(dir, "s.jsonc") },
  );
  assertEquals(scenario.generators[0]!.definition.kind, "generator");
  assertEquals(scenario.sinks.map((s) => [s.definition.kind, s.definition.name]), [[
    "sink",
    "csv",
  ]]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("generators run in channel order, whatever order the scenario lists them", async () => {
  const evaluator = { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 };
  const spot = { use: "breakout", start: 694 };
  const iv = { use: "vol-path", start: 0.15 };
  const hv = { use: "hv", window: 5, initial: 0.12 }; // reads spot, so must run after it
  const text = (generators: object) => JSON.stringify({ steps: 40, evaluator, generators });
  const path = join(root, "tests/fixtures/inline.jsonc");
  const listed = await parseScenario(text({ spot, iv, hv }), { path });
  const reversed = await parseScenario(text({ hv, iv, spot }), { path });
  assertEquals(reversed.generators.map((g) => g.key), [
    "generators.spot",
    "generators.iv",
    "generators.hv",
  ]);
  assertEquals(await simulate(reversed), await simulate(listed));
});

Deno.test("the example plugin computes skewed IV from spot", async () => {
  const spot = [692.5, 692.5 - 2.8, 692.5 + 2.8 * 20];
  const { iv } = await runGenerator(skewVol, {
    steps: 3,
    options: { skew: 0.01 },
    inputs: { spot },
  });
  assertEquals([...iv].map((v) => Math.round(v * 1e12) / 1e12), [0.15, 0.16, 0.05]);
});

Deno.test("every file in plugins/ is in the built-in table under its kebab-case name and kind", async () => {
  const files = [...Deno.readDirSync(join(root, "plugins"))].map((e) => e.name).filter((n) =>
    n.endsWith(".ts") && !n.startsWith("_") && n !== "mod.ts"
  ).sort();
  assert(files.length > 0);
  for (const file of files) {
    const module = toFileUrl(join(root, "plugins", file)).href;
    const { default: definition } = await import(module);
    // `<name>.ts`, or `<name>_<kind>.ts` for a name another kind's built-in has too.
    const stem = file.replace(/\.ts$/, "");
    const name = stem.replace(new RegExp(`_${definition.kind}$`), "").replaceAll("_", "-");
    assertEquals(definition.name, name, `plugins/${file} should define "${name}"`);
    if (stem.endsWith(`_${definition.kind}`)) {
      assert(
        BUILTINS.some((b) => b.name === name && b.kind !== definition.kind),
        `plugins/${file}: only a name two kinds share takes the kind in its file name`,
      );
    }
    const builtin = BUILTINS.find((b) => b.name === name && b.kind === definition.kind);
    assertEquals(
      await builtin?.load(),
      definition,
      `plugins/${file} should be the built-in ${definition.kind} "${name}"`,
    );
    // Batch workers import a built-in by its module.
    assertEquals(builtin?.module, module);
  }
  assertEquals(BUILTINS.length, files.length);
});

Deno.test("scenarios/scenario.schema.json is up to date (deno task schema rewrites it)", async () => {
  const { schemaText, SCHEMA_PATH } = await import("../../tools/schema.ts");
  assertEquals(await Deno.readTextFile(SCHEMA_PATH), await schemaText());
});

Deno.test("the README documents every option of every built-in plugin", async () => {
  const readme = await Deno.readTextFile(join(root, "README.md"));
  for (const builtin of BUILTINS) {
    const { name, kind } = builtin;
    const definition = await builtin.load();
    // A name two kinds share has a section for each: "**`csv`** (generator" and "(sink".
    const section = readme.indexOf(`**\`${name}\`** (${kind}`);
    assert(section >= 0, `README has no section for the ${kind} "${name}"`);
    const next = readme.indexOf("\n**`", section + 1);
    const text = readme.slice(section, next < 0 ? undefined : next);
    for (const option of Object.keys(definition.options)) {
      assert(
        text.includes(`\`${option}\``),
        `README section of the ${kind} "${name}" does not document "${option}"`,
      );
    }
  }
});

Deno.test("a generator with an async start hook runs, and its rejection names the plugin", async () => {
  const dir = await Deno.makeTempDir();
  const mod = toFileUrl(join(root, "mod.ts")).href;
  const plugin = (name: string, body: string) =>
    `import { defineGenerator } from "${mod}";
export default defineGenerator({
  name: "${name}",
  provides: ["iv"],
  options: {},
  async start({ random, run }) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    ${body}
    return { fill({ iv, length }) { for (let i = 0; i < length; i++) iv[i] = 0.1 + 0.01 * random.next(); } };
  },
});
`;
  await Deno.writeTextFile(join(dir, "slow.ts"), plugin("slow-vol", ""));
  await Deno.writeTextFile(
    join(dir, "fails.ts"),
    plugin("late-failure", 'if (run === 1) throw new Error("no surface");'),
  );
  const scenario = (use: string) =>
    parseScenario(
      JSON.stringify({
        steps: 20,
        evaluator: { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 },
        generators: {
          spot: { use: "breakout", start: 694 },
          iv: { use },
          hv: { use: "hv", value: 0.12 },
        },
      }),
      { path: join(dir, "s.jsonc") },
    );
  const frames = await simulate(await scenario("./slow.ts"), { run: 2 });
  assertEquals(frames.length, 20);
  assert(frames.every((f) => f.iv >= 0.1 && f.iv < 0.11));
  assertEquals(await simulate(await scenario("./slow.ts"), { run: 2 }), frames);
  const failing = await scenario("./fails.ts");
  assertEquals((await simulate(failing, { run: 0 })).length, 20);
  await assertRejects(
    () => simulate(failing, { run: 1 }),
    PluginError,
    "[generator late-failure from ./fails.ts] failed to start: no surface",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an evaluator's non-finite X or bad regime code fails the run at that step", async () => {
  const dir = await Deno.makeTempDir();
  const mod = toFileUrl(join(root, "mod.ts")).href;
  const testing = toFileUrl(join(root, "testing.ts")).href;
  /** A scenario whose evaluator, in `file`, writes `x` and `regime`, expressions of `step`. */
  const scenarioWith = async (file: string, x: string, regime: string) => {
    await Deno.writeTextFile(
      join(dir, file),
      `import { defineEvaluator } from "${mod}";
import { EXAMPLE_LEVELS } from "${testing}";
export default defineEvaluator({
  name: "bad-envelope",
  options: {},
  start() {
    return {
      levels: EXAMPLE_LEVELS,
      evaluate(samples, out) {
        for (let i = 0; i < samples.length; i++) {
          const step = samples.start + i;
          out.x[i] = ${x};
          out.y[i] = 1;
          out.z[i] = 0.5;
          out.regime[i] = ${regime};
          out.flags[i] = 0;
        }
      },
    };
  },
});
`,
    );
    return await parseScenario(
      JSON.stringify({
        steps: 20,
        evaluator: { use: `./${file}` },
        generators: {
          spot: { use: "mean-revert", start: 694, target: 692.5 },
          iv: { use: "vol-path", start: 0.15 },
          hv: { use: "hv", value: 0.12 },
        },
      }),
      { path: join(dir, "s.jsonc") },
    );
  };
  const infinite = await scenarioWith("infinite.ts", "step === 7 ? Infinity : 1", "1");
  const error = await assertRejects(() => simulate(infinite), PluginError);
  assertStringIncludes(
    error.message,
    "[evaluator bad-envelope from ./infinite.ts] produced x Infinity",
  );
  assertStringIncludes(error.message, "step 7");
  const badCode = await scenarioWith("bad_code.ts", "1", "step === 9 ? 9 : 1");
  const codeError = await assertRejects(() => simulate(badCode), PluginError);
  assertStringIncludes(codeError.message, "produced regime code 9 and flag mask 0");
  assertStringIncludes(codeError.message, "step 9");
  await Deno.remove(dir, { recursive: true });
});
