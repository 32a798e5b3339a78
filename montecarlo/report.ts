/**
 * The Monte Carlo report, `<name>.report.html`: one self-contained page of inline SVG and CSS
 * (no script, no network, no external file) with the summary numbers, fan charts of spot, X, Y
 * and Z percentiles over time, histograms of each run's max load and first-breach step, and
 * the regime shares. The same statistics give the same bytes.
 *
 * Numbers are written for a person (montecarlo/format.ts): counts with thousands separators
 * and plurals, and each estimate rounded to the accuracy its sketch guarantees (spot to
 * 2^-13, max load to 2^-8, the fan charts' X, Y and Z to 2^-7), so no digit is shown that the
 * statistics do not support; levels and thresholds, which are exact, in full.
 *
 * Charts are hand-made SVG laid out without a browser: label widths are estimated generously,
 * the labels at the right of a chart are moved apart as little as keeps them from overlapping
 * (with a leader to their line when moved), and a regime's share is written in its bar only
 * where it fits. Each chart publishes what it plots, for readers and for the layout test
 * (tests/montecarlo/report_test.ts): its `<svg>` carries `data-x-domain` and `data-y-domain`
 * (`"lo hi"`), the plot area is its `rect.plot-area`, and tick labels are `text.tick-x` and
 * `text.tick-y`, each showing exactly the value at its position.
 *
 * When levels moved (the summary's `movingLevels`), the spot chart draws the flip and walls
 * in force at each step (the median over the runs, as a step line, with the 5th to 95th
 * percentile shaded where runs differ) instead of flat reference lines; a level that never
 * moved stays a flat line. When the frames carry timestamps (the summary's `timeline.dates`),
 * the time axes show dates, the first and the last step's and a few between, as many as fit:
 * each such tick label carries the step it names in `data-step`.
 *
 * @module
 */
import { FLAGS, REGIMES } from "../core/frame.ts";
import { FAN_PALETTE, FLAG_PALETTE, REGIME_PALETTE, SERIES_PALETTE } from "../plugins/_palette.ts";
import type { QuantileSketch } from "./sketch.ts";
import type { EnvelopeLevels } from "../plugins/envelope.ts";
import { formatCount, formatFixed, formatMeasure, formatNumber, formatPercent } from "./format.ts";
import {
  type LevelSeries,
  type MonteCarloStats,
  type MonteCarloSummary,
  type Percentiles,
  type Series,
  TIMELINE_POINTS,
} from "./stats.ts";
import { escapeHtml as escape, pageOpening } from "../files/page.ts";

/** What {@linkcode renderReport} shows besides the statistics. */
export interface ReportOptions {
  /** The batch's summary, from {@linkcode summarizeStats}. */
  summary: MonteCarloSummary;
  /** The scenario's description. */
  description?: string;
  /** The envelope's levels, drawn as reference lines when known. */
  levels?: EnvelopeLevels | undefined;
  /** The generators, each with its options as read: the page states them when given. */
  generators?: readonly GeneratorEntry[] | undefined;
}

/** A generator of the batch's scenario, as {@linkcode ReportOptions.generators} lists it. */
export interface GeneratorEntry {
  /** Its key, such as `generators.spot`. */
  readonly key: string;
  /** Its `use` string as written. */
  readonly use: string;
  /** Its options, read and checked. */
  readonly options: unknown;
}

/** Each regime's colour by name: the light shades of the palette the view shares. */
const REGIME_COLORS: Record<string, string> = Object.fromEntries(
  REGIMES.map((r, code) => [r, REGIME_PALETTE.light[code]!]),
);
/** Each flag's colour by name, as the view draws its markers. */
const FLAG_COLORS: Record<string, string> = Object.fromEntries(
  FLAGS.map((f, bit) => [f, FLAG_PALETTE.light[bit]!]),
);

const FAN = FAN_PALETTE.light;

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
  const dates = dateAxis(summary);
  const { refs: spotRefs, moving } = priceLevels(summary, levels);
  const fan = (name: Series, title: string, unit: string, refs: Reference[]) =>
    fanChart({ stats, name, title, unit, refs, dates, moving: name === "spot" ? moving : [] });
  const level = formatNumber;
  const xRefs: Reference[] = th
    ? [
      { value: th.taxiX, label: `TAXI below ${level(th.taxiX)}`, color: REGIME_COLORS.TAXI! },
      {
        value: th.maneuverX,
        label: `MANEUVER ${level(th.maneuverX)}`,
        color: REGIME_COLORS.MANEUVER!,
      },
      {
        value: th.overspeedX,
        label: `OVERSPEED ${level(th.overspeedX)}`,
        color: FLAG_COLORS.OVERSPEED!,
      },
      { value: th.ruptureX, label: `RUPTURE ${level(th.ruptureX)}`, color: REGIME_COLORS.RUPTURE! },
    ]
    : [];
  const yRefs: Reference[] = th
    ? [
      { value: th.stallY, label: `STALL below ${level(th.stallY)}`, color: FLAG_COLORS.STALL! },
      {
        value: th.maneuverY,
        label: `MANEUVER ${level(th.maneuverY)}`,
        color: REGIME_COLORS.MANEUVER!,
      },
      { value: th.ruptureY, label: `RUPTURE ${level(th.ruptureY)}`, color: REGIME_COLORS.RUPTURE! },
    ]
    : [];
  const zRefs: Reference[] = [
    { value: 1, label: "flip Z = 1", color: "#555" },
    { value: 0, label: "wall Z = 0", color: REGIME_COLORS.RUPTURE! },
  ];
  const title = `Monte Carlo report: ${summary.scenario}`;
  const fanSketch = stats.series.x[0];
  const fanAccuracy = fanSketch
    ? `the fan charts' X, Y and Z within ${percentOf(fanSketch.relativeError)}${
      fanSketch.zeroBelow > 2 ** -1022
        ? ` (values within ${formatMeasure(fanSketch.zeroBelow, 0.01)} of 0 drawn as 0)`
        : ""
    }, `
    : "";
  return `${
    pageOpening({
      title,
      style: CSS,
      lede: options.description,
      meta: `${formatCount(summary.runs, "run")} &times; ${
        formatCount(summary.steps, "step")
      } &middot; seed ${summary.seed} &middot; ${
        formatCount(summary.runs * summary.steps, "frame")
      }${dates ? ` &middot; ${escape(dateSpan(dates))}` : ""}`,
    })
  }
<main>
${cards(summary)}
<section class="grid">
${fan("spot", "Spot percentiles over time", "price", spotRefs)}
${fan("z", "Z (wall proximity) percentiles over time", "Z", zRefs)}
${fan("x", "X (structural airspeed) percentiles over time", "ATR from the flip", xRefs)}
${fan("y", "Y (load factor) percentiles over time", "IV / HV", yRefs)}
${maxLoadHistogram(stats, summary, yRefs)}
${firstBreachHistogram(stats, dates)}
</section>
${regimeSection(summary)}
<section class="grid">
${convergenceChart(summary)}
${finalSpotHistogram(stats, summary)}
</section>
${riskSection(summary)}
${episodeSection(summary)}
${transitionSection(summary)}
${summaryTable(summary)}
${runSection(summary, options)}
</main>
<footer>
<p>Percentiles use the nearest-rank definition. They come from a fixed-grid log-bucket sketch that merges exactly across workers and shards: spot percentiles are within ${
    percentOf(summary.quantiles.spotRelativeError)
  } of the exact value, max-load percentiles within ${
    percentOf(summary.quantiles.stateRelativeError)
  }, ${fanAccuracy}and each number is rounded to its accuracy; first-breach steps, counts and rates are exact. Bands: 5th to 95th and 25th to 75th percentile; the line is the median. Fan charts sample at most ${
    formatCount(TIMELINE_POINTS, "step")
  }.</p>
<p>Final loss, VaR, expected shortfall and adverse excursions are within ${
    percentOf(summary.quantiles.moveRelativeError)
  } (moves within ${
    formatMeasure(summary.quantiles.moveZeroBelow, 0.01)
  } of 0 count as 0); episode counts, durations, times beyond the wall and to re-enter, and regime transitions are exact.</p>
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
table.matrix th, table.matrix td { width: auto; text-align: right; }
table.matrix th.row { text-align: left; }
table.matrix thead th { color: var(--ink); font-weight: 600; }
.panel h3 { font-size: 14px; margin: 14px 0 4px; color: var(--muted); font-weight: 600; }
.panel p.note { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
pre.options { margin: 0; text-align: left; white-space: pre-wrap; word-break: break-all; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
footer { color: var(--muted); font-size: 13px; padding-top: 8px; padding-bottom: 32px; }
`;

/** A relative error as a percentage with two significant digits, such as `0.012%`. */
function percentOf(relativeError: number): string {
  const digits = Math.max(0, 1 - Math.floor(Math.log10(100 * relativeError)));
  return formatPercent(relativeError, { digits });
}

/** A coordinate in the SVG's user units, to a tenth. */
function f1(v: number): string {
  return v.toFixed(1);
}

/**
 * A generous estimate of a text's width in the SVG's user units, for layout without a browser
 * to measure it: per character, about the widest of the common sans-serif fonts (DejaVu Sans,
 * Segoe UI, Helvetica), so that labels placed by it do not overlap or clip in any of them.
 */
function textWidth(text: string, size: number, bold = false): number {
  let em = 0;
  for (const c of text) {
    em += /[MW%]/.test(c)
      ? 1
      : /[mw]/.test(c)
      ? 0.98
      : /[A-Z]/.test(c)
      ? 0.8
      : /[0-9]/.test(c)
      ? 0.7
      : /[ijl.,:;'|!]/.test(c) || c === " "
      ? 0.36
      : /[frt()\-\[\]]/.test(c)
      ? 0.46
      : /[=+<>×≥≤]/.test(c)
      ? 0.86
      : 0.64;
  }
  return em * size * (bold ? 1.08 : 1);
}

function cards(summary: MonteCarloSummary): string {
  const [low, high] = summary.breachRateCI95;
  const first = summary.firstBreachStep;
  const q = summary.maxLoadQuantiles;
  const spot = summary.finalSpotQuantiles;
  const load = (v: number) => formatMeasure(v, summary.quantiles.stateRelativeError);
  const price = (v: number) => formatMeasure(v, summary.quantiles.spotRelativeError);
  const card = (label: string, value: string, note: string) =>
    `<div class="card"><div class="label">${label}</div><div class="value">${value}</div><div class="note">${note}</div></div>`;
  return `<section class="cards">
${
    card(
      "Breach rate",
      formatPercent(summary.breachRate),
      `95% CI ${formatPercent(low, { digits: 2 })} to ${
        formatPercent(high, { digits: 2 })
      } &middot; ${formatCount(summary.breachRuns)} of ${formatCount(summary.runs, "run")}`,
    )
  }
${
    card(
      "First breach",
      first ? `step ${formatCount(first.p50)}` : "none",
      first
        ? `median; p5 ${formatCount(first.p5)}, p95 ${formatCount(first.p95)}`
        : "no run breaches a wall",
    )
  }
${
    card(
      "Max load",
      load(summary.maxLoad),
      `largest Y; per run p5 ${load(q.p5)}, p50 ${load(q.p50)}, p95 ${load(q.p95)}`,
    )
  }
${
    card(
      "Final spot",
      price(spot.p50),
      `median at the last step; p5 ${price(spot.p5)}, p95 ${price(spot.p95)}`,
    )
  }
</section>`;
}

interface Reference {
  value: number;
  label: string;
  color: string;
}

/** A level that moved, drawn on the spot chart as it moves. */
interface MovingLine {
  /** Its name in the summary's `movingLevels`. */
  name: string;
  /** Its name as a person reads it, such as `call wall`. */
  label: string;
  color: string;
  series: LevelSeries;
  /** Largest relative error of its percentiles where runs differ. */
  relativeError: number;
}

/** The envelope's price levels, as drawn on the spot chart: top to bottom. */
const PRICE_LEVELS = [
  { name: "callWall", label: "call wall", color: "#d6453d" },
  { name: "flip", label: "flip", color: "#555" },
  { name: "putWall", label: "put wall", color: "#d6453d" },
] as const;

/** Level names as the summary table shows them. */
const LEVEL_NAMES: Record<string, string> = {
  atr: "ATR",
  flip: "Flip",
  putWall: "Put wall",
  callWall: "Call wall",
};

/**
 * The spot chart's levels: a flat reference line for each static level, and for one that
 * never moved in any run; a moving line for each that did.
 */
function priceLevels(
  summary: MonteCarloSummary,
  levels: EnvelopeLevels | undefined,
): { refs: Reference[]; moving: MovingLine[] } {
  const refs: Reference[] = [];
  const moving: MovingLine[] = [];
  const relativeError = summary.quantiles.levelRelativeError ?? 0;
  for (const { name, label, color } of PRICE_LEVELS) {
    const series = summary.movingLevels?.[name];
    if (!series) {
      if (levels) {
        refs.push({ value: levels[name], label: `${label} ${formatNumber(levels[name])}`, color });
      }
      continue;
    }
    const value = series.p5[0]!;
    const still = series.p5.every((v, i) => v === value && series.p95[i] === value);
    if (still) refs.push({ value, label: `${label} ${exactLevel(value)}`, color });
    else moving.push({ name, label, color, series, relativeError });
  }
  return { refs, moving };
}

/**
 * A level every run has at a step, in full but to the cent at most: levels typed by a user are
 * short, and one computed from data (an ATR) would otherwise show sixteen digits.
 */
function exactLevel(value: number): string {
  const text = formatNumber(value);
  const point = text.indexOf(".");
  return point >= 0 && text.length - point - 1 > 2 ? formatFixed(value, 2) : text;
}

/** A moving level at step `i` of the timeline: exact where every run agrees. */
function levelAt(series: LevelSeries, i: number, relativeError: number): string {
  const v = series.p50[i]!;
  return series.p5[i] === series.p95[i] ? exactLevel(v) : formatMeasure(v, relativeError);
}

/** The timestamps of the timeline's steps, which time axes show instead of step numbers. */
interface DateAxis {
  /** The steps, ascending. */
  steps: readonly number[];
  /** The label of each step. */
  labels: readonly string[];
  /** The first and last timestamps, in full. */
  first: string;
  last: string;
}

/** ISO 8601 timestamps start with the date. */
const ISO_DAY = /^\d{4}-\d{2}-\d{2}/;

/**
 * The time axis of dated frames, when the summary has them: each step labelled by its date
 * when the timestamps are ISO 8601 and no two steps share a day, else by its whole timestamp.
 */
function dateAxis(summary: MonteCarloSummary): DateAxis | undefined {
  const dates = summary.timeline?.dates;
  const steps = summary.timeline?.steps;
  if (!dates || !steps || dates.length === 0 || dates.length !== steps.length) return undefined;
  const days = dates.map((d) => ISO_DAY.exec(d)?.[0]);
  const short = days.every((d) => d !== undefined) && new Set(days).size === days.length;
  return {
    steps,
    labels: short ? days as string[] : dates,
    first: dates[0]!,
    last: dates[dates.length - 1]!,
  };
}

/** The dates a batch's runs span, as its header shows them. */
function dateSpan(dates: DateAxis): string {
  const { labels } = dates;
  return labels.length === 1 ? labels[0]! : `${labels[0]} to ${labels[labels.length - 1]}`;
}

/** A text label at the right of a chart, at the height of the value it names. */
interface SideLabel {
  /** The height it names, in user units. */
  y: number;
  text: string;
  color: string;
}

/** The charts' size in user units. */
const W = 640;
const H = 280;
/** Tick and side label size, user units. */
const FONT = 12;
/** Room above and below the plot. */
const TOP = 14;
const BOTTOM = 42;
/** Height of a label's box as browsers measure it (ascent and descent), and the gap between. */
const LINE = 16;

/** Round tick values covering `[lo, hi]`: 1, 2, 2.5 or 5 times a power of ten apart. */
function ticks(lo: number, hi: number, count = 5): { values: number[]; step: number } {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => span / s <= count) ??
    10 * power;
  const values: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    values.push(Number((k * step).toPrecision(12)));
  }
  return { values, step: Number(step.toPrecision(12)) };
}

/** Ticks at whole numbers only, for an axis of things counted (such as combinations). */
function wholeTicks(lo: number, hi: number): { values: number[]; step: number } {
  const { values, step } = ticks(lo, hi, 6);
  if (step >= 1) return { values, step };
  const whole: number[] = [];
  for (let v = Math.ceil(lo); v <= hi; v++) whole.push(v);
  return { values: whole, step: 1 };
}

/** Digits after the decimal point that show every multiple of `step` exactly. */
function stepDigits(step: number): number {
  const text = formatNumber(step);
  const point = text.indexOf(".");
  return point < 0 ? 0 : text.length - point - 1;
}

/** A chart's plot area and scales, and the SVG of its axes. */
interface Plot {
  /** Left, right, top and bottom edges of the plot area, user units. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  sx: (v: number) => number;
  sy: (v: number) => number;
  /** The `data-` attributes of the chart's `<svg>`: its domains. */
  attributes: string;
  svg: string;
}

/**
 * The axes of a chart: tick labels that show their exact value, margins wide enough for them
 * and for the labels at the right (`rightLabels`), and the plot area as a `rect.plot-area`
 * with the domains in the `<svg>`'s `data-x-domain` and `data-y-domain`, so that a reader (or
 * a test) can tell the value at any point.
 */
function frame(
  x: { lo: number; hi: number; label: string; dates?: DateAxis | undefined; whole?: boolean },
  y: { lo: number; hi: number; label: string },
  rightLabels: readonly string[],
): Plot {
  const dates = x.dates;
  const xt = dates
    ? { values: [], step: 1 }
    : x.whole
    ? wholeTicks(x.lo, x.hi)
    : ticks(x.lo, x.hi, 6);
  const yt = ticks(y.lo, y.hi, 5);
  const xDigits = stepDigits(xt.step);
  const yDigits = stepDigits(yt.step);
  const yText = yt.values.map((v) => formatFixed(v, yDigits));
  let xText = xt.values.map((v) => formatFixed(v, xDigits));
  if (dates) xText = [dates.labels[dates.labels.length - 1]!];
  // room for the rotated axis title, the widest tick label and its gap (and half the first
  // date, centred on the plot's left edge)
  const left = Math.ceil(
    Math.max(
      46,
      30 + Math.max(0, ...yText.map((t) => textWidth(t, FONT))),
      dates ? textWidth(dates.labels[0]!, FONT) / 2 + 4 : 0,
    ),
  );
  const widest = Math.max(0, ...rightLabels.map((t) => textWidth(t, FONT)));
  const right = W -
    Math.ceil(
      Math.max(
        24,
        widest ? widest + 18 : 0,
        ...xText.slice(-1).map((t) => textWidth(t, FONT) / 2 + 6),
      ),
    );
  const top = TOP;
  const bottom = H - BOTTOM;
  const sx = (v: number) => left + ((v - x.lo) / (x.hi - x.lo || 1)) * (right - left);
  const sy = (v: number) => bottom - ((v - y.lo) / (y.hi - y.lo || 1)) * (bottom - top);
  const xAt = dates ? dateTicks(dates, sx) : undefined;
  let svg = `<rect class="plot-area" x="${left}" y="${top}" width="${right - left}" height="${
    bottom - top
  }" fill="none"/>`;
  yt.values.forEach((v, i) => {
    svg += `<line class="grid-line" x1="${left}" x2="${right}" y1="${f1(sy(v))}" y2="${
      f1(sy(v))
    }"/><text class="tick tick-y" x="${left - 6}" y="${f1(sy(v) + 4)}" text-anchor="end">${
      yText[i]
    }</text>`;
  });
  xt.values.forEach((v, i) => {
    svg += `<line class="axis" x1="${f1(sx(v))}" x2="${f1(sx(v))}" y1="${bottom}" y2="${
      bottom + 4
    }"/><text class="tick tick-x" x="${f1(sx(v))}" y="${bottom + 20}" text-anchor="middle">${
      xText[i]
    }</text>`;
  });
  for (const { step, label } of xAt ?? []) {
    svg += `<line class="axis" x1="${f1(sx(step))}" x2="${f1(sx(step))}" y1="${bottom}" y2="${
      bottom + 4
    }"/><text class="tick tick-x" data-step="${step}" x="${f1(sx(step))}" y="${
      bottom + 20
    }" text-anchor="middle">${escape(label)}</text>`;
  }
  svg += `<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`;
  svg += `<text x="${(left + right) / 2}" y="${H - 4}" text-anchor="middle">${
    escape(x.label)
  }</text>`;
  svg += `<text transform="translate(13 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${
    escape(y.label)
  }</text>`;
  const attributes = `data-x-domain="${x.lo} ${x.hi}" data-y-domain="${y.lo} ${y.hi}"`;
  return { left, right, top, bottom, sx, sy, attributes, svg };
}

/** Gap between two date labels of a time axis, user units. */
const DATE_GAP = 16;

/**
 * The dated ticks of a time axis: the first and last step and, evenly spread between them, as
 * many more as fit side by side without touching (six in all at most).
 */
function dateTicks(dates: DateAxis, sx: (v: number) => number): { step: number; label: string }[] {
  const { steps, labels } = dates;
  const m = steps.length;
  const room = Math.max(...labels.map((t) => textWidth(t, FONT))) + DATE_GAP;
  const pick = (n: number) =>
    n <= 1 ? [0] : Array.from({ length: n }, (_, k) => Math.round((k * (m - 1)) / (n - 1)));
  for (let n = Math.min(6, m); n > 1; n--) {
    const at = pick(n);
    if (at.every((j, k) => k === 0 || sx(steps[j]!) - sx(steps[at[k - 1]!]!) >= room)) {
      return at.map((j) => ({ step: steps[j]!, label: labels[j]! }));
    }
  }
  return [{ step: steps[0]!, label: labels[0]! }];
}

const PERCENTILES = [5, 25, 50, 75, 95] as const;

function fanChart(
  o: {
    stats: MonteCarloStats;
    name: Series;
    title: string;
    unit: string;
    refs: Reference[];
    dates: DateAxis | undefined;
    moving: readonly MovingLine[];
  },
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
  // A moving level is drawn where it comes within a span of the fan, as a flat one is.
  const near = { lo: lo - span, hi: hi + span };
  const moving = o.moving.filter((m) =>
    Math.max(...m.series.p95) >= near.lo && Math.min(...m.series.p5) <= near.hi
  );
  for (const r of refs) {
    lo = Math.min(lo, r.value);
    hi = Math.max(hi, r.value);
  }
  for (const m of moving) {
    lo = Math.min(lo, Math.max(near.lo, Math.min(...m.series.p5)));
    hi = Math.max(hi, Math.min(near.hi, Math.max(...m.series.p95)));
  }
  const pad = (hi - lo || 1) * 0.06;
  lo -= pad;
  hi += pad;
  const last = steps[steps.length - 1] ?? 0;
  const end = p50.length - 1;
  const accuracy = sketches[end]!;
  const ends: [string, number][] = [["p95", p95[end]!], ["median", p50[end]!], ["p5", p5[end]!]];
  const endLabels = ends.map(([name, v]) => `${name} ${formatMeasure(v, accuracy)}`);
  const movingLabels = moving.map((m) =>
    `${m.label} ${levelAt(m.series, m.series.p50.length - 1, m.relativeError)}`
  );
  const plot = frame(
    { lo: 0, hi: Math.max(last, 1), label: o.dates ? "date" : "step", dates: o.dates },
    { lo, hi, label: o.unit },
    [...refs.map((r) => r.label), ...movingLabels, ...endLabels],
  );
  const { sx, sy } = plot;
  const path = (values: number[]) => values.map((v, i) => `${f1(sx(steps[i]!))},${f1(sy(v))}`);
  const band = (upper: number[], lower: number[]) =>
    `M${path(upper).join("L")}L${path(lower).reverse().join("L")}Z`;
  let body = plot.svg;
  body += `<path d="${
    band(p95, p5)
  }" fill="${FAN.outer}"><title>5th to 95th percentile</title></path>`;
  body += `<path d="${
    band(p75, p25)
  }" fill="${FAN.inner}"><title>25th to 75th percentile</title></path>`;
  body += `<path d="M${
    path(p50).join("L")
  }" fill="none" stroke="${FAN.line}" stroke-width="2"><title>median</title></path>`;
  const labels: SideLabel[] = [];
  for (const r of refs) {
    const y = sy(r.value);
    body += `<line x1="${plot.left}" x2="${plot.right}" y1="${f1(y)}" y2="${
      f1(y)
    }" stroke="${r.color}" stroke-width="1.2" stroke-dasharray="5 4"/>`;
    labels.push({ y, text: r.label, color: r.color });
  }
  const within = (v: number) => Math.min(hi, Math.max(lo, v));
  moving.forEach((m, k) => {
    body += movingLevel(m, steps, plot, { lo, hi });
    labels.push({ y: sy(within(m.series.p50.at(-1)!)), text: movingLabels[k]!, color: m.color });
  });
  ends.forEach(([, v], i) => labels.push({ y: sy(v), text: endLabels[i]!, color: FAN.line }));
  body += sideLabels(labels, plot);
  const shaded = moving.some((m) => m.series.p5.some((v, i) => v !== m.series.p95[i]));
  const note = moving.length === 0
    ? ""
    : `; dashed, the levels in force at each step${
      shaded ? " (median of runs, 5&ndash;95% shaded where runs differ)" : ""
    }`;
  const caption = `${o.title}<span>${
    o.name === "spot" ? "price" : o.unit
  }; bands 5&ndash;95% and 25&ndash;75% of runs, line the median${note}</span>`;
  return figure(caption, body, o.title, plot.attributes);
}

/**
 * A level as it moves: the median over the runs in force from each timeline step to the next
 * (a step line, drawn only where it lies within the chart's range), over its 5th to 95th
 * percentile where runs differ.
 */
function movingLevel(
  m: MovingLine,
  steps: readonly number[],
  plot: Plot,
  range: { lo: number; hi: number },
): string {
  const { sx, sy } = plot;
  const { p5, p50, p95 } = m.series;
  const x = (i: number) => f1(sx(steps[Math.min(i, steps.length - 1)]!));
  const inside = (v: number) => v >= range.lo && v <= range.hi;
  const clamp = (v: number) => f1(sy(Math.min(range.hi, Math.max(range.lo, v))));
  let svg = "";
  if (p5.some((v, i) => v !== p95[i])) {
    let upper = "", lower = "";
    for (let i = 0; i < steps.length; i++) {
      upper += `${i === 0 ? "M" : "V"}${i === 0 ? `${x(0)},` : ""}${clamp(p95[i]!)}H${x(i + 1)}`;
    }
    for (let i = steps.length - 1; i >= 0; i--) lower += `V${clamp(p5[i]!)}H${x(i)}`;
    svg +=
      `<path class="moving-level-band" data-level="${m.name}" d="${upper}${lower}Z" fill="${m.color}" fill-opacity="0.12"><title>${m.label}: 5th to 95th percentile of runs</title></path>`;
  }
  let d = "";
  let open = false;
  for (let i = 0; i < steps.length; i++) {
    const v = p50[i]!;
    if (!inside(v)) {
      open = false;
      continue;
    }
    d += open ? `V${f1(sy(v))}H${x(i + 1)}` : `M${x(i)},${f1(sy(v))}H${x(i + 1)}`;
    open = true;
  }
  return `${svg}<path class="moving-level" data-level="${m.name}" d="${d}" fill="none" stroke="${m.color}" stroke-width="1.4" stroke-dasharray="5 4"><title>${m.label} in force, median of runs</title></path>`;
}

/**
 * Heights for labels that want to sit at `wanted` (ascending), at least `gap` apart and within
 * `[lo, hi]`, moved as little as possible (least squares): each label less `k * gap` must not
 * decrease, which pool-adjacent-violators solves exactly. When they do not fit, they share the
 * room evenly.
 */
function spread(wanted: readonly number[], gap: number, lo: number, hi: number): number[] {
  const n = wanted.length;
  if (n === 0) return [];
  const room = hi - lo - (n - 1) * gap;
  if (room < 0) return wanted.map((_, k) => lo + (n > 1 ? (k * (hi - lo)) / (n - 1) : 0));
  const pools: { sum: number; count: number }[] = [];
  for (let k = 0; k < n; k++) {
    const target = Math.min(lo + room, Math.max(lo, wanted[k]! - k * gap));
    pools.push({ sum: target, count: 1 });
    while (pools.length > 1) {
      const b = pools[pools.length - 1]!;
      const a = pools[pools.length - 2]!;
      if (a.sum / a.count <= b.sum / b.count) break;
      a.sum += b.sum;
      a.count += b.count;
      pools.pop();
    }
  }
  const out: number[] = [];
  for (const pool of pools) {
    for (let j = 0; j < pool.count; j++) out.push(pool.sum / pool.count + out.length * gap);
  }
  return out;
}

/**
 * Labels at the right edge of the plot, moved apart so that none overlaps another or leaves
 * the chart, each joined to its height by a short leader when it had to move.
 */
function sideLabels(labels: readonly SideLabel[], plot: Plot): string {
  const sorted = [...labels].sort((a, b) => a.y - b.y);
  const at = spread(sorted.map((l) => l.y), LINE, LINE / 2, plot.bottom - 2);
  return sorted.map((l, k) => {
    const y = at[k]!;
    const leader = Math.abs(y - l.y) > 1
      ? `<line x1="${plot.right}" x2="${plot.right + 6}" y1="${f1(l.y)}" y2="${
        f1(y)
      }" stroke="${l.color}" stroke-width="1"/>`
      : "";
    return `${leader}<text class="side-label" x="${plot.right + 8}" y="${
      f1(y + 4)
    }" style="fill:${l.color}">${escape(l.text)}</text>`;
  }).join("");
}

function figure(caption: string, body: string, label: string, attributes = ""): string {
  return `<figure><figcaption>${caption}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${
    escape(label)
  }"${attributes ? ` ${attributes}` : ""}>${body}</svg></figure>`;
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
    empty: string;
    dates?: DateAxis | undefined;
  },
): string {
  const { bins } = o;
  if (bins.length === 0) {
    return figure(
      `${o.title}<span>${o.caption}</span>`,
      `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" style="font-size:15px">${
        escape(o.empty)
      }</text>`,
      o.title,
    );
  }
  const lo = bins[0]!.lo;
  const hi = bins[bins.length - 1]!.hi;
  const top = Math.max(...bins.map((b) => b.count));
  const refs = (o.refs ?? []).filter((r) => r.value >= lo && r.value <= hi);
  const plot = frame(
    { lo, hi, label: o.xLabel, ...(o.dates ? { dates: o.dates } : {}) },
    { lo: 0, hi: top * 1.08, label: "runs" },
    refs.map((r) => r.label),
  );
  const { sx, sy } = plot;
  let body = plot.svg;
  const total = bins.reduce((s, b) => s + b.count, 0);
  for (const b of bins) {
    if (b.count === 0) continue;
    const x = sx(b.lo);
    const w = Math.max(1, sx(b.hi) - x - 1);
    body += `<rect x="${f1(x)}" y="${f1(sy(b.count))}" width="${f1(w)}" height="${
      f1(sy(0) - sy(b.count))
    }" fill="${o.color}"><title>${o.format(b.lo)} to ${o.format(b.hi)}: ${
      formatCount(b.count, "run")
    } (${formatPercent(b.count / total)})</title></rect>`;
  }
  const labels: SideLabel[] = [];
  for (const r of refs) {
    const x = sx(r.value);
    body += `<line x1="${f1(x)}" x2="${
      f1(x)
    }" y1="${plot.top}" y2="${plot.bottom}" stroke="${r.color}" stroke-width="1.2" stroke-dasharray="5 4"/>`;
    labels.push({ y: plot.top + LINE / 2 + labels.length * LINE, text: r.label, color: r.color });
  }
  body += sideLabels(labels, plot);
  return figure(`${o.title}<span>${o.caption}</span>`, body, o.title, plot.attributes);
}

function maxLoadHistogram(
  stats: MonteCarloStats,
  summary: MonteCarloSummary,
  refs: Reference[],
): string {
  return histogram({
    title: "Max load per run",
    caption: "largest Y of each run; dashed lines are the Y thresholds",
    bins: sketchBins(stats.maxLoad),
    xLabel: "max Y (IV / HV)",
    color: "#5b7fc7",
    refs: refs.map((r) => ({ ...r, label: r.label.replace(" below", "") })),
    format: (v) => formatMeasure(v, summary.quantiles.stateRelativeError),
    empty: "No data",
  });
}

/**
 * About 48 bins covering a sketch's values: whole multiples of the widest sketch bucket in
 * range, so that every bucket falls in exactly one bin and no bin gets more buckets than its
 * neighbours.
 */
function sketchBins(sketch: QuantileSketch): Bin[] {
  if (sketch.count === 0) return [];
  const lo = sketch.min;
  const hi = sketch.max;
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
  return bins;
}

function firstBreachHistogram(stats: MonteCarloStats, dates: DateAxis | undefined): string {
  const counts = stats.firstBreach.toJSON();
  const width = Math.max(1, Math.ceil(stats.steps / 50));
  const n = Math.ceil(stats.steps / width);
  const bins: Bin[] = counts.length === 0 ? [] : Array.from({ length: n }, (_, i) => ({
    lo: i * width,
    hi: Math.min(stats.steps, (i + 1) * width),
    count: 0,
  }));
  for (const [step, count] of counts) bins[Math.floor(step / width)]!.count += count;
  const breaching = stats.breachRuns === 1
    ? "the 1 run that breaches"
    : `the ${formatCount(stats.breachRuns, "run")} that breach`;
  return histogram({
    title: "First breach step",
    caption: `step of the first BREACH frame, over ${breaching}`,
    bins,
    xLabel: dates ? "date" : "step",
    color: "#d6453d",
    format: (v) => formatCount(v),
    empty: "No data: no run breaches a wall",
    dates,
  });
}

/** The regime bar's size in user units; it keeps its aspect, so labels keep their shape. */
const BAR = { width: 1000, height: 40 } as const;

/**
 * The label of a regime's segment of the bar, the largest that fits with room to spare: its
 * name and share on one line at 15 or 13 units, or on two lines at 13 or 11; none when even
 * that does not fit (the legend below names every share).
 */
function barLabel(name: string, share: string, x: number, w: number): string {
  const style = (size: number) => `fill:#fff;font-size:${size}px;font-weight:600`;
  const mid = f1(x + w / 2);
  for (const size of [15, 13]) {
    const text = `${name} ${share}`;
    if (textWidth(text, size, true) + 16 <= w) {
      return `<text class="bar-label" x="${mid}" y="${
        BAR.height / 2 + size / 3
      }" text-anchor="middle" style="${style(size)}">${text}</text>`;
    }
  }
  for (const size of [13, 11]) {
    if (Math.max(textWidth(name, size, true), textWidth(share, size, true)) + 12 <= w) {
      const gap = size * 1.25;
      return [name, share].map((text, i) =>
        `<text class="bar-label" x="${mid}" y="${
          f1(BAR.height / 2 + size / 3 + (i - 0.5) * gap)
        }" text-anchor="middle" style="${style(size)}">${text}</text>`
      ).join("");
    }
  }
  return "";
}

function regimeSection(summary: MonteCarloSummary): string {
  let x = 0;
  let bars = "";
  for (const regime of REGIMES) {
    const share = summary.regimeShare[regime];
    const w = share * BAR.width;
    if (w > 0) {
      bars += `<rect x="${f1(x)}" y="0" width="${f1(w)}" height="${BAR.height}" fill="${
        REGIME_COLORS[regime]
      }"><title>${regime}: ${formatPercent(share, { digits: 2 })} of frames</title></rect>`;
      bars += barLabel(`${regime}`, formatPercent(share), x, w);
    }
    x += w;
  }
  const legend = REGIMES.map((r) =>
    `<span><span class="swatch" style="background:${REGIME_COLORS[r]}"></span>${r} ${
      formatPercent(summary.regimeShare[r], { digits: 2 })
    }</span>`
  ).join("");
  const flags = FLAGS.map((f) => `<span>${f} ${formatCount(summary.flagCounts[f], "frame")}</span>`)
    .join("");
  return `<section class="panel">
<h2>Regime shares of all frames</h2>
<svg viewBox="0 0 ${BAR.width} ${BAR.height}" role="img" aria-label="Regime shares">${bars}</svg>
<div class="legend">${legend}</div>
<div class="legend">${flags}</div>
</section>`;
}

/** The summary table's rows of dated frames and of levels that moved: none otherwise. */
function movingRows(summary: MonteCarloSummary): [string, string][] {
  const rows: [string, string][] = [];
  const dates = summary.timeline?.dates;
  if (dates && dates.length > 0) {
    rows.push(["First and last timestamp", `${escape(dates[0]!)} to ${escape(dates.at(-1)!)}`]);
  }
  const relativeError = summary.quantiles.levelRelativeError ?? 0;
  for (const [name, series] of Object.entries(summary.movingLevels ?? {})) {
    const end = series.p50.length - 1;
    rows.push([
      `${LEVEL_NAMES[name] ?? name} in force, first / last step (median)`,
      `${levelAt(series, 0, relativeError)} / ${levelAt(series, end, relativeError)}`,
    ]);
  }
  return rows;
}

function summaryTable(summary: MonteCarloSummary): string {
  const steps = (p: Percentiles) =>
    `${formatCount(p.p5)} / ${formatCount(p.p50)} / ${formatCount(p.p95)}`;
  const measures = (p: Percentiles, relativeError: number) =>
    `${formatMeasure(p.p5, relativeError)} / ${formatMeasure(p.p50, relativeError)} / ${
      formatMeasure(p.p95, relativeError)
    }`;
  const { spotRelativeError, stateRelativeError } = summary.quantiles;
  const [low, high] = summary.breachRateCI95;
  const pct = (v: number) => formatPercent(v, { digits: 2 });
  const rows: [string, string][] = [
    ["Runs", formatCount(summary.runs)],
    ["Steps per run", formatCount(summary.steps)],
    ["Seed", String(summary.seed)],
    [
      "Breach rate (95% Wilson interval)",
      `${pct(summary.breachRate)} (${pct(low)} to ${pct(high)})`,
    ],
    ["Runs with a BREACH", formatCount(summary.breachRuns)],
    [
      "First breach step, p5 / p50 / p95",
      summary.firstBreachStep ? steps(summary.firstBreachStep) : "no run breaches",
    ],
    ["Max load (largest Y of all frames)", formatMeasure(summary.maxLoad, stateRelativeError)],
    ["Max load per run, p5 / p50 / p95", measures(summary.maxLoadQuantiles, stateRelativeError)],
    ["Final spot, p5 / p50 / p95", measures(summary.finalSpotQuantiles, spotRelativeError)],
    ...movingRows(summary),
    ...REGIMES.map((r): [string, string] => [`${r} share of frames`, pct(summary.regimeShare[r])]),
    ...FLAGS.map((f): [string, string] => [`${f} frames`, formatCount(summary.flagCounts[f])]),
  ];
  return `<section class="panel">
<h2>Summary</h2>
<table>
${rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td class="num">${v}</td></tr>`).join("\n")}
</table>
</section>`;
}

/** The running breach rate in run order, with its 95% band (1.96 standard errors). */
function convergenceChart(summary: MonteCarloSummary): string {
  const { runs, breachRate, standardError } = summary.breachConvergence;
  const title = "Breach rate convergence";
  const se = summary.breachRateStandardError;
  const caption =
    `${title}<span>running breach rate of the first n runs, in run order; band &plusmn;1.96 standard errors; final ${
      formatPercent(summary.breachRate, { digits: 2 })
    } &plusmn; ${formatPercent(se, { digits: 2 })} (one standard error)</span>`;
  if (runs.length === 0) return figure(caption, "", title);
  const upper = breachRate.map((p, i) => Math.min(1, p + 1.96 * standardError[i]!));
  const lower = breachRate.map((p, i) => Math.max(0, p - 1.96 * standardError[i]!));
  const hi = Math.min(100, Math.max(1, 100 * Math.max(...upper) * 1.08));
  const last = runs[runs.length - 1]!;
  const finalLabel = `final ${formatPercent(summary.breachRate, { digits: 2 })}`;
  const plot = frame(
    { lo: 0, hi: Math.max(last, 1), label: "runs", whole: true },
    { lo: 0, hi, label: "breach rate, % of runs" },
    [finalLabel],
  );
  const { sx, sy } = plot;
  const path = (values: number[]) => values.map((v, i) => `${f1(sx(runs[i]!))},${f1(sy(100 * v))}`);
  let body = plot.svg;
  body += `<path d="M${path(upper).join("L")}L${
    path(lower).reverse().join("L")
  }Z" fill="${FAN.outer}"><title>95% band</title></path>`;
  body += `<path d="M${
    path(breachRate).join("L")
  }" fill="none" stroke="${FAN.line}" stroke-width="2"><title>running breach rate</title></path>`;
  const y = sy(100 * summary.breachRate);
  body += `<line x1="${plot.left}" x2="${plot.right}" y1="${f1(y)}" y2="${
    f1(y)
  }" stroke="#d6453d" stroke-width="1.2" stroke-dasharray="5 4"/>`;
  body += sideLabels([{ y, text: finalLabel, color: "#d6453d" }], plot);
  return figure(caption, body, title, plot.attributes);
}

/** Final spot's histogram, with the start spot and the spots at the 95% and 99% VaR. */
function finalSpotHistogram(stats: MonteCarloStats, summary: MonteCarloSummary): string {
  const start = summary.startSpotQuantiles;
  const price = (v: number) => formatMeasure(v, summary.quantiles.spotRelativeError);
  const loss = summary.finalLoss;
  // Levels for the VaR lines only when every run starts at one spot: then spot = start - loss.
  const same = start.p5 === start.p95;
  const refs: Reference[] = same
    ? [
      { value: start.p50, label: `start ${formatNumber(start.p50)}`, color: "#555" },
      {
        value: start.p50 - loss.var95,
        label: `VaR 95% ${price(start.p50 - loss.var95)}`,
        color: "#e0a526",
      },
      {
        value: start.p50 - loss.var99,
        label: `VaR 99% ${price(start.p50 - loss.var99)}`,
        color: "#d6453d",
      },
    ]
    : [];
  return histogram({
    title: "Final spot",
    caption: `spot at the last step of each run${
      same
        ? "; dashed: the start, and the final spot of the 95% and 99% VaR of a long position"
        : ""
    }`,
    bins: sketchBins(stats.finalSpot),
    xLabel: "final spot",
    color: "#5b7fc7",
    refs,
    format: price,
    empty: "No data",
  });
}

/** A table of rows, for the report's panels. */
function table(rows: readonly [string, string][]): string {
  return `<table>
${rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td class="num">${v}</td></tr>`).join("\n")}
</table>`;
}

/** Percentiles as `p5 / p50 / p95`, each formatted. */
function three(p: Percentiles | null, format: (v: number) => string, none = "none"): string {
  return p ? `${format(p.p5)} / ${format(p.p50)} / ${format(p.p95)}` : none;
}

/** Final loss, VaR and expected shortfall, adverse excursions, breach sides and re-entry. */
function riskSection(summary: MonteCarloSummary): string {
  const move = (v: number) =>
    formatMeasure(v, {
      relativeError: summary.quantiles.moveRelativeError,
      zeroBelow: summary.quantiles.moveZeroBelow,
    });
  const atr = (v: number) => formatMeasure(v, summary.quantiles.moveRelativeError);
  const count = (v: number) => formatCount(v);
  const pct = (v: number) => formatPercent(v, { digits: 1 });
  const loss = summary.finalLoss;
  const mae = summary.maxAdverseExcursion;
  const sides = summary.breachSides;
  const side = (name: string, c: { runs: number; episodes: number; frames: number }) =>
    [
      `${name}: runs / episodes / frames`,
      `${formatCount(c.runs)} / ${formatCount(c.episodes)} / ${formatCount(c.frames)}`,
    ] as [string, string];
  const beyond = summary.timeBeyondWall;
  const reenter = summary.timeToReenter;
  const snap = summary.snapBack;
  const rows: [string, string][] = [
    ["Loss at the last step, p5 / p50 / p95", three(loss.quantiles, move)],
    ["VaR 95% / expected shortfall 95%", `${move(loss.var95)} / ${move(loss.es95)}`],
    ["VaR 99% / expected shortfall 99%", `${move(loss.var99)} / ${move(loss.es99)}`],
    ["Max adverse excursion below the start (long), price", three(mae.below.price, move)],
    ["Max adverse excursion below the start (long), ATRs", three(mae.below.atr, atr, "no ATR")],
    ["Max adverse excursion above the start (short), price", three(mae.above.price, move)],
    ["Max adverse excursion above the start (short), ATRs", three(mae.above.atr, atr, "no ATR")],
    side("Call wall breaches", sides.call),
    side("Put wall breaches", sides.put),
    ...(sides.unknown ? [side("Breaches of an unknown side", sides.unknown)] : []),
    [
      "Time beyond a wall per breaching run, frames, mean; p5 / p50 / p95",
      beyond.mean === null
        ? "no run breaches"
        : `${formatFixed(beyond.mean, 1)}; ${three(beyond.quantiles, count)}`,
    ],
    [
      "Time to re-enter, frames, p5 / p50 / p95",
      `${three(reenter.quantiles, count)} (${
        formatCount(reenter.reentered, "episode")
      } re-entered, ${formatCount(reenter.neverReentered)} still beyond at the last step)`,
    ],
    [
      `Snap-back: breach episodes back inside within ${snap.within.join(" / ")} steps`,
      snap.probability ? snap.probability.map(pct).join(" / ") : "no breach episode",
    ],
  ];
  return `<section class="panel">
<h2>Risk at the last step and beyond the walls</h2>
${table(rows)}
<p class="note">${
    escape(loss.definition)
  }. VaR is the 95th (99th) percentile of the loss; expected shortfall the mean of the worst 5% (1%) of runs. ${
    escape(mae.definition)
  }. A breach episode's side is the side of the flip spot is on at its first frame.</p>
</section>`;
}

/** Episodes of each flag, and the statistics conditional on a breach. */
function episodeSection(summary: MonteCarloSummary): string {
  const head = [
    "flag",
    "episodes",
    "open at the end",
    "per run, mean",
    "per run p5 / p50 / p95",
    "duration p5 / p50 / p95",
  ];
  const rows = FLAGS.map((flag) => {
    const e = summary.episodes[flag];
    return [
      flag,
      formatCount(e.count),
      formatCount(e.open),
      formatFixed(e.meanPerRun, 2),
      three(e.perRun, (v) => formatCount(v)),
      three(e.duration, (v) => formatCount(v)),
    ];
  });
  const { breached, clear } = summary.conditional;
  const price = (v: number) => formatMeasure(v, summary.quantiles.spotRelativeError);
  const load = (v: number) => formatMeasure(v, summary.quantiles.stateRelativeError);
  const condition = [
    ["", "runs", "final spot p5 / p50 / p95", "max load p5 / p50 / p95"],
    [
      "breached",
      formatCount(breached.runs),
      three(breached.finalSpot, price),
      three(breached.maxLoad, load),
    ],
    [
      "did not breach",
      formatCount(clear.runs),
      three(clear.finalSpot, price),
      three(clear.maxLoad, load),
    ],
  ];
  return `<section class="panel">
<h2>Episodes and statistics conditional on a breach</h2>
${matrix(head, rows)}
<p class="note">An episode is a maximal stretch of consecutive frames carrying the flag; one still open at the last step counts with its frames so far.</p>
<h3>Runs that breached and runs that did not</h3>
${matrix(condition[0]!, condition.slice(1))}
</section>`;
}

/** A table with a header row and a first column of row names. */
function matrix(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table class="matrix">
<thead><tr>${
    head.map((h, i) => `<th${i === 0 ? ` class="row"` : ""}>${escape(h)}</th>`).join("")
  }</tr></thead>
<tbody>
${
    rows.map((row) =>
      `<tr>${
        row.map((c, i) => i === 0 ? `<th class="row">${escape(c)}</th>` : `<td>${c}</td>`).join("")
      }</tr>`
    ).join("\n")
  }
</tbody>
</table>`;
}

/** The regime transition matrix: each row's shares of the next step's regime. */
function transitionSection(summary: MonteCarloSummary): string {
  const { regimes, counts, shares } = summary.regimeTransitions;
  const rows = regimes.map((from, i) => [
    from,
    ...regimes.map((_, j) => {
      const share = shares[i];
      const n = counts[i]![j]!;
      return share
        ? `<span title="${formatCount(n, "step")}">${
          formatPercent(share[j]!, { digits: 1 })
        }</span>`
        : "&ndash;";
    }),
    formatCount(counts[i]!.reduce((a, b) => a + b, 0)),
  ]);
  return `<section class="panel">
<h2>Regime transitions</h2>
${matrix(["from \\ to", ...regimes, "steps"], rows)}
<p class="note">Share of the steps from the row's regime at step t that are in the column's regime at t + 1, over all runs; &ndash; for a regime never left from.</p>
</section>`;
}

/** What the page's batch ran: runs, steps, seed, envelope levels, thresholds, generators. */
function runSection(summary: MonteCarloSummary, options: ReportOptions): string {
  const rows: [string, string][] = [
    ["Runs", formatCount(summary.runs)],
    ["Steps per run", formatCount(summary.steps)],
    ["Seed", String(summary.seed)],
  ];
  const levels = options.levels;
  if (levels) {
    for (const name of ["atr", "flip", "putWall", "callWall", "riskProxyBase"] as const) {
      rows.push([
        LEVEL_NAMES[name] ?? (name === "riskProxyBase" ? "Risk proxy base (1 g)" : name),
        formatNumber(levels[name]),
      ]);
    }
    for (const [name, value] of Object.entries(levels.thresholds)) {
      rows.push([
        `Threshold ${name}`,
        typeof value === "number" ? formatNumber(value) : escape(JSON.stringify(value)),
      ]);
    }
  }
  for (const g of options.generators ?? []) {
    rows.push([
      `${g.key} (${g.use})`,
      `<pre class="options">${escape(JSON.stringify(g.options ?? {}))}</pre>`,
    ]);
  }
  const missing = [
    ...(levels ? [] : ["envelope levels"]),
    ...(options.generators ? [] : ["generator options"]),
  ];
  return `<section class="panel">
<h2>This run</h2>
${table(rows)}
${
    missing.length > 0
      ? `<p class="note">Not known to this page: ${missing.join(" and ")}.</p>\n`
      : ""
  }</section>`;
}

/** A swept value: a number, a string or a boolean. */
type SweepValue = number | string | boolean;

/** What {@linkcode renderSweepReport} draws: a sweep's table, as `runSweep` returns it. */
export interface SweepReportTable {
  /** The scenario's name. */
  readonly name: string;
  /** The scenario's description. */
  readonly description: string;
  /** The seed of every combination. */
  readonly seed: number;
  /** Runs per combination. */
  readonly runs: number;
  /** Steps per run. */
  readonly steps: number;
  /** The swept keys and their values, in the order given. */
  readonly axes: readonly {
    readonly key: string;
    readonly values: readonly (number | string | boolean)[];
  }[];
  /** One row per combination, the first key varying slowest. */
  readonly rows: readonly {
    readonly values: readonly (number | string | boolean)[];
    readonly summary: MonteCarloSummary;
  }[];
}

/** The colours of a sweep chart's lines, one per combination of the other keys. */
const SERIES_COLORS = SERIES_PALETTE.light;

/** The sweep page's own rules, after the report's. */
const SWEEP_CSS = `
.scroll { overflow-x: auto; }
.chart { max-width: 860px; }
table.sweep th, table.sweep td { width: auto; white-space: nowrap; text-align: right; }
table.sweep th.key, table.sweep td.key { text-align: left; }
table.sweep thead th { color: var(--ink); font-weight: 600; vertical-align: bottom; }
`;

/** A swept value as the page shows it: strings as written, numbers in full. */
function sweepValue(value: SweepValue): string {
  return typeof value === "number" ? formatNumber(value) : String(value);
}

/**
 * Renders the page of a parameter sweep, `<name>.sweep.html`: the breach rate of every
 * combination with its 95% Wilson interval, drawn against the last swept key when its values
 * are numbers (a line per combination of the other keys, at most eight) or else against the
 * combination's number, and a table of every combination's summary statistics. Self-contained,
 * as the batch report is; the same table gives the same bytes.
 *
 * @param table The sweep's table, from `runSweep`.
 * @returns The HTML text.
 *
 * @example A sweep of one key
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { parseSweep, renderSweepReport, runSweep } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const report = await runSweep(scenario, [parseSweep("evaluator.callWall=700,705")], { outDir: await Deno.makeTempDir(), runs: 10, steps: 20 });
 * assertStringIncludes(renderSweepReport(report), "<th class=\"key\">evaluator.callWall</th>");
 * ```
 */
export function renderSweepReport(table: SweepReportTable): string {
  const title = `Parameter sweep: ${table.name}`;
  const keys = table.axes.map((axis) => axis.key);
  const combinations = formatCount(table.rows.length, "combination");
  return `${
    pageOpening({
      title,
      style: CSS + SWEEP_CSS,
      lede: table.description,
      meta: `${keys.map(escape).join(" &times; ")} &middot; ${combinations} &times; ${
        formatCount(table.runs, "run")
      } &times; ${
        formatCount(table.steps, "step")
      } &middot; seed ${table.seed} in every combination`,
    })
  }
<main>
${table.rows.length > 0 ? breachChart(table) : ""}
${sweepTable(table)}
</main>
<footer>
<p>Every combination runs with the same seed, so run i of each draws the same random numbers (common random numbers): the differences between rows are the swept values' effect, not sampling noise. Intervals are 95% Wilson score intervals of each combination's breach rate. Percentiles use the nearest-rank definition, from sketches that merge exactly; each is rounded to its accuracy (spot within ${
    percentOf(table.rows[0]?.summary.quantiles.spotRelativeError ?? 0)
  }, max load within ${
    percentOf(table.rows[0]?.summary.quantiles.stateRelativeError ?? 0)
  }); counts, rates and first-breach steps are exact. The CSV beside this page holds every number in full.</p>
<p>Written by option-flight. The same scenario, sweep, seed and runs give this file byte for byte.</p>
</footer>
</body>
</html>
`;
}

/** The breach rate of each combination with its interval, as a chart. */
function breachChart(table: SweepReportTable): string {
  const { axes, rows } = table;
  const last = axes[axes.length - 1]!;
  const per = last.values.length;
  const numeric = per > 1 && last.values.every((v) => typeof v === "number");
  const lines = rows.length / per;
  const byValue = numeric && lines <= SERIES_COLORS.length;
  // Each line: its label and its points, [x, row].
  const series: { label: string; points: [number, number][] }[] = [];
  if (byValue) {
    for (let s = 0; s < lines; s++) {
      const first = rows[s * per]!;
      const label = axes.slice(0, -1).map((axis, i) =>
        `${axis.key} = ${sweepValue(first.values[i]!)}`
      ).join(", ");
      const points: [number, number][] = [];
      for (let k = 0; k < per; k++) {
        points.push([rows[s * per + k]!.values[axes.length - 1] as number, s * per + k]);
      }
      points.sort((a, b) => a[0] - b[0]);
      series.push({ label, points });
    }
  } else {
    series.push({ label: "", points: rows.map((_, i) => [i + 1, i]) });
  }
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  let lo = Math.min(...xs);
  let hi = Math.max(...xs);
  const pad = byValue ? (hi - lo || Math.abs(hi) || 1) * 0.04 : 0.5;
  lo -= pad;
  hi += pad;
  const top = Math.max(...rows.map((row) => row.summary.breachRateCI95[1]));
  const plot = frame(
    {
      lo,
      hi,
      label: byValue ? last.key : "combination (the table's #)",
      ...(byValue ? {} : { whole: true }),
    },
    { lo: 0, hi: Math.max(1, Math.min(100, 100 * top * 1.08)), label: "breach rate, % of runs" },
    [],
  );
  const { sx, sy } = plot;
  let body = plot.svg;
  series.forEach(({ points }, s) => {
    const color = SERIES_COLORS[s % SERIES_COLORS.length]!;
    const at = points.map(([x, r]) => [sx(x), sy(100 * rows[r]!.summary.breachRate)] as const);
    // Combinations without a numeric order get points, not a line between them.
    if (byValue && at.length > 1) {
      body += `<path d="M${
        at.map(([x, y]) => `${f1(x)},${f1(y)}`).join("L")
      }" fill="none" stroke="${color}" stroke-width="1.6"/>`;
    }
    points.forEach(([x, r], k) => {
      const summary = rows[r]!.summary;
      const [low, high] = summary.breachRateCI95;
      const px = sx(x);
      const [cx, left, right] = [f1(px), f1(px - 4), f1(px + 4)];
      const y1 = f1(sy(100 * low)), y2 = f1(sy(100 * high));
      const what = rows[r]!.values.map((v, i) => `${axes[i]!.key} = ${sweepValue(v)}`).join(", ");
      body += `<g><title>#${r + 1} ${escape(what)}: ${
        formatPercent(summary.breachRate, { digits: 2 })
      } (95% CI ${formatPercent(low, { digits: 2 })} to ${
        formatPercent(high, { digits: 2 })
      })</title><line x1="${cx}" x2="${cx}" y1="${y1}" y2="${y2}" stroke="${color}" stroke-width="1.2"/><line x1="${left}" x2="${right}" y1="${y1}" y2="${y1}" stroke="${color}"/><line x1="${left}" x2="${right}" y1="${y2}" y2="${y2}" stroke="${color}"/><circle cx="${cx}" cy="${
        f1(at[k]![1])
      }" r="3.5" fill="${color}"/></g>`;
    });
  });
  const legend = byValue && lines > 1
    ? `<div class="legend">${
      series.map((s, i) =>
        `<span><span class="swatch" style="background:${SERIES_COLORS[i]}"></span>${
          escape(s.label)
        }</span>`
      ).join("")
    }</div>`
    : "";
  const caption =
    `Breach rate by combination<span>share of runs with a BREACH frame; bars, the 95% Wilson interval${
      byValue ? "" : "; hover a point for its values"
    }</span>`;
  return `<section class="chart">
${figure(caption, body, "Breach rate by combination", plot.attributes)}${
    legend ? `\n${legend}` : ""
  }
</section>`;
}

/** Every combination's summary statistics, a row each. */
function sweepTable(table: SweepReportTable): string {
  const pct = (v: number) => formatPercent(v, { digits: 2 });
  const head = [
    "#",
    ...table.axes.map((axis) => axis.key),
    "breach rate",
    "95% CI",
    "runs with a BREACH",
    "first breach step p5 / p50 / p95",
    "max load",
    "max load per run p5 / p50 / p95",
    ...REGIMES.map((r) => `${r} share`),
    ...FLAGS.map((f) => `${f} frames`),
    "final spot p5 / p50 / p95",
  ];
  const keyColumns = new Set(table.axes.map((_, i) => i + 1));
  const cell = (tag: string, text: string, c: number) =>
    `<${tag}${keyColumns.has(c) ? ` class="key"` : ""}>${text}</${tag}>`;
  const rows = table.rows.map((row, r) => {
    const s = row.summary;
    const load = (v: number) => formatMeasure(v, s.quantiles.stateRelativeError);
    const spot = (v: number) => formatMeasure(v, s.quantiles.spotRelativeError);
    const three = (p: Percentiles, f: (v: number) => string) =>
      `${f(p.p5)} / ${f(p.p50)} / ${f(p.p95)}`;
    const cells = [
      String(r + 1),
      ...row.values.map((v) => escape(sweepValue(v))),
      pct(s.breachRate),
      `${pct(s.breachRateCI95[0])} to ${pct(s.breachRateCI95[1])}`,
      formatCount(s.breachRuns),
      s.firstBreachStep ? three(s.firstBreachStep, formatCount) : "none",
      load(s.maxLoad),
      three(s.maxLoadQuantiles, load),
      ...REGIMES.map((regime) => pct(s.regimeShare[regime])),
      ...FLAGS.map((flag) => formatCount(s.flagCounts[flag])),
      three(s.finalSpotQuantiles, spot),
    ];
    return `<tr>${cells.map((text, c) => cell("td", text, c)).join("")}</tr>`;
  });
  return `<section class="panel">
<h2>Summary of every combination</h2>
<div class="scroll">
<table class="sweep">
<thead><tr>${head.map((h, c) => cell("th", escape(h), c)).join("")}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</div>
</section>`;
}
