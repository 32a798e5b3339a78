/**
 * Parameter sweeps: a Monte Carlo batch for every combination of a grid of scenario values (a
 * threshold, a wall, a model parameter), reduced to one table of summary statistics, written
 * as `<name>.sweep.csv`, `<name>.sweep.json` and `<name>.sweep.html`.
 *
 * A key is the field path of a value as the scenario file holds it and as its errors name it:
 * `evaluator.callWall`, `evaluator.thresholds.overspeedX`, `generators.spot.noise` (`[i]`
 * indexes a list). It names an option of the evaluator or of a generator: a batch runs no
 * sinks or renderers, and its seed, steps and runs have their own flags. Each combination is
 * the scenario file with its values set, read and checked again as a whole, so a value the
 * plugin's options refuse is refused with the file and the field path, as in the file itself.
 *
 * Every combination runs with the same seed, so run `i` of every combination draws the same
 * random numbers (common random numbers): the differences between rows are the parameter's
 * effect, not sampling noise. A breach rate that rises with a wall moved inwards then rises
 * run by run, not only on average. Each batch gives the same bytes for any number of workers,
 * so the sweep does too.
 *
 * @example A sweep of the call wall
 * ```ts
 * import { assert, assertEquals } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { parseSweep, runSweep } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const axes = [parseSweep("evaluator.callWall=698,710")];
 * const report = await runSweep(scenario, axes, { outDir: await Deno.makeTempDir(), runs: 50, steps: 60 });
 * assertEquals(report.rows.map((row) => row.values), [[698], [710]]);
 * assert(report.rows[0]!.summary.breachRate >= report.rows[1]!.summary.breachRate);
 * ```
 *
 * @module
 */
import { stringify } from "@std/csv";
import { parse as parseJsonc } from "@std/jsonc";
import { ScenarioError } from "../core/errors.ts";
import { FLAGS, REGIMES } from "../core/frame.ts";
import { didYouMean, show } from "../core/options.ts";
import type { PluginUse, Scenario } from "../core/scenario.ts";
import { runSettings } from "../core/settings.ts";
import { OutputSet, type OutputTarget } from "../files/atomic.ts";
import { parseScenario } from "../plugins/mod.ts";
import { simulateBatch } from "./batch.ts";
import { formatCount, formatMeasure, formatPercent } from "./format.ts";
import { WorkerPool } from "./pool.ts";
import { renderSweepReport } from "./report.ts";
import { type MonteCarloSummary, summarizeStats } from "./stats.ts";

/** The most combinations one sweep may have: each is a whole batch. */
export const MAX_SWEEP_POINTS = 1_000;

/** A value a sweep sets: a number, or a string or boolean where the option takes one. */
export type SweepValue = number | string | boolean;

/** One `--sweep key=v1,v2,...`: a field path and the values it takes, in the order given. */
export interface SweepAxis {
  /** The field path, such as `evaluator.callWall`. */
  readonly key: string;
  /** The values, at least one, no two the same. */
  readonly values: readonly SweepValue[];
}

const SEGMENT = /^(?:[^.[\]\s]+)(?:\[\d+\])*$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Reads one sweep argument, `key=v1,v2,...`. A value that reads as a number is a number,
 * `true` and `false` are booleans, a value in double quotes is the JSON string it spells (so
 * `"1"` is a string), and any other value is a string.
 *
 * @param text The argument, such as `evaluator.callWall=700,705,710`.
 * @returns The key and its values.
 * @throws ScenarioError naming the argument when it has no key, no values, or a value twice.
 *
 * @example Numbers and strings
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseSweep } from "./sweep.ts";
 *
 * assertEquals(parseSweep("generators.spot.direction=up,down").values, ["up", "down"]);
 * assertEquals(parseSweep("evaluator.atr=2.5,3e0").values, [2.5, 3]);
 * ```
 */
export function parseSweep(text: string): SweepAxis {
  const at = `Option --sweep ${show(text)}`;
  const equals = text.indexOf("=");
  if (equals < 0) {
    throw new ScenarioError(
      `${at}: expected key=v1,v2,... such as "evaluator.callWall=700,705,710"`,
    );
  }
  const key = text.slice(0, equals).trim();
  if (key === "" || !key.split(".").every((segment) => SEGMENT.test(segment))) {
    throw new ScenarioError(
      `${at}: expected a field path before "=", such as "generators.spot.noise", got ${show(key)}`,
    );
  }
  const raw = text.slice(equals + 1).split(",").map((value) => value.trim());
  const problems: string[] = [];
  const values: SweepValue[] = [];
  const seen = new Set<string>();
  for (const [i, word] of raw.entries()) {
    if (word === "") {
      problems.push(`${at}: value ${i + 1} is empty; expected values separated by ","`);
      continue;
    }
    const value = readValue(word);
    if (value === undefined) {
      problems.push(`${at}: value ${show(word)} is not a finite number or a JSON string`);
      continue;
    }
    const id = JSON.stringify(value);
    if (seen.has(id)) problems.push(`${at}: value ${show(value)} is given twice`);
    seen.add(id);
    values.push(value);
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return { key, values };
}

function readValue(word: string): SweepValue | undefined {
  if (NUMBER.test(word)) {
    const n = Number(word);
    return Number.isFinite(n) ? n : undefined;
  }
  if (word === "true" || word === "false") return word === "true";
  if (word.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(word);
      return typeof value === "string" ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return word;
}

/**
 * Every combination of the axes' values, the first axis varying slowest (a cartesian product
 * in the order given, as nested loops would run it).
 *
 * @param axes The axes.
 * @returns One list of values per combination, in the axes' order.
 * @throws ScenarioError when a key is given twice or the grid has more than
 *   {@linkcode MAX_SWEEP_POINTS} combinations.
 *
 * @example Two by two
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseSweep, sweepGrid } from "./sweep.ts";
 *
 * const grid = sweepGrid([parseSweep("evaluator.atr=2,3"), parseSweep("generators.spot.noise=0.1,0.2")]);
 * assertEquals(grid, [[2, 0.1], [2, 0.2], [3, 0.1], [3, 0.2]]);
 * ```
 */
export function sweepGrid(axes: readonly SweepAxis[]): SweepValue[][] {
  const keys = new Set<string>();
  for (const { key } of axes) {
    if (keys.has(key)) {
      throw new ScenarioError(
        `Option --sweep ${show(key)}: the key is given twice; give all its values in one --sweep`,
      );
    }
    keys.add(key);
  }
  const size = axes.reduce((n, axis) => n * axis.values.length, 1);
  if (size > MAX_SWEEP_POINTS) {
    throw new ScenarioError(
      `Option --sweep: ${axes.map((a) => a.values.length).join(" x ")} = ${
        formatCount(size, "combination")
      }, more than the ${formatCount(MAX_SWEEP_POINTS)} a sweep may run; sweep fewer values`,
    );
  }
  let grid: SweepValue[][] = [[]];
  for (const axis of axes) {
    grid = grid.flatMap((point) => axis.values.map((value) => [...point, value]));
  }
  return grid;
}

/** Why a top-level key is not swept. */
const NOT_SWEPT: Record<string, string> = {
  seed: "every combination runs with the same seed (common random numbers); choose it with --seed",
  steps: "the steps are the batch's own setting; choose them with --steps",
  monteCarlo: "the runs are the batch's own setting; choose them with --runs",
  sinks: "a batch runs no sinks",
  renderers: "a batch runs no renderers",
  name: "the name only names the output files",
  description: "the description changes no number",
  $schema: "the schema changes no number",
};

/** A key's path: object keys and list indexes. */
function segments(key: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of key.split(".")) {
    const [name, ...indexes] = part.split("[");
    out.push(name!);
    for (const index of indexes) out.push(Number(index.slice(0, -1)));
  }
  return out;
}

type Tree = Record<string, unknown> | unknown[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Checks that a key addresses a value of the scenario's evaluator or of one of its generators:
 * the plugin's entry exists, each step on the way is an object or list, and the value is not
 * itself an object or list. A field the file does not give (an option left at its default) may
 * be swept; the plugin's own check then refuses a name it does not know.
 */
function checkKey(tree: unknown, key: string, file: string): string | undefined {
  const at = `${file}: Option --sweep ${show(key)}`;
  const path = segments(key);
  const root = path[0] as string;
  if (root in NOT_SWEPT) return `${at}: ${NOT_SWEPT[root]}`;
  if (root !== "evaluator" && root !== "generators") {
    const hint = didYouMean(root, ["evaluator", "generators"]);
    return `${at}: names nothing in the scenario; expected a path under "evaluator" or "generators", such as "evaluator.callWall"${hint}`;
  }
  if (!isObject(tree)) return `${at}: the scenario is not an object`;
  let node: unknown = tree[root];
  let depth = 1;
  if (root === "generators") {
    const label = path[1];
    const labels = isObject(node) ? Object.keys(node) : [];
    if (typeof label !== "string" || !isObject(node) || !(label in node)) {
      return `${at}: names no generator; the scenario's generators are ${
        labels.map((l) => show(l)).join(", ")
      }${typeof label === "string" ? didYouMean(label, labels) : ""}`;
    }
    node = node[label];
    depth = 2;
  }
  if (path.length === depth) {
    return `${at}: names a whole plugin entry; sweep one of its options, such as "${key}.${
      Object.keys(isObject(node) ? node : {}).find((k) => k !== "use") ?? "use"
    }"`;
  }
  for (let i = depth; i < path.length; i++) {
    const segment = path[i]!;
    const so = show(path.slice(0, i).reduce<string>(joinPath, ""));
    if (node === undefined) break; // an object the file leaves out: created when set
    if (typeof segment === "number") {
      if (!Array.isArray(node)) return `${at}: ${so} is not a list in the scenario`;
      if (segment >= node.length) {
        return `${at}: ${so} has ${formatCount(node.length, "item")}, so no [${segment}]`;
      }
      node = node[segment];
    } else {
      if (Array.isArray(node) && /^\d+$/.test(segment)) {
        if (Number(segment) >= node.length) {
          return `${at}: ${so} has ${formatCount(node.length, "item")}, so no [${segment}]`;
        }
        node = node[Number(segment)];
        continue;
      }
      if (!isObject(node)) return `${at}: ${so} is ${show(node)} in the scenario, not an object`;
      node = node[segment];
    }
  }
  if (typeof node === "object" && node !== null) {
    return `${at}: is ${
      Array.isArray(node) ? "a list" : "an object"
    } in the scenario; sweep one of its values`;
  }
  return undefined;
}

function joinPath(path: string, segment: string | number): string {
  return typeof segment === "number"
    ? `${path}[${segment}]`
    : path
    ? `${path}.${segment}`
    : segment;
}

/** Sets a value in a copy of the tree, creating the objects the file leaves out on its way. */
function setValue(tree: Tree, key: string, value: SweepValue): void {
  const path = segments(key);
  let node: Tree = tree;
  for (const [i, segment] of path.entries()) {
    const index = Array.isArray(node) && typeof segment === "string" ? Number(segment) : segment;
    const container = node as Record<string | number, unknown>;
    if (i === path.length - 1) {
      container[index] = value;
      return;
    }
    if (typeof container[index] !== "object" || container[index] === null) container[index] = {};
    node = container[index] as Tree;
  }
}

/** A combination's values as the CLI prints them: `evaluator.atr=2.5 and ...`. */
function describePoint(axes: readonly SweepAxis[], values: readonly SweepValue[]): string {
  return axes.map((axis, i) => `${axis.key}=${showValue(values[i]!)}`).join(" ");
}

function showValue(value: SweepValue): string {
  return typeof value === "string" && (NUMBER.test(value) || /^(true|false)$|,/.test(value))
    ? JSON.stringify(value)
    : String(value);
}

/** One combination of a sweep: its values, in the axes' order, and the scenario with them set. */
export interface SweepPoint {
  /** The values, in the axes' order. */
  readonly values: readonly SweepValue[];
  /** The scenario with the values set, read and checked. */
  readonly scenario: Scenario;
}

/** What {@linkcode sweepScenarios} reads the combinations with. */
export interface SweepScenariosOptions {
  /** The scenario file's text. @default {the file at `scenario.path`, read again} */
  text?: string;
  /**
   * Reads and checks scenario text, as `parseScenario` of `plugins/mod.ts` does with its
   * built-in table. @default {that function}
   */
  parse?: (text: string, path: string) => Promise<Scenario>;
}

/**
 * The scenario once per combination of the axes' values, each read and checked whole, before
 * any batch runs. Where a plugin of the combination is the base scenario's (the same module at
 * the same key), it keeps the base's definition object, so a definition the caller wrapped
 * (such as the plugin sandbox's watchdog) stays wrapped.
 *
 * @param base The loaded scenario.
 * @param axes The axes, from {@linkcode parseSweep}.
 * @param options The file's text and the parser, if not the defaults.
 * @returns The combinations, in {@linkcode sweepGrid}'s order.
 * @throws ScenarioError listing every key that names nothing and every value refused, each
 *   with the scenario file, the field path and the `--sweep` values that caused it.
 *
 * @example A value the option refuses
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { ScenarioError } from "../core/errors.ts";
 * import { loadScenario } from "../mod.ts";
 * import { parseSweep, sweepScenarios } from "./sweep.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * await assertRejects(
 *   () => sweepScenarios(scenario, [parseSweep("evaluator.atr=2,-1")]),
 *   ScenarioError,
 *   '"evaluator.atr"',
 * );
 * ```
 */
export async function sweepScenarios(
  base: Scenario,
  axes: readonly SweepAxis[],
  options: SweepScenariosOptions = {},
): Promise<SweepPoint[]> {
  const grid = sweepGrid(axes);
  const file = base.path;
  let text = options.text;
  if (text === undefined) {
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      throw new ScenarioError(
        `${file}: Cannot read the scenario file again for the sweep: ${(error as Error).message}`,
      );
    }
  }
  const tree = parseJsonc(text.replace(/^\uFEFF/, ""));
  const keyProblems = axes.map(({ key }) => checkKey(tree, key, file));
  const parse = options.parse ?? ((text: string, path: string) => parseScenario(text, { path }));
  const read = async (values: readonly (SweepValue | undefined)[]): Promise<Scenario> => {
    const copy = structuredClone(tree) as Tree;
    axes.forEach((axis, i) => {
      if (values[i] !== undefined) setValue(copy, axis.key, values[i]!);
    });
    return graft(base, await parse(JSON.stringify(copy), file));
  };
  const refused = (error: unknown, what: string): string[] => {
    if (!(error instanceof ScenarioError)) throw error;
    return error.problems.map((problem) => `${problem} (with --sweep ${what})`);
  };
  // Each value alone first, so that a bad value is named once, not once per combination.
  const problems: string[] = [];
  for (const [i, axis] of axes.entries()) {
    const bad = keyProblems[i];
    if (bad !== undefined) {
      problems.push(bad);
      continue;
    }
    for (const value of axis.values) {
      const values = axes.map((_, j) => (j === i ? value : undefined));
      await read(values).catch((error) =>
        problems.push(...refused(error, `${axis.key}=${showValue(value)}`))
      );
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  const points: SweepPoint[] = [];
  for (const values of grid) {
    try {
      points.push({ values, scenario: await read(values) });
    } catch (error) {
      // Values each fine alone may clash together, such as a put wall above the flip.
      problems.push(...refused(error, describePoint(axes, values)));
      if (problems.length >= 20) break;
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return points;
}

/** The combination's scenario, with the base's definition objects where the plugin is the same. */
function graft(base: Scenario, variant: Scenario): Scenario {
  const uses = new Map<string, PluginUse>(
    [base.evaluator, ...base.generators].map((use) => [use.key, use]),
  );
  const keep = <U extends PluginUse>(use: U): U => {
    const own = uses.get(use.key);
    return own && own.module === use.module ? { ...use, definition: own.definition } : use;
  };
  return {
    ...variant,
    evaluator: keep(variant.evaluator),
    generators: variant.generators.map(keep),
  };
}

/** Where and how {@linkcode runSweep} runs. */
export interface SweepOptions extends SweepScenariosOptions {
  /** The output folder; the sweep's three files are written there and nowhere else. */
  outDir: string;
  /** Runs per combination; defaults to the scenario's `monteCarlo.runs`. */
  runs?: number;
  /** Seed of every combination, instead of the scenario's. */
  seed?: number;
  /** Steps per run instead of the scenario's. */
  steps?: number;
  /** Threads per batch; see `BatchOptions.workers`. The results do not depend on it. */
  workers?: number;
  /** Called as runs complete, with the runs done and the runs to do, over every combination. */
  onProgress?: (done: number, total: number) => void;
  /** Warm workers to run the batches on. @default {a pool of the sweep's own, closed at the end} */
  pool?: WorkerPool;
  /** Stops the sweep between slices of runs: it then throws the signal's reason, writing nothing. */
  signal?: AbortSignal;
  /** Where the files go instead of an output set on `outDir`, such as the sandbox's writer. */
  output?: OutputTarget;
}

/** One combination's row of a sweep: its values and its batch's summary. */
export interface SweepRow {
  /** The values, in the axes' order. */
  values: SweepValue[];
  /** The batch's summary, without the per-step series (`timeline`, `series`, `movingLevels`). */
  summary: MonteCarloSummary;
  /** What the scenario's checks warned of with these values; absent when none. */
  warnings?: string[];
}

/** A sweep's table: what {@linkcode runSweep} writes, and `renderSweepReport` draws. */
export interface SweepTable {
  /** The scenario's name. */
  name: string;
  /** The scenario's description. */
  description: string;
  /** The seed of every combination. */
  seed: number;
  /** Runs per combination. */
  runs: number;
  /** Steps per run. */
  steps: number;
  /** The swept keys and their values, in the order given. */
  axes: SweepAxis[];
  /** One row per combination, in {@linkcode sweepGrid}'s order. */
  rows: SweepRow[];
}

/** What {@linkcode runSweep} did. */
export interface SweepReport extends SweepTable {
  /** The files written, in the output folder. */
  files: string[];
  /** The most threads a batch used. */
  workers: number;
  /** Temporary files a killed earlier run left in the folder, removed. */
  staleRemoved: number;
}

/**
 * Runs a Monte Carlo batch for every combination of the axes' values, all with the same seed,
 * and writes, all at once when every batch is done, `<name>.sweep.csv` (one row per
 * combination: the values, then the summary statistics), `<name>.sweep.json` and
 * `<name>.sweep.html`. No run's files and no per-combination summary are written.
 *
 * @param scenario The loaded scenario.
 * @param axes The axes, from {@linkcode parseSweep}.
 * @param options The output folder, the runs and how to run them.
 * @returns The table and the files written.
 * @throws ScenarioError for a key or value the scenario refuses, before any batch runs; nothing
 *   is written then, nor when a batch fails or the signal stops the sweep.
 *
 * @example The files of a sweep
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { parseSweep, runSweep } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/mean_revert.jsonc", import.meta.url).pathname);
 * const outDir = await Deno.makeTempDir();
 * const report = await runSweep(scenario, [parseSweep("evaluator.atr=2,4")], { outDir, runs: 20, steps: 50 });
 * assertEquals(report.files.map((f) => f.slice(outDir.length + 1)), [
 *   "mean_revert.sweep.csv",
 *   "mean_revert.sweep.json",
 *   "mean_revert.sweep.html",
 * ]);
 * ```
 */
export async function runSweep(
  scenario: Scenario,
  axes: readonly SweepAxis[],
  options: SweepOptions,
): Promise<SweepReport> {
  const { seed, steps, runs } = runSettings(scenario, options);
  if (runs === undefined) {
    throw new ScenarioError(
      `${scenario.path}: Cannot run a sweep: give a number of runs per combination (--runs) or a "monteCarlo" section`,
    );
  }
  const points = await sweepScenarios(scenario, axes, options);
  const output = options.output ?? new OutputSet(options.outDir);
  const names = sweepFileNames(scenario.name);
  const pool = options.pool ?? new WorkerPool();
  try {
    for (const name of names) output.check(name);
    const rows: SweepRow[] = [];
    let workers = 1;
    const total = points.length * runs;
    for (const [i, point] of points.entries()) {
      const result = await simulateBatch(point.scenario, {
        to: runs,
        seed,
        steps,
        pool,
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress
          ? { onProgress: (done: number) => options.onProgress!(i * runs + done, total) }
          : {}),
      });
      workers = Math.max(workers, result.workers);
      const { timeline: _, series: __, movingLevels: ___, ...summary } = summarizeStats(
        result.stats,
        {
          scenario: scenario.name,
          seed,
        },
      );
      const warnings = point.scenario.warnings;
      rows.push({
        values: [...point.values],
        summary,
        ...(warnings && warnings.length > 0 ? { warnings: [...warnings] } : {}),
      });
    }
    const table: SweepTable = {
      name: scenario.name,
      description: scenario.description ?? "",
      seed,
      runs,
      steps: rows[0]?.summary.steps ?? steps,
      axes: axes.map((axis) => ({ key: axis.key, values: [...axis.values] })),
      rows,
    };
    const [csv, json, html] = names as [string, string, string];
    await output.writeFile(csv, formatSweepCsv(table));
    await output.writeFile(json, `${JSON.stringify(table, null, 2)}\n`);
    await output.writeFile(html, renderSweepReport(table));
    const files = await output.commit();
    return { ...table, files, workers, staleRemoved: output.staleRemoved };
  } catch (error) {
    await output.abort();
    throw error;
  } finally {
    if (!options.pool) pool.close();
  }
}

/**
 * The files a sweep of a scenario writes, in the order written.
 *
 * @param name The scenario's name.
 * @returns `<name>.sweep.csv`, `<name>.sweep.json` and `<name>.sweep.html`.
 *
 * @example Names
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { sweepFileNames } from "./sweep.ts";
 *
 * assertEquals(sweepFileNames("breakout")[0], "breakout.sweep.csv");
 * ```
 */
export function sweepFileNames(name: string): string[] {
  return [`${name}.sweep.csv`, `${name}.sweep.json`, `${name}.sweep.html`];
}

/** The CSV's statistics columns after the swept keys, named by their place in `summary.json`. */
export const SWEEP_COLUMNS: readonly string[] = [
  "runs",
  "steps",
  "breachRuns",
  "breachRate",
  "breachRateCI95.low",
  "breachRateCI95.high",
  "firstBreachStep.p5",
  "firstBreachStep.p50",
  "firstBreachStep.p95",
  "maxLoad",
  "maxLoadQuantiles.p5",
  "maxLoadQuantiles.p50",
  "maxLoadQuantiles.p95",
  ...REGIMES.map((regime) => `regimeShare.${regime}`),
  ...FLAGS.map((flag) => `flagCounts.${flag}`),
  "finalSpotQuantiles.p5",
  "finalSpotQuantiles.p50",
  "finalSpotQuantiles.p95",
];

/** A row's statistics, in {@linkcode SWEEP_COLUMNS}' order; `null` where no run breaches. */
function statistics(s: MonteCarloSummary): (number | null)[] {
  const first = s.firstBreachStep;
  return [
    s.runs,
    s.steps,
    s.breachRuns,
    s.breachRate,
    ...s.breachRateCI95,
    first?.p5 ?? null,
    first?.p50 ?? null,
    first?.p95 ?? null,
    s.maxLoad,
    s.maxLoadQuantiles.p5,
    s.maxLoadQuantiles.p50,
    s.maxLoadQuantiles.p95,
    ...REGIMES.map((regime) => s.regimeShare[regime]),
    ...FLAGS.map((flag) => s.flagCounts[flag]),
    s.finalSpotQuantiles.p5,
    s.finalSpotQuantiles.p50,
    s.finalSpotQuantiles.p95,
  ];
}

/**
 * A sweep's table as CSV: a header of the swept keys and then {@linkcode SWEEP_COLUMNS}, and a
 * row per combination. Numbers are written in full (as JSON writes them); the first-breach
 * cells are empty when no run of the combination breaches. Lines end with `\r\n` (RFC 4180).
 *
 * @param table The sweep's table.
 * @returns The CSV text.
 *
 * @example The header
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatSweepCsv } from "./sweep.ts";
 *
 * const table = { name: "x", description: "", seed: 1, runs: 0, steps: 0, axes: [{ key: "evaluator.atr", values: [] }], rows: [] };
 * assertEquals(formatSweepCsv(table).split(",").slice(0, 3), ["evaluator.atr", "runs", "steps"]);
 * ```
 */
export function formatSweepCsv(table: SweepTable): string {
  const header = [...table.axes.map((axis) => axis.key), ...SWEEP_COLUMNS];
  const rows = table.rows.map((row) => [
    ...row.values.map(String),
    ...statistics(row.summary).map((v) => (v === null ? "" : String(v))),
  ]);
  return stringify([header, ...rows]);
}

/** What {@linkcode formatSweepReport} may add. */
export interface FormatSweepOptions {
  /** Wall time of the sweep, in seconds, shown with the throughput. */
  seconds?: number;
  /** Turns a written file's path into what to show, such as a relative path. */
  showPath?: (path: string) => string;
}

/**
 * The compact table the CLI prints: a line per combination with its values, breach rate and
 * 95% interval, median first-breach step, median max load and final spot percentiles.
 *
 * @param report What {@linkcode runSweep} returned.
 * @param options The time taken and how to show paths.
 * @returns Lines of text, the columns aligned.
 *
 * @example The first line names the sweep
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { formatSweepReport, parseSweep, runSweep } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const report = await runSweep(scenario, [parseSweep("evaluator.callWall=700,705")], { outDir: await Deno.makeTempDir(), runs: 10, steps: 20 });
 * assertStringIncludes(formatSweepReport(report)[0]!, "breakout: sweep of 2 combinations x 10 runs x 20 steps, seed 42");
 * ```
 */
export function formatSweepReport(report: SweepReport, options: FormatSweepOptions = {}): string[] {
  const show = options.showPath ?? ((path: string) => path);
  const pct = (v: number) => formatPercent(v, { digits: 1 });
  const header = [
    ...report.axes.map((axis) => axis.key),
    "breach",
    "95% CI",
    "1st breach p50",
    "max load p50",
    "final spot p5 / p50 / p95",
  ];
  const body = report.rows.map(({ values, summary: s }) => {
    const spot = (v: number) => formatMeasure(v, s.quantiles.spotRelativeError);
    const q = s.finalSpotQuantiles;
    return [
      ...values.map(showValue),
      pct(s.breachRate),
      `${pct(s.breachRateCI95[0])} to ${pct(s.breachRateCI95[1])}`,
      s.firstBreachStep ? formatCount(s.firstBreachStep.p50) : "-",
      formatMeasure(s.maxLoadQuantiles.p50, s.quantiles.stateRelativeError),
      `${spot(q.p5)} / ${spot(q.p50)} / ${spot(q.p95)}`,
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const keys = report.axes.length;
  const line = (cells: string[]) =>
    `  ${
      cells.map((cell, c) => (c < keys ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join("  ")
    }`.trimEnd();
  const lines = [
    `${report.name}: sweep of ${formatCount(report.rows.length, "combination")} x ${
      formatCount(report.runs, "run")
    } x ${formatCount(report.steps, "step")}, seed ${report.seed} (the same in every combination)`,
    line(header),
    ...body.map(line),
  ];
  if (options.seconds !== undefined) {
    const rate = (report.rows.length * report.runs * report.steps) /
      Math.max(options.seconds, 1e-9);
    lines.push(
      `  took ${options.seconds.toFixed(2)} s, ${(rate / 1e6).toFixed(1)}M steps/s, ${
        formatCount(report.workers, "worker")
      }`,
    );
  }
  const warnings = [...new Set(report.rows.flatMap((row) => row.warnings ?? []))];
  for (const warning of warnings) lines.push(`  warning  ${warning}`);
  lines.push(`  wrote ${report.files.map(show).join(", ")}`);
  if (report.staleRemoved > 0) {
    lines.push(
      `  note  removed ${
        formatCount(report.staleRemoved, "temporary file")
      } that a killed earlier run left in the folder`,
    );
  }
  return lines;
}
