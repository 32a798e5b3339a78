/**
 * The `gamma-regime` spot path: spot dynamics conditioned on dealer positioning.
 *
 * Above the gamma flip dealers are long gamma and hedge against the move: steps are damped and
 * pulled back toward the flip. Below it they are short gamma and hedge with the move: steps are
 * amplified and trend. The walls are sticky: a share of the steps that would cross a wall from
 * inside are repelled.
 *
 * Recursion. Each step `t >= 1` draws, in this order, `e[t] ~ N(0, 1)` with `random.normal()`
 * and `u[t] ~ U[0, 1)` with `random.next()`, both at every step. With the levels in force at
 * step `t` (`f` flip, `a` ATR, `P` put wall, `C` call wall: the moving `levels` channel when a
 * generator supplies it, else the evaluator's static levels) and `m[t-1]` the previous step's
 * move (`m[0] = 0`):
 *
 * - at or above the flip, `s[t-1] >= f`: `d = -pull * (s[t-1] - f) + damping * noise * a * e[t]`
 * - below it, `s[t-1] < f`: `d = momentum * m[t-1] + amplification * noise * a * e[t]`
 * - the candidate is `c = s[t-1] + d`; it touches the call wall when `s[t-1] <= C < c` and the
 *   put wall when `s[t-1] >= P > c`; a touch with `u[t] < wallStickiness` is repelled, reflected
 *   back inside: `c = 2 * wall - c` (once: a step that overshoots a wall by more than the gap
 *   between the walls lands beyond the other one)
 * - `s[t] = c` and `m[t] = s[t] - s[t-1]`.
 *
 * `s[0] = start`, by default the flip in force at step 0. Above the flip the path is an AR(1)
 * around the flip whose spread is `damping * noise / sqrt(1 - (1 - pull)^2)` ATR (about 0.34 ATR
 * with the defaults); below it the steps are an AR(1) whose long-run spread per step is
 * `amplification * noise / (1 - momentum)` ATR (about 0.64 ATR): nothing pulls it back, so a path
 * that falls below the flip can run to the put wall and through it.
 *
 * From a real day's state (`fromState`, for a backtest), the path starts at the day's close;
 * `noise` stays in ATRs, so its price size is the ATR the evaluator has in force that day.
 *
 * @module
 */
import { number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { envelopeLevels } from "./envelope.ts";

/**
 * Options of the `gamma-regime` generator.
 *
 * @example The defaults
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { readOptions } from "../testing.ts";
 * import gammaRegime, { type GammaRegimeOptions } from "./gamma_regime.ts";
 *
 * const options = readOptions<GammaRegimeOptions>(gammaRegime, {});
 * assertEquals([options.damping, options.amplification, options.wallStickiness], [0.5, 1.5, 0.7]);
 * ```
 */
export interface GammaRegimeOptions {
  /**
   * Spot at step 0, price units: sets the first frame's X and Z. @default {the flip in force at
   * step 0}
   */
  readonly start: number | undefined;
  /**
   * Standard deviation of each step's shock before damping or amplification, ATR units: how
   * far X and Z move per step, and the realised HV (Y's denominator) of an `hv` window.
   * @default {0.3}
   */
  readonly noise: number;
  /**
   * Multiplier of the shock at or above the flip (long gamma), in (0, 1]: lower keeps X small
   * and Z near 1 above the flip. @default {0.5}
   */
  readonly damping: number;
  /**
   * Share of the distance to the flip closed each step at or above it, in [0, 1]: higher pulls
   * X back toward 0 and Z toward 1 faster. @default {0.1}
   */
  readonly pull: number;
  /**
   * Multiplier of the shock below the flip (short gamma), at least 1: higher makes X grow and Z
   * fall toward the put wall faster, and raises realised HV. @default {1.5}
   */
  readonly amplification: number;
  /**
   * Share of the previous step's move carried into the next below the flip, in [0, 1): higher
   * makes moves below the flip trend, so X keeps growing once it starts. @default {0.3}
   */
  readonly momentum: number;
  /**
   * Share of the steps that would cross a wall from inside that are reflected back inside, in
   * [0, 1]: higher keeps Z above 0 (fewer BREACH frames); 0 makes walls no barrier.
   * @default {0.7}
   */
  readonly wallStickiness: number;
}

/**
 * Spot conditioned on dealer gamma: damped and pulled to the flip above it, amplified and
 * trending below it, repelled by sticky walls.
 *
 * @example Above the flip with no noise, the gap to the flip shrinks by `pull` each step
 * ```ts
 * import { assertAlmostEquals } from "@std/assert";
 * import { runGenerator } from "../testing.ts";
 * import gammaRegime from "./gamma_regime.ts";
 *
 * const { spot } = await runGenerator(gammaRegime, { options: { start: 696.5, noise: 0, pull: 0.5 }, steps: 3 });
 * assertAlmostEquals(spot[2]!, 692.5 + 4 * 0.25);
 * ```
 */
const gammaRegime: GeneratorDefinition<GammaRegimeOptions> = defineGenerator({
  name: "gamma-regime",
  provides: ["spot"],
  options: {
    start: number({
      doc: "Spot at step 0, price units; defaults to the flip in force at step 0",
      optional: true,
    }),
    noise: number({
      doc: "Standard deviation of each step's shock before damping or amplification, ATR units",
      min: 0,
      default: 0.3,
    }),
    damping: number({
      doc: "Multiplier of the shock at or above the flip (long gamma), in (0, 1]",
      min: 0,
      minExclusive: true,
      max: 1,
      default: 0.5,
    }),
    pull: number({
      doc: "Share of the distance to the flip closed each step at or above it, in [0, 1]",
      min: 0,
      max: 1,
      default: 0.1,
    }),
    amplification: number({
      doc: "Multiplier of the shock below the flip (short gamma), at least 1",
      min: 1,
      default: 1.5,
    }),
    momentum: number({
      doc: "Share of the previous step's move carried into the next below the flip, in [0, 1)",
      min: 0,
      max: 1,
      maxExclusive: true,
      default: 0.3,
    }),
    wallStickiness: number({
      doc: "Share of the steps that would cross a wall from inside that are reflected back, [0, 1]",
      min: 0,
      max: 1,
      default: 0.7,
    }),
  },
  fromState: (options, state) => ({ ...options, start: state.spot }),
  start({ options, random, levels }) {
    const fixed = envelopeLevels(levels());
    const { noise, damping, pull, amplification, momentum, wallStickiness } = options;
    const calm = damping * noise, wild = amplification * noise;
    let last = NaN, lastMove = 0;
    return {
      fill({ spot, start, length, levels: moving }) {
        // Per-step levels when a generator moves them, else the evaluator's, read by index.
        const flips = moving?.flip, atrs = moving?.atr;
        const puts = moving?.putWall, calls = moving?.callWall;
        const f0 = fixed.flip, a0 = fixed.atr, p0 = fixed.putWall, c0 = fixed.callWall;
        // State in locals made numbers with `+`, so the loop allocates nothing per step.
        let s = +last, m = +lastMove;
        let i = 0;
        if (start === 0) {
          s = options.start ?? (flips ? flips[0]! : f0);
          spot[0] = s;
          i = 1;
        }
        for (; i < length; i++) {
          const e = random.normal();
          const u = random.next();
          const f = flips ? flips[i]! : f0;
          const a = atrs ? atrs[i]! : a0;
          let c = s >= f ? s - pull * (s - f) + calm * a * e : s + momentum * m + wild * a * e;
          const callWall = calls ? calls[i]! : c0, putWall = puts ? puts[i]! : p0;
          if (u < wallStickiness) {
            if (s <= callWall && c > callWall) c = 2 * callWall - c;
            else if (s >= putWall && c < putWall) c = 2 * putWall - c;
          }
          m = c - s;
          s = c;
          spot[i] = s;
        }
        last = s;
        lastMove = m;
      },
    };
  },
});
export default gammaRegime;
