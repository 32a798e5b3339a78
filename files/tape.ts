/**
 * A run's tape, the `tape` of its meta file (`meta.ts`): written from the scenario as the run
 * ran it, and read back into that scenario by `loadScenario` when `deno task run` is given the
 * meta file, every problem named by the meta file and its field path.
 *
 * @module
 */
import { parse as parseJsonc } from "@std/jsonc";
import { dirname, isAbsolute, join, relative, resolve } from "@std/path";
import { ScenarioError } from "../core/errors.ts";
import { show } from "../core/options.ts";
import type { BuiltinTable } from "../core/plugin.ts";
import { parseScenario, type PluginUse, type Scenario } from "../core/scenario.ts";
import { MAX_STEPS } from "../core/settings.ts";
import {
  META_FORMAT,
  META_FORMAT_VERSION,
  type MetaOf,
  type RunTape,
  scenarioFingerprint,
  VERSION,
} from "./meta.ts";

/**
 * A run's tape: the scenario as it ran, in scenario-file form, and the scenario file relative
 * to the meta file's folder.
 *
 * @param scenario The scenario.
 * @param run The seed and steps the run used, and the folder the meta file goes to.
 * @returns The tape.
 *
 * @example Every default filled in, the seed given on the command line
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { tapeOf } from "./tape.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const tape = tapeOf(scenario, { seed: 9, run: 0, steps: 200, levels: undefined });
 * const evaluator = tape.scenario.evaluator as Record<string, unknown>;
 * assertEquals([tape.file, tape.scenario.seed, evaluator.use, evaluator.riskProxyBase], [null, 9, "envelope", 1]);
 * ```
 */
export function tapeOf(scenario: Scenario, run: MetaOf): RunTape {
  const entry = (use: PluginUse) => ({ use: use.use, ...(use.checked ?? use.options) as object });
  const generators = scenario.generators.map((use) => [use.key.slice("generators.".length), use]);
  const runs = run.runs ?? scenario.monteCarlo?.runs;
  const resolved: Record<string, unknown> = {
    name: scenario.name,
    ...(scenario.description === undefined ? {} : { description: scenario.description }),
    seed: run.seed,
    steps: scenario.checkedSteps ?? scenario.steps,
    evaluator: entry(scenario.evaluator),
    generators: Object.fromEntries(
      generators.map(([label, use]) => [label, entry(use as PluginUse)]),
    ),
    sinks: scenario.sinks.map(entry),
    renderers: scenario.renderers.map(entry),
    // A batch keeps its runs' files only when asked: its meta file is written only then.
    ...(run.run === null && runs !== undefined ? { monteCarlo: { runs, keepRuns: true } } : {}),
  };
  // The tape is JSON: it must read back as the options it was made from.
  const scenarioJson = JSON.parse(JSON.stringify(resolved)) as Record<string, unknown>;
  const file = run.dir === undefined ? null : relative(resolve(run.dir), resolve(scenario.path));
  const portable = Deno.build.os === "windows" ? file?.replaceAll("\\", "/") ?? null : file;
  return {
    file: portable,
    steps: run.plannedSteps ?? run.steps,
    scenario: scenarioJson,
  };
}

/** What {@linkcode readTape} found in a meta file. */
export interface TapeRead {
  /** The scenario file the tape names, its path joined to the meta file's folder. */
  scenarioPath: string;
  /** The steps the run was asked for. */
  steps: number;
  /** The resolved scenario, in scenario-file form. */
  scenario: Record<string, unknown>;
}

const TAPE_KEYS = ["file", "steps", "scenario"];

/** The keys of a meta file, in the order written. */
const META_KEYS = [
  "format",
  "formatVersion",
  "version",
  "scenario",
  "fingerprint",
  "seed",
  "run",
  "steps",
  "levels",
  "thresholds",
  "tape",
];

/**
 * Whether parsed JSON is a meta file rather than a scenario: an object with a `format`.
 *
 * @param data The parsed file.
 * @returns Whether it claims a format (a scenario file has none).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { isMetaData } from "./tape.ts";
 *
 * assertEquals([isMetaData({ format: "option-flight/run-meta" }), isMetaData({ steps: 5 })], [true, false]);
 * ```
 */
export function isMetaData(data: unknown): boolean {
  return typeof data === "object" && data !== null && !Array.isArray(data) && "format" in data;
}

/**
 * Checks a parsed meta file as a tape this version can run: its format, its version, and the
 * tape's fields, every problem at once with its field path.
 *
 * @param data The parsed meta file.
 * @param path The meta file: names it in errors and anchors the tape's scenario path.
 * @returns The scenario file it names and the resolved scenario.
 * @throws ScenarioError naming the file and each field that is wrong.
 *
 * @example A meta file from another version is refused
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { ScenarioError } from "../core/errors.ts";
 * import { META_FORMAT } from "./meta.ts";
 * import { readTape } from "./tape.ts";
 *
 * const tape = { file: null, steps: 10, scenario: {} };
 * const data = { format: META_FORMAT, formatVersion: 1, version: "0.0.1", tape };
 * assertThrows(() => readTape(data, "x.meta.json"), ScenarioError, 'x.meta.json: Cannot read "version"');
 * ```
 */
export function readTape(data: unknown, path: string): TapeRead {
  const problems: string[] = [];
  const add = (at: string, message: string) =>
    void problems.push(`${path}: Cannot read ${show(at)}: ${message}`);
  const record = (isMetaData(data) ? data : {}) as Record<string, unknown>;
  if (record.format !== META_FORMAT) {
    const expected = `${show(META_FORMAT)} (a run's meta file; a scenario file has no "format")`;
    add("format", `expected ${expected}, got ${show(record.format)}`);
    throw new ScenarioError(problems);
  }
  for (const key of Object.keys(record)) {
    if (!META_KEYS.includes(key)) {
      add(key, `unknown key, expected one of ${META_KEYS.map((k) => show(k)).join(", ")}`);
    }
  }
  if (record.formatVersion !== META_FORMAT_VERSION) {
    add("formatVersion", `expected ${META_FORMAT_VERSION}, got ${show(record.formatVersion)}`);
  }
  if (record.version !== VERSION) {
    add(
      "version",
      `expected ${
        show(VERSION)
      }, this option-flight's version (a tape replays its run byte for byte only with the version that wrote it: run that version, or the scenario file), got ${
        show(record.version)
      }`,
    );
  }
  const tape = record.tape;
  let scenarioPath = path, scenario: Record<string, unknown> = {}, steps = 1;
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(tape)) {
    const why = tape === undefined
      ? " (a meta file written before tapes, which cannot be run)"
      : "";
    const keys = TAPE_KEYS.map((k) => show(k)).join(", ");
    add("tape", `expected an object of ${keys}, got ${show(tape)}${why}`);
  } else {
    for (const key of Object.keys(tape)) {
      if (!TAPE_KEYS.includes(key)) {
        add(
          `tape.${key}`,
          `unknown key, expected one of ${TAPE_KEYS.map((k) => show(k)).join(", ")}`,
        );
      }
    }
    const given = tape.steps;
    if (Number.isSafeInteger(given) && (given as number) >= 1 && (given as number) <= MAX_STEPS) {
      steps = given as number;
    } else add("tape.steps", `expected an integer in [1, ${MAX_STEPS}], got ${show(given)}`);
    const file = tape.file;
    if (file === null) scenarioPath = path;
    else if (
      typeof file !== "string" || file === "" || isAbsolute(file) || /^[a-z]+:/i.test(file)
    ) {
      const expected = "the scenario file's path relative to this file, or null";
      add("tape.file", `expected ${expected}, got ${show(file)}`);
    } else scenarioPath = join(dirname(path), file);
    if (isObject(tape.scenario)) scenario = tape.scenario;
    else {add(
        "tape.scenario",
        `expected the resolved scenario, an object, got ${show(tape.scenario)}`,
      );}
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return { scenarioPath, steps, scenario };
}

/** Where {@linkcode parseTape} reads from. */
export interface ParseTapeOptions {
  /** The meta file the text is from. */
  path: string;
  /** The built-in plugins, such as `BUILTINS` from `plugins/mod.ts`. */
  builtins: BuiltinTable;
}

/**
 * Parses a meta file's tape into the scenario it ran: relative `use` strings and data files
 * resolve against the original scenario's folder, found from the tape's relative path, and the
 * scenario must still compute what the run did (its fingerprint). The scenario's options are
 * checked against the scenario file's steps, and it then runs the steps the run was asked for.
 *
 * @param text The meta file's text.
 * @param options The meta file, and the built-in table.
 * @returns The scenario, whose `path` is the original scenario file.
 * @throws ScenarioError naming the meta file and the field path of every problem.
 *
 * @example A meta file without a tape is refused
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { ScenarioError } from "../core/errors.ts";
 * import { BUILTINS } from "../plugins/mod.ts";
 * import { META_FORMAT, VERSION } from "./meta.ts";
 * import { parseTape } from "./tape.ts";
 *
 * const text = JSON.stringify({ format: META_FORMAT, formatVersion: 1, version: VERSION });
 * await assertRejects(() => parseTape(text, { path: "x.meta.json", builtins: BUILTINS }), ScenarioError, '"tape"');
 * ```
 */
export async function parseTape(text: string, options: ParseTapeOptions): Promise<Scenario> {
  const { path } = options;
  let data: unknown;
  try {
    data = parseJsonc(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ScenarioError(`${path}: Cannot parse the meta file: ${(error as Error).message}`);
  }
  const { scenarioPath, steps, scenario: resolved } = readTape(data, path);
  const record = data as Record<string, unknown>;
  let scenario: Scenario;
  try {
    scenario = await parseScenario(JSON.stringify(resolved), {
      path: scenarioPath,
      builtins: options.builtins,
    });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    // The problems are the tape's: named by the meta file and their place in it.
    const from = `${scenarioPath}: Cannot read "`;
    throw new ScenarioError(
      error.problems.map((problem) =>
        problem.startsWith(from)
          ? `${path}: Cannot read "tape.scenario.${problem.slice(from.length)}`
          : problem
      ),
    );
  }
  const problems: string[] = [];
  const add = (at: string, message: string) =>
    void problems.push(`${path}: Cannot read ${show(at)}: ${message}`);
  if (record.scenario !== scenario.name) {
    add(
      "scenario",
      `expected ${show(scenario.name)}, the tape's name, got ${show(record.scenario)}`,
    );
  }
  if (record.seed !== scenario.seed) {
    add("seed", `expected ${scenario.seed}, the tape's seed, got ${show(record.seed)}`);
  }
  const fingerprint = await scenarioFingerprint(scenario);
  if (record.fingerprint !== fingerprint) {
    add(
      "fingerprint",
      `the tape's scenario computes ${show(fingerprint)}, not the run's ${
        show(record.fingerprint)
      } (was "tape.scenario" edited, or a data file it names changed?)`,
    );
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  // The options were checked against the scenario file's steps, as when the run was made.
  return steps === scenario.steps ? scenario : { ...scenario, steps, checkedSteps: scenario.steps };
}
