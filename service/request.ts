/**
 * A request's scenario: the body read within its size limit, parsed and checked by the CLI's
 * own parser, and refused before any import when it names a plugin the service does not run.
 *
 * @module
 */
import { parse as parseJsonc } from "@std/jsonc";
import { ScenarioError } from "../core/errors.ts";
import { join, show } from "../core/options.ts";
import type { BuiltinTable, PluginKind } from "../core/plugin.ts";
import { findBuiltin, KEBAB } from "../core/resolve.ts";
import type { Scenario } from "../core/scenario.ts";
import { BUILTINS, parseScenario } from "../plugins/mod.ts";
import { HttpError, scenarioProblem } from "./problems.ts";

/** The name a request's scenario goes by in messages, where the CLI names the file. */
export const BODY = "request body";

/**
 * Reads a request's body as UTF-8 text, refusing one over `limit` bytes before reading it all.
 *
 * @param request The request.
 * @param limit The most bytes the body may have.
 * @returns The text.
 * @throws HttpError 413 when the body is too large, 400 when it is not UTF-8.
 *
 * @example A body over the limit is a 413
 * ```ts
 * import { assertEquals, assertRejects } from "@std/assert";
 * import { HttpError } from "./problems.ts";
 * import { readBody } from "./request.ts";
 *
 * const request = new Request("http://localhost/", { method: "POST", body: "x".repeat(20) });
 * const error = await assertRejects(() => readBody(request, 10), HttpError);
 * assertEquals(error.status, 413);
 * ```
 */
export async function readBody(request: Request, limit: number): Promise<string> {
  const tooLarge = () =>
    new HttpError(
      413,
      `${BODY}: Cannot read a scenario of more than ${limit} bytes (the service's --max-body)`,
    );
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limit) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, at), at += chunk.length;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError(
      400,
      `${BODY}: Cannot read the scenario: byte ${
        firstBadByte(bytes)
      } is not UTF-8 (send it as UTF-8)`,
    );
  }
}

/** Where UTF-8 first breaks: the first byte of the sequence that is not valid, as the CLI says. */
function firstBadByte(bytes: Uint8Array): number {
  const valid = (n: number) => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let low = 0, high = bytes.length;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (valid(mid)) low = mid;
    else high = mid - 1;
  }
  // `low` bytes decode, perhaps ending inside a sequence: the sequence's lead byte is the bad one.
  for (let j = low - 1; j >= 0 && j >= low - 3; j--) {
    const b = bytes[j]!;
    if (b >= 0xc0) return j;
    if (b < 0x80) break;
  }
  return low;
}

/** What the service lets a request's scenario use, and how much of it. */
export interface ScenarioPolicy {
  /** `use` strings other than built-in names that a scenario may give, exactly as written. */
  allowUse: readonly string[];
  /** The most steps a run may have. */
  maxSteps: number;
  /** The built-in table. @default {BUILTINS} */
  builtins?: BuiltinTable;
}

/**
 * Parses and checks a request's scenario as the CLI does a file, named {@linkcode BODY} in
 * messages. Before any plugin is imported, a `use` that names a path or a specifier (unless
 * the policy allows it) and a built-in option that names a file on the server are refused, each
 * with its field path; then the steps are held to the policy's limit.
 *
 * @param text The body.
 * @param policy What the service allows.
 * @returns The checked scenario.
 * @throws HttpError 400 when the text does not parse, 422 when it does not validate.
 *
 * @example A plugin from a path is refused with the reason
 * ```ts
 * import { assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
 * import { HttpError } from "./problems.ts";
 * import { loadRequestScenario } from "./request.ts";
 *
 * const text = '{ "steps": 5, "evaluator": { "use": "./mine.ts" }, "generators": {} }';
 * const error = await assertRejects(() => loadRequestScenario(text, { allowUse: [], maxSteps: 10 }), HttpError);
 * assertEquals([error.status, error.items[0]!.path], [422, "evaluator.use"]);
 * assertStringIncludes(error.message, "built-in plugins only");
 * ```
 */
export async function loadRequestScenario(
  text: string,
  policy: ScenarioPolicy,
): Promise<Scenario> {
  const builtins = policy.builtins ?? BUILTINS;
  let raw: unknown;
  try {
    raw = parseJsonc(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    raw = undefined; // the parser below reports it by line and column, as the CLI does
  }
  if (raw !== undefined) {
    const refused = await refusals(raw, policy, builtins);
    if (refused.length > 0) throw new HttpError(422, refused);
  }
  // Without a "name", the CLI names outputs after the file; a body is named DEFAULT_NAME.
  const unnamed = typeof raw === "object" && raw !== null && !Array.isArray(raw) &&
    !("name" in raw);
  try {
    return await parseScenario(unnamed ? named(text) : text, { path: BODY, builtins });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    if (!unnamed) throw scenarioProblem(error);
  }
  // The problems as the body's own text has them, where they are (the name's aside).
  try {
    await parseScenario(text, { path: BODY, builtins });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    const problems = error.problems.filter((p) => !p.startsWith(`${BODY}: Cannot read "name": `));
    throw scenarioProblem(new ScenarioError(problems.length > 0 ? problems : error.problems));
  }
  throw new Error("A scenario failed to parse with a name and parsed without one");
}

/** The name of a scenario whose body gives none: the stem of its batch's files. */
export const DEFAULT_NAME = "scenario";

/** The body with `"name"` added just inside its top-level object, on the brace's line. */
function named(text: string): string {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && text[i] !== "{") {
    if (text.startsWith("//", i)) {
      i = text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i);
    } else if (text.startsWith("/*", i)) i = text.indexOf("*/", i) + 2;
    else i++;
  }
  return `${text.slice(0, i + 1)}"name":${JSON.stringify(DEFAULT_NAME)},${text.slice(i + 1)}`;
}

/** The plugin entries of a scenario's raw value, each with its field path and its kind. */
function entries(raw: unknown): [string, PluginKind, Record<string, unknown>][] {
  if (typeof raw !== "object" || raw === null) return [];
  const record = raw as Record<string, unknown>;
  const out: [string, PluginKind, Record<string, unknown>][] = [];
  const add = (key: string, kind: PluginKind, value: unknown) => {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      out.push([key, kind, value as Record<string, unknown>]);
    }
  };
  add("evaluator", "evaluator", record.evaluator);
  const generators = record.generators;
  if (typeof generators === "object" && generators !== null && !Array.isArray(generators)) {
    for (const [label, value] of Object.entries(generators)) {
      add(join("generators", label), "generator", value);
    }
  }
  for (const [list, kind] of [["sinks", "sink"], ["renderers", "renderer"]] as const) {
    const value = record[list];
    if (Array.isArray(value)) value.forEach((entry, i) => add(join(list, i), kind, entry));
  }
  return out;
}

/** What the policy refuses in a scenario, as the CLI words a field's problem. */
async function refusals(
  raw: unknown,
  policy: ScenarioPolicy,
  builtins: BuiltinTable,
): Promise<string[]> {
  const problems: string[] = [];
  const refuse = (at: string, message: string) =>
    problems.push(`${BODY}: Cannot read ${show(at)}: ${message}`);
  for (const [key, kind, entry] of entries(raw)) {
    const use = entry.use;
    if (typeof use !== "string") continue; // the parser says what is wrong with it
    if (!KEBAB.test(use)) {
      if (policy.allowUse.includes(use)) continue;
      refuse(
        join(key, "use"),
        `the service runs built-in plugins only, and ${
          show(use)
        } names a path or a specifier (its operator may allow it with --allow-use)`,
      );
      continue;
    }
    const builtin = findBuiltin(builtins, { name: use, kind });
    if (!builtin) continue; // "did you mean", from the parser
    const definition = await builtin.load();
    for (const option of definition.dataFiles ?? []) {
      if (entry[option] === undefined) continue;
      refuse(
        join(key, option),
        `the service reads no files on its host, and ${show(use)} would read ${
          show(entry[option])
        }; run this scenario with the CLI`,
      );
    }
  }
  return problems;
}

/**
 * Holds a run's or batch's size to the service's limits.
 *
 * @param asked The steps and runs in force, with where each came from (`steps`, `query.steps`).
 * @param limits The limits.
 * @throws HttpError 422 naming the field and the limit's flag.
 */
export function checkLimits(
  asked: { steps: [number, string]; runs?: [number, string] },
  limits: { maxSteps: number; maxRuns?: number },
): void {
  const problems: string[] = [];
  const [steps, stepsAt] = asked.steps;
  if (steps > limits.maxSteps) {
    problems.push(
      `${BODY}: Cannot read ${
        show(stepsAt)
      }: the service runs at most ${limits.maxSteps} steps a run (its --max-steps), got ${steps}`,
    );
  }
  if (asked.runs && limits.maxRuns !== undefined && asked.runs[0] > limits.maxRuns) {
    const [runs, runsAt] = asked.runs;
    problems.push(
      `${BODY}: Cannot read ${
        show(runsAt)
      }: the service runs at most ${limits.maxRuns} runs a batch (its --max-runs), got ${runs}`,
    );
  }
  if (problems.length > 0) throw new HttpError(422, problems);
}
