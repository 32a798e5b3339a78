/**
 * Writes scenarios/scenario.schema.json from the built-in plugins' option fields.
 *
 * Run `deno task schema` after adding a built-in plugin or changing an option; a test fails
 * while the checked-in schema is out of date.
 *
 * @module
 */
import { scenarioSchema } from "../core/scenario.ts";

/** Where the schema lives, beside the scenarios that reference it. */
export const SCHEMA_PATH: URL = new URL("../scenarios/scenario.schema.json", import.meta.url);

/**
 * The schema file's exact text.
 *
 * @returns Pretty-printed JSON with a final newline.
 */
export function schemaText(): string {
  return JSON.stringify(scenarioSchema(), null, 2) + "\n";
}

if (import.meta.main) {
  await Deno.writeTextFile(SCHEMA_PATH, schemaText());
  console.log(`wrote ${SCHEMA_PATH.pathname}`);
}
