/**
 * The `jumps` spot path: Merton jump-diffusion in log spot, for gaps through a wall.
 *
 * Recursion, with `dt = 1 / periodsPerYear` years and `lam = lambda * dt` jumps expected a step;
 * from step 1 each step draws, from the generator's own stream and in this order, a normal `z`,
 * a uniform `u`, and, when the step jumps, a normal `zj`:
 *
 * - `s[0] = start`;
 * - `k[t]`, the step's number of jumps, is Poisson(`lam`) by inversion of `u`: the smallest `k`
 *   with `u < P(K <= k)`, the probabilities summed from `exp(-lam)` by `p[k] = p[k-1] * lam / k`;
 * - `J[t] = k * jumpMean + jumpSd * sqrt(k) * zj` when `k > 0` (the sum of `k` normal log jump
 *   sizes, drawn as one normal), else 0;
 * - `s[t] = s[t-1] * exp(mu * dt + sigma * sqrt(dt) * z + J[t])`.
 *
 * `mu` is the drift of log spot (no Itô or jump compensator is subtracted), so a step's mean log
 * return is `(mu + lambda * jumpMean) * dt` and its variance
 * `(sigma^2 + lambda * (jumpMean^2 + jumpSd^2)) * dt`. A jump of `jumpMean = -0.03` moves spot
 * about 3% in one step: 20 points at 694, through a put wall 12 points below the flip, with no
 * approach for the envelope to see (a BREACH that a diffusion would have reached ATR by ATR).
 *
 * With the other generators: this one supplies `spot` only. Channels fill in the order time,
 * levels, spot, iv, hv, so a spot generator runs first and cannot read `iv`: IV does not jump
 * with spot. Let `vol-path` supply IV (its `shockAt` can put an IV spike at a chosen step) and
 * `hv` with a `window` realise HV from this spot, which then carries each jump for `window`
 * steps; unless IV rises with it, the load factor IV / HV falls after a gap (STALL).
 *
 * `fromState` restarts the path at a real day's close and changes nothing else: the model has no
 * variance state, and `sigma`, `lambda` and the jump sizes are its parameters (a fit's), which a
 * day's HV, itself holding the jumps, would count twice.
 *
 * @module
 */
import { number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { envelopeLevels } from "./envelope.ts";

/** Options of the `jumps` generator; rates and volatilities are annualised. */
export interface JumpsOptions {
  /** Spot at step 0, price units. @default {the flip} */
  readonly start: number | undefined;
  /** Drift of log spot, per year (0.05 is 5% a year). @default {0} */
  readonly mu: number;
  /** Volatility of the diffusion, annualised fraction (0.15 is 15%), > 0. Required. */
  readonly sigma: number;
  /** Expected number of jumps per year, >= 0, at most `10 * periodsPerYear`. Required. */
  readonly lambda: number;
  /** Mean log jump size, a fraction: -0.05 is a gap of about 5% down. @default {0} */
  readonly jumpMean: number;
  /** Standard deviation of the log jump size, a fraction, >= 0. @default {0.05} */
  readonly jumpSd: number;
  /** Steps per year: each step is `1 / periodsPerYear` years. @default {252} */
  readonly periodsPerYear: number;
}

/** Most jumps a step may expect: more is a diffusion, and the inversion would lose accuracy. */
const MAX_JUMPS_PER_STEP = 10;

/**
 * A jump-diffusion spot path.
 *
 * @example Without jumps it is a geometric random walk
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { runGenerator } from "../testing.ts";
 * import jumps from "./jumps.ts";
 *
 * const { spot } = await runGenerator(jumps, { options: { start: 694, sigma: 0.15, lambda: 0 } });
 * assertEquals(spot[0], 694);
 * assertEquals(spot.every((s) => s > 0), true);
 * ```
 */
const jumps: GeneratorDefinition<JumpsOptions> = defineGenerator({
  name: "jumps",
  provides: ["spot"],
  options: {
    start: number({ doc: "Spot at step 0, price units; defaults to the flip", optional: true }),
    mu: number({ doc: "Drift of log spot, per year (0.05 is 5% a year)", default: 0 }),
    sigma: number({
      doc: "Volatility of the diffusion, annualised fraction (0.15 is 15%)",
      min: 0,
      minExclusive: true,
    }),
    lambda: number({ doc: "Expected number of jumps per year", min: 0 }),
    jumpMean: number({
      doc: "Mean log jump size, a fraction: -0.05 is a gap of about 5% down",
      default: 0,
    }),
    jumpSd: number({
      doc: "Standard deviation of the log jump size, a fraction",
      min: 0,
      default: 0.05,
    }),
    periodsPerYear: number({
      doc: "Steps per year: each step is 1 / periodsPerYear years (252 for daily steps)",
      min: 0,
      minExclusive: true,
      default: 252,
    }),
  },
  check({ lambda, periodsPerYear }, report) {
    if (lambda === undefined || periodsPerYear === undefined) return;
    if (lambda / periodsPerYear > MAX_JUMPS_PER_STEP) {
      report(
        "lambda",
        `expected at most ${MAX_JUMPS_PER_STEP} jumps a step on average (lambda / periodsPerYear), got ${
          lambda / periodsPerYear
        }; a path jumping this often is a diffusion: raise sigma instead`,
      );
    }
  },
  fromState: (options, state) => ({ ...options, start: state.spot }),
  start({ options, random, levels }) {
    const { jumpMean, jumpSd } = options;
    const dt = 1 / options.periodsPerYear;
    const muDt = options.mu * dt, sd = options.sigma * Math.sqrt(dt);
    const lam = options.lambda * dt, none = Math.exp(-lam);
    let last = options.start ?? envelopeLevels(levels()).flip;
    return {
      fill({ spot, start, length }) {
        const from = start === 0 ? 1 : 0;
        // State in a local made a number with `+`, so the loop allocates nothing per step.
        let s = +last;
        if (from === 1) spot[0] = s;
        for (let i = from; i < length; i++) {
          let x = muDt + sd * random.normal();
          const u = random.next();
          if (u >= none) {
            // Poisson by inversion; p reaching 0 ends the sum however close u is to 1.
            let k = 1, p = none * lam, below = none + p;
            while (u >= below && p > 0) {
              k += 1;
              p *= lam / k;
              below += p;
            }
            x += k * jumpMean + jumpSd * Math.sqrt(k) * random.normal();
          }
          s *= Math.exp(x);
          spot[i] = s;
        }
        last = s;
      },
    };
  },
});
export default jumps;
