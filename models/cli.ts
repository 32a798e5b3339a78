/**
 * The `fit` command: fits a generator's model to the daily log returns of a history file by
 * maximum likelihood, prints the estimates with standard errors, and writes
 * `<name>.fit.json`, a generator entry to paste into a scenario plus the fit's record.
 *
 * ```sh
 * deno task fit ../shared/data/spx_daily_1927-2026.csv --model garch --from 2010-01-01 --to 2019-12-31
 * ```
 *
 * The file is written atomically into the output folder: a failure leaves nothing. Exit codes
 * as `run`: 0 on success, 2 for a bad file, argument or a fit the data cannot support, 1 for
 * anything else.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import { FILE_NAME, OutputSet } from "../files/atomic.ts";
import { failureCode, runProgram } from "../files/process.ts";
import { readDaily } from "../markets/history.ts";
import { parseArgs } from "@std/cli/parse-args";
import { FitError } from "./_fit.ts";
import { fitGarch, MIN_GARCH_RETURNS } from "./garch_fit.ts";
import { fitJumps, MIN_JUMPS_RETURNS } from "./jumps_fit.ts";
import { historyReturns, rangeProblems } from "./returns.ts";

/** The models `--model` accepts, each the name of the generator its fit is for. */
export const FIT_MODELS = ["garch", "jumps"] as const;

/** A model `--model` accepts. */
export type FitModel = typeof FIT_MODELS[number];

const USAGE =
  `Usage: deno task fit <history.csv> --model garch|jumps --from YYYY-MM-DD --to YYYY-MM-DD [options]

Fits a model to the daily log returns of a history file (the S&P 500, SPY and VIX layouts of
../shared/data, or plain date,open,high,low,close) by maximum likelihood. Returns are
100 * ln(p[t] / p[t-1]) of the prices dated from --from to --to inclusive: n sessions give
n - 1 returns. Prints the estimates with standard errors (inverse Hessian of -L), the
log-likelihood and the range, and writes <name>.fit.json: under "generators" an entry to paste
into a scenario's "generators", under "fit" the fit's record (not for pasting).

Models:
  garch   GARCH(1,1), constant mean, normal errors, returns in percent, variance started at
          the sample variance; the options of the garch generator (mu, omega, alpha, beta).
          At least ${MIN_GARCH_RETURNS} returns.
  jumps   Merton jump-diffusion, the Poisson mixture density; the options of the jumps
          generator (mu, sigma, lambda, jumpMean, jumpSd), annualised with 252 sessions a
          year. At least ${MIN_JUMPS_RETURNS} returns.

Options:
  --model M            garch or jumps (required)
  --from DATE          First date of the range, inclusive (required)
  --to DATE            Last date of the range, inclusive (required)
  --column C           Price column: close, open, high, low or another named column
                       (default: close)
  --out DIR            Output folder (default: output)
  --name NAME          Name of the file, <name>.fit.json (default: the model's name)
  --help               Show this help

Exit codes: 0 success, 2 bad file, arguments or a fit the data cannot support, 1 anything else.`;

/** Where {@linkcode main} prints. */
export interface FitMainOptions {
  /** Receives normal output, a line at a time. @default {console.log} */
  stdout?: (line: string) => void;
  /** Receives errors, a line at a time. @default {console.error} */
  stderr?: (line: string) => void;
  /** Stops the work, which then writes nothing; its reason's `code` is the exit code. */
  signal?: AbortSignal;
}

/**
 * Runs the `fit` command with the given arguments.
 *
 * @param args Command-line arguments, without the program name.
 * @param options Where to print, and a signal that stops the work.
 * @returns The exit code: 0 success, 2 bad file, arguments or fit, 1 anything else.
 *
 * @example An unknown model exits 2
 * ```ts
 * import { assertEquals, assertStringIncludes } from "@std/assert";
 * import { main } from "./cli.ts";
 *
 * const errors: string[] = [];
 * const code = await main(["spx.csv", "--model", "heston", "--from", "2010-01-01", "--to", "2019-12-31"], {
 *   stderr: (line) => errors.push(line),
 * });
 * assertEquals(code, 2);
 * assertStringIncludes(errors[0]!, 'Option --model: expected one of "garch", "jumps", got "heston"');
 * ```
 */
export async function main(args: string[], options: FitMainOptions = {}): Promise<number> {
  const stdout = options.stdout ?? console.log;
  const stderr = options.stderr ?? console.error;
  try {
    const flags = readArgs(args);
    if (flags.help) {
      stdout(USAGE);
      return 0;
    }
    for (const line of await fit(flags, options.signal)) stdout(line);
    return 0;
  } catch (error) {
    return failureCode(error, stderr);
  }
}

interface Flags {
  input: string;
  model: FitModel;
  from: string;
  to: string;
  column: string;
  out: string;
  name: string;
  help: boolean;
}

const STRINGS = ["model", "from", "to", "column", "out", "name"];

function readArgs(args: string[]): Flags {
  const unknown: string[] = [];
  const parsed = parseArgs(args, {
    string: STRINGS,
    boolean: ["help"],
    alias: { h: "help" },
    unknown: (arg) => {
      if (arg.startsWith("-")) unknown.push(arg);
      return !arg.startsWith("-");
    },
  });
  const problems = unknown.map((arg) => `Unknown option ${JSON.stringify(arg)}; see --help`);
  const help = parsed.help === true;
  const inputs = parsed._.map(String);
  if (!help && inputs.length !== 1) {
    problems.push(
      `Expected one history file, got ${inputs.length === 0 ? "none" : inputs.length}; see --help`,
    );
  }
  const text = (flag: string, required: boolean): string | undefined => {
    const raw = parsed[flag];
    if (raw === undefined) {
      if (required && !help) problems.push(`Option --${flag} is required; see --help`);
      return undefined;
    }
    if (typeof raw !== "string" || raw === "") {
      problems.push(`Option --${flag}: expected a value, got ${JSON.stringify(raw ?? "")}`);
      return undefined;
    }
    return raw;
  };
  const model = text("model", true);
  if (model !== undefined && !(FIT_MODELS as readonly string[]).includes(model)) {
    problems.push(
      `Option --model: expected one of ${FIT_MODELS.map((m) => `"${m}"`).join(", ")}, got ` +
        JSON.stringify(model),
    );
  }
  const from = text("from", true);
  const to = text("to", true);
  if (from !== undefined && to !== undefined) problems.push(...rangeProblems(from, to));
  const column = text("column", false) ?? "close";
  const out = text("out", false) ?? "output";
  const name = text("name", false) ?? model ?? "fit";
  if (!FILE_NAME.test(`${name}.fit.json`)) {
    problems.push(
      `Option --name: expected a plain file name (letters, digits, ".", "_" and "-", not ` +
        `starting with "." or "-"), got ${JSON.stringify(name)}`,
    );
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return {
    input: inputs[0] ?? "",
    model: model as FitModel,
    from: from ?? "",
    to: to ?? "",
    column,
    out,
    name,
    help,
  };
}

/** One estimate as printed: name, value, standard error, unit. */
type Row = [name: string, value: number, se: number, unit: string];

/** Reads, fits and writes; returns the lines to print on success. */
async function fit(flags: Flags, signal: AbortSignal | undefined): Promise<string[]> {
  const file = `${flags.name}.fit.json`;
  const output = new OutputSet(flags.out);
  output.check(file);
  const series = await readDaily(flags.input);
  const range = historyReturns(series, { from: flags.from, to: flags.to, column: flags.column });
  const where = `--model ${flags.model} --from ${flags.from} --to ${flags.to}`;
  const { returns } = range;
  let entry: Record<string, unknown>, record: Record<string, unknown>, rows: Row[];
  let notes: string[];
  try {
    if (flags.model === "garch") {
      const f = fitGarch(returns);
      const { mu, omega, alpha, beta } = f.params;
      const se = f.standardErrors;
      entry = { use: "garch", mu, omega, alpha, beta, periodsPerYear: 252 };
      rows = [
        ["mu", mu, se.mu, "% a day"],
        ["omega", omega, se.omega, "%^2"],
        ["alpha", alpha, se.alpha, ""],
        ["beta", beta, se.beta, ""],
      ];
      const volatility = Math.sqrt(f.unconditionalVariance * 252) / 100;
      notes = [
        `alpha + beta ${digits(f.persistence)}, long-run volatility ${
          (100 * volatility).toFixed(1)
        }% a year, last variance ${digits(f.lastVariance)} %^2 (a variance0 to start from ` +
        `${range.lastDate})`,
      ];
      record = {
        returns: "daily log returns, percent: 100 * ln(p[t] / p[t-1])",
        method: "maximum likelihood, normal errors, constant mean, h[1] = sample variance " +
          "(n - 1); Nelder-Mead over (mu, omega, alpha + beta, alpha / (alpha + beta)); " +
          "standard errors from the inverse numerical Hessian of -L",
        standardErrors: se,
        variance0: f.variance0,
        lastVariance: f.lastVariance,
        persistence: f.persistence,
        unconditionalVariance: f.unconditionalVariance,
        ...counts(f),
      };
    } else {
      const f = fitJumps(returns, { periodsPerYear: 252 });
      const { mu, sigma, lambda, jumpMean, jumpSd } = f.params;
      const se = f.standardErrors;
      entry = { use: "jumps", mu, sigma, lambda, jumpMean, jumpSd, periodsPerYear: 252 };
      rows = [
        ["mu", mu, se.mu, "a year, log drift"],
        ["sigma", sigma, se.sigma, "a year"],
        ["lambda", lambda, se.lambda, "jumps a year"],
        ["jumpMean", jumpMean, se.jumpMean, "log size"],
        ["jumpSd", jumpSd, se.jumpSd, "log size"],
      ];
      notes = [`density summed over ${f.terms} Poisson terms (0 to ${f.terms - 1} jumps a day)`];
      record = {
        returns: "daily log returns as fractions: ln(p[t] / p[t-1])",
        method: "maximum likelihood of the Poisson mixture of normals, truncated where the " +
          "Poisson tail is below 1e-15; Nelder-Mead over per-day parameters; standard errors " +
          "from the inverse numerical Hessian of -L",
        standardErrors: se,
        poissonTerms: f.terms,
        ...counts(f),
      };
    }
  } catch (error) {
    if (!(error instanceof FitError)) throw error;
    throw new ScenarioError(
      `${range.path}: ${error.message} (${where}: sessions ${range.firstDate} to ` +
        `${range.lastDate})`,
    );
  }
  const doc = {
    generators: { [flags.model]: entry },
    fit: {
      model: flags.model,
      source: range.path,
      column: range.column,
      from: flags.from,
      to: flags.to,
      firstDate: range.firstDate,
      lastDate: range.lastDate,
      ...record,
    },
  };
  try {
    await output.writeFile(file, JSON.stringify(doc, null, 2) + "\n");
    if (signal?.aborted) throw signal.reason;
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
  const logLikelihood = record.logLikelihood as number;
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return [
    `${flags.model} fit to ${range.path}, ${range.column}, ${range.firstDate} to ` +
    `${range.lastDate}: ${returns.length} daily returns`,
    `  ${"".padEnd(width)}${"estimate".padStart(12)}${"std error".padStart(12)}`,
    ...rows.map(([name, value, se, unit]) =>
      `  ${name.padEnd(width)}${digits(value).padStart(12)}${digits(se).padStart(12)}  ${unit}`
        .trimEnd()
    ),
    `  log-likelihood ${logLikelihood.toFixed(3)} (n = ${returns.length})`,
    ...notes.map((note) => `  ${note}`),
    `  wrote ${inFolder(flags.out, file)}: paste its "generators" entry into a scenario`,
  ];
}

/** The counts every fit records. */
function counts(
  f: { logLikelihood: number; n: number; iterations: number; evaluations: number },
): Record<string, number> {
  return {
    logLikelihood: f.logLikelihood,
    n: f.n,
    iterations: f.iterations,
    evaluations: f.evaluations,
  };
}

/** Four significant digits, without exponent for ordinary magnitudes. */
function digits(value: number): string {
  return Math.abs(value) >= 1e-4 || value === 0 ? String(Number(value.toPrecision(4))) : value
    .toPrecision(4);
}

/** The path of a plain file name in a folder. */
function inFolder(dir: string, name: string): string {
  return /[\\/]$/.test(dir) ? dir + name : `${dir}/${name}`;
}

if (import.meta.main) await runProgram(main);
