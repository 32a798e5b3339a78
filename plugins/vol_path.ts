/**
 * The `vol-path` IV generator: drifts to a target, with an optional shock that then decays.
 *
 * Recursion, with `e ~ N(0, 1)`: `v[0] = start`,
 * `v[t] = max(floor, v[t-1] + reversion * (target - v[t-1]) + v[t-1] * volOfVol * e[t])`,
 * computed as `v[t-1] * (1 - reversion + volOfVol * e[t]) + reversion * target`, and at step `shockAt` the result is first multiplied by `1 + shockSize`. The shock decays
 * at the reversion rate (half-life about 14 steps with the default 0.05); the floor keeps IV > 0.
 *
 * @module
 */
import { integer, number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { startPathBlock } from "./_path.ts";

/** Options of the `vol-path` generator. IVs are annualised fractions: 0.15 is 15%. */
export interface VolPathOptions {
  /** IV at step 0. Required. */
  readonly start: number;
  /** IV the path drifts to. @default {start} */
  readonly target: number | undefined;
  /** Share of the gap to the target closed each step, in [0, 1]. @default {0.05} */
  readonly reversion: number;
  /** Relative standard deviation of each step's IV change. @default {0.02} */
  readonly volOfVol: number;
  /** Step at which IV jumps; no shock when absent. */
  readonly shockAt: number | undefined;
  /** Relative size of the jump: 0.5 is +50%, -0.3 is -30%; above -1. @default {0.5} */
  readonly shockSize: number;
  /** Smallest IV the path takes. @default {0.01} */
  readonly floor: number;
}

/** An implied-volatility path. */
const volPath: GeneratorDefinition<VolPathOptions> = defineGenerator({
  name: "vol-path",
  provides: ["iv"],
  options: {
    start: number({
      doc: "IV at step 0, annualised fraction (0.15 is 15%)",
      min: 0,
      minExclusive: true,
    }),
    target: number({
      doc: "IV the path drifts to, annualised; defaults to start",
      min: 0,
      minExclusive: true,
      optional: true,
    }),
    reversion: number({
      doc: "Share of the gap to the target closed each step, in [0, 1]",
      min: 0,
      max: 1,
      default: 0.05,
    }),
    volOfVol: number({
      doc: "Relative standard deviation of each step's IV change",
      min: 0,
      default: 0.02,
    }),
    shockAt: integer({
      doc: "Step at which IV jumps; no shock when absent",
      min: 1,
      optional: true,
    }),
    shockSize: number({
      doc: "Relative size of the jump: 0.5 is +50%, -0.3 is -30%",
      min: -1,
      minExclusive: true,
      default: 0.5,
    }),
    floor: number({
      doc: "Smallest IV the path takes, annualised",
      min: 0,
      minExclusive: true,
      default: 0.01,
    }),
  },
  check({ shockAt }, report, { steps }) {
    if (shockAt !== undefined && shockAt >= steps) {
      report("shockAt", `expected a step before the run's last, 1 to ${steps - 1}, got ${shockAt}`);
    }
  },
  start({ options, random }) {
    const { reversion, volOfVol, shockAt, shockSize, floor } = options;
    const target = options.target ?? options.start;
    const keep = 1 - reversion, pull = reversion * target;
    let last = options.start;
    return {
      fill({ iv, start, length }) {
        const from = startPathBlock(random, iv, { start, length }, last);
        let v = +last;
        for (let i = from; i < length; i++) {
          // Rearranged so that one multiply and one add lie between steps (docs/monte-carlo.md).
          v = v * (keep + volOfVol * iv[i]!) + pull;
          if (start + i === shockAt) v *= 1 + shockSize;
          // Math.max, not assigning the captured `floor`, which would box `v` every step.
          v = Math.max(v, floor);
          iv[i] = v;
        }
        last = v;
      },
    };
  },
});
export default volPath;
