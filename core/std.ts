/**
 * Typed entry points to the parts of the Deno standard library option-flight uses.
 *
 * `@std` is mapped in deno.json to `deno-std`, an npm republish of the same code that ships
 * no type declarations; these signatures restore type checking for every call site.
 *
 * @module
 */
import * as jsonc from "@std/jsonc";
import * as path from "@std/path";
import { parseArgs as untypedParseArgs } from "@std/cli/parse-args";

/** Parses JSONC (JSON with comments and trailing commas); throws `SyntaxError` with a position. */
export const parseJsonc: (text: string) => unknown = jsonc.parse;
/** Joins path segments. */
export const join: (...paths: string[]) => string = path.join;
/** Resolves path segments to an absolute path. */
export const resolve: (...paths: string[]) => string = path.resolve;
/** The folder part of a path. */
export const dirname: (path: string) => string = path.dirname;
/** The last part of a path, less `suffix` when given. */
export const basename: (path: string, suffix?: string) => string = path.basename;
/** The extension of a path, with its dot. */
export const extname: (path: string) => string = path.extname;
/** A `file:` URL for an absolute path. */
export const toFileUrl: (path: string) => URL = path.toFileUrl;
/** A path for a `file:` URL. */
export const fromFileUrl: (url: string | URL) => string = path.fromFileUrl;
/** The relative path from `from` to `to`. */
export const relative: (from: string, to: string) => string = path.relative;

/** Parsed command-line arguments. */
export interface ParsedArgs {
  /** Positional arguments. */
  _: (string | number)[];
  /** Flags by name. */
  [flag: string]: unknown;
}

/** Options of {@linkcode parseArgs}. */
export interface ParseArgsOptions {
  /** Flags that take a string value. */
  string?: string[];
  /** Flags that are true or false. */
  boolean?: string[];
  /** Short aliases. */
  alias?: Record<string, string>;
  /** Called for each unknown flag; returning false drops it. */
  unknown?: (arg: string) => boolean;
}

/** Parses command-line arguments. */
export const parseArgs: (args: string[], options?: ParseArgsOptions) => ParsedArgs =
  untypedParseArgs;
