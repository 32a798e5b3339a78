/**
 * The view's axes: nice ticks, padded domains, and axis scales that keep the envelope
 * readable when the trail flies far beyond it. Pure functions, free of DOM APIs.
 *
 * A linear axis from the trail's lowest to its highest value would squeeze the envelope into a
 * corner when the run leaves it far behind (the shipped breakout reaches X 25 and Z -8, while
 * the regimes change below X 4.5 and the walls are at Z 0 to 1). So when the envelope's part
 * of the domain would take less than {@linkcode MIN_LINEAR_SHARE} of the box, the axis is
 * piecewise linear: the envelope's range takes {@linkcode ENVELOPE_SHARE} of the box, and the
 * stretch beyond it the rest, at a smaller scale. Ticks are placed per stretch, so each label
 * sits at its own value, and the view marks where the scale changes.
 *
 * @module
 */

/** An axis tick: its value and label. */
export interface Tick {
  /** Value, in data units. */
  v: number;
  /** Label. */
  label: string;
}

/**
 * A piecewise-linear axis: the data values where its scale changes, and where each falls in
 * the box. A linear axis has two stops, its domain's ends.
 */
export interface AxisScale {
  /** Data values, increasing: the domain's ends and, between them, any knee. */
  readonly stops: readonly number[];
  /** Where each stop falls, as a share of the box from 0 to 1, increasing. */
  readonly at: readonly number[];
}

/** The least share of the box the envelope gets on a linear axis before the axis bends. */
export const MIN_LINEAR_SHARE = 0.4;
/** The share of the box the envelope's range gets on a bent axis. */
export const ENVELOPE_SHARE = 0.6;
/**
 * A stretch beyond the envelope shorter than this share of the envelope's range is drawn at
 * the envelope's scale: a knee for a sliver would only confuse.
 */
const SLIVER = 0.25;

/**
 * A step between ticks of about `range / count`: 1, 2 or 5 times a power of ten.
 *
 * @param range The length to divide.
 * @param count About how many steps.
 * @returns The step.
 *
 * @example Steps
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { niceStep } from "./axes.ts";
 *
 * assertEquals(niceStep(1, 5), 0.2);
 * assertEquals(niceStep(24, 4), 5);
 * ```
 */
export function niceStep(range: number, count: number): number {
  const raw = range / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const r = raw / mag;
  return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

/**
 * About `count` ticks at nice values across `range`.
 *
 * @param range The domain.
 * @param count About how many steps.
 * @returns The ticks, increasing, each labelled with the digits its step needs.
 *
 * @example Ticks of a unit axis
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ticks } from "./axes.ts";
 *
 * assertEquals(ticks([0, 1], 5).map((t) => t.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
 * ```
 */
export function ticks(range: readonly [number, number], count: number): Tick[] {
  const [lo, hi] = range;
  const step = niceStep(hi - lo, count);
  const out: Tick[] = [];
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    const v = k * step;
    out.push({ v, label: (Math.abs(v) < step * 1e-6 ? 0 : v).toFixed(decimals) });
  }
  return out;
}

/**
 * An axis domain holding `range` and `extra`, padded by 4% (not below a 0 start).
 *
 * @param range The data's lowest and highest value.
 * @param extra Values the domain must hold besides.
 * @returns The domain.
 *
 * @example A unit range
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { domain } from "./axes.ts";
 *
 * assertEquals(domain([0, 1], []), [0, 1.04]);
 * ```
 */
export function domain(
  range: readonly [number, number],
  extra: readonly number[],
): [number, number] {
  let [lo, hi] = range;
  for (const v of extra) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!isFinite(lo) || !isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.04;
  return [lo - (lo === 0 ? 0 : pad), hi + pad];
}

/**
 * A linear axis over a domain.
 *
 * @param range The domain.
 * @returns The scale.
 */
export function linearAxis(range: readonly [number, number]): AxisScale {
  return { stops: [range[0], range[1]], at: [0, 1] };
}

/**
 * Where a value falls on an axis, as a share of the box: 0 at the domain's low end, 1 at its
 * high end; values outside continue at the end stretch's scale.
 *
 * @param scale The axis.
 * @param v The value.
 * @returns The share.
 *
 * @example A bent axis
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { axisShare } from "./axes.ts";
 *
 * const scale = { stops: [0, 5, 25], at: [0, 0.6, 1] };
 * assertEquals([0, 2.5, 5, 15, 25].map((v) => axisShare(scale, v)), [0, 0.3, 0.6, 0.8, 1]);
 * ```
 */
export function axisShare(scale: AxisScale, v: number): number {
  const { stops, at } = scale;
  let k = 0;
  while (k < stops.length - 2 && v > stops[k + 1]!) k++;
  const a = stops[k]!, b = stops[k + 1]!;
  return at[k]! + ((v - a) / (b - a || 1)) * (at[k + 1]! - at[k]!);
}

/**
 * The data value at a share of the box: the inverse of {@linkcode axisShare}.
 *
 * @param scale The axis.
 * @param share The share, 0 to 1.
 * @returns The value.
 */
export function axisValue(scale: AxisScale, share: number): number {
  const { stops, at } = scale;
  let k = 0;
  while (k < at.length - 2 && share > at[k + 1]!) k++;
  const a = at[k]!, b = at[k + 1]!;
  return stops[k]! + ((share - a) / (b - a || 1)) * (stops[k + 1]! - stops[k]!);
}

/**
 * The knees of an axis: the values inside its domain where its scale changes.
 *
 * @param scale The axis.
 * @returns The knees, increasing; none for a linear axis.
 */
export function axisKnees(scale: AxisScale): number[] {
  return scale.stops.slice(1, -1);
}

/**
 * An axis that holds `range` and keeps `envelope` readable: linear over `range` padded as
 * {@linkcode domain} pads it, when the envelope takes at least {@linkcode MIN_LINEAR_SHARE} of
 * that; otherwise bent at the envelope's ends (rounded outward to a nice value), so that the
 * envelope takes {@linkcode ENVELOPE_SHARE} of the box and the stretches beyond share the rest
 * by their lengths, each end padded by 4% of its own stretch.
 *
 * @param range The lowest and highest value the axis must hold (the data and any extras).
 * @param envelope The envelope's range on this axis, such as X from 0 to past RUPTURE.
 * @returns The scale; its domain is from its first stop to its last.
 *
 * @example The shipped breakout's X: far beyond RUPTURE
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { envelopeAxis } from "./axes.ts";
 *
 * assertEquals(envelopeAxis([0, 25], [0, 4.95]), { stops: [0, 5, 25.8], at: [0, 0.6, 1] });
 * assertEquals(envelopeAxis([0, 6], [0, 4.95]), { stops: [0, 6.24], at: [0, 1] });
 * ```
 */
export function envelopeAxis(
  range: readonly [number, number],
  envelope: readonly [number, number],
): AxisScale {
  const padded = domain(range, []);
  const [lo, hi] = range;
  const step = niceStep(envelope[1] - envelope[0], 5);
  const round = (v: number) => Number(v.toPrecision(12));
  let a = Math.max(lo, round(Math.floor(envelope[0] / step + 1e-9) * step));
  let b = Math.min(hi, round(Math.ceil(envelope[1] / step - 1e-9) * step));
  const share = (b - a) / (padded[1] - padded[0]);
  if (!(b > a) || !(share < MIN_LINEAR_SHARE)) return linearAxis(padded);
  // stretches too short to be worth a knee join the envelope
  if (a - lo < SLIVER * (b - a)) a = lo;
  if (hi - b < SLIVER * (b - a)) b = hi;
  const below = a - lo, above = hi - b;
  if (below === 0 && above === 0) return linearAxis(padded);
  const start = lo - (lo === 0 ? 0 : 0.04 * (below > 0 ? below : b - a));
  const end = hi + 0.04 * (above > 0 ? above : b - a);
  const rest = 1 - ENVELOPE_SHARE;
  const stops = [round(start)], at = [0];
  if (below > 0) {
    stops.push(a);
    at.push((rest * below) / (below + above));
  }
  if (above > 0) {
    stops.push(b);
    at.push(at[at.length - 1]! + ENVELOPE_SHARE);
  }
  stops.push(round(end));
  at.push(1);
  return { stops, at };
}

/** The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `min`. */
function stepAtLeast(min: number): number {
  const mag = Math.pow(10, Math.floor(Math.log10(min)));
  for (const m of [1, 2, 2.5, 5]) if (m * mag >= min * (1 - 1e-9)) return m * mag;
  return 10 * mag;
}

/** Digits after the decimal point that write every multiple of `step` exactly. */
function decimalsOf(step: number): number {
  const text = String(Number(step.toPrecision(12)));
  const exponent = text.indexOf("e-");
  if (exponent >= 0) {
    const mantissa = text.slice(0, exponent);
    const point = mantissa.indexOf(".");
    return Number(text.slice(exponent + 2)) + (point < 0 ? 0 : mantissa.length - point - 1);
  }
  const point = text.indexOf(".");
  return point < 0 ? 0 : text.length - point - 1;
}

/**
 * Ticks of an axis: those of {@linkcode ticks} on a linear one; on a bent one, ticks for each
 * stretch at the finest step of 1, 2, 2.5 or 5 times a power of ten that keeps them at least
 * `0.45 / count` of the box apart, none closer than that to a tick of another stretch, and a
 * knee that is a whole number labelled as one.
 *
 * @param scale The axis.
 * @param count About how many steps across the whole box.
 * @returns The ticks, increasing.
 *
 * @example The shipped breakout's Z: below the wall at a smaller scale
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { axisTicks } from "./axes.ts";
 *
 * const z = { stops: [-9.4, 0, 1.04], at: [0, 0.4, 1] };
 * assertEquals(
 *   axisTicks(z, 5).map((t) => t.label),
 *   ["-7.5", "-5.0", "-2.5", "0", "0.2", "0.4", "0.6", "0.8", "1.0"],
 * );
 * ```
 */
export function axisTicks(scale: AxisScale, count: number): Tick[] {
  const { stops, at } = scale;
  if (stops.length <= 2) return ticks([stops[0]!, stops[stops.length - 1]!], count);
  const gap = 0.45 / count;
  const kept: { tick: Tick; share: number }[] = [];
  const knees = new Set(axisKnees(scale));
  // the widest stretch first, so that its ticks win where two would crowd each other
  const order = stops.slice(0, -1).map((_, k) => k).sort((p, q) =>
    (at[q + 1]! - at[q]!) - (at[p + 1]! - at[p]!)
  );
  for (const k of order) {
    const a = stops[k]!, b = stops[k + 1]!;
    const step = stepAtLeast((gap * (b - a)) / (at[k + 1]! - at[k]!));
    const decimals = decimalsOf(step);
    for (let j = Math.ceil(a / step - 1e-9); j * step <= b + step * 1e-9; j++) {
      const v = Number((j * step).toPrecision(12));
      const share = axisShare(scale, v);
      if (kept.some((t) => Math.abs(t.share - share) < gap * (1 - 1e-9))) continue;
      const label = knees.has(v) && Number.isInteger(v)
        ? String(v)
        : (v === 0 ? 0 : v).toFixed(decimals);
      kept.push({ tick: { v, label }, share });
    }
  }
  return kept.sort((p, q) => p.share - q.share).map((t) => t.tick);
}

/**
 * What a bent axis's title adds: where its scale is compressed.
 *
 * @param scale The axis.
 * @returns Such as `"compressed beyond 5"`; empty for a linear axis.
 *
 * @example Both axes of the shipped breakout
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { scaleNote } from "./axes.ts";
 *
 * assertEquals(scaleNote({ stops: [0, 5, 29], at: [0, 0.6, 1] }), "compressed beyond 5");
 * assertEquals(scaleNote({ stops: [-9.4, 0, 1.04], at: [0, 0.4, 1] }), "compressed below 0");
 * assertEquals(scaleNote({ stops: [0, 1], at: [0, 1] }), "");
 * ```
 */
export function scaleNote(scale: AxisScale): string {
  const { stops, at } = scale;
  const slope = (k: number) => (at[k + 1]! - at[k]!) / (stops[k + 1]! - stops[k]! || 1);
  const parts: string[] = [];
  for (let k = 1; k < stops.length - 1; k++) {
    const value = String(Number(stops[k]!.toPrecision(6)));
    parts.push(slope(k) < slope(k - 1) ? `beyond ${value}` : `below ${value}`);
  }
  return parts.length ? `compressed ${parts.join(" and ")}` : "";
}
