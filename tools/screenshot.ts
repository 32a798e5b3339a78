/**
 * Writes `docs/flight-view.png`: the `html` flight view of a breakout run, paused after the
 * spot has broken through the call wall, as headless Chromium draws it at 1440 x 900.
 *
 * ```sh
 * deno run -A tools/screenshot.ts                # docs/flight-view.png
 * deno run -A tools/screenshot.ts /tmp/view.png  # elsewhere
 * ```
 *
 * The run is `scenarios/breakout.jsonc` with a later, gentler breakout (onset at step 70,
 * 0.07 ATR per step), so the picture shows cruise, the IV shock, the breach and the
 * follow-through at a scale where the envelope stays readable.
 *
 * @module
 */
import { dirname, fromFileUrl, join, toFileUrl } from "@std/path";
import { simulate, startRun } from "../core/run.ts";
import { parseScenario } from "../plugins/mod.ts";
import { readOptions } from "../testing.ts";
import html, { type HtmlOptions } from "../plugins/html.ts";
import { findChromium, launchChromium } from "./chromium.ts";

const SCENARIO = `{
  "name": "breakout",
  "seed": 42,
  "steps": 200,
  "evaluator": { "use": "envelope", "atr": 2.8, "flip": 692.5, "putWall": 680, "callWall": 700 },
  "generators": {
    "spot": { "use": "breakout", "start": 694, "direction": "up", "speed": 0.07, "noise": 0.3, "onset": 70 },
    "iv": { "use": "vol-path", "start": 0.15, "target": 0.16, "shockAt": 100, "shockSize": 0.5 },
    "hv": { "use": "hv", "value": 0.12 }
  }
}`;

/** The frame the picture pauses on. */
const FRAME = 150;

if (import.meta.main) {
  const root = fromFileUrl(new URL("..", import.meta.url));
  const out = Deno.args[0] ?? join(root, "docs", "flight-view.png");
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    console.error("No Chromium: install it at /usr/bin/chromium or set CHROMIUM_PATH");
    Deno.exit(1);
  }
  const scenario = await parseScenario(SCENARIO, {
    path: join(root, "scenarios", "breakout.jsonc"),
  });
  const frames = await simulate(scenario);
  const { levels } = await startRun(scenario, { steps: 1 });
  const page = await html.render({
    options: readOptions<HtmlOptions>(html, { title: "Breakout through the call wall" }),
    name: scenario.name,
    seed: scenario.seed,
    run: 0,
    steps: frames.length,
    frames,
    levels,
  });
  const dir = await Deno.makeTempDir({ prefix: "option-flight-shot-" });
  const chromium = await launchChromium(chromiumPath);
  try {
    const file = join(dir, "breakout.html");
    await Deno.writeTextFile(file, page as string);
    const tab = await chromium.browser.newPage();
    await tab.setViewport({ width: 1440, height: 900 });
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
