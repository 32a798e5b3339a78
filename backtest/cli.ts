/**
 * The `backtest` command: does the simulator breach like the market? On every session of a
 * range, a Monte Carlo batch starts from the day's real state; the share of runs touching the
 * band `close ± K ATR` within N sessions is scored against what the market did.
 *
 * ```sh
 * deno task backtest scenarios/backtest_garch.jsonc --history ../shared/data/spx_daily_1927-2026.csv \
 *   --iv ../shared/data/vix_daily_cboe.csv --from 2010-01-04 --to 2019-12-31 --horizon 10
 * deno task backtest merge output/backtest_garch.backtest.part-*-of-4.json
 * ```
 *
 * Exit codes as `run`: 0 on success, 2 for a bad scenario, file or argument, 1 for anything else.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { ScenarioError } from "../core/errors.ts";
import { failureCode, runProgram } from "../files/process.ts";
import { readDaily } from "../markets/history.ts";
import { readLevelsSeries } from "../markets/series.ts";
import { parseShard, type Shard } from "../montecarlo/shard.ts";
import { loadScenario } from "../plugins/mod.ts";
import type { Calibration } from "./calibration.ts";
import {
  type BacktestDocument,
  computeBacktest,
  MAX_BACKTEST_WORKERS,
  MAX_DAY_RUNS,
  MAX_HORIZON,
  type TouchRule,
} from "./engine.ts";
import { mergeBacktests, writeBacktest } from "./output.ts";

const USAGE =
  `Usage: deno task backtest <scenario.jsonc> --history <prices.csv> --from D --to D --horizon N [options]
       deno task backtest merge <partial.json...> [--out DIR]

On every session from D to D, starts a batch of runs from that day's real state (close, Wilder
ATR, HV, IV) through the scenario's generators' fromState hooks, and compares the share of runs
whose path touches the band close +/- K * ATR within N steps with whether the market's closes
touched it in the N sessions after. Writes <name>.backtest.csv (one row per day),
<name>.calibration.csv, <name>.backtest.json and <name>.backtest.html (reliability plot) into the
output folder, and prints the calibration table and the Brier scores.

Options:
  --history FILE   Daily prices (date,open,high,low,close or the layouts in ../shared/data)
  --iv FILE        A volatility index (VIX): IV is its close / 100, joined by date, a missing
                   session carrying the last value forward (default: IV is the day's HV)
  --from D         First day a batch starts on, ISO date
  --to D           Last day a batch starts on, ISO date; outcomes may use later sessions
  --horizon N      Sessions after each day that count, 1 to ${MAX_HORIZON}
  --band K         Half-width of the band in ATRs (default: 2)
  --runs R         Runs per day, 1 to ${MAX_DAY_RUNS} (default: 1000)
  --seed S         Seed instead of the scenario's
  --workers W      Threads, 1 to ${MAX_BACKTEST_WORKERS} (default: the cores, fewer for small work)
  --levels FILE    A levels series (date,flip,putWall,callWall): each day's walls, scored as a
                   second event, and the levels the evaluator starts from
  --touch RULE     How the market's touches are read: close (default, as the simulator's
                   steps) or high-low (intraday, biased upward against simulated closes)
  --shard K/N      Run the K-th of N slices of the days; writes a partial for merge
  --out DIR        Output folder (default: output)
  --quiet          Print nothing on success
  --help           Show this help

Without --levels, the evaluator's levels are the scenario's, scaled so that its flip sits at
the day's close. Generators that fill only iv and hv and have no fromState hook are held at
the day's IV and HV: they cannot move the spot path. Sinks and renderers are not run.

Exit codes: 0 success, 2 bad scenario, file or arguments, 1 anything else.`;

/** Where {@linkcode main} prints. */
export interface BacktestMainOptions {
  /** Receives normal output, a line at a time. @default {console.log} */
  stdout?: (line: string) => void;
  /** Receives errors, a line at a time. @default {console.error} */
  stderr?: (line: string) => void;
  /** Stops the work, which then writes nothing; its reason's `code` is the exit code. */
  signal?: AbortSignal;
}

const STRINGS = [
  "history",
  "iv",
  "from",
  "to",
  "horizon",
  "band",
  "runs",
  "seed",
  "workers",
  "levels",
  "touch",
  "shard",
  "out",
];
const BOOLEANS = ["quiet", "help"];

interface Flags {
  merge: boolean;
  files: string[];
  history: string;
  iv: string | undefined;
  levels: string | undefined;
  from: string;
  to: string;
  horizon: number;
  band: number | undefined;
  runs: number | undefined;
  seed: number | undefined;
  workers: number | undefined;
  touch: TouchRule;
  shard: Shard | undefined;
  out: string;
  quiet: boolean;
  help: boolean;
}

/**
 * Runs the `backtest` command with the given arguments.
 *
 * @param args Command-line arguments, without the program name.
 * @param options Where to print, and a signal that stops the work.
 * @returns The exit code: 0 success, 2 bad scenario, file or arguments, 1 anything else.
 *
 * @example An unknown option exits 2
 * ```ts
 * import { assertEquals, assertStringIncludes } from "@std/assert";
 * import { main } from "./cli.ts";
 *
 * const errors: string[] = [];
 * const code = await main(["s.jsonc", "--colour"], { stderr: (line) => errors.push(line) });
 * assertEquals(code, 2);
 * assertStringIncludes(errors.join("\n"), 'Unknown option "--colour"');
 * ```
 */
export async function main(args: string[], options: BacktestMainOptions = {}): Promise<number> {
  const stdout = options.stdout ?? console.log;
  const stderr = options.stderr ?? console.error;
  try {
    const flags = readArgs(args);
    if (flags.help) {
      stdout(USAGE);
      return 0;
    }
    const lines = flags.merge ? await merge(flags) : await backtest(flags, options.signal);
    if (!flags.quiet) { for (const line of lines) stdout(line); }
    return 0;
  } catch (error) {
    return failureCode(error, stderr);
  }
}

async function backtest(flags: Flags, signal: AbortSignal | undefined): Promise<string[]> {
  const scenario = await loadScenario(flags.files[0]!);
  const history = await readDaily(flags.history);
  const iv = flags.iv === undefined ? undefined : await readDaily(flags.iv);
  const levels = flags.levels === undefined ? undefined : await readLevelsSeries(flags.levels);
  const run = await computeBacktest(scenario, {
    history,
    iv,
    levels,
    from: flags.from,
    to: flags.to,
    horizon: flags.horizon,
    ...(flags.band === undefined ? {} : { band: flags.band }),
    ...(flags.runs === undefined ? {} : { runs: flags.runs }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.workers === undefined ? {} : { workers: flags.workers }),
    touch: flags.touch,
    shard: flags.shard,
    signal,
  });
  const { document, files } = await writeBacktest(run, { scenario, outDir: flags.out });
  const lines = document ? summaryLines(document) : [
    `Backtest ${run.name}: shard ${run.shard!.index} of ${
      run.shard!.count
    }, ${run.days.length} days`,
  ];
  lines.push(`Wrote ${files.join(", ")}`);
  return lines;
}

async function merge(flags: Flags): Promise<string[]> {
  const { document, files } = await mergeBacktests(flags.files, { outDir: flags.out });
  return [...summaryLines(document), `Wrote ${files.join(", ")}`];
}

/**
 * The printed summary of a backtest: the settings, each event's table and its scores.
 *
 * @param doc The backtest document.
 * @returns The lines.
 */
export function summaryLines(doc: BacktestDocument): string[] {
  const s = doc.settings;
  const lines = [
    `Backtest ${doc.scenario}: ${s.from} to ${s.to}, ${doc.scoredSessions} days scored` +
    (doc.leftOut > 0 ? `, ${doc.leftOut} left out (fewer than ${s.horizon} sessions after)` : "") +
    `, ${s.runs} runs a day, horizon ${s.horizon}, band ${s.band} ATR, touch on ${
      s.touch === "close" ? "closes" : "highs and lows"
    }, seed ${s.seed}`,
  ];
  if (doc.heldGenerators.length > 0) {
    lines.push(`Held at the day's IV and HV: ${doc.heldGenerators.join(", ")}`);
  }
  lines.push(...tableLines("Band touch", doc.band, s.horizon));
  if (doc.walls) lines.push(...tableLines("Wall touch", doc.walls, s.horizon));
  return lines;
}

function tableLines(title: string, c: Calibration, horizon: number): string[] {
  const pad = (text: string, width: number) => text.padStart(width);
  const f = (v: number | null, d = 3) => v === null ? "" : v.toFixed(d);
  const range = (r: readonly [number, number] | null) =>
    r ? `${r[0].toFixed(3)}-${r[1].toFixed(3)}` : "";
  const lines = [
    "",
    `${title}:`,
    `  ${pad("predicted", 9)} ${pad("days", 6)} ${pad("mean p", 7)} ${pad("observed", 8)} ${
      pad("95% Wilson", 12)
    } ${pad(`n/${horizon} 95%`, 12)}`,
  ];
  for (const b of c.buckets) {
    lines.push(
      `  ${pad(`${b.low.toFixed(1)}-${b.high.toFixed(1)}`, 9)} ${pad(String(b.count), 6)} ${
        pad(f(b.meanPredicted), 7)
      } ${pad(f(b.frequency), 8)} ${pad(range(b.interval), 12)} ${
        pad(range(b.effectiveInterval), 12)
      }`,
    );
  }
  lines.push(
    `  Brier ${c.brier.toFixed(4)}, climatology ${c.brierClimatology.toFixed(4)} (base rate ${
      c.baseRate.toFixed(3)
    }), skill ${c.skill === null ? "n/a" : c.skill.toFixed(3)}; mean predicted ${
      c.meanPredicted.toFixed(3)
    }; reliability ${c.reliability.toFixed(4)}, resolution ${
      c.resolution.toFixed(4)
    }; ${c.bucketsOutside} of ${
      c.buckets.filter((b) => b.count > 0).length
    } buckets outside their effective interval`,
  );
  return lines;
}

function readArgs(args: string[]): Flags {
  const merging = args[0] === "merge";
  if (merging) args = args.slice(1);
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
  const files = parsed._.map(String);
  const text = (flag: string): string | undefined => {
    const raw = parsed[flag];
    if (raw === undefined) return undefined;
    if (typeof raw !== "string" || raw === "") {
      problems.push(`Option --${flag}: expected a value, got ${JSON.stringify(raw)}`);
      return undefined;
    }
    return raw;
  };
  const whole = (flag: string, min: number, max: number): number | undefined => {
    const raw = text(flag);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(
        `Option --${flag}: expected an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`,
      );
      return undefined;
    }
    return value;
  };
  const out = text("out") ?? "output";
  const quiet = parsed.quiet === true;
  if (merging) {
    const extra = STRINGS.filter((f) => f !== "out" && parsed[f] !== undefined);
    for (const flag of extra) problems.push(`Option --${flag} does not apply to merge; see --help`);
    if (!help && files.length === 0) {
      problems.push("Expected the partial result files of every shard; see --help");
    }
    if (problems.length > 0) throw new ScenarioError(problems);
    return {
      merge: true,
      files,
      history: "",
      iv: undefined,
      levels: undefined,
      from: "",
      to: "",
      horizon: 0,
      band: undefined,
      runs: undefined,
      seed: undefined,
      workers: undefined,
      touch: "close",
      shard: undefined,
      out,
      quiet,
      help,
    };
  }
  if (!help && files.length !== 1) {
    problems.push(
      `Expected one scenario file, got ${
        files.length === 0 ? "none" : files.map((f) => JSON.stringify(f)).join(", ")
      }; see --help`,
    );
  }
  const required = (flag: string): string => {
    const value = text(flag);
    if (value === undefined && !help && parsed[flag] === undefined) {
      problems.push(`Option --${flag} is required; see --help`);
    }
    return value ?? "";
  };
  const history = required("history");
  const from = required("from");
  const to = required("to");
  const horizonText = required("horizon");
  const horizon = horizonText === "" ? undefined : whole("horizon", 1, MAX_HORIZON);
  let band: number | undefined;
  const bandText = text("band");
  if (bandText !== undefined) {
    band = Number(bandText);
    if (!(/^\d*\.?\d+$/.test(bandText) && band > 0)) {
      problems.push(
        `Option --band: expected a number of ATRs > 0, got ${JSON.stringify(bandText)}`,
      );
    }
  }
  const runs = whole("runs", 1, MAX_DAY_RUNS);
  const seed = whole("seed", 0, Number.MAX_SAFE_INTEGER);
  const workers = whole("workers", 1, MAX_BACKTEST_WORKERS);
  const touch = text("touch") ?? "close";
  if (touch !== "close" && touch !== "high-low") {
    problems.push(`Option --touch: expected "close" or "high-low", got ${JSON.stringify(touch)}`);
  }
  let shard: Shard | undefined;
  const shardText = text("shard");
  if (shardText !== undefined) {
    try {
      shard = parseShard(shardText);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return {
    merge: false,
    files,
    history,
    iv: text("iv"),
    levels: text("levels"),
    from,
    to,
    horizon: horizon ?? 0,
    band,
    runs,
    seed,
    workers,
    touch: touch as TouchRule,
    shard,
    out,
    quiet,
    help,
  };
}

if (import.meta.main) await runProgram(main);
