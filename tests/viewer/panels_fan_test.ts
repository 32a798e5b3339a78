// The fan a page draws from a Monte Carlo summary: what is read, what is refused, and how the
// html renderer embeds one or stops on a bad one.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import html, { type HtmlOptions } from "../../plugins/html.ts";
import { readOptions } from "../../testing.ts";
import { parseFan } from "../../viewer/panels_fan.ts";
import { EXAMPLE_LEVELS, exampleFrames } from "./_frames.ts";

const fan = {
  scenario: "demo",
  runs: 20,
  timeline: { steps: [0, 10, 20] },
  series: { z: { p5: [0.1, -0.2, -0.5], p50: [0.5, 0.4, 0.3], p95: [0.9, 1, 1.1] } },
  movingLevels: { flip: { p5: [1, 1, 1], p50: [2, 2, 2], p95: [3, 3, 3] } },
};

Deno.test("parseFan() reads spot, X, Y, Z and moving levels at the timeline's steps", () => {
  const read = parseFan(JSON.stringify(fan));
  assert(read.ok);
  assertEquals([...read.fan.steps], [0, 10, 20]);
  assertEquals(Object.keys(read.fan.bands).sort(), ["flip", "z"]);
  assertEquals([...read.fan.bands.z!.p5], [0.1, -0.2, -0.5]);
});

Deno.test("parseFan() names every bad field: lengths, strings for numbers, steps out of order", () => {
  const bad = {
    ...fan,
    runs: "many",
    timeline: { steps: [0, 10, 5] },
    series: { z: { p5: [0, "1", 2], p50: [1], p95: [1, 2, 3] } },
  };
  const read = parseFan(JSON.stringify(bad));
  assert(!read.ok);
  assertEquals(read.problems, [
    `"runs": expected a whole number of at least 1, got "many"`,
    `"timeline.steps[2]": expected a step after 10, got 5`,
    `"series.z.p5[1]": expected a finite number, got "1"`,
  ]);
  assertEquals(parseFan("{").ok, false);
  const none = parseFan(JSON.stringify({ scenario: "x", runs: 1, timeline: { steps: [0] } }));
  assert(!none.ok && none.problems[0]!.startsWith("no percentiles over steps"));
});

Deno.test("html embeds a summary named relative to the scenario; a bad one stops the render", async () => {
  const dir = await Deno.makeTempDir({ prefix: "option-flight-fan-" });
  try {
    await Deno.writeTextFile(join(dir, "ok.summary.json"), JSON.stringify(fan));
    await Deno.writeTextFile(join(dir, "bad.summary.json"), `{"scenario": "x", "runs": 0}`);
    const render = async (summary: string) =>
      await html.render({
        options: readOptions<HtmlOptions>(html, { summary }),
        name: "demo",
        file: join(dir, "scenario.jsonc"),
        seed: 1,
        run: 0,
        steps: 30,
        frames: exampleFrames(30),
        levels: EXAMPLE_LEVELS,
      });
    const page = String(await render("ok.summary.json"));
    assertStringIncludes(
      page,
      `<script type="application/json" id="flight-summary">{"scenario":"demo"`,
    );
    await assertRejects(
      () => render("bad.summary.json"),
      Error,
      `Cannot use "summary" "bad.summary.json"`,
    );
    await assertRejects(() => render("missing.summary.json"), Error, `Cannot read "summary"`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
