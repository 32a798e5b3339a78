/**
 * The backtest's self-contained HTML page: the reliability plot (predicted against observed,
 * with intervals and the diagonal), the calibration table and the Brier scores, in the look of
 * the Monte Carlo report. No script, no network.
 *
 * @module
 */
import type { BacktestDocument } from "./engine.ts";
import type { Calibration } from "./calibration.ts";
import { escapeHtml as escape, pageOpening } from "../files/page.ts";

/**
 * Renders a backtest's page.
 *
 * @param doc The backtest document, as `<name>.backtest.json` holds it.
 * @returns The page, a complete HTML document.
 *
 * @example A page has the reliability plot
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { calibrate } from "./calibration.ts";
 * import { backtestPage } from "./page.ts";
 *
 * const band = calibrate([0.2, 0.8], [false, true], { horizon: 1 });
 * const settings = { scenario: "s.jsonc", history: "h.csv", iv: null, levels: null, from: "2020-01-02", to: "2020-01-03", horizon: 1, band: 2, runs: 10, seed: 0, touch: "close" as const, hvWindow: 21, atrPeriod: 14 };
 * const html = backtestPage({ format: "option-flight/backtest", formatVersion: 1, version: "0", scenario: "s", description: "", fingerprint: "", settings, sessions: 2, scoredSessions: 2, leftOut: 0, carriedIv: 0, heldGenerators: [], band, walls: null, days: [] });
 * assertStringIncludes(html, 'class="reliability"');
 * ```
 */
export function backtestPage(doc: BacktestDocument): string {
  const s = doc.settings;
  const title = `Backtest: ${doc.scenario}`;
  const meta = [
    `${escape(s.from)} to ${escape(s.to)}`,
    `${count(doc.scoredSessions, "day")} scored`,
    doc.leftOut > 0
      ? `${count(doc.leftOut, "day")} left out (fewer than ${s.horizon} sessions after)`
      : "",
    `${count(s.runs, "run")} a day`,
    `horizon ${count(s.horizon, "session")}`,
    `band &plusmn;${s.band} ATR`,
    `seed ${s.seed}`,
  ].filter(Boolean).join(" &middot; ");
  const sections = [section("Band touch", bandLabel(doc), doc.band, s.horizon)];
  if (doc.walls) {
    sections.push(
      section(
        "Wall touch",
        "a close at or beyond the day's put or call wall (levels series)",
        doc.walls,
        s.horizon,
      ),
    );
  }
  return `${pageOpening({ title, style: CSS, lede: doc.description, meta })}
<main>
${sections.join("\n")}
<section class="panel">
<h2>Settings</h2>
<table>
${row("Scenario", escape(s.scenario))}
${row("Prices", escape(s.history))}
${
    row(
      "IV",
      s.iv
        ? `${escape(s.iv)} (close / 100; ${count(doc.carriedIv, "session")} carried forward)`
        : "the day's HV (no volatility index given)",
    )
  }
${
    row(
      "Levels",
      s.levels
        ? escape(s.levels)
        : "none: the scenario's levels scaled so its flip sits at each day's close",
    )
  }
${
    row(
      "Market touch",
      s.touch === "close"
        ? "closes, as the simulator's steps"
        : "highs and lows (biased upward against the simulated closes)",
    )
  }
${
    row(
      "Held at the day's IV and HV",
      doc.heldGenerators.length ? escape(doc.heldGenerators.join(", ")) : "none",
    )
  }
${
    row(
      "HV and ATR",
      `HV(${s.hvWindow}) of daily log returns &times; &radic;252; Wilder ATR(${s.atrPeriod})`,
    )
  }
</table>
</section>
</main>
<footer>
<p>Each day starts ${
    count(s.runs, "run")
  } from its close, ATR, IV and HV; the prediction is the share of runs whose path touches the event within ${
    count(s.horizon, "step")
  }, the observation whether the market did in the ${
    count(s.horizon, "session")
  } after. Intervals are 95% Wilson intervals: dark, days taken as independent; light, over an effective sample size of count / ${s.horizon}, since overlapping windows make neighbouring days dependent.</p>
<p>Written by option-flight. The same inputs and seed give this file byte for byte.</p>
</footer>
</body>
</html>
`;
}

function bandLabel(doc: BacktestDocument): string {
  const { band, touch } = doc.settings;
  return `a ${
    touch === "close" ? "close" : "high or low"
  } at or beyond the day's close &plusmn; ${band} &times; ATR`;
}

function section(title: string, label: string, c: Calibration, horizon: number): string {
  const skill = c.skill === null ? "n/a" : fixed(c.skill, 3);
  return `<section class="cards">
${card("Brier score", fixed(c.brier, 4), `climatology ${fixed(c.brierClimatology, 4)}`)}
${card("Skill score", skill, "1 &minus; Brier / climatology; above 0 beats the base rate")}
${
    card(
      "Base rate",
      percent(c.baseRate),
      `${count(c.events, "touch", "touches")} in ${count(c.days, "day")}`,
    )
  }
${
    card(
      "Mean predicted",
      percent(c.meanPredicted),
      `reliability ${fixed(c.reliability, 4)}, resolution ${fixed(c.resolution, 4)}`,
    )
  }
${
    card(
      "Buckets off",
      `${c.bucketsOutside} of ${c.buckets.filter((b) => b.count > 0).length}`,
      "mean prediction outside the effective interval",
    )
  }
</section>
<section class="grid">
${reliabilityPlot(title, label, c)}
<div class="panel table-panel">
<h2>${escape(title)}: calibration table</h2>
<table class="calibration">
<thead><tr><th>predicted</th><th class="num">days</th><th class="num">mean predicted</th><th class="num">observed</th><th class="num">95% Wilson</th><th class="num">n / ${horizon}</th></tr></thead>
<tbody>
${
    c.buckets.map((b) =>
      `<tr><td>${fixed(b.low, 1)}&ndash;${
        fixed(b.high, 1)
      }</td><td class="num">${b.count}</td><td class="num">${
        b.meanPredicted === null ? "" : fixed(b.meanPredicted, 3)
      }</td><td class="num">${
        b.frequency === null ? "" : fixed(b.frequency, 3)
      }</td><td class="num">${
        b.interval ? `${fixed(b.interval[0], 3)}&ndash;${fixed(b.interval[1], 3)}` : ""
      }</td><td class="num">${
        b.effectiveInterval
          ? `${fixed(b.effectiveInterval[0], 3)}&ndash;${fixed(b.effectiveInterval[1], 3)}`
          : ""
      }</td></tr>`
    ).join("\n")
  }
</tbody>
</table>
</div>
</section>`;
}

const W = 560, H = 500;
const LEFT = 56, RIGHT = W - 16, TOP = 16, BOTTOM = H - 150, COUNTS = H - 12;

/** The reliability plot: bucket frequency against mean prediction, on [0, 1] both ways. */
function reliabilityPlot(title: string, label: string, c: Calibration): string {
  const sx = (p: number) => LEFT + p * (RIGHT - LEFT);
  const sy = (p: number) => BOTTOM - p * (BOTTOM - TOP);
  let svg = "";
  for (let k = 0; k <= 10; k++) {
    const v = k / 10;
    svg += `<line class="grid-line" x1="${f1(sx(v))}" x2="${
      f1(sx(v))
    }" y1="${TOP}" y2="${BOTTOM}"/>`;
    svg += `<line class="grid-line" x1="${LEFT}" x2="${RIGHT}" y1="${f1(sy(v))}" y2="${
      f1(sy(v))
    }"/>`;
    if (k % 2 === 0) {
      svg += `<text x="${f1(sx(v))}" y="${BOTTOM + 16}" text-anchor="middle">${fixed(v, 1)}</text>`;
      svg += `<text x="${LEFT - 6}" y="${f1(sy(v) + 4)}" text-anchor="end">${fixed(v, 1)}</text>`;
    }
  }
  svg += `<line class="axis" x1="${LEFT}" x2="${RIGHT}" y1="${BOTTOM}" y2="${BOTTOM}"/>`;
  svg += `<line class="axis" x1="${LEFT}" x2="${LEFT}" y1="${TOP}" y2="${BOTTOM}"/>`;
  svg += `<line class="diagonal" x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${
    sy(1)
  }" stroke="#9aa3b2" stroke-width="1.2" stroke-dasharray="5 4"><title>perfect calibration</title></line>`;
  svg += `<text x="${(LEFT + RIGHT) / 2}" y="${
    BOTTOM + 34
  }" text-anchor="middle">predicted probability (mean of the bucket)</text>`;
  svg += `<text transform="translate(14 ${
    (TOP + BOTTOM) / 2
  }) rotate(-90)" text-anchor="middle">observed frequency</text>`;
  const most = Math.max(1, ...c.buckets.map((b) => b.count));
  const barWidth = (RIGHT - LEFT) / 10 - 4;
  for (const b of c.buckets) {
    const height = (b.count / most) * (COUNTS - BOTTOM - 44);
    svg += `<rect class="count" x="${f1(sx(b.low) + 2)}" y="${f1(COUNTS - height)}" width="${
      f1(barWidth)
    }" height="${f1(height)}" fill="#c9d3e3"><title>${b.count} days predicted ${
      fixed(b.low, 1)
    } to ${fixed(b.high, 1)}</title></rect>`;
  }
  svg += `<text x="${LEFT - 6}" y="${COUNTS}" text-anchor="end">days</text>`;
  for (const b of c.buckets) {
    if (b.count === 0) continue;
    const x = f1(sx(b.meanPredicted!));
    const [el, eh] = b.effectiveInterval!, [il, ih] = b.interval!;
    svg += `<line class="effective" x1="${x}" x2="${x}" y1="${f1(sy(el))}" y2="${
      f1(sy(eh))
    }" stroke="#5b7fc7" stroke-opacity="0.35" stroke-width="8"/>`;
    svg += `<line class="interval" x1="${x}" x2="${x}" y1="${f1(sy(il))}" y2="${
      f1(sy(ih))
    }" stroke="#1d2433" stroke-width="1.6"/>`;
    svg += `<circle class="bucket" cx="${x}" cy="${
      f1(sy(b.frequency!))
    }" r="4.5" fill="#d6453d"><title>predicted ${fixed(b.meanPredicted!, 3)}, observed ${
      fixed(b.frequency!, 3)
    } over ${b.count} days</title></circle>`;
  }
  return `<figure><figcaption>${
    escape(title)
  }: reliability<span>${label}</span></figcaption><svg class="reliability" viewBox="0 0 ${W} ${H}" role="img" aria-label="${
    escape(title)
  } reliability plot">${svg}</svg></figure>`;
}

function card(label: string, value: string, note: string): string {
  return `<div class="card"><div class="label">${label}</div><div class="value">${value}</div><div class="note">${note}</div></div>`;
}

function row(label: string, value: string): string {
  return `<tr><th>${label}</th><td>${value}</td></tr>`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

function fixed(v: number, digits: number): string {
  return v.toFixed(digits);
}

function percent(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

function f1(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** The Monte Carlo report's style (montecarlo/report.ts), with the table panel's. */
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
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 14px; margin: 18px 0 14px; }
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
.table-panel { margin-top: 0; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--rule); }
th { color: var(--muted); font-weight: 500; }
.calibration th { width: auto; }
.calibration th, .calibration td { padding: 6px 6px; }
td.num, th.num { text-align: right; white-space: nowrap; }
footer { color: var(--muted); font-size: 13px; padding-top: 8px; padding-bottom: 32px; }
`;
