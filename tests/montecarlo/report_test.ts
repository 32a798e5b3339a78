// The Monte Carlo report: self-contained, deterministic, and it opens in a real browser
// (Debian's Chromium over a pipe) without errors or network requests.
//
// Without Chromium (at /usr/bin/chromium, or CHROMIUM_PATH) the browser test is skipped, except
// under CI=true, where it fails: CI must run it.
import { assert, assertEquals, assertGreater, assertStringIncludes } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { loadScenario, startRun } from "../../mod.ts";
import { formatCount, formatMeasure } from "../../montecarlo/format.ts";
import { MonteCarloStats, renderReport, runBatch, summarizeStats } from "../../montecarlo/mod.ts";
import { findChromium, launchChromium, openIsolated } from "../../tools/chromium.ts";
import { movingScenarios } from "./_moving.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const chromiumPath = findChromium();
const inCi = Deno.env.get("CI") === "true";
if (!chromiumPath && !inCi) {
  console.warn(
    "Skipping the Monte Carlo report's browser test: no Chromium at /usr/bin/chromium " +
      "(install it, or set CHROMIUM_PATH)",
  );
}

async function report(
  name: string,
  runs: number,
  path = join(root, "scenarios", `${name}.jsonc`),
): Promise<{ dir: string; path: string }> {
  const scenario = await loadScenario(path);
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
  assertStringIncludes(html, "1 run &times; 3 steps");
  assertStringIncludes(html, "3 frames");
});

Deno.test("the report rounds each estimate to its sketch's accuracy and groups digits", async () => {
  const scenario = await loadScenario(join(root, "scenarios", "breakout.jsonc"));
  const stats = new MonteCarloStats({ steps: scenario.steps });
  for (let run = 0; run < 300; run++) stats.addRun(await startRun(scenario, { run }));
  const summary = summarizeStats(stats, { scenario: "breakout", seed: 42 });
  const html = renderReport(stats, { summary });
  const { spotRelativeError, stateRelativeError } = summary.quantiles;
  const spot = summary.finalSpotQuantiles;
  const load = summary.maxLoadQuantiles;
  assertStringIncludes(
    html,
    [spot.p5, spot.p50, spot.p95].map((v) => formatMeasure(v, spotRelativeError)).join(" / "),
  );
  assertStringIncludes(
    html,
    [load.p5, load.p50, load.p95].map((v) => formatMeasure(v, stateRelativeError)).join(" / "),
  );
  assertStringIncludes(html, `${formatCount(summary.flagCounts.BREACH)}</td>`);
  assert(summary.flagCounts.BREACH >= 1000, "a count with a thousands separator");
  assertStringIncludes(html, "300 runs &times; 200 steps");
  // no raw sketch value anywhere on the page
  for (const v of [spot.p5, spot.p50, spot.p95, load.p5, load.p50, load.p95, summary.maxLoad]) {
    if (String(v).length > 5) assert(!html.includes(String(v)), `${v} is printed raw`);
  }
  // the shown text has no more digits than the accuracy: spot within 0.012%, to a tenth here
  assertEquals(formatMeasure(spot.p50, spotRelativeError).split(".")[1]?.length, 1);
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
      assertEquals(facts.charts, 8);
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

/** What the layout check finds on a page: overlapping labels, clipped ones, wrong ticks. */
interface LayoutFacts {
  labels: number;
  charts: number;
  ticks: { x: number; y: number }[];
  overlaps: string[];
  clipped: string[];
  wrongTicks: string[];
}

/**
 * Reads the laid-out page, whatever drew its charts: every SVG text's box as the browser
 * measures it, and each chart's plot area (`rect.plot-area`) with the domains its `<svg>`
 * publishes (`data-x-domain`, `data-y-domain`), against which each tick label
 * (`text.tick-x`, `text.tick-y`) must sit where its value is: for a dated time axis, the step
 * its `data-step` names.
 */
const LAYOUT_CHECK = `(() => {
  const number = (text) => Number(text.replace(/,/g, "").replace("\u2212", "-"));
  const box = (el) => el.getBoundingClientRect();
  const texts = [...document.querySelectorAll("svg text")].filter((t) => t.textContent.trim());
  const boxes = texts.map((t) => ({ text: t.textContent, r: box(t), svg: t.ownerSVGElement }));
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 0 && h > 0) {
        overlaps.push(JSON.stringify(boxes[i].text) + " and " + JSON.stringify(boxes[j].text) +
          " overlap by " + w.toFixed(1) + " x " + h.toFixed(1) + " px");
      }
    }
  }
  const clipped = boxes.filter(({ r, svg }) => {
    const s = box(svg);
    return r.left < s.left - 0.5 || r.right > s.right + 0.5 || r.top < s.top - 0.5 ||
      r.bottom > s.bottom + 0.5;
  }).map((b) => JSON.stringify(b.text) + " leaves its chart");
  const wrongTicks = [];
  const ticks = [];
  const charts = [...document.querySelectorAll("svg[data-x-domain]")];
  for (const svg of charts) {
    const plot = box(svg.querySelector("rect.plot-area"));
    const [xlo, xhi] = svg.getAttribute("data-x-domain").split(" ").map(Number);
    const [ylo, yhi] = svg.getAttribute("data-y-domain").split(" ").map(Number);
    const name = svg.getAttribute("aria-label");
    const count = { x: 0, y: 0 };
    for (const t of svg.querySelectorAll("text.tick-x, text.tick-y")) {
      const isX = t.classList.contains("tick-x");
      const step = t.getAttribute("data-step");
      const value = step === null ? number(t.textContent) : Number(step);
      const r = box(t);
      const at = isX ? (r.left + r.right) / 2 : (r.top + r.bottom) / 2;
      const want = isX
        ? plot.left + (value - xlo) / (xhi - xlo) * plot.width
        : plot.bottom - (value - ylo) / (yhi - ylo) * plot.height;
      // a quarter of a label's height: a tick a tenth of the way to the next is caught
      if (!Number.isFinite(value) || Math.abs(at - want) > r.height / 4) {
        wrongTicks.push(name + ": " + (isX ? "x" : "y") + " tick " + JSON.stringify(t.textContent) +
          " sits at " + at.toFixed(1) + " px, its value at " + want.toFixed(1) + " px");
      }
      count[isX ? "x" : "y"]++;
    }
    ticks.push(count);
  }
  return { labels: boxes.length, charts: charts.length, ticks, overlaps, clipped, wrongTicks };
})()`;

Deno.test({
  name: "the report's labels never overlap or clip, and every tick label shows its value",
  ignore: !chromiumPath && !inCi,
  async fn() {
    assert(chromiumPath, "no Chromium at /usr/bin/chromium (set CHROMIUM_PATH); CI must run this");
    const chromium = await launchChromium(chromiumPath);
    const dirs: string[] = [];
    const made = await movingScenarios();
    dirs.push(made.dir);
    try {
      for (
        const [name, runs, file] of [
          ["breakout", 2000, undefined],
          ["false_breakout", 300, undefined],
          ["mean_revert", 300, undefined],
          // levels that move, and frames with dates
          ["moving", 300, made.moving],
          ["dated", 300, made.dated],
        ] as const
      ) {
        const { dir, path } = await report(name, runs, file);
        dirs.push(dir);
        for (const width of [1280, 760]) {
          const { page, errors } = await openIsolated(chromium, path, {
            viewport: { width, height: 900 },
          });
          const facts = await page.evaluate(LAYOUT_CHECK) as LayoutFacts;
          const where = `${name} at ${width} px`;
          assertEquals(errors, [], where);
          assertEquals(facts.overlaps, [], where);
          assertEquals(facts.clipped, [], where);
          assertEquals(facts.wrongTicks, [], where);
          assertGreater(facts.charts, 4, where);
          for (const count of facts.ticks) {
            assertGreater(count.x, 1, `${where}: x ticks`);
            assertGreater(count.y, 1, `${where}: y ticks`);
          }
          assertGreater(facts.labels, 60, where);
          await page.close();
        }
      }
    } finally {
      await chromium.close();
      for (const dir of dirs) await Deno.remove(dir, { recursive: true });
    }
  },
});
