/**
 * The `pin` spot path: a Brownian bridge to a strike at a given step (expiry pinning).
 *
 * Recursion, with `e[t] ~ N(0, 1)` (one normal a step, drawn at every step `t >= 1`),
 * `K = strike`, `T = at` and `sd = noise * a`, `a` the ATR in force at step `t + 1` (the moving
 * `levels` channel's when a generator supplies it, else the evaluator's):
 *
 * - `s[0] = start`
 * - for `t < T`: `s[t+1] = s[t] + (K - s[t]) / (T - t) + sd * sqrt((T - t - 1) / (T - t)) * e[t+1]`,
 *   which closes the remaining distance evenly and shrinks the shock to 0 on the last step, so
 *   `s[T] = K`; it is assigned `K` rather than computed, so that it is `K` to the last bit
 * - after `T`: `s[t+1] = s[t] + sd * e[t+1]`, a random walk with the same noise.
 *
 * With a constant ATR, `s[t]` for `t <= T` is normal with mean `start + (K - start) * t / T` and
 * variance `sd^2 * t * (T - t) / T`: the spread peaks mid-way at `sd * sqrt(T) / 2` and vanishes
 * at the pin. After the pin the path walks freely rather than staying on the strike: the
 * expiring open interest that held spot there is gone, and a flat path would also have zero
 * realised volatility, which an `hv` window would floor.
 *
 * From a real day's state (`fromState`, for a backtest), the path starts at the day's close; a
 * typed `strike` stays (it is a listed strike, in price units), the default is that day's flip,
 * and `noise` stays in ATRs, so its price size is the day's ATR.
 *
 * @module
 */
import { integer, number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { startPathBlock } from "./_path.ts";
import { envelopeLevels } from "./envelope.ts";

/**
 * Options of the `pin` generator.
 *
 * @example A pin at step 50 to the flip
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readOptions } from "../testing.ts";
 * import pin, { type PinOptions } from "./pin.ts";
 *
 * const options = readOptions<PinOptions>(pin, { at: 50 });
 * assertEquals([options.at, options.strike, options.noise], [50, undefined, 0.3]);
 * ```
 */
export interface PinOptions {
  /** Spot at step 0, price units. @default {the flip in force at step 0} */
  readonly start: number | undefined;
  /**
   * The strike spot is pinned to, price units: at step `at`, X is its distance from the flip
   * in ATRs. @default {the flip in force at step 0}
   */
  readonly strike: number | undefined;
  /** The step at which spot equals the strike, 1 to the run's steps - 1. Required. */
  readonly at: number;
  /** Standard deviation of each step's shock, ATR units. @default {0.3} */
  readonly noise: number;
}

/**
 * A Brownian bridge that pins spot to a strike at step `at`, then walks on.
 *
 * @example With no noise the path closes the gap evenly
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { runGenerator } from "../testing.ts";
 * import pin from "./pin.ts";
 *
 * const { spot } = await runGenerator(pin, { options: { start: 690, strike: 700, at: 4, noise: 0 }, steps: 6 });
 * assertEquals(Array.from(spot), [690, 692.5, 695, 697.5, 700, 700]);
 * ```
 */
const pin: GeneratorDefinition<PinOptions> = defineGenerator({
  name: "pin",
  provides: ["spot"],
  options: {
    start: number({
      doc: "Spot at step 0, price units; defaults to the flip in force at step 0",
      optional: true,
    }),
    strike: number({
      doc: "Strike spot is pinned to, price units; defaults to the flip in force at step 0",
      optional: true,
    }),
    at: integer({ doc: "Step at which spot equals the strike, 1 to the run's steps - 1", min: 1 }),
    noise: number({
      doc: "Standard deviation of each step's shock, ATR units",
      min: 0,
      default: 0.3,
    }),
  },
  check({ at }, report, { steps }) {
    if (at !== undefined && at >= steps) {
      report("at", `expected a step before the run's last, 1 to ${steps - 1}, got ${at}`);
    }
  },
  fromState: (options, state) => ({ ...options, start: state.spot }),
  start({ options, random, levels }) {
    const fixed = envelopeLevels(levels());
    const { at, noise } = options;
    let last = NaN, strike = NaN;
    return {
      fill({ spot, start, length, levels: moving }) {
        const atrs = moving?.atr;
        const a0 = fixed.atr;
        if (start === 0) {
          const flip = moving?.flip ? moving.flip[0]! : fixed.flip;
          last = options.start ?? flip;
          strike = options.strike ?? flip;
        }
        const from = startPathBlock(random, spot, { start, length }, last);
        let s = +last;
        const k = +strike;
        for (let i = from; i < length; i++) {
          const t = start + i - 1; // the step this one moves from
          const sd = noise * (atrs ? atrs[i]! : a0);
          const left = at - t;
          if (left > 1) s += (k - s) / left + sd * Math.sqrt((left - 1) / left) * spot[i]!;
          else if (left === 1) s = k;
          else s += sd * spot[i]!;
          spot[i] = s;
        }
        last = s;
      },
    };
  },
});
export default pin;
