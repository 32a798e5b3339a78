// The flight view's events, replay controls, 2D panels, fan, overlays and exports in a real
// browser: Debian's Chromium, driven over a pipe by puppeteer-core.
//
// Without Chromium (at /usr/bin/chromium, or CHROMIUM_PATH) these tests are skipped, except
// under CI=true, where they fail: CI must run them.
import { assert, assertEquals, assertGreater } from "@std/assert";
import { join, toFileUrl } from "@std/path";
import { detectEvents } from "../../core/events.ts";
import type { Frame } from "../../core/frame.ts";
import html, { type HtmlOptions } from "../../plugins/html.ts";
import { readOptions } from "../../testing.ts";
import {
  type Chromium,
  DEFAULT_CHROMIUM,
  findChromium,
  type IsolatedPage,
  launchChromium,
  openIsolated,
  type Page,
} from "../../tools/chromium.ts";
import { SEVERITY_COLORS } from "../../viewer/events.ts";
import { EXAMPLE_LEVELS, exampleFrames } from "./_frames.ts";

const chromiumPath = findChromium();
const inCi = Deno.env.get("CI") === "true";
if (!chromiumPath && !inCi) {
  console.warn(
    `Skipping the flight view's panel tests: no Chromium at ${
      Deno.env.get("CHROMIUM_PATH") || DEFAULT_CHROMIUM
    } (install it, or set CHROMIUM_PATH)`,
  );
}

/** Patience for a slow, shared 2-core machine. */
const WAIT = { timeout: 60_000, polling: 50 } as const;

async function writePage(
  dir: string,
  name: string,
  frames: readonly Frame[],
  options: Record<string, unknown> = {},
): Promise<string> {
  const text = await html.render({
    options: readOptions<HtmlOptions>(html, options),
    name,
    file: join(dir, "scenario.jsonc"),
    seed: 42,
    run: 0,
    steps: frames.length,
    frames,
    levels: EXAMPLE_LEVELS,
  });
  const path = join(dir, `${name}.html`);
  await Deno.writeTextFile(path, text as string);
  return path;
}

async function open(chromium: Chromium, path: string): Promise<IsolatedPage> {
  const opened = await openIsolated(chromium, path);
  await opened.page.waitForFunction("window.__flight && window.__flight.loadedMs !== null", WAIT);
  return opened;
}

function assertClean({ errors, blocked }: IsolatedPage): void {
  assertEquals(errors, [], "console errors");
  assertEquals(blocked, [], "network requests");
}

const get = (page: Page, expression: string): Promise<unknown> => page.evaluate(expression);
const fileInput = async (page: Page) => (await page.$("input#file-input"))!;

async function atFrame(page: Page, frame: number): Promise<void> {
  await page.waitForFunction(`window.__flight.frame === ${frame}`, WAIT);
  await page.waitForFunction(
    `document.getElementById("frame-index").textContent === "${frame}"`,
    WAIT,
  );
}

function jsonl(frames: readonly Frame[]): string {
  return frames.map((f) => JSON.stringify(f)).join("\n") + "\n";
}

/** Share of a panel's canvas pixels that are not the page's dark background. */
async function panelInk(page: Page, id: string): Promise<number> {
  return (await get(
    page,
    `(() => {
      const c = document.querySelector("#${id} canvas");
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
      return ink / (d.length / 4);
    })()`,
  )) as number;
}

/** A batch summary with a fan of spot and X, Y, Z over the steps, around the given frames. */
function summaryOf(frames: readonly Frame[]): string {
  const steps = frames.map((_, i) => i).filter((i) => i % 5 === 0);
  const band = (key: "spot" | "x" | "y" | "z", spread: number) => ({
    p5: steps.map((i) => frames[i]![key] - spread),
    p50: steps.map((i) => frames[i]![key]),
    p95: steps.map((i) => frames[i]![key] + spread),
  });
  return JSON.stringify({
    scenario: "breakout",
    runs: 500,
    steps: frames.length,
    seed: 42,
    timeline: { steps },
    series: { spot: band("spot", 4), x: band("x", 0.4), y: band("y", 0.1), z: band("z", 0.2) },
  });
}

Deno.test({
  name: "flight view panels, events and replay controls in Chromium",
  ignore: !chromiumPath && !inCi,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    if (!chromiumPath) throw new Error("No Chromium; CI=true requires the browser tests");
    const dir = await Deno.makeTempDir({ prefix: "option-flight-panels-" });
    const chromium = await launchChromium(chromiumPath);
    const frames = exampleFrames(200);
    const expected = detectEvents(frames, { lines: EXAMPLE_LEVELS.thresholds });
    const page200 = await writePage(dir, "breakout", frames);
    try {
      await t.step("the events are the run's, and N / P land on each start in turn", async () => {
        const view = await open(chromium, page200);
        const { page } = view;
        const events = (await get(page, "window.__flight.events")) as typeof expected;
        assertEquals(events, expected);
        assert(expected.some((e) => e.kind === "BREACH"), "the run breaches");
        const starts = [...new Set(expected.map((e) => e.start))].filter((s) => s > 0);
        await page.keyboard.press("Home");
        for (const start of starts) {
          await page.keyboard.press("KeyN");
          await atFrame(page, start);
        }
        await page.keyboard.press("KeyN");
        await atFrame(page, starts[starts.length - 1]!);
        for (const start of starts.slice(0, -1).reverse()) {
          await page.keyboard.press("KeyP");
          await atFrame(page, start);
        }
        assertClean(view);
        await page.close();
      });

      await t.step(
        "bookmarks are coloured by severity; the list goes to an event; the HUD shows it",
        async () => {
          const view = await open(chromium, page200);
          const { page } = view;
          const flagged = expected.filter((e) => e.severity !== null);
          const items = await page.$$(".event-item");
          assertEquals(items.length, flagged.length, "the list holds every flag episode");
          const firstBreach = frames.findIndex((f) => f.flags.includes("BREACH"));
          const k = flagged.findIndex((e) => e.start !== firstBreach && e.start > 5);
          const target = flagged[k]!;
          await items[k]!.click();
          await atFrame(page, target.start);
          const shown = String(await get(page, `document.getElementById("hud-event").textContent`));
          assert(shown.includes(`${target.kind} ${target.severity}`), shown);
          // the bookmark's tick at the event's start, in its band's colour
          const rgb = (await get(
            page,
            `(() => {
              const c = document.getElementById("timeline-events");
              const r = c.getBoundingClientRect(), dpr = devicePixelRatio;
              const x = 6 + ${target.start} / 199 * (r.width - 12);
              return Array.from(c.getContext("2d").getImageData(Math.round(x * dpr), Math.round(16.5 * dpr), 1, 1).data);
            })()`,
          )) as number[];
          const want = SEVERITY_COLORS[target.severity!].match(/[0-9a-f]{2}/gi)!.map((h) =>
            parseInt(h, 16)
          );
          for (let c = 0; c < 3; c++) {
            assert(Math.abs(rgb[c]! - want[c]!) < 60, `pixel ${rgb} is not ${want}`);
          }
          // a frame with nothing in force says so
          await page.keyboard.press("Home");
          await atFrame(page, 0);
          const none = expected.every((e) => e.kind === "REGIME" || e.start > 0);
          if (none) {
            assertEquals(
              await get(page, `document.getElementById("hud-event").textContent`),
              "no event in force",
            );
          }
          assertClean(view);
          await page.close();
        },
      );

      await t.step(
        "#t=<step> opens at that frame, and pausing writes the frame there",
        async () => {
          // opened at a fragment: the file itself is the only request the page may make
          const page = await chromium.browser.newPage();
          await page.setViewport({ width: 1280, height: 800 });
          const errors: string[] = [], requests: string[] = [];
          page.on("pageerror", (error) => errors.push(String(error)));
          page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
          page.on("request", (r) => requests.push(r.url()));
          const url = toFileUrl(page200).href;
          await page.goto(url + "#t=57", { waitUntil: "load" });
          await page.waitForFunction("window.__flight && window.__flight.loadedMs !== null", WAIT);
          assertEquals(await get(page, "window.__flight.frame"), 57);
          assertEquals(await get(page, `document.getElementById("frame-index").textContent`), "57");
          await page.keyboard.press(".");
          await page.waitForFunction(`location.hash === "#t=58"`, WAIT);
          // a fragment set later moves the view too
          await get(page, `location.hash = "#t=150"`);
          await atFrame(page, 150);
          assertEquals(errors, []);
          assertEquals(requests.filter((r) => !r.startsWith(url) && !/^(data|blob):/.test(r)), []);
          await page.close();
        },
      );

      await t.step("#t=<date> opens dated frames at that day; T shows steps or dates", async () => {
        const day = (i: number) =>
          new Date(Date.UTC(2022, 0, 3) + i * 864e5).toISOString().slice(0, 10);
        const dated = frames.slice(0, 60).map((f, i) => ({ ...f, timestamp: day(i) }));
        const path = await writePage(dir, "dated", dated);
        const view = await open(chromium, path);
        const { page } = view;
        await get(page, `location.hash = "#t=${day(33)}"`);
        await atFrame(page, 33);
        assertEquals(await get(page, `document.getElementById("frame-date").textContent`), day(33));
        await page.keyboard.press("KeyT");
        await page.waitForFunction(`window.__flight.timeMode === "step"`, WAIT);
        assertEquals(await get(page, `document.getElementById("frame-date").hidden`), true);
        await page.keyboard.press(".");
        await page.waitForFunction(`location.hash === "#t=34"`, WAIT);
        await page.keyboard.press("KeyT");
        await page.keyboard.press(".");
        await page.waitForFunction(`location.hash === "#t=${day(35)}"`, WAIT);
        assertClean(view);
        await page.close();
      });

      await t.step("a panel click goes to a frame; a drag selects a range loop plays", async () => {
        const view = await open(chromium, page200);
        const { page } = view;
        const over = (await (await page.$("#panel-x .u-over"))!.boundingBox())!;
        await page.mouse.click(over.x + over.width / 2, over.y + over.height / 2);
        await page.waitForFunction("Math.abs(window.__flight.frame - 99.5) <= 2", WAIT);
        await page.mouse.move(over.x + over.width * 0.2, over.y + 10);
        await page.mouse.down();
        await page.mouse.move(over.x + over.width * 0.3, over.y + 20, { steps: 4 });
        await page.mouse.up();
        await page.waitForFunction("window.__flight.selection !== null", WAIT);
        const [a, b] = (await get(page, "window.__flight.selection")) as [number, number];
        assert(Math.abs(a - 40) <= 2 && Math.abs(b - 60) <= 2, `${a}-${b}`);
        await page.keyboard.press("KeyL");
        await page.keyboard.press("Space");
        let wrapped = false, last = a;
        for (let k = 0; k < 40 && !wrapped; k++) {
          await get(page, "new Promise((r) => setTimeout(r, 100))");
          const f = (await get(page, "window.__flight.frame")) as number;
          assert(f >= a && f <= b, `frame ${f} outside ${a}-${b}`);
          wrapped = f < last;
          last = f;
        }
        assert(wrapped, "loop wraps inside the range");
        await page.keyboard.press("Space");
        // CSV of the range, PNG of the view
        await get(page, `document.getElementById("export-csv").click()`);
        await page.waitForFunction("window.__flight.lastExport !== null", WAIT);
        const csv = (await get(page, "window.__flight.lastExport")) as {
          name: string;
          size: number;
        };
        assertEquals(csv.name, `breakout_${a}-${b}.csv`);
        assertGreater(csv.size, (b - a + 1) * 40);
        await get(page, `document.getElementById("export-png").click()`);
        await page.waitForFunction(`window.__flight.lastExport.type === "image/png"`, WAIT);
        assertGreater(
          ((await get(page, "window.__flight.lastExport")) as { size: number }).size,
          20_000,
        );
        // the wheel zooms the panels, a double-click shows the whole run
        await page.mouse.move(over.x + over.width / 2, over.y + over.height / 2);
        await page.mouse.wheel({ deltaY: -400 });
        await page.waitForFunction(
          "window.__flight.panels.range[1] - window.__flight.panels.range[0] < 150",
          WAIT,
        );
        await get(
          page,
          `document.querySelector("#panel-x .u-over").dispatchEvent(new MouseEvent("dblclick", { bubbles: true }))`,
        );
        await page.waitForFunction(
          "window.__flight.panels.range[1] === 199 && window.__flight.panels.range[0] === 0",
          WAIT,
        );
        assertClean(view);
        await page.close();
      });

      await t.step("the fan overlay draws, embedded or dropped with a log", async () => {
        const summary = join(dir, "fan.summary.json");
        await Deno.writeTextFile(summary, summaryOf(frames));
        const withFan = await writePage(dir, "fan", frames, { summary: "fan.summary.json" });
        const view = await open(chromium, withFan);
        const { page } = view;
        assertEquals(
          await get(page, "window.__flight.fan"),
          { scenario: "breakout", runs: 500, steps: 40, series: ["spot", "x", "y", "z"] },
        );
        assertGreater((await get(page, "window.__flight.panels.fanDraws")) as number, 0);
        const inkFan = await panelInk(page, "panel-x");
        const plain = await open(chromium, page200);
        const inkPlain = await panelInk(plain.page, "panel-x");
        assertGreater(inkFan, inkPlain + 0.02, "the band covers part of the X panel");
        // dropped: a log and a summary together
        const log = join(dir, "run.jsonl");
        await Deno.writeTextFile(log, jsonl(frames));
        await (await fileInput(plain.page)).uploadFile(log, summary);
        await plain.page.waitForFunction("window.__flight.load && window.__flight.fan", WAIT);
        assertGreater((await get(plain.page, "window.__flight.panels.fanDraws")) as number, 0);
        // a summary that is not one is refused, naming the field
        const bad = join(dir, "bad.summary.json");
        await Deno.writeTextFile(
          bad,
          JSON.stringify({
            scenario: "x",
            runs: 3,
            timeline: { steps: [0, 1] },
            series: { x: { p5: [1], p50: [1, 2], p95: [1, 2] } },
          }),
        );
        await (await fileInput(plain.page)).uploadFile(bad);
        await plain.page.waitForFunction(
          `document.getElementById("load-message").textContent.includes("series.x.p5")`,
          WAIT,
        );
        assertClean(view);
        assertClean(plain);
        await page.close();
        await plain.page.close();
      });

      await t.step("a second log dropped with the first is overlaid in the panels", async () => {
        const view = await open(chromium, page200);
        const { page } = view;
        const one = join(dir, "one.jsonl"), two = join(dir, "two.jsonl");
        await Deno.writeTextFile(one, jsonl(exampleFrames(120, { seed: 5 })));
        await Deno.writeTextFile(two, jsonl(exampleFrames(90, { seed: 6 })));
        await (await fileInput(page)).uploadFile(one, two);
        await page.waitForFunction(
          "window.__flight.load && window.__flight.load.name === 'one.jsonl'",
          WAIT,
        );
        assertEquals(await get(page, "window.__flight.overlays"), ["two.jsonl"]);
        assertEquals(await get(page, "window.__flight.frames"), 120);
        assert(
          String(await get(page, `document.getElementById("load-message").textContent`)).includes(
            "two.jsonl (90 frames)",
          ),
        );
        assertEquals(await get(page, `document.querySelectorAll("#panel-x .u-series").length`), 3);
        assertClean(view);
        await page.close();
      });

      await t.step("a hostile JSONL never breaks the page", async () => {
        const view = await open(chromium, page200);
        const { page } = view;
        const good = exampleFrames(30, { seed: 9 });
        const html = `<img src=x onerror="window.__pwned=1">`;
        const lines = [
          JSON.stringify(good[0]),
          "{not json",
          JSON.stringify({ ...good[1], spot: "694" }),
          JSON.stringify({ ...good[2], x: "fast" }),
          JSON.stringify({ ...good[3], regime: html }),
          JSON.stringify({ ...good[4], timestamp: html }),
          JSON.stringify({ ...good[5], spot: 1e308 }),
          JSON.stringify({ ...good[6], spot: -1e308, x: 1e300, z: -1e300, flags: ["BREACH"] }),
          '{"spot": 1e999}',
          "[]",
          "null",
          "\u0000\u0001",
          html,
          ...good.slice(7).map((f) => JSON.stringify(f)),
        ];
        const log = join(dir, "hostile.jsonl");
        await Deno.writeTextFile(log, lines.join("\n") + "\n");
        await (await fileInput(page)).uploadFile(log);
        await page.waitForFunction(
          "window.__flight.load && window.__flight.load.name === 'hostile.jsonl'",
          WAIT,
        );
        const loaded = (await get(page, "window.__flight.load")) as {
          frames: number;
          badCount: number;
        };
        assertEquals(loaded.frames + loaded.badCount, lines.length);
        assertGreater(loaded.frames, 20);
        await page.keyboard.press("End");
        await page.keyboard.press("Home");
        for (let k = 0; k < 5; k++) await page.keyboard.press("KeyN");
        await get(
          page,
          "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))",
        );
        assertGreater((await get(page, "window.__flight.panels.points")) as number, 20);
        assertEquals(await get(page, "window.__pwned"), undefined);
        assertEquals(await get(page, `document.querySelectorAll("img").length`), 0);
        assertClean(view);
        await page.close();
      });

      await t.step("a 1,000,000-frame log loads without errors, panels bounded", async () => {
        const big = exampleFrames(1_000_000, { seed: 2 });
        const log = join(dir, "million.jsonl");
        const file = await Deno.open(log, { write: true, create: true, truncate: true });
        const enc = new TextEncoder();
        for (let at = 0; at < big.length; at += 50_000) {
          await file.write(enc.encode(jsonl(big.slice(at, at + 50_000))));
        }
        file.close();
        const view = await open(chromium, page200);
        const { page } = view;
        await (await fileInput(page)).uploadFile(log);
        await page.waitForFunction(
          "window.__flight.load && window.__flight.load.name === 'million.jsonl'",
          { ...WAIT, timeout: 300_000 },
        );
        const ms = (await get(page, "window.__flight.load.ms")) as number;
        console.log(`    1,000,000-line log: on screen in ${ms.toFixed(0)} ms`);
        assertEquals(await get(page, "window.__flight.frames"), 1_000_000);
        const points = (await get(page, "window.__flight.panels.points")) as number;
        assert(points > 100 && points < 20_000, `panels plot ${points} frames`);
        await page.keyboard.press("KeyN");
        const first = detectEvents(big, { lines: EXAMPLE_LEVELS.thresholds }).find((e) =>
          e.start > 0
        );
        if (first) await atFrame(page, first.start);
        assertClean(view);
        await page.close();
      });
    } finally {
      await chromium.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
