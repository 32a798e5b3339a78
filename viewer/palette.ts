/**
 * Colours of the regimes and flags (the style sheet's `--taxi` ... `--stall` variables) and the
 * play button's icons.
 *
 * @module
 */

/** Colour of each regime, by code. */
export const REGIME_COLORS: readonly string[] = ["#93a4bd", "#3fd68a", "#ffb547", "#ff4f64"];
/** The same colours as `r,g,b`, for `rgba()`. */
export const REGIME_RGB: readonly string[] = [
  "147,164,189",
  "63,214,138",
  "255,181,71",
  "255,79,100",
];
/** Colour of each flag, by bit index: BREACH, OVERSPEED, STALL. */
export const FLAG_COLORS: readonly string[] = ["#ff3f7a", "#ff8a3d", "#58c7ff"];

/** SVG path of the play button's icon while paused (as in viewer/markup.html). */
export const PLAY_ICON = "M4 2l10 6-10 6z";
/** SVG path of the play button's icon while playing. */
export const PAUSE_ICON = "M3 2h4v12H3zM9 2h4v12H9z";
