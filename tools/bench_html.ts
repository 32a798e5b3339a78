/**
 * Benchmarks the `html` flight view in headless Chromium: for runs of 1,000 and 100,000 frames
 * (the mean-revert scenario, a noisy path with many regime changes), prints the page size, the
 * load time (navigation start to the first drawn frame, `window.__flight.loadedMs`), the
 * frames drawn per second while playing at 1x and 16x, the redraw time while the camera moves
 * (coarse trail) and once it settles (full trail), and the time to open the same run as a
 * JSONL log through the file picker.
 *
 * ```sh
 * deno run -A tools/bench_html.ts            # 1,000 and 100,000 frames
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

async function bench(page: Page, dir: string, frames: Frame[], levels: unknown): Promise<void> {
  const options = readOptions<HtmlOptions>(html, {});
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

  await page.goto(toFileUrl(file).href, { timeout: 120_000 });
  await page.waitForFunction("window.__flight && window.__flight.loadedMs !== null", {
    timeout: 120_000,
  });
  const loadedMs = (await flight(page, "f.loadedMs")) as number;
  await page.keyboard.press("KeyL"); // loop, so that 16x keeps playing on short runs
  const fps1 = await playbackFps(page, "1", 3);
  const fps16 = await playbackFps(page, "16", 3);
  await flight(page, "f.seek(f.frames - 1)"); // the whole trail flown: the costliest redraw
  const redraw = await cameraRedrawMs(page);
  const input = await page.$("#file-input");
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
    `${frames.length.toLocaleString("en-US").padStart(9)} frames | page ${mb.padStart(5)} MB | ` +
      `load ${loadedMs.toFixed(0).padStart(5)} ms | playback ${fps1.toFixed(0)} fps at 1x, ` +
      `${fps16.toFixed(0)} fps at 16x | redraw ${redraw.moving.toFixed(0)} ms while orbiting, ` +
      `${redraw.settled.toFixed(0)} ms settled | ` +
      `open as JSONL ${fileMs.toFixed(0)} ms`,
  );
}

if (import.meta.main) {
  const sizes = Deno.args.length ? Deno.args.map(Number) : [1_000, 100_000];
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
      await bench(page, dir, frames, levels);
    }
  } finally {
    await chromium.close();
    await Deno.remove(dir, { recursive: true });
  }
}
