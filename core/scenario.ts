/**
 * Scenario files: JSONC parsing, validation of every field, and plugin resolution.
 *
 * A scenario names its plugins by `use` strings. Resolving one is a pure function of the
 * string, the scenario file's folder and the built-in table: a bare kebab-case word is a
 * built-in, `./` and `../` are files relative to the scenario's folder, `jsr:`, `npm:` and
 * `file:` import as given, and `http:`/`https:` are refused.
 *
 * @module
 */
import { parse as parseJsonc } from "@std/jsonc";
import { basename, dirname, extname, fromFileUrl, resolve, toFileUrl } from "@std/path";
import { BUILTINS } from "./builtins.ts";
import { ScenarioError } from "./errors.ts";
import { MAX_STEPS } from "./run.ts";
import { CHANNELS } from "./frame.ts";
import type { Channel } from "./frame.ts";
import {
  boolean,
  didYouMean,
  type Fields,
  integer,
  Issues,
  join,
  type JsonSchema,
  objectSchema,
  readFields,
  show,
  string,
} from "./options.ts";
import type {
  EvaluatorDefinition,
  GeneratorDefinition,
  PluginDefinition,
  PluginKind,
  RendererDefinition,
  SinkDefinition,
} from "./plugin.ts";

/** The most Monte Carlo runs one batch may have. */
export const MAX_RUNS = 10_000_000;

/** A plugin as a scenario uses it: its definition and its checked options. */
export interface PluginUse<D extends PluginDefinition = PluginDefinition> {
  /** The `use` string as written. */
  readonly use: string;
  /** JSON path of the plugin's entry, such as `generators.spot`; also its random stream key. */
  readonly key: string;
  /** The plugin's definition. */
  readonly definition: D;
  /** The plugin's options, read and checked against its fields. */
  readonly options: unknown;
}

/** Monte Carlo settings of a scenario. */
export interface MonteCarloSettings {
  /** Number of independent runs. */
  readonly runs: number;
  /** Whether to keep one JSONL per run, `mc_<name>_<i>.jsonl`. */
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
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PLUGIN_KEYS = ["use"];

const topFields = {
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
} satisfies Fields;

const monteCarloFields = {
  runs: integer({ doc: "Number of independent runs", min: 1, max: MAX_RUNS }),
  keepRuns: boolean({ doc: "Keep one JSONL per run, mc_<name>_<i>.jsonl", default: false }),
} satisfies Fields;

const SECTIONS = ["evaluator", "generators", "sinks", "renderers", "monteCarlo"];

/**
 * Reads, parses and checks a scenario file, loading the plugins it uses.
 *
 * @param path The scenario file.
 * @returns The checked scenario.
 * @throws ScenarioError listing every problem in the file, each with its location.
 *
 * @example Load a shipped scenario
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario } from "./scenario.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * assertEquals(scenario.name, "breakout");
 * ```
 */
export async function loadScenario(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ScenarioError(`${path}: Cannot read the scenario file: ${(error as Error).message}`);
  }
  return await parseScenario(text, { path });
}

/** Where a scenario's text came from. */
export interface ParseScenarioOptions {
  /** The file the text is from: names it in errors and anchors relative `use` paths. */
  path: string;
}

/**
 * Parses and checks scenario text, loading the plugins it uses.
 *
 * @param text The scenario as JSONC.
 * @param options Where the text came from.
 * @returns The checked scenario.
 * @throws ScenarioError listing every problem, each with its location.
 *
 * @example A bad value names its field
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { parseScenario } from "./scenario.ts";
 * import { ScenarioError } from "./errors.ts";
 *
 * await assertRejects(
 *   () => parseScenario('{ "steps": 0, "evaluator": { "use": "envelope" } }', { path: "x.jsonc" }),
 *   ScenarioError,
 *   'x.jsonc: Cannot read "steps": expected an integer in [1, 10000000], got 0',
 * );
 * ```
 */
export async function parseScenario(
  text: string,
  options: ParseScenarioOptions,
): Promise<Scenario> {
  const { path } = options;
  const raw = parseText(text, path);
  const issues = new Issues();
  const top = readFields(topFields, raw, { path: "", issues, extraKeys: SECTIONS });
  const record = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;

  const name = top.name ?? basename(path, extname(path));
  if (top.name === undefined && !NAME.test(name)) {
    issues.add("name", `the file name ${show(name)} cannot name output files; set "name"`);
  }

  const evaluator = await readPlugin("evaluator", record.evaluator, "evaluator", { path, issues });
  const generators = await readGenerators(record.generators, { path, issues });
  const sinks = await readList("sink", record.sinks ?? [{ use: "jsonl" }], "sinks", {
    path,
    issues,
  });
  const renderers = await readList("renderer", record.renderers ?? [], "renderers", {
    path,
    issues,
  });
  const monteCarlo = record.monteCarlo === undefined
    ? undefined
    : readFields(monteCarloFields, record.monteCarlo, { path: "monteCarlo", issues });

  if (issues.list.length > 0 || !evaluator) {
    throw new ScenarioError(
      issues.list.map(([at, message]) => `${path}: Cannot read ${show(at)}: ${message}`),
    );
  }
  return {
    path,
    name,
    description: top.description,
    seed: top.seed,
    steps: top.steps,
    evaluator,
    generators,
    sinks,
    renderers,
    monteCarlo,
  };
}

function parseText(text: string, path: string): unknown {
  try {
    return parseJsonc(text);
  } catch (error) {
    const message = (error as Error).message.replace(/ in JSONC at position \d+$/, "");
    const at = /position (\d+)$/.exec((error as Error).message);
    const offset = at ? Number(at[1]) : text.length;
    const before = text.slice(0, offset).split("\n");
    const line = before.length;
    const column = (before.at(-1)?.length ?? 0) + 1;
    throw new ScenarioError(`${path}:${line}:${column}: ${message}`);
  }
}

interface Where {
  path: string;
  issues: Issues;
}

async function readGenerators(
  value: unknown,
  where: Where,
): Promise<PluginUse<GeneratorDefinition>[]> {
  const { issues } = where;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.add(
      "generators",
      `expected an object of generators such as { "spot": { "use": "breakout" } }, got ${
        show(value)
      }`,
    );
    return [];
  }
  const generators: PluginUse<GeneratorDefinition>[] = [];
  for (const [label, entry] of Object.entries(value)) {
    const used = await readPlugin("generator", entry, join("generators", label), where);
    if (used) generators.push(used);
  }
  const supplier = new Map<Channel, PluginUse<GeneratorDefinition>>();
  for (const generator of generators) {
    for (const channel of generator.definition.provides) {
      const other = supplier.get(channel);
      if (other) {
        issues.add(
          "generators",
          `both ${show(other.key)} and ${show(generator.key)} supply ${
            show(channel)
          }; one generator per channel`,
        );
      }
      supplier.set(channel, generator);
    }
  }
  const order = (g: PluginUse<GeneratorDefinition>) =>
    Math.min(...g.definition.provides.map((c) => CHANNELS.indexOf(c)));
  generators.sort((a, b) => order(a) - order(b));
  if (issues.list.length === 0) {
    for (const channel of ["spot", "iv", "hv"] as const) {
      if (!supplier.has(channel)) {
        issues.add("generators", `no generator supplies ${show(channel)}`);
      }
    }
    for (const generator of generators) {
      for (const need of generator.definition.needs ?? []) {
        const from = supplier.get(need);
        if (!from || order(from) >= order(generator)) {
          issues.add(
            generator.key,
            `${show(generator.definition.name)} needs ${
              show(need)
            }, which no earlier generator supplies (channels fill in order time, spot, iv, hv)`,
          );
        }
      }
    }
  }
  return generators;
}

async function readList<K extends "sink" | "renderer">(
  kind: K,
  value: unknown,
  key: string,
  where: Where,
): Promise<PluginUse<Extract<PluginDefinition, { kind: K }>>[]> {
  if (!Array.isArray(value)) {
    where.issues.add(
      key,
      `expected a list such as [{ "use": "${kind === "sink" ? "jsonl" : "html"}" }], got ${
        show(value)
      }`,
    );
    return [];
  }
  const out: PluginUse<Extract<PluginDefinition, { kind: K }>>[] = [];
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
): Promise<PluginUse<Extract<PluginDefinition, { kind: K }>> | undefined> {
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
  let definition: PluginDefinition;
  try {
    definition = await loadPlugin(use, { scenarioPath: where.path, kind });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    issues.add(join(key, "use"), error.message);
    return undefined;
  }
  const before = issues.list.length;
  const options = readFields(definition.options, entry, {
    path: key,
    issues,
    extraKeys: PLUGIN_KEYS,
  });
  if (before === issues.list.length && definition.check) {
    const check = definition.check as (o: unknown, r: (k: string, m: string) => void) => void;
    check(options, (field, message) => issues.add(join(key, field), message));
  }
  return { use, key, definition: definition as Extract<PluginDefinition, { kind: K }>, options };
}

/** Where {@linkcode resolveUse} resolves from. */
export interface ResolveOptions {
  /** The scenario file whose folder anchors relative paths. */
  scenarioPath: string;
}

/** What a `use` string resolves to. */
export type Resolved =
  | { readonly builtin: PluginDefinition }
  | { readonly specifier: string };

/**
 * Resolves a `use` string to a built-in plugin or an import specifier. Pure: depends only on
 * the string, the scenario file's location and the built-in table.
 *
 * @param use The `use` string.
 * @param options The scenario file that names it.
 * @returns The built-in definition or the specifier to import.
 * @throws ScenarioError for an unknown built-in, an `http(s):` URL or an unrecognised form.
 *
 * @example Relative paths resolve against the scenario's folder
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { resolveUse } from "./scenario.ts";
 *
 * const resolved = resolveUse("./my_vol.ts", { scenarioPath: "/data/scenarios/a.jsonc" });
 * assertEquals(resolved, { specifier: "file:///data/scenarios/my_vol.ts" });
 * ```
 */
export function resolveUse(use: string, options: ResolveOptions): Resolved {
  if (KEBAB.test(use)) {
    const builtin = BUILTINS[use];
    if (builtin) return { builtin };
    const names = Object.keys(BUILTINS);
    throw new ScenarioError(
      `Unknown built-in plugin ${show(use)}${didYouMean(use, names)}; built-ins are ${
        names.map((n) => show(n)).join(", ")
      }`,
    );
  }
  if (use.startsWith("./") || use.startsWith("../")) {
    return { specifier: toFileUrl(resolve(dirname(resolve(options.scenarioPath)), use)).href };
  }
  if (/^(jsr|npm|file):/.test(use)) return { specifier: use };
  if (/^https?:/i.test(use)) {
    throw new ScenarioError(
      `Refusing to import ${
        show(use)
      }: a scenario must not run code fetched over the network at run time; save the file beside the scenario and use "./name.ts", or publish it to JSR or npm`,
    );
  }
  throw new ScenarioError(
    `Cannot resolve ${
      show(use)
    }: expected a built-in name (kebab-case), a relative path starting with "./" or "../", or a jsr:, npm: or file: specifier`,
  );
}

/** What {@linkcode loadPlugin} loads. */
export interface LoadPluginOptions extends ResolveOptions {
  /** The kind of plugin expected. */
  kind: PluginKind;
}

/**
 * Resolves and imports a plugin, checking that its default export is a plugin of the right
 * kind with a name and the hooks its kind needs.
 *
 * @param use The `use` string.
 * @param options The scenario file and the kind expected.
 * @returns The plugin definition.
 * @throws ScenarioError when it cannot be resolved, imported, or has the wrong shape.
 *
 * @example Built-ins load without an import
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadPlugin } from "./scenario.ts";
 *
 * const plugin = await loadPlugin("breakout", { scenarioPath: "x.jsonc", kind: "generator" });
 * assertEquals(plugin.name, "breakout");
 * ```
 */
export async function loadPlugin(
  use: string,
  options: LoadPluginOptions,
): Promise<PluginDefinition> {
  const resolved = resolveUse(use, options);
  let definition: unknown;
  if ("builtin" in resolved) {
    definition = resolved.builtin;
  } else {
    try {
      // Always an absolute file: URL or a jsr:/npm: specifier, never an import-map name, so it
      // resolves the same once published (deno publish warns that it cannot analyse it).
      definition = (await import(resolved.specifier)).default;
    } catch (error) {
      const missing = resolved.specifier.startsWith("file:") &&
        (error as Error).message.startsWith("Module not found");
      const reason = missing
        ? `no such file ${show(fromFileUrl(resolved.specifier))}`
        : (error as Error).message.split("\n")[0]!.replace(/\.$/, "");
      throw new ScenarioError(`Cannot load plugin ${show(use)}: ${reason}`);
    }
  }
  const problem = shapeProblem(definition, options.kind);
  if (problem) throw new ScenarioError(`Plugin ${show(use)} ${problem}`);
  return definition as PluginDefinition;
}

function shapeProblem(value: unknown, kind: PluginKind): string | undefined {
  if (typeof value !== "object" || value === null) {
    return `has no plugin as its default export (use defineGenerator, defineEvaluator, defineSink or defineRenderer), got ${
      show(typeof value)
    }`;
  }
  const d = value as Record<string, unknown>;
  if (d.kind !== kind) {
    return `is a ${String(d.kind ?? "value of unknown kind")}, expected a ${kind}`;
  }
  if (typeof d.name !== "string" || !KEBAB.test(d.name)) {
    return `needs a kebab-case "name", got ${show(d.name)}`;
  }
  if (typeof d.options !== "object" || d.options === null) {
    return `needs an "options" object of fields`;
  }
  for (const [key, field] of Object.entries(d.options)) {
    if (typeof (field as { read?: unknown })?.read !== "function") {
      return `option ${show(key)} is not a field (build it with number(), choice(), ...)`;
    }
  }
  const hooks: Record<PluginKind, string[]> = {
    generator: ["start"],
    evaluator: ["start"],
    sink: ["start"],
    renderer: ["render"],
  };
  for (const hook of hooks[kind]) {
    if (typeof d[hook] !== "function") return `needs a "${hook}" function`;
  }
  if (kind === "generator") {
    const provides = d.provides;
    if (
      !Array.isArray(provides) || provides.length === 0 ||
      !provides.every((c) => (CHANNELS as readonly unknown[]).includes(c))
    ) {
      return `needs "provides", a list of channels from ${
        CHANNELS.map((c) => show(c)).join(", ")
      }, got ${show(provides)}`;
    }
  }
  if (
    (kind === "sink" || kind === "renderer") &&
    !(typeof d.extension === "string" && /^[a-z0-9]+(\.[a-z0-9]+)*$/.test(d.extension))
  ) {
    return `needs an "extension" such as "jsonl", got ${show(d.extension)}`;
  }
  return undefined;
}

/**
 * The JSON Schema of scenario files, built from the same fields that check them: editors use
 * it (through a scenario's `$schema`) to complete and check every field of the built-ins.
 *
 * @returns The schema, as a JSON value.
 *
 * @example Every built-in generator is described
 * ```ts
 * import { assert } from "@std/assert";
 * import { scenarioSchema } from "./scenario.ts";
 *
 * assert(JSON.stringify(scenarioSchema()).includes('"const":"mean-revert"'));
 * ```
 */
export function scenarioSchema(): JsonSchema {
  const external: JsonSchema = {
    type: "object",
    description: "A plugin from a file or package: its options are checked when the scenario loads",
    properties: {
      use: {
        type: "string",
        pattern: "^(\\./|\\.\\./|jsr:|npm:|file:)",
        description:
          'A path relative to the scenario ("./my_vol.ts"), or a jsr:, npm: or file: specifier',
      },
    },
    required: ["use"],
  };
  const entry = (kind: PluginKind): JsonSchema => ({
    anyOf: [
      ...Object.values(BUILTINS).filter((d) => d.kind === kind).map((d) => ({
        ...objectSchema(d.options, {
          use: { const: d.name, description: `The built-in ${kind} "${d.name}"` },
        }),
        required: ["use", ...((objectSchema(d.options).required as string[] | undefined) ?? [])],
      })),
      external,
    ],
  });
  const top = objectSchema(topFields) as { properties: Record<string, JsonSchema> };
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "option-flight scenario",
    description: "A scenario: generators, an evaluator, sinks and renderers, and how long to run",
    type: "object",
    properties: {
      ...top.properties,
      evaluator: {
        ...entry("evaluator"),
        description: "Maps samples to X, Y, Z, regime and flags",
      },
      generators: {
        type: "object",
        description: "Generators by label; together they supply the spot, iv and hv channels",
        additionalProperties: entry("generator"),
      },
      sinks: {
        type: "array",
        description: 'Receive frames as they stream; default [{ "use": "jsonl" }]',
        items: entry("sink"),
      },
      renderers: {
        type: "array",
        description: "Draw the complete run into one file each",
        items: entry("renderer"),
      },
      monteCarlo: {
        ...objectSchema(monteCarloFields),
        description: "Run many independent runs and summarise them",
      },
    },
    required: ["steps", "evaluator", "generators"],
    additionalProperties: false,
  };
}
