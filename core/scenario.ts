/**
 * Scenario files: JSONC parsing, validation of every field, the plugins they use (resolved by
 * `resolve.ts`), and the settings a run or batch applies over them.
 *
 * @module
 */
import { parse as parseJsonc } from "@std/jsonc";
import { basename, extname } from "@std/path";
import { ScenarioError } from "./errors.ts";
import { type Channel, CHANNELS } from "./frame.ts";
import {
  boolean,
  type Fields,
  integer,
  Issues,
  join,
  readFields,
  show,
  string,
} from "./options.ts";
import type {
  BuiltinTable,
  EvaluatorDefinition,
  GeneratorDefinition,
  PluginDefinition,
  PluginKind,
  RendererDefinition,
  SinkDefinition,
} from "./plugin.ts";
import { loadPlugin } from "./resolve.ts";
import { MAX_RUNS, MAX_STEPS } from "./settings.ts";

/** A plugin as a scenario uses it: its definition and its checked options. */
export interface PluginUse<D extends PluginDefinition = PluginDefinition> {
  /** The `use` string as written. */
  readonly use: string;
  /** JSON path of the plugin's entry, such as `generators.spot`; also its random stream key. */
  readonly key: string;
  /** The plugin's definition. */
  readonly definition: D;
  /** Absolute specifier of the module that default-exports it. */
  readonly module: string;
  /** The plugin's options, read and checked against its fields. */
  readonly options: unknown;
  /**
   * The options as read and checked (defaults filled in), when the plugin's `prepare` made
   * `options` from them: what a run's tape records, since `options` may then hold a file's data.
   */
  readonly checked?: unknown;
  /** For a generator, the channels this use fills, when not all it `provides`. */
  readonly channels?: readonly Channel[];
}

/** The channels a generator's use fills: its own `channels`, else what its definition provides. */
function channelsOf(use: PluginUse<GeneratorDefinition>): readonly Channel[] {
  return use.channels ?? use.definition.provides;
}

/** Monte Carlo settings of a scenario. */
export interface MonteCarloSettings {
  /** Number of independent runs. */
  readonly runs: number;
  /** Whether to keep each run's sink files, `mc_<name>_<i>.<extension>`. */
  readonly keepRuns: boolean;
}

/** A loaded, checked scenario, ready to run. */
export interface Scenario {
  /** The scenario file, as given. */
  readonly path: string;
  /** Stem of the output files. */
  readonly name: string;
  /** What the scenario is about. */
  readonly description: string | undefined;
  /** Seed of every random stream. */
  readonly seed: number;
  /** Steps per run. */
  readonly steps: number;
  /**
   * The steps its options were checked against, when it runs with others: a run's tape, made
   * with `--steps`, checks a step-indexed option against the scenario file's steps, as that run
   * did. @default {steps}
   */
  readonly checkedSteps?: number;
  /** The evaluator. */
  readonly evaluator: PluginUse<EvaluatorDefinition>;
  /** The generators, in the order they run (by the first channel each provides). */
  readonly generators: readonly PluginUse<GeneratorDefinition>[];
  /** The sinks, in the order listed. */
  readonly sinks: readonly PluginUse<SinkDefinition>[];
  /** The renderers, in the order listed. */
  readonly renderers: readonly PluginUse<RendererDefinition>[];
  /** Monte Carlo settings, when the scenario has a `monteCarlo` section. */
  readonly monteCarlo: MonteCarloSettings | undefined;
  /** What the plugins' checks warned of, each with the file and field path; absent when none. */
  readonly warnings?: readonly string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const PLUGIN_KEYS = ["use"];

/** The fields of a scenario file's top level and of its `monteCarlo` section. */
export const SCENARIO_FIELDS = {
  top: {
    $schema: string({ doc: "JSON Schema of the file, for editors", optional: true }),
    name: string({
      doc: "Stem of the output files; defaults to the file name without extension",
      pattern: NAME,
      expected: "a plain name of letters, digits, '.', '_' and '-'",
      optional: true,
    }),
    description: string({ doc: "What the scenario is about", optional: true }),
    seed: integer({
      doc: "Seed of every random stream",
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      default: 0,
    }),
    steps: integer({ doc: "Steps per run", min: 1, max: MAX_STEPS }),
  } satisfies Fields,
  monteCarlo: {
    runs: integer({ doc: "Number of independent runs", min: 1, max: MAX_RUNS }),
    keepRuns: boolean({
      doc: "Keep each run's sink files, mc_<name>_<i>.<extension>",
      default: false,
    }),
  } satisfies Fields,
} as const;
const topFields = SCENARIO_FIELDS.top;
const monteCarloFields = SCENARIO_FIELDS.monteCarlo;

const SECTIONS = ["evaluator", "generators", "sinks", "renderers", "monteCarlo"];

/** Where a scenario's text came from, and the built-in table its bare `use` names refer to. */
export interface ParseScenarioOptions {
  /** The file the text is from: names it in errors and anchors relative `use` paths. */
  path: string;
  /** The built-in plugins, such as `BUILTINS` from `plugins/mod.ts`. */
  builtins: BuiltinTable;
}

/**
 * Parses and checks scenario text, loading the plugins it uses.
 *
 * @param text The scenario as JSONC.
 * @param options Where the text came from, and the built-in table.
 * @returns The checked scenario.
 * @throws ScenarioError listing every problem, each with its location.
 */
export async function parseScenario(
  text: string,
  options: ParseScenarioOptions,
): Promise<Scenario> {
  const { path } = options;
  const { raw, twice } = parseText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, path);
  const issues = new Issues();
  const top = readFields(topFields, raw, { path: "", issues, extraKeys: SECTIONS });
  const where = { ...options, issues, steps: top.steps ?? Infinity, warnings: [] as string[] };
  const record = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const name = top.name ?? basename(path, extname(path));
  if (top.name === undefined && !NAME.test(name)) {
    issues.add("name", `the file name ${show(name)} cannot name output files; set "name"`);
  }
  const evaluator = await readPlugin("evaluator", record.evaluator, "evaluator", where);
  const generators = await readGenerators(record.generators, where);
  const sinks = await readList("sink", record.sinks ?? [{ use: "jsonl" }], where);
  const renderers = await readList("renderer", record.renderers ?? [], where);
  const monteCarlo = record.monteCarlo === undefined
    ? undefined
    : readFields(monteCarloFields, record.monteCarlo, { path: "monteCarlo", issues });
  const files = new Map<string, string>([[`${name}.meta.json`, "the run's meta file"]]);
  for (const use of [...sinks, ...renderers]) {
    const file = `${name}.${use.definition.extension}`;
    const other = files.get(file);
    if (other) {
      issues.add(use.key, `writes ${show(file)}, as ${other} does; each file needs its own plugin`);
    }
    files.set(file, show(use.key));
  }
  if (twice.length > 0 || issues.list.length > 0 || !evaluator) {
    throw new ScenarioError([
      ...twice,
      ...issues.list.map(([at, message]) => `${path}: Cannot read ${show(at)}: ${message}`),
    ]);
  }
  const { description, seed, steps } = top;
  return {
    path,
    name,
    description,
    seed,
    steps,
    evaluator,
    generators,
    sinks,
    renderers,
    monteCarlo,
    ...(where.warnings.length > 0 ? { warnings: where.warnings } : {}),
  };
}

/** How deep objects and arrays may nest in a scenario file. */
const MAX_DEPTH = 64;

/** Parses the JSONC, and lists the keys an object gives twice (JSON would keep the last). */
function parseText(text: string, path: string): { raw: unknown; twice: string[] } {
  const place = (offset: number) => {
    const before = text.slice(0, offset).split("\n");
    return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
  };
  const { deep, twice } = scanJsonc(text);
  if (deep !== undefined) {
    throw new ScenarioError(
      `${path}:${
        place(deep)
      }: Cannot parse JSONC: objects and arrays nest deeper than ${MAX_DEPTH} levels`,
    );
  }
  try {
    const raw = parseJsonc(text);
    return {
      raw,
      twice: twice.map(([key, at, first]) =>
        `${path}:${place(at)}: ${key} is given twice in one object (first at ${
          place(first)
        }); keep one`
      ),
    };
  } catch (error) {
    const message = (error as Error).message.replace(/ in JSONC at position \d+$/, "");
    const at = /position (\d+)$/.exec((error as Error).message);
    throw new ScenarioError(`${path}:${place(at ? Number(at[1]) : text.length)}: ${message}`);
  }
}

/**
 * One pass over JSONC tokens, strings and comments skipped: where nesting first passes
 * {@linkcode MAX_DEPTH}, and each key given again in its object, with both offsets.
 */
function scanJsonc(text: string): { deep?: number; twice: [string, number, number][] } {
  const open: (Map<string, number> | undefined)[] = [];
  const twice: [string, number, number][] = [];
  let key = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*")) {
      const line = text[i + 1] === "/";
      const end = text.indexOf(line ? "\n" : "*/", i + 2);
      i = end < 0 ? text.length : line ? end : end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const keys = open.at(-1);
      if (key && keys) {
        const name = text.slice(i, j + 1), first = keys.get(name);
        if (first === undefined) keys.set(name, i);
        else twice.push([name, i, first]);
      }
      key = false;
      i = j;
    } else if (c === "{" || c === "[") {
      open.push(c === "{" ? new Map() : undefined);
      if (open.length > MAX_DEPTH) return { deep: i, twice };
      key = c === "{";
    } else if (c === "}" || c === "]") {
      open.pop();
    } else if (c === ",") {
      key = open.at(-1) !== undefined;
    }
  }
  return { twice };
}

interface Where extends ParseScenarioOptions {
  issues: Issues;
  /** The scenario's steps, for the checks of options that name a step; Infinity if unknown. */
  steps: number;
  /** The plugins' warnings so far, as printed. */
  warnings: string[];
}

type PrepareHook = (options: unknown, scenario: { file: string }) => unknown;

type CheckHook = (
  options: unknown,
  report: (key: string, message: string) => void,
  scenario: { steps: number; file: string; warn: (key: string, message: string) => void },
) => void;

type Use<K extends PluginKind> = PluginUse<Extract<PluginDefinition, { kind: K }>>;

async function readGenerators(value: unknown, where: Where): Promise<Use<"generator">[]> {
  const { issues } = where;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const example = '{ "spot": { "use": "breakout" } }';
    issues.add(
      "generators",
      `expected an object of generators such as ${example}, got ${show(value)}`,
    );
    return [];
  }
  const generators: Use<"generator">[] = [];
  for (const [label, entry] of Object.entries(value)) {
    const used = await readPlugin("generator", entry, join("generators", label), where);
    if (used) generators.push(used);
  }
  const supplier = new Map<Channel, Use<"generator">>();
  for (const generator of generators) {
    for (const channel of channelsOf(generator)) {
      const other = supplier.get(channel);
      if (other) {
        const both = `both ${show(other.key)} and ${show(generator.key)} supply ${show(channel)}`;
        issues.add("generators", `${both}; one generator per channel`);
      }
      supplier.set(channel, generator);
    }
  }
  const order = (g: Use<"generator">) => Math.min(...channelsOf(g).map((c) => CHANNELS.indexOf(c)));
  generators.sort((a, b) => order(a) - order(b));
  if (issues.list.length > 0) return generators;
  for (const channel of ["spot", "iv", "hv"] as const) {
    if (!supplier.has(channel)) issues.add("generators", `no generator supplies ${show(channel)}`);
  }
  for (const generator of generators) {
    for (const need of generator.definition.needs ?? []) {
      const from = supplier.get(need);
      if (from && order(from) < order(generator)) continue;
      const why = "which no earlier generator supplies (channels fill in order time, spot, iv, hv)";
      issues.add(generator.key, `${show(generator.definition.name)} needs ${show(need)}, ${why}`);
    }
  }
  return generators;
}

async function readList<K extends "sink" | "renderer">(
  kind: K,
  value: unknown,
  where: Where,
): Promise<Use<K>[]> {
  const key = `${kind}s`;
  if (!Array.isArray(value)) {
    const example = `[{ "use": "${kind === "sink" ? "jsonl" : "html"}" }]`;
    where.issues.add(key, `expected a list such as ${example}, got ${show(value)}`);
    return [];
  }
  const out: Use<K>[] = [];
  for (const [i, entry] of value.entries()) {
    const used = await readPlugin(kind, entry, join(key, i), where);
    if (used) out.push(used);
  }
  return out;
}

async function readPlugin<K extends PluginKind>(
  kind: K,
  entry: unknown,
  key: string,
  where: Where,
): Promise<Use<K> | undefined> {
  const { issues } = where;
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    issues.add(key, `expected a plugin entry such as { "use": "..." }, got ${show(entry)}`);
    return undefined;
  }
  const use = (entry as Record<string, unknown>).use;
  if (typeof use !== "string") {
    issues.add(join(key, "use"), `expected the name or path of a ${kind} plugin, got ${show(use)}`);
    return undefined;
  }
  let loaded: { definition: PluginDefinition; module: string };
  try {
    loaded = await loadPlugin(use, { scenarioPath: where.path, builtins: where.builtins, kind });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    for (const problem of error.problems) issues.add(join(key, "use"), problem);
    return undefined;
  }
  const { definition, module } = loaded;
  const before = issues.list.length;
  const read = { path: key, issues, extraKeys: PLUGIN_KEYS };
  let options = readFields(definition.options, entry, read);
  const check = definition.check as CheckHook | undefined;
  if (check) {
    const bad = new Set(issues.list.slice(before).map(([at]) => at));
    const report = (field: string, message: string) => {
      // A field already refused is not reported twice.
      if (!bad.has(join(key, field))) issues.add(join(key, field), message);
    };
    try {
      const warn = (field: string, message: string) =>
        void where.warnings.push(`${where.path}: ${show(join(key, field))}: ${message}`);
      check(options, report, { steps: where.steps, file: where.path, warn });
    } catch (error) {
      // With a field refused, the check may meet a value it does not expect: the refusal says it.
      if (bad.size === 0) throw error;
    }
  }
  const checked = options;
  const prepare = definition.prepare as PrepareHook | undefined;
  if (prepare && issues.list.length === before) {
    try {
      options = (await prepare(options, { file: where.path })) as typeof options;
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      for (const problem of error.problems) issues.add(key, problem);
    }
  }
  // A generator whose channels could not be known fills none, rather than all it provides.
  const channels = definition.kind === "generator" && definition.channels
    ? channelsFor(definition as GeneratorDefinition, options, key, where) ?? []
    : undefined;
  return {
    use,
    key,
    definition: definition as Extract<PluginDefinition, { kind: K }>,
    module,
    options,
    ...(options === checked ? {} : { checked }),
    ...(channels ? { channels } : {}),
  };
}

/** A generator's own channels for these options, checked to be ones it provides. */
function channelsFor(
  definition: GeneratorDefinition,
  options: unknown,
  key: string,
  where: Where,
): readonly Channel[] | undefined {
  let channels: readonly Channel[];
  try {
    channels = definition.channels!(options, { file: where.path });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    for (const problem of error.problems) where.issues.add(key, problem);
    return undefined;
  }
  const extra = channels.filter((c) => !definition.provides.includes(c));
  if (channels.length === 0 || extra.length > 0) {
    where.issues.add(key, `fills ${show(channels)}, expected some of ${show(definition.provides)}`);
    return undefined;
  }
  return channels;
}
