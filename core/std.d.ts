// Types for the parts of the Deno standard library option-flight uses.
//
// deno.json maps @std to deno-std on npm, a republish of the same code that ships no type
// declarations. These restore type checking at every call site while code keeps the bare
// @std names; when JSR is reachable, map @std to JSR and delete this file.

declare module "@std/jsonc" {
  /** Parses JSONC (comments and trailing commas allowed); throws SyntaxError with a position. */
  export function parse(text: string): unknown;
}

declare module "@std/csv" {
  export interface ParseOptions {
    separator?: string;
    trimLeadingSpace?: boolean;
    comment?: string;
    lazyQuotes?: boolean;
    fieldsPerRecord?: number;
  }
  /** Parses CSV into rows of fields; throws SyntaxError naming the record, line and column. */
  export function parse(input: string, options?: ParseOptions): string[][];
  export interface StringifyOptions {
    headers?: boolean;
    separator?: string;
    columns?: readonly string[];
  }
  /** Formats rows as CSV, quoting fields that need it; lines end with `\r\n`. */
  export function stringify(
    data: readonly (readonly unknown[])[] | readonly Record<string, unknown>[],
    options?: StringifyOptions,
  ): string;
}

declare module "@std/yaml" {
  /** Parses every document of a YAML stream (`---` between them). */
  export function parseAll(text: string): unknown[];
}

declare module "@std/path" {
  export function join(...paths: string[]): string;
  export function resolve(...paths: string[]): string;
  export function dirname(path: string): string;
  export function basename(path: string, suffix?: string): string;
  export function extname(path: string): string;
  export function relative(from: string, to: string): string;
  export function isAbsolute(path: string): boolean;
  export function toFileUrl(path: string): URL;
  export function fromFileUrl(url: string | URL): string;
}

declare module "@std/cli/parse-args" {
  export interface ParseOptions {
    string?: string[];
    boolean?: string[];
    alias?: Record<string, string>;
    unknown?: (arg: string) => boolean;
  }
  export interface Args {
    _: (string | number)[];
    [flag: string]: unknown;
  }
  export function parseArgs(args: string[], options?: ParseOptions): Args;
}

declare module "@std/assert" {
  // deno-lint-ignore no-explicit-any
  type Constructor = abstract new (...args: any[]) => any;
  export class AssertionError extends Error {}
  export function assert(expr: unknown, msg?: string): asserts expr;
  export function assertEquals<T>(actual: T, expected: T, msg?: string): void;
  export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void;
  export function assertStrictEquals<T>(
    actual: unknown,
    expected: T,
    msg?: string,
  ): asserts actual is T;
  export function assertAlmostEquals(
    actual: number,
    expected: number,
    tolerance?: number,
    msg?: string,
  ): void;
  export function assertExists<T>(actual: T, msg?: string): asserts actual is NonNullable<T>;
  export function assertFalse(expr: unknown, msg?: string): void;
  export function assertGreater<T>(actual: T, expected: T, msg?: string): void;
  export function assertGreaterOrEqual<T>(actual: T, expected: T, msg?: string): void;
  export function assertLess<T>(actual: T, expected: T, msg?: string): void;
  export function assertLessOrEqual<T>(actual: T, expected: T, msg?: string): void;
  export function assertInstanceOf<T extends Constructor>(
    actual: unknown,
    expectedType: T,
    msg?: string,
  ): asserts actual is InstanceType<T>;
  export function assertMatch(actual: string, expected: RegExp, msg?: string): void;
  export function assertNotMatch(actual: string, expected: RegExp, msg?: string): void;
  export function assertStringIncludes(actual: string, expected: string, msg?: string): void;
  export function assertArrayIncludes<T>(
    actual: ArrayLike<T>,
    expected: ArrayLike<T>,
    msg?: string,
  ): void;
  export function assertObjectMatch(
    actual: Record<PropertyKey, unknown>,
    expected: Record<PropertyKey, unknown>,
    msg?: string,
  ): void;
  export function assertThrows<E extends Error = Error>(
    fn: () => unknown,
    ErrorClass?: abstract new (...args: never[]) => E,
    msgIncludes?: string,
    msg?: string,
  ): E;
  export function assertRejects<E extends Error = Error>(
    fn: () => PromiseLike<unknown>,
    ErrorClass?: abstract new (...args: never[]) => E,
    msgIncludes?: string,
    msg?: string,
  ): Promise<E>;
  export function fail(msg?: string): never;
  export function unreachable(msg?: string): never;
}
