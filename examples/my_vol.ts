/**
 * A custom IV generator in one file: skew that lifts IV as spot falls below the flip.
 *
 * `iv[t] = max(floor, base + skew * (flip - spot[t]) / atr)`: each ATR below the flip adds
 * `skew` to IV, each ATR above takes it away, as on an equity index with put skew.
 *
 * Outside this repository, import from the package instead:
 * `import { defineGenerator, envelopeLevels, number } from "jsr:@option-flight/option-flight";`
 *
 * @module
 */
import { defineGenerator, envelopeLevels, number } from "../mod.ts";

export default defineGenerator({
  name: "skew-vol",
  provides: ["iv"],
  needs: ["spot"],
  options: {
    base: number({ doc: "IV at the flip, annualised", min: 0, minExclusive: true, default: 0.15 }),
    skew: number({ doc: "IV added per ATR below the flip", min: 0, default: 0.01 }),
    floor: number({ doc: "Smallest IV, annualised", min: 0, minExclusive: true, default: 0.05 }),
  },
  start({ options, levels }) {
    const { atr, flip } = envelopeLevels(levels());
    const { base, skew, floor } = options;
    return {
      fill({ spot, iv, length }) {
        for (let i = 0; i < length; i++) {
          iv[i] = Math.max(floor, base + skew * (flip - spot[i]!) / atr);
        }
      },
    };
  },
});
