/**
 * The `mean-revert` spot path: a pin toward a target, such as the gamma flip.
 *
 * Recursion, with `e ~ N(0, 1)` from the generator's own stream:
 * `s[0] = start`, `s[t] = s[t-1] + intensity * (target - s[t-1]) + noise * atr * e[t]`,
 * computed as `(1 - intensity) * s[t-1] + (intensity * target + noise * atr * e[t])`.
 * Its stationary spread is `noise / sqrt(1 - (1 - intensity)^2)` ATR: about 0.9 ATR with the
 * defaults, so a 200-step path stays within a few ATR of the target.
 *
 * @module
 */
import { number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { startPathBlock } from "./_path.ts";
import { envelopeLevels } from "./envelope.ts";

/** Options of the `mean-revert` generator. */
export interface MeanRevertOptions {
  /** Spot at step 0, price units. @default {the flip} */
  readonly start: number | undefined;
  /** Level the path is pulled toward, price units. @default {the flip} */
  readonly target: number | undefined;
  /** Share of the gap to the target closed each step, in (0, 1]. @default {0.1} */
  readonly intensity: number;
  /** Standard deviation of each step's shock, ATR units. @default {0.4} */
  readonly noise: number;
}

/** A path pinned toward a target level. */
const meanRevert: GeneratorDefinition<MeanRevertOptions> = defineGenerator({
  name: "mean-revert",
  provides: ["spot"],
  options: {
    start: number({ doc: "Spot at step 0, price units; defaults to the flip", optional: true }),
    target: number({
      doc: "Level the path is pulled toward, price units; defaults to the flip",
      optional: true,
    }),
    intensity: number({
      doc: "Share of the gap to the target closed each step, in (0, 1]",
      min: 0,
      minExclusive: true,
      max: 1,
      default: 0.1,
    }),
    noise: number({
      doc: "Standard deviation of each step's shock, ATR units",
      min: 0,
      default: 0.4,
    }),
  },
  start({ options, random, levels }) {
    const { atr, flip } = envelopeLevels(levels());
    const { intensity } = options;
    const target = options.target ?? flip;
    const sd = options.noise * atr;
    const keep = 1 - intensity, pull = intensity * target;
    let last = options.start ?? flip;
    return {
      fill({ spot, start, length }) {
        // The block's normals are drawn into `spot` and replaced by the path; `+last` a number.
        const from = startPathBlock(random, spot, { start, length }, last);
        let s = +last;
        for (let i = from; i < length; i++) {
          // Rearranged so that one multiply and one add lie between steps (docs/monte-carlo.md).
          s = keep * s + (pull + sd * spot[i]!);
          spot[i] = s;
        }
        last = s;
      },
    };
  },
});
export default meanRevert;
