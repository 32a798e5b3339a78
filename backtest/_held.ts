/**
 * The generator a backtest puts in place of one that fills only `iv` and `hv` and has no
 * `fromState` hook: it holds the day's IV and HV flat over the run. Such a generator cannot move
 * the spot path a backtest scores (channels fill in the order time, levels, spot, iv, hv, and a
 * generator reads only channels filled before its own), so replacing it changes no prediction.
 * Not a built-in: only a backtest uses it.
 *
 * @module
 */
import { number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";

/** Options of the held generator: the day's IV and HV, annualised fractions. */
export interface HeldOptions {
  /** IV held over the run, annualised fraction, > 0. */
  readonly iv: number;
  /** HV held over the run, annualised fraction, > 0. */
  readonly hv: number;
}

const positive = { min: 0, minExclusive: true } as const;

/**
 * IV and HV held at a real day's values.
 *
 * @example The day's values at every step
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { runGenerator } from "../testing.ts";
 * import held from "./_held.ts";
 *
 * const { hv } = await runGenerator(held, { options: { iv: 0.2, hv: 0.15 }, steps: 3 });
 * assertEquals([...hv], [0.15, 0.15, 0.15]);
 * ```
 */
const held: GeneratorDefinition<HeldOptions> = defineGenerator({
  name: "backtest-held",
  provides: ["iv", "hv"],
  options: {
    iv: number({ doc: "IV held over the run, annualised fraction", ...positive }),
    hv: number({ doc: "HV held over the run, annualised fraction", ...positive }),
  },
  start({ options }) {
    const { iv: i, hv: h } = options;
    return {
      fill({ iv, hv, length }) {
        iv.fill(i, 0, length);
        hv.fill(h, 0, length);
      },
    };
  },
});
export default held;
