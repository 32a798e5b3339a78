/**
 * The `hv` generator: historical volatility, fixed or realised from the spot path.
 *
 * Fixed: `{ "use": "hv", "value": 0.12 }` gives 0.12 at every step.
 *
 * Realised: `{ "use": "hv", "window": 20, "initial": 0.12 }` gives the sample standard
 * deviation of the last `window` log returns of spot, annualised by `sqrt(periodsPerYear)`.
 * Warm-up: step `t` has `t` returns behind it, so steps `0 .. window - 1` use `initial`; from
 * step `window` on the realised value is used, never below `floor` (a flat path has zero
 * realised volatility, and HV must stay > 0 for the load factor to exist).
 *
 * @module
 */
import { integer, number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";

const positive = { min: 0, minExclusive: true } as const;

/** Options of the `hv` generator: give `value` for fixed HV, or `window` and `initial` for realised HV. */
export interface HvOptions {
  /** Constant HV, annualised fraction. */
  readonly value: number | undefined;
  /** Realised HV over this many log returns (at least 2). */
  readonly window: number | undefined;
  /** HV during the realised warm-up, steps 0 to `window - 1`, annualised. */
  readonly initial: number | undefined;
  /** Steps per year, to annualise realised HV. @default {252} */
  readonly periodsPerYear: number;
  /** Smallest realised HV used, annualised. @default {0.01} */
  readonly floor: number;
}

/** Historical volatility: a constant, or realised over a rolling window. */
const hv: GeneratorDefinition<HvOptions> = defineGenerator({
  name: "hv",
  provides: ["hv"],
  needs: ["spot"],
  options: {
    value: number({
      doc: "Constant HV, annualised fraction; give this or window",
      ...positive,
      optional: true,
    }),
    window: integer({
      doc: "Realised HV over this many log returns; give this or value",
      min: 2,
      optional: true,
    }),
    initial: number({
      doc: "HV during the realised warm-up (steps 0 to window - 1), annualised",
      ...positive,
      optional: true,
    }),
    periodsPerYear: number({
      doc: "Steps per year, to annualise realised HV (252 for daily steps)",
      ...positive,
      default: 252,
    }),
    floor: number({ doc: "Smallest realised HV used, annualised", ...positive, default: 0.01 }),
  },
  check(options, report) {
    if ((options.value === undefined) === (options.window === undefined)) {
      report("value", `expected exactly one of "value" (fixed HV) or "window" (realised HV)`);
    } else if (options.window !== undefined && options.initial === undefined) {
      report("initial", 'expected the HV to use during the warm-up, needed with "window"');
    } else if (options.value !== undefined && options.initial !== undefined) {
      report("initial", `applies to realised HV only; remove it or use "window"`);
    }
  },
  start({ options }) {
    const { value, window } = options;
    if (value !== undefined || window === undefined) {
      const fixed = value!;
      return { fill: ({ hv, length }) => void hv.fill(fixed, 0, length) };
    }
    const annualise = Math.sqrt(options.periodsPerYear);
    const initial = options.initial!;
    const { floor } = options;
    const returns = new Float64Array(window);
    let previous = NaN;
    let count = 0;
    return {
      fill({ spot, hv, length }) {
        // State in locals made numbers with `+`, so the loop allocates nothing per step.
        let last = +previous, seen = count;
        const lo = +floor;
        for (let i = 0; i < length; i++) {
          const s = spot[i]!;
          if (seen > 0 || !Number.isNaN(last)) returns[seen++ % window] = Math.log(s / last);
          last = s;
          if (seen < window) {
            hv[i] = initial;
            continue;
          }
          let mean = 0;
          for (let k = 0; k < window; k++) mean += returns[k]!;
          mean /= window;
          let sum = 0;
          for (let k = 0; k < window; k++) sum += (returns[k]! - mean) ** 2;
          const realised = Math.sqrt(sum / (window - 1)) * annualise;
          hv[i] = realised > lo ? realised : lo;
        }
        previous = last;
        count = seen;
      },
    };
  },
});
export default hv;
