// The 3D scene's picking, ghost band and further runs in a real browser (Chromium, software GL):
// a click on a trail point goes to its frame and hover shows it, on both renderers; a batch's fan
// draws as a ghost band and further logs as thin trails; picking on 1,000,000 frames tests a
// bounded number of points per move.
//
// Without Chromium (at /usr/bin/chromium, or CHROMIUM_PATH) these tests are skipped, except
// under CI=true, where they fail: CI must run them.
import { assert, assertEquals, assertGreater } from "@std/assert";
import { join, toFileUrl } from "@std/path";
import type { Frame } from "../../core/frame.ts";
import html, { type HtmlOptions } from "../../plugins/html.ts";
import { readOptions } from "../../testing.ts";
import {
  type Chromium,
  DEFAULT_CHROMIUM,
  findChromium,
  launchChromium,
  type Page,
} from "../../tools/chromium.ts";
import { columnsOf } from "../../viewer/data.ts";
import { decimate } from "../../viewer/model.ts";
import { REFINE_MAX } from "../../viewer/pick.ts";
import { EXAMPLE_LEVELS, exampleFrames } from "./_frames.ts";

const chromiumPath = findChromium();
const chromiumWanted = Deno.env.get("CHROMIUM_PATH") || DEFAULT_CHROMIUM;
const inCi = Deno.env.get("CI") === "true";
if (!chromiumPath && !inCi) {
  console.warn(
    `Skipping the 3D scene's picking tests: no Chromium at ${chromiumWanted} ` +
      "(install it, or set CHROMIUM_PATH)",
  );
}

/** Patience for a slow, shared 2-core machine. */
const WAIT = { timeout: 60_000, polling: 50 } as const;
const RENDERERS = ["webgl2", "canvas2d"] as const;

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

function jsonl(frames: readonly Frame[]): string {
  return frames.map((f) => JSON.stringify(f)).join("\n") + "\n";
}

/** A batch summary with a fan of spot and X, Y, Z over every fifth step of the given frames. */
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
    series: { spot: band("spot", 4), x: band("x", 0.6), y: band("y", 0.2), z: band("z", 0.3) },
  });
}

interface Opened {
  page: Page;
  errors: string[];
  blocked: string[];
}

/** Opens a page with every network request blocked and recorded, on the renderer asked for. */
async function open(chromium: Chromium, path: string, renderer: string): Promise<Opened> {
  const page = await chromium.browser.newPage();
  page.setDefaultTimeout(120_000);
  await page.setViewport({ width: 1280, height: 800 });
  const url = toFileUrl(path).href + `?renderer=${renderer}`;
  const errors: string[] = [], blocked: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${String(error)}`));
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const target = request.url();
    if (target === url || target.startsWith("data:") || target.startsWith("blob:")) {
      request.continue();
    } else {
      blocked.push(target);
      request.abort();
    }
  });
  await page.goto(url, { waitUntil: "load", timeout: 120_000 });
  await page.waitForFunction("window.__flight && window.__flight.loadedMs !== null", WAIT);
  assertEquals(
    await page.evaluate("window.__flightRender.renderer"),
    renderer,
    "the renderer asked for draws",
  );
  return { page, errors, blocked };
}

function assertClean({ errors, blocked }: Opened): void {
  assertEquals(errors, [], "console errors");
  assertEquals(blocked, [], "network requests");
}

const get = (page: Page, expression: string): Promise<unknown> => page.evaluate(expression);

/** Waits until the latest draw is on screen. */
const settle = (page: Page) =>
  get(page, "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");

/** Keeps the 3D canvas's pixels in the page, to compare a later draw with. */
async function keepPixels(page: Page): Promise<void> {
  await settle(page);
  await get(
    page,
    `(() => {
      const c = document.getElementById("view");
      window.__kept = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    })()`,
  );
}

/** Share of the 3D canvas's pixels that changed since {@linkcode keepPixels}. */
async function changedSince(page: Page): Promise<number> {
  await settle(page);
  return (await get(
    page,
    `(() => {
      const c = document.getElementById("view");
      const now = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const was = window.__kept;
      let changed = 0;
      for (let i = 0; i < now.length; i += 4) {
        const d = Math.abs(now[i] - was[i]) + Math.abs(now[i + 1] - was[i + 1]) +
          Math.abs(now[i + 2] - was[i + 2]);
        if (d > 12) changed++;
      }
      return changed / (now.length / 4);
    })()`,
  )) as number;
}

/**
 * Frames of the run whose drawn point stands clear of every other frame's by `clear` pixels
 * and is on the canvas, through the page's own camera: a click there can mean only that frame.
 */
async function clearFrames(page: Page, clear: number): Promise<number[]> {
  return (await get(
    page,
    `(() => {
      const f = window.__flight, n = f.frames, at = [];
      const rect = document.getElementById("view").getBoundingClientRect();
      for (let i = 0; i < n; i++) at.push(f.project(i));
      const out = [];
      for (let i = 0; i < n; i++) {
        const p = at[i];
        if (!p || p.x < rect.left + 20 || p.x > rect.right - 20 || p.y < rect.top + 20 ||
          p.y > rect.bottom - 20) continue;
        let ok = true;
        for (let j = 0; j < n && ok; j++) {
          if (j !== i && at[j] && Math.hypot(at[j].x - p.x, at[j].y - p.y) < ${clear}) ok = false;
        }
        if (ok) out.push(i);
      }
      return out;
    })()`,
  )) as number[];
}

Deno.test({
  name: "the 3D scene's picking, ghost band and further runs in Chromium",
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
    const dir = await Deno.makeTempDir({ prefix: "option-flight-pick-" });
    const chromium = await launchChromium(chromiumPath);
    const frames = exampleFrames(400);
    const page400 = await writePage(dir, "short", frames);
    try {
      for (const renderer of RENDERERS) {
        await t.step(`${renderer}: a click on a trail point goes to its frame`, async () => {
          const view = await open(chromium, page400, renderer);
          const { page } = view;
          await settle(page);
          const clear = await clearFrames(page, 4);
          assert(clear.length >= 10, `frames clear of the others: ${clear.length}`);
          // a few spread over the run, none the current frame
          const chosen = [0.2, 0.5, 0.8].map((q) => clear[Math.floor(q * clear.length)]!);
          for (const k of chosen) {
            const at = (await get(page, `window.__flight.project(${k})`)) as {
              x: number;
              y: number;
            };
            // hover shows the frame in the tooltip; the click goes there
            await page.mouse.move(at.x, at.y);
            await page.waitForFunction(
              `document.getElementById("pick-tip").getAttribute("data-frame") === "${k}"`,
              WAIT,
            );
            assertEquals(await get(page, "window.__flight.hover"), k);
            const tip = String(await get(page, `document.getElementById("pick-tip").textContent`));
            assert(tip.startsWith(`frame ${k}`), tip);
            assert(tip.includes(`spot ${frames[k]!.spot.toFixed(2)}`), tip);
            assertEquals(await get(page, `document.getElementById("pick-tip").hidden`), false);
            await page.mouse.click(at.x, at.y);
            await page.waitForFunction(`window.__flight.frame === ${k}`, WAIT);
          }
          // a drag turns the camera and stays on the frame
          const before = (await get(page, "window.__flight.camera")) as { yaw: number };
          const last = chosen[chosen.length - 1]!;
          const at = (await get(page, `window.__flight.project(${chosen[0]})`)) as {
            x: number;
            y: number;
          };
          await page.mouse.move(at.x, at.y);
          await page.mouse.down();
          await page.mouse.move(at.x + 60, at.y, { steps: 6 });
          await page.mouse.up();
          assertEquals(await get(page, "window.__flight.frame"), last);
          const after = (await get(page, "window.__flight.camera")) as { yaw: number };
          assert(after.yaw !== before.yaw, "the drag orbits");
          // far from the trail, a click changes nothing and the tooltip hides
          const rect = (await get(
            page,
            `(() => { const r = document.getElementById("view").getBoundingClientRect();
              return { x: r.right - 30, y: r.top + 30 }; })()`,
          )) as { x: number; y: number };
          await page.mouse.click(rect.x, rect.y);
          await settle(page);
          assertEquals(await get(page, "window.__flight.frame"), last);
          assertEquals(await get(page, `document.getElementById("pick-tip").hidden`), true);
          assertClean(view);
          await page.close();
        });

        await t.step(`${renderer}: a batch's fan draws as a ghost band`, async () => {
          const view = await open(chromium, page400, renderer);
          const { page } = view;
          await keepPixels(page);
          const summary = join(dir, "fan.summary.json");
          await Deno.writeTextFile(summary, summaryOf(frames));
          await (await page.$("input#file-input"))!.uploadFile(summary);
          await page.waitForFunction("window.__flight.fan !== null", WAIT);
          const changed = await changedSince(page);
          assertGreater(changed, 0.01, `the ghost band changes the scene: ${changed}`);
          assertEquals(await get(page, "window.__flight.frame"), 0, "the run stays on screen");
          assertClean(view);
          await page.close();
        });

        await t.step(`${renderer}: further logs draw as thin trails in 3D`, async () => {
          const view = await open(chromium, page400, renderer);
          const { page } = view;
          const one = join(dir, "one.jsonl"), two = join(dir, "two.jsonl");
          await Deno.writeTextFile(one, jsonl(frames));
          await Deno.writeTextFile(two, jsonl(exampleFrames(300, { seed: 9, start: 700 })));
          const input = async () => (await page.$("input#file-input"))!;
          await (await input()).uploadFile(one);
          await page.waitForFunction("window.__flight.load?.name === 'one.jsonl'", WAIT);
          await keepPixels(page);
          await get(page, "window.__flight.load = null");
          await (await input()).uploadFile(one, two);
          await page.waitForFunction("window.__flight.load?.name === 'one.jsonl'", WAIT);
          assertEquals(await get(page, "window.__flight.overlays"), ["two.jsonl"]);
          const changed = await changedSince(page);
          assertGreater(changed, 0.002, `the further run changes the scene: ${changed}`);
          // the most further runs with a fan stay within the static scene's vertex budget
          const more = [3, 4, 5].map((k) => join(dir, `more_${k}.jsonl`));
          for (const [k, path] of more.entries()) {
            await Deno.writeTextFile(path, jsonl(exampleFrames(5_000, { seed: 20 + k })));
          }
          const summary = join(dir, "fan.summary.json");
          await Deno.writeTextFile(summary, summaryOf(frames));
          await get(page, "window.__flight.load = null");
          await (await input()).uploadFile(one, two, ...more, summary);
          await page.waitForFunction("window.__flight.load?.name === 'one.jsonl'", WAIT);
          assertEquals((await get(page, "window.__flight.overlays") as string[]).length, 4);
          await settle(page);
          assertClean(view);
          await page.close();
        });
      }

      await t.step("picking on 1,000,000 frames tests a bounded number of points", async () => {
        const n = 1_000_000;
        const big = exampleFrames(n, { seed: 3 });
        const dec = decimate(columnsOf(big), 10_000);
        const bound = dec.length + 2 * REFINE_MAX;
        const log = join(dir, "million.jsonl");
        const file = await Deno.open(log, { write: true, create: true, truncate: true });
        const enc = new TextEncoder();
        for (let at = 0; at < n; at += 50_000) {
          await file.write(enc.encode(jsonl(big.slice(at, at + 50_000))));
        }
        file.close();
        const view = await open(chromium, page400, "canvas2d");
        const { page } = view;
        await (await page.$("input#file-input"))!.uploadFile(log);
        await page.waitForFunction(
          "window.__flight.load && window.__flight.load.name === 'million.jsonl'",
          { ...WAIT, timeout: 300_000 },
        );
        assertEquals(await get(page, "window.__flight.frames"), n);
        await settle(page);
        // hovers along the drawn trail and across the canvas, through the page's API
        const result = (await get(
          page,
          `(() => {
            const f = window.__flight, targets = [];
            for (let k = 0; k < 300; k++) {
              const p = f.project(Math.floor((k + 0.5) * ${n} / 300));
              if (p) targets.push([p.x + (k % 5) - 2, p.y + (k % 3) - 1]);
              else targets.push([40 + k * 3, 200 + (k % 40) * 5]);
            }
            const rebuilds = f.pickStats.rebuilds;
            const t0 = performance.now();
            let hits = 0;
            for (const [x, y] of targets) if (f.hoverAt(x, y) >= 0) hits++;
            const ms = performance.now() - t0;
            return { ms, hits, stats: f.pickStats, rebuilds: f.pickStats.rebuilds - rebuilds };
          })()`,
        )) as {
          ms: number;
          hits: number;
          rebuilds: number;
          stats: { maxTested: number; points: number; queries: number; tested: number };
        };
        console.log(
          `    300 hovers on 1,000,000 frames: ${result.ms.toFixed(1)} ms, ${result.hits} hits, ` +
            `at most ${result.stats.maxTested} points tested per hover (grid of ` +
            `${result.stats.points})`,
        );
        assertGreater(result.hits, 150, "hovers on the trail find a frame");
        assert(result.rebuilds <= 1, `the grid is built once per camera: ${result.rebuilds}`);
        assert(
          result.stats.maxTested <= bound,
          `a hover tests ${result.stats.maxTested} points, over ${bound}`,
        );
        assert(result.stats.maxTested < n / 100, "no hover scans the frames");
        // a click at a hovered frame goes there
        const k = 600_000;
        const at = (await get(page, `window.__flight.project(${k})`)) as { x: number; y: number };
        const hovered = (await get(page, `window.__flight.hoverAt(${at.x}, ${at.y})`)) as number;
        assert(hovered >= 0, "the frame's point is on the trail");
        await page.mouse.click(at.x, at.y);
        await page.waitForFunction(`window.__flight.frame === ${hovered}`, WAIT);
        assertClean(view);
        await page.close();
      });
    } finally {
      await chromium.close();
    }
    await Deno.remove(dir, { recursive: true });
  },
});
