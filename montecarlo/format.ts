/**
 * Numbers as a person reads them, for the Monte Carlo report and the command's tables: counts
 * with thousands separators and the right plural, and estimates rounded to the accuracy their
 * sketch guarantees, so that no digit is shown that the statistics do not support.
 *
 * The output is the same on every machine: no `toLocaleString`, no `Intl`. Digits are grouped
 * in threes with `,`, the decimal point is `.` and the minus sign is `-`.
 *
 * @example A batch's numbers
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatCount, formatMeasure, formatPercent } from "./format.ts";
 *
 * assertEquals(formatCount(2000, "run"), "2,000 runs");
 * assertEquals(formatMeasure(2.00781, 2 ** -8), "2.01");
 * assertEquals(formatPercent(0.1132), "11.3%");
 * ```
 *
 * @module
 */

/** How accurate an estimate is: what a {@linkcode QuantileSketch} guarantees of its answers. */
export interface Accuracy {
  /** Largest relative error of a value, such as `2 ** -8`; 0 for an exact value. */
  readonly relativeError: number;
  /**
   * Values smaller in magnitude are answered as 0 (a sketch's zero bucket), so they are shown
   * as `0`. @default {0}
   */
  readonly zeroBelow?: number;
}

/**
 * Puts a `,` between each group of three digits of the integer part of a number's text.
 *
 * @param digits A number written as `-?\d+(\.\d+)?`, such as `toFixed` gives.
 * @returns The same text with its integer part grouped.
 *
 * @example Grouping
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { groupDigits } from "./format.ts";
 *
 * assertEquals(groupDigits("1234567.891"), "1,234,567.891");
 * assertEquals(groupDigits("-999"), "-999");
 * assertEquals(groupDigits("-1000"), "-1,000");
 * ```
 */
export function groupDigits(digits: string): string {
  const sign = digits.startsWith("-") ? "-" : "";
  const body = sign ? digits.slice(1) : digits;
  const point = body.indexOf(".");
  const whole = point < 0 ? body : body.slice(0, point);
  const rest = point < 0 ? "" : body.slice(point);
  if (!/^\d+$/.test(whole)) return digits;
  let grouped = "";
  for (let end = whole.length; end > 0; end -= 3) {
    const group = whole.slice(Math.max(0, end - 3), end);
    grouped = grouped ? `${group},${grouped}` : group;
  }
  return sign + grouped + rest;
}

/**
 * A whole number with thousands separators, and with a noun in the singular for exactly one
 * and in the plural otherwise.
 *
 * @param count The count, rounded to a whole number.
 * @param noun The thing counted: a word that takes an `s` in the plural, such as `"run"`, or
 *   its singular and plural, such as `["child", "children"]`; none for the bare number.
 * @returns The text, such as `"12,345 runs"`.
 *
 * @example Singular and plural
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatCount } from "./format.ts";
 *
 * assertEquals(formatCount(1, "run"), "1 run");
 * assertEquals(formatCount(0, "run"), "0 runs");
 * assertEquals(formatCount(12345), "12,345");
 * assertEquals(formatCount(2, ["match", "matches"]), "2 matches");
 * ```
 */
export function formatCount(
  count: number,
  noun?: string | readonly [singular: string, plural: string],
): string {
  const n = Math.round(count);
  const text = Number.isFinite(n) ? groupDigits(plainInteger(n)) : String(n);
  if (noun === undefined) return text;
  const [one, other] = typeof noun === "string" ? [noun, `${noun}s`] : noun;
  return `${text} ${n === 1 ? one : other}`;
}

/**
 * An estimate rounded to its accuracy: to the smallest power of ten that is at least its
 * error bound (`relativeError` times its magnitude), so the last digit shown is off by at
 * most one, and no digit is shown that the accuracy does not support. Trailing zeros stay: they
 * are significant. An exact value (`relativeError` 0) is shown in full.
 *
 * @param value The estimate, such as a sketch's percentile.
 * @param accuracy Its relative error, or an {@linkcode Accuracy} (a `QuantileSketch` is one).
 * @returns The text, with thousands separators.
 *
 * @example The report's accuracies
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatMeasure } from "./format.ts";
 *
 * assertEquals(formatMeasure(2.00781, 2 ** -8), "2.01"); // X, Y, Z, max load: 0.39%
 * assertEquals(formatMeasure(730.313, 2 ** -13), "730.3"); // spot: 0.012%
 * assertEquals(formatMeasure(12345.6, 2 ** -13), "12,350");
 * assertEquals(formatMeasure(0.0578613, { relativeError: 2 ** -7, zeroBelow: 2 ** -10 }), "0.058");
 * assertEquals(formatMeasure(0.0004, { relativeError: 2 ** -7, zeroBelow: 2 ** -10 }), "0");
 * assertEquals(formatMeasure(692.5, 0), "692.5");
 * ```
 */
export function formatMeasure(value: number, accuracy: number | Accuracy): string {
  const { relativeError, zeroBelow = 0 } = typeof accuracy === "number"
    ? { relativeError: accuracy }
    : accuracy;
  if (!Number.isFinite(value)) return String(value);
  if (value === 0 || Math.abs(value) < zeroBelow) return "0";
  if (!(relativeError > 0)) return formatNumber(value);
  const error = relativeError * Math.abs(value);
  let place = Math.ceil(Math.log10(error));
  // log10 is not exact: the place whose power of ten is the first to cover the error
  if (10 ** place < error) place++;
  else if (10 ** (place - 1) >= error) place--;
  if (place < 0) return formatFixed(value, Math.min(100, -place));
  const unit = 10 ** place;
  return formatFixed(Math.round(value / unit) * unit, 0);
}

/**
 * A number in full (the shortest text that reads back as the same number), with thousands
 * separators: for exact values such as levels and thresholds.
 *
 * @param value The number.
 * @returns The text.
 *
 * @example Levels
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatNumber } from "./format.ts";
 *
 * assertEquals(formatNumber(692.5), "692.5");
 * assertEquals(formatNumber(4012.25), "4,012.25");
 * assertEquals(formatNumber(1e-7), "0.0000001");
 * ```
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = String(value);
  if (!/e/.test(text)) return groupDigits(text);
  // String() writes numbers from 1e21 (all integers) and below 1e-6 in exponent form
  if (Math.abs(value) >= 1) return groupDigits(plainInteger(value));
  const [mantissa, exponent] = text.replace(/^-/, "").split("e") as [string, string];
  const zeros = "0".repeat(-Number(exponent) - 1);
  return `${value < 0 ? "-" : ""}0.${zeros}${mantissa.replace(".", "")}`;
}

/** Options of {@linkcode formatPercent}. */
export interface PercentOptions {
  /** Digits after the decimal point. @default {1} */
  digits?: number;
}

/**
 * A share as a percentage. A share that is not exactly 0 or 1 is never shown as `0%` or
 * `100%`: it is shown as `<0.1%` or `>99.9%` (at one digit) instead, so a rare event does not
 * read as none and a near-certain one as certain.
 *
 * @param share The share, from 0 to 1.
 * @param options Digits after the decimal point.
 * @returns The text, such as `"11.3%"`.
 *
 * @example Rare and near-certain
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatPercent } from "./format.ts";
 *
 * assertEquals(formatPercent(0.11317), "11.3%");
 * assertEquals(formatPercent(1), "100.0%");
 * assertEquals(formatPercent(0.99996), ">99.9%");
 * assertEquals(formatPercent(0.00004, { digits: 2 }), "<0.01%");
 * assertEquals(formatPercent(0), "0.0%");
 * ```
 */
export function formatPercent(share: number, options: PercentOptions = {}): string {
  const digits = options.digits ?? 1;
  if (!Number.isFinite(share)) return `${share}%`;
  const text = formatFixed(100 * share, digits);
  const step = formatFixed(10 ** -digits, digits);
  if (share > 0 && Number(text.replace(/,/g, "")) === 0) return `<${step}%`;
  if (share < 1 && Number(text.replace(/,/g, "")) >= 100) {
    return `>${formatFixed(100 - 10 ** -digits, digits)}%`;
  }
  return `${text}%`;
}

/**
 * A number with a fixed number of digits after the decimal point, with thousands separators
 * and never a negative zero: for axis ticks and timings, whose digits the caller chooses.
 *
 * @param value The number.
 * @param digits Digits after the decimal point, from 0 to 100.
 * @returns The text.
 *
 * @example Ticks
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatFixed } from "./format.ts";
 *
 * assertEquals(formatFixed(-2.5, 1), "-2.5");
 * assertEquals(formatFixed(-0.0001, 2), "0.00");
 * assertEquals(formatFixed(12500, 0), "12,500");
 * ```
 */
export function formatFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = Math.abs(value) >= 1e21 ? plainInteger(value) : value.toFixed(digits);
  return groupDigits(/^-[0.]*$/.test(text) ? text.slice(1) : text);
}

/** An integer's digits, also past 1e21 where `toFixed` and `String` switch to exponents. */
function plainInteger(n: number): string {
  return Math.abs(n) < 1e21 ? n.toFixed(0) : BigInt(n).toString();
}
