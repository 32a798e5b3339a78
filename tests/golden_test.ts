// Golden regression: every scenario in scenarios/ runs, and its outputs must match
// tests/golden/ byte for byte. `deno task test:update` rewrites them on purpose.
import { assert, assertEquals, assertNotEquals, fail } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { loadScenario, runScenario } from "../mod.ts";

const root = fromFileUrl(new URL("../", import.meta.url));
const goldenDir = join(root, "tests/golden");
const update = Deno.args.includes("--update");
const scenarios = [...Deno.readDirSync(join(root, "scenarios"))]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".jsonc"))
  .sort();

/**
 * Scenarios that replay ../shared/data: skipped where it is absent (not under CI=true). The
 * S&P 500 file has no licence, so its frames have no committed golden (tests/plugins/
 * history_test.ts checks SOURCES.md's values instead); SPY (MIT) and VIX (PDDL) files allow one.
 */
const REAL_DATA: Record<string, { golden: boolean }> = {
  "spx_2022_12.jsonc": { golden: false },
  "spy_2020_crash.jsonc": { golden: true },
};
const shared = await Deno.stat(join(root, "../shared/data")).then(() => true, () => false);
if (!shared && Deno.env.get("CI") === "true") {
  Deno.test("../shared/data is beside the checkout under CI", () =>
    fail("../shared/data is absent"));
} else if (!shared) {
  console.warn("Skipping the real-data scenarios' goldens: ../shared/data not found");
}

/** The first line where two texts differ, shown from both sides. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `first difference at line ${i + 1}:\n  golden: ${a[i] ?? "(end of file)"}\n  actual: ${
        b[i] ?? "(end of file)"
      }`;
    }
  }
  return "texts are equal";
}

async function runToText(file: string, seed?: number): Promise<Map<string, string>> {
  const scenario = await loadScenario(join(root, "scenarios", file));
  const outDir = await Deno.makeTempDir();
  const report = await runScenario(scenario, { outDir, ...(seed === undefined ? {} : { seed }) });
  const texts = new Map<string, string>();
  for (const path of report.files.filter((f) => f.endsWith(".jsonl"))) {
    texts.set(path.slice(outDir.length + 1), await Deno.readTextFile(path));
  }
  await Deno.remove(outDir, { recursive: true });
  return texts;
}

Deno.test("scenarios/ holds the three shipped scenarios", () => {
  for (const name of ["breakout.jsonc", "false_breakout.jsonc", "mean_revert.jsonc"]) {
    assert(scenarios.includes(name), name);
  }
});

for (const file of scenarios) {
  const real = REAL_DATA[file];
  const ignore = real !== undefined && !shared;
  Deno.test({
    name: `scenarios/${file} matches its golden output`,
    ignore: ignore || real?.golden === false,
  }, async () => {
    const outputs = await runToText(file);
    assert(outputs.size > 0, `${file} wrote no JSONL`);
    for (const [name, actual] of outputs) {
      const golden = join(goldenDir, name);
      if (update) await Deno.writeTextFile(golden, actual);
      let expected: string;
      try {
        expected = await Deno.readTextFile(golden);
      } catch {
        return fail(`no golden file tests/golden/${name}; run deno task test:update and review it`);
      }
      if (expected !== actual) {
        fail(`${name} differs from tests/golden/${name}; ${firstDifference(expected, actual)}`);
      }
    }
  });

  Deno.test({
    name:
      `scenarios/${file} gives identical bytes on a rerun and, if random, other frames for another seed`,
    ignore,
  }, async () => {
    const first = await runToText(file);
    assertEquals(await runToText(file), first);
    const other = await runToText(file, 1234567);
    // A replay of real days draws nothing: its seed changes no frame.
    for (const [name, text] of first) {
      if (real) assertEquals(other.get(name), text, name);
      else assertNotEquals(other.get(name), text, name);
    }
  });
}
