/**
 * Writes scenarios/scenario.schema.json from the scenario fields and the built-in plugins'
 * option fields, so that editors complete and check every field (through a scenario's
 * `$schema`).
 *
 * Run `deno task schema` after adding a built-in plugin or changing an option; a test fails
 * while the checked-in schema is out of date.
 *
 * @module
 */
import { type JsonSchema, objectSchema } from "../core/options.ts";
import type { PluginDefinition, PluginKind } from "../core/plugin.ts";
import { SCENARIO_FIELDS } from "../core/scenario.ts";
import { BUILTINS } from "../plugins/mod.ts";

/** Where the schema lives, beside the scenarios that reference it. */
export const SCHEMA_PATH: URL = new URL("../scenarios/scenario.schema.json", import.meta.url);

/**
 * The schema file's exact text.
 *
 * @returns Pretty-printed JSON with a final newline.
 */
export async function schemaText(): Promise<string> {
  const definitions = await Promise.all(BUILTINS.map((b) => b.load()));
  return JSON.stringify(scenarioSchema(definitions), null, 2) + "\n";
}

/** The JSON Schema of scenario files, built from the same fields that check them. */
function scenarioSchema(builtins: readonly PluginDefinition[]): JsonSchema {
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
      ...builtins.filter((d) => d.kind === kind).map((
        d,
      ) => ({
        ...objectSchema(d.options, {
          use: { const: d.name, description: `The built-in ${kind} "${d.name}"` },
        }),
        required: ["use", ...((objectSchema(d.options).required as string[] | undefined) ?? [])],
      })),
      external,
    ],
  });
  const top = objectSchema(SCENARIO_FIELDS.top) as { properties: Record<string, JsonSchema> };
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
        ...objectSchema(SCENARIO_FIELDS.monteCarlo),
        description: "Run many independent runs and summarise them",
      },
    },
    required: ["steps", "evaluator", "generators"],
    additionalProperties: false,
  };
}

if (import.meta.main) {
  await Deno.writeTextFile(SCHEMA_PATH, await schemaText());
  console.log(`wrote ${SCHEMA_PATH.pathname}`);
}
