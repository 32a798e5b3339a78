/**
 * A run's settings: the limits of steps and runs, and the one place a scenario's seed, steps
 * and Monte Carlo defaults meet the overrides. Apart from the error class it imports nothing, so
 * a batch worker loads it without the scenario parser's npm packages.
 *
 * @module
 */
import { ScenarioError } from "./errors.ts";

/** The most steps one run may have. */
export const MAX_STEPS = 10_000_000;

/** The most Monte Carlo runs one batch may have. */
export const MAX_RUNS = 10_000_000;

/** What {@linkcode runSettings} reads of a scenario. */
export interface SettingsOf {
  /** The scenario's seed. */
  readonly seed: number;
  /** Its steps per run. */
  readonly steps: number;
  /** Its Monte Carlo settings, if any. */
  readonly monteCarlo?: { readonly runs: number; readonly keepRuns: boolean } | undefined;
}

/** Overrides of a scenario's settings for one run or batch, such as the CLI's flags. */
export interface RunOverrides {
  /** Seed instead of the scenario's. */
  seed?: number;
  /** Steps instead of the scenario's. */
  steps?: number;
  /** Monte Carlo runs instead of the scenario's `monteCarlo.runs`. */
  runs?: number;
  /** Whether to keep each run's sink files; defaults to the scenario's `monteCarlo.keepRuns`. */
  keepRuns?: boolean;
}

/** A scenario's settings with the overrides applied and checked. */
export interface RunSettings {
  /** The seed. */
  readonly seed: number;
  /** Steps per run. */
  readonly steps: number;
  /** Monte Carlo runs, when the scenario or the overrides ask for a batch. */
  readonly runs: number | undefined;
  /** Whether a batch keeps each run's sink files. */
  readonly keepRuns: boolean;
}

/**
 * Applies overrides to a scenario's seed, steps and Monte Carlo settings: the one place their
 * defaults are resolved.
 *
 * @param scenario The loaded scenario, or anything with its seed, steps and Monte Carlo settings.
 * @param overrides What to use instead.
 * @returns The settings in force.
 * @throws ScenarioError when an override is out of range.
 *
 * @example The scenario's seed unless one is given
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { runSettings } from "./settings.ts";
 * import { loadScenario } from "../plugins/mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * assertEquals(runSettings(scenario, {}).seed, scenario.seed);
 * assertEquals(runSettings(scenario, { seed: 7, steps: 10 }).steps, 10);
 * ```
 */
export function runSettings(scenario: SettingsOf, overrides: RunOverrides): RunSettings {
  const seed = overrides.seed ?? scenario.seed;
  const steps = overrides.steps ?? scenario.steps;
  const runs = overrides.runs ?? scenario.monteCarlo?.runs;
  const checks: [string, number | undefined, number][] = [
    ["seed", seed, Number.MAX_SAFE_INTEGER],
    ["steps", steps, MAX_STEPS],
    ["runs", runs, MAX_RUNS],
  ];
  for (const [what, value, max] of checks) {
    const min = what === "seed" ? 0 : 1;
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
      throw new ScenarioError(
        `Cannot run ${value} ${what}: expected an integer in [${min}, ${max}]`,
      );
    }
  }
  const keepRuns = overrides.keepRuns ?? scenario.monteCarlo?.keepRuns ?? false;
  return { seed, steps, runs, keepRuns };
}
