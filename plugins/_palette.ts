/**
 * The colours the Monte Carlo report (montecarlo/report.ts, a light page) and the flight view
 * (viewer/, a dark one) share: one hue per meaning (each regime, each flag, each severity band,
 * the fan, further series), in a shade for each background, so that a change of colour is made
 * once for both. Pure data, free of DOM and Deno APIs, so that both may import it.
 *
 * @module
 */
import type { Severity } from "../core/events.ts";

export type { Severity };

/** A background a colour is drawn on: the report's light page, the view's dark one. */
export type Theme = "light" | "dark";

/**
 * Colour of each regime, by code (TAXI, CRUISE, MANEUVER, RUPTURE, as `REGIMES` of
 * core/frame.ts), per background.
 *
 * @example The same four regimes on both
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { REGIME_PALETTE } from "./_palette.ts";
 *
 * assertEquals(REGIME_PALETTE.dark.length, REGIME_PALETTE.light.length);
 * ```
 */
export const REGIME_PALETTE: Readonly<Record<Theme, readonly string[]>> = {
  light: ["#7f8fa6", "#2e9e6b", "#e0a526", "#d6453d"],
  dark: ["#93a4bd", "#3fd68a", "#ffb547", "#ff4f64"],
};

/** Colour of each flag, by bit index (BREACH, OVERSPEED, STALL), per background. */
export const FLAG_PALETTE: Readonly<Record<Theme, readonly string[]>> = {
  light: ["#c92e63", "#d9691f", "#2f8fc4"],
  dark: ["#ff3f7a", "#ff8a3d", "#58c7ff"],
};

/** Colour of each severity band of an event, per background. */
export const SEVERITY_PALETTE: Readonly<Record<Theme, Readonly<Record<Severity, string>>>> = {
  light: { low: "#b59a12", medium: "#d9691f", high: "#c9283f" },
  dark: { low: "#e8d36a", medium: "#ff9a3d", high: "#ff3f5a" },
};

/** The colours of a Monte Carlo fan: its outer band, inner band and median. */
export interface FanColors {
  /** The 5th to 95th percentile band. */
  outer: string;
  /** The 25th to 75th percentile band. */
  inner: string;
  /** The median. */
  line: string;
}

/** The colours of a Monte Carlo fan, per background. */
export const FAN_PALETTE: Readonly<Record<Theme, Readonly<FanColors>>> = {
  light: { outer: "#c9daf2", inner: "#8fb3e3", line: "#1f4e99" },
  dark: { outer: "#5b8fd9", inner: "#8fb3e3", line: "#c9daf2" },
};

/**
 * Colours of further series in order: the report's sweep lines (one per combination of the
 * other keys), and the view's further runs dropped over the one on screen.
 */
export const SERIES_PALETTE: Readonly<Record<Theme, readonly string[]>> = {
  light: ["#1f4e99", "#d6453d", "#2e9e6b", "#e0a526", "#b05fc4", "#4aa3c7", "#8c6d46", "#5b6475"],
  dark: ["#c792ea", "#f78c6c", "#89ddff", "#c3e88d"],
};

/**
 * A `#rrggbb` colour's red, green and blue, 0 to 255.
 *
 * @param hex The colour.
 * @returns Red, green and blue.
 *
 * @example The RUPTURE red of the view
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { rgbOf } from "./_palette.ts";
 *
 * assertEquals(rgbOf("#ff4f64"), [255, 79, 100]);
 * ```
 */
export function rgbOf(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1, 7), 16);
  return [v >> 16 & 255, v >> 8 & 255, v & 255];
}
