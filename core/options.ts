/**
 * Declarative option fields for plugins.
 *
 * A plugin lists its options once, as fields built with {@linkcode number}, {@linkcode integer},
 * {@linkcode choice}, {@linkcode boolean}, {@linkcode string} and {@linkcode group}. From that one
 * list the core reads and checks the options (every problem reported with its JSON path), infers
 * their TypeScript type, and writes the JSON Schema that editors use to complete scenario files.
 *
 * @module
 */

/** A JSON Schema fragment, as written into `scenarios/scenario.schema.json`. */
export type JsonSchema = { readonly [key: string]: unknown };

/**
 * One option field. `T` is the type the plugin receives; it includes `undefined` only for
 * fields built with `optional: true`.
 */
export interface Field<T> {
  /** What the field means, its unit, and its default: shown in errors and editors. */
  readonly doc: string;
  /** Reads the raw JSON value, reporting problems under `path`; `undefined` means absent. */
  readonly read: (value: unknown, path: string, issues: Issues) => T;
  /** The JSON Schema of the field. */
  readonly schema: JsonSchema;
}

/** A record of named option fields. */
export type Fields = { readonly [name: string]: Field<unknown> };

/** The option values a set of fields reads into. */
export type OptionsOf<F extends Fields> = {
  readonly [K in keyof F]: F[K] extends Field<infer T> ? T : never;
};

/** Collects the problems found while reading a file, each with the JSON path it concerns. */
export class Issues {
  /** The problems so far, as `[path, message]`. */
  readonly list: [path: string, message: string][] = [];

  /**
   * Records a problem.
   *
   * @param path JSON path of the value, such as `generators.spot.intensity`.
   * @param message What was expected and what was found.
   */
  add(path: string, message: string): void {
    this.list.push([path, message]);
  }
}

/** Common settings of every field helper. */
export interface FieldSpec<T> {
  /** What the field means, with its unit. */
  doc: string;
  /** Value used when the field is absent; a field with no default must be given. */
  default?: T;
  /** Whether the field may be left out, and then reads as `undefined`. @default {false} */
  optional?: boolean;
}

/** The type a field of spec `S` reads: with `undefined` when `S` is optional. */
export type Read<T, S> = S extends { optional: true } ? T | undefined : T;

/** Settings of {@linkcode number} and {@linkcode integer}. */
export interface NumberSpec extends FieldSpec<number> {
  /** Smallest allowed value. */
  min?: number;
  /** Whether `min` itself is excluded. @default {false} */
  minExclusive?: boolean;
  /** Largest allowed value. */
  max?: number;
  /** Whether `max` itself is excluded. @default {false} */
  maxExclusive?: boolean;
}

/** Settings of {@linkcode string}. */
export interface StringSpec extends FieldSpec<string> {
  /** A regular expression the whole value must match. */
  pattern?: RegExp;
  /** How to describe a matching value in errors, such as "a file name". @default {"a string"} */
  expected?: string;
}

/**
 * Renders a JSON value for an error message: strings quoted, others as JSON.
 *
 * @param value Any value read from a scenario file.
 * @returns A short, quoted rendering.
 */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A field that accepts what `ok` accepts, described as `expected` in errors. */
function field<T>(
  spec: FieldSpec<T>,
  schema: Record<string, unknown>,
  expected: string,
  ok: (value: unknown) => boolean,
  hint: (value: unknown) => string = () => "",
): Field<T | undefined> {
  const [[key, value] = [], ...rest] = Object.entries(schema);
  const withDefault = "default" in spec ? { default: spec.default } : {};
  const fullSchema = { [key!]: value, description: spec.doc, ...Object.fromEntries(rest) };
  return {
    doc: spec.doc,
    schema: { ...fullSchema, ...withDefault },
    read(value, path, issues) {
      if (value === undefined) {
        if (spec.default === undefined && !spec.optional) {
          issues.add(path, `expected ${expected}, got nothing (the field is required)`);
        }
        return spec.default;
      }
      if (ok(value)) return value as T;
      issues.add(path, `expected ${expected}, got ${show(value)}${hint(value)}`);
      return spec.default;
    },
  };
}

function numeric<S extends NumberSpec>(kind: "number" | "integer", spec: S): Field<number> {
  const { min, max, minExclusive, maxExclusive } = spec;
  const low = min === undefined ? "" : `${minExclusive ? "(" : "["}${min}`;
  const high = max === undefined ? "" : `${max}${maxExclusive ? ")" : "]"}`;
  const range = low && high
    ? ` in ${low}, ${high}`
    : low
    ? ` ${minExclusive ? ">" : ">="} ${min}`
    : high
    ? ` ${maxExclusive ? "<" : "<="} ${max}`
    : "";
  const schema: Record<string, unknown> = { type: kind };
  if (min !== undefined) schema[minExclusive ? "exclusiveMinimum" : "minimum"] = min;
  if (max !== undefined) schema[maxExclusive ? "exclusiveMaximum" : "maximum"] = max;
  const ok = (v: unknown) =>
    typeof v === "number" && Number.isFinite(v) && (kind === "number" || Number.isInteger(v)) &&
    !(min !== undefined && (minExclusive ? v <= min : v < min)) &&
    !(max !== undefined && (maxExclusive ? v >= max : v > max));
  const expected = `${kind === "integer" ? "an integer" : "a number"}${range}`;
  return field(spec, schema, expected, ok) as Field<number>;
}

/**
 * A finite number field, optionally bounded.
 *
 * @param spec Its doc, default and bounds.
 * @returns The field.
 *
 * @example A number in (0, 1]
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { Issues, number } from "./options.ts";
 *
 * const intensity = number({ doc: "Pull per step", min: 0, minExclusive: true, max: 1 });
 * const issues = new Issues();
 * intensity.read("fast", "spot.intensity", issues);
 * assertEquals(issues.list, [["spot.intensity", 'expected a number in (0, 1], got "fast"']]);
 * ```
 */
export function number<const S extends NumberSpec>(spec: S): Field<Read<number, S>> {
  return numeric("number", spec) as Field<Read<number, S>>;
}

/**
 * A whole-number field, optionally bounded.
 *
 * @param spec Its doc, default and bounds.
 * @returns The field.
 *
 * @example A step index
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { integer, Issues } from "./options.ts";
 *
 * const onset = integer({ doc: "First step of the move", min: 0, default: 0 });
 * assertEquals(onset.read(undefined, "spot.onset", new Issues()), 0);
 * ```
 */
export function integer<const S extends NumberSpec>(spec: S): Field<Read<number, S>> {
  return numeric("integer", spec) as Field<Read<number, S>>;
}

/**
 * A field that takes one of a fixed list of strings.
 *
 * @param values The allowed strings.
 * @param spec Its doc and default.
 * @returns The field.
 *
 * @example Up or down
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { choice, Issues } from "./options.ts";
 *
 * const direction = choice(["up", "down"], { doc: "Breakout direction", default: "up" });
 * assertEquals(direction.read("down", "spot.direction", new Issues()), "down");
 * ```
 */
export function choice<const V extends string, const S extends FieldSpec<V>>(
  values: readonly V[],
  spec: S,
): Field<Read<V, S>> {
  const ok = (v: unknown) => (values as readonly unknown[]).includes(v);
  const hint = (v: unknown) => typeof v === "string" ? didYouMean(v, values) : "";
  const expected = `one of ${values.map((v) => show(v)).join(", ")}`;
  return field(spec, { enum: values }, expected, ok, hint) as Field<Read<V, S>>;
}

/**
 * A true/false field.
 *
 * @param spec Its doc and default.
 * @returns The field.
 *
 * @example A switch
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { boolean, Issues } from "./options.ts";
 *
 * assertEquals(boolean({ doc: "Loop playback", default: true }).read(undefined, "loop", new Issues()), true);
 * ```
 */
export function boolean<const S extends FieldSpec<boolean>>(spec: S): Field<Read<boolean, S>> {
  const ok = (v: unknown) => typeof v === "boolean";
  return field(spec, { type: "boolean" }, "true or false", ok) as Field<Read<boolean, S>>;
}

/**
 * A string field, optionally constrained by a pattern.
 *
 * @param spec Its doc, default and pattern.
 * @returns The field.
 *
 * @example A label
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { Issues, string } from "./options.ts";
 *
 * assertEquals(string({ doc: "Title", default: "flight" }).read("demo", "title", new Issues()), "demo");
 * ```
 */
export function string<const S extends StringSpec>(spec: S): Field<Read<string, S>> {
  const { pattern } = spec;
  const ok = (v: unknown) => typeof v === "string" && (!pattern || pattern.test(v));
  const schema = { type: "string", ...(pattern ? { pattern: pattern.source } : {}) };
  return field(spec, schema, spec.expected ?? "a string", ok) as Field<Read<string, S>>;
}

/**
 * A nested object of fields; absent reads as all its fields' defaults.
 *
 * @param fields The nested fields.
 * @param spec Its doc.
 * @returns The field.
 *
 * @example Nested thresholds
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { group, Issues, number } from "./options.ts";
 *
 * const thresholds = group({ taxiX: number({ doc: "TAXI below this X", default: 0.3 }) }, { doc: "Thresholds" });
 * assertEquals(thresholds.read(undefined, "thresholds", new Issues()), { taxiX: 0.3 });
 * ```
 */
export function group<F extends Fields>(fields: F, spec: { doc: string }): Field<OptionsOf<F>> {
  return {
    doc: spec.doc,
    schema: { ...objectSchema(fields), description: spec.doc },
    read: (value, path, issues) => readFields(fields, value ?? {}, { path, issues }),
  };
}

/** Where {@linkcode readFields} reports. */
export interface ReadContext {
  /** JSON path of the object being read; empty for the top level. */
  path: string;
  /** Where problems go. */
  issues: Issues;
  /** Keys allowed besides the fields (such as `use`), not read here. */
  extraKeys?: readonly string[];
}

/**
 * Reads an object against a set of fields: every field checked, unknown keys reported with the
 * closest allowed key.
 *
 * @param fields The fields to read.
 * @param value The raw JSON value.
 * @param context Path and issue list for errors.
 * @returns The values read; where a field has a problem it holds its default.
 */
export function readFields<F extends Fields>(
  fields: F,
  value: unknown,
  context: ReadContext,
): OptionsOf<F> {
  const { path, issues } = context;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.add(path || "(top level)", `expected an object, got ${show(value)}`);
    value = {};
  }
  const record = value as Record<string, unknown>;
  const allowed = [...Object.keys(fields), ...(context.extraKeys ?? [])];
  for (const key of Object.keys(record)) {
    if (allowed.includes(key)) continue;
    const list = allowed.map((k) => show(k)).join(", ");
    issues.add(join(path, key), `unknown key, expected one of ${list}${didYouMean(key, allowed)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) {
    out[key] = field.read(record[key], join(path, key), issues);
  }
  return out as OptionsOf<F>;
}

/**
 * The JSON Schema of an object with the given fields and no other keys.
 *
 * @param fields The fields.
 * @param extra Additional property schemas (such as `use`).
 * @returns An object schema.
 */
export function objectSchema(fields: Fields, extra: Record<string, JsonSchema> = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = { ...extra };
  const required: string[] = [];
  for (const [key, field] of Object.entries(fields)) {
    properties[key] = field.schema;
    const probe = new Issues();
    field.read(undefined, "", probe);
    if (probe.list.length > 0) required.push(key);
  }
  return {
    type: "object",
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}

/**
 * Joins a JSON path and a key.
 *
 * @param path The parent path, possibly empty.
 * @param key The key or array index.
 * @returns The child path, such as `generators.spot.noise` or `sinks[0]`.
 */
export function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * A "did you mean" hint naming the closest candidate, or an empty string when none is close.
 *
 * @param word What the user wrote.
 * @param candidates What would be valid.
 * @returns ` (did you mean "x"?)` or `""`.
 */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best = "";
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= limit ? ` (did you mean ${show(best)}?)` : "";
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
