// Error goldens: each bad scenario in tests/errors/ and the exact message it must produce.
// `deno task test:update` rewrites the .txt files; review the diff before committing.
import { assertEquals, assertInstanceOf } from "@std/assert";
import { loadScenario, ScenarioError } from "../../mod.ts";
import { fromFileUrl } from "@std/path";

const dir = fromFileUrl(new URL("../errors/", import.meta.url));
const update = Deno.args.includes("--update");
const cases = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".jsonc"))
  .sort();

for (const file of cases) {
  Deno.test(`loadScenario() rejects errors/${file} with its golden message`, async () => {
    let error: unknown;
    try {
      await loadScenario(dir + file);
    } catch (caught) {
      error = caught;
    }
    assertInstanceOf(error, ScenarioError);
    const message = error.message.replaceAll(dir, "") + "\n";
    const golden = dir + file.replace(/\.jsonc$/, ".txt");
    if (update) await Deno.writeTextFile(golden, message);
    assertEquals(message, await Deno.readTextFile(golden));
  });
}

Deno.test("loadScenario() accepts a UTF-8 byte order mark at the start of the file", async () => {
  const path = await Deno.makeTempFile({ suffix: ".jsonc" });
  const text = await Deno.readTextFile(new URL("../../scenarios/breakout.jsonc", import.meta.url));
  await Deno.writeTextFile(
    path,
    `\uFEFF${text.replace('"$schema": "./scenario.schema.json",', "")}`,
  );
  assertEquals((await loadScenario(path)).name, "breakout");
  await Deno.remove(path);
});
