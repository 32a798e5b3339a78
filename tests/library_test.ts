// The library used from a user's own project, as the README tells them: a folder outside the
// repository, its deno.json the README's, a path to the checkout.
import { assert, assertEquals } from "@std/assert";
import { fromFileUrl, join } from "@std/path";

const root = fromFileUrl(new URL("../", import.meta.url));

Deno.test("a project outside the repository imports the library with the README's deno.json", async () => {
  const readme = await Deno.readTextFile(join(root, "README.md"));
  const block = /<!-- user-deno-json -->\s*```json\n([\s\S]*?)```/.exec(readme)?.[1];
  assert(block, "README shows the user's deno.json");
  const project = await Deno.makeTempDir();
  const checkout = root.replace(/\/$/, "");
  await Deno.writeTextFile(
    join(project, "deno.json"),
    block.replaceAll("../option-flight", checkout),
  );
  await Deno.writeTextFile(
    join(project, "main.ts"),
    `import { loadScenario, simulate } from "@option-flight/option-flight";
import { simulateBatch } from "@option-flight/option-flight/montecarlo";
const scenario = await loadScenario(${JSON.stringify(join(root, "scenarios/breakout.jsonc"))});
const { stats } = await simulateBatch(scenario, { to: 20, workers: 2 });
console.log((await simulate(scenario)).length, stats.runs);
`,
  );
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "main.ts"],
    cwd: project,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(result.stderr);
  assertEquals(result.code, 0, err);
  assertEquals(new TextDecoder().decode(result.stdout), "200 20\n");
  await Deno.remove(project, { recursive: true });
});
