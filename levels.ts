/**
 * The `levels` command: the dealer-gamma levels of Cboe option chains (SPEC §6), printed and
 * written as `<name>.levels.json` and `<name>.levels.html`; over several chains, also a levels
 * series `<name>.levels.csv` (`date,flip,putWall,callWall`), the input of moving levels.
 *
 * ```sh
 * deno task levels ../shared/data/spx_option_chain_2022-12-12_cboe.csv --out output
 * deno task levels chains/ --prices spx_daily.csv
 * ```
 *
 * Every file is written atomically into the output folder: a failure leaves nothing. Exit codes
 * as `run`: 0 on success, 2 for a bad chain, price file or argument, 1 for anything else.
 *
 * @module
 */
import { ScenarioError } from "./core/errors.ts";
import { FILE_NAME, OutputSet } from "./files/atomic.ts";
import { levelsPage } from "./files/levels_page.ts";
import { type Chain, readChain } from "./markets/chain.ts";
import type { DailySeries } from "./markets/history.ts";
import {
  computeLevels,
  DEALER_SIGNS,
  type DealerSign,
  type ExpiryFilter,
  type LevelsDocument,
  levelsDocument,
  levelVariants,
  type ResolvedLevelsOptions,
  resolveLevelsOptions,
  WALL_RESTRICTIONS,
  type WallRestriction,
} from "./markets/levels.ts";
import { parseArgs } from "@std/cli/parse-args";
import { failureCode, runProgram } from "./files/process.ts";

const USAGE = `Usage: deno task levels <chain.csv | folder...> [options]

Reads Cboe option-chain exports (the delayed-quotes CSV) and prints, for each, spot, net GEX
at spot, the gamma flip, the call and put walls and the largest open-interest strikes. Writes
<name>.levels.json (every value, option and definition, with the variants side by side) and
<name>.levels.html (the GEX profile and per-strike GEX) into the output folder.

Over several chain files, or a folder (each *.csv in it), also writes <name>.levels.csv, a
levels series "date,flip,putWall,callWall" sorted by date: the input of moving levels. Then
each chain's own files take its file's name, and --name names the series.

Options:
  --out DIR            Output folder (default: output)
  --name NAME          Name of the files (default: the chain file's name without .csv; for a
                       series, the chains' folder's name)
  --restriction R      Where the walls may sit: none, flip (strictly beyond the flip, so
                       putWall < flip < callWall) or spot (default: flip)
  --expiries E         Expiries in the flip's profile: all, exclude-nearest (drops the first
                       listed) or next:N (the first N listed) (default: all)
  --dealer D           long-calls-short-puts (calls +, puts -) or short-calls-long-puts
                       (default: long-calls-short-puts)
  --prices FILE        A daily price file (date,open,high,low,close or the layouts in
                       ../shared/data): warns when a chain's spot is more than 1% from the
                       close on the chain's date
  --quiet              Print nothing on success but warnings
  --help               Show this help

Conventions (SPEC §6): GEX = gamma * OI * 100 * spot^2 * 0.01, dollars per 1% move; walls from
per-strike sums over all expirations with Cboe's gammas at spot; flip = zero crossing nearest
spot of the Black-Scholes GEX profile at 801 spots from 0.8 to 1.2 times spot.

Exit codes: 0 success, 2 bad chain, price file or arguments, 1 anything else.`;

/** How far a chain's spot may be from the price file's close before a warning: 1%. */
export const PRICE_TOLERANCE = 0.01;

/** Calendar days back from a chain's date searched for a close (a weekend or holiday export). */
const PRICE_LOOKBACK_DAYS = 4;

/** Where {@linkcode main} prints. */
export interface LevelsMainOptions {
  /** Receives normal output, a line at a time. @default {console.log} */
  stdout?: (line: string) => void;
  /** Receives warnings and errors, a line at a time. @default {console.error} */
  stderr?: (line: string) => void;
  /** Stops the work, which then writes nothing; its reason's `code` is the exit code. */
  signal?: AbortSignal;
}

/**
 * Runs the `levels` command with the given arguments.
 *
 * @param args Command-line arguments, without the program name.
 * @param options Where to print, and a signal that stops the work.
 * @returns The exit code: 0 success, 2 bad chain, price file or arguments, 1 anything else.
 *
 * @example Bad arguments exit 2
 * ```ts
 * import { assertEquals, assertStringIncludes } from "@std/assert";
 * import { main } from "./levels.ts";
 *
 * const errors: string[] = [];
 * const code = await main(["chain.csv", "--restriction", "wide"], {
 *   stderr: (line) => errors.push(line),
 * });
 * assertEquals(code, 2);
 * assertStringIncludes(errors[0]!, 'Option --restriction: expected one of "none", "flip", "spot"');
 * ```
 */
export async function main(args: string[], options: LevelsMainOptions = {}): Promise<number> {
  const stdout = options.stdout ?? console.log;
  const stderr = options.stderr ?? console.error;
  try {
    const flags = readArgs(args);
    if (flags.help) {
      stdout(USAGE);
      return 0;
    }
    const lines = await levels(flags, { stderr, signal: options.signal });
    if (!flags.quiet) { for (const line of lines) stdout(line); }
    return 0;
  } catch (error) {
    return failureCode(error, stderr);
  }
}

interface Flags {
  inputs: string[];
  out: string;
  name: string | undefined;
  options: ResolvedLevelsOptions;
  prices: string | undefined;
  quiet: boolean;
  help: boolean;
}

const STRINGS = ["out", "name", "restriction", "expiries", "dealer", "prices"];
const BOOLEANS = ["quiet", "help"];

function readArgs(args: string[]): Flags {
  const unknown: string[] = [];
  const parsed = parseArgs(args, {
    string: STRINGS,
    boolean: BOOLEANS,
    alias: { h: "help", q: "quiet" },
    unknown: (arg) => {
      if (arg.startsWith("-")) unknown.push(arg);
      return !arg.startsWith("-");
    },
  });
  const problems = unknown.map((arg) => `Unknown option ${JSON.stringify(arg)}; see --help`);
  const help = parsed.help === true;
  const inputs = parsed._.map(String);
  if (!help && inputs.length === 0) {
    problems.push("Expected one or more chain files or folders, got none; see --help");
  }
  const text = (flag: string): string | undefined => {
    const raw = parsed[flag];
    if (raw === undefined) return undefined;
    if (typeof raw !== "string" || raw === "") {
      problems.push(`Option --${flag}: expected a value, got ${JSON.stringify(raw ?? "")}`);
      return undefined;
    }
    return raw;
  };
  const oneOf = <T extends string>(flag: string, allowed: readonly T[]): T | undefined => {
    const raw = text(flag);
    if (raw === undefined) return undefined;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(
      `Option --${flag}: expected one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ` +
        JSON.stringify(raw),
    );
    return undefined;
  };
  const restriction = oneOf<WallRestriction>("restriction", WALL_RESTRICTIONS);
  const dealer = oneOf<DealerSign>("dealer", DEALER_SIGNS);
  const expiries = readExpiries(text("expiries"), problems);
  const out = text("out") ?? "output";
  const name = text("name");
  if (name !== undefined && !FILE_NAME.test(name)) {
    problems.push(
      `Option --name: expected a plain file name (letters, digits, ".", "_" and "-", not ` +
        `starting with "." or "-"), got ${JSON.stringify(name)}`,
    );
  }
  const prices = text("prices");
  if (problems.length > 0) throw new ScenarioError(problems);
  return {
    inputs,
    out,
    name,
    options: resolveLevelsOptions({
      ...(restriction ? { restriction } : {}),
      ...(dealer ? { dealer } : {}),
      ...(expiries ? { expiries } : {}),
    }),
    prices,
    quiet: parsed.quiet === true,
    help,
  };
}

/** `all`, `exclude-nearest` or `next:N`. */
function readExpiries(raw: string | undefined, problems: string[]): ExpiryFilter | undefined {
  if (raw === undefined) return undefined;
  if (raw === "all" || raw === "exclude-nearest") return raw;
  const next = /^next:(\d+)$/.exec(raw)?.[1];
  if (next !== undefined && Number(next) >= 1 && Number.isSafeInteger(Number(next))) {
    return { next: Number(next) };
  }
  problems.push(
    `Option --expiries: expected "all", "exclude-nearest" or "next:N" with N >= 1, got ` +
      JSON.stringify(raw),
  );
  return undefined;
}

/** One chain file to read and the name of its files. */
interface Input {
  path: string;
  name: string;
}

/** A row of the levels series, with the chain it came from and its printed line. */
interface SeriesRow {
  path: string;
  date: string;
  line: string;
  flip: number | null;
  putWall: number | null;
  callWall: number | null;
}

/** Reads, computes and writes everything; returns the lines to print on success. */
async function levels(
  flags: Flags,
  io: { stderr: (line: string) => void; signal: AbortSignal | undefined },
): Promise<string[]> {
  const { inputs, series, seriesName } = await expandInputs(flags);
  // Loaded only when asked for: the price reader pulls in @std/path, 40 ms of start-up.
  const prices = flags.prices === undefined
    ? undefined
    : await (await import("./markets/history.ts")).readDaily(flags.prices);
  const output = new OutputSet(flags.out);
  const shown = (name: string) => inFolder(flags.out, name);
  try {
    const problems: string[] = [];
    const lines: string[] = [];
    const rows: SeriesRow[] = [];
    const written: string[] = [];
    for (const input of inputs) {
      if (io.signal?.aborted) throw io.signal.reason;
      try {
        const chain = await readChain(input.path);
        const result = chainLevels(chain, flags.options, prices);
        for (const warning of result.warnings) io.stderr(`warning: ${warning}`);
        const json = `${input.name}.levels.json`;
        const html = `${input.name}.levels.html`;
        await output.writeFile(json, jsonText(result.doc) + "\n");
        await output.writeFile(html, levelsPage(result.doc, { name: input.name }));
        written.push(shown(json), shown(html));
        if (series) {
          rows.push({
            path: input.path,
            date: chain.date,
            line: seriesLine(result.doc, input.name),
            ...seriesLevels(result.doc),
          });
        } else {
          lines.push(...detailLines(result.doc, input.name, result.priceLine));
        }
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        problems.push(...error.problems);
      }
    }
    if (series) problems.push(...seriesProblems(rows, flags.options));
    if (problems.length > 0) throw new ScenarioError(problems);
    rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    if (series) {
      const csv = `${seriesName}.levels.csv`;
      await output.writeFile(csv, seriesText(rows));
      written.push(shown(csv));
    }
    if (io.signal?.aborted) throw io.signal.reason;
    await output.commit();
    if (series) {
      lines.unshift(
        `levels series ${seriesName}: ${rows.length} chain${rows.length === 1 ? "" : "s"}, ` +
          `${rows[0]!.date} to ${rows[rows.length - 1]!.date}`,
        `  ${"date".padEnd(10)}  ${"spot".padStart(9)}  ${"net GEX $bn".padStart(11)}  ` +
          `${"flip".padStart(9)}  ${"put wall".padStart(9)}  ${"call wall".padStart(9)}  chain`,
        ...rows.map((row) => row.line),
      );
      lines.push(`  wrote        ${written.at(-1)} and ${written.length - 1} chain files`);
    } else {
      lines.push(`  wrote        ${written.join(", ")}`);
    }
    if (output.staleRemoved > 0) {
      lines.push(
        `  note         removed ${output.staleRemoved} temporary file` +
          `${output.staleRemoved === 1 ? "" : "s"} that a killed earlier run left in the folder`,
      );
    }
    return lines;
  } catch (error) {
    await output.abort();
    throw error;
  }
}

/** The chain files named by the arguments (folders expanded), their names, and the series'. */
async function expandInputs(
  flags: Flags,
): Promise<{ inputs: Input[]; series: boolean; seriesName: string }> {
  const paths: string[] = [];
  const problems: string[] = [];
  let folder: string | undefined;
  for (const arg of flags.inputs) {
    let isFolder = false;
    try {
      isFolder = (await Deno.stat(arg)).isDirectory;
    } catch { /* missing: readChain names it */ }
    if (!isFolder) {
      paths.push(arg);
      continue;
    }
    folder ??= arg;
    const found: string[] = [];
    try {
      for await (const entry of Deno.readDir(arg)) {
        if (!entry.isDirectory && /\.csv$/i.test(entry.name)) {
          found.push(entry.name);
        }
      }
    } catch (error) {
      problems.push(`${arg}: Cannot read the folder: ${(error as Error).message}`);
      continue;
    }
    if (found.length === 0) {
      problems.push(`${arg}: No chain files: expected *.csv files in the folder, found none`);
    }
    for (const name of found.sort()) paths.push(inFolder(arg, name));
  }
  const series = paths.length > 1 || folder !== undefined;
  const inputs = paths.map((path) => ({
    path,
    name: !series && flags.name !== undefined ? flags.name : fileName(path),
  }));
  const byName = new Map<string, string>();
  for (const input of inputs) {
    const other = byName.get(input.name);
    if (other !== undefined) {
      problems.push(
        `${input.path}: Cannot write ${input.name}.levels.json: ${other} writes it too; ` +
          "give the chain files different names",
      );
    } else byName.set(input.name, input.path);
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  const common = new Set(paths.map((path) => parentOf(absolute(path))));
  const seriesName = flags.name ??
    (common.size === 1
      ? fileName(folder === undefined ? [...common][0]! : absolute(folder))
      : "series");
  return { inputs, series, seriesName };
}

// Paths by hand, not @std/path: that npm import costs the command 40 ms of its start-up, more
// than these few lines of string handling for the names it shows and derives.

/** Separators of the platform's paths. */
const SEPARATORS = Deno.build.os === "windows" ? /[\\/]+/ : /\/+/;
const SEPARATOR = Deno.build.os === "windows" ? "\\" : "/";

/** The path of a plain file name in a folder. */
function inFolder(dir: string, name: string): string {
  return /[\\/]$/.test(dir) ? dir + name : dir + SEPARATOR + name;
}

/** A path made absolute against the working folder, `.` and `..` resolved. */
function absolute(path: string): string {
  const rooted = /^([A-Za-z]:)?[\\/]/.test(path);
  const parts: string[] = [];
  for (const part of (rooted ? path : Deno.cwd() + SEPARATOR + path).split(SEPARATORS)) {
    if (part === "..") {
      if (parts.length > 1) parts.pop();
    } else if (part !== "." && (part !== "" || parts.length === 0)) parts.push(part);
  }
  return parts.length === 1 ? parts[0] + SEPARATOR : parts.join(SEPARATOR);
}

/** The folder holding an absolute path. */
function parentOf(path: string): string {
  const parts = path.split(SEPARATORS);
  return parts.length <= 2 ? parts[0] + SEPARATOR : parts.slice(0, -1).join(SEPARATOR);
}

/** A file's name without its extension, made a plain output name (other characters as "_"). */
function fileName(path: string): string {
  const base = path.split(SEPARATORS).filter((part) => part !== "").pop() ?? "";
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const plain = stem.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[._-]+/, "").slice(0, 180);
  return plain === "" ? "levels" : plain;
}

/** What one chain gives: the levels document, and what the price check found. */
interface ChainResult {
  doc: LevelsDocument;
  /** Warnings for stderr (also in the document's notes). */
  warnings: string[];
  /** The price check when it passed, for the printed summary. */
  priceLine: string | undefined;
}

function chainLevels(
  chain: Chain,
  options: ResolvedLevelsOptions,
  prices: DailySeries | undefined,
): ChainResult {
  const levels = computeLevels(chain, options);
  const variants = levelVariants(chain, {
    range: options.range,
    points: options.points,
    businessDaysPerYear: options.businessDaysPerYear,
  });
  const doc = levelsDocument(levels, { variants });
  if (!prices) return { doc, warnings: [], priceLine: undefined };
  const check = checkPrice(chain, prices);
  if (check.warning === undefined) return { doc, warnings: [], priceLine: check.line };
  return {
    doc: { ...doc, notes: [...doc.notes, check.warning] },
    warnings: [check.warning],
    priceLine: undefined,
  };
}

/** Compares the chain's spot with the price file's close on (or just before) its date. */
function checkPrice(chain: Chain, prices: DailySeries): { warning?: string; line?: string } {
  const index = closeOnOrBefore(prices, chain.date);
  if (index === undefined) {
    return {
      warning: `${chain.path}: Cannot check spot ${number(chain.spot)} against ${prices.path}: ` +
        `it has no close on ${chain.date} or in the ${PRICE_LOOKBACK_DAYS} days before`,
    };
  }
  const date = prices.dates[index]!;
  const close = prices.close[index]!;
  const on = date === chain.date
    ? `on ${date}`
    : `on ${date} (the last session before the chain's date ${chain.date})`;
  const gap = Math.abs(chain.spot - close) / close;
  const percent = `${(100 * gap).toFixed(gap < 0.1 ? 2 : 0)}%`;
  if (gap > PRICE_TOLERANCE) {
    return {
      warning: `${chain.path}: Spot ${number(chain.spot)} differs by ${percent} from the close ` +
        `${number(close)} ${on} in ${prices.path}: are they the same underlying (an SPX ` +
        "chain against SPY prices)?",
    };
  }
  return { line: `close ${number(close)} ${on} in ${prices.path}, ${percent} from spot` };
}

/** The row of the last session on or up to {@linkcode PRICE_LOOKBACK_DAYS} before `date`. */
function closeOnOrBefore(prices: DailySeries, date: string): number | undefined {
  const { dates } = prices;
  // Dates increase strictly: the last one <= date, by bisection.
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  const index = lo - 1;
  if (index < 0) return undefined;
  const days = (Date.parse(date) - Date.parse(dates[index]!)) / 86_400_000;
  return days <= PRICE_LOOKBACK_DAYS ? index : undefined;
}

/** The levels a series row holds. */
function seriesLevels(doc: LevelsDocument): Pick<SeriesRow, "flip" | "putWall" | "callWall"> {
  const { flip, putWall, callWall } = doc.levels;
  return { flip, putWall, callWall };
}

/** Rows the levels series cannot hold: no flip or walls, unordered levels, repeated dates. */
function seriesProblems(rows: SeriesRow[], options: ResolvedLevelsOptions): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const row of rows) {
    const { flip, putWall, callWall } = row;
    const why = "Cannot write its row of the levels series";
    if (flip === null) {
      problems.push(`${row.path}: ${why}: the GEX profile does not cross zero, so it has no flip`);
    } else if (putWall === null || callWall === null) {
      problems.push(
        `${row.path}: ${why}: no ${putWall === null ? "put" : "call"} wall restricted to the ` +
          `${options.restriction}`,
      );
    } else if (!(putWall < flip && flip < callWall)) {
      problems.push(
        `${row.path}: ${why}: restriction "${options.restriction}" gives put wall ` +
          `${number(putWall)}, flip ${number(flip)} and call wall ${number(callWall)}, which ` +
          "break putWall < flip < callWall (moving levels need it); use --restriction flip, " +
          "the default",
      );
    }
    const other = seen.get(row.date);
    if (other !== undefined) {
      problems.push(
        `${row.path}: Cannot add to the levels series: its date ${row.date} is also the date of ` +
          `${other}; one chain per date`,
      );
    } else seen.set(row.date, row.path);
  }
  return problems;
}

/** `date,flip,putWall,callWall`, rows as given (sorted by date), numbers as computed. */
function seriesText(rows: SeriesRow[]): string {
  return "date,flip,putWall,callWall\n" +
    rows.map((r) => `${r.date},${r.flip},${r.putWall},${r.callWall}\n`).join("");
}

/** The summary of one chain, for a single chain. */
function detailLines(doc: LevelsDocument, name: string, priceLine: string | undefined): string[] {
  const l = doc.levels;
  const o = doc.options;
  const restricted = o.restriction === "none"
    ? "unrestricted"
    : o.restriction === "flip"
    ? "beyond the flip"
    : "at or beyond spot";
  const row = (label: string, text: string) => `  ${label.padEnd(13)}${text}`;
  const lines = [
    `${name}: chain of ${doc.source.date}, spot ${number(l.spot)}`,
    row(
      "net GEX",
      `${bn(l.netGexAtSpot)} $bn per 1% move at spot (Cboe gammas, all expiries, ${o.dealer})`,
    ),
    row("flip", `${levelText(l.flip)} (GEX profile, ${expiryText(o.expiries)})`),
    row("walls", `call ${levelText(l.callWall)}, put ${levelText(l.putWall)} (${restricted})`),
  ];
  if (l.unrestrictedCallWall !== l.callWall || l.unrestrictedPutWall !== l.putWall) {
    lines.push(
      row(
        "unrestricted",
        `call ${levelText(l.unrestrictedCallWall)}, put ${levelText(l.unrestrictedPutWall)}`,
      ),
    );
  }
  lines.push(
    row(
      "largest OI",
      `call ${levelText(l.largestCallOpenInterestStrike)}, put ` +
        `${levelText(l.largestPutOpenInterestStrike)} (strikes)`,
    ),
  );
  if (priceLine) lines.push(row("prices", priceLine));
  for (const note of doc.notes) lines.push(row("note", note));
  return lines;
}

/** One line of the series table. */
function seriesLine(doc: LevelsDocument, name: string): string {
  const l = doc.levels;
  return `  ${doc.source.date}  ${number(l.spot).padStart(9)}  ${
    bn(l.netGexAtSpot).padStart(11)
  }  ${levelText(l.flip).padStart(9)}  ${levelText(l.putWall).padStart(9)}  ${
    levelText(l.callWall).padStart(9)
  }  ${name}`;
}

function expiryText(e: ExpiryFilter): string {
  return e === "all"
    ? "all expiries"
    : e === "exclude-nearest"
    ? "all expiries but the nearest"
    : `the next ${e.next} expiries`;
}

/** Index points to two decimals at most, no separators (for copying into a scenario). */
function number(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function levelText(value: number | null): string {
  return value === null ? "none" : number(value);
}

/** Dollars as billions, two decimals; smaller amounts with the digits they need. */
function bn(dollars: number): string {
  const b = dollars / 1e9;
  if (b === 0 || Math.abs(b) >= 0.01) return b.toFixed(2);
  return b.toPrecision(2);
}

/**
 * JSON with two-space indents, arrays of numbers and strings wrapped to lines of about 100
 * characters rather than one value a line.
 */
function jsonText(value: unknown, indent = ""): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => v === null || typeof v !== "object")) {
      const items = value.map((v) => JSON.stringify(v));
      const one = `[${items.join(", ")}]`;
      if (indent.length + one.length <= 100) return one;
      const lines: string[] = [];
      let line = "";
      for (const item of items) {
        if (line && inner.length + line.length + item.length + 2 > 100) {
          lines.push(line);
          line = "";
        }
        line += (line ? " " : "") + item + ",";
      }
      lines.push(line.slice(0, -1));
      return `[\n${lines.map((l) => inner + l).join("\n")}\n${indent}]`;
    }
    return `[\n${value.map((v) => inner + jsonText(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    if (entries.every(([, v]) => v === null || typeof v !== "object")) {
      const one = `{ ${
        entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
          .join(", ")
      } }`;
      if (one.length <= 40) return one;
    }
    return `{\n${
      entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${jsonText(v, inner)}`).join(",\n")
    }\n${indent}}`;
  }
  return JSON.stringify(value);
}

if (import.meta.main) await runProgram(main);
