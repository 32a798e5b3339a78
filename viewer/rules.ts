/**
 * Which regime and flag thresholds a run's frames follow, decided by the envelope's own rules
 * (`regimeOf` and `flagMask` of plugins/envelope.ts), never by a copy of them. Free of DOM APIs.
 *
 * @module
 */
import {
  DEFAULT_THRESHOLDS,
  type EnvelopeLevels,
  flagMask,
  isEnvelopeLevels,
  regimeOf,
  type Thresholds,
} from "../plugins/envelope.ts";
import type { Columns } from "./data.ts";

/** The names of the thresholds, in SPEC §1 order. */
export const THRESHOLD_KEYS: readonly (keyof Thresholds)[] = Object.keys(
  DEFAULT_THRESHOLDS,
) as (keyof Thresholds)[];

/**
 * Whether a value holds every threshold as a finite number.
 *
 * @param value What a page or a log offers as thresholds.
 * @returns Whether it is usable as {@linkcode Thresholds}.
 *
 * @example A threshold missing
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_THRESHOLDS } from "../plugins/envelope.ts";
 * import { validThresholds } from "./rules.ts";
 *
 * assertEquals(validThresholds(DEFAULT_THRESHOLDS), true);
 * assertEquals(validThresholds({ ...DEFAULT_THRESHOLDS, stallY: undefined }), false);
 * ```
 */
export function validThresholds(value: unknown): value is Thresholds {
  if (!value || typeof value !== "object") return false;
  const named = value as Record<string, unknown>;
  return THRESHOLD_KEYS.every((key) => {
    const v = named[key];
    return typeof v === "number" && isFinite(v);
  });
}

/**
 * The regime code and flag mask the envelope's rules give each state with these X, Y and Z.
 *
 * @param thresholds The regime and flag thresholds.
 * @param states X, Y and Z per frame; X at least 0, as the envelope computes it.
 * @returns Per frame, the regime code (an index into `REGIMES`) and the flag mask.
 *
 * @example The SPEC §1 check values, and a state past every threshold
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_THRESHOLDS } from "../plugins/envelope.ts";
 * import { classifyStates } from "./rules.ts";
 *
 * const { regime, flags } = classifyStates(DEFAULT_THRESHOLDS, {
 *   x: Float64Array.of(0.5357142857142857, 4.6),
 *   y: Float64Array.of(1.25, 0.7),
 *   z: Float64Array.of(0.8, -0.1),
 * });
 * assertEquals([...regime], [1, 3]);
 * assertEquals([...flags], [0, 7]);
 * ```
 */
export function classifyStates(
  thresholds: Thresholds,
  states: { x: Float64Array; y: Float64Array; z: Float64Array },
): { regime: Uint8Array; flags: Uint8Array } {
  const { x, y, z } = states;
  const regime = new Uint8Array(x.length);
  const flags = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    regime[i] = regimeOf(x[i]!, y[i]!, thresholds);
    flags[i] = flagMask(x[i]!, y[i]!, z[i]!, thresholds);
  }
  return { regime, flags };
}

/**
 * Whether every frame's regime and flags follow from these thresholds. A frame with a negative
 * X follows from none: no envelope flies one.
 *
 * @param thresholds The candidate thresholds, if any.
 * @param columns The frames.
 * @returns Whether the thresholds are valid and explain every frame; `false` for no frames.
 *
 * @example A frame that says RUPTURE at X 1 follows from the defaults only if Y is high
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_THRESHOLDS } from "../plugins/envelope.ts";
 * import { columnsOf } from "./data.ts";
 * import { agrees } from "./rules.ts";
 *
 * const frame = { timestamp: 0, spot: 695.3, iv: 0.36, hv: 0.12, x: 1, y: 3, z: 0.6, regime: "RUPTURE" as const, flags: [] };
 * assertEquals(agrees(DEFAULT_THRESHOLDS, columnsOf([frame])), true);
 * assertEquals(agrees(DEFAULT_THRESHOLDS, columnsOf([{ ...frame, y: 1 }])), false);
 * ```
 */
export function agrees(thresholds: unknown, columns: Columns): boolean {
  if (!validThresholds(thresholds) || columns.n === 0) return false;
  const { x, regime, flags } = columns;
  for (let i = 0; i < columns.n; i++) if (x[i]! < 0) return false;
  const expected = classifyStates(thresholds, columns);
  for (let i = 0; i < columns.n; i++) {
    if (expected.regime[i] !== regime[i] || expected.flags[i] !== flags[i]) return false;
  }
  return true;
}

/** The thresholds a view draws its regime zones with, and where they came from. */
export interface ViewThresholds {
  /** The thresholds, or `null` when none fit. */
  thresholds: Thresholds | null;
  /** `levels` when the run's levels give them, `inferred` when the frames agree with them. */
  source: "levels" | "inferred" | "none";
}

/** What is known of a run's thresholds besides its frames. */
export interface KnownThresholds {
  /** The run's envelope levels, when known: their thresholds win. */
  levels: EnvelopeLevels | null;
  /** Thresholds to try first when the levels are unknown, such as the page's own run's. */
  fallback?: unknown;
}

/**
 * The thresholds to draw a run with: its levels' own, or else the first of `fallback` and
 * SPEC §1's defaults that every frame agrees with, or else none.
 *
 * @param columns The frames.
 * @param known The run's levels, if known, and thresholds to try first.
 * @returns The thresholds and their source.
 *
 * @example Known levels win
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { EXAMPLE_LEVELS } from "../testing.ts";
 * import { columnsOf } from "./data.ts";
 * import { thresholdsFor } from "./rules.ts";
 *
 * assertEquals(thresholdsFor(columnsOf([]), { levels: EXAMPLE_LEVELS }).source, "levels");
 * assertEquals(thresholdsFor(columnsOf([]), { levels: null }).source, "none");
 * ```
 */
export function thresholdsFor(columns: Columns, known: KnownThresholds): ViewThresholds {
  const { levels, fallback } = known;
  if (levels && validThresholds(levels.thresholds)) {
    return { thresholds: levels.thresholds, source: "levels" };
  }
  if (fallback && agrees(fallback, columns)) {
    return { thresholds: fallback as Thresholds, source: "inferred" };
  }
  if (agrees(DEFAULT_THRESHOLDS, columns)) {
    return { thresholds: DEFAULT_THRESHOLDS, source: "inferred" };
  }
  return { thresholds: null, source: "none" };
}

/**
 * The envelope levels of a page or a log, when they are the envelope's.
 *
 * @param levels What the page embeds as levels.
 * @returns The levels, or `null`.
 *
 * @example Levels of another evaluator are unknown levels
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { envelopeLevelsOf } from "./rules.ts";
 *
 * assertEquals(envelopeLevelsOf({ strike: 4000 }), null);
 * ```
 */
export function envelopeLevelsOf(levels: unknown): EnvelopeLevels | null {
  return typeof levels === "object" && levels !== null && isEnvelopeLevels(levels) ? levels : null;
}
