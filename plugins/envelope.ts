/**
 * The flight envelope evaluator (SPEC §1): maps `(spot, iv, hv)` to structural airspeed X,
 * load factor Y and wall proximity Z, then to a regime and flags.
 *
 * ```jsonc
 * "evaluator": { "use": "envelope", "atr": 2.8, "flip": 692.5, "putWall": 680, "callWall": 700 }
 * "evaluator": { "use": "envelope", "atr": 62.99, "chain": "spx_quotedata.csv" }
 * ```
 *
 * @module
 */
import { DEFAULT_SEVERITY, type SeverityBands, type SeverityThresholds } from "../core/events.ts";
import { BREACH, type EvaluationBlock, OVERSPEED, type SampleBlock, STALL } from "../core/frame.ts";
import {
  choice,
  type Field,
  type Fields,
  group,
  integer,
  number,
  type OptionsOf,
  string,
} from "../core/options.ts";
import { defineEvaluator, type EvaluatorDefinition, type Levels } from "../core/plugin.ts";
import type * as ChainLevels from "./_chain_levels.ts";

/** The module that reads a chain's levels, by a specifier bundlers do not follow. */
const CHAIN_LEVELS = "./_chain_levels.ts";
/** `all`, `exclude-nearest` or `next:N`, the forms the `expiries` option takes. */
const EXPIRIES = /^(all|exclude-nearest|next:[1-9]\d*)$/;

/** Regime and flag thresholds of the flight envelope (SPEC §1). */
export interface Thresholds {
  /** TAXI below this X. */
  readonly taxiX: number;
  /** MANEUVER at or above this X. */
  readonly maneuverX: number;
  /** MANEUVER at or above this Y. */
  readonly maneuverY: number;
  /** RUPTURE above this X. */
  readonly ruptureX: number;
  /** RUPTURE above this Y. */
  readonly ruptureY: number;
  /** OVERSPEED above this X. */
  readonly overspeedX: number;
  /** STALL below this Y. */
  readonly stallY: number;
}

/**
 * The envelope's hysteresis (SPEC §1), a band per axis in the axis's units: a regime or flag is
 * entered at its threshold and left only once the value is back past the threshold by the band.
 */
export interface Hysteresis {
  /** Band on X, ATR units: MANEUVER, RUPTURE and OVERSPEED are held down to their X less it, TAXI up to `taxiX` plus it. */
  readonly x: number;
  /** Band on Y: MANEUVER and RUPTURE are held down to their Y less it, STALL up to `stallY` plus it. */
  readonly y: number;
  /** Band on Z: BREACH is held until Z is back up to it. */
  readonly z: number;
}

/** The dealer-gamma levels and thresholds an evaluator publishes for the other plugins. */
export interface EnvelopeLevels {
  /** Average true range, price units. */
  readonly atr: number;
  /** Gamma flip level. */
  readonly flip: number;
  /** Put wall (support). */
  readonly putWall: number;
  /** Call wall (resistance). */
  readonly callWall: number;
  /** Load factor that counts as 1 g. */
  readonly riskProxyBase: number;
  /** Regime and flag thresholds. */
  readonly thresholds: Thresholds;
  /** Severity bands of the flags' episodes, when the scenario sets them (else the defaults). */
  readonly severity?: SeverityThresholds;
  /** The hysteresis bands, when the scenario sets them (else none). */
  readonly hysteresis?: Hysteresis;
}

const LEVEL_NAMES = ["atr", "flip", "putWall", "callWall", "riskProxyBase"] as const;

/**
 * Whether an evaluator's published levels are the envelope's: finite `atr`, `flip`, `putWall`,
 * `callWall` and `riskProxyBase`, and a `thresholds` object.
 *
 * @param levels What an evaluator published, if anything.
 * @returns Whether they are {@linkcode EnvelopeLevels}.
 *
 * @example Levels of another evaluator are not the envelope's
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { isEnvelopeLevels } from "./envelope.ts";
 *
 * assertEquals(isEnvelopeLevels({ strike: 4000 }), false);
 * ```
 */
export function isEnvelopeLevels(levels: Levels | undefined): levels is EnvelopeLevels {
  const named = levels as Record<string, unknown> | undefined;
  return typeof named === "object" && named !== null &&
    LEVEL_NAMES.every((name) => Number.isFinite(named[name])) &&
    typeof named.thresholds === "object" && named.thresholds !== null;
}

/**
 * The envelope's levels, for a generator that moves relative to the flip, the walls and the ATR.
 *
 * @param levels What the scenario's evaluator published: the generator context's `levels()`.
 * @returns The same levels, typed.
 * @throws Error when they are not the envelope's, naming what is missing.
 *
 * @example A path that starts one ATR above the flip
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_THRESHOLDS, envelopeLevels } from "./envelope.ts";
 *
 * const { atr, flip } = envelopeLevels({ atr: 2.8, flip: 692.5, putWall: 680, callWall: 700, riskProxyBase: 1, thresholds: DEFAULT_THRESHOLDS });
 * assertEquals(flip + atr, 695.3);
 * ```
 */
export function envelopeLevels(levels: Levels): EnvelopeLevels {
  if (isEnvelopeLevels(levels)) return levels;
  const named = levels as Record<string, unknown>;
  const missing = LEVEL_NAMES.filter((name) => !Number.isFinite(named[name]));
  throw new Error(
    `needs the envelope's levels, but the evaluator publishes no ${
      missing.length ? missing.join(", ") : "thresholds"
    }`,
  );
}

const positive = { min: 0, minExclusive: true } as const;

/** A group that reads as `undefined` when absent, so that "not set" stays apart from defaults. */
function optionalGroup<F extends Fields>(
  fields: F,
  spec: { doc: string },
): Field<OptionsOf<F> | undefined> {
  const inner = group(fields, spec);
  return {
    ...inner,
    read: (value, path, issues) =>
      value === undefined ? undefined : inner.read(value, path, issues),
  };
}

/** The fields of one flag's severity bands, defaulting to `bands`. */
function bandFields(what: string, unit: string, bands: SeverityBands) {
  const limit = (band: "medium" | "high") =>
    group({
      depth: number({
        doc: `${what}: ${band} from this depth, ${unit}`,
        ...positive,
        default: bands[band].depth,
      }),
      duration: integer({
        doc: `${what}: ${band} from this many frames`,
        min: 1,
        default: bands[band].duration,
      }),
    }, { doc: `${what}: where the ${band} band starts, by depth or by duration` });
  return group({ medium: limit("medium"), high: limit("high") }, {
    doc: `${what}: severity bands; an episode is low below both medium limits`,
  });
}

/** Default regime and flag thresholds (SPEC §1). */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  taxiX: 0.3,
  maneuverX: 2.5,
  maneuverY: 1.5,
  ruptureX: 4.5,
  ruptureY: 2.5,
  overspeedX: 3.5,
  stallY: 0.8,
});

const t = DEFAULT_THRESHOLDS;

/** The result of evaluating one state. */
export interface EnvelopeState {
  /** Structural airspeed `|spot - flip| / atr`. */
  x: number;
  /** Load factor `(iv / hv) / riskProxyBase`. */
  y: number;
  /** Wall proximity: 1 at the flip, 0 at the wall on the spot's side. */
  z: number;
  /** Regime code: an index into `REGIMES`. */
  regime: number;
  /** Flag mask: BREACH 1, OVERSPEED 2, STALL 4. */
  flags: number;
}

/**
 * Evaluates one state against the envelope (SPEC §1).
 *
 * @param levels The envelope's levels and thresholds.
 * @param sample Spot, IV and HV of the state.
 * @returns X, Y, Z, the regime code and the flag mask.
 *
 * @example The SPEC check values
 * ```ts
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * import { DEFAULT_THRESHOLDS, evaluateState } from "./envelope.ts";
 * import { flagsOf, REGIMES } from "../core/frame.ts";
 *
 * const levels = { atr: 2.8, flip: 692.5, putWall: 680, callWall: 700, riskProxyBase: 1, thresholds: DEFAULT_THRESHOLDS };
 * const state = evaluateState(levels, { spot: 694, iv: 0.15, hv: 0.12 });
 * assertAlmostEquals(state.x, 0.5357142857142857);
 * assertAlmostEquals(state.y, 1.25);
 * assertAlmostEquals(state.z, 0.8);
 * assertEquals(REGIMES[state.regime], "CRUISE");
 * assertEquals(flagsOf(state.flags), []);
 * ```
 */
export function evaluateState(
  levels: EnvelopeLevels,
  sample: { spot: number; iv: number; hv: number },
): EnvelopeState {
  const { atr, flip, riskProxyBase, thresholds: th } = levels;
  const { spot } = sample;
  const x = Math.abs(spot - flip) / atr;
  const y = sample.iv / sample.hv / riskProxyBase;
  const { slope, offset, span } = wallLines(levels);
  const k = +(spot >= flip);
  const z = (slope[k]! * spot + offset[k]!) / span[k]!;
  return { x, y, z, regime: regimeOf(x, y, th), flags: flagMask(x, y, z, th) };
}

// The rules below have no branches: a path hovering at a threshold would mispredict them.

/**
 * The regime code of a state (SPEC §1): the first match of RUPTURE (3), MANEUVER (2), TAXI (0)
 * and CRUISE (1), found as the largest code whose rule holds.
 *
 * @param x Structural airspeed.
 * @param y Load factor.
 * @param th The thresholds.
 * @returns The regime code, an index into `REGIMES`.
 *
 * @example RUPTURE beats everything
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_THRESHOLDS, regimeOf } from "./envelope.ts";
 *
 * assertEquals([regimeOf(0.1, 1, DEFAULT_THRESHOLDS), regimeOf(0.1, 3, DEFAULT_THRESHOLDS)], [0, 3]);
 * ```
 */
export function regimeOf(x: number, y: number, th: Thresholds): number {
  const rupture = +(x > th.ruptureX) | +(y > th.ruptureY);
  const maneuver = +(x >= th.maneuverX) | +(y >= th.maneuverY);
  return Math.max(3 * rupture, 2 * maneuver, 1 - +(x < th.taxiX));
}

/**
 * The flag mask of a state (SPEC §1): BREACH, OVERSPEED and STALL bits.
 *
 * @param x Structural airspeed.
 * @param y Load factor.
 * @param z Wall proximity.
 * @param th The thresholds.
 * @returns The flag mask: BREACH 1, OVERSPEED 2, STALL 4.
 *
 * @example Beyond the wall, fast and stalled
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_THRESHOLDS, flagMask } from "./envelope.ts";
 *
 * assertEquals(flagMask(4, 0.5, -0.1, DEFAULT_THRESHOLDS), 7);
 * ```
 */
export function flagMask(x: number, y: number, z: number, th: Thresholds): number {
  return (+(z < 0) * BREACH) | (+(x > th.overspeedX) * OVERSPEED) | (+(y < th.stallY) * STALL);
}

/**
 * Wall proximity (SPEC §1) as one line per side of the flip, indexed by `+(spot >= flip)`:
 * `z = (slope[k] * spot + offset[k]) / span[k]`, which is `(spot - putWall) / (flip - putWall)`
 * below the flip and `(callWall - spot) / (callWall - flip)` at or above it, bit for bit
 * (multiplying by ±1 is exact, and `a + -b` is `a - b`).
 */
function wallLines(levels: EnvelopeLevels): WallLines {
  const { flip, putWall, callWall } = levels;
  return {
    slope: Float64Array.of(1, -1),
    offset: Float64Array.of(-putWall, callWall),
    span: Float64Array.of(flip - putWall, callWall - flip),
  };
}

interface WallLines {
  slope: Float64Array;
  offset: Float64Array;
  span: Float64Array;
}

/**
 * The frozen levels and the wall lines of an options object: every run of a batch starts the
 * evaluator with the same options, and making them each time cost 1.5% of a batch.
 */
const prepared = new WeakMap<EnvelopeOptions, { levels: EnvelopeLevels; lines: WallLines }>();

/**
 * Options of the `envelope` evaluator (SPEC §1): the levels it publishes, in price units,
 * typed or taken from an option chain (SPEC §6). `riskProxyBase` defaults to 1 and
 * `thresholds` to {@linkcode DEFAULT_THRESHOLDS}.
 */
export interface EnvelopeOptions {
  /** Average true range, price units. */
  readonly atr: number;
  /** Gamma flip level, unless `chain` gives it. */
  readonly flip: number | undefined;
  /** Put wall, unless `chain` gives it. */
  readonly putWall: number | undefined;
  /** Call wall, unless `chain` gives it. */
  readonly callWall: number | undefined;
  /** Load factor that counts as 1 g. */
  readonly riskProxyBase: number;
  /** Regime and flag thresholds. */
  readonly thresholds: Thresholds;
  /** A Cboe option chain (relative to the scenario's folder) giving the flip and walls. */
  readonly chain: string | undefined;
  /** With `chain`: which strikes the walls may sit on. @default {"flip"} */
  readonly restriction: "flip" | "spot" | "none";
  /** With `chain`: the expiries of the flip's profile. @default {"all"} */
  readonly expiries: string;
  /** With `chain`: the dealer convention. @default {"long-calls-short-puts"} */
  readonly dealer: "long-calls-short-puts" | "short-calls-long-puts";
  /** Severity bands of the flags' episodes. @default {DEFAULT_SEVERITY} */
  readonly severity: SeverityThresholds | undefined;
  /** Hysteresis bands per axis; without it, regimes and flags follow SPEC §1 per sample. */
  readonly hysteresis: Hysteresis | undefined;
}

/** The flight envelope: dealer-gamma levels and the thresholds of its regimes and flags. */
const envelope: EvaluatorDefinition<EnvelopeOptions> = defineEvaluator({
  name: "envelope",
  dataFiles: ["chain"],
  movingLevels: ["atr", "flip", "putWall", "callWall"],
  options: {
    atr: number({ doc: "Average true range, price units", ...positive }),
    flip: number({
      doc: "Gamma flip level, price units; putWall < flip < callWall (or from chain)",
      optional: true,
    }),
    putWall: number({ doc: "Put wall (support), price units (or from chain)", optional: true }),
    callWall: number({
      doc: "Call wall (resistance), price units (or from chain)",
      optional: true,
    }),
    riskProxyBase: number({
      doc: "Load factor (IV / HV) that counts as 1 g",
      ...positive,
      default: 1,
    }),
    thresholds: group({
      taxiX: number({ doc: "TAXI below this X", ...positive, default: t.taxiX }),
      maneuverX: number({ doc: "MANEUVER at or above this X", ...positive, default: t.maneuverX }),
      maneuverY: number({ doc: "MANEUVER at or above this Y", ...positive, default: t.maneuverY }),
      ruptureX: number({ doc: "RUPTURE above this X", ...positive, default: t.ruptureX }),
      ruptureY: number({ doc: "RUPTURE above this Y", ...positive, default: t.ruptureY }),
      overspeedX: number({ doc: "OVERSPEED above this X", ...positive, default: t.overspeedX }),
      stallY: number({ doc: "STALL below this Y", ...positive, default: t.stallY }),
    }, { doc: "Regime and flag thresholds; each defaults to the SPEC value" }),
    chain: string({
      doc: "Cboe option chain CSV giving the flip and walls (SPEC §6), instead of typing them",
      optional: true,
    }),
    restriction: choice(["flip", "spot", "none"], {
      doc: "With chain: walls beyond the flip, at or beyond spot, or anywhere",
      default: "flip",
    }),
    expiries: string({
      doc: "With chain: expiries of the flip's profile, all, exclude-nearest or next:N",
      pattern: EXPIRIES,
      default: "all",
    }),
    dealer: choice(["long-calls-short-puts", "short-calls-long-puts"], {
      doc: "With chain: the dealer convention",
      default: "long-calls-short-puts",
    }),
    severity: optionalGroup({
      breach: bandFields(
        "BREACH",
        "Z beyond the wall (flip-to-wall spans)",
        DEFAULT_SEVERITY.breach,
      ),
      overspeed: bandFields("OVERSPEED", "X past overspeedX (ATR)", DEFAULT_SEVERITY.overspeed),
      stall: bandFields("STALL", "Y under stallY", DEFAULT_SEVERITY.stall),
    }, {
      doc:
        "Severity bands of BREACH, OVERSPEED and STALL episodes; each defaults to DEFAULT_SEVERITY",
    }),
    hysteresis: optionalGroup({
      x: number({ doc: "Band on X, ATR units", min: 0, default: 0 }),
      y: number({ doc: "Band on Y, load factor units", min: 0, default: 0 }),
      z: number({
        doc: "Band on Z: BREACH is left at Z >= this",
        min: 0,
        max: 1,
        maxExclusive: true,
        default: 0,
      }),
    }, {
      doc:
        "Hysteresis: regimes and flags are left only once back past their threshold by this band; off when absent",
    }),
  },
  check(options, report) {
    for (const kind of ["breach", "overspeed", "stall"] as const) {
      const bands = options.severity?.[kind];
      if (!bands?.medium || !bands.high) continue;
      for (const limit of ["depth", "duration"] as const) {
        const medium = bands.medium[limit], high = bands.high[limit];
        if (medium !== undefined && high !== undefined && high < medium) {
          report(
            `severity.${kind}.high.${limit}`,
            `expected a ${limit} at or above the medium band's (${medium}), got ${high}`,
          );
        }
      }
    }
    const typed = (["flip", "putWall", "callWall"] as const).filter((k) =>
      options[k] !== undefined
    );
    if (options.chain !== undefined) {
      if (typed.length > 0) {
        report("chain", `give a chain or typed levels, not both (${typed.join(", ")} typed)`);
      }
      return;
    }
    for (const key of ["flip", "putWall", "callWall"] as const) {
      if (options[key] === undefined) {
        report(key, `expected a number, or a "chain" to take it from`);
      }
    }
    if (typed.length < 3) return;
    if (!(options.putWall! < options.flip!)) {
      report(
        "putWall",
        `expected a put wall below the flip (${options.flip}), got ${options.putWall}`,
      );
    }
    if (!(options.flip! < options.callWall!)) {
      report(
        "callWall",
        `expected a call wall above the flip (${options.flip}), got ${options.callWall}`,
      );
    }
  },
  // The chain is read once, on the main thread; its module loads only for a scenario that
  // names one (a specifier of its own, so that neither the viewer's bundle nor a batch
  // worker loads it).
  async prepare(options, { file }) {
    if (options.chain === undefined) return options;
    const module: typeof ChainLevels = await import(import.meta.resolve(CHAIN_LEVELS));
    return { ...options, ...module.chainWalls(file, options as ChainLevels.ChainChoice) };
  },
  start({ options }) {
    let ready = prepared.get(options);
    if (!ready) {
      const { atr, flip, putWall, callWall, riskProxyBase, thresholds, severity, hysteresis } =
        options as EnvelopeOptions & EnvelopeLevels;
      // Severity and hysteresis are published only when set: without them, meta files are as before.
      const levels: EnvelopeLevels = Object.freeze({
        atr,
        flip,
        putWall,
        callWall,
        riskProxyBase,
        thresholds,
        ...(severity ? { severity } : {}),
        ...(hysteresis ? { hysteresis } : {}),
      });
      prepared.set(options, ready = { levels, lines: wallLines(levels) });
    }
    const { levels, lines: { slope, offset, span } } = ready;
    const { atr, flip, riskProxyBase, thresholds } = levels;
    // Dividing by 1 changes no bit: skipping it saves one of four divisions a step.
    const unit = riskProxyBase === 1;
    // The thresholds as locals, not read from their object in the loop.
    const { taxiX, maneuverX, maneuverY, ruptureX, ruptureY, overspeedX, stallY } = thresholds;
    // With hysteresis, a run's regimes and flags depend on its previous step: state per run.
    const held = levels.hysteresis ? new Held(thresholds, levels.hysteresis) : undefined;
    return {
      levels,
      evaluate(samples, out) {
        if (samples.levels) {
          evaluateMoving(samples, out, levels);
          held?.apply(out, samples.length);
          return;
        }
        const { spot, iv, hv, length } = samples;
        const { x: xs, y: ys, z: zs, regime, flags } = out;
        for (let i = 0; i < length; i++) {
          const s = spot[i]!;
          const x = Math.abs(s - flip) / atr;
          const y = unit ? iv[i]! / hv[i]! : iv[i]! / hv[i]! / riskProxyBase;
          const k = +(s >= flip);
          const z = (slope[k]! * s + offset[k]!) / span[k]!;
          xs[i] = x;
          ys[i] = y;
          zs[i] = z;
          // regimeOf() and flagMask(), written out: tests/envelope_test.ts checks the two
          // agree on a grid of states.
          const rupture = +(x > ruptureX) | +(y > ruptureY);
          const maneuver = +(x >= maneuverX) | +(y >= maneuverY);
          regime[i] = Math.max(3 * rupture, 2 * maneuver, 1 - +(x < taxiX));
          flags[i] = (+(z < 0) * BREACH) | (+(x > overspeedX) * OVERSPEED) |
            (+(y < stallY) * STALL);
        }
        held?.apply(out, length);
      },
    };
  },
});
export default envelope;

/**
 * The envelope with the levels in force on each step (SPEC §7): the same rules as the static
 * loop above, each step's wall lines made from its own levels, which must keep
 * `putWall < flip < callWall`.
 */
function evaluateMoving(samples: SampleBlock, out: EvaluationBlock, fixed: EnvelopeLevels): void {
  const { spot, iv, hv, length, time } = samples;
  const { atr, flip, putWall, callWall } = samples.levels as Record<LevelName, Float64Array>;
  const { x: xs, y: ys, z: zs, regime, flags } = out;
  const { riskProxyBase, thresholds: th } = fixed;
  for (let i = 0; i < length; i++) {
    const s = spot[i]!, a = atr![i]!, f = flip![i]!, p = putWall![i]!, c = callWall![i]!;
    if (!(p < f && f < c && a > 0)) {
      const when = time[i] === undefined ? "" : ` (${time[i]})`;
      throw new Error(
        `the levels of step ${
          samples.start + i
        }${when} break putWall < flip < callWall or atr > 0: atr ${a}, putWall ${p}, flip ${f}, callWall ${c}`,
      );
    }
    const x = Math.abs(s - f) / a;
    const y = iv[i]! / hv[i]! / riskProxyBase;
    const z = s >= f ? (c - s) / (c - f) : (s - p) / (f - p);
    xs[i] = x, ys[i] = y, zs[i] = z;
    regime[i] = regimeOf(x, y, th);
    flags[i] = flagMask(x, y, z, th);
  }
}

type LevelName = "atr" | "flip" | "putWall" | "callWall";

/**
 * The hysteresis of one run (SPEC §1): rewrites a block's regimes and flags from its X, Y and Z,
 * each rule that held on the previous step checked against its exit threshold (the threshold
 * moved back by the band), the others against their enter thresholds. The first step of a run
 * follows the plain rules; with every band 0, all steps do.
 */
class Held {
  readonly #th: Thresholds;
  readonly #band: Hysteresis;
  /** The previous step's regime code, -1 before the first step. */
  #regime = -1;
  /** The previous step's flag mask. */
  #flags = 0;

  constructor(th: Thresholds, band: Hysteresis) {
    this.#th = th, this.#band = band;
  }

  apply(out: EvaluationBlock, length: number): void {
    const { taxiX, maneuverX, maneuverY, ruptureX, ruptureY, overspeedX, stallY } = this.#th;
    const { x: bx, y: by, z: bz } = this.#band;
    const { x: xs, y: ys, z: zs, regime: regimes, flags: masks } = out;
    let previous = this.#regime, mask = this.#flags;
    for (let i = 0; i < length; i++) {
      const x = xs[i]!, y = ys[i]!, z = zs[i]!;
      const inRupture = previous === 3, inManeuver = previous === 2, inTaxi = previous === 0;
      const regime = x > ruptureX - (inRupture ? bx : 0) || y > ruptureY - (inRupture ? by : 0)
        ? 3
        : x >= maneuverX - (inManeuver ? bx : 0) || y >= maneuverY - (inManeuver ? by : 0)
        ? 2
        : x < taxiX + (inTaxi ? bx : 0)
        ? 0
        : 1;
      mask = (+(z < ((mask & BREACH) !== 0 ? bz : 0)) * BREACH) |
        (+(x > overspeedX - ((mask & OVERSPEED) !== 0 ? bx : 0)) * OVERSPEED) |
        (+(y < stallY + ((mask & STALL) !== 0 ? by : 0)) * STALL);
      regimes[i] = regime;
      masks[i] = mask;
      previous = regime;
    }
    this.#regime = previous, this.#flags = mask;
  }
}
