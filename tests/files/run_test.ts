// Writing a run's files: what is refused before any work, and what is kept when a renderer fails.
import { assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join, toFileUrl } from "@std/path";
import { loadScenario, PluginError, runScenario, ScenarioError } from "../../mod.ts";
import { listDir } from "../cli_harness.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));

Deno.test("a run longer than its renderer can draw is refused before it starts, naming the fix", async () => {
  const scenario = await loadScenario(join(root, "scenarios/breakout.jsonc"));
  const outDir = join(await Deno.makeTempDir(), "out");
  const error = await assertRejects(
    () => runScenario(scenario, { outDir, steps: 10_000_000 }),
    ScenarioError,
    'Cannot run 10,000,000 steps with the renderer "html": it draws at most 2,000,000 frames',
  );
  assertStringIncludes(error.message, 'remove it from "renderers"');
  assertEquals(listDir(outDir), []);
});

Deno.test("when a renderer fails after the last frame, the sinks' complete files are kept", async () => {
  const dir = await Deno.makeTempDir();
  const mod = toFileUrl(join(root, "mod.ts")).href;
  await Deno.writeTextFile(
    join(dir, "broken.ts"),
    `import { defineRenderer } from "${mod}";
export default defineRenderer({
  name: "broken", extension: "svg", options: {},
  render() { throw new Error("out of ink"); },
});
`,
  );
  const text = (await Deno.readTextFile(join(root, "scenarios/breakout.jsonc")))
    .replace(
      '"renderers": [{ "use": "html" }]',
      '"renderers": [{ "use": "./broken.ts" }, { "use": "html" }]',
    );
  await Deno.writeTextFile(join(dir, "s.jsonc"), text);
  const scenario = await loadScenario(join(dir, "s.jsonc"));
  const outDir = join(dir, "out");
  const error = await assertRejects(() => runScenario(scenario, { outDir }), PluginError);
  assertStringIncludes(
    error.message,
    "[renderer broken from ./broken.ts] failed to render, after the run's last frame: out of ink",
  );
  assertStringIncludes(error.message, "not written: breakout.svg, breakout.html");
  assertStringIncludes(error.message, `wrote ${join(outDir, "breakout.jsonl")}`);
  assertEquals(listDir(outDir), ["breakout.jsonl", "breakout.meta.json"]);
  assertEquals((await Deno.readTextFile(join(outDir, "breakout.jsonl"))).split("\n").length, 201);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runScenario() reports its progress in steps, block by block, up to the last", async () => {
  const scenario = await loadScenario(join(root, "tests/fixtures/jsonl_only.jsonc"));
  const seen: [number, number][] = [];
  const outDir = await Deno.makeTempDir();
  await runScenario(scenario, {
    outDir,
    steps: 10_000,
    onProgress: (done, total) => seen.push([done, total]),
  });
  assertEquals(seen, [[4096, 10_000], [8192, 10_000], [10_000, 10_000]]);
  await Deno.remove(outDir, { recursive: true });
});
