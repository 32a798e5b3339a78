/**
 * Speed as the user meets it: each workload as the whole command a user types, ours and its
 * yardstick in turn (warm-up first, then A B A B ... for `--rounds` rounds), the ratio taken
 * pair by pair, its median and range printed, with each command's peak memory.
 *
 * ```sh
 * deno task bench --whole               # the whole-process table alone
 * deno task bench --growth              # time and memory against runs and steps
 * ```
 *
 * Yardsticks: the original-style Python backend and its numpy-vectorised variant in
 * ../shared/baselines, the same batch in C (tools/mc_yardstick.c) and numpy versions of the
 * GARCH and Heston batches (tools/models_numpy.py). Each runs the same work as ours; where it
 * cannot, the row says so.
 *
 * @module
 */
import { join, resolve } from "@std/path";

/** One timed command. */
export interface Command {
  /** What the table calls it. */
  readonly label: string;
  /** Program and arguments. */
  readonly argv: readonly string[];
  /** Folder it runs in. */
  readonly cwd?: string;
  /** Untimed, before each run: emptying its output folder. */
  readonly before?: () => Promise<void>;
}

/** One whole-process measurement. */
export interface Measured {
  /** Wall time, seconds. */
  readonly seconds: number;
  /** Peak resident memory of the process tree's largest process, MB, when known. */
  readonly peakMB: number | undefined;
}

/** A row: ours, and either a yardstick to divide by or a goal of its own. */
export interface Workload {
  /** Short key, as `--only` takes it. */
  readonly key: string;
  /** What the row measures. */
  readonly label: string;
  /** Our command. */
  readonly ours: Command;
  /** The command ours is compared with, or why there is none. */
  readonly yardstick: Command | string | undefined;
  /** The goal, as a sentence, and its check on the row's medians. */
  readonly goal: { readonly text: string; readonly met: (row: RowFigures) => boolean };
  /** Frames the command makes, for a frames-per-second figure. */
  readonly frames?: number;
  /** Steps the command simulates (runs times steps), for a steps-per-second figure. */
  readonly steps?: number;
  /** What the yardstick does not do that ours does, or the reverse. */
  readonly caveat?: string;
  /** Why the row cannot be measured on this machine: it is then skipped with this message. */
  readonly skip?: string;
  /**
   * Untimed, after the rounds: runs both sides once more and says whether the yardstick
   * computed what ours did, in one line.
   */
  readonly check?: () => Promise<string>;
}

/** The medians and ranges a row reports. */
export interface RowFigures {
  /** Our median time, seconds. */
  readonly ours: number;
  /** The yardstick's median time, seconds. */
  readonly yardstick: number | undefined;
  /** Median of the pair-by-pair ratios, yardstick time over ours. */
  readonly ratio: number | undefined;
  /** Smallest and largest pair ratio. */
  readonly range: readonly [number, number] | undefined;
  /** Our median peak memory, MB. */
  readonly peakMB: number | undefined;
  /** The yardstick's median peak memory, MB. */
  readonly yardstickMB: number | undefined;
}

const TIME = "/usr/bin/time";
const hasTime = await Deno.stat(TIME).then(() => true, () => false);

/**
 * Runs one command to its end, timed from spawn to exit, with its peak memory from GNU time
 * (the largest resident set among the processes it waited for) where /usr/bin/time exists.
 *
 * @param command What to run.
 * @param scratch A folder for GNU time's report.
 * @returns Its wall time and peak memory.
 * @throws Error with the command's last stderr line when it exits non-zero.
 */
export async function runOnce(command: Command, scratch: string): Promise<Measured> {
  await command.before?.();
  const report = join(scratch, "time.txt");
  const argv = hasTime ? [TIME, "-f", "%M", "-o", report, ...command.argv] : [...command.argv];
  const started = performance.now();
  const { code, stderr } = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    ...(command.cwd ? { cwd: command.cwd } : {}),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    const last = new TextDecoder().decode(stderr).trim().split("\n").at(-1);
    throw new Error(`${command.label} exited ${code}: ${last}`);
  }
  const kb = hasTime ? Number((await Deno.readTextFile(report)).trim().split("\n").at(-1)) : NaN;
  return { seconds, peakMB: Number.isFinite(kb) ? kb / 1024 : undefined };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Measures a workload: one untimed warm-up of each side, then `rounds` pairs, ours first in
 * even rounds and the yardstick first in odd ones, so neither side always follows the other.
 *
 * @param workload The row.
 * @param options Rounds and the scratch folder.
 * @returns The row's medians and ranges.
 */
export async function measureWorkload(
  workload: Workload,
  options: { rounds: number; scratch: string },
): Promise<RowFigures> {
  const yardstick = typeof workload.yardstick === "object" ? workload.yardstick : undefined;
  await runOnce(workload.ours, options.scratch);
  if (yardstick) await runOnce(yardstick, options.scratch);
  const ours: Measured[] = [], theirs: Measured[] = [], ratios: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (yardstick && round % 2 === 1) theirs.push(await runOnce(yardstick, options.scratch));
    ours.push(await runOnce(workload.ours, options.scratch));
    if (yardstick && round % 2 === 0) theirs.push(await runOnce(yardstick, options.scratch));
    if (yardstick) ratios.push(theirs.at(-1)!.seconds / ours.at(-1)!.seconds);
  }
  const mb = (list: Measured[]) => {
    const known = list.map((m) => m.peakMB).filter((v): v is number => v !== undefined);
    return known.length ? median(known) : undefined;
  };
  return {
    ours: median(ours.map((m) => m.seconds)),
    yardstick: yardstick ? median(theirs.map((m) => m.seconds)) : undefined,
    ratio: yardstick ? median(ratios) : undefined,
    range: yardstick ? [Math.min(...ratios), Math.max(...ratios)] : undefined,
    peakMB: mb(ours),
    yardstickMB: yardstick ? mb(theirs) : undefined,
  };
}

/** The machine's load averages over 1, 5 and 15 minutes, as /proc/loadavg gives them. */
export async function loadAverage(): Promise<string> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** Where the Python yardsticks live, when they are beside the checkout. */
export async function baselines(root: string): Promise<string | undefined> {
  const dir = resolve(root, "../shared/baselines");
  return await Deno.stat(join(dir, "seed_py")).then(() => dir, () => undefined);
}

/** The result of {@linkcode compileC}: the program, or why the machine cannot build it. */
export type Compiled = { readonly program: string } | { readonly skip: string };

/**
 * Compiles a C yardstick once, untimed, with `gcc -O2 -march=x86-64-v2`: a baseline every
 * x86-64 machine of the last decade runs, not `-march=native`, so the program is the same
 * everywhere.
 *
 * @param source The C file.
 * @param program Where the program goes.
 * @returns The program, or why it cannot be built here (no gcc, or not an x86-64 machine).
 * @throws Error with gcc's messages when the source does not compile.
 */
export async function compileC(source: string, program: string): Promise<Compiled> {
  if (Deno.build.arch !== "x86_64") {
    return { skip: `the C yardstick is built for x86-64-v2; this machine is ${Deno.build.arch}` };
  }
  const args = ["-O2", "-march=x86-64-v2", "-o", program, source, "-lm"];
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command("gcc", { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { skip: "gcc is not on PATH" };
    throw error;
  }
  if (!result.success) {
    throw new Error(`gcc ${args.join(" ")}: ${new TextDecoder().decode(result.stderr).trim()}`);
  }
  return { program };
}

/**
 * Runs one command to its end, untimed, for what it prints.
 *
 * @param command What to run.
 * @returns Its standard output.
 * @throws Error with the command's last stderr line when it exits non-zero.
 */
export async function outputOf(command: Command): Promise<string> {
  await command.before?.();
  const { code, stdout, stderr } = await new Deno.Command(command.argv[0]!, {
    args: command.argv.slice(1),
    ...(command.cwd ? { cwd: command.cwd } : {}),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    const last = new TextDecoder().decode(stderr).trim().split("\n").at(-1);
    throw new Error(`${command.label} exited ${code}: ${last}`);
  }
  return new TextDecoder().decode(stdout);
}
