/**
 * The `option-flight` command: runs a scenario file and writes its outputs.
 *
 * ```sh
 * deno task run scenarios/breakout.jsonc --out output --seed 7
 * ```
 *
 * Exit codes: 0 on success, 2 for a bad scenario or bad arguments, 1 for anything else.
 *
 * @module
 */
import { Interrupted, PluginError, ScenarioError } from "./core/errors.ts";
import { REGIMES } from "./core/frame.ts";
import { type RunReport, runScenario } from "./files/run.ts";
import type { Scenario } from "./core/scenario.ts";
import { MAX_RUNS, MAX_STEPS } from "./core/settings.ts";
import { MAX_WORKERS, runBatch } from "./montecarlo/batch.ts";
import type { BatchReport } from "./montecarlo/results.ts";
import { formatCount, formatMeasure, formatPercent } from "./montecarlo/format.ts";
import { mergePartials, parseShard, type Shard } from "./montecarlo/shard.ts";
import {
  formatSweepReport,
  MAX_SWEEP_POINTS,
  parseSweep,
  runSweep,
  type SweepAxis,
  sweepGrid,
} from "./montecarlo/sweep.ts";
import { LEVEL_BITS, STATE_BITS } from "./montecarlo/stats.ts";
import { loadScenario } from "./plugins/mod.ts";
import type { OutputTarget } from "./files/atomic.ts";
import { DEFAULT_MEMORY, DEFAULT_TIMEOUT, runSandboxed, scanScenario } from "./sandbox/mod.ts";
import { parseArgs } from "@std/cli/parse-args";
import { basename, dirname, join, resolve } from "@std/path";
import { runProgram } from "./files/process.ts";

const USAGE = `Usage: deno task run <scenario.jsonc> [options]

Runs a scenario and writes <name>.jsonl (and the files of its other sinks and renderers)
into the output folder.

Options:
  --out DIR      Output folder (default: output)
  --seed N       Seed instead of the scenario's (integer >= 0)
  --steps N      Steps instead of the scenario's (1 to ${MAX_STEPS})
  --quiet        Print nothing on success (and no progress bar)
  --force        Start work estimated to take more than a day or to keep over 10 GB of runs
  --plugin-timeout S  Seconds a hook of a plugin from outside option-flight may run
                 (default ${DEFAULT_TIMEOUT})
  --plugin-memory MB  Heap of the sandbox those plugins run in (default ${DEFAULT_MEMORY})
  --help         Show this help

Monte Carlo (also on when the scenario has a "monteCarlo" section):
  --runs N       Independent runs (1 to ${MAX_RUNS}); writes <name>.summary.json and
                 <name>.report.html instead of the scenario's sinks and renderers
  --workers N    Threads to spread the runs over, the main thread and N-1 Web Workers
                 (1 to ${MAX_WORKERS}; default: the machine's cores, but one per 3 million
                 steps of work at most, a step with --keep-runs counting as 15)
  --keep-runs    Also run each run's frames through the scenario's sinks, into
                 mc_<name>_<i>.<extension> (mc_<name>_<i>.jsonl with the default sink)
  --shard K/N    Run only the K-th of N slices of the runs and write a partial result,
                 <name>.part-K-of-N.json, for merge; --shard auto takes K and N from a
                 Kubernetes Indexed Job's or a Slurm array's environment
  --sweep KEY=V1,V2,...  Run a batch for each value of a scenario field, named by its path
                 in the file (evaluator.callWall, generators.spot.noise); repeat it for a
                 grid of every combination (at most ${MAX_SWEEP_POINTS}), all with one seed.
                 Writes <name>.sweep.csv, <name>.sweep.json and <name>.sweep.html, and no
                 summary or report per combination; not with --shard or --keep-runs

       deno task merge <partial.json...> [--out DIR] [--quiet]

Merges the partial results of every shard into <name>.summary.json and <name>.report.html,
the same files one run of the whole batch writes.

Exit codes: 0 success, 2 bad scenario or arguments, 1 anything else.`;

/** Where {@linkcode main} prints. */
export interface MainOptions {
  /** Receives normal output, a line at a time. @default {console.log} */
  stdout?: (line: string) => void;
  /** Receives errors, a line at a time. @default {console.error} */
  stderr?: (line: string) => void;
  /** Stops the run or batch, which then writes nothing; its reason may be an {@linkcode Interrupted}. */
  signal?: AbortSignal;
  /** Draws text in place, as the progress bar on a terminal. @default {Deno.stderr, if a terminal} */
  draw?: (text: string) => void;
  /** Where a run's or batch's files go, given the output folder. @default {an OutputSet on it} */
  output?: (dir: string) => OutputTarget;
  /**
   * Loads the scenario, in this process. By default a scenario that uses a plugin from outside
   * option-flight runs in the plugin sandbox instead (see `sandbox/mod.ts`).
   */
  load?: (path: string) => Promise<Scenario>;
  /** Free bytes on the output folder's disk, for the kept-runs refusal. @default {from `df`} */
  freeBytes?: (dir: string) => Promise<number | undefined>;
}

export { Interrupted };

/**
 * Runs the command with the given arguments.
 *
 * @param args Command-line arguments, without the program name.
 * @param options Where to print.
 * @returns The exit code: 0 success, 2 bad scenario or arguments, 1 anything else.
 *
 * @example Bad arguments exit 2
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { main } from "./cli.ts";
 *
 * const errors: string[] = [];
 * assertEquals(await main(["--steps", "many"], { stderr: (line) => errors.push(line) }), 2);
 * ```
 */
export async function main(args: string[], options: MainOptions = {}): Promise<number> {
  const stdout = options.stdout ?? console.log;
  const stderr = options.stderr ?? console.error;
  try {
    const flags = readArgs(args);
    if (flags.help) {
      stdout(USAGE);
      return 0;
    }
    if (flags.merge) {
      const report = await mergePartials(flags.files, { outDir: flags.out });
      if (!flags.quiet) {
        const showPath = shownIn(flags.out);
        for (const line of formatBatchReport(report, { showPath })) stdout(line);
      }
      return 0;
    }
    const raw = options.stderr === undefined;
    const draw = options.draw ?? (raw && Deno.stderr.isTerminal() ? drawOnStderr() : undefined);
    if (!options.load) {
      const { foreign, dataFiles } = await scanScenario(flags.file);
      if (foreign.length > 0) {
        // The sandbox reads no environment: it gets the shard --shard auto found here.
        const shard = flags.shard && `${flags.shard.index}/${flags.shard.count}`;
        const given = args.map((arg, i) =>
          shard && arg === "auto" && args[i - 1] === "--shard"
            ? shard
            : shard && arg === "--shard=auto"
            ? `--shard=${shard}`
            : arg
        );
        return await runSandboxed(given, {
          file: flags.file,
          outDir: flags.out,
          foreign,
          dataFiles,
          ...(flags.pluginTimeout === undefined ? {} : { timeout: flags.pluginTimeout }),
          ...(flags.pluginMemory === undefined ? {} : { memory: flags.pluginMemory }),
          stdout,
          stderr,
          draw: flags.quiet ? undefined : draw,
          signal: options.signal,
          free: await freeBytes(flags.out),
        });
      }
    }
    const scenario = await (options.load ?? loadScenario)(flags.file);
    const output = options.output?.(flags.out);
    const printer = { stdout, stderr, draw, signal: options.signal, output };
    if (!flags.force) refuseAbsurd(scenario, flags);
    if (flags.sweep.length > 0) {
      await sweep(scenario, flags, printer);
      return 0;
    }
    await refuseOverDisk(scenario, flags, options.freeBytes ?? freeBytes);
    if (flags.batch || scenario.monteCarlo) {
      await batch(scenario, flags, printer);
      return 0;
    }
    const progress = progressOf(scenario, flags, printer, "steps");
    const report = await runScenario(scenario, {
      outDir: flags.out,
      ...(flags.seed === undefined ? {} : { seed: flags.seed }),
      ...(flags.steps === undefined ? {} : { steps: flags.steps }),
      ...(progress ? { onProgress: progress.update } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(output ? { output } : {}),
    }).finally(() => progress?.finish());
    if (!flags.quiet) {
      for (const line of [...summarize(report, flags.out), ...warningLines(scenario)]) stdout(line);
    }
    return 0;
  } catch (error) {
    if (error instanceof Interrupted) {
      stderr(`${error.message}: nothing was written, and the output folder is as it was`);
      return error.code;
    }
    if (error instanceof ScenarioError) {
      stderr(error.message);
      return 2;
    }
    if (error instanceof PluginError) {
      const refused = error.cause instanceof Error && error.cause.name === "NotCapable";
      if (refused) {
        // Deno's advice to rerun with a flag does not apply: the sandbox's grants are fixed.
        const message = error.message.replace(/Requires (\w+) access/, "was refused $1 access")
          .replace(/, run again with the --allow-[\w-]+ flag/, "");
        stderr(`error: ${message}`);
        stderr(SANDBOX_HINT);
        return 1;
      }
      stderr(`error: ${error.message}`);
      const cause = error.cause instanceof Error ? error.cause.stack : undefined;
      if (cause) stderr(cause);
      return 1;
    }
    stderr(`error: ${error instanceof Error ? error.stack : String(error)}`);
    return 1;
  }
}

const SANDBOX_HINT =
  "A plugin from outside option-flight may read the scenario's folder and its own modules, and nothing else: no writing files, network, environment, subprocesses or FFI (README: What a plugin may do)";

/** Writes text to the terminal as it is, for the progress bar. */
function drawOnStderr(): (text: string) => void {
  const encoder = new TextEncoder();
  return (text) => Deno.stderr.writeSync(encoder.encode(text));
}

/** A written file as the user will look for it: in the output folder as they typed it. */
function shownIn(out: string): (path: string) => string {
  return (path) => join(out, basename(path));
}

/** Where the command prints; `draw` draws in place when stderr is a terminal. */
interface Printer {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  draw: ((text: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  output?: OutputTarget | undefined;
}

/** A progress bar drawn once work is known to be long, unless --quiet. */
function progressOf(
  scenario: Scenario,
  flags: Flags,
  out: Printer,
  unit: string,
): { update: (done: number, total: number) => void; finish: () => void } | undefined {
  if (flags.quiet) return undefined;
  const { draw } = out;
  let bar: ProgressBar | undefined;
  return {
    update: (done, total) => {
      bar ??= new ProgressBar(total, {
        label: scenario.name,
        unit,
        terminal: draw !== undefined,
        write: draw ?? ((text) => out.stderr(text.trimEnd())),
      });
      bar.update(done);
    },
    finish: () => bar?.finish(),
  };
}

/** About how long a step takes a thread, with statistics only: to refuse absurd work. */
const STEP_SECONDS = 30e-9;
/** About the bytes of a kept run's JSONL step. */
const STEP_BYTES = 200;
/** The most bytes of kept runs a batch may write without --force. */
const KEPT_BYTES = 10e9;

/** Whether a batch keeps its runs' files. */
function keeps(scenario: Scenario, flags: Flags): boolean {
  return flags.keepRuns || (scenario.monteCarlo?.keepRuns ?? false);
}

/** Refuses work whose estimated time or output is absurd, unless --force. */
function refuseAbsurd(scenario: Scenario, flags: Flags): void {
  const steps = flags.steps ?? scenario.steps;
  // A sweep runs a whole batch per combination.
  const combinations = flags.sweep.reduce((n, axis) => n * axis.values.length, 1);
  const runs =
    (flags.batch || scenario.monteCarlo ? flags.runs ?? scenario.monteCarlo?.runs ?? 1 : 1) *
    combinations;
  const keep = flags.sweep.length === 0 && keeps(scenario, flags);
  const threads = Math.min(flags.workers ?? navigator.hardwareConcurrency ?? 1, runs);
  const seconds = (runs * steps * STEP_SECONDS * (keep ? 15 : 1)) / Math.max(threads, 1);
  const bytes = keep ? runs * steps * STEP_BYTES : 0;
  const problems: string[] = [];
  const work = `${flags.sweep.length > 0 ? `${grouped(combinations)} combinations of ` : ""}${
    grouped(runs / combinations)
  } run${runs === combinations ? "" : "s"} x ${grouped(steps)} steps`;
  if (seconds > 24 * 3600) {
    problems.push(
      `would take about ${duration(seconds)} on ${threads} thread${threads === 1 ? "" : "s"}`,
    );
  }
  if (bytes > KEPT_BYTES) {
    const gb = (n: number) => `${grouped(Math.round(n / 1e9))} GB`;
    problems.push(`would keep about ${gb(bytes)} of runs (the limit is ${gb(KEPT_BYTES)})`);
  }
  if (problems.length > 0) {
    throw new ScenarioError(
      `${scenario.path}: Refusing to start: ${work} ${
        problems.join(" and ")
      }; pass --force to run it anyway`,
    );
  }
}

/** Refuses kept runs estimated to need more than the output folder's free disk space: no flag. */
async function refuseOverDisk(
  scenario: Scenario,
  flags: Flags,
  freeBytes: (dir: string) => Promise<number | undefined>,
): Promise<void> {
  if (!(flags.batch || scenario.monteCarlo) || !keeps(scenario, flags)) return;
  const runs = flags.runs ?? scenario.monteCarlo?.runs ?? 1;
  const bytes = runs * (flags.steps ?? scenario.steps) * STEP_BYTES;
  const free = await freeBytes(flags.out);
  if (free === undefined || bytes <= free) return;
  const gb = (n: number) => `${grouped(Math.ceil(n / 1e9))} GB`;
  throw new ScenarioError(
    `${scenario.path}: Refusing to start: keeping ${grouped(runs)} runs would write about ${
      gb(bytes)
    }, more than the ${
      gb(free)
    } free where ${flags.out} is; keep fewer or shorter runs, or choose another --out`,
  );
}

/**
 * Free bytes on the disk holding a folder (or its nearest existing parent), as `df` reports.
 *
 * @param dir The folder.
 * @returns The bytes, or undefined where `df` cannot run.
 */
async function freeBytes(dir: string): Promise<number | undefined> {
  let path = resolve(dir);
  while (await Deno.stat(path).then(() => false, () => true)) {
    if (dirname(path) === path) return undefined;
    path = dirname(path);
  }
  try {
    const { stdout, success } = await new Deno.Command("df", {
      args: ["-Pk", path],
      stdout: "piped",
      stderr: "null",
    }).output();
    const fields = new TextDecoder().decode(stdout).trim().split("\n").at(-1)?.split(/\s+/) ?? [];
    const available = Number(fields[3]);
    return success && Number.isFinite(available) ? available * 1024 : undefined;
  } catch {
    return undefined; // no df (or no permission to run it): the kept-runs limit alone applies
  }
}

function grouped(n: number): string {
  return formatCount(n);
}

function duration(seconds: number): string {
  const days = seconds / 86400;
  return days >= 365
    ? `${grouped(Math.round(days / 365))} years`
    : `${grouped(Math.round(days))} days`;
}

async function batch(scenario: Scenario, flags: Flags, out: Printer): Promise<void> {
  const progress = progressOf(scenario, flags, out, "runs");
  const started = performance.now();
  const report: BatchReport = await runBatch(scenario, {
    outDir: flags.out,
    ...(flags.runs === undefined ? {} : { runs: flags.runs }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.steps === undefined ? {} : { steps: flags.steps }),
    ...(flags.workers === undefined ? {} : { workers: flags.workers }),
    ...(flags.keepRuns ? { keepRuns: true } : {}),
    ...(flags.shard ? { shard: flags.shard } : {}),
    ...(progress ? { onProgress: progress.update } : {}),
    ...(out.signal ? { signal: out.signal } : {}),
    ...(out.output ? { output: out.output } : {}),
  }).finally(() => progress?.finish());
  const seconds = (performance.now() - started) / 1000;
  if (!flags.quiet) {
    const showPath = shownIn(flags.out);
    const lines = [...formatBatchReport(report, { seconds, showPath }), ...warningLines(scenario)];
    for (const line of lines) out.stdout(line);
  }
}

/** Runs `--sweep`: a batch per combination, one table of their summaries. */
async function sweep(scenario: Scenario, flags: Flags, out: Printer): Promise<void> {
  const progress = progressOf(scenario, flags, out, "runs");
  const started = performance.now();
  const report = await runSweep(scenario, flags.sweep, {
    outDir: flags.out,
    ...(flags.runs === undefined ? {} : { runs: flags.runs }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.steps === undefined ? {} : { steps: flags.steps }),
    ...(flags.workers === undefined ? {} : { workers: flags.workers }),
    ...(progress ? { onProgress: progress.update } : {}),
    ...(out.signal ? { signal: out.signal } : {}),
    ...(out.output ? { output: out.output } : {}),
  }).finally(() => progress?.finish());
  const seconds = (performance.now() - started) / 1000;
  if (!flags.quiet) {
    const showPath = shownIn(flags.out);
    for (const line of formatSweepReport(report, { seconds, showPath })) out.stdout(line);
  }
}

interface Flags {
  file: string;
  files: string[];
  out: string;
  seed: number | undefined;
  steps: number | undefined;
  runs: number | undefined;
  workers: number | undefined;
  shard: Shard | undefined;
  keepRuns: boolean;
  sweep: SweepAxis[];
  pluginTimeout: number | undefined;
  pluginMemory: number | undefined;
  force: boolean;
  batch: boolean;
  merge: boolean;
  quiet: boolean;
  help: boolean;
}

const STRINGS = [
  "out",
  "seed",
  "steps",
  "runs",
  "workers",
  "shard",
  "plugin-timeout",
  "plugin-memory",
];
const BOOLEANS = ["quiet", "help", "keep-runs", "force"];

function readArgs(args: string[]): Flags {
  const merge = args[0] === "merge";
  if (merge) args = args.slice(1);
  const { sweep, rest, problems: sweepProblems } = takeSweeps(args);
  args = rest;
  // A value that looks like a flag ("--seed -1") is the option's value, checked below.
  args = args.flatMap((arg, i) =>
    /^-\d/.test(arg) && STRINGS.includes(args[i - 1]?.replace(/^--/, "") ?? "") ? [] : [
      STRINGS.includes(arg.replace(/^--/, "")) && /^-\d/.test(args[i + 1] ?? "")
        ? `${arg}=${args[i + 1]}`
        : arg,
    ]
  );
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
  problems.push(...sweepProblems);
  const help = parsed.help === true;
  const files = parsed._.map(String);
  if (merge && !help && files.length === 0) {
    problems.push("Expected the partial result files of every shard; see --help");
  }
  if (!merge && !help && files.length !== 1) {
    problems.push(
      `Expected one scenario file, got ${
        files.length === 0 ? "none" : files.map((f) => JSON.stringify(f)).join(", ")
      }; see --help`,
    );
  }
  const whole = (flag: string, min: number, max: number): number | undefined => {
    const raw = parsed[flag];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (typeof raw !== "string" || !/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(
        `Option --${flag}: expected an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`,
      );
      return undefined;
    }
    return value;
  };
  const seed = whole("seed", 0, Number.MAX_SAFE_INTEGER);
  const steps = whole("steps", 1, MAX_STEPS);
  const runs = whole("runs", 1, MAX_RUNS);
  const workers = whole("workers", 1, MAX_WORKERS);
  const pluginTimeout = whole("plugin-timeout", 1, 86_400);
  const pluginMemory = whole("plugin-memory", 64, 1_048_576);
  let shard: Shard | undefined;
  if (typeof parsed.shard === "string") {
    try {
      shard = parseShard(parsed.shard === "auto" ? shardFromEnvironment() : parsed.shard);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const keepRuns = parsed["keep-runs"] === true;
  if (merge) {
    const extra = ["seed", "steps", "runs", "workers", "shard"].filter((f) =>
      parsed[f] !== undefined
    );
    if (keepRuns) extra.push("keep-runs");
    for (const flag of extra) problems.push(`Option --${flag} does not apply to merge; see --help`);
  }
  if (sweep.length > 0) {
    const alone = [
      ...(merge ? ["merge"] : []),
      ...(shard ? ["--shard"] : []),
      ...(keepRuns ? ["--keep-runs"] : []),
    ];
    for (const other of alone) {
      problems.push(
        `Option --sweep does not apply with ${other}: a sweep writes one table of every combination, not shards or runs; see --help`,
      );
    }
  }
  const out = parsed.out ?? "output";
  if (typeof out !== "string" || out === "") {
    problems.push(`Option --out: expected a folder, got ${JSON.stringify(out)}`);
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return {
    file: files[0] ?? "",
    files,
    out: String(out),
    seed,
    steps,
    runs,
    workers,
    shard,
    keepRuns,
    sweep,
    pluginTimeout,
    pluginMemory,
    force: parsed.force === true,
    batch: runs !== undefined || workers !== undefined || shard !== undefined || keepRuns ||
      sweep.length > 0,
    merge,
    quiet: parsed.quiet === true,
    help,
  };
}

/** Takes every `--sweep KEY=V1,...` (or `--sweep=KEY=V1,...`) out of the arguments, read. */
function takeSweeps(args: string[]): { sweep: SweepAxis[]; rest: string[]; problems: string[] } {
  const sweep: SweepAxis[] = [];
  const rest: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    let text: string | undefined;
    if (arg === "--sweep") {
      text = args[++i];
      if (text === undefined) {
        problems.push("Option --sweep: expected key=v1,v2,... after it; see --help");
        continue;
      }
    } else if (arg.startsWith("--sweep=")) text = arg.slice("--sweep=".length);
    else {
      rest.push(arg);
      continue;
    }
    try {
      sweep.push(parseSweep(text));
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length === 0 && sweep.length > 0) {
    try {
      sweepGrid(sweep);
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      problems.push(...error.problems);
    }
  }
  return { sweep, rest, problems };
}

/**
 * `--shard auto`: this process's shard as a cluster engine numbers it, `K/N` from 1. A
 * Kubernetes Indexed Job gives JOB_COMPLETION_INDEX (from 0) and, in our manifest,
 * JOB_COMPLETIONS; a Slurm array gives SLURM_ARRAY_TASK_ID, _MIN and _COUNT.
 */
function shardFromEnvironment(): string {
  const env = (name: string) => {
    const state = Deno.permissions.querySync({ name: "env", variable: name }).state;
    return state === "granted" ? Deno.env.get(name) : undefined;
  };
  const whole = (name: string, value: string | undefined) => {
    if (value !== undefined && /^\d+$/.test(value)) return Number(value);
    throw new Error(
      `Option --shard auto: ${name} is ${
        JSON.stringify(value ?? "unset")
      }, expected a whole number`,
    );
  };
  const index = env("JOB_COMPLETION_INDEX");
  if (index !== undefined) {
    const count = whole(
      "JOB_COMPLETIONS (set it to the Job's completions)",
      env("JOB_COMPLETIONS"),
    );
    return `${whole("JOB_COMPLETION_INDEX", index) + 1}/${count}`;
  }
  const task = env("SLURM_ARRAY_TASK_ID");
  if (task !== undefined) {
    const step = env("SLURM_ARRAY_TASK_STEP");
    if (step !== undefined && step !== "1") {
      throw new Error(
        `Option --shard auto: SLURM_ARRAY_TASK_STEP is ${step}; use an array of consecutive ids, such as --array=1-8`,
      );
    }
    const min = whole("SLURM_ARRAY_TASK_MIN", env("SLURM_ARRAY_TASK_MIN"));
    const count = whole("SLURM_ARRAY_TASK_COUNT", env("SLURM_ARRAY_TASK_COUNT"));
    return `${whole("SLURM_ARRAY_TASK_ID", task) - min + 1}/${count}`;
  }
  throw new Error(
    "Option --shard auto: found neither JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (a Slurm job array) in the environment",
  );
}

function percent(part: number, whole: number): string {
  return formatPercent(whole === 0 ? 0 : part / whole);
}

/** The note on temporary files of a killed earlier run that a run removed. */
function stale(n: number): string {
  return `${n} temporary file${n === 1 ? "" : "s"} that a killed earlier run left in the folder`;
}

/** The scenario's warnings (allowed settings that deserve a second look), as summary lines. */
function warningLines(scenario: Scenario): string[] {
  return (scenario.warnings ?? []).map((warning) => `  warning  ${warning}`);
}

function summarize(report: RunReport, out: string): string[] {
  const regimes = REGIMES.map((r) => `${r} ${percent(report.regimes[r], report.frames)}`).join(
    "  ",
  );
  const flags = Object.entries(report.flags).map(([flag, n]) => `${flag} ${formatCount(n)}`)
    .join("  ");
  const files = report.files.map(shownIn(out)).join(", ");
  return [
    `${report.name}: ${formatCount(report.frames, "frame")}, seed ${report.seed}`,
    `  regimes  ${regimes}`,
    `  flags    ${flags}`,
    ...eventLines(report),
    `  wrote    ${files || "nothing (the scenario has no sinks or renderers)"}`,
    ...(report.staleRemoved > 0 ? [`  note     removed ${stale(report.staleRemoved)}`] : []),
  ];
}

/**
 * The run summary's event lines: episodes of each flag by band and the regime changes, then the
 * worst episodes (kind, first step or date, duration, peak, band), one a line.
 */
function eventLines(report: RunReport): string[] {
  const { byKind, byBand } = report.eventCounts;
  const kinds = (["BREACH", "OVERSPEED", "STALL"] as const).map((kind) => {
    const bands = (["low", "medium", "high"] as const).filter((b) => byBand[kind][b] > 0)
      .map((b) => `${b} ${formatCount(byBand[kind][b])}`);
    return `${kind} ${formatCount(byKind[kind])}${bands.length ? ` (${bands.join(", ")})` : ""}`;
  });
  kinds.push(`REGIME ${formatCount(byKind.REGIME)}`);
  const axis = { BREACH: "z", OVERSPEED: "x", STALL: "y", REGIME: "x" } as const;
  const worst = report.worstEvents.map((e, i) => {
    const at = typeof e.startTimestamp === "string" ? e.startTimestamp : `step ${e.startTimestamp}`;
    const open = e.open ? ", open at the end" : "";
    return `  ${i === 0 ? "worst   " : "        "} ${e.kind} from ${at}, ${
      formatCount(e.duration, "frame")
    }${open}, peak ${axis[e.kind]} ${e.peak.toFixed(3)}, ${e.severity}`;
  });
  return [`  events   ${kinds.join("  ")}`, ...worst];
}

/** What {@linkcode formatBatchReport} may add. */
export interface FormatReportOptions {
  /** Wall time of the batch, in seconds, shown with the throughput. */
  seconds?: number;
  /** Turns a written file's path into what to show, such as a relative path. */
  showPath?: (path: string) => string;
}

/**
 * The summary table the CLI prints.
 *
 * @param report What {@linkcode runBatch} or {@linkcode mergePartials} returned.
 * @param options The time taken and how to show paths.
 * @returns Lines of text.
 *
 * @example The first line names the batch
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { formatBatchReport } from "./cli.ts";
 * import { loadScenario } from "./mod.ts";
 * import { runBatch } from "./montecarlo/mod.ts";
 *
 * const scenario = await loadScenario(new URL("./scenarios/breakout.jsonc", import.meta.url).pathname);
 * const report = await runBatch(scenario, { outDir: await Deno.makeTempDir(), runs: 20 });
 * assertStringIncludes(formatBatchReport(report)[0]!, "breakout: 20 runs x 200 steps, seed 42");
 * ```
 */
export function formatBatchReport(
  report: BatchReport,
  options: FormatReportOptions = {},
): string[] {
  const { stats, summary } = report;
  const show = options.showPath ?? ((path: string) => path);
  const pct = (v: number) => formatPercent(v, { digits: 2 });
  // Each figure to its sketch's accuracy: spot 2^-13, the per-run max load 2^-8.
  const spot = (v: number) => formatMeasure(v, 2 ** -(LEVEL_BITS + 1));
  const load = (v: number) => formatMeasure(v, 2 ** -(STATE_BITS + 1));
  const three = (q: { p5: number; p50: number; p95: number }, f: (v: number) => string) =>
    `p5 ${f(q.p5)}  p50 ${f(q.p50)}  p95 ${f(q.p95)}`;
  const [from, to] = report.range;
  const partial = to - from !== report.runs;
  const lines = [
    `${report.name}: ${formatCount(report.runs, "run")} x ${
      formatCount(stats.steps, "step")
    }, seed ${report.seed}${partial ? `; this shard ran runs ${from} to ${to - 1}` : ""}`,
  ];
  if (summary) {
    const [low, high] = summary.breachRateCI95;
    lines.push(
      `  breach rate    ${pct(summary.breachRate)} of runs (95% CI ${pct(low)} to ${pct(high)}), ${
        formatCount(summary.breachRuns, "run")
      }`,
      `  first breach   ${
        summary.firstBreachStep
          ? `step ${three(summary.firstBreachStep, formatCount)}`
          : "no run breaches"
      }`,
      `  max load       ${load(summary.maxLoad)} overall; per run ${
        three(summary.maxLoadQuantiles, load)
      }`,
      `  regimes        ${
        REGIMES.map((r) => `${r} ${formatPercent(summary.regimeShare[r])}`).join("  ")
      }`,
      `  flags          ${
        Object.entries(summary.flagCounts).map(([f, n]) => `${f} ${formatCount(n)}`).join("  ")
      } frames`,
      `  final spot     ${three(summary.finalSpotQuantiles, spot)}`,
    );
  } else {
    lines.push(
      `  partial result of ${
        formatCount(stats.runs, "run")
      }; merge every shard with deno task merge`,
    );
  }
  if (options.seconds !== undefined) {
    const rate = (stats.runs * stats.steps) / Math.max(options.seconds, 1e-9);
    lines.push(
      `  took           ${options.seconds.toFixed(2)} s, ${
        (rate / 1e6).toFixed(1)
      }M steps/s, ${report.workers} worker${report.workers > 1 ? "s" : ""}`,
    );
  }
  const kept = new Map<string, number>();
  const files: string[] = [];
  for (const file of report.files) {
    const extension = /\/mc_[^/]*_\d+\.([^/]+)$/.exec(file)?.[1];
    if (extension === undefined) files.push(show(file));
    else kept.set(extension, (kept.get(extension) ?? 0) + 1);
  }
  for (const [extension, n] of kept) {
    files.push(`${formatCount(n)} mc_${report.name}_<i>.${extension}`);
  }
  lines.push(`  wrote          ${files.join(", ")}`);
  if (report.staleRemoved > 0) {
    lines.push(`  note           removed ${stale(report.staleRemoved)}`);
  }
  if (report.staleRunLogs > 0) {
    lines.push(
      `  note           ${report.staleRunLogs} other mc_${report.name}_<i>.jsonl in the folder are from an earlier batch`,
    );
  }
  return lines;
}

/** Where and how a {@linkcode ProgressBar} draws. */
export interface ProgressBarOptions {
  /** Receives the text to print, with its own `\r` or `\n`. */
  write: (text: string) => void;
  /** Redraw one line in place (a terminal), rather than print a line every 10%. */
  terminal: boolean;
  /** What the bar is of, shown first. */
  label?: string;
  /** What is counted, such as "runs" or "steps". @default {"runs"} */
  unit?: string;
  /** Milliseconds before anything is drawn, so that short batches print nothing. @default {1000} */
  delay?: number;
  /** The clock, in milliseconds. @default {performance.now} */
  now?: () => number;
}

/**
 * A progress bar for long batches, with elapsed time and ETA: redrawn in place on a terminal,
 * a line every 10% otherwise. Nothing is drawn during the first second.
 *
 * @example Lines every 10% when not on a terminal
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ProgressBar } from "./cli.ts";
 *
 * const out: string[] = [];
 * let clock = 0;
 * const bar = new ProgressBar(100, { write: (t) => out.push(t), terminal: false, now: () => clock });
 * for (let done = 1; done <= 100; done++) {
 *   clock += 50;
 *   bar.update(done);
 * }
 * bar.finish();
 * assertEquals(out.length, 9); // 20% (the first after one second) to 100%
 * assertEquals(out.at(-1), "100% 100/100 runs, elapsed 5.0s, ETA 0.0s\n");
 * ```
 */
export class ProgressBar {
  readonly #total: number;
  readonly #options: ProgressBarOptions;
  readonly #now: () => number;
  readonly #start: number;
  /** The last tenth printed (lines), or whether anything was drawn (terminal): -1 for nothing. */
  #shown = -1;
  #lastDraw = -Infinity;
  #done = 0;

  /**
   * Starts the clock.
   *
   * @param total Runs to do.
   * @param options Where and how to draw.
   */
  constructor(total: number, options: ProgressBarOptions) {
    this.#total = total;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
  }

  /**
   * Records progress and redraws when due.
   *
   * @param done Runs done so far.
   */
  update(done: number): void {
    this.#done = done;
    const now = this.#now();
    if (now - this.#start < (this.#options.delay ?? 1000)) return;
    if (this.#options.terminal) {
      if (now - this.#lastDraw < 100 && done < this.#total) return;
      this.#draw(now);
    } else {
      const tenth = Math.floor((10 * done) / this.#total);
      if (tenth > Math.max(this.#shown, 0)) {
        this.#shown = tenth;
        this.#options.write(`${this.#line(now, false)}\n`);
      }
    }
  }

  /** Ends the bar's line on a terminal, if anything was drawn. */
  finish(): void {
    if (this.#options.terminal && this.#shown >= 0) {
      this.#draw(this.#now());
      this.#options.write("\n");
    }
  }

  #draw(now: number): void {
    this.#lastDraw = now;
    this.#shown = 0;
    this.#options.write(`\r\x1b[2K${this.#line(now, true)}`);
  }

  #line(now: number, bar: boolean): string {
    const done = this.#done;
    const total = this.#total;
    const elapsed = (now - this.#start) / 1000;
    const eta = done === 0 ? Infinity : (elapsed * (total - done)) / done;
    const share = done / total;
    const width = 24;
    const filled = Math.round(share * width);
    const label = this.#options.label ? `${this.#options.label} ` : "";
    const drawn = bar ? `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ` : "";
    const unit = this.#options.unit ?? "runs";
    return `${label}${drawn}${Math.floor(100 * share)}% ${formatCount(done)}/${
      formatCount(total)
    } ${unit}, elapsed ${clock(elapsed)}, ETA ${clock(eta)}`;
  }
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.floor(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

if (import.meta.main) await runProgram(main);
