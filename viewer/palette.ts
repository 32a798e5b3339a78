/**
 * The view's colours: its dark shades of the palette it shares with the Monte Carlo report
 * (plugins/_palette.ts), for the regimes and flags (the style sheet's `--taxi` ... `--stall`
 * variables), the severity bands, the fan, the further runs, and the play button's icons.
 *
 * @module
 */
import {
  FAN_PALETTE,
  type FanColors,
  FLAG_PALETTE,
  REGIME_PALETTE,
  rgbOf,
  SERIES_PALETTE,
  SEVERITY_PALETTE,
} from "../plugins/_palette.ts";
import type { Severity } from "../core/events.ts";

export type { Severity };

/** Colour of each regime, by code. */
export const REGIME_COLORS: readonly string[] = REGIME_PALETTE.dark;
/** The same colours as `r,g,b`, for `rgba()`. */
export const REGIME_RGB: readonly string[] = REGIME_COLORS.map((c) => rgbOf(c).join(","));
/** Colour of each flag, by bit index: BREACH, OVERSPEED, STALL. */
export const FLAG_COLORS: readonly string[] = FLAG_PALETTE.dark;
/** Colour of each severity band, on the timeline and in the event list. */
export const SEVERITY_COLORS: Readonly<Record<Severity, string>> = SEVERITY_PALETTE.dark;
/** Colours of a Monte Carlo fan: the ghost band in the 3D scene. */
export const FAN_COLORS: Readonly<FanColors> = FAN_PALETTE.dark;
/** Colours of the runs dropped over the one on screen, in order. */
export const OVERLAY_COLORS: readonly string[] = SERIES_PALETTE.dark;

/** SVG path of the play button's icon while paused (as in viewer/markup.html). */
export const PLAY_ICON = "M4 2l10 6-10 6z";
/** SVG path of the play button's icon while playing. */
export const PAUSE_ICON = "M3 2h4v12H3zM9 2h4v12H9z";
