/**
 * The levels page, `<name>.levels.html`: one self-contained page of inline SVG and CSS (no
 * script, no network, no external file) drawn from a levels document: the GEX profile (total
 * GEX against hypothetical spot, with the flip and spot marked), per-strike call and put GEX
 * around spot with the walls marked, and the flip and walls under each variant of the
 * conventions side by side. The same document gives the same bytes.
 *
 * Charts are hand-made SVG, laid out without a browser as the Monte Carlo report's are: each
 * `<svg>` carries its domains in `data-x-domain` and `data-y-domain` (`"lo hi"`), its plot area
 * is a `rect.plot-area`, and each marked level is a `line.marker` with `data-value`.
 *
 * @module
 */
import { formatFixed, formatNumber } from "../montecarlo/format.ts";
import type { ExpiryFilter, LevelsDocument, LevelVariant } from "../markets/levels.ts";

/** Options of {@linkcode levelsPage}. */
export interface LevelsPageOptions {
  /** The name in the page's title, such as the chain file's name. @default {the chain file's name} */
  name?: string;
  /**
   * Half the width of the per-strike chart's window around spot, as a share of spot; walls
   * outside it widen it. @default {0.1}
   */
  strikeWindow?: number;
}

const COLOR = {
  call: "#2e9e6b",
  put: "#d6453d",
  flip: "#454b57",
  spot: "#1f4e99",
  curve: "#1d2433",
} as const;

/**
 * Renders the levels page of a levels document.
 *
 * The document needs its arrays (`levelsDocument(levels)` includes them by default) for the
 * charts; without them the page says so in their place.
 *
 * @param doc The levels document, from `levelsDocument` in markets/levels.ts.
 * @param options The title's name and the strike chart's window.
 * @returns The HTML text.
 *
 * @example A page with both charts
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { CBOE_CHAIN_HEADER, parseChain } from "../markets/chain.ts";
 * import { computeLevels, levelsDocument } from "../markets/levels.ts";
 * import { levelsPage } from "./levels_page.ts";
 *
 * const chain = parseChain([
 *   "", "X,Last: 100", "Date: 2024-01-02", CBOE_CHAIN_HEADER,
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0.01,10,95.00,P,0,0,0,0,0,0.3,0,0.05,500",
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0.05,500,105.00,P,0,0,0,0,0,0.3,0,0.01,10",
 * ].join("\n"), "x.csv");
 * const html = levelsPage(levelsDocument(computeLevels(chain)), { name: "x" });
 * assertStringIncludes(html, 'id="profile-chart"');
 * assertStringIncludes(html, 'id="strike-chart"');
 * ```
 */
export function levelsPage(doc: LevelsDocument, options: LevelsPageOptions = {}): string {
  const name = options.name ?? baseName(doc.source.file);
  const title = `GEX levels: ${name}, ${doc.source.date}`;
  const o = doc.options;
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
<p class="meta">${escape(doc.source.file)} &middot; walls ${
    escape(restrictionText(o.restriction))
  } &middot; flip from ${escape(expiryText(o.expiries))} &middot; ${escape(o.dealer)}</p>
</header>
<main>
${cards(doc)}
<section class="charts">
${profileChart(doc)}
${strikeChart(doc, options.strikeWindow ?? 0.1)}
</section>
${variantsTable(doc)}
${notesSection(doc)}
${definitionsSection(doc)}
</main>
<footer>
<p>Written by option-flight from ${
    escape(doc.source.file)
  }. GEX in US dollars of dealer delta per 1% move of the underlying; levels in index points.</p>
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
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 24px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 16px; margin: 0 0 8px; }
.meta { margin: 0 0 20px; color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin-bottom: 14px; }
.card { background: var(--panel); border: 1px solid var(--rule); border-radius: 10px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.card .value { font-size: 24px; font-weight: 650; margin: 2px 0; font-variant-numeric: tabular-nums; }
.card .value.long { font-size: 19px; line-height: 36px; }
.card .note { color: var(--muted); font-size: 13px; }
.charts { display: grid; gap: 14px; }
figure { margin: 0; background: var(--panel); border: 1px solid var(--rule); border-radius: 10px; padding: 14px 16px 8px; }
figcaption { font-weight: 600; margin-bottom: 2px; }
figcaption span { display: block; font-weight: 400; color: var(--muted); font-size: 13px; }
svg { display: block; width: 100%; height: auto; font-family: inherit; }
svg text { fill: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
svg text.marker-label { font-weight: 600; }
svg .axis { stroke: #9aa3b2; stroke-width: 1; }
svg .grid-line { stroke: #edf0f4; stroke-width: 1; }
svg .zero { stroke: #9aa3b2; stroke-width: 1; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 6px 0 4px; font-size: 13px; color: var(--muted); }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 6px; vertical-align: -1px; }
.panel { background: var(--panel); border: 1px solid var(--rule); border-radius: 10px; padding: 14px 16px; margin-top: 14px; }
.panel p { margin: 4px 0 8px; color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--rule); }
th { color: var(--muted); font-weight: 500; }
td.num, th.num { text-align: right; }
tr.chosen td { background: #eef4fc; font-weight: 600; }
td.unordered { color: #b23a32; }
dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 14px; }
dt { color: var(--muted); }
dd { margin: 0; }
ul { margin: 0; padding-left: 20px; }
footer { color: var(--muted); font-size: 13px; padding-top: 8px; padding-bottom: 32px; }`;

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop()!.replace(/\.csv$/i, "");
}

/** A level (index points) to two decimals at most. */
function level(value: number | null): string {
  return value === null ? "none" : formatNumber(Math.round(value * 100) / 100);
}

/** One decimal, for SVG coordinates. */
function f1(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** About the width of `text` at `size` px: generous, so labels never run into each other. */
function textWidth(text: string, size: number): number {
  return text.length * size * 0.6;
}

/** The dollar unit that keeps a chart's GEX numbers short. */
function gexUnit(largest: number): { divisor: number; label: string } {
  if (largest >= 1e9) return { divisor: 1e9, label: "$bn" };
  if (largest >= 1e6) return { divisor: 1e6, label: "$mn" };
  if (largest >= 1e3) return { divisor: 1e3, label: "$k" };
  return { divisor: 1, label: "$" };
}

function restrictionText(restriction: string): string {
  return restriction === "none"
    ? "unrestricted"
    : restriction === "flip"
    ? "beyond the flip"
    : "at or beyond spot";
}

function expiryText(e: ExpiryFilter): string {
  return e === "all"
    ? "all expiries"
    : e === "exclude-nearest"
    ? "all expiries but the nearest"
    : `the next ${e.next} expiries`;
}

function cards(doc: LevelsDocument): string {
  const l = doc.levels;
  const unit = gexUnit(Math.abs(l.netGexAtSpot));
  const card = (label: string, value: string, note: string) =>
    `<div class="card"><div class="label">${label}</div><div class="value${
      value.length > 9 ? " long" : ""
    }">${value}</div>` +
    `<div class="note">${note}</div></div>`;
  const differs = (wall: number | null, free: number | null) =>
    wall === free ? restrictionText(doc.options.restriction) : `unrestricted ${level(free)}`;
  return `<section class="cards">
${card("Spot", level(l.spot), escape(doc.source.date))}
${
    card(
      "Net GEX at spot",
      formatFixed(l.netGexAtSpot / unit.divisor, 2),
      `${unit.label} per 1% move`,
    )
  }
${card("Gamma flip", level(l.flip), escape(expiryText(doc.options.expiries)))}
${card("Call wall", level(l.callWall), differs(l.callWall, l.unrestrictedCallWall))}
${card("Put wall", level(l.putWall), differs(l.putWall, l.unrestrictedPutWall))}
${
    card(
      "Largest open interest",
      `${level(l.largestCallOpenInterestStrike)} / ${level(l.largestPutOpenInterestStrike)}`,
      "call / put strike",
    )
  }
</section>`;
}

// ---------------------------------------------------------------------------------------------
// Charts

/** The charts' size in user units. */
const W = 1000;
const H = 340;
const FONT = 12;
/** Room below the plot, for the ticks and the axis title. */
const BOTTOM = 42;
/** Height of one row of marker labels above the plot. */
const ROW = 15;

/** Round tick values covering `[lo, hi]`: 1, 2, 2.5 or 5 times a power of ten apart. */
function ticks(lo: number, hi: number, count: number): { values: number[]; step: number } {
  const span = hi - lo || Math.abs(hi) || 1;
  const power = 10 ** Math.floor(Math.log10(span / count));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => span / s <= count) ??
    10 * power;
  const values: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    values.push(Number((k * step).toPrecision(12)));
  }
  return { values, step: Number(step.toPrecision(12)) };
}

/** Digits after the decimal point that show every multiple of `step` exactly. */
function stepDigits(step: number): number {
  const text = String(step);
  const point = text.indexOf(".");
  return point < 0 ? 0 : text.length - point - 1;
}

/** A vertical line at a level, labelled above the plot. */
interface Marker {
  value: number;
  label: string;
  color: string;
  /** SVG dash pattern, or "" for a solid line. */
  dash: string;
  /** What the marker is, in its `data-level` (such as "flip"). */
  kind: string;
}

/** A chart's plot area and scales, and the SVG of its axes and markers. */
interface Plot {
  left: number;
  right: number;
  top: number;
  bottom: number;
  sx: (v: number) => number;
  sy: (v: number) => number;
  svg: string;
  attributes: string;
}

/**
 * Axes, grid and level markers. Markers at one value share a line and a label; labels sit in
 * rows above the plot, each in the first row where it overlaps no other, so that levels a few
 * points apart (spot and the flip) stay readable.
 */
function plot(
  x: { lo: number; hi: number; label: string },
  y: { lo: number; hi: number; label: string },
  markers: readonly Marker[],
): Plot {
  const xt = ticks(x.lo, x.hi, 8);
  const yt = ticks(y.lo, y.hi, 5);
  const xDigits = stepDigits(xt.step);
  const yDigits = stepDigits(yt.step);
  const xText = xt.values.map((v) => formatFixed(v, xDigits));
  const yText = yt.values.map((v) => formatFixed(v, yDigits));
  const left = Math.ceil(Math.max(52, 34 + Math.max(0, ...yText.map((t) => textWidth(t, FONT)))));
  const right = W - 20;
  const sx = (v: number) => left + ((v - x.lo) / (x.hi - x.lo || 1)) * (right - left);

  // Markers at one value merge; then each label takes the first free row.
  const merged: Marker[] = [];
  for (const m of [...markers].sort((a, b) => a.value - b.value)) {
    const same = merged.find((other) => other.value === m.value);
    if (same) {
      same.label = `${same.label.replace(/ [^ ]+$/, "")} / ${m.label}`;
      same.kind += ` ${m.kind}`;
    } else merged.push({ ...m });
  }
  const rows: [number, number][][] = [];
  const placed = merged.filter((m) => m.value >= x.lo && m.value <= x.hi).map((m) => {
    const px = sx(m.value);
    const width = textWidth(m.label, FONT);
    const toLeft = px + 4 + width > W - 2;
    const span: [number, number] = toLeft ? [px - 4 - width, px - 4] : [px + 4, px + 4 + width];
    let row = rows.findIndex((taken) =>
      taken.every(([a, b]) => span[1] + 6 < a || b + 6 < span[0])
    );
    if (row < 0) row = rows.push([]) - 1;
    rows[row]!.push(span);
    return { ...m, px, row, toLeft };
  });
  const top = 8 + Math.max(1, rows.length) * ROW;
  const bottom = H - BOTTOM;
  const sy = (v: number) => bottom - ((v - y.lo) / (y.hi - y.lo || 1)) * (bottom - top);

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
    }"/><text class="tick tick-x" x="${f1(sx(v))}" y="${bottom + 18}" text-anchor="middle">${
      xText[i]
    }</text>`;
  });
  svg += `<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`;
  svg += `<line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottom}"/>`;
  if (y.lo < 0 && y.hi > 0) {
    svg += `<line class="zero" x1="${left}" x2="${right}" y1="${f1(sy(0))}" y2="${f1(sy(0))}"/>`;
  }
  svg += `<text x="${(left + right) / 2}" y="${H - 6}" text-anchor="middle">${
    escape(x.label)
  }</text>`;
  svg += `<text transform="translate(14 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${
    escape(y.label)
  }</text>`;
  const markerSvg = placed.map((m) => {
    const labelY = 8 + m.row * ROW + 10;
    const dash = m.dash ? ` stroke-dasharray="${m.dash}"` : "";
    return `<line class="marker" data-level="${m.kind}" data-value="${m.value}" x1="${
      f1(m.px)
    }" x2="${f1(m.px)}" y1="${
      labelY + 3
    }" y2="${bottom}" stroke="${m.color}" stroke-width="1.5"${dash}/>` +
      `<text class="marker-label" x="${f1(m.toLeft ? m.px - 4 : m.px + 4)}" y="${labelY}"${
        m.toLeft ? ' text-anchor="end"' : ""
      } style="fill:${m.color}">${escape(m.label)}</text>`;
  }).join("");
  const attributes = `data-x-domain="${x.lo} ${x.hi}" data-y-domain="${y.lo} ${y.hi}"`;
  return { left, right, top, bottom, sx, sy, svg: svg + markerSvg, attributes };
}

/** A y domain holding every value and 0, padded by 6%. */
function yDomain(values: Iterable<number>, divisor: number): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    lo = Math.min(lo, v / divisor);
    hi = Math.max(hi, v / divisor);
  }
  if (hi - lo === 0) return [-1, 1];
  const pad = (hi - lo) * 0.06;
  return [lo < 0 ? lo - pad : 0, hi > 0 ? hi + pad : 0];
}

function figure(id: string, caption: string, note: string, body: string): string {
  return `<figure id="${id}-figure"><figcaption>${escape(caption)}<span>${
    escape(note)
  }</span></figcaption>${body}</figure>`;
}

function missingArrays(id: string, caption: string): string {
  return figure(
    id,
    caption,
    "The levels document holds no arrays (written with arrays: false): nothing to draw",
    "",
  );
}

function profileChart(doc: LevelsDocument): string {
  const caption = "GEX profile: total GEX against spot";
  const p = doc.profile;
  if (!p.spots || !p.totalGex) return missingArrays("profile", caption);
  const spots = p.spots;
  const total = p.totalGex;
  const largest = Math.max(...total.map(Math.abs));
  const unit = gexUnit(largest);
  const [ylo, yhi] = yDomain(total, unit.divisor);
  const l = doc.levels;
  const markers: Marker[] = [
    { value: l.spot, label: `spot ${level(l.spot)}`, color: COLOR.spot, dash: "", kind: "spot" },
  ];
  if (l.flip !== null) {
    markers.push({
      value: l.flip,
      label: `flip ${level(l.flip)}`,
      color: COLOR.flip,
      dash: "5 3",
      kind: "flip",
    });
  }
  const pl = plot(
    { lo: spots[0]!, hi: spots[spots.length - 1]!, label: "hypothetical spot (index points)" },
    { lo: ylo, hi: yhi, label: `total GEX, ${unit.label} per 1% move` },
    markers,
  );
  const points = spots.map((s, j) => `${f1(pl.sx(s))},${f1(pl.sy(total[j]! / unit.divisor))}`);
  const zero = f1(pl.sy(Math.min(Math.max(0, ylo), yhi)));
  const first = f1(pl.sx(spots[0]!));
  const last = f1(pl.sx(spots[spots.length - 1]!));
  const area = `M${first},${zero}L${points.join("L")}L${last},${zero}Z`;
  const height = pl.bottom - pl.top;
  const zeroY = Number(zero);
  const clip = (id: string, y0: number, y1: number) =>
    `<clipPath id="${id}"><rect x="${pl.left}" y="${f1(y0)}" width="${pl.right - pl.left}" ` +
    `height="${f1(Math.max(0, y1 - y0))}"/></clipPath>`;
  const crossings = p.crossings.filter((c) => c !== l.flip).map((c) =>
    `<circle class="crossing" cx="${
      f1(pl.sx(c))
    }" cy="${zero}" r="3" fill="none" stroke="${COLOR.flip}"><title>zero crossing ${
      level(c)
    }</title></circle>`
  ).join("");
  const svg = `<svg id="profile-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${
    escape(caption)
  }" ${pl.attributes}>
<defs>${clip("profile-above", pl.top, zeroY)}${clip("profile-below", zeroY, pl.top + height)}</defs>
${pl.svg}
<path class="area-positive" d="${area}" fill="${COLOR.call}" fill-opacity="0.14" clip-path="url(#profile-above)"/>
<path class="area-negative" d="${area}" fill="${COLOR.put}" fill-opacity="0.14" clip-path="url(#profile-below)"/>
<polyline class="profile-line" points="${
    points.join(" ")
  }" fill="none" stroke="${COLOR.curve}" stroke-width="1.6"/>
${crossings}
</svg>`;
  const count = p.crossings.length;
  return figure(
    "profile",
    caption,
    `Black-Scholes gamma re-priced with each option's IV at ${spots.length} spots, over ${
      expiryText(doc.options.expiries)
    }; ${
      count === 0
        ? "no zero crossing, so no flip"
        : `${count} zero crossing${count === 1 ? "" : "s"}, the flip is the nearest to spot`
    }. ` +
      `Green: dealers long gamma (they damp moves); red: short gamma (they amplify them).`,
    svg,
  );
}

function strikeChart(doc: LevelsDocument, window: number): string {
  const caption = "GEX per strike around spot, all expirations";
  const s = doc.strikes;
  if (!s) return missingArrays("strike", caption);
  const l = doc.levels;
  const walls = [l.callWall, l.putWall, l.unrestrictedCallWall, l.unrestrictedPutWall].filter(
    (w): w is number => w !== null,
  );
  let lo = Math.min(l.spot * (1 - window), ...walls);
  let hi = Math.max(l.spot * (1 + window), ...walls);
  const keep: number[] = [];
  s.strike.forEach((k, i) => {
    if (k >= lo && k <= hi) keep.push(i);
  });
  if (keep.length === 0) {
    return figure("strike", caption, "No strike within the window around spot", "");
  }
  // The domain: the kept strikes, and half a strike gap beyond each end for their bars.
  const kept = keep.map((i) => s.strike[i]!);
  let gap = Infinity;
  for (let i = 1; i < kept.length; i++) gap = Math.min(gap, kept[i]! - kept[i - 1]!);
  if (!Number.isFinite(gap)) gap = Math.max(1, l.spot * 0.005);
  lo = Math.min(kept[0]!, lo) - gap;
  hi = Math.max(kept[kept.length - 1]!, hi) + gap;
  const values = keep.flatMap((i) => [s.callGex[i]!, s.putGex[i]!]);
  const unit = gexUnit(Math.max(...values.map(Math.abs)));
  const [ylo, yhi] = yDomain(values, unit.divisor);
  const markers: Marker[] = [
    { value: l.spot, label: `spot ${level(l.spot)}`, color: COLOR.spot, dash: "", kind: "spot" },
  ];
  if (l.flip !== null) {
    markers.push({
      value: l.flip,
      label: `flip ${level(l.flip)}`,
      color: COLOR.flip,
      dash: "5 3",
      kind: "flip",
    });
  }
  const wallMarker = (
    value: number | null,
    label: string,
    color: string,
    kind: string,
    dash = "",
  ) => {
    if (value !== null) {
      markers.push({ value, label: `${label} ${level(value)}`, color, dash, kind });
    }
  };
  wallMarker(l.callWall, "call wall", COLOR.call, "call-wall");
  wallMarker(l.putWall, "put wall", COLOR.put, "put-wall");
  if (l.unrestrictedCallWall !== l.callWall) {
    wallMarker(
      l.unrestrictedCallWall,
      "unrestricted call wall",
      COLOR.call,
      "unrestricted-call-wall",
      "2 3",
    );
  }
  if (l.unrestrictedPutWall !== l.putWall) {
    wallMarker(
      l.unrestrictedPutWall,
      "unrestricted put wall",
      COLOR.put,
      "unrestricted-put-wall",
      "2 3",
    );
  }
  const pl = plot(
    { lo, hi, label: "strike (index points)" },
    { lo: ylo, hi: yhi, label: `GEX, ${unit.label} per 1% move` },
    markers,
  );
  const width = Math.max(1, Math.min(14, (pl.sx(lo + gap) - pl.sx(lo)) * 0.8));
  const zero = pl.sy(0);
  const bar = (k: number, v: number, color: string, cls: string) => {
    if (v === 0) return "";
    const y = pl.sy(v / unit.divisor);
    return `<rect class="${cls}" x="${f1(pl.sx(k) - width / 2)}" y="${f1(Math.min(y, zero))}" ` +
      `width="${f1(width)}" height="${f1(Math.max(0.5, Math.abs(y - zero)))}" fill="${color}"/>`;
  };
  const digits = (v: number) => formatFixed(v / unit.divisor, 3);
  const bars = keep.map((i) => {
    const k = s.strike[i]!;
    const call = s.callGex[i]!;
    const put = s.putGex[i]!;
    const title = `${level(k)}: call ${digits(call)}, put ${digits(put)} ${unit.label}; ` +
      `OI call ${formatNumber(s.callOpenInterest[i]!)}, put ${formatNumber(s.putOpenInterest[i]!)}`;
    return `<g><title>${escape(title)}</title>${bar(k, call, COLOR.call, "bar-call")}${
      bar(k, put, COLOR.put, "bar-put")
    }</g>`;
  }).join("");
  const svg = `<svg id="strike-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${
    escape(caption)
  }" ${pl.attributes}>
${pl.svg}
${bars}
</svg>`;
  const legend =
    `<div class="legend"><span><span class="swatch" style="background:${COLOR.call}"></span>call GEX</span>` +
    `<span><span class="swatch" style="background:${COLOR.put}"></span>put GEX</span>` +
    `<span>dotted: unrestricted wall where it differs</span></div>`;
  return figure(
    "strike",
    caption,
    `Per-strike sums over all expirations with Cboe's gammas at spot, strikes within ${
      formatFixed(window * 100, 0)
    }% of spot (widened to hold the walls); walls ${restrictionText(doc.options.restriction)}.`,
    legend + svg,
  );
}

// ---------------------------------------------------------------------------------------------
// Tables

function filterKey(e: ExpiryFilter): string {
  return typeof e === "string" ? e : `next:${e.next}`;
}

function variantsTable(doc: LevelsDocument): string {
  const variants = doc.variants;
  if (variants.length === 0) return "";
  const restrictions = [...new Set(variants.map((v) => v.restriction))];
  const groups = new Map<string, LevelVariant[]>();
  for (const v of variants) {
    const key = `${filterKey(v.expiries)} ${v.dealer}`;
    const list = groups.get(key) ?? [];
    list.push(v);
    groups.set(key, list);
  }
  const o = doc.options;
  const chosenKey = `${filterKey(o.expiries)} ${o.dealer}`;
  const head = restrictions.map((r) =>
    `<th class="num" colspan="2">walls ${escape(restrictionText(r))}<br>put / call</th>`
  ).join("");
  const rows = [...groups].map(([key, list]) => {
    const first = list[0]!;
    const unit = gexUnit(Math.abs(first.netGexAtSpot));
    const cells = restrictions.map((r) => {
      const v = list.find((item) => item.restriction === r);
      if (!v) return `<td></td><td></td>`;
      const cls = v.ordered ? "num" : "num unordered";
      const mark = v.ordered ? "" : ' title="putWall &lt; flip &lt; callWall does not hold"';
      return `<td class="${cls}"${mark}>${level(v.putWall)}</td><td class="${cls}"${mark}>${
        level(v.callWall)
      }</td>`;
    }).join("");
    return `<tr${key === chosenKey ? ' class="chosen"' : ""}><td>${
      escape(expiryText(first.expiries))
    }</td><td>${escape(first.dealer)}</td><td class="num">${level(first.flip)}</td>` +
      `<td class="num">${
        formatFixed(first.netGexAtSpot / unit.divisor, 2)
      } ${unit.label}</td>${cells}</tr>`;
  }).join("\n");
  return `<section class="panel" id="variants">
<h2>How much the conventions matter</h2>
<p>The flip and walls under each combination of expiry filter, dealer sign and wall restriction. The highlighted row holds the options used above; red walls break putWall &lt; flip &lt; callWall, so a scenario could not fly them. The dealer sign flips every GEX value's sign, so it moves neither the flip nor the walls (taken by size).</p>
<table>
<thead><tr><th>flip from</th><th>dealer</th><th class="num">flip</th><th class="num">net GEX at spot</th>${head}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

function notesSection(doc: LevelsDocument): string {
  if (doc.notes.length === 0) return "";
  return `<section class="panel" id="notes"><h2>Notes</h2><ul>${
    doc.notes.map((n) => `<li>${escape(n)}</li>`).join("")
  }</ul></section>`;
}

function definitionsSection(doc: LevelsDocument): string {
  const p = doc.profile;
  const x = p.excluded;
  const items = Object.entries(doc.definitions).map(([k, v]) =>
    `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`
  ).join("");
  return `<section class="panel" id="definitions"><h2>Definitions</h2><dl>${items}` +
    `<dt>profile</dt><dd>${
      formatNumber(p.used)
    } options in the profile over ${p.expiries.length} expiries; left out: ${
      formatNumber(x.expiryFilter)
    } by the expiry filter, ${formatNumber(x.zeroOpenInterest)} with zero open interest, ${
      formatNumber(x.zeroIv)
    } with IV 0</dd></dl></section>`;
}
