/**
 * The linked 2D panels under the 3D scene, drawn with uPlot: spot with the flip and the walls,
 * IV and HV, and X, Y and Z over time. They share one cursor and one zoom; hover shows a
 * frame's values in each panel's legend, a click goes to that frame, a drag selects a range
 * (for loop and CSV), the wheel zooms around the pointer and a double-click shows the whole
 * run. The current frame, the selected range, further runs dropped with the first and a Monte
 * Carlo batch's fan (5th to 95th percentile, median dashed) are drawn on them. Each panel plots
 * at most a few thousand frames of its visible range, picked so that extremes survive.
 *
 * @module
 */
/// <reference lib="dom" />
import uPlot from "uplot";
import { type Columns, levelsAt, type MOVING_LEVELS } from "./data.ts";
import { $ } from "./dom.ts";
import { frameTimeText } from "./hud.ts";
import type { FanSeries } from "./panels_fan.ts";
import { frameOfStep, pickFrames, valuesAt } from "./panels_data.ts";
import { OVERLAY_COLORS } from "./palette.ts";
import { view } from "./state.ts";

/** Most further runs drawn. */
export const MAX_OVERLAYS = OVERLAY_COLORS.length;
/** Frames picked per CSS pixel of a panel's width. */
const POINTS_PER_PX = 3;
/** Fewest frames a zoom shows. */
const MIN_SPAN = 8;

type Source = (picked: Int32Array) => (number | null)[];

/** One line of a panel. */
interface Line {
  label: string;
  color: string;
  width?: number;
  dash?: number[];
  values: Source;
  /** The fan drawn behind it, when a batch's summary has one. */
  fan?: FanSeries;
}

/** One panel: its element, title and lines, and whether further runs are drawn on it. */
interface PanelSpec {
  id: string;
  title: string;
  lines: () => Line[];
  overlay?: (c: Columns) => ArrayLike<number>;
  digits: number;
}

function level(name: typeof MOVING_LEVELS[number]): Source {
  return (picked) => {
    const run = view.run!;
    const out = new Array<number | null>(picked.length);
    for (let k = 0; k < picked.length; k++) {
      const v = levelsAt(run.c, picked[k]!, run.levels)[name];
      out[k] = v === undefined ? null : v;
    }
    return out;
  };
}

const col = (get: (c: Columns) => ArrayLike<number>, scale = 1): Source => (picked) =>
  valuesAt(get(view.run!.c), picked, scale);

const SPECS: readonly PanelSpec[] = [
  {
    id: "panel-spot",
    title: "Spot, flip and walls",
    digits: 2,
    overlay: (c) => c.spot,
    lines: () => [
      { label: "spot", color: "#d3deeb", width: 1.5, values: col((c) => c.spot), fan: "spot" },
      { label: "flip", color: "#5fd6c8", values: level("flip"), fan: "flip" },
      {
        label: "put wall",
        color: "#ff6b7f",
        dash: [4, 3],
        values: level("putWall"),
        fan: "putWall",
      },
      {
        label: "call wall",
        color: "#ff4f64",
        dash: [4, 3],
        values: level("callWall"),
        fan: "callWall",
      },
    ],
  },
  {
    id: "panel-vol",
    title: "IV and HV (%)",
    digits: 2,
    lines: () => [
      { label: "IV", color: "#ffb547", width: 1.5, values: col((c) => c.iv, 100) },
      { label: "HV", color: "#58c7ff", width: 1.5, values: col((c) => c.hv, 100) },
    ],
  },
  {
    id: "panel-x",
    title: "X airspeed (ATR from the flip)",
    digits: 3,
    overlay: (c) => c.x,
    lines: () => [{ label: "X", color: "#3fd68a", width: 1.5, values: col((c) => c.x), fan: "x" }],
  },
  {
    id: "panel-y",
    title: "Y load (IV / HV)",
    digits: 3,
    overlay: (c) => c.y,
    lines: () => [{ label: "Y", color: "#ffb547", width: 1.5, values: col((c) => c.y), fan: "y" }],
  },
  {
    id: "panel-z",
    title: "Z walls (1 flip, 0 wall)",
    digits: 3,
    overlay: (c) => c.z,
    lines: () => [{ label: "Z", color: "#ff8ba0", width: 1.5, values: col((c) => c.z), fan: "z" }],
  },
];

/** A panel on screen. */
interface Panel {
  spec: PanelSpec;
  lines: Line[];
  plot: uPlot;
  now: HTMLElement;
  sel: HTMLElement;
}

let panels: Panel[] = [];
/** The visible range of frames, `null` for the whole run. */
let zoom: [number, number] | null = null;
/** The frames the panels plot now. */
let picked: Int32Array = new Int32Array(0);
let onSeek: (frame: number) => void = () => {};
let onSelect: (range: [number, number] | null) => void = () => {};
const sync = uPlot.sync("flight-panels");

/** The visible range: the zoom, or the whole run. */
export function visibleRange(): [number, number] {
  const n = view.run ? view.run.n : 0;
  return zoom ?? [0, Math.max(0, n - 1)];
}

function axisText(u: uPlot, splits: number[]): string[] {
  void u;
  return splits.map((v) => (Number.isInteger(v) ? frameTimeText(v) : ""));
}

function numberText(digits: number) {
  return (_u: uPlot, v: number | null) =>
    v === null || v === undefined ? "—" : Math.abs(v) >= 1e6 ? v.toPrecision(6) : v.toFixed(digits);
}

/** Draws a batch's fan behind a panel's lines. */
function drawFan(u: uPlot, panel: Panel): void {
  const fan = view.fan, run = view.run;
  if (!fan || !run || run.n === 0) return;
  const g = u.ctx, { left, top, width, height } = u.bbox;
  g.save();
  g.beginPath();
  g.rect(left, top, width, height);
  g.clip();
  for (const line of panel.lines) {
    const band = line.fan ? fan.bands[line.fan] : undefined;
    if (!band) continue;
    const scale = panel.spec.id === "panel-vol" ? 100 : 1;
    const xs: number[] = [], lo: number[] = [], mid: number[] = [], hi: number[] = [];
    for (let k = 0; k < fan.steps.length; k++) {
      const frame = frameOfStep(run.c, fan.steps[k]!);
      if (frame < 0) break;
      xs.push(u.valToPos(frame, "x", true));
      lo.push(u.valToPos(band.p5[k]! * scale, "y", true));
      mid.push(u.valToPos(band.p50[k]! * scale, "y", true));
      hi.push(u.valToPos(band.p95[k]! * scale, "y", true));
    }
    if (xs.length === 0) continue;
    g.beginPath();
    for (let k = 0; k < xs.length; k++) g.lineTo(xs[k]!, hi[k]!);
    for (let k = xs.length - 1; k >= 0; k--) g.lineTo(xs[k]!, lo[k]!);
    g.closePath();
    g.globalAlpha = 0.18;
    g.fillStyle = line.color;
    g.fill();
    g.globalAlpha = 0.8;
    g.setLineDash([5 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
    g.lineWidth = uPlot.pxRatio;
    g.strokeStyle = line.color;
    g.beginPath();
    for (let k = 0; k < xs.length; k++) g.lineTo(xs[k]!, mid[k]!);
    g.stroke();
    g.setLineDash([]);
  }
  g.restore();
  api.fanDraws++;
}

/** What tests read of the panels. */
export const api = {
  /** Times a fan was drawn on a panel. */
  fanDraws: 0,
  /** Frames each panel plots now. */
  get points(): number {
    return picked.length;
  },
  /** The visible range. */
  get range(): [number, number] {
    return visibleRange();
  },
};

function panelSize(el: HTMLElement): { width: number; height: number } {
  const r = el.getBoundingClientRect();
  const legend = el.querySelector(".u-legend") as HTMLElement | null;
  const title = el.querySelector(".u-title") as HTMLElement | null;
  const used = (legend ? legend.offsetHeight : 18) + (title ? title.offsetHeight : 14);
  return {
    width: Math.max(60, Math.floor(r.width)),
    height: Math.max(40, Math.floor(r.height - used)),
  };
}

function buildData(panel: Panel): uPlot.AlignedData {
  const xs = Float64Array.from(picked);
  const data: (Float64Array | (number | null)[])[] = [xs];
  for (const line of panel.lines) data.push(line.values(picked));
  if (panel.spec.overlay) {
    for (const o of view.overlays) data.push(valuesAt(panel.spec.overlay(o.c), picked));
  }
  return data as uPlot.AlignedData;
}

function makePanel(spec: PanelSpec): Panel {
  const el = $(spec.id);
  el.textContent = "";
  const lines = spec.lines();
  const series: uPlot.Series[] = [
    {
      label: view.run && view.run.dated && view.timeMode === "date" ? "date" : "step",
      value: (_u, v) => (v === null || v === undefined ? "—" : frameTimeText(Math.round(v))),
    },
    ...lines.map((l) => ({
      label: l.label,
      stroke: l.color,
      width: l.width ?? 1,
      ...(l.dash ? { dash: l.dash } : {}),
      spanGaps: false,
      points: { show: false },
      value: numberText(spec.digits),
    })),
  ];
  if (spec.overlay) {
    view.overlays.forEach((o, k) =>
      series.push({
        label: o.name,
        stroke: OVERLAY_COLORS[k % OVERLAY_COLORS.length]!,
        width: 1,
        points: { show: false },
        value: numberText(spec.digits),
      })
    );
  }
  const size = { width: Math.max(60, el.clientWidth), height: Math.max(40, el.clientHeight - 40) };
  const axis = {
    stroke: "#7d8ea5",
    grid: { stroke: "rgba(120,160,210,0.1)", width: 1 },
    ticks: { stroke: "rgba(120,160,210,0.25)", width: 1, size: 4 },
    font: "10px sans-serif",
  };
  const panel = {} as Panel;
  const opts: uPlot.Options = {
    ...size,
    title: spec.title,
    series,
    scales: { x: { time: false } },
    axes: [
      { ...axis, values: axisText, size: 22, space: 70 },
      { ...axis, size: 52 },
    ],
    legend: { show: true, live: true },
    cursor: {
      sync: { key: sync.key, setSeries: false },
      drag: { x: true, y: false, setScale: false },
      points: { show: false },
      bind: { dblclick: () => () => null },
    },
    hooks: {
      drawClear: [(u) => drawFan(u, panel)],
      setSelect: [(u) => {
        const s = u.select;
        if (s.width < 3) return;
        const a = Math.round(u.posToVal(s.left, "x")),
          b = Math.round(u.posToVal(s.left + s.width, "x"));
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        onSelect([a, b]);
      }],
    },
  };
  Object.assign(panel, { spec, lines });
  panel.plot = new uPlot(opts, buildData(panel), el);
  const over = panel.plot.over;
  panel.now = document.createElement("div");
  panel.now.className = "panel-now";
  panel.sel = document.createElement("div");
  panel.sel.className = "panel-sel";
  over.appendChild(panel.sel);
  over.appendChild(panel.now);
  let down: { x: number; y: number } | null = null;
  over.addEventListener("mousedown", (e) => {
    down = { x: e.clientX, y: e.clientY };
  });
  over.addEventListener("mouseup", (e) => {
    if (down && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) < 4) {
      const v = panel.plot.posToVal(e.offsetX, "x");
      if (Number.isFinite(v)) onSeek(Math.round(v));
    }
    down = null;
  });
  over.addEventListener("dblclick", () => setZoom(null));
  over.addEventListener("wheel", (e) => {
    e.preventDefault();
    const [lo, hi] = visibleRange();
    const at = panel.plot.posToVal(e.offsetX, "x");
    const f = Math.exp(Math.max(-1, Math.min(1, e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002))));
    const span = Math.max(MIN_SPAN, (hi - lo) * f);
    const share = hi > lo ? (at - lo) / (hi - lo) : 0.5;
    setZoom([at - share * span, at - share * span + span]);
  }, { passive: false });
  return panel;
}

/** Places the current-frame line and the selection on every panel. */
export function updatePanelMarks(): void {
  const run = view.run;
  for (const p of panels) {
    const u = p.plot;
    if (!run || run.n === 0) {
      p.now.hidden = true;
      p.sel.hidden = true;
      continue;
    }
    const x = u.valToPos(view.frame, "x");
    p.now.hidden = !(x >= 0 && x <= u.over.clientWidth);
    p.now.style.transform = `translateX(${x.toFixed(1)}px)`;
    const s = view.selection;
    p.sel.hidden = !s;
    if (s) {
      const a = Math.max(0, u.valToPos(s[0], "x")),
        b = Math.min(u.over.clientWidth, u.valToPos(s[1], "x"));
      p.sel.hidden = !(b >= a);
      p.sel.style.left = a + "px";
      p.sel.style.width = Math.max(1, b - a) + "px";
    }
  }
}

/** Recomputes the frames plotted for the visible range and redraws the panels. */
function refresh(): void {
  const run = view.run;
  if (!run || panels.length === 0) return;
  const [lo, hi] = visibleRange();
  const width = Math.max(100, ...panels.map((p) => p.plot.over.clientWidth || 100));
  picked = pickFrames(run.c, lo, hi, Math.round(width * POINTS_PER_PX));
  for (const p of panels) {
    p.plot.batch(() => {
      p.plot.setData(buildData(p), false);
      p.plot.setScale("x", { min: lo, max: Math.max(hi, lo + 1) });
    });
  }
  updatePanelMarks();
}

/**
 * Shows frames `range[0]` to `range[1]` on every panel, or the whole run for `null`; the range
 * is rounded and clamped to the run.
 */
export function setZoom(range: [number, number] | null): void {
  const n = view.run ? view.run.n : 0;
  if (range && n > 1) {
    let [a, b] = range[0] <= range[1] ? range : [range[1], range[0]];
    const span = Math.min(n - 1, Math.max(MIN_SPAN, b - a));
    a = Math.max(0, Math.min(n - 1 - span, a));
    b = a + span;
    zoom = a <= 0 && b >= n - 1 ? null : [Math.floor(a), Math.ceil(b)];
  } else zoom = null;
  refresh();
}

/** Fits every panel to its box. */
export function resizePanels(): void {
  for (const p of panels) {
    const el = $(p.spec.id);
    if (el.offsetParent === null) continue;
    p.plot.setSize(panelSize(el));
  }
  refresh();
}

/** Rebuilds the panels for the run on screen (its lines, further runs and fan), at full range. */
export function setPanelsRun(): void {
  for (const p of panels) p.plot.destroy();
  panels = [];
  zoom = null;
  const run = view.run;
  $("panels").setAttribute("data-frames", String(run ? run.n : 0));
  if (!run || run.n === 0) return;
  picked = pickFrames(run.c, 0, run.n - 1, 2000);
  panels = SPECS.map(makePanel);
  resizePanels();
}

/** The panels' canvases with their places on the page, for the PNG export. */
export function panelCanvases(): { canvas: HTMLCanvasElement; rect: DOMRect }[] {
  return panels.map((p) => ({
    canvas: p.plot.ctx.canvas,
    rect: p.plot.ctx.canvas.getBoundingClientRect(),
  }));
}

/**
 * Installs the panels: what a click (go to a frame) and a drag (select a range) do, and a
 * resize observer.
 */
export function installPanels(handlers: {
  seek: (frame: number) => void;
  select: (range: [number, number] | null) => void;
}): void {
  onSeek = handlers.seek;
  onSelect = handlers.select;
  if (globalThis.ResizeObserver) {
    let pending = false;
    new ResizeObserver(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        resizePanels();
      });
    }).observe($("panels"));
  }
}
