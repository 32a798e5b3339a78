// The Monte Carlo report: self-contained, deterministic, and it opens in a real browser
// (Debian's Chromium over a pipe) without errors or network requests.
//
// Without Chromium (at /usr/bin/chromium, or CHROMIUM_PATH) the browser test is skipped, except
// under CI=true, where it fails: CI must run it.
import { assert, assertEquals, assertGreater, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { loadScenario } from "../../mod.ts";
import { MonteCarloStats, renderReport, runBatch, summarizeStats } from "../../montecarlo/mod.ts";
import { findChromium, launchChromium, openIsolated } from "../../tools/chromium.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const chromiumPath = findChromium();
const inCi = Deno.env.get("CI") === "true";
if (!chromiumPath && !inCi) {
  console.warn(
    "Skipping the Monte Carlo report's browser test: no Chromium at /usr/bin/chromium " +
      "(install it, or set CHROMIUM_PATH)",
  );
}

async function report(name: string, runs: number): Promise<{ dir: string; path: string }> {
  const scenario = await loadScenario(join(root, "scenarios", `${name}.jsonc`));
  const dir = await Deno.makeTempDir();
  await runBatch(scenario, { outDir: dir, runs });
  return { dir, path: join(dir, `${name}.report.html`) };
}

Deno.test("the report is one self-contained file: no script, no URL, no external file", async () => {
  const { dir, path } = await report("breakout", 60);
  const html = await Deno.readTextFile(path);
  assert(!/<script|<link|<img|<iframe|@import|url\(/i.test(html), "external or scripted content");
  assert(!/https?:\/\//.test(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, "")));
  for (
    const title of [
      "Spot percentiles over time",
      "X (structural airspeed) percentiles over time",
      "Y (load factor) percentiles over time",
      "Z (wall proximity) percentiles over time",
      "Max load per run",
      "First breach step",
      "Regime shares of all frames",
    ]
  ) assertStringIncludes(html, title);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the report says so when no run breaches, and renders with no levels", () => {
  const stats = fill(new MonteCarloStats({ steps: 3 }));
  const summary = summarizeStats(stats, { scenario: "flat", seed: 1 });
  const html = renderReport(stats, { summary });
  assertStringIncludes(html, "No data: no run breaches a wall");
  assertStringIncludes(html, "no run breaches");
});

/** One hand-made run of three steps that never breaches. */
function fill(stats: MonteCarloStats): MonteCarloStats {
  const block = {
    samples: {
      start: 0,
      length: 3,
      spot: Float64Array.of(692, 693, 694),
      iv: Float64Array.of(0.15, 0.15, 0.15),
      hv: Float64Array.of(0.12, 0.12, 0.12),
      time: [],
    },
    evaluation: {
      x: Float64Array.of(0.2, 0.2, 0.5),
      y: Float64Array.of(1.25, 1.25, 1.25),
      z: Float64Array.of(0.9, 0.95, 0.8),
      regime: Uint8Array.of(0, 0, 1),
      flags: Uint8Array.of(0, 0, 0),
    },
  };
  let given = false;
  stats.addRun({
    seed: 1,
    steps: 3,
    levels: undefined,
    next: () => given ? undefined : (given = true, block),
  });
  return stats;
}

Deno.test({
  name: "the report opens in Chromium without errors or network requests",
  ignore: !chromiumPath && !inCi,
  async fn() {
    assert(chromiumPath, "no Chromium at /usr/bin/chromium (set CHROMIUM_PATH); CI must run this");
    const { dir, path } = await report("false_breakout", 200);
    const chromium = await launchChromium(chromiumPath);
    try {
      const { page, errors, blocked } = await openIsolated(chromium, path, {
        viewport: { width: 1280, height: 900 },
        warnings: true,
      });
      const facts = await page.evaluate(`({
        title: document.title,
        charts: document.querySelectorAll("figure svg").length,
        paths: document.querySelectorAll("figure svg path").length,
        bars: document.querySelectorAll("figure svg rect").length,
        width: document.documentElement.scrollWidth,
        heading: document.querySelector("h1")?.textContent,
      })`) as {
        title: string;
        charts: number;
        paths: number;
        bars: number;
        width: number;
        heading: string;
      };
      assertEquals(errors, []);
      assertEquals(blocked, []);
      assertEquals(facts.title, "Monte Carlo report: false_breakout");
      assertEquals(facts.heading, "Monte Carlo report: false_breakout");
      assertEquals(facts.charts, 6);
      assertGreater(facts.paths, 4 * 3 - 1);
      assertGreater(facts.bars, 10);
      assert(facts.width <= 1280, `the page scrolls sideways: ${facts.width}px`);
      await page.close();
    } finally {
      await chromium.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
