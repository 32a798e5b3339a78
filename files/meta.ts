/**
 * A run's meta file, `<name>.meta.json` beside its logs (SPEC §2): the version, the scenario's
 * fingerprint, the seed and the levels and thresholds the frames were flown in, so that any
 * reader, the flight view included, knows the envelope; and its tape (`tape.ts`), the resolved
 * scenario (every option with its default filled in, each `use` as written, the seed and steps
 * the run used) with the scenario file's path relative to the meta file, so that
 * `deno task run <name>.meta.json` runs the run again, byte for byte. It holds no absolute path.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };
import type { Levels } from "../core/plugin.ts";
import type { Scenario } from "../core/scenario.ts";

/**
 * The tape's module, by a specifier of its own: the batch workers, which import this module
 * for its version through the sinks, never load it nor the npm packages it imports.
 */
const TAPE_MODULE = "./tape.ts";

/** What this module takes of `tape.ts`, which imports this one. */
interface TapeModule {
  tapeOf(scenario: Scenario, run: MetaOf): RunTape;
}

/** The option-flight version, written into meta files and partial results. */
export const VERSION: string = denoJson.version;

/** The `format` of a meta file. */
export const META_FORMAT = "option-flight/run-meta";

/** The meta format's version: a tape is an optional field, which readers of version 1 pass over. */
export const META_FORMAT_VERSION = 1;

/**
 * A run's tape: what `deno task run <name>.meta.json` runs. Written in scenario-file form, so
 * that the same checks read it as read the scenario.
 */
export interface RunTape {
  /**
   * The scenario file, relative to the meta file's folder with `/` separators: its folder
   * anchors relative `use` strings and data files; `null` when the writer did not say where
   * the meta file goes (they then resolve against the meta file's folder).
   */
  file: string | null;
  /** The steps the run was asked for: the scenario's, or `--steps`. */
  steps: number;
  /**
   * The resolved scenario: name, description, the seed the run used (the scenario's, or
   * `--seed`), the scenario file's steps (what its options were checked against), each plugin
   * as `{ "use": <as written>, ...its options with defaults filled in }`, and for a batch's
   * meta file its `monteCarlo` settings.
   */
  scenario: Record<string, unknown>;
}

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
  /** The run's tape. */
  tape: RunTape;
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
  /**
   * The folder the meta file is written to: the tape names the scenario file relative to it.
   * Without it the tape's `file` is `null`.
   */
  dir?: string;
  /**
   * The steps the run was asked for (the scenario's, or `--steps`), when a data file ended it
   * sooner: what its plugins were told, and so what the tape replays. @default {steps}
   */
  plannedSteps?: number;
  /** For a batch's meta file: its number of runs, which the tape's `monteCarlo` replays. */
  runs?: number;
}

/**
 * A run's meta file, as its text: pretty-printed JSON with a final newline.
 *
 * @param scenario The scenario.
 * @param run The seed, run, steps and levels, and the folder the file goes to.
 * @returns The file's text.
 *
 * @example The envelope's levels and thresholds, apart, and the tape
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { metaText } from "./meta.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const levels = { atr: 2.8, flip: 692.5, thresholds: { taxiX: 0.3 } };
 * const dir = new URL("../output", import.meta.url).pathname;
 * const meta = JSON.parse(await metaText(scenario, { seed: 1, run: 0, steps: 5, levels, dir }));
 * assertEquals([meta.levels, meta.thresholds], [{ atr: 2.8, flip: 692.5 }, { taxiX: 0.3 }]);
 * assertEquals([meta.tape.file, meta.tape.scenario.seed], ["../scenarios/breakout.jsonc", 1]);
 * ```
 */
export async function metaText(scenario: Scenario, run: MetaOf): Promise<string> {
  const published = (run.levels ?? null) as Record<string, unknown> | null;
  const { thresholds = null, ...levels } = published ?? {};
  const meta: RunMeta = {
    format: META_FORMAT,
    formatVersion: META_FORMAT_VERSION,
    version: VERSION,
    scenario: scenario.name,
    fingerprint: await scenarioFingerprint(scenario),
    seed: run.seed,
    run: run.run,
    steps: run.steps,
    levels: published ? levels : null,
    thresholds,
    tape: (await import(import.meta.resolve(TAPE_MODULE)) as TapeModule).tapeOf(scenario, run),
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
