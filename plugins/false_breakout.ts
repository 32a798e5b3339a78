/**
 * The `false-breakout` spot path: crosses a wall by about `depth` ATR, then snaps back.
 *
 * Recursion, with `e ~ N(0, 1)`, `peak = wall + depth * atr` beyond the named wall and
 * `n = max(1, floor(push * steps))`: `s[0] = start`; for `t <= n` the path closes the remaining
 * gap to the peak evenly, `s[t] = s[t-1] + (peak - s[t-1]) / (n - t + 1) + noise * atr * e[t]`,
 * so it reaches the peak at step `n`; after that it reverts to the start,
 * `s[t] = s[t-1] + recovery * (start - s[t-1]) + noise * atr * e[t]`. The result is a BREACH
 * episode around step `n` followed by a recovery inside the walls.
 *
 * @module
 */
import { choice, number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { startPathBlock } from "./_path.ts";
import { envelopeLevels } from "./envelope.ts";

/** Options of the `false-breakout` generator. */
export interface FalseBreakoutOptions {
  /** Spot at step 0 and the level it recovers to, price units. @default {the flip} */
  readonly start: number | undefined;
  /** The wall that is falsely broken. @default {"call"} */
  readonly wall: "call" | "put";
  /** How far beyond the wall the push peaks, ATR units. @default {0.5} */
  readonly depth: number;
  /** Share of the gap to the start closed each step after the peak, in (0, 1]. @default {0.2} */
  readonly recovery: number;
  /** Share of the steps spent pushing to the peak, in (0, 1). @default {0.4} */
  readonly push: number;
  /** Standard deviation of each step's shock, ATR units. @default {0.2} */
  readonly noise: number;
}

/** A failed breakout: a breach of a wall, then a recovery. */
const falseBreakout: GeneratorDefinition<FalseBreakoutOptions> = defineGenerator({
  name: "false-breakout",
  provides: ["spot"],
  options: {
    start: number({
      doc: "Spot at step 0 and the level it recovers to, price units; defaults to the flip",
      optional: true,
    }),
    wall: choice(["call", "put"], { doc: "The wall that is falsely broken", default: "call" }),
    depth: number({
      doc: "How far beyond the wall the push peaks, ATR units",
      min: 0,
      minExclusive: true,
      default: 0.5,
    }),
    recovery: number({
      doc: "Share of the gap to the start closed each step after the peak, in (0, 1]",
      min: 0,
      minExclusive: true,
      max: 1,
      default: 0.2,
    }),
    push: number({
      doc: "Share of the steps spent pushing to the peak, in (0, 1)",
      min: 0,
      max: 1,
      minExclusive: true,
      maxExclusive: true,
      default: 0.4,
    }),
    noise: number({
      doc: "Standard deviation of each step's shock, ATR units",
      min: 0,
      default: 0.2,
    }),
  },
  start({ options, random, levels, steps }) {
    const { atr, flip, putWall, callWall } = envelopeLevels(levels());
    const origin = options.start ?? flip;
    const peak = options.wall === "call"
      ? callWall + options.depth * atr
      : putWall - options.depth * atr;
    const n = Math.max(1, Math.floor(options.push * steps));
    const sd = options.noise * atr;
    let last = origin;
    return {
      fill({ spot, start, length }) {
        const from = startPathBlock(random, spot, { start, length }, last);
        let s = +last;
        for (let i = from; i < length; i++) {
          const t = start + i;
          const pull = t <= n ? (peak - s) / (n - t + 1) : options.recovery * (origin - s);
          s += pull + sd * spot[i]!;
          spot[i] = s;
        }
        last = s;
      },
    };
  },
});
export default falseBreakout;
