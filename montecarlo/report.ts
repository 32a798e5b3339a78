/**
 * The Monte Carlo report, `<name>.report.html`: one self-contained page of inline SVG and CSS
 * (no script, no network, no external file) with the summary numbers, fan charts of spot, X, Y
 * and Z percentiles over time, histograms of each run's max load and first-breach step, and
 * the regime shares. The same statistics give the same bytes.
 *
 * @module
 */
import { FLAGS, REGIMES } from "../core/frame.ts";
import type { EnvelopeLevels } from "../plugins/envelope.ts";
import type { MonteCarloStats, MonteCarloSummary, Series } from "./stats.ts";

/** What {@linkcode renderReport} shows besides the statistics. */
export interface ReportOptions {
  /** The batch's summary, from {@linkcode summarizeStats}. */
  summary: MonteCarloSummary;
  /** The scenario's description. */
  description?: string;
  /** The envelope's levels, drawn as reference lines when known. */
  levels?: EnvelopeLevels | undefined;
}

const REGIME_COLORS: Record<string, string> = {
  TAXI: "#7f8fa6",
  CRUISE: "#2e9e6b",
  MANEUVER: "#e0a526",
  RUPTURE: "#d6453d",
};

const FAN = { outer: "#c9daf2", inner: "#8fb3e3", line: "#1f4e99" };

/**
 * Renders the report page.
 *
 * @param stats The batch's statistics.
 * @param options The summary, the description and the levels.
 * @returns The HTML text.
 *
 * @example A page with its fan charts
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { loadScenario, startRun } from "../mod.ts";
 * import { MonteCarloStats, renderReport, summarizeStats } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const stats = new MonteCarloStats({ steps: 200 });
 * for (let run = 0; run < 10; run++) stats.addRun(await startRun(scenario, { run }));
 * const html = renderReport(stats, { summary: summarizeStats(stats, { scenario: "breakout", seed: 42 }) });
 * assertStringIncludes(html, "<svg");
 * assertStringIncludes(html, "Spot percentiles over time");
 * ```
 */
export function renderReport(stats: MonteCarloStats, options: ReportOptions): string {
  const { summary, levels } = options;
  const th = levels?.thresholds;
  const fan = (name: Series, title: string, unit: string, refs: Reference[]) =>
    fanChart({ stats, name, title, unit, refs });
  const spotRefs: Reference[] = levels
    ? [
      { value: levels.callWall, label: `call wall ${levels.callWall}`, color: "#d6453d" },
      { value: levels.flip, label: `flip ${levels.flip}`, color: "#555" },
      { value: levels.putWall, label: `put wall ${levels.putWall}`, color: "#d6453d" },
    ]
    : [];
  const xRefs: Reference[] = th
    ? [
      { value: th.taxiX, label: `TAXI below ${th.taxiX}`, color: REGIME_COLORS.TAXI! },
      { value: th.maneuverX, label: `MANEUVER ${th.maneuverX}`, color: REGIME_COLORS.MANEUVER! },
      { value: th.overspeedX, label: `OVERSPEED ${th.overspeedX}`, color: "#b05fc4" },
      { value: th.ruptureX, label: `RUPTURE ${th.ruptureX}`, color: REGIME_COLORS.RUPTURE! },
    ]
    : [];
  const yRefs: Reference[] = th
    ? [
      { value: th.stallY, label: `STALL below ${th.stallY}`, color: "#b05fc4" },
      { value: th.maneuverY, label: `MANEUVER ${th.maneuverY}`, color: REGIME_COLORS.MANEUVER! },
      { value: th.ruptureY, label: `RUPTURE ${th.ruptureY}`, color: REGIME_COLORS.RUPTURE! },
    ]
    : [];
  const zRefs: Reference[] = [
    { value: 1, label: "flip (Z = 1)", color: "#555" },
    { value: 0, label: "wall: BREACH below 0", color: "#d6453d" },
  ];
  const title = `Monte Carlo report: ${summary.scenario}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escape(title)}</h1>
${
    options.description
      ? `<p class="lede">${escape(options.description)}</p>\n`
      : ""
  }<p class="meta">${whole(summary.runs)} runs &times; ${
    whole(summary.steps)
  } steps &middot; seed ${summary.seed} &middot; ${whole(summary.runs * summary.steps)} frames</p>
</header>
<main>
${cards(summary)}
<section class="grid">
${fan("spot", "Spot percentiles over time", "price", spotRefs)}
${fan("z", "Z (wall proximity) percentiles over time", "Z", zRefs)}
${fan("x", "X (structural airspeed) percentiles over time", "ATR from the flip", xRefs)}
${fan("y", "Y (load factor) percentiles over time", "IV / HV", yRefs)}
${maxLoadHistogram(stats, yRefs)}
${firstBreachHistogram(stats)}
</section>
${regimeSection(summary)}
${summaryTable(summary)}
</main>
<footer>
<p>Percentiles use the nearest-rank definition. Spot percentiles are within ${
    percent(summary.quantiles.spotRelativeError, 3)
  } and X, Y, Z and max-load percentiles within ${
    percent(summary.quantiles.stateRelativeError, 2)
  } of the exact value (a fixed-grid log-bucket sketch that merges exactly across workers and shards); first-breach steps, counts and rates are exact. Bands: 5th to 95th and 25th to 75th percentile; the line is the median. Fan charts sample at most 200 steps.</p>
<p>Written by option-flight. The same scenario, seed and runs give this file byte for byte.</p>
</footer>
</body>
</html>
`;
}

const CSS = `
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6475; --rule: #dde2ea; --panel: #fff; --bg: #f4f6f9; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 16px; margin: 0 0 8px; }
.lede { margin: 0 0 4px; font-size: 16px; }
.meta { margin: 0 0 20px; color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 14px; margin-bottom: 18px; }
.card { background: var(--panel); border: 1px solid var(--rule); border-radius: 10px; padding: 14px 16px; }
.card .label { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: 0.04em; }
.card .value { font-size: 28px; font-weight: 650; margin: 2px 0; font-variant-numeric: tabular-nums; }
.card .note { color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px; }
figure { margin: 0; background: var(--panel); border: 1px solid var(--rule); border-radius: 10px; padding: 14px 16px 8px; }
figcaption { font-weight: 600; margin-bottom: 2px; }
figcaption span { display: block; font-weight: 400; color: var(--muted); font-size: 13px; }
svg { display: block; width: 100%; height: auto; font-family: inherit; }
svg text { fill: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
svg .axis { stroke: #9aa3b2; stroke-width: 1; }
svg .grid-line { stroke: #edf0f4; stroke-width: 1; }
.panel { background: var(--panel); border: 1px solid var(--rule); border-radius: 10px; padding: 14px 16px; margin-top: 14px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--rule); }
th { color: var(--muted); font-weight: 500; width: 36%; }
td.num { text-align: right; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-top: 8px; font-size: 14px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 6px; vertical-align: -1px; }
footer { color: var(--muted); font-size: 13px; padding-top: 8px; padding-bottom: 32px; }
`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function whole(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function percent(v: number, digits = 1): string {
  return `${(100 * v).toFixed(digits)}%`;
}

/** A number with at most 6 significant digits, without trailing zeros. */
function num(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

function cards(summary: MonteCarloSummary): string {
  const [low, high] = summary.breachRateCI95;
  const first = summary.firstBreachStep;
  const q = summary.maxLoadQuantiles;
  const spot = summary.finalSpotQuantiles;
  const card = (label: string, value: string, note: string) =>
    `<div class="card"><div class="label">${label}</div><div class="value">${value}</div><div class="note">${note}</div></div>`;
  return `<section class="cards">
${
    card(
      "Breach rate",
      percent(summary.breachRate),
      `95% CI ${percent(low, 2)} to ${percent(high, 2)} &middot; ${whole(summary.breachRuns)} of ${
        whole(summary.runs)
      } runs`,
    )
  }
${
    card(
      "First breach",
      first ? `step ${first.p50}` : "none",
      first ? `median; p5 ${first.p5}, p95 ${first.p95}` : "no run breaches a wall",
    )
  }
${
    card(
      "Max load",
      num(summary.maxLoad),
      `largest Y; per run p5 ${num(q.p5)}, p50 ${num(q.p50)}, p95 ${num(q.p95)}`,
    )
  }
${
    card(
      "Final spot",
      num(spot.p50),
      `median at the last step; p5 ${num(spot.p5)}, p95 ${num(spot.p95)}`,
    )
  }
</section>`;
}

interface Reference {
  value: number;
  label: string;
  color: string;
}

const W = 640;
const H = 280;
const M = { left: 58, right: 150, top: 14, bottom: 40 };

/** Round tick values covering `[lo, hi]`. */
function ticks(lo: number, hi: number, count = 5): { values: number[]; step: number } {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => span / s <= count) ??
    10 * power;
  const values: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    values.push(Number(v.toPrecision(12)));
  }
  return { values, step };
}

function tickText(v: number, step: number): string {
  const decimals = Math.max(
    0,
    Math.min(6, -Math.floor(Math.log10(step) + 1e-9) + (step % 1 ? 1 : 0)),
  );
  return (Object.is(v, -0) ? 0 : v).toFixed(step >= 1 ? 0 : decimals);
}

function f1(v: number): string {
  return v.toFixed(1);
}

function frame(
  x: { lo: number; hi: number; label: string },
  y: { lo: number; hi: number; label: string },
): { sx: (v: number) => number; sy: (v: number) => number; svg: string } {
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const sx = (v: number) => M.left + ((v - x.lo) / (x.hi - x.lo || 1)) * iw;
  const sy = (v: number) => M.top + ih - ((v - y.lo) / (y.hi - y.lo || 1)) * ih;
  const xt = ticks(x.lo, x.hi, 6);
  const yt = ticks(y.lo, y.hi, 5);
  let svg = "";
  for (const v of yt.values) {
    svg += `<line class="grid-line" x1="${M.left}" x2="${W - M.right}" y1="${f1(sy(v))}" y2="${
      f1(sy(v))
    }"/><text x="${M.left - 6}" y="${f1(sy(v) + 4)}" text-anchor="end">${
      tickText(v, yt.step)
    }</text>`;
  }
  for (const v of xt.values) {
    svg += `<line class="axis" x1="${f1(sx(v))}" x2="${f1(sx(v))}" y1="${H - M.bottom}" y2="${
      H - M.bottom + 4
    }"/><text x="${f1(sx(v))}" y="${H - M.bottom + 17}" text-anchor="middle">${
      tickText(v, xt.step)
    }</text>`;
  }
  svg += `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${
    H - M.bottom
  }"/>`;
  svg += `<text x="${M.left + iw / 2}" y="${H - 4}" text-anchor="middle">${escape(x.label)}</text>`;
  svg += `<text transform="translate(13 ${M.top + ih / 2}) rotate(-90)" text-anchor="middle">${
    escape(y.label)
  }</text>`;
  return { sx, sy, svg };
}

const PERCENTILES = [5, 25, 50, 75, 95] as const;

function fanChart(
  o: { stats: MonteCarloStats; name: Series; title: string; unit: string; refs: Reference[] },
): string {
  const sketches = o.stats.series[o.name];
  const steps = o.stats.timeline;
  const perSketch = sketches.map((s) => s.quantiles(PERCENTILES) as number[]);
  const q = PERCENTILES.map((_, k) => perSketch.map((values) => values[k]!));
  const [p5, p25, p50, p75, p95] = q as [number[], number[], number[], number[], number[]];
  let lo = Math.min(...p5);
  let hi = Math.max(...p95);
  const span = hi - lo || Math.abs(hi) || 1;
  const refs = o.refs.filter((r) => r.value >= lo - span && r.value <= hi + span);
  for (const r of refs) {
    lo = Math.min(lo, r.value);
    hi = Math.max(hi, r.value);
  }
  const pad = (hi - lo || 1) * 0.06;
  lo -= pad;
  hi += pad;
  const last = steps[steps.length - 1] ?? 0;
  const { sx, sy, svg } = frame({ lo: 0, hi: Math.max(last, 1), label: "step" }, {
    lo,
    hi,
    label: o.unit,
  });
  const path = (values: number[]) => values.map((v, i) => `${f1(sx(steps[i]!))},${f1(sy(v))}`);
  const band = (upper: number[], lower: number[]) =>
    `M${path(upper).join("L")}L${path(lower).reverse().join("L")}Z`;
  let body = svg;
  body += `<path d="${
    band(p95, p5)
  }" fill="${FAN.outer}"><title>5th to 95th percentile</title></path>`;
  body += `<path d="${
    band(p75, p25)
  }" fill="${FAN.inner}"><title>25th to 75th percentile</title></path>`;
  body += `<path d="M${
    path(p50).join("L")
  }" fill="none" stroke="${FAN.line}" stroke-width="2"><title>median</title></path>`;
  const labels: { y: number; text: string; color: string }[] = [];
  for (const r of refs) {
    const y = sy(r.value);
    body += `<line x1="${M.left}" x2="${W - M.right}" y1="${f1(y)}" y2="${
      f1(y)
    }" stroke="${r.color}" stroke-width="1.2" stroke-dasharray="5 4"/>`;
    labels.push({ y, text: r.label, color: r.color });
  }
  const end = p50.length - 1;
  labels.push({ y: sy(p95[end]!), text: `p95 ${num(p95[end]!)}`, color: FAN.line });
  labels.push({ y: sy(p50[end]!), text: `median ${num(p50[end]!)}`, color: FAN.line });
  labels.push({ y: sy(p5[end]!), text: `p5 ${num(p5[end]!)}`, color: FAN.line });
  body += sideLabels(labels);
  const caption = `${o.title}<span>${
    o.name === "spot" ? "price" : o.unit
  }; bands 5&ndash;95% and 25&ndash;75% of runs, line the median</span>`;
  return figure(caption, body, o.title);
}

/** Labels at the right edge, nudged apart so that they never overlap. */
function sideLabels(labels: { y: number; text: string; color: string }[]): string {
  const sorted = [...labels].sort((a, b) => a.y - b.y);
  const gap = 14;
  for (let i = 1; i < sorted.length; i++) {
    sorted[i]!.y = Math.max(sorted[i]!.y, sorted[i - 1]!.y + gap);
  }
  const bottom = H - M.bottom + 4;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const limit = i === sorted.length - 1 ? bottom : sorted[i + 1]!.y - gap;
    sorted[i]!.y = Math.min(sorted[i]!.y, limit);
  }
  return sorted.map((l) =>
    `<text x="${W - M.right + 8}" y="${f1(l.y + 4)}" style="fill:${l.color}">${
      escape(l.text)
    }</text>`
  ).join("");
}

function figure(caption: string, body: string, label: string): string {
  return `<figure><figcaption>${caption}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${
    escape(label)
  }">${body}</svg></figure>`;
}

interface Bin {
  lo: number;
  hi: number;
  count: number;
}

function histogram(
  o: {
    title: string;
    caption: string;
    bins: Bin[];
    xLabel: string;
    color: string;
    refs?: Reference[];
    format: (v: number) => string;
  },
): string {
  const { bins } = o;
  if (bins.length === 0) {
    return figure(
      `${o.title}<span>${o.caption}</span>`,
      `<text x="${W / 2}" y="${
        H / 2
      }" text-anchor="middle" style="font-size:15px">No data: no run breaches a wall</text>`,
      o.title,
    );
  }
  const lo = bins[0]!.lo;
  const hi = bins[bins.length - 1]!.hi;
  const top = Math.max(...bins.map((b) => b.count));
  const { sx, sy, svg } = frame({ lo, hi, label: o.xLabel }, {
    lo: 0,
    hi: top * 1.08,
    label: "runs",
  });
  let body = svg;
  const total = bins.reduce((s, b) => s + b.count, 0);
  for (const b of bins) {
    if (b.count === 0) continue;
    const x = sx(b.lo);
    const w = Math.max(1, sx(b.hi) - x - 1);
    body += `<rect x="${f1(x)}" y="${f1(sy(b.count))}" width="${f1(w)}" height="${
      f1(sy(0) - sy(b.count))
    }" fill="${o.color}"><title>${o.format(b.lo)} to ${o.format(b.hi)}: ${whole(b.count)} runs (${
      percent(b.count / total)
    })</title></rect>`;
  }
  const labels: { y: number; text: string; color: string }[] = [];
  for (const r of o.refs ?? []) {
    if (r.value < lo || r.value > hi) continue;
    const x = sx(r.value);
    body += `<line x1="${f1(x)}" x2="${f1(x)}" y1="${M.top}" y2="${
      H - M.bottom
    }" stroke="${r.color}" stroke-width="1.2" stroke-dasharray="5 4"/>`;
    labels.push({ y: M.top + 8 + labels.length * 14, text: r.label, color: r.color });
  }
  body += sideLabels(labels);
  return figure(`${o.title}<span>${o.caption}</span>`, body, o.title);
}

function maxLoadHistogram(stats: MonteCarloStats, refs: Reference[]): string {
  const sketch = stats.maxLoad;
  const lo = sketch.min;
  const hi = sketch.max;
  // Bins are whole multiples of the widest sketch bucket in range, so that every bucket falls
  // in exactly one bin and no bin gets more buckets than its neighbours.
  const top = Math.max(Math.abs(lo), Math.abs(hi), Number.MIN_VALUE);
  const bucket = 2 ** (Math.floor(Math.log2(top)) - sketch.bits);
  const width = bucket * Math.max(1, Math.ceil((hi - lo) / bucket / 48));
  const first = Math.floor(lo / width);
  const n = Math.max(1, Math.floor(hi / width) - first + 1);
  const bins: Bin[] = Array.from({ length: n }, (_, i) => ({
    lo: (first + i) * width,
    hi: (first + i + 1) * width,
    count: 0,
  }));
  for (const b of sketch.buckets()) {
    const mid = (b.low + b.high) / 2;
    const i = Math.min(n - 1, Math.max(0, Math.floor(mid / width) - first));
    bins[i]!.count += b.count;
  }
  return histogram({
    title: "Max load per run",
    caption: "largest Y of each run; dashed lines are the Y thresholds",
    bins,
    xLabel: "max Y (IV / HV)",
    color: "#5b7fc7",
    refs: refs.map((r) => ({ ...r, label: r.label.replace(" below", "") })),
    format: (v) => num(v),
  });
}

function firstBreachHistogram(stats: MonteCarloStats): string {
  const counts = stats.firstBreach.toJSON();
  const width = Math.max(1, Math.ceil(stats.steps / 50));
  const n = Math.ceil(stats.steps / width);
  const bins: Bin[] = counts.length === 0 ? [] : Array.from({ length: n }, (_, i) => ({
    lo: i * width,
    hi: Math.min(stats.steps, (i + 1) * width),
    count: 0,
  }));
  for (const [step, count] of counts) bins[Math.floor(step / width)]!.count += count;
  return histogram({
    title: "First breach step",
    caption: `step of the first BREACH frame, over the ${whole(stats.breachRuns)} runs that breach`,
    bins,
    xLabel: "step",
    color: "#d6453d",
    format: (v) => whole(v),
  });
}

function regimeSection(summary: MonteCarloSummary): string {
  let x = 0;
  let bars = "";
  const width = 1000;
  for (const regime of REGIMES) {
    const share = summary.regimeShare[regime];
    const w = share * width;
    if (w > 0) {
      bars += `<rect x="${f1(x)}" y="0" width="${f1(w)}" height="36" fill="${
        REGIME_COLORS[regime]
      }"><title>${regime}: ${percent(share, 2)} of frames</title></rect>`;
      if (w > 70) {
        bars += `<text x="${
          f1(x + w / 2)
        }" y="23" text-anchor="middle" style="fill:#fff;font-size:14px;font-weight:600">${regime} ${
          percent(share)
        }</text>`;
      }
    }
    x += w;
  }
  const legend = REGIMES.map((r) =>
    `<span><span class="swatch" style="background:${REGIME_COLORS[r]}"></span>${r} ${
      percent(summary.regimeShare[r], 2)
    }</span>`
  ).join("");
  const flags = FLAGS.map((f) => `<span>${f} ${whole(summary.flagCounts[f])} frames</span>`).join(
    "",
  );
  return `<section class="panel">
<h2>Regime shares of all frames</h2>
<svg viewBox="0 0 ${width} 36" preserveAspectRatio="none" role="img" aria-label="Regime shares" style="height:36px">${bars}</svg>
<div class="legend">${legend}</div>
<div class="legend">${flags}</div>
</section>`;
}

function summaryTable(summary: MonteCarloSummary): string {
  const q = (p: { p5: number; p50: number; p95: number }) =>
    `${num(p.p5)} / ${num(p.p50)} / ${num(p.p95)}`;
  const [low, high] = summary.breachRateCI95;
  const rows: [string, string][] = [
    ["Runs", whole(summary.runs)],
    ["Steps per run", whole(summary.steps)],
    ["Seed", String(summary.seed)],
    [
      "Breach rate (95% Wilson interval)",
      `${percent(summary.breachRate, 2)} (${percent(low, 2)} to ${percent(high, 2)})`,
    ],
    ["Runs with a BREACH", whole(summary.breachRuns)],
    [
      "First breach step, p5 / p50 / p95",
      summary.firstBreachStep ? q(summary.firstBreachStep) : "no run breaches",
    ],
    ["Max load (largest Y of all frames)", num(summary.maxLoad)],
    ["Max load per run, p5 / p50 / p95", q(summary.maxLoadQuantiles)],
    ["Final spot, p5 / p50 / p95", q(summary.finalSpotQuantiles)],
    ...REGIMES.map((
      r,
    ): [string, string] => [`${r} share of frames`, percent(summary.regimeShare[r], 2)]),
    ...FLAGS.map((f): [string, string] => [`${f} frames`, whole(summary.flagCounts[f])]),
  ];
  return `<section class="panel">
<h2>Summary</h2>
<table>
${rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td class="num">${v}</td></tr>`).join("\n")}
</table>
</section>`;
}
