// The flight view's WebGL2 renderer in a real browser (Chromium's software GL): it draws the
// scene, the Canvas 2D path takes over where WebGL is disabled, a draw's vertices stay under the
// documented bound however long the run, and the camera presets frame the box or follow the craft.
//
// Without Chromium (at /usr/bin/chromium, or CHROMIUM_PATH) these tests are skipped, except
// under CI=true, where they fail: CI must run them.
import { assert, assertAlmostEquals, assertEquals, assertGreater } from "@std/assert";
import { join, toFileUrl } from "@std/path";
import puppeteer from "puppeteer-core";
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
import { DETAIL_WINDOW, frameVertexBound } from "../../viewer/gl_budget.ts";
import { COARSE_POINTS, decimate } from "../../viewer/model.ts";
import { EXAMPLE_LEVELS, exampleFrames, movingFrames } from "./_frames.ts";

const chromiumPath = findChromium();
const chromiumWanted = Deno.env.get("CHROMIUM_PATH") || DEFAULT_CHROMIUM;
const inCi = Deno.env.get("CI") === "true";
if (!chromiumPath && !inCi) {
  console.warn(
    `Skipping the WebGL2 view's browser tests: no Chromium at ${chromiumWanted} ` +
      "(install it, or set CHROMIUM_PATH)",
  );
}

/** Patience for a slow, shared 2-core machine. */
const WAIT = { timeout: 60_000, polling: 50 } as const;

/** The most vertices a draw takes with the html renderer's default `maxTrailPoints`. */
const DEFAULT_BOUND = 227_376;

interface RenderInfo {
  renderer: string;
  vertices: number;
  vertexBound: number;
  maxVertices: number;
  drawCalls: number;
}

async function writePage(dir: string, name: string, frames: readonly Frame[]): Promise<string> {
  const text = await html.render({
    options: readOptions<HtmlOptions>(html, {}),
    name,
    file: "scenario.jsonc",
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

/** What a page opened by {@linkcode open} reported: errors, and requests it tried. */
interface Opened {
  page: Page;
  errors: string[];
  blocked: string[];
}

/**
 * Opens a page with every network request blocked and recorded, asking for a renderer in its
 * address: Chromium's GL here is software, which the page leaves to Canvas 2D unless asked.
 */
async function open(
  chromium: Pick<Chromium, "browser">,
  path: string,
  renderer: "webgl2" | null = "webgl2",
): Promise<Opened> {
  const page = await chromium.browser.newPage();
  page.setDefaultTimeout(60_000);
  await page.setViewport({ width: 1280, height: 800 });
  const url = toFileUrl(path).href + (renderer ? `?renderer=${renderer}` : "");
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

const render = async (page: Page) => {
  await settle(page);
  return (await get(page, "window.__flightRender")) as RenderInfo;
};

/**
 * The page canvas's pixels: the share unlike the background (brighter than its darkest blue),
 * and the count of bright CRUISE-green ones, which only the flown trail's core draws.
 */
async function canvasPixels(page: Page): Promise<{ drawn: number; green: number }> {
  await settle(page);
  return (await get(
    page,
    `(() => {
      const canvas = document.getElementById("view");
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = 0, green = 0;
      for (let i = 0; i < data.length; i += 4) {
        const r = data[i], g = data[i + 1], b = data[i + 2];
        if (r > 70 || g > 70 || b > 90) drawn++;
        if (g > 180 && r < 110 && b > 100 && b < 180) green++;
      }
      return { drawn: drawn / (data.length / 4), green };
    })()`,
  )) as { drawn: number; green: number };
}

async function seek(page: Page, frame: number): Promise<void> {
  await get(page, `window.__flight.seek(${frame})`);
  await page.waitForFunction(`window.__flight.frame === ${frame}`, WAIT);
}

Deno.test({
  name: "the flight view's WebGL2 renderer in Chromium",
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
    const dir = await Deno.makeTempDir({ prefix: "option-flight-webgl-" });
    const chromium = await launchChromium(chromiumPath);
    const frames = exampleFrames(400);
    const page400 = await writePage(dir, "short", frames);
    // the frame before the climb through the call wall: the CRUISE trail is flown and on screen
    const cruiseEnd = frames.findIndex((f) =>
      f.regime !== "CRUISE" && f.regime !== "TAXI" &&
      f.timestamp as number > 100
    );
    assert(cruiseEnd > 100);
    let webglGreen = 0;
    try {
      await t.step("the WebGL2 path draws the scene and the flown trail", async () => {
        const view = await open(chromium, page400);
        const { page } = view;
        const info = await render(page);
        assertEquals(info.renderer, "webgl2");
        assertGreater(info.drawCalls, 5);
        const start = await canvasPixels(page);
        assertGreater(start.drawn, 0.01, `the scene differs from the background: ${start.drawn}`);
        await seek(page, cruiseEnd);
        const flown = await canvasPixels(page);
        // the trail at frame 0 is one point; flown, its CRUISE core shows in green
        assertGreater(flown.green, start.green + 200, "the flown trail is drawn");
        webglGreen = flown.green;
        assertClean(view);
        await page.close();
      });

      await t.step("a draw stays under the vertex bound, whatever the run's length", async () => {
        for (const n of [2_000, 250_000]) {
          const long = exampleFrames(n);
          const c = columnsOf(long);
          const level = decimate(c, 10_000).length;
          const coarse = level > COARSE_POINTS * 1.5 ? decimate(c, COARSE_POINTS).length : level;
          const bound = frameVertexBound(level, coarse);
          assert(bound <= DEFAULT_BOUND, `${n} frames: bound ${bound}`);
          const view = await open(chromium, await writePage(dir, `long_${n}`, long));
          const { page } = view;
          for (const frame of [0, Math.floor(n / 2), n - 1]) {
            await seek(page, frame);
            await page.keyboard.press("ArrowLeft");
            const info = await render(page);
            assertEquals(info.vertexBound, bound, `${n} frames`);
            assert(
              info.vertices <= bound,
              `${n} frames, frame ${frame}: ${info.vertices} vertices over ${bound}`,
            );
          }
          const info = await render(page);
          assert(info.maxVertices <= DEFAULT_BOUND, `${n} frames: ${info.maxVertices}`);
          if (n > DETAIL_WINDOW * 4) {
            // a long run's full trail has far more segments than a draw takes
            assert(info.maxVertices < n, `${n} frames: ${info.maxVertices} vertices`);
          }
          assertClean(view);
          await page.close();
        }
      });

      await t.step("camera presets: 1 top, 2 side, 3 front fit the box; 4 follows", async () => {
        const view = await open(chromium, page400);
        const { page } = view;
        const camera = async () => {
          await settle(page);
          return (await get(page, "window.__flight.camera")) as Record<string, number>;
        };
        const home = await camera();
        const angles = { Digit1: [0, 1.5], Digit2: [Math.PI / 2, 0], Digit3: [0, 0] } as const;
        for (const [key, [yaw, pitch]] of Object.entries(angles)) {
          await page.keyboard.press(key as "Digit1");
          const cam = await camera();
          assertAlmostEquals(cam.yaw!, yaw, 1e-9, key);
          assertAlmostEquals(cam.pitch!, pitch, 1e-9, key);
          assertEquals([cam.tx, cam.ty, cam.tz], [0, 0, 0], key);
          // fitted: on screen, and no further than the zoom range allows
          assert(cam.dist! > 2 && cam.dist! < 16, `${key}: ${cam.dist}`);
        }
        await page.keyboard.press("Digit4");
        await seek(page, 50);
        const at50 = await camera();
        await seek(page, cruiseEnd + 40);
        const later = await camera();
        assert(at50.dist! < home.dist!, "follow comes closer");
        assert(
          at50.tx !== later.tx || at50.ty !== later.ty || at50.tz !== later.tz,
          "the target moves with the craft",
        );
        await page.keyboard.press("KeyR");
        const reset = await camera();
        assertEquals(reset, home, "R stops following and goes home");
        assertClean(view);
        await page.close();
      });

      await t.step("software WebGL2 is left to Canvas 2D unless the address asks", async () => {
        const view = await open(chromium, page400, null);
        assertEquals((await render(view.page)).renderer, "canvas2d");
        assertClean(view);
        await view.page.close();
      });

      await t.step("levels that move are labelled as they move", async () => {
        const moving = movingFrames(60);
        const view = await open(chromium, await writePage(dir, "moving", moving));
        const { page } = view;
        const at = async (frame: number) => {
          await seek(page, frame);
          return await canvasPixels(page);
        };
        // the call wall moves on frame 15: its label changes, and pauses on either side draw
        const before = await at(14), moved = await at(15);
        assert(before.drawn !== moved.drawn || before.green !== moved.green, "redrawn");
        assertClean(view);
        await page.close();
      });
    } finally {
      await chromium.close();
    }

    await t.step("the Canvas 2D path draws where WebGL is disabled", async () => {
      const profile = await Deno.makeTempDir({ prefix: "option-flight-nogl-" });
      const browser = await puppeteer.launch({
        executablePath: chromiumPath,
        pipe: true,
        headless: true,
        timeout: 120_000,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-webgl",
          "--disable-webgl2",
          `--user-data-dir=${profile}`,
        ],
      });
      try {
        const view = await open({ browser }, page400, null);
        const { page } = view;
        assertEquals(
          await get(page, `!!document.createElement("canvas").getContext("webgl2")`),
          false,
        );
        const info = await render(page);
        assertEquals(info.renderer, "canvas2d");
        assertEquals(info.vertices, 0);
        assertGreater((await canvasPixels(page)).drawn, 0.01);
        await seek(page, cruiseEnd);
        const flown = await canvasPixels(page);
        assertGreater(flown.green, 200, "the flown trail is drawn");
        // the two paths draw the same trail, within a fifth of its pixels
        assertAlmostEquals(flown.green, webglGreen, webglGreen * 0.2);
        assertClean(view);
        await page.close();
      } finally {
        await browser.close();
        await Deno.remove(profile, { recursive: true }).catch(() => {});
      }
    });
    await Deno.remove(dir, { recursive: true });
  },
});
