/**
 * The `breakout` spot path: leaves the flip and keeps going (follow-through).
 *
 * Recursion, with `e ~ N(0, 1)` and `d = +1` up or `-1` down:
 * `s[0] = start`; before `onset`, `s[t] = s[t-1] + noise * atr * e[t]`; from `onset` on,
 * `s[t] = s[t-1] + d * speed * atr + noise * atr * e[t]`. With the defaults a 200-step path
 * drifts 20 ATR against about 4 ATR of noise, so it ends beyond the wall in its direction in
 * nearly every run when the wall is within a dozen ATR of the start.
 *
 * @module
 */
import { choice, integer, number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { startPathBlock } from "./_path.ts";
import { envelopeLevels } from "./envelope.ts";

/** Options of the `breakout` generator. */
export interface BreakoutOptions {
  /** Spot at step 0, price units. @default {the flip} */
  readonly start: number | undefined;
  /** Direction of the breakout. @default {"up"} */
  readonly direction: "up" | "down";
  /** Drift per step once the breakout starts, ATR units. @default {0.1} */
  readonly speed: number;
  /** Standard deviation of each step's shock, ATR units. @default {0.3} */
  readonly noise: number;
  /** Step at which the drift starts; before it the path only wanders. @default {0} */
  readonly onset: number;
}

/** A breakout with follow-through. */
const breakout: GeneratorDefinition<BreakoutOptions> = defineGenerator({
  name: "breakout",
  provides: ["spot"],
  options: {
    start: number({ doc: "Spot at step 0, price units; defaults to the flip", optional: true }),
    direction: choice(["up", "down"], { doc: "Direction of the breakout", default: "up" }),
    speed: number({
      doc: "Drift per step once the breakout starts, ATR units",
      min: 0,
      minExclusive: true,
      default: 0.1,
    }),
    noise: number({
      doc: "Standard deviation of each step's shock, ATR units",
      min: 0,
      default: 0.3,
    }),
    onset: integer({
      doc: "Step at which the drift starts; before it the path only wanders",
      min: 0,
      default: 0,
    }),
  },
  start({ options, random, levels }) {
    const { atr, flip } = envelopeLevels(levels());
    const drift = (options.direction === "up" ? 1 : -1) * options.speed * atr;
    const sd = options.noise * atr;
    const { onset } = options;
    let last = options.start ?? flip;
    return {
      fill({ spot, start, length }) {
        const from = startPathBlock(random, spot, { start, length }, last);
        let s = +last;
        for (let i = from; i < length; i++) {
          s += (start + i >= onset ? drift : 0) + sd * spot[i]!;
          spot[i] = s;
        }
        last = s;
      },
    };
  },
});
export default breakout;
