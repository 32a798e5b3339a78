/**
 * The telemetry frame (SPEC §2) and the column blocks the run loop fills.
 *
 * The run loop works on blocks of steps held in typed arrays, so that long runs and Monte
 * Carlo batches never build an object per step unless a sink or renderer asks for frames.
 *
 * @module
 */

/** Flight regimes, in the order of their numeric codes (0 to 3). */
export const REGIMES = ["TAXI", "CRUISE", "MANEUVER", "RUPTURE"] as const;
/** A flight regime (SPEC §1). */
export type Regime = typeof REGIMES[number];

/** Flags, in the order they appear in a frame; flag `i` is bit `1 << i` of a flag mask. */
export const FLAGS = ["BREACH", "OVERSPEED", "STALL"] as const;
/** A flag raised on a frame (SPEC §1). */
export type Flag = typeof FLAGS[number];

/** Bit of the flag mask for `BREACH`. */
export const BREACH = 1;
/** Bit of the flag mask for `OVERSPEED`. */
export const OVERSPEED = 2;
/** Bit of the flag mask for `STALL`. */
export const STALL = 4;

/** One telemetry frame, fields in SPEC §2 order. */
export interface Frame {
  /** Step index from 0 for synthetic paths, or an ISO 8601 string from a data file. */
  readonly timestamp: number | string;
  /** Spot price. */
  readonly spot: number;
  /** Implied volatility, annualised, as a fraction (0.15 is 15%). */
  readonly iv: number;
  /** Historical (realised) volatility, annualised, as a fraction. */
  readonly hv: number;
  /** Structural airspeed `|spot - flip| / atr`. */
  readonly x: number;
  /** Load factor `(iv / hv) / riskProxyBase`. */
  readonly y: number;
  /** Wall proximity: 1 at the flip, 0 at the wall on the spot's side, negative beyond. */
  readonly z: number;
  /** Regime of this frame. */
  readonly regime: Regime;
  /** Flags raised on this frame, in {@linkcode FLAGS} order. */
  readonly flags: readonly Flag[];
}

/** The channels a generator can supply for each step. */
export const CHANNELS = ["time", "levels", "spot", "iv", "hv"] as const;
/** A channel a generator supplies: `time` is optional, the other three are required. */
export type Channel = typeof CHANNELS[number];

/**
 * Inputs for a run of consecutive steps, filled by the generators.
 *
 * Index `i` of each array is step `start + i`. Only the first `length` entries are live.
 */
export interface SampleBlock {
  /** Step index of entry 0. */
  readonly start: number;
  /** Number of live entries. */
  readonly length: number;
  /** Spot price per step. */
  readonly spot: Float64Array;
  /** Implied volatility per step. */
  readonly iv: Float64Array;
  /** Historical volatility per step. */
  readonly hv: Float64Array;
  /** ISO 8601 time per step, when a generator supplies the `time` channel. */
  readonly time: string[];
  /**
   * The levels in force per step, by name, when a generator supplies the `levels` channel
   * (SPEC §7): one column per numeric level the evaluator publishes, each starting every block
   * at the evaluator's own value, so that a generator fills only the levels it moves.
   */
  readonly levels?: Readonly<Record<string, Float64Array>>;
}

/** The evaluator's outputs for a {@linkcode SampleBlock}, index for index. */
export interface EvaluationBlock {
  /** Structural airspeed per step. */
  readonly x: Float64Array;
  /** Load factor per step. */
  readonly y: Float64Array;
  /** Wall proximity per step. */
  readonly z: Float64Array;
  /** Regime code per step: an index into {@linkcode REGIMES}. */
  readonly regime: Uint8Array;
  /** Flag mask per step: bit `1 << i` is `FLAGS[i]`. */
  readonly flags: Uint8Array;
}

/** One block of a run: the samples and their evaluation, valid until the next block. */
export interface RunBlock {
  /** The generators' output. */
  readonly samples: SampleBlock;
  /** The evaluator's output. */
  readonly evaluation: EvaluationBlock;
}

const FLAG_LISTS: readonly (readonly Flag[])[] = Array.from(
  { length: 1 << FLAGS.length },
  (_, mask) => Object.freeze(FLAGS.filter((_, bit) => (mask & (1 << bit)) !== 0)),
);

/**
 * Turns a flag mask into the list of flags it holds, in frame order.
 *
 * The returned arrays are shared and frozen.
 *
 * @param mask Flag bits, as in {@linkcode EvaluationBlock.flags}.
 * @returns The flags set in `mask`.
 *
 * @example Decode a mask
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { BREACH, flagsOf, STALL } from "./frame.ts";
 *
 * assertEquals(flagsOf(BREACH | STALL), ["BREACH", "STALL"]);
 * ```
 */
export function flagsOf(mask: number): readonly Flag[] {
  return FLAG_LISTS[mask & 7] ?? [];
}

/**
 * A whole run in columns: what renderers draw from, without a frame object per step (a
 * 2,000,000-step run is about 100 MB so, against 2 GB as frames).
 */
export interface RunColumns extends EvaluationBlock {
  /** Number of steps. */
  readonly length: number;
  /** Spot per step. */
  readonly spot: Float64Array;
  /** Implied volatility per step. */
  readonly iv: Float64Array;
  /** Historical volatility per step. */
  readonly hv: Float64Array;
  /** ISO 8601 time per step, or none when each step's index is its timestamp. */
  readonly time: readonly string[];
  /** The levels in force per step, by name, when they move. */
  readonly levels?: Readonly<Record<string, Float64Array>>;
}

/**
 * Builds the frame for entry `i` of a block.
 *
 * @param samples The block's inputs.
 * @param evaluation The evaluator's outputs for the same block.
 * @param i Entry index within the block.
 * @returns The frame, with fields in SPEC §2 order, then the levels when they move.
 */
export function frameAt(samples: SampleBlock, evaluation: EvaluationBlock, i: number): Frame {
  const frame: Frame = {
    timestamp: samples.time[i] ?? samples.start + i,
    spot: samples.spot[i]!,
    iv: samples.iv[i]!,
    hv: samples.hv[i]!,
    x: evaluation.x[i]!,
    y: evaluation.y[i]!,
    z: evaluation.z[i]!,
    regime: REGIMES[evaluation.regime[i]!]!,
    flags: flagsOf(evaluation.flags[i]!),
  };
  if (!samples.levels) return frame;
  // Moving levels follow the flags, as the levels in force on this frame.
  const levels: Record<string, number> = {};
  for (const [name, column] of Object.entries(samples.levels)) levels[name] = column[i]!;
  return { ...frame, ...levels };
}
