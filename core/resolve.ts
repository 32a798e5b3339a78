/**
 * `use` strings, resolved (a pure function of the string, the scenario's folder and the
 * built-in table passed in) and imported, with the default export's shape checked.
 *
 * @module
 */
import { dirname, fromFileUrl, resolve, toFileUrl } from "@std/path";
import { PluginError, ScenarioError } from "./errors.ts";
import { CHANNELS } from "./frame.ts";
import { didYouMean, show } from "./options.ts";
import type { Builtin, BuiltinTable, PluginDefinition, PluginKind } from "./plugin.ts";

/** Kebab-case: the form of plugin names and of built-in `use` strings. */
export const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Where {@linkcode resolveUse} resolves from. */
export interface ResolveOptions {
  /** The scenario file whose folder anchors relative paths. */
  scenarioPath: string;
  /** The plugins a bare name may refer to. */
  builtins: BuiltinTable;
  /** The kind the scenario's section asks for: a bare name is the built-in of this kind. */
  kind: PluginKind;
}

/** What a `use` string resolves to: the module to import, and the definition for a built-in. */
export interface Resolved {
  /** Absolute specifier of the module whose default export is the plugin. */
  readonly module: string;
  /** The built-in, when the string names one. */
  readonly builtin?: Builtin;
}

/**
 * Finds the built-in of a name and a kind.
 *
 * @param builtins The built-in table.
 * @param use The name and the kind.
 * @returns The built-in, or `undefined` when the table has none of that name and kind.
 *
 * @example The csv generator and the csv sink are two built-ins
 * ```ts
 * import { assertEquals, assertNotEquals } from "@std/assert";
 * import { BUILTINS } from "../mod.ts";
 * import { findBuiltin } from "./resolve.ts";
 *
 * const generator = findBuiltin(BUILTINS, { name: "csv", kind: "generator" });
 * const sink = findBuiltin(BUILTINS, { name: "csv", kind: "sink" });
 * assertNotEquals(generator?.module, sink?.module);
 * assertEquals(findBuiltin(BUILTINS, { name: "csv", kind: "renderer" }), undefined);
 * ```
 */
export function findBuiltin(
  builtins: BuiltinTable,
  use: { name: string; kind: PluginKind },
): Builtin | undefined {
  return builtins.find((b) => b.name === use.name && b.kind === use.kind);
}

/** `a`, `a and b`, `a, b and c`. */
function listed(words: readonly string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** The names of the built-ins of a kind, quoted, for messages. */
function namesOf(builtins: BuiltinTable, kind: PluginKind): string {
  const names = builtins.filter((b) => b.kind === kind).map((b) => show(b.name));
  return names.length > 0
    ? `built-in ${kind}s are ${names.join(", ")}`
    : `there is no built-in ${kind}`;
}

/**
 * Resolves a `use` string to a built-in plugin or a module to import. A bare name is the
 * built-in of that name and of the section's kind.
 *
 * @param use The `use` string.
 * @param options The scenario file that names it, the built-in table and the kind expected.
 * @returns The module, and the built-in's definition.
 * @throws ScenarioError for an unknown built-in, one of another kind, an `http(s):` URL or an
 * unrecognised form.
 */
export function resolveUse(use: string, options: ResolveOptions): Resolved {
  const { builtins, kind } = options;
  if (KEBAB.test(use)) {
    const builtin = findBuiltin(builtins, { name: use, kind });
    if (builtin) return { module: builtin.module, builtin };
    const others = builtins.filter((b) => b.name === use).map((b) => `a ${b.kind}`);
    if (others.length > 0) {
      throw new ScenarioError(
        `${show(use)} names ${listed(others)}, not a ${kind}; ${namesOf(builtins, kind)}`,
      );
    }
    const names = builtins.filter((b) => b.kind === kind).map((b) => b.name);
    throw new ScenarioError(
      `Unknown built-in ${kind} ${show(use)}${didYouMean(use, names)}; ${namesOf(builtins, kind)}`,
    );
  }
  const kebab = use.toLowerCase().replaceAll("_", "-");
  if (builtins.some((b) => b.name === kebab)) {
    throw new ScenarioError(
      `Unknown built-in ${kind} ${show(use)}: built-in names are kebab-case (did you mean ${
        show(kebab)
      }?); ${namesOf(builtins, kind)}`,
    );
  }
  if (use.startsWith("./") || use.startsWith("../")) {
    return { module: toFileUrl(resolve(dirname(resolve(options.scenarioPath)), use)).href };
  }
  if (/^(jsr|npm|file):/.test(use)) return { module: use };
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

/** What {@linkcode loadPlugin} loads: a `use` string of a section's kind. */
export type LoadPluginOptions = ResolveOptions;

/**
 * Resolves and imports a plugin, checking that its default export is a plugin of the right
 * kind with a name and the hooks its kind needs.
 *
 * @param use The `use` string.
 * @param options The scenario file, the built-in table and the kind expected.
 * @returns The plugin definition and its module.
 * @throws ScenarioError when it cannot be resolved, imported, or has the wrong shape.
 */
export async function loadPlugin(
  use: string,
  options: LoadPluginOptions,
): Promise<{ definition: PluginDefinition; module: string }> {
  const resolved = resolveUse(use, options);
  let definition: unknown = await resolved.builtin?.load();
  if (!definition) {
    try {
      // Always an absolute file: URL or a jsr:/npm: specifier, never an import-map name, so it
      // resolves the same once published (deno publish warns that it cannot analyse it).
      definition = (await import(resolved.module)).default;
    } catch (error) {
      const message = (error as Error).message;
      const missing = resolved.module.startsWith("file:") && message.startsWith("Module not found");
      if (missing) {
        throw new ScenarioError(
          `Cannot load plugin ${show(use)}: no such file ${show(fromFileUrl(resolved.module))}`,
        );
      }
      // Refused a permission (in the sandbox): the plugin's doing, not the scenario's.
      if ((error as Error).name === "NotCapable") {
        const file = options.scenarioPath, plugin = `${options.kind} ${show(use)}`;
        throw new PluginError({ plugin, file }, `failed to load: ${message}`, {
          cause: error,
        });
      }
      // A syntax error names its place as "at file:///...:line:col": lead with it.
      const at = /(file:\/\/\S+?):(\d+):(\d+)/.exec(message);
      const place = at ? `${fromFileUrl(at[1]!)}:${at[2]}:${at[3]}: ` : "";
      const reason = message.split("\n")[0]!.replace(/\.$/, "");
      throw new ScenarioError(`Cannot load plugin ${show(use)}: ${place}${reason}`);
    }
  }
  const problems = shapeProblems(definition, options.kind);
  if (problems.length > 0) throw new ScenarioError(problems.map((p) => `Plugin ${show(use)} ${p}`));
  return { definition: definition as PluginDefinition, module: resolved.module };
}

const HOOKS: Record<PluginKind, string> = {
  generator: "start",
  evaluator: "start",
  sink: "start",
  renderer: "render",
};

/** Everything wrong with a module's default export as a plugin of `kind`, all at once. */
function shapeProblems(value: unknown, kind: PluginKind): string[] {
  if (typeof value !== "object" || value === null) {
    return [
      `has no plugin as its default export (use defineGenerator, defineEvaluator, defineSink or defineRenderer), got ${
        show(typeof value)
      }`,
    ];
  }
  const d = value as Record<string, unknown>;
  if (d.kind !== kind) {
    return [`is a ${String(d.kind ?? "value of unknown kind")}, expected a ${kind}`];
  }
  const problems: string[] = [];
  if (typeof d.name !== "string" || !KEBAB.test(d.name)) {
    problems.push(`needs a kebab-case "name", got ${show(d.name)}`);
  }
  if (typeof d.options !== "object" || d.options === null) {
    problems.push(`needs an "options" object of fields, even if empty ({})`);
  } else {
    for (const [key, field] of Object.entries(d.options)) {
      if (typeof (field as { read?: unknown })?.read !== "function") {
        problems.push(`option ${show(key)} is not a field (build it with number(), choice(), ...)`);
      }
    }
  }
  if (typeof d[HOOKS[kind]] !== "function") problems.push(`needs a "${HOOKS[kind]}" function`);
  const provides = d.provides;
  if (
    kind === "generator" &&
    !(Array.isArray(provides) && provides.length > 0 &&
      provides.every((c) => (CHANNELS as readonly unknown[]).includes(c)))
  ) {
    const channels = CHANNELS.map((c) => show(c)).join(", ");
    problems.push(`needs "provides", a list of channels from ${channels}, got ${show(provides)}`);
  }
  if (
    (kind === "sink" || kind === "renderer") &&
    !(typeof d.extension === "string" && /^[a-z0-9]+(\.[a-z0-9]+)*$/.test(d.extension))
  ) {
    problems.push(`needs an "extension" such as "jsonl", got ${show(d.extension)}`);
  }
  return problems;
}
