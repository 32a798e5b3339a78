/**
 * Benchmarks the `html` flight view in headless Chromium: for runs of 1,000, 100,000 and
 * 1,000,000 frames (the mean-revert scenario, a noisy path with many regime changes; the page
 * embeds every frame), prints the renderer (WebGL2, or Canvas 2D where WebGL is unavailable),
 * the page size, the load time (navigation start to the first drawn frame,
 * `window.__flight.loadedMs`), the frames drawn per second while playing at 1x and 16x, the
 * frame time while the camera orbits and once it settles (with WebGL2, each draw waits for the
 * GPU, so the time includes its work), the most vertices a draw took against the bound, and the
 * time to open the same run as a JSONL log through the file picker.
 *
 * Each size runs twice: with `?renderer=webgl2` (WebGL2 even in software, as here) and with
 * `?renderer=canvas2d` (the path the page takes by itself where WebGL2 runs in software).
 *
 * ```sh
 * deno run -A tools/bench_html.ts            # 1,000, 100,000 and 1,000,000 frames
 * deno run -A tools/bench_html.ts 250000     # other sizes
 * ```
 *
 * The numbers depend on the machine; they are printed, never asserted.
 *
 * @module
 */
import { join, toFileUrl } from "@std/path";
import { type Frame, REGIMES } from "../core/frame.ts";
import { readOptions } from "../testing.ts";
import { simulate, startRun } from "../core/run.ts";
import { loadScenario } from "../plugins/mod.ts";
import html, { type HtmlOptions } from "../plugins/html.ts";
import { findChromium, launchChromium, type Page } from "./chromium.ts";

interface FlightApi {
  loadedMs: number | null;
  draws: number;
  drawMs: number;
  frame: number;
  load: { frames: number; ms: number } | null;
  seek(i: number): void;
  pause(): void;
}

const flight = (page: Page, expression: string): Promise<unknown> =>
  page.evaluate(`(() => { const f = window.__flight; return ${expression}; })()`);

async function playbackFps(page: Page, speed: string, seconds: number): Promise<number> {
  await page.select("#speed", speed);
  await flight(page, "f.seek(0)");
  await page.keyboard.press("Space");
  await page.waitForFunction("window.__flight.playing", { timeout: 60_000 });
  const [draws0, t0] = (await flight(page, "[f.draws, performance.now()]")) as number[];
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const [draws1, t1] = (await flight(page, "[f.draws, performance.now()]")) as number[];
  await flight(page, "f.pause()");
  return (draws1! - draws0!) / ((t1! - t0!) / 1000);
}

/** Mean redraw while the camera moves (coarse trail), and the full redraw once it settles. */
async function cameraRedrawMs(page: Page): Promise<{ moving: number; settled: number }> {
  let total = 0;
  for (let i = 0; i < 20; i++) {
    const draws = (await flight(page, "f.draws")) as number;
    await page.keyboard.press(i % 2 ? "ArrowLeft" : "ArrowUp");
    await page.waitForFunction(`window.__flight.draws > ${draws}`, { timeout: 60_000 });
    total += (await flight(page, "f.lastDrawMs")) as number;
  }
  // runs short enough to have one level of detail draw nothing more once the camera stops
  await new Promise((resolve) => setTimeout(resolve, 600));
  return { moving: total / 20, settled: (await flight(page, "f.lastDrawMs")) as number };
}

async function bench(
  page: Page,
  dir: string,
  run: { frames: Frame[]; levels: unknown; renderer: string },
): Promise<void> {
  const { frames, levels } = run;
  // every frame embedded, so that the page holds the whole run
  const options = readOptions<HtmlOptions>(html, {
    maxEmbeddedFrames: Math.max(500_000, frames.length),
  });
  const text = await html.render({
    options,
    name: "bench",
    file: "scenario.jsonc",
    seed: 42,
    run: 0,
    steps: frames.length,
    frames,
    levels: levels as never,
  }) as string;
  const file = join(dir, `bench_${frames.length}.html`);
  await Deno.writeTextFile(file, text);
  const log = join(dir, `bench_${frames.length}.jsonl`);
  await Deno.writeTextFile(log, frames.map((f) => JSON.stringify(f)).join("\n") + "\n");

  await page.goto(`${toFileUrl(file).href}?renderer=${run.renderer}`, { timeout: 120_000 });
  await page.waitForFunction("window.__flight && window.__flight.loadedMs !== null", {
    timeout: 120_000,
  });
  const loadedMs = (await flight(page, "f.loadedMs")) as number;
  // draw times include the GPU's work
  await page.evaluate("window.__flightRender.syncTiming = true");
  await page.keyboard.press("KeyL"); // loop, so that 16x keeps playing on short runs
  const fps1 = await playbackFps(page, "1", 3);
  const fps16 = await playbackFps(page, "16", 3);
  await flight(page, "f.seek(f.frames - 1)"); // the whole trail flown: the costliest redraw
  const redraw = await cameraRedrawMs(page);
  const render = (await page.evaluate("window.__flightRender")) as {
    renderer: string;
    maxVertices: number;
    vertexBound: number;
  };
  const input = await page.$("input#file-input");
  await input!.uploadFile(log);
  await page.waitForFunction(
    `window.__flight.load && window.__flight.load.frames === ${frames.length}`,
    {
      timeout: 300_000,
    },
  );
  const fileMs = (await flight(page, "f.load.ms")) as number;
  const mb = (new TextEncoder().encode(text).length / 1e6).toFixed(1);
  console.log(
    `${frames.length.toLocaleString("en-US").padStart(9)} frames | ${render.renderer} | ` +
      `page ${mb.padStart(5)} MB | ` +
      `load ${loadedMs.toFixed(0).padStart(5)} ms | playback ${fps1.toFixed(0)} fps at 1x, ` +
      `${fps16.toFixed(0)} fps at 16x | frame ${redraw.moving.toFixed(1)} ms while orbiting, ` +
      `${redraw.settled.toFixed(1)} ms settled | ` +
      `vertices ${render.maxVertices.toLocaleString("en-US")} (bound ` +
      `${render.vertexBound.toLocaleString("en-US")}) | ` +
      `open as JSONL ${fileMs.toFixed(0)} ms`,
  );
}

if (import.meta.main) {
  const sizes = Deno.args.length ? Deno.args.map(Number) : [1_000, 100_000, 1_000_000];
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    console.error("No Chromium: install it at /usr/bin/chromium or set CHROMIUM_PATH");
    Deno.exit(1);
  }
  const scenario = await loadScenario(
    new URL("../scenarios/mean_revert.jsonc", import.meta.url).pathname,
  );
  const { levels } = await startRun(scenario, { steps: 1 });
  const dir = await Deno.makeTempDir({ prefix: "option-flight-bench-" });
  const chromium = await launchChromium(chromiumPath);
  try {
    const page = await chromium.browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
    page.on("pageerror", (error) => console.error("page error:", error));
    for (const size of sizes) {
      const frames = await simulate(scenario, { steps: size });
      const regimes = REGIMES.map((r) => frames.filter((f) => f.regime === r).length);
      console.error(`(${size} frames, regimes ${REGIMES.map((r, i) => `${r} ${regimes[i]}`)})`);
      // WebGL2 as asked for (software GL here), then the Canvas 2D path the page takes here
      for (const renderer of ["webgl2", "canvas2d"]) {
        await bench(page, dir, { frames, levels, renderer });
      }
    }
  } finally {
    await chromium.close();
    await Deno.remove(dir, { recursive: true });
  }
}
