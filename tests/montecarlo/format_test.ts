// Numbers as a person reads them: grouping, plurals, and estimates rounded to their accuracy.
import { assert, assertEquals } from "@std/assert";
import {
  formatCount,
  formatFixed,
  formatMeasure,
  formatNumber,
  formatPercent,
  groupDigits,
} from "../../montecarlo/format.ts";
import { FAN_SKETCH, LEVEL_BITS, STATE_BITS } from "../../montecarlo/stats.ts";
import { QuantileSketch } from "../../montecarlo/sketch.ts";

/** A deterministic stream of numbers in [0, 1): xorshift32. */
function uniform(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

Deno.test("groupDigits() groups the integer part in threes and leaves the fraction alone", () => {
  assertEquals(groupDigits("0"), "0");
  assertEquals(groupDigits("123"), "123");
  assertEquals(groupDigits("1234"), "1,234");
  assertEquals(groupDigits("123456"), "123,456");
  assertEquals(groupDigits("-1234567.12345"), "-1,234,567.12345");
  assertEquals(groupDigits("Infinity"), "Infinity");
});

Deno.test("formatCount() uses the singular for exactly one, the plural otherwise", () => {
  assertEquals(formatCount(1, "run"), "1 run");
  assertEquals(formatCount(2, "run"), "2 runs");
  assertEquals(formatCount(0, "frame"), "0 frames");
  assertEquals(formatCount(346_634, "frame"), "346,634 frames");
  assertEquals(formatCount(10_000_000), "10,000,000");
  assertEquals(formatCount(-1234), "-1,234");
  assertEquals(formatCount(1, ["child", "children"]), "1 child");
  assertEquals(formatCount(3, ["child", "children"]), "3 children");
  assertEquals(formatCount(1e21), "1,000,000,000,000,000,000,000");
});

Deno.test("formatMeasure() keeps the digits the accuracy supports, and no more", () => {
  // the newcomer's examples, at the accuracies of montecarlo/stats.ts
  assertEquals(formatMeasure(2.00781, 2 ** -(STATE_BITS + 1)), "2.01");
  assertEquals(formatMeasure(730.313, 2 ** -(LEVEL_BITS + 1)), "730.3");
  const fan = { relativeError: 2 ** -(FAN_SKETCH.bits! + 1), zeroBelow: FAN_SKETCH.zeroBelow! };
  assertEquals(formatMeasure(0.0578613, fan), "0.058");
  assertEquals(formatMeasure(-0.0009, fan), "0");
  assertEquals(formatMeasure(0, fan), "0");
  assertEquals(formatMeasure(27.625, fan), "28");
  assertEquals(formatMeasure(-3.95313, fan), "-4.0");
  // significant trailing zeros stay, digits are grouped
  assertEquals(formatMeasure(1.80078, 2 ** -8), "1.80");
  assertEquals(formatMeasure(4012.49, 2 ** -13), "4,012");
  assertEquals(formatMeasure(401.249, 2 ** -13), "401.2");
  assertEquals(formatMeasure(123_456_789, 2 ** -13), "123,500,000");
  // exact values in full
  assertEquals(formatMeasure(2.46595, 0), "2.46595");
  assertEquals(formatMeasure(NaN, 2 ** -8), "NaN");
});

Deno.test("formatMeasure() takes a sketch as its accuracy", () => {
  const sketch = new QuantileSketch({ bits: 6, zeroBelow: 2 ** -10 });
  assertEquals(formatMeasure(0.0578613, sketch), "0.058");
  assertEquals(formatMeasure(0.0001, sketch), "0");
});

Deno.test("formatMeasure() rounds to the first power of ten that covers the error", () => {
  const next = uniform(7);
  for (const relativeError of [2 ** -13, 2 ** -8, 2 ** -7, 0.01, 0.3]) {
    for (let i = 0; i < 3000; i++) {
      const value = (next() < 0.5 ? -1 : 1) * 10 ** (12 * next() - 5);
      const error = relativeError * Math.abs(value);
      let place = -40;
      while (10 ** place < error) place++;
      const text = formatMeasure(value, relativeError);
      const shown = Number(text.replace(/,/g, ""));
      const where = `${value} at ${relativeError}: ${text}`;
      assert(Math.abs(shown - value) <= (10 ** place / 2) * (1 + 1e-9), where);
      assertEquals(text.split(".")[1]?.length ?? 0, Math.max(0, -place), where);
      assert(/^-?\d{1,3}(,\d{3})*(\.\d+)?$/.test(text), where);
      assert(!/^-0(\.0*)?$/.test(text), where);
    }
  }
});

Deno.test("formatNumber() writes a number in full, never with an exponent", () => {
  assertEquals(formatNumber(692.5), "692.5");
  assertEquals(formatNumber(0.3), "0.3");
  assertEquals(formatNumber(1234567.5), "1,234,567.5");
  assertEquals(formatNumber(1.5e-7), "0.00000015");
  assertEquals(formatNumber(-2.5e-9), "-0.0000000025");
  assertEquals(formatNumber(2 ** -10), "0.0009765625");
  assertEquals(formatNumber(1e21), "1,000,000,000,000,000,000,000");
  for (const v of [1e-7, 3.14159e-12, 0.1 + 0.2, 123.456, 2 ** -30]) {
    assertEquals(Number(formatNumber(v).replace(/,/g, "")), v);
  }
});

Deno.test("formatFixed() and formatPercent() never show a negative zero or a false 0% or 100%", () => {
  assertEquals(formatFixed(-0.04, 1), "0.0");
  assertEquals(formatFixed(-2.5, 1), "-2.5");
  assertEquals(formatFixed(1234.5, 1), "1,234.5");
  assertEquals(formatPercent(0.5), "50.0%");
  assertEquals(formatPercent(1), "100.0%");
  assertEquals(formatPercent(0), "0.0%");
  assertEquals(formatPercent(0.9996), ">99.9%");
  assertEquals(formatPercent(0.0004), "<0.1%");
  assertEquals(formatPercent(0.99996, { digits: 2 }), ">99.99%");
  assertEquals(formatPercent(0.123456, { digits: 3 }), "12.346%");
});

Deno.test("formatting does not depend on the locale", () => {
  // toLocaleString would group 1234.5 as "1.234,5" under de-DE; the formatters never ask
  assertEquals(formatMeasure(1234.5, 2 ** -20), "1,234.50");
  assertEquals(formatNumber(1234.5), "1,234.5");
  assertEquals(formatCount(1234), "1,234");
});
