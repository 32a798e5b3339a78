// The flight view in a real browser: Debian's Chromium, driven over a pipe by puppeteer-core.
//
// Without Chromium (at /usr/bin/chromium, or CHROMIUM_PATH) these tests are skipped, except
// under CI=true, where they fail: CI must run them.
import { assert, assertEquals, assertGreater, assertNotEquals } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import type { Frame } from "../../core/frame.ts";
import { parseJsonl } from "../../plugins/_jsonl_parse.ts";
import type { EnvelopeLevels } from "../../plugins/envelope.ts";
import { loadScenario, runScenario } from "../../mod.ts";
import { runBatch } from "../../montecarlo/mod.ts";
import { readOptions } from "../../testing.ts";
import html, { type HtmlOptions } from "../../plugins/html.ts";
import {
  type Chromium,
  DEFAULT_CHROMIUM,
  findChromium,
  type IsolatedPage,
  launchChromium,
  openIsolated,
  type Page,
} from "../../tools/chromium.ts";
import { EXAMPLE_LEVELS, exampleFrames, type MovingFrame, movingFrames } from "./_frames.ts";
import { shippedRuns } from "./_scenarios.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const chromiumPath = findChromium();
const chromiumWanted = Deno.env.get("CHROMIUM_PATH") || DEFAULT_CHROMIUM;
const inCi = Deno.env.get("CI") === "true";
if (!chromiumPath && !inCi) {
  console.warn(
    `Skipping the flight view's browser tests: no Chromium at ${chromiumWanted} ` +
      "(install it, or set CHROMIUM_PATH)",
  );
}

/** Patience for a slow, shared 2-core machine. */
const WAIT = { timeout: 60_000, polling: 50 } as const;

async function writePage(
  dir: string,
  name: string,
  frames: readonly Frame[],
  settings: { levels?: EnvelopeLevels | null; options?: Record<string, unknown> } = {},
): Promise<string> {
  const levels = settings.levels === undefined ? EXAMPLE_LEVELS : settings.levels ?? undefined;
  const text = await html.render({
    options: readOptions<HtmlOptions>(html, settings.options ?? {}),
    name,
    file: "scenario.jsonc",
    seed: 42,
    run: 0,
    steps: frames.length,
    frames,
    levels,
  });
  const path = join(dir, `${name}.html`);
  await Deno.writeTextFile(path, text as string);
  return path;
}

async function open(chromium: Chromium, path: string): Promise<IsolatedPage> {
  const opened = await openIsolated(chromium, path);
  await opened.page.waitForFunction(
    "window.__flight && window.__flight.loadedMs !== null",
    WAIT,
  );
  return opened;
}

function assertClean({ errors, blocked }: IsolatedPage): void {
  assertEquals(errors, [], "console errors");
  assertEquals(blocked, [], "network requests");
}

// In-page code is passed as strings: Deno's type library has no DOM.
const get = (page: Page, expression: string): Promise<unknown> => page.evaluate(expression);
const query = (selector: string) => `document.querySelector(${JSON.stringify(selector)})`;
const text = (page: Page, selector: string): Promise<unknown> =>
  get(page, `${query(selector)}.textContent`);
const attr = (page: Page, selector: string, name: string): Promise<unknown> =>
  get(page, `${query(selector)}.getAttribute(${JSON.stringify(name)})`);
const prop = (page: Page, selector: string, name: string): Promise<unknown> =>
  get(page, `${query(selector)}[${JSON.stringify(name)}]`);

/** The file picker; the `input` in the selector types it as one, with the DOM library or not. */
const fileInput = async (page: Page) => (await page.$("input#file-input"))!;

/** Share of canvas pixels that are clearly drawn (brighter than the dark background). */
async function drawnShare(page: Page): Promise<number> {
  return (await get(
    page,
    `(() => {
      const canvas = document.getElementById("view");
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] > 70 || data[i + 1] > 70 || data[i + 2] > 90) drawn++;
      }
      return drawn / (data.length / 4);
    })()`,
  )) as number;
}

/** A fingerprint of the canvas pixels, taken once the latest draw is on screen. */
async function pixels(page: Page): Promise<number> {
  await get(page, "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");
  return (await get(
    page,
    `(() => {
      const canvas = document.getElementById("view");
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let hash = 0;
      for (let i = 0; i < data.length; i += 4) {
        hash = (hash * 31 + data[i] + data[i + 1] * 7 + data[i + 2] * 13) % 2147483647;
      }
      return hash;
    })()`,
  )) as number;
}

async function seekWithScrubber(page: Page, frame: number): Promise<void> {
  await get(
    page,
    `(() => {
      const input = document.getElementById("scrubber");
      input.value = "${frame}";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    })()`,
  );
  await page.waitForFunction(
    `document.getElementById("frame-index").textContent === "${frame}"`,
    WAIT,
  );
}

async function assertHudShows(page: Page, frame: Frame, index: number): Promise<void> {
  await page.waitForFunction(
    `document.getElementById("frame-index").textContent === "${index}"`,
    WAIT,
  );
  assertEquals(await attr(page, "#hud-spot", "data-value"), String(frame.spot));
  assertEquals(await text(page, "#hud-spot"), frame.spot.toFixed(2));
  assertEquals(await attr(page, "#hud-iv", "data-value"), String(frame.iv));
  assertEquals(await text(page, "#hud-iv"), `${(frame.iv * 100).toFixed(2)}%`);
  assertEquals(await attr(page, "#hud-hv", "data-value"), String(frame.hv));
  assertEquals(await attr(page, "#hud-x", "data-value"), String(frame.x));
  assertEquals(await text(page, "#hud-x"), frame.x.toFixed(3));
  assertEquals(await attr(page, "#hud-y", "data-value"), String(frame.y));
  assertEquals(await attr(page, "#hud-z", "data-value"), String(frame.z));
  assertEquals(await text(page, "#hud-timestamp"), String(frame.timestamp));
  assertEquals(await text(page, "#hud-regime"), frame.regime);
  assertEquals(await attr(page, "#hud-flags", "data-flags"), frame.flags.join(","));
}

/** The HUD's level readouts show the levels this frame carries, exactly in `data-value`. */
async function assertLevelsShow(page: Page, frame: MovingFrame): Promise<void> {
  const readouts = [
    ["#hud-atr", frame.atr],
    ["#hud-flip", frame.flip],
    ["#hud-putwall", frame.putWall],
    ["#hud-callwall", frame.callWall],
  ] as const;
  for (const [id, value] of readouts) {
    assertEquals(await attr(page, id, "data-value"), String(value), id);
    assertEquals(await text(page, id), String(Number(value.toPrecision(6))), id);
  }
}

function jsonl(frames: readonly Frame[]): string {
  return frames.map((f) => JSON.stringify(f)).join("\n") + "\n";
}

/** A run's `<name>.meta.json` (SPEC §2), pretty-printed as the run writes it. */
function metaText(
  levels: EnvelopeLevels,
  run: { scenario?: string; seed?: number; run?: number; steps?: number } = {},
): string {
  const { thresholds, ...rest } = levels;
  return JSON.stringify(
    {
      format: "option-flight/run-meta",
      formatVersion: 1,
      version: "0.1.0",
      scenario: run.scenario ?? "breakout",
      fingerprint: "c0ffee".repeat(10) + "beef",
      seed: run.seed ?? 42,
      run: run.run ?? 0,
      steps: run.steps ?? 200,
      levels: rest,
      thresholds,
    },
    null,
    2,
  ) + "\n";
}

Deno.test({
  name: "flight view in Chromium",
  ignore: !chromiumPath && !inCi,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    if (!chromiumPath) {
      throw new Error(
        `No Chromium at ${chromiumWanted}; CI=true requires the browser tests ` +
          "(apt-get install chromium, or set CHROMIUM_PATH)",
      );
    }
    const dir = await Deno.makeTempDir({ prefix: "option-flight-view-" });
    const chromium = await launchChromium(chromiumPath);
    const frames = exampleFrames(200);
    const firstBreach = frames.findIndex((f) => f.flags.includes("BREACH"));
    assert(firstBreach > 0);
    const breakout = await writePage(dir, "breakout", frames);
    try {
      await t.step(
        "opens with no errors and no network, draws the envelope, shows the run",
        async () => {
          const view = await open(chromium, breakout);
          const { page } = view;
          assertGreater(await drawnShare(page), 0.01, "the canvas is drawn");
          assertEquals(await text(page, "#hud-name"), "breakout");
          assertEquals(await text(page, "#hud-seed"), "42");
          assertEquals(await text(page, "#hud-atr"), "2.8");
          assertEquals(await text(page, "#hud-flip"), "692.5");
          assertEquals(await text(page, "#hud-putwall"), "680");
          assertEquals(await text(page, "#hud-callwall"), "700");
          assertEquals(await attr(page, "body", "data-levels"), "known");
          assertEquals(await get(page, "window.__flight.frames"), 200);
          await assertHudShows(page, frames[0]!, 0);
          assertClean(view);
          await page.close();
        },
      );

      await t.step("Space plays and the frame advances; Space again pauses", async () => {
        const view = await open(chromium, breakout);
        const { page } = view;
        await page.keyboard.press("Space");
        await page.waitForFunction("window.__flight.playing && window.__flight.frame > 3", WAIT);
        assertEquals(await attr(page, "#play", "data-state"), "playing");
        await page.keyboard.press("Space");
        await page.waitForFunction("!window.__flight.playing", WAIT);
        const frame = (await get(page, "window.__flight.frame")) as number;
        await assertHudShows(page, frames[frame]!, frame);
        await page.evaluate("new Promise((r) => setTimeout(r, 300))");
        assertEquals(await get(page, "window.__flight.frame"), frame, "paused stays put");
        assertClean(view);
        await page.close();
      });

      await t.step("the scrubber and the step keys land on the expected frame", async () => {
        const view = await open(chromium, breakout);
        const { page } = view;
        await seekWithScrubber(page, 57);
        await assertHudShows(page, frames[57]!, 57);
        await page.keyboard.press(".");
        await assertHudShows(page, frames[58]!, 58);
        await page.keyboard.press(",");
        await page.keyboard.press(",");
        await assertHudShows(page, frames[56]!, 56);
        await page.keyboard.press("End");
        await assertHudShows(page, frames[199]!, 199);
        await page.keyboard.press(".");
        await assertHudShows(page, frames[199]!, 199);
        await page.keyboard.press("Home");
        await assertHudShows(page, frames[0]!, 0);
        // a mouse click in the middle of the scrubber lands in the middle of the run
        const box = (await (await page.$("#scrubber"))!.boundingBox())!;
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        await page.waitForFunction("Math.abs(window.__flight.frame - 99.5) <= 2", WAIT);
        assertClean(view);
        await page.close();
      });

      await t.step("the timeline jumps to the first BREACH; N and P walk the events", async () => {
        const view = await open(chromium, breakout);
        const { page } = view;
        const box = (await (await page.$("#timeline-events"))!.boundingBox())!;
        const x = box.x + 6 + (firstBreach / 199) * (box.width - 12);
        await page.mouse.click(x + 2, box.y + 4);
        await assertHudShows(page, frames[firstBreach]!, firstBreach);
        const events = frames.flatMap((f, i) => {
          const prev = frames[i - 1];
          if (!prev) return [];
          const onset = f.flags.some((flag) => !prev.flags.includes(flag));
          return f.regime !== prev.regime || onset ? [i] : [];
        });
        const startEvents = frames[0]!.flags.length ? [0] : [];
        const all = [...startEvents, ...events];
        await page.keyboard.press("Home");
        await page.keyboard.press("KeyN");
        await assertHudShows(page, frames[all.find((i) => i > 0)!]!, all.find((i) => i > 0)!);
        await page.keyboard.press("KeyN");
        const second = all.filter((i) => i > 0)[1]!;
        await assertHudShows(page, frames[second]!, second);
        await page.keyboard.press("KeyP");
        await assertHudShows(page, frames[all.find((i) => i > 0)!]!, all.find((i) => i > 0)!);
        assertClean(view);
        await page.close();
      });

      await t.step("camera keys, drag and wheel change the view", async () => {
        const view = await open(chromium, breakout);
        const { page } = view;
        const keys = [
          "ArrowLeft",
          "ArrowRight",
          "ArrowUp",
          "ArrowDown",
          "KeyW",
          "KeyA",
          "KeyS",
          "KeyD",
          "KeyQ",
          "KeyE",
        ] as const;
        for (const key of keys) {
          const before = await pixels(page);
          const camera = JSON.stringify(await get(page, "window.__flight.camera"));
          await page.keyboard.press(key);
          await page.waitForFunction(
            `JSON.stringify(window.__flight.camera) !== ${JSON.stringify(camera)}`,
            WAIT,
          );
          assertNotEquals(await pixels(page), before, `${key} changes the canvas`);
        }
        await page.keyboard.press("KeyR");
        const before = await pixels(page);
        const box = (await (await page.$("#view"))!.boundingBox())!;
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 20, {
          steps: 5,
        });
        await page.mouse.up();
        const dragged = await pixels(page);
        assertNotEquals(dragged, before, "drag orbits");
        await page.mouse.wheel({ deltaY: -300 });
        await page.waitForFunction("window.__flight.camera.dist < 5", WAIT);
        assertNotEquals(await pixels(page), dragged, "the wheel zooms");
        assertClean(view);
        await page.close();
      });

      await t.step(
        "? shows the key list and Esc hides it; [ ] and L set speed and loop",
        async () => {
          const view = await open(chromium, breakout);
          const { page } = view;
          assertEquals(await prop(page, "#help", "hidden"), true);
          await page.keyboard.press("?");
          assertEquals(await prop(page, "#help", "hidden"), false);
          assert(String(await text(page, "#help")).includes("play / pause"));
          await page.keyboard.press("Escape");
          assertEquals(await prop(page, "#help", "hidden"), true);
          await page.keyboard.press("]");
          assertEquals(await get(page, "window.__flight.speed"), 2);
          for (let i = 0; i < 6; i++) await page.keyboard.press("]");
          assertEquals(await get(page, "window.__flight.speed"), 16);
          for (let i = 0; i < 8; i++) await page.keyboard.press("[");
          assertEquals(await get(page, "window.__flight.speed"), 0.25);
          assertEquals(await prop(page, "#speed", "value"), "0.25");
          await page.keyboard.press("KeyL");
          assertEquals(await get(page, "window.__flight.loop"), true);
          assertEquals(await prop(page, "#loop", "checked"), true);
          assertClean(view);
          await page.close();
        },
      );

      await t.step(
        "playback stops at the last frame, or wraps to frame 0 with loop on",
        async () => {
          const short = await writePage(dir, "short", exampleFrames(30), { options: { fps: 240 } });
          const view = await open(chromium, short);
          const { page } = view;
          await page.keyboard.press("Space");
          await page.waitForFunction(
            "!window.__flight.playing && window.__flight.frame === 29",
            WAIT,
          );
          await page.keyboard.press("KeyL");
          await page.evaluate(`window.__wrapped = false; (function watch(last) {
          requestAnimationFrame(() => {
            const f = window.__flight.frame;
            if (f < last) window.__wrapped = true; else watch(f);
          });
        })(-1)`);
          await page.keyboard.press("Space");
          await page.waitForFunction("window.__wrapped === true && window.__flight.playing", WAIT);
          assertClean(view);
          await page.close();
        },
      );

      await t.step(
        "a log with bad lines: valid frames play, bad lines counted and listed",
        async () => {
          const good = exampleFrames(12, { seed: 9 });
          const lines = good.map((f) => JSON.stringify(f));
          const withExtra = JSON.stringify({ ...good[5]!, note: "extra fields are ignored" });
          const bad = [
            "not json at all",
            '{"timestamp":1,"spot":"694","iv":0.15,"hv":0.12,"x":0.5,"y":1.25,"z":0.8,"regime":"CRUISE","flags":[]}',
            '{"timestamp":1,"spot":694,"iv":0.15,"hv":0.12,"x":0.5,"y":1.25,"z":0.8,"regime":"HOVER","flags":[]}',
            '{"timestamp":1,"spot":694,"iv":0.15,"hv":0.12,"x":0.5,"y":1.25,"z":0.8,"regime":"CRUISE","flags":["STALLED"]}',
            '{"timestamp":null,"spot":694,"iv":0.15,"hv":0.12,"x":0.5,"y":1.25,"z":0.8,"regime":"CRUISE","flags":[]}',
            "[1, 2, 3]",
            '{"timestamp":1,"spot":694}',
          ];
          // line numbers:  1-3 good, 4 blank, 5 bad, 6-8 good, 9 bad, 10 bad, 11 blank, 12-14 good,
          // 15-18 bad, 19 good with an extra field, 20-22 good
          const body = [
            ...lines.slice(0, 3),
            "",
            bad[0]!,
            ...lines.slice(3, 6),
            bad[1]!,
            bad[2]!,
            "   ",
            ...lines.slice(6, 9),
            bad[3]!,
            bad[4]!,
            bad[5]!,
            bad[6]!,
            withExtra,
            ...lines.slice(9, 12),
          ];
          const path = join(dir, "bad lines.jsonl");
          await Deno.writeTextFile(path, "\uFEFF" + body.join("\r\n") + "\r\n");
          const view = await open(chromium, breakout);
          const { page } = view;
          await (await fileInput(page)).uploadFile(path);
          await page.waitForFunction(
            "window.__flight.load && window.__flight.load.name === 'bad lines.jsonl'",
            WAIT,
          );
          assertEquals(await attr(page, "#load-frames", "data-value"), "13");
          assertEquals(await attr(page, "#load-bad", "data-value"), "7");
          const listed = (await get(
            page,
            `[...document.querySelectorAll("#bad-lines li[data-line]")]
              .map((li) => [li.getAttribute("data-line"), li.textContent])`,
          )) as [string, string][];
          assertEquals(
            listed.map(([line]) => Number(line)),
            [5, 9, 10, 15, 16, 17, 18],
          );
          assert(listed[0]![1]!.startsWith("line 5: not JSON"), listed[0]![1]!);
          assertEquals(listed[1]![1], 'line 9: "spot": expected a finite number, got "694"');
          assert(
            listed[2]![1]!.includes('"regime": expected one of TAXI, CRUISE, MANEUVER, RUPTURE'),
          );
          assert(listed[3]![1]!.includes('"flags"'));
          assert(listed[4]![1]!.includes('"timestamp"'));
          assertEquals(listed[5]![1], "line 17: expected a JSON object");
          assertEquals(await get(page, "window.__flight.frames"), 13);
          assertEquals(await get(page, "window.__flight.source"), "file");
          assertEquals(await attr(page, "body", "data-levels"), "unknown");
          assertEquals(await text(page, "#hud-atr"), "unknown");
          assertEquals(await text(page, "#hud-seed"), "—");
          assertEquals(await text(page, "#hud-name"), "bad lines.jsonl");
          const played = [...good.slice(0, 9), good[5]!, ...good.slice(9, 12)];
          await assertHudShows(page, played[0]!, 0);
          await seekWithScrubber(page, 9);
          await assertHudShows(page, played[9]!, 9);
          assertGreater(await drawnShare(page), 0.01);
          await page.keyboard.press("Space");
          await page.waitForFunction(
            "window.__flight.frame > 10 || !window.__flight.playing",
            WAIT,
          );
          assertClean(view);
          await page.close();
        },
      );

      await t.step(
        "the page reads a log as parseJsonl does, and finds the thresholds its frames follow",
        async () => {
          const good = exampleFrames(5).map((f) => JSON.stringify(f));
          const long = JSON.stringify({ ...exampleFrames(1)[0]!, flags: Array(80).fill("BRAKE") });
          const hostile = [
            ...good,
            long,
            '{"timestamp":1,"spot":1e999}',
            '{"timestamp":{},"spot":694}',
            "{",
            "null",
            '"frame"',
            "[]",
            '{"timestamp":0,"spot":694,"iv":0.15,"hv":0.12,"x":0.5,"y":1.25,"z":0.8,"regime":"cruise","flags":[]}',
            '{"timestamp":0,"spot":694,"iv":0.15,"hv":0.12,"x":0.5,"y":1.25,"z":0.8,"regime":"CRUISE"}',
            "\u00a0x",
            "true",
            "1",
            '{"timestamp":0}',
            ...good,
          ].join("\n") + "\n";
          const path = join(dir, "hostile.jsonl");
          await Deno.writeTextFile(path, hostile);
          const view = await open(chromium, breakout);
          const { page } = view;
          await (await fileInput(page)).uploadFile(path);
          await page.waitForFunction("window.__flight.load?.name === 'hostile.jsonl'", WAIT);
          const { frames: expected, bad } = parseJsonl(hostile);
          assertEquals(await get(page, "window.__flight.frames"), expected.length);
          assertEquals(await attr(page, "#load-bad", "data-value"), String(bad.length));
          const listed = (await get(
            page,
            `[...document.querySelectorAll("#bad-lines li")].map((li) => li.textContent)`,
          )) as string[];
          const clip = (m: string) => m.length > 200 ? `${m.slice(0, 197)}...` : m;
          assertEquals(listed, [
            ...bad.slice(0, 10).map((b) => `line ${b.line}: ${clip(b.message)}`),
            `… and ${bad.length - 10} more bad lines`,
          ]);
          assertClean(view);
          for (const { file, frames, levels } of await shippedRuns()) {
            const log = join(dir, file.replace(".jsonc", ".jsonl"));
            await Deno.writeTextFile(log, jsonl(frames));
            await (await fileInput(page)).uploadFile(log);
            await page.waitForFunction(
              `window.__flight.load?.name === ${JSON.stringify(file.replace(".jsonc", ".jsonl"))}`,
              WAIT,
            );
            assertEquals(await get(page, "window.__flight.frames"), frames.length, file);
            assertEquals(await text(page, "#rule-TAXI"), `X < ${levels.thresholds.taxiX}`, file);
            assert(String(await text(page, "#hud-levels-note")).includes("agree with"), file);
          }
          assertClean(view);
          await page.close();
        },
      );

      await t.step("a log with no valid frame keeps the current run and says so", async () => {
        const path = join(dir, "garbage.jsonl");
        await Deno.writeTextFile(path, "hello\n\n{}\n");
        const view = await open(chromium, breakout);
        const { page } = view;
        await (await fileInput(page)).uploadFile(path);
        await page.waitForFunction(
          "window.__flight.load && window.__flight.load.name === 'garbage.jsonl'",
          WAIT,
        );
        assertEquals(await attr(page, "#load-frames", "data-value"), "0");
        assertEquals(await attr(page, "#load-bad", "data-value"), "2");
        assert(String(await text(page, "#load-message")).includes("No valid frames"));
        assertEquals(await get(page, "window.__flight.frames"), 200);
        assertEquals(await get(page, "window.__flight.source"), "embedded");
        assertEquals(await text(page, "#hud-name"), "breakout");
        assertClean(view);
        await page.close();
      });

      await t.step("values from a file are shown as text, never as HTML", async () => {
        const evil = '<img src="x" onerror="window.__pwned = 1"><b>bold</b>';
        const log = exampleFrames(3).map((f) => ({ ...f, timestamp: evil }));
        const path = join(dir, "<img src=x onerror=alert(1)>.jsonl");
        await Deno.writeTextFile(
          path,
          jsonl(log) + '{"timestamp":"<img src=y onerror=alert(2)>","spot":"<b>"}\n',
        );
        const view = await open(chromium, breakout);
        const { page } = view;
        await (await fileInput(page)).uploadFile(path);
        await page.waitForFunction(
          "window.__flight.load && window.__flight.load.frames === 3",
          WAIT,
        );
        assertEquals(await text(page, "#hud-timestamp"), evil);
        assertEquals(await text(page, "#hud-name"), "<img src=x onerror=alert(1)>.jsonl");
        assertEquals(await get(page, 'document.querySelectorAll("img").length'), 0);
        for (const id of ["#hud-timestamp", "#hud-name", "#load-file", "#bad-lines li"]) {
          assertEquals(await prop(page, id, "childElementCount"), 0, `${id} holds only text`);
        }
        assertEquals(await get(page, "window.__pwned"), undefined);
        const listed = (await text(page, "#bad-lines li")) as string;
        assert(listed!.includes('"<b>"'), listed!);
        assertClean(view);
        await page.close();
      });

      await t.step("a log dropped on the window loads", async () => {
        const log = exampleFrames(40, { seed: 5 });
        const view = await open(chromium, breakout);
        const { page } = view;
        await get(
          page,
          `(() => {
            const data = new DataTransfer();
            data.items.add(new File([${JSON.stringify(jsonl(log))}], "dropped.jsonl"));
            window.dispatchEvent(new DragEvent("dragenter", { dataTransfer: data, cancelable: true }));
            window.dispatchEvent(new DragEvent("drop", { dataTransfer: data, cancelable: true }));
          })()`,
        );
        await page.waitForFunction(
          "window.__flight.load && window.__flight.load.name === 'dropped.jsonl'",
          WAIT,
        );
        assertEquals(await get(page, "window.__flight.frames"), 40);
        assertEquals(await prop(page, "#drop-overlay", "hidden"), true);
        await seekWithScrubber(page, 33);
        await assertHudShows(page, log[33]!, 33);
        assertClean(view);
        await page.close();
      });

      await t.step("a log picked with its meta file flies with the meta's levels", async () => {
        // the files `deno task run scenarios/breakout.jsonc` writes
        const out = join(dir, "run");
        const [run] = (await shippedRuns()).filter((r) => r.file === "breakout.jsonc");
        await runScenario(await loadScenario(join(root, "scenarios", "breakout.jsonc")), {
          outDir: out,
        });
        const log = join(out, "breakout.jsonl");
        const meta = join(out, "breakout.meta.json");
        const view = await open(chromium, breakout);
        const { page } = view;
        await (await fileInput(page)).uploadFile(log, meta);
        await page.waitForFunction("window.__flight.load?.name === 'breakout.jsonl'", WAIT);
        assertEquals(await get(page, "window.__flight.source"), "file");
        assertEquals(await get(page, "window.__flight.load.meta"), {
          name: "breakout.meta.json",
          ok: true,
          problems: [],
        });
        assertEquals(await attr(page, "body", "data-levels"), "known");
        assertEquals(await text(page, "#hud-atr"), "2.8");
        assertEquals(await text(page, "#hud-flip"), "692.5");
        assertEquals(await text(page, "#hud-putwall"), "680");
        assertEquals(await text(page, "#hud-callwall"), "700");
        assertEquals(await text(page, "#hud-seed"), "42");
        assertEquals(await text(page, "#hud-name"), "breakout.jsonl");
        assert(String(await text(page, "#hud-levels-note")).includes("breakout.meta.json"));
        assertEquals(
          await text(page, "#load-meta"),
          "Levels and thresholds from breakout.meta.json.",
        );
        assertEquals(await text(page, "#rule-RUPTURE"), "X > 4.5 or Y > 2.5");
        // the shipped breakout leaves the envelope far behind: its axes bend to keep it in view
        assert(String(await text(page, "#scale-note")).includes("X compressed beyond 5"));
        assertEquals(await prop(page, "#legend-scale", "hidden"), false);
        await seekWithScrubber(page, 150);
        await assertHudShows(page, run!.frames[150]!, 150);
        assertClean(view);
        await page.close();
      });

      await t.step("a batch's kept run flies with the batch's meta file and its run", async () => {
        const out = join(dir, "batch");
        await runBatch(await loadScenario(join(root, "scenarios", "false_breakout.jsonc")), {
          outDir: out,
          runs: 3,
          keepRuns: true,
        });
        const view = await open(chromium, breakout);
        const { page } = view;
        await (await fileInput(page)).uploadFile(
          join(out, "mc_false_breakout.meta.json"),
          join(out, "mc_false_breakout_2.jsonl"),
          join(out, "mc_false_breakout_1.jsonl"),
        );
        await page.waitForFunction(
          "window.__flight.load?.name === 'mc_false_breakout_2.jsonl'",
          WAIT,
        );
        assertEquals(await attr(page, "body", "data-levels"), "known");
        assertEquals(await text(page, "#hud-callwall"), "700");
        assertEquals(await text(page, "#hud-seed"), "42 (run 2)");
        // the second log is drawn over the first in the panels
        assert(
          String(await text(page, "#load-message")).includes(
            "Overlaid in the scene and the panels: mc_false_breakout_1.jsonl",
          ),
        );
        assertEquals(await get(page, "window.__flight.overlays"), ["mc_false_breakout_1.jsonl"]);
        assertClean(view);
        await page.close();
      });

      await t.step(
        "a log and a meta file dropped together pair up whatever their names",
        async () => {
          const frames = exampleFrames(60, { seed: 9 });
          const thresholds = { ...EXAMPLE_LEVELS.thresholds, taxiX: 0.35, ruptureY: 2.75 };
          const levels = {
            ...EXAMPLE_LEVELS,
            atr: 3.1,
            flip: 4012.5,
            putWall: 3990,
            callWall: 4100,
            thresholds,
          };
          const view = await open(chromium, breakout);
          const { page } = view;
          await get(
            page,
            `(() => {
            const data = new DataTransfer();
            data.items.add(new File([${
              JSON.stringify(metaText(levels, { seed: 7, run: 3 }))
            }], "spx.meta.json"));
            data.items.add(new File([${
              JSON.stringify(jsonl(frames))
            }], "session 2024-03-01.jsonl"));
            window.dispatchEvent(new DragEvent("dragenter", { dataTransfer: data, cancelable: true }));
            window.dispatchEvent(new DragEvent("drop", { dataTransfer: data, cancelable: true }));
          })()`,
          );
          await page.waitForFunction(
            "window.__flight.load?.name === 'session 2024-03-01.jsonl'",
            WAIT,
          );
          assertEquals(await attr(page, "body", "data-levels"), "known");
          assertEquals(await text(page, "#hud-atr"), "3.1");
          assertEquals(await text(page, "#hud-flip"), "4012.5");
          assertEquals(await text(page, "#hud-putwall"), "3990");
          assertEquals(await text(page, "#hud-callwall"), "4100");
          assertEquals(await text(page, "#hud-seed"), "7 (run 3)");
          assertEquals(await text(page, "#rule-TAXI"), "X < 0.35");
          assertEquals(await text(page, "#rule-RUPTURE"), "X > 4.5 or Y > 2.75");
          // these frames were flown with other levels: the panel says so, and shows them anyway
          assert(String(await text(page, "#load-meta")).includes("says 200 steps, the log has 60"));
          assertEquals(await get(page, "window.__flight.frames"), 60);
          assertClean(view);
          await page.close();
        },
      );

      await t.step(
        "a bad meta file is ignored with a message naming it and the problem",
        async () => {
          const frames = exampleFrames(30);
          const log = join(dir, "walls.jsonl");
          await Deno.writeTextFile(log, jsonl(frames));
          const name = '<img src=x onerror="window.__pwned=1">.meta.json';
          const meta = join(dir, name);
          const wrong = { ...EXAMPLE_LEVELS, putWall: 700, callWall: 680 };
          await Deno.writeTextFile(meta, metaText(wrong, { scenario: "<b>bold</b>" }));
          const view = await open(chromium, breakout);
          const { page } = view;
          await (await fileInput(page)).uploadFile(log, meta);
          await page.waitForFunction("window.__flight.load?.name === 'walls.jsonl'", WAIT);
          assertEquals(await get(page, "window.__flight.frames"), 30);
          assertEquals(await attr(page, "body", "data-levels"), "unknown");
          assertEquals(await text(page, "#hud-atr"), "unknown");
          const message = String(await text(page, "#load-meta"));
          assert(message.startsWith(`Ignored ${name}: `), message);
          assert(
            message.includes(
              '"levels.putWall": expected a put wall below the flip (692.5), got 700',
            ),
            message,
          );
          assert(message.includes('"levels.callWall"'), message);
          assertEquals(await attr(page, "#load-meta", "class"), "problem");
          assertEquals(await prop(page, "#load-meta", "childElementCount"), 0);
          assertEquals(await get(page, 'document.querySelectorAll("img").length'), 0);
          assertEquals(await get(page, "window.__pwned"), undefined);
          const load = (await get(page, "window.__flight.load.meta")) as {
            ok: boolean;
            problems: string[];
          };
          assertEquals(load.ok, false);
          assertEquals(load.problems.length, 2);
          // another format, and numbers as text, are refused too
          const other = join(dir, "walls.meta.json");
          await Deno.writeTextFile(
            other,
            metaText(EXAMPLE_LEVELS).replace('"option-flight/run-meta"', '"something-else"'),
          );
          await (await fileInput(page)).uploadFile(log, other);
          await page.waitForFunction(
            "window.__flight.load?.meta?.name === 'walls.meta.json'",
            WAIT,
          );
          assert(
            String(await text(page, "#load-meta")).includes(
              '"format": expected "option-flight/run-meta"',
            ),
          );
          assertEquals(await attr(page, "body", "data-levels"), "unknown");
          assertClean(view);
          await page.close();
        },
      );

      await t.step("a meta file opened after its log joins it", async () => {
        const frames = exampleFrames(50, { seed: 3 });
        const log = join(dir, "later.jsonl");
        await Deno.writeTextFile(log, jsonl(frames));
        const meta = join(dir, "later.meta.json");
        await Deno.writeTextFile(meta, metaText(EXAMPLE_LEVELS, { steps: 50, seed: 3 }));
        const view = await open(chromium, breakout);
        const { page } = view;
        await (await fileInput(page)).uploadFile(log);
        await page.waitForFunction("window.__flight.load?.name === 'later.jsonl'", WAIT);
        assertEquals(await attr(page, "body", "data-levels"), "unknown");
        await (await fileInput(page)).uploadFile(meta);
        await page.waitForFunction("window.__flight.load?.name === 'later.meta.json'", WAIT);
        assertEquals(await attr(page, "body", "data-levels"), "known");
        assertEquals(await text(page, "#hud-flip"), "692.5");
        assertEquals(await text(page, "#hud-seed"), "3");
        assertEquals(await text(page, "#hud-name"), "later.jsonl");
        assertEquals(await get(page, "window.__flight.frames"), 50);
        // a meta file alone, with no log of its name on screen, changes nothing
        const stray = join(dir, "stray.meta.json");
        await Deno.writeTextFile(stray, metaText(EXAMPLE_LEVELS));
        await (await fileInput(page)).uploadFile(stray);
        await page.waitForFunction("window.__flight.load?.name === 'stray.meta.json'", WAIT);
        assert(String(await text(page, "#load-message")).includes("holds no frames"));
        assertEquals(await text(page, "#hud-name"), "later.jsonl");
        assertClean(view);
        await page.close();
      });

      await t.step("unknown levels: the HUD says so and the axes scale to the data", async () => {
        const path = await writePage(dir, "custom", frames, { levels: null });
        const view = await open(chromium, path);
        const { page } = view;
        assertEquals(await attr(page, "body", "data-levels"), "unknown");
        for (const id of ["#hud-atr", "#hud-flip", "#hud-putwall", "#hud-callwall"]) {
          assertEquals(await text(page, id), "unknown");
        }
        assert(String(await text(page, "#hud-levels-note")).includes("Levels unknown"));
        assertGreater(await drawnShare(page), 0.01);
        await page.keyboard.press("Space");
        await page.waitForFunction("window.__flight.frame > 2", WAIT);
        assertClean(view);
        await page.close();
      });

      await t.step(
        "frames no thresholds explain: no zones, axes from the data, still plays",
        async () => {
          // a custom evaluator with its own idea of regimes: every fourth frame is RUPTURE
          const odd = frames.map((f, i) => ({
            ...f,
            regime: i % 4 ? f.regime : "RUPTURE" as const,
          }));
          const path = await writePage(dir, "odd", odd, { levels: null });
          const view = await open(chromium, path);
          const { page } = view;
          assert(String(await text(page, "#hud-levels-note")).includes("No thresholds fit"));
          assertEquals(await text(page, "#rule-CRUISE"), "");
          assertGreater(await drawnShare(page), 0.01);
          await seekWithScrubber(page, 120);
          await assertHudShows(page, odd[120]!, 120);
          assertClean(view);
          await page.close();
        },
      );

      await t.step("a run with no frames opens without errors and invites a log", async () => {
        const path = await writePage(dir, "empty", []);
        const view = await open(chromium, path);
        const { page } = view;
        assertEquals(await get(page, "window.__flight.frames"), 0);
        assertEquals(await text(page, "#hud-regime"), "no frames");
        await page.keyboard.press("Space");
        await page.keyboard.press(".");
        await page.keyboard.press("ArrowLeft");
        await seekWithScrubber(page, 0);
        assertEquals(await get(page, "window.__flight.playing"), false);
        assertClean(view);
        await page.close();
      });

      await t.step("ISO 8601 timestamps are shown as given", async () => {
        const timed = exampleFrames(20).map((f, i) => ({
          ...f,
          timestamp: new Date(Date.UTC(2024, 2, 1, 14, 30 + i)).toISOString(),
        }));
        const path = await writePage(dir, "timed", timed);
        const view = await open(chromium, path);
        const { page } = view;
        await seekWithScrubber(page, 7);
        assertEquals(await text(page, "#hud-timestamp"), "2024-03-01T14:37:00.000Z");
        assertClean(view);
        await page.close();
      });

      await t.step(
        "moving levels and dates: seeking shows the frame's levels in the HUD and its date",
        async () => {
          const moving = movingFrames(30);
          const path = await writePage(dir, "moving", moving);
          const view = await open(chromium, path);
          const { page } = view;
          assertEquals(await attr(page, "body", "data-levels"), "known");
          assertEquals(await prop(page, "#timeline-dates", "hidden"), false);
          assertEquals(await text(page, "#timeline-first"), "2022-12-01");
          assertEquals(await text(page, "#timeline-last"), "2022-12-30");
          assertEquals(await prop(page, "#frame-date", "hidden"), false);
          assertEquals(await text(page, "#frame-date"), "2022-12-01");
          await assertLevelsShow(page, moving[0]!);
          assert(String(await text(page, "#hud-levels-note")).includes("The levels move"));
          await seekWithScrubber(page, 12);
          await assertHudShows(page, moving[12]!, 12);
          await assertLevelsShow(page, moving[12]!);
          assertEquals(await text(page, "#hud-timestamp"), "2022-12-13");
          assertEquals(await text(page, "#frame-date"), "2022-12-13");
          // the call wall moves in on day 15: marked on that frame, not on the next
          await seekWithScrubber(page, 14);
          assertEquals(await text(page, "#hud-callwall"), "700");
          await page.keyboard.press(".");
          await assertHudShows(page, moving[15]!, 15);
          await assertLevelsShow(page, moving[15]!);
          assertEquals(await text(page, "#hud-callwall"), "698");
          assertEquals(await attr(page, "#hud-callwall", "class"), "moved");
          await page.keyboard.press(".");
          await assertLevelsShow(page, moving[16]!);
          assertEquals(await attr(page, "#hud-callwall", "class"), "");
          assertEquals(await text(page, "#frame-date"), "2022-12-17");
          await page.keyboard.press("End");
          await assertLevelsShow(page, moving[29]!);
          assertEquals(await text(page, "#frame-date"), "2022-12-30");
          assertClean(view);

          // the same frames as a log dropped on the page, with no meta file: its own levels
          await get(
            page,
            `(() => {
              const data = new DataTransfer();
              data.items.add(new File([${JSON.stringify(jsonl(moving))}], "moving.jsonl"));
              window.dispatchEvent(new DragEvent("drop", { dataTransfer: data, cancelable: true }));
            })()`,
          );
          await page.waitForFunction("window.__flight.load?.name === 'moving.jsonl'", WAIT);
          assertEquals(await get(page, "window.__flight.source"), "file");
          assertEquals(await attr(page, "body", "data-levels"), "frames");
          assert(String(await text(page, "#load-message")).includes("as its frames carry them"));
          assertEquals(await text(page, "#timeline-first"), "2022-12-01");
          assertEquals(await text(page, "#timeline-last"), "2022-12-30");
          await seekWithScrubber(page, 21);
          await assertHudShows(page, moving[21]!, 21);
          await assertLevelsShow(page, moving[21]!);
          assertEquals(await text(page, "#frame-date"), "2022-12-22");
          assertClean(view);

          // then a static run's log: the static levels, step numbers, no dates
          await get(
            page,
            `(() => {
              const data = new DataTransfer();
              data.items.add(new File([${JSON.stringify(jsonl(frames))}], "fixed.jsonl"));
              window.dispatchEvent(new DragEvent("drop", { dataTransfer: data, cancelable: true }));
            })()`,
          );
          await page.waitForFunction("window.__flight.load?.name === 'fixed.jsonl'", WAIT);
          assertEquals(await attr(page, "body", "data-levels"), "unknown");
          assertEquals(await text(page, "#hud-flip"), "unknown");
          assertEquals(await attr(page, "#hud-flip", "data-value"), null);
          assertEquals(await prop(page, "#timeline-dates", "hidden"), true);
          assertEquals(await prop(page, "#frame-date", "hidden"), true);
          assertClean(view);
          await page.close();
        },
      );

      await t.step("static levels and steps: the HUD and the timeline are as before", async () => {
        const view = await open(chromium, breakout);
        const { page } = view;
        assertEquals(await prop(page, "#timeline-dates", "hidden"), true);
        assertEquals(await prop(page, "#frame-date", "hidden"), true);
        await seekWithScrubber(page, 120);
        for (const [id, value] of [["#hud-atr", "2.8"], ["#hud-flip", "692.5"]]) {
          assertEquals(await text(page, id!), value);
          assertEquals(await attr(page, id!, "class"), "");
          assertEquals(await attr(page, id!, "data-value"), null);
        }
        const readout = String(await text(page, "#frame-readout")).replace(/\s+/g, " ").trim();
        assertEquals(readout, "frame 120 / 199");
        assertEquals(await text(page, "#hud-levels-note"), "");
        assertClean(view);
        await page.close();
      });

      await t.step(
        "100,000 frames: the page opens and plays, and a 100,000-line log loads",
        async () => {
          const big = exampleFrames(100_000);
          const path = await writePage(dir, "big", big);
          const view = await open(chromium, path);
          const { page } = view;
          const loadedMs = (await get(page, "window.__flight.loadedMs")) as number;
          console.log(
            `    100,000-frame page: first frame drawn ${loadedMs.toFixed(0)} ms after navigation`,
          );
          assertEquals(await get(page, "window.__flight.frames"), 100_000);
          assertGreater(await drawnShare(page), 0.01);
          await page.keyboard.press("]");
          await page.keyboard.press("]");
          await page.keyboard.press("Space");
          await page.waitForFunction("window.__flight.frame > 100", WAIT);
          await page.keyboard.press("Space");
          await seekWithScrubber(page, 77_777);
          await assertHudShows(page, big[77_777]!, 77_777);
          const log = join(dir, "big.jsonl");
          await Deno.writeTextFile(log, jsonl(big));
          await (await fileInput(page)).uploadFile(log);
          await page.waitForFunction(
            "window.__flight.load && window.__flight.load.name === 'big.jsonl'",
            {
              ...WAIT,
              timeout: 120_000,
            },
          );
          assertEquals(await attr(page, "#load-frames", "data-value"), "100000");
          assertEquals(await attr(page, "#load-bad", "data-value"), "0");
          const ms = (await get(page, "window.__flight.load.ms")) as number;
          console.log(`    100,000-line log: loaded in ${ms.toFixed(0)} ms`);
          await seekWithScrubber(page, 99_999);
          await assertHudShows(page, big[99_999]!, 99_999);
          assertClean(view);
          await page.close();
        },
      );
    } finally {
      await chromium.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
