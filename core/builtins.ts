/**
 * The built-in plugin table: what a bare `use` name resolves to.
 *
 * @module
 */
import breakout from "../plugins/breakout.ts";
import envelope from "../plugins/envelope.ts";
import falseBreakout from "../plugins/false_breakout.ts";
import html from "../plugins/html.ts";
import hv from "../plugins/hv.ts";
import jsonl from "../plugins/jsonl.ts";
import meanRevert from "../plugins/mean_revert.ts";
import volPath from "../plugins/vol_path.ts";
import type { PluginDefinition } from "./plugin.ts";

/** Built-in plugins by name. A new file in `plugins/` is added here, and nowhere else in core. */
export const BUILTINS: Readonly<Record<string, PluginDefinition>> = Object.freeze({
  [breakout.name]: breakout,
  [envelope.name]: envelope,
  [falseBreakout.name]: falseBreakout,
  [html.name]: html,
  [hv.name]: hv,
  [jsonl.name]: jsonl,
  [meanRevert.name]: meanRevert,
  [volPath.name]: volPath,
});

/**
 * The module of built-in plugin `name`, whose default export is `BUILTINS[name]`: the file in
 * `plugins/` named after it, with `_` for `-` (a test checks every one). Batch workers import
 * only the built-ins a scenario uses, through it.
 *
 * @param name A built-in plugin's name.
 * @returns The module's URL.
 */
export function builtinModule(name: string): string {
  return new URL(`../plugins/${name.replaceAll("-", "_")}.ts`, import.meta.url).href;
}
