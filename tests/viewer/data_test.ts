// The page's embedded data is written by plugins/html.ts and read by viewer/data.ts; a log is
// read by plugins/_jsonl_parse.ts. These tests check that both roads give the viewer the
// frames the run made.
import { assert, assertEquals } from "@std/assert";
import type { Frame } from "../../core/frame.ts";
import { parseJsonl } from "../../plugins/_jsonl_parse.ts";
import html, { type HtmlOptions } from "../../plugins/html.ts";
import { readOptions } from "../../testing.ts";
import {
  type Columns,
  columnsOf,
  decodeFrames,
  type EmbeddedView,
  VIEW_FORMAT,
} from "../../viewer/data.ts";
import { EXAMPLE_LEVELS, exampleFrames } from "./_frames.ts";
import { shippedRuns } from "./_scenarios.ts";

async function embeddedView(
  frames: readonly Frame[],
  levels: object | undefined,
): Promise<EmbeddedView> {
  const page = await html.render({
    options: readOptions<HtmlOptions>(html, {}),
    name: "data",
    file: "scenario.jsonc",
    seed: 7,
    run: 0,
    steps: frames.length,
    frames,
    levels,
  }) as string;
  const open = '<script type="application/json" id="flight-data">';
  const start = page.indexOf(open) + open.length;
  return JSON.parse(page.slice(start, page.indexOf("</script>", start)));
}

function plain(c: Columns): Record<string, unknown> {
  return {
    n: c.n,
    timestamp: c.timestamp,
    spot: [...c.spot],
    iv: [...c.iv],
    hv: [...c.hv],
    x: [...c.x],
    y: [...c.y],
    z: [...c.z],
    regime: [...c.regime],
    flags: [...c.flags],
  };
}

Deno.test("the viewer decodes the frames html embeds, exactly, for every shipped scenario", async () => {
  for (const { file, frames, levels } of await shippedRuns()) {
    const view = await embeddedView(frames, levels);
    assertEquals(view.format, VIEW_FORMAT, file);
    assertEquals(view.levels, JSON.parse(JSON.stringify(levels)), file);
    assertEquals(plain(decodeFrames(view.frames)), plain(columnsOf(frames)), file);
  }
});

Deno.test("a run read back from its JSONL log has the columns of its page", async () => {
  for (const { file, frames, levels } of await shippedRuns()) {
    const { frames: read, bad } = parseJsonl(frames.map((f) => JSON.stringify(f) + "\n").join(""));
    assertEquals(bad, [], file);
    const view = await embeddedView(frames, levels);
    assertEquals(plain(columnsOf(read)), plain(decodeFrames(view.frames)), file);
  }
});

Deno.test("string timestamps survive both roads; step timestamps are not stored", async () => {
  const steps = exampleFrames(5);
  assertEquals(decodeFrames((await embeddedView(steps, EXAMPLE_LEVELS)).frames).timestamp, null);
  const timed = steps.map((f, i) => ({ ...f, timestamp: `2024-03-0${i + 1}T14:30:00Z` }));
  const fromPage = decodeFrames((await embeddedView(timed, undefined)).frames);
  const fromLog = columnsOf(parseJsonl(timed.map((f) => JSON.stringify(f)).join("\n")).frames);
  assertEquals(fromPage.timestamp, timed.map((f) => f.timestamp));
  assertEquals(fromLog.timestamp, fromPage.timestamp);
  const shifted = columnsOf(steps.slice(1));
  assertEquals(shifted.timestamp, [1, 2, 3, 4], "steps from 1 are not step indexes");
});

Deno.test("flag masks: BREACH 1, OVERSPEED 2, STALL 4, repeats counted once", () => {
  const [frame] = exampleFrames(1);
  assert(frame);
  const c = columnsOf([
    { ...frame, flags: ["STALL", "BREACH"] },
    { ...frame, flags: ["OVERSPEED", "OVERSPEED"] },
    { ...frame, flags: [] },
  ]);
  assertEquals([...c.flags], [5, 2, 0]);
  assertEquals(
    plain(columnsOf([])),
    plain(decodeFrames({
      length: 0,
      timestamp: null,
      spot: [],
      iv: [],
      hv: [],
      x: [],
      y: [],
      z: [],
      regime: "",
      flags: "",
    })),
  );
});
