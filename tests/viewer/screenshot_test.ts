// The README's picture is of the shipped breakout as the command writes it, not of a variant.
import { assertEquals } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { main } from "../../cli.ts";
import { SCENARIO, writeFlightView } from "../../tools/screenshot.ts";

Deno.test("tools/screenshot.ts shows the page `deno task run scenarios/breakout.jsonc` writes", async () => {
  const root = fromFileUrl(new URL("../../", import.meta.url));
  const shot = await Deno.makeTempDir({ prefix: "option-flight-shot-" });
  const run = await Deno.makeTempDir({ prefix: "option-flight-run-" });
  try {
    const page = await writeFlightView(shot);
    const code = await main([join(root, SCENARIO), "--out", run, "--quiet"]);
    assertEquals(code, 0);
    const written = await Deno.readTextFile(join(run, "breakout.html"));
    assertEquals(await Deno.readTextFile(page) === written, true, "the pages differ");
  } finally {
    await Deno.remove(shot, { recursive: true });
    await Deno.remove(run, { recursive: true });
  }
});
