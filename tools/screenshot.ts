/**
 * Writes `docs/flight-view.png`: the flight view of the shipped `scenarios/breakout.jsonc`,
 * exactly as `deno task run scenarios/breakout.jsonc` writes it (the library's `loadScenario`
 * and `runScenario`, into a temporary folder), paused at frame 150 after the spot has broken
 * through the call wall, as headless Chromium draws it at 1440 x 900.
 *
 * ```sh
 * deno run -A tools/screenshot.ts                # docs/flight-view.png
 * deno run -A tools/screenshot.ts /tmp/view.png  # elsewhere
 * ```
 *
 * @module
 */
import { dirname, fromFileUrl, join, toFileUrl } from "@std/path";
import { loadScenario, runScenario } from "../mod.ts";
import { findChromium, launchChromium } from "./chromium.ts";

/** The scenario the picture shows. */
export const SCENARIO = "scenarios/breakout.jsonc";

/** The frame the picture pauses on. */
export const FRAME = 150;

/** The browser window the picture is taken in, CSS pixels. */
export const VIEWPORT = { width: 1440, height: 900 } as const;

/**
 * Runs {@linkcode SCENARIO} as the command does, with its own seed, steps and renderers, and
 * writes its outputs into a folder.
 *
 * @param outDir The folder, such as a temporary one.
 * @returns The path of the flight view's page, `<name>.html`.
 * @throws Error when the scenario writes no page.
 *
 * @example The page of the shipped breakout
 * ```ts
 * import { assert } from "@std/assert";
 * import { writeFlightView } from "./screenshot.ts";
 *
 * const outDir = await Deno.makeTempDir();
 * const page = await writeFlightView(outDir);
 * assert(page.endsWith("breakout.html"));
 * await Deno.remove(outDir, { recursive: true });
 * ```
 */
export async function writeFlightView(outDir: string): Promise<string> {
  const root = fromFileUrl(new URL("..", import.meta.url));
  const scenario = await loadScenario(join(root, SCENARIO));
  const report = await runScenario(scenario, { outDir });
  const page = report.files.find((file) => file.endsWith(".html"));
  if (!page) throw new Error(`${SCENARIO} writes no .html page: it lists no html renderer`);
  return page.startsWith("/") ? page : join(outDir, page);
}

if (import.meta.main) {
  const root = fromFileUrl(new URL("..", import.meta.url));
  const out = Deno.args[0] ?? join(root, "docs", "flight-view.png");
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    console.error("No Chromium: install it at /usr/bin/chromium or set CHROMIUM_PATH");
    Deno.exit(1);
  }
  const dir = await Deno.makeTempDir({ prefix: "option-flight-shot-" });
  const chromium = await launchChromium(chromiumPath);
  try {
    const file = await writeFlightView(dir);
    const tab = await chromium.browser.newPage();
    await tab.setViewport(VIEWPORT);
    tab.on("pageerror", (error) => console.error("page error:", error));
    await tab.goto(toFileUrl(file).href);
    await tab.waitForFunction("window.__flight && window.__flight.loadedMs !== null");
    await tab.evaluate(`window.__flight.seek(${FRAME})`);
    await tab.waitForFunction(
      `document.getElementById("frame-index").textContent === "${FRAME}"`,
    );
    await tab.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");
    await Deno.mkdir(dirname(out), { recursive: true });
    await tab.screenshot({ path: out as `${string}.png` });
    console.log(`wrote ${out}`);
  } finally {
    await chromium.close();
    await Deno.remove(dir, { recursive: true });
  }
}
