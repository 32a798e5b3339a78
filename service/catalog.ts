/**
 * What the service tells about itself: the built-in plugins with their option schemas
 * (`GET /v1/plugins`) and the scenario JSON Schema (`GET /v1/schema`), the same one editors
 * use through a scenario's `$schema`.
 *
 * @module
 */
import { type JsonSchema, objectSchema } from "../core/options.ts";
import type { PluginKind } from "../core/plugin.ts";
import { BUILTINS } from "../plugins/mod.ts";
import schema from "../scenarios/scenario.schema.json" with { type: "json" };

/** One built-in plugin, as `GET /v1/plugins` lists it. */
export interface PluginEntry {
  /** Its `use` name. */
  name: string;
  /** Its kind. */
  kind: PluginKind;
  /** The JSON Schema of its entry's options, `use` aside. */
  options: JsonSchema;
  /** For a generator, the channels it can fill. */
  provides?: readonly string[];
  /** For a sink or renderer, its file's extension. */
  extension?: string;
  /** The options that name a file on the host: the service refuses them. */
  dataFiles?: readonly string[];
}

let plugins: Promise<PluginEntry[]> | undefined;

/**
 * The built-in plugins, by name and kind, each with the JSON Schema of its options.
 *
 * @returns The list, sorted as the built-in table is.
 *
 * @example The envelope is the built-in evaluator
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { pluginCatalog } from "./catalog.ts";
 *
 * const evaluators = (await pluginCatalog()).filter((p) => p.kind === "evaluator");
 * assertEquals(evaluators.map((p) => p.name), ["envelope"]);
 * ```
 */
export function pluginCatalog(): Promise<PluginEntry[]> {
  return plugins ??= Promise.all(BUILTINS.map(async (builtin) => {
    const d = await builtin.load();
    return {
      name: d.name,
      kind: d.kind,
      options: objectSchema(d.options),
      ...(d.kind === "generator" ? { provides: d.provides } : {}),
      ...(d.kind === "sink" || d.kind === "renderer" ? { extension: d.extension } : {}),
      ...(d.dataFiles && d.dataFiles.length > 0 ? { dataFiles: d.dataFiles } : {}),
    };
  }));
}

/**
 * The scenario JSON Schema: `scenarios/scenario.schema.json`, which `deno task schema` writes
 * from the same fields that check scenarios.
 *
 * @returns The schema.
 */
export function scenarioSchema(): JsonSchema {
  return schema as JsonSchema;
}
