// The page's embedded data is written by plugins/html.ts and read by viewer/data.ts; a log is
// read by plugins/_jsonl_parse.ts. These tests check that both roads give the viewer the
// frames the run made, the levels in force on each frame included when the levels move.
import { assert, assertEquals } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { type Frame, REGIMES } from "../../core/frame.ts";
import { loadScenario, simulate } from "../../mod.ts";
import { parseJsonl } from "../../plugins/_jsonl_parse.ts";
import envelope from "../../plugins/envelope.ts";
import html, { type HtmlOptions } from "../../plugins/html.ts";
import { formatJsonl } from "../../plugins/jsonl.ts";
import { readOptions } from "../../testing.ts";
import {
  type Columns,
  columnsOf,
  decodeFrames,
  type EmbeddedFrames,
  embeddedLevels,
  type EmbeddedView,
  hasDates,
  levelsAt,
  MOVING_LEVELS,
  VIEW_FORMAT,
} from "../../viewer/data.ts";
import { EXAMPLE_LEVELS, exampleFrames, movingFrames } from "./_frames.ts";
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
    levels: c.levels &&
      Object.fromEntries(Object.entries(c.levels).map(([name, v]) => [name, [...v!]])),
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

Deno.test("the viewer's moving levels are the envelope's, in the order frames carry them", () => {
  assertEquals([...MOVING_LEVELS], [...envelope.movingLevels!]);
});

Deno.test("levels that move survive both roads, frame by frame; static runs carry none", async () => {
  const moving = movingFrames(30);
  const fromLog = columnsOf(parseJsonl(formatJsonl(moving)).frames);
  const view = await embeddedView(moving, EXAMPLE_LEVELS);
  const fromPage = decodeFrames(view.frames);
  assertEquals(plain(fromPage), plain(fromLog));
  for (const name of MOVING_LEVELS) {
    assertEquals([...fromLog.levels![name]!], moving.map((f) => f[name]), name);
  }
  // what the page embeds is plain JSON, null where a frame carries none
  const json = JSON.parse(JSON.stringify(view.frames));
  assertEquals(plain(decodeFrames(json)), plain(fromLog));

  const fixed = exampleFrames(30);
  assertEquals(embeddedLevels(fixed), undefined);
  const page = await embeddedView(fixed, EXAMPLE_LEVELS);
  assertEquals("levels" in page.frames, false, "a static run's page embeds what it did before");
  assertEquals(decodeFrames(page.frames).levels, null);
  assertEquals(columnsOf(fixed).levels, null);
});

Deno.test("frames that carry only some levels, or bad ones, fall back to the run's", () => {
  const [a, b, c] = movingFrames(3);
  assert(a && b && c);
  const { atr: _atr, ...noAtr } = b;
  const frames = [a, noAtr, { ...c, flip: "693" } as unknown as Frame];
  const embedded = embeddedLevels(frames)!;
  assertEquals(embedded.atr, [a.atr, null, c.atr]);
  assertEquals(embedded.flip, [a.flip, b.flip, null]);
  const columns = columnsOf(frames);
  assertEquals(plain(decodeFrames({ ...decodeInput(frames), levels: embedded })), plain(columns));
  assert(Number.isNaN(columns.levels!.atr![1]));
  const fallback = { atr: 9, flip: 600, putWall: 500, callWall: 700 };
  assertEquals(levelsAt(columns, 0, fallback), {
    atr: a.atr,
    flip: a.flip,
    putWall: a.putWall,
    callWall: a.callWall,
  });
  assertEquals(levelsAt(columns, 1, fallback).atr, 9);
  assertEquals(levelsAt(columns, 2, fallback).flip, 600);
  assertEquals(levelsAt(columns, 1, null).atr, undefined);
  assertEquals(levelsAt(columnsOf(exampleFrames(1)), 0, fallback), fallback);
  assertEquals(levelsAt(columnsOf(exampleFrames(1)), 0, null), {
    atr: undefined,
    flip: undefined,
    putWall: undefined,
    callWall: undefined,
  });
  // columns the page holds that are not lists, or levels that are not ours, are no levels
  const odd = { ...decodeInput(frames), levels: { atr: 3, strike: [1, 2, 3] } as never };
  assertEquals(decodeFrames(odd).levels, null);
});

/** The embedded form of frames without levels, built as plugins/html.ts builds it. */
function decodeInput(frames: readonly Frame[]): EmbeddedFrames {
  return {
    length: frames.length,
    timestamp: columnsOf(frames).timestamp as (number | string)[] | null,
    spot: frames.map((f) => f.spot),
    iv: frames.map((f) => f.iv),
    hv: frames.map((f) => f.hv),
    x: frames.map((f) => f.x),
    y: frames.map((f) => f.y),
    z: frames.map((f) => f.z),
    regime: frames.map((f) => REGIMES.indexOf(f.regime)).join(""),
    flags: columnsOf(frames).flags.join(""),
  };
}

Deno.test("hasDates(): ISO 8601 timestamps are dates; steps and other numbers are not", () => {
  assertEquals(hasDates(columnsOf(movingFrames(3))), true);
  const timed = exampleFrames(3).map((f, i) => ({ ...f, timestamp: `2024-03-01T14:3${i}:00Z` }));
  assertEquals(hasDates(columnsOf(timed)), true);
  assertEquals(hasDates(columnsOf(exampleFrames(3))), false, "steps");
  assertEquals(hasDates(columnsOf(exampleFrames(3).slice(1))), false, "numbers from 1");
  const mixed = timed.map((f, i) => i === 1 ? { ...f, timestamp: 1 } : f);
  assertEquals(hasDates(columnsOf(mixed)), false, "a number among the dates");
  assertEquals(hasDates(columnsOf([])), false, "no frames");
});

const sharedData = join(fromFileUrl(new URL("../../", import.meta.url)), "../shared/data");
const dataPresent = await Deno.stat(sharedData).then(() => true, () => false);

Deno.test({
  name: "a real replay (spy_2020_crash) keeps its dates and each day's levels on both roads",
  // needs ../shared/data, as tests/plugins/history_test.ts does (which fails without it in CI)
  ignore: !dataPresent,
  async fn() {
    const file = fromFileUrl(new URL("../../scenarios/spy_2020_crash.jsonc", import.meta.url));
    const frames = await simulate(await loadScenario(file));
    const fromLog = columnsOf(parseJsonl(formatJsonl(frames)).frames);
    const view = await embeddedView(frames, undefined);
    const fromPage = decodeFrames(view.frames);
    assertEquals(plain(fromPage), plain(fromLog));
    assertEquals(hasDates(fromPage), true);
    assertEquals(fromPage.timestamp![0], frames[0]!.timestamp);
    const atr = fromLog.levels!.atr!;
    assert(new Set(atr).size > 1, "the ATR moves day by day");
    const last = frames.length - 1;
    const record = frames[last] as unknown as Record<string, number>;
    assertEquals(levelsAt(fromPage, last, null), {
      atr: record.atr,
      flip: record.flip,
      putWall: record.putWall,
      callWall: record.callWall,
    });
  },
});
