/**
 * The `heston` spot and IV paths: Heston stochastic volatility, spot and variance correlated.
 *
 * The model: `d ln S = mu dt + sqrt(v) dW1`, `dv = kappa (theta - v) dt + xi sqrt(v) dW2`,
 * `corr(dW1, dW2) = rho`, time in years (`mu` is the drift of log spot, so with `mu = 0` log
 * spot has no drift). Discretised with full-truncation Euler (Lord, Koekkoek and van Dijk, 2010),
 * `dt = 1 / periodsPerYear`, two normals a step from step 1, `z1` then `z2`, from the
 * generator's own stream:
 *
 * - `s[0] = start`, `v[0] = v0`;
 * - for `t >= 1`, with `p = max(v[t-1], 0)` and `w = rho * z1 + sqrt(1 - rho^2) * z2`:
 *   `s[t] = s[t-1] * exp(mu * dt + sqrt(p * dt) * z1)` and
 *   `v[t] = v[t-1] + kappa * (theta - p) * dt + xi * sqrt(p * dt) * w`;
 * - `iv[t] = max(sqrt(max(v[t], 0)), floor)`: the model's volatility, annualised.
 *
 * Why full truncation: the scheme's `v` may dip below 0, but only its positive part `p` enters
 * the drift, the diffusion and spot, so the variance used is never negative; of the Euler fixes
 * it has the smallest bias, and at daily steps the bias is small. It needs one correlated pair of
 * normals a step and no branch, so each step's increments of log spot and variance are
 * correlated by exactly `rho` given `v`, the leverage a user reads off the path. Andersen's QE
 * scheme is more accurate at coarse steps (a week and longer) but needs a uniform and a branch a
 * step and ties log spot to its variance integral. When `2 kappa theta < xi^2` (the Feller
 * condition fails) the variance reaches 0 often; the scenario still runs, with a warning printed
 * in its summary, and IV sits at `floor` while the variance is 0.
 *
 * `fromState` restarts the model from a real day: spot at the day's close and `v0` at the day's
 * IV squared, so the run's `iv` starts at the day's IV. Pair it with a realised `hv`
 * (`{ "use": "hv", "window": 20, "initial": ... }`) to fly the model's IV against its own
 * realised volatility.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import { number } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { envelopeLevels } from "./envelope.ts";

/** Options of the `heston` generator; variances and rates are annualised. */
export interface HestonOptions {
  /** Spot at step 0, price units. @default {the flip} */
  readonly start: number | undefined;
  /** Drift of log spot, per year (0.05 is 5% a year). @default {0} */
  readonly mu: number;
  /** Variance at step 0, annualised (0.04 is 20% volatility), >= 0. @default {theta} */
  readonly v0: number | undefined;
  /** Speed of mean reversion of the variance, per year, > 0. Required. */
  readonly kappa: number;
  /** Long-run variance, annualised, > 0. Required. */
  readonly theta: number;
  /** Volatility of the variance (vol of vol), per square root of a year, > 0. Required. */
  readonly xi: number;
  /** Correlation of spot and variance shocks, in [-1, 1]. @default {-0.7} */
  readonly rho: number;
  /** Steps per year: the step is `1 / periodsPerYear` years. @default {252} */
  readonly periodsPerYear: number;
  /** Smallest IV reported while the variance is near 0, annualised. @default {0.01} */
  readonly floor: number;
}

const positive = { min: 0, minExclusive: true } as const;

/**
 * A Heston spot path with its volatility as IV.
 *
 * @example IV starts at the square root of v0
 * ```ts
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * import { runGenerator } from "../testing.ts";
 * import heston from "./heston.ts";
 *
 * const options = { start: 100, v0: 0.0225, kappa: 3, theta: 0.04, xi: 0.45 };
 * const { spot, iv } = await runGenerator(heston, { options, steps: 10 });
 * assertEquals(spot[0], 100);
 * assertAlmostEquals(iv[0]!, 0.15, 1e-12);
 * ```
 */
const heston: GeneratorDefinition<HestonOptions> = defineGenerator({
  name: "heston",
  provides: ["spot", "iv"],
  options: {
    start: number({ doc: "Spot at step 0, price units; defaults to the flip", optional: true }),
    mu: number({ doc: "Drift of log spot, per year (0.05 is 5% a year)", default: 0 }),
    v0: number({
      doc: "Variance at step 0, annualised (0.04 is 20% volatility); defaults to theta",
      min: 0,
      optional: true,
    }),
    kappa: number({ doc: "Speed of mean reversion of the variance, per year", ...positive }),
    theta: number({ doc: "Long-run variance, annualised (0.04 is 20% volatility)", ...positive }),
    xi: number({ doc: "Volatility of the variance (vol of vol), per sqrt(year)", ...positive }),
    rho: number({ doc: "Correlation of spot and variance shocks", min: -1, max: 1, default: -0.7 }),
    periodsPerYear: number({
      doc: "Steps per year: each step is 1 / periodsPerYear years (252 for daily steps)",
      ...positive,
      default: 252,
    }),
    floor: number({
      doc: "Smallest IV reported while the variance is near 0, annualised",
      ...positive,
      default: 0.01,
    }),
  },
  check({ kappa, theta, xi }, _report, { warn }) {
    if (kappa === undefined || theta === undefined || xi === undefined) return;
    if (2 * kappa * theta < xi * xi) {
      warn?.(
        "xi",
        `the Feller condition 2 kappa theta >= xi^2 fails (${2 * kappa * theta} < ${
          xi * xi
        }): the variance reaches 0 often, and IV then sits at its floor`,
      );
    }
  },
  fromState(options, state) {
    if (!(state.iv > 0 && Number.isFinite(state.iv))) {
      throw new ScenarioError(
        `heston cannot start from ${state.date}: its IV is ${state.iv}, expected a number > 0`,
      );
    }
    return { ...options, start: state.spot, v0: state.iv * state.iv };
  },
  start({ options, random, levels }) {
    const { mu, kappa, theta, xi, rho, floor } = options;
    const dt = 1 / options.periodsPerYear;
    const muDt = mu * dt, rhoBar = Math.sqrt(1 - rho * rho);
    let last = options.start ?? envelopeLevels(levels()).flip;
    let variance = options.v0 ?? theta;
    // The block's normals, drawn two a step in step order: the same draws whatever the blocks.
    let normals = new Float64Array(0);
    return {
      fill({ spot, iv, start, length }) {
        const from = start === 0 ? 1 : 0;
        const count = 2 * (length - from);
        if (normals.length < count) normals = new Float64Array(count);
        random.fillNormal(normals, 0, count);
        const z = normals;
        // State in locals made numbers with `+`, so the loop allocates nothing per step.
        let s = +last, v = +variance;
        if (from === 1) {
          spot[0] = s;
          iv[0] = Math.max(Math.sqrt(Math.max(v, 0)), floor);
        }
        for (let i = from, k = 0; i < length; i++, k += 2) {
          const z1 = z[k]!;
          const p = Math.max(v, 0);
          const sd = Math.sqrt(p * dt);
          s *= Math.exp(muDt + sd * z1);
          v += kappa * (theta - p) * dt + xi * sd * (rho * z1 + rhoBar * z[k + 1]!);
          spot[i] = s;
          iv[i] = Math.max(Math.sqrt(Math.max(v, 0)), floor);
        }
        last = s;
        variance = v;
      },
    };
  },
});
export default heston;
