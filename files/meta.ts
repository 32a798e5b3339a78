/**
 * A run's meta file, `<name>.meta.json` beside its logs (SPEC §2): the version, the scenario's
 * fingerprint, the seed and the levels and thresholds the frames were flown in, so that any
 * reader, the flight view included, knows the envelope. It holds no path.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };
import type { Levels } from "../core/plugin.ts";
import type { Scenario } from "../core/scenario.ts";

/** The option-flight version, written into meta files and partial results. */
export const VERSION: string = denoJson.version;

/** The `format` of a meta file. */
export const META_FORMAT = "option-flight/run-meta";

/** What a meta file says of its run. */
export interface RunMeta {
  /** Always {@linkcode META_FORMAT}. */
  format: string;
  /** The meta format's version: 1. */
  formatVersion: number;
  /** The option-flight version that wrote it. */
  version: string;
  /** The scenario's name. */
  scenario: string;
  /** {@linkcode scenarioFingerprint} of the scenario. */
  fingerprint: string;
  /** The seed. */
  seed: number;
  /** The run index; `null` for the one meta file of a batch's kept runs. */
  run: number | null;
  /** Steps per run. */
  steps: number;
  /** The evaluator's levels without their thresholds, or `null` when it publishes none. */
  levels: Record<string, unknown> | null;
  /** The levels' `thresholds`, or `null`. */
  thresholds: unknown;
}

/** Which run a meta file describes. */
export interface MetaOf {
  /** The seed. */
  seed: number;
  /** The run index, or `null` for a batch's kept runs. */
  run: number | null;
  /** Steps per run. */
  steps: number;
  /** What the evaluator published. */
  levels: Levels | undefined;
}

/**
 * A run's meta file, as its text: pretty-printed JSON with a final newline.
 *
 * @param scenario The scenario.
 * @param run The seed, run, steps and levels.
 * @returns The file's text.
 *
 * @example The envelope's levels and thresholds, apart
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { metaText } from "./meta.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const levels = { atr: 2.8, flip: 692.5, thresholds: { taxiX: 0.3 } };
 * const meta = JSON.parse(await metaText(scenario, { seed: 1, run: 0, steps: 5, levels }));
 * assertEquals([meta.levels, meta.thresholds], [{ atr: 2.8, flip: 692.5 }, { taxiX: 0.3 }]);
 * ```
 */
export async function metaText(scenario: Scenario, run: MetaOf): Promise<string> {
  const published = (run.levels ?? null) as Record<string, unknown> | null;
  const { thresholds = null, ...levels } = published ?? {};
  const meta: RunMeta = {
    format: META_FORMAT,
    formatVersion: 1,
    version: VERSION,
    scenario: scenario.name,
    fingerprint: await scenarioFingerprint(scenario),
    seed: run.seed,
    run: run.run,
    steps: run.steps,
    levels: published ? levels : null,
    thresholds,
  };
  return `${JSON.stringify(meta, null, 2)}\n`;
}

/**
 * A digest of what a scenario computes: the `use` string, key and checked options of its
 * evaluator and generators. Comments, formatting, sinks and renderers do not change it.
 *
 * @param scenario The loaded scenario.
 * @returns A SHA-256 digest, in hex.
 *
 * @example Same file, same fingerprint
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { scenarioFingerprint } from "./meta.ts";
 *
 * const path = new URL("../scenarios/breakout.jsonc", import.meta.url).pathname;
 * assertEquals(await scenarioFingerprint(await loadScenario(path)), await scenarioFingerprint(await loadScenario(path)));
 * ```
 */
export async function scenarioFingerprint(scenario: Scenario): Promise<string> {
  const uses = [scenario.evaluator, ...scenario.generators].map((use) => ({
    key: use.key,
    use: use.use,
    options: use.options,
  }));
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(JSON.stringify(uses)),
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
