/**
 * The `garch` spot path: GARCH(1,1) daily log returns with volatility clustering.
 *
 * Returns are in percent and variances in percent², the convention GARCH fits use (a fit's
 * `omega`, `alpha`, `beta` and `mu` paste in as they are). Recursion, with `e[t] ~ N(0, 1)`
 * from the generator's own stream, one draw a step from step 1:
 *
 * - `s[0] = start`, `h[1] = variance0`;
 * - for `t >= 1`: `r[t] = mu + sqrt(h[t]) * e[t]` and `s[t] = s[t-1] * exp(r[t] / 100)`,
 *   computed as `s[t-1] * exp(mu / 100 + sqrt(h[t]) * e[t] / 100)`;
 * - `h[t+1] = omega + alpha * (r[t] - mu)^2 + beta * h[t]`, computed as
 *   `omega + (alpha * e[t]^2 + beta) * h[t]`, algebraically the same (`(r[t] - mu)^2` is
 *   `h[t] * e[t]^2`).
 *
 * `h[t]` is the variance of the return into step `t`, known one step before. The `hv` channel is
 * that conditional volatility, annualised: `hv[t] = sqrt(h[t] * periodsPerYear) / 100`, computed
 * as `sqrt(h[t]) * (sqrt(periodsPerYear) / 100)` (step 0 shows `h[1]`, the variance of the first
 * return). With `ivMarkup`, the generator also fills `iv = ivMarkup * hv`, implied vol as the
 * model's volatility marked up by a variance risk premium, so the load factor is the constant
 * `ivMarkup`; without it, another generator (such as `vol-path`) supplies `iv`, and the load
 * factor moves as volatility clusters.
 *
 * `alpha + beta < 1` is required: the variance then reverts to `omega / (1 - alpha - beta)`,
 * the unconditional variance and the default `variance0`, so a run started there has that
 * expected variance at every step. `fromState` restarts the model from a real day: spot at the
 * day's close and `variance0` from the day's realised HV, `(100 * hv)^2 / periodsPerYear`, so
 * the run's `hv` starts at the day's HV.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import { number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { startPathBlock } from "./_path.ts";
import { envelopeLevels } from "./envelope.ts";

/** Options of the `garch` generator; returns in percent, variances in percent². */
export interface GarchOptions {
  /** Spot at step 0, price units. @default {the flip} */
  readonly start: number | undefined;
  /** Mean daily log return, percent (0.05 is 0.05% a step). @default {0} */
  readonly mu: number;
  /** Constant term of the variance recursion, percent², > 0. Required. */
  readonly omega: number;
  /** Weight of the last squared shock in the variance, >= 0 (ARCH term). Required. */
  readonly alpha: number;
  /** Weight of the last variance in the next, >= 0 (GARCH term); `alpha + beta < 1`. Required. */
  readonly beta: number;
  /** Variance of the first return, `h[1]`, percent², > 0. @default {omega / (1 - alpha - beta)} */
  readonly variance0: number | undefined;
  /** Steps per year, to annualise the conditional volatility. @default {252} */
  readonly periodsPerYear: number;
  /** IV as this multiple of the annualised conditional volatility, > 0; no IV when absent. */
  readonly ivMarkup: number | undefined;
}

const positive = { min: 0, minExclusive: true } as const;

/**
 * A GARCH(1,1) spot path and its conditional volatility.
 *
 * @example Volatility stays at the unconditional level on average
 * ```ts
 * import { assert } from "@std/assert";
 * import { runGenerator } from "../testing.ts";
 * import garch from "./garch.ts";
 *
 * const options = { start: 100, omega: 0.02, alpha: 0.1, beta: 0.88 };
 * const { spot, hv } = await runGenerator(garch, { options, steps: 1000 });
 * assert(spot[0] === 100 && Math.abs(hv[0]! - Math.sqrt(252) / 100) < 1e-12);
 * assert(hv.every((v) => v >= Math.sqrt(0.02 * 252) / 100));
 * ```
 */
const garch: GeneratorDefinition<GarchOptions> = defineGenerator({
  name: "garch",
  provides: ["spot", "iv", "hv"],
  options: {
    start: number({ doc: "Spot at step 0, price units; defaults to the flip", optional: true }),
    mu: number({ doc: "Mean daily log return, percent (0.05 is 0.05% a step)", default: 0 }),
    omega: number({ doc: "Constant term of the variance recursion, percent^2", ...positive }),
    alpha: number({ doc: "Weight of the last squared shock in the next variance", min: 0 }),
    beta: number({
      doc: "Weight of the last variance in the next; alpha + beta must be below 1",
      min: 0,
    }),
    variance0: number({
      doc: "Variance of the first return, percent^2; defaults to omega / (1 - alpha - beta)",
      ...positive,
      optional: true,
    }),
    periodsPerYear: number({
      doc: "Steps per year, to annualise the conditional volatility (252 for daily steps)",
      ...positive,
      default: 252,
    }),
    ivMarkup: number({
      doc: "IV as this multiple of the annualised conditional volatility; no IV when absent",
      ...positive,
      optional: true,
    }),
  },
  channels: ({ ivMarkup }) => ivMarkup === undefined ? ["spot", "hv"] : ["spot", "iv", "hv"],
  check({ alpha, beta }, report) {
    if (alpha !== undefined && beta !== undefined && !(alpha + beta < 1)) {
      report(
        "beta",
        `expected alpha + beta < 1 for a variance that reverts, got ${alpha} + ${beta} = ${
          alpha + beta
        }`,
      );
    }
  },
  fromState(options, state) {
    if (!(state.hv > 0 && Number.isFinite(state.hv))) {
      throw new ScenarioError(
        `garch cannot start from ${state.date}: its HV is ${state.hv}, expected a number > 0`,
      );
    }
    const variance0 = (100 * state.hv) ** 2 / options.periodsPerYear;
    return { ...options, start: state.spot, variance0 };
  },
  start({ options, random, levels }) {
    const { omega, alpha, beta, ivMarkup } = options;
    const drift = options.mu / 100, annualise = Math.sqrt(options.periodsPerYear) / 100;
    const withIv = ivMarkup !== undefined;
    const markup = ivMarkup ?? 1;
    let last = options.start ?? envelopeLevels(levels()).flip;
    let variance = options.variance0 ?? omega / (1 - alpha - beta);
    return {
      fill({ spot, iv, hv, start, length }) {
        const from = startPathBlock(random, spot, { start, length }, last);
        // State in locals made numbers with `+`, so the loop allocates nothing per step.
        let s = +last, h = +variance;
        if (from === 1) {
          hv[0] = Math.sqrt(h) * annualise;
          if (withIv) iv[0] = markup * hv[0];
        }
        for (let i = from; i < length; i++) {
          const e = spot[i]!, root = Math.sqrt(h);
          s *= Math.exp(drift + root * e / 100);
          spot[i] = s;
          const vol = root * annualise;
          hv[i] = vol;
          if (withIv) iv[i] = markup * vol;
          // (r - mu)^2 = h e^2: the variance's own chain has no square root in it.
          h = omega + (alpha * e * e + beta) * h;
        }
        last = s;
        variance = h;
      },
    };
  },
});
export default garch;
