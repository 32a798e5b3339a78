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

/** A JSON Schema fragment, as written into `schema/scenario.schema.json`. */
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
}

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

/** Marks a field as optional: absent reads as `undefined`. */
export interface Optional {
  /** The field may be left out, and then reads as `undefined`. */
  optional: true;
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

function rangeText(spec: NumberSpec): string {
  const { min, max } = spec;
  if (min !== undefined && max !== undefined) {
    return ` in ${spec.minExclusive ? "(" : "["}${min}, ${max}${spec.maxExclusive ? ")" : "]"}`;
  }
  if (min !== undefined) return ` ${spec.minExclusive ? ">" : ">="} ${min}`;
  if (max !== undefined) return ` ${spec.maxExclusive ? "<" : "<="} ${max}`;
  return "";
}

function inRange(v: number, spec: NumberSpec): boolean {
  const { min, max } = spec;
  if (min !== undefined && (spec.minExclusive ? v <= min : v < min)) return false;
  if (max !== undefined && (spec.maxExclusive ? v >= max : v > max)) return false;
  return true;
}

function numeric(
  kind: "number" | "integer",
  spec: NumberSpec & Partial<Optional>,
): Field<number | undefined> {
  const expected = `${kind === "integer" ? "an integer" : "a number"}${rangeText(spec)}`;
  const schema: Record<string, unknown> = { type: kind, description: spec.doc };
  if (spec.min !== undefined) schema[spec.minExclusive ? "exclusiveMinimum" : "minimum"] = spec.min;
  if (spec.max !== undefined) schema[spec.maxExclusive ? "exclusiveMaximum" : "maximum"] = spec.max;
  if (spec.default !== undefined) schema.default = spec.default;
  return {
    doc: spec.doc,
    schema,
    read(value, path, issues) {
      if (value === undefined) return absent(spec, path, issues, expected);
      const ok = typeof value === "number" && Number.isFinite(value) &&
        (kind === "number" || Number.isInteger(value)) && inRange(value, spec);
      if (!ok) {
        issues.add(path, `expected ${expected}, got ${show(value)}`);
        return spec.default;
      }
      return value as number;
    },
  };
}

function absent<T>(
  spec: FieldSpec<T> & Partial<Optional>,
  path: string,
  issues: Issues,
  expected: string,
): T | undefined {
  if (spec.default === undefined && !spec.optional) {
    issues.add(path, `expected ${expected}, got nothing (the field is required)`);
  }
  return spec.default;
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
export function number(spec: NumberSpec & Optional): Field<number | undefined>;
/** A number field that must be given, or has a default. */
export function number(spec: NumberSpec): Field<number>;
export function number(spec: NumberSpec & Partial<Optional>): Field<number | undefined> {
  return numeric("number", spec);
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
export function integer(spec: NumberSpec & Optional): Field<number | undefined>;
/** An integer field that must be given, or has a default. */
export function integer(spec: NumberSpec): Field<number>;
export function integer(spec: NumberSpec & Partial<Optional>): Field<number | undefined> {
  return numeric("integer", spec);
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
export function choice<const V extends string>(
  values: readonly V[],
  spec: FieldSpec<V> & Optional,
): Field<V | undefined>;
/** A choice field that must be given, or has a default. */
export function choice<const V extends string>(values: readonly V[], spec: FieldSpec<V>): Field<V>;
export function choice<const V extends string>(
  values: readonly V[],
  spec: FieldSpec<V> & Partial<Optional>,
): Field<V | undefined> {
  const expected = `one of ${values.map((v) => show(v)).join(", ")}`;
  return {
    doc: spec.doc,
    schema: {
      enum: values,
      description: spec.doc,
      ...("default" in spec ? { default: spec.default } : {}),
    },
    read(value, path, issues) {
      if (value === undefined) return absent(spec, path, issues, expected);
      if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
        const hint = typeof value === "string" ? didYouMean(value, values) : "";
        issues.add(path, `expected ${expected}, got ${show(value)}${hint}`);
        return spec.default;
      }
      return value as V;
    },
  };
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
export function boolean(spec: FieldSpec<boolean> & Optional): Field<boolean | undefined>;
/** A boolean field that must be given, or has a default. */
export function boolean(spec: FieldSpec<boolean>): Field<boolean>;
export function boolean(spec: FieldSpec<boolean> & Partial<Optional>): Field<boolean | undefined> {
  return {
    doc: spec.doc,
    schema: {
      type: "boolean",
      description: spec.doc,
      ...("default" in spec ? { default: spec.default } : {}),
    },
    read(value, path, issues) {
      if (value === undefined) return absent(spec, path, issues, "true or false");
      if (typeof value !== "boolean") {
        issues.add(path, `expected true or false, got ${show(value)}`);
        return spec.default;
      }
      return value;
    },
  };
}

/** Settings of {@linkcode string}. */
export interface StringSpec extends FieldSpec<string> {
  /** A regular expression the whole value must match. */
  pattern?: RegExp;
  /** How to describe a matching value in errors, such as "a file name". @default {"a string"} */
  expected?: string;
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
export function string(spec: StringSpec & Optional): Field<string | undefined>;
/** A string field that must be given, or has a default. */
export function string(spec: StringSpec): Field<string>;
export function string(spec: StringSpec & Partial<Optional>): Field<string | undefined> {
  const expected = spec.expected ?? "a string";
  return {
    doc: spec.doc,
    schema: {
      type: "string",
      description: spec.doc,
      ...(spec.pattern ? { pattern: spec.pattern.source } : {}),
      ...("default" in spec ? { default: spec.default } : {}),
    },
    read(value, path, issues) {
      if (value === undefined) return absent(spec, path, issues, expected);
      if (typeof value !== "string" || (spec.pattern && !spec.pattern.test(value))) {
        issues.add(path, `expected ${expected}, got ${show(value)}`);
        return spec.default;
      }
      return value;
    },
  };
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
 *
 * @example An unknown key gets a suggestion
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { Issues, number, readFields } from "./options.ts";
 *
 * const issues = new Issues();
 * readFields({ noise: number({ doc: "Noise", default: 0.3 }) }, { nosie: 1 }, { path: "spot", issues });
 * assertEquals(issues.list[0]?.[1], 'unknown key, expected one of "noise" (did you mean "noise"?)');
 * ```
 */
export function readFields<F extends Fields>(
  fields: F,
  value: unknown,
  context: ReadContext,
): OptionsOf<F> {
  const { path, issues } = context;
  const out: Record<string, unknown> = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.add(path || "(top level)", `expected an object, got ${show(value)}`);
    value = {};
  }
  const record = value as Record<string, unknown>;
  const allowed = [...Object.keys(fields), ...(context.extraKeys ?? [])];
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      const list = allowed.map((k) => show(k)).join(", ");
      issues.add(
        join(path, key),
        `unknown key, expected one of ${list}${didYouMean(key, allowed)}`,
      );
    }
  }
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
    if (!("default" in field.schema) && isRequired(field)) required.push(key);
  }
  return {
    type: "object",
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}

function isRequired(field: Field<unknown>): boolean {
  const probe = new Issues();
  field.read(undefined, "", probe);
  return probe.list.length > 0;
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
