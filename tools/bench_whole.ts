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
 * ../shared/baselines. Each runs the same work as ours; where it cannot, the row says so.
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
  /** What the yardstick does not do that ours does, or the reverse. */
  readonly caveat?: string;
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
