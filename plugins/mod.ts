/**
 * The built-in plugin table, what a bare `use` name resolves to, and scenario loading with it.
 *
 * @module
 */
import type { Builtin, BuiltinTable, PluginDefinition, PluginKind } from "../core/plugin.ts";
import { parse as parseJsonc } from "@std/jsonc";
import { isAbsolute } from "@std/path";
import { ScenarioError } from "../core/errors.ts";
import * as core from "../core/scenario.ts";
import { isMetaData, parseTape } from "../files/tape.ts";
/** A built-in, by its name, kind and file; `load` imports the file, once, when a scenario needs it. */
function builtin(
  name: string,
  kind: PluginKind,
  file: string,
  load: () => Promise<{ default: PluginDefinition }>,
): Builtin {
  let loaded: Promise<PluginDefinition> | undefined;
  const module = new URL(file, import.meta.url).href;
  return Object.freeze({
    name,
    kind,
    module,
    load: () => loaded ??= load().then((m) => m.default),
  });
}

/**
 * Built-in plugins, by name and kind, sorted by name. A new file in `plugins/` is added here,
 * and nowhere in `core/`: its file is named after its `use` name, or `<name>_<kind>.ts` when
 * another kind's built-in has the name already (`csv.ts` reads samples, `csv_sink.ts` writes
 * frames). Each loads only when a scenario uses it: a run of three small plugins does not
 * compile the flight view's page or the market-data readers.
 *
 * @example The built-ins that write frames
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { BUILTINS } from "./mod.ts";
 *
 * assertEquals(BUILTINS.filter((b) => b.kind === "sink").map((b) => b.name), ["csv", "events", "jsonl", "parquet"]);
 * ```
 */
export const BUILTINS: BuiltinTable = Object.freeze([
  builtin("breakout", "generator", "./breakout.ts", () => import("./breakout.ts")),
  builtin("csv", "generator", "./csv.ts", () => import("./csv.ts")),
  builtin("csv", "sink", "./csv_sink.ts", () => import("./csv_sink.ts")),
  builtin("envelope", "evaluator", "./envelope.ts", () => import("./envelope.ts")),
  builtin("events", "sink", "./events.ts", () => import("./events.ts")),
  builtin(
    "false-breakout",
    "generator",
    "./false_breakout.ts",
    () => import("./false_breakout.ts"),
  ),
  builtin("gamma-regime", "generator", "./gamma_regime.ts", () => import("./gamma_regime.ts")),
  builtin("garch", "generator", "./garch.ts", () => import("./garch.ts")),
  builtin("heston", "generator", "./heston.ts", () => import("./heston.ts")),
  builtin("history", "generator", "./history.ts", () => import("./history.ts")),
  builtin("html", "renderer", "./html.ts", () => import("./html.ts")),
  builtin("hv", "generator", "./hv.ts", () => import("./hv.ts")),
  builtin("jsonl", "sink", "./jsonl.ts", () => import("./jsonl.ts")),
  builtin("jumps", "generator", "./jumps.ts", () => import("./jumps.ts")),
  builtin("mean-revert", "generator", "./mean_revert.ts", () => import("./mean_revert.ts")),
  builtin("parquet", "sink", "./parquet.ts", () => import("./parquet.ts")),
  builtin("pin", "generator", "./pin.ts", () => import("./pin.ts")),
  builtin("vol-path", "generator", "./vol_path.ts", () => import("./vol_path.ts")),
]);

/**
 * Reads, parses and checks a scenario file, loading the plugins it uses; bare names are the
 * built-ins unless `options.builtins` gives another table. A run's meta file (told by its
 * `format`) loads as its tape: the scenario as that run ran it, with relative `use` strings and
 * data files resolved against the original scenario's folder.
 *
 * @param path The scenario file.
 * @param options Another built-in table, if any.
 * @returns The checked scenario.
 * @throws ScenarioError listing every problem in the file, each with its location.
 *
 * @example Load a shipped scenario
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * assertEquals(scenario.generators.map((g) => g.definition.name), ["breakout", "vol-path", "hv"]);
 * ```
 */
export async function loadScenario(
  path: string,
  options: { builtins?: BuiltinTable } = {},
): Promise<core.Scenario> {
  let text: string;
  try {
    const bytes = await Deno.readFile(path);
    const bad = firstBadUtf8(bytes);
    if (bad >= 0) {
      throw new ScenarioError(
        `${path}: Cannot read the scenario file: byte ${bad} is not UTF-8 (save the file as UTF-8)`,
      );
    }
    text = new TextDecoder().decode(bytes);
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    const where = isAbsolute(path) ? "" : ` (a relative path, resolved against ${Deno.cwd()})`;
    throw new ScenarioError(
      `${path}: Cannot read the scenario file: ${(error as Error).message}${where}`,
    );
  }
  const builtins = options.builtins ?? BUILTINS;
  if (isMeta(text)) return await parseTape(text, { path, builtins });
  return await parseScenario(text, { path, builtins });
}

/** Whether a file's text is a meta file: JSON(C) whose top level has a `format`. */
function isMeta(text: string): boolean {
  try {
    return isMetaData(parseJsonc(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
  } catch {
    return false; // the scenario parser reports the syntax error by line and column
  }
}

/**
 * Parses and checks scenario text, loading the plugins it uses; bare names are the built-ins
 * unless `options.builtins` gives another table.
 *
 * @param text The scenario as JSONC.
 * @param options The file the text is from, and another built-in table, if any.
 * @returns The checked scenario.
 * @throws ScenarioError listing every problem, each with its location.
 *
 * @example A bad value names its field
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { ScenarioError } from "../core/errors.ts";
 * import { parseScenario } from "./mod.ts";
 *
 * await assertRejects(
 *   () => parseScenario('{ "steps": 0, "evaluator": { "use": "envelope" } }', { path: "x.jsonc" }),
 *   ScenarioError,
 *   'x.jsonc: Cannot read "steps": expected an integer in [1, 10000000], got 0',
 * );
 * ```
 */
export function parseScenario(
  text: string,
  options: { path: string; builtins?: BuiltinTable },
): Promise<core.Scenario> {
  return core.parseScenario(text, { path: options.path, builtins: options.builtins ?? BUILTINS });
}

/** The offset of the first byte that breaks UTF-8 (RFC 3629), or -1 when there is none. */
function firstBadUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const [n, low, high] = b < 0x80
      ? [0, 0, 0]
      : b >= 0xc2 && b <= 0xdf
      ? [1, 0x80, 0xbf]
      : b === 0xe0
      ? [2, 0xa0, 0xbf]
      : b >= 0xe1 && b <= 0xef && b !== 0xed
      ? [2, 0x80, 0xbf]
      : b === 0xed
      ? [2, 0x80, 0x9f]
      : b === 0xf0
      ? [3, 0x90, 0xbf]
      : b >= 0xf1 && b <= 0xf3
      ? [3, 0x80, 0xbf]
      : b === 0xf4
      ? [3, 0x80, 0x8f]
      : [-1, 0, 0];
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}
