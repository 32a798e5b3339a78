/**
 * Monte Carlo speed and memory, against the Python yardstick in ../shared/baselines, measured
 * in one invocation so that the ratios share the machine's state:
 *
 * ```sh
 * deno task bench --in-process           # the original-style Python c takes about a minute
 * deno task bench --in-process --quick   # c and d on 1,000 runs instead of 10,000
 * deno task bench --in-process --models  # the per-model table alone
 * ```
 *
 * Workloads, on the mean-revert scenario with the example envelope (as the baseline's):
 *
 * - b: 1,000 runs x 200 steps, one `mc_<name>_<i>.jsonl` per run; target >= 15x the
 *   original-style Python.
 * - c: 10,000 runs x 1,000 steps, statistics only, 2 workers; targets >= 150x the
 *   original-style Python and >= 2x its numpy-vectorised variant (d).
 * - m: 1,000,000 runs x 100 steps through the CLI; target: whole-process peak memory
 *   (VmHWM) under 300 MB.
 * - models: each shipped model's scenario (breakout and mean-revert for comparison, then garch,
 *   heston, jumps, gamma-regime and pin) as a batch of 10,000 runs (2,000 with `--quick`) of
 *   1,000 steps, whatever the scenario's own steps, so that every model pays the same per-run
 *   costs; on a warm {@linkcode WorkerPool}, on one thread (nanoseconds a step) and on two
 *   (steps a second). No yardstick: the whole-process table compares garch and heston with
 *   numpy.
 *
 * b and c are measured twice: with new workers for each batch, as `deno task run` runs one,
 * and on a {@linkcode WorkerPool} warmed by one batch of each, as a program running many
 * batches does (numpy's times, too, leave out its start-up). Both sides' timed batches follow
 * one untimed batch of each workload, as any benchmark harness warms up: V8 compiles the main
 * thread's hot code during its first batches, and numpy's first batch is slower than the next.
 *
 * Both sides write into the same folder, on tmpfs (/dev/shm) when there is one, so that disk
 * noise does not swamp the file workload. Each side empties the folder before each timed batch,
 * untimed. Times are the best of `--reps` rounds (default 3), as the baseline's own bench takes
 * them; the original-style Python c runs once, last. A round times one batch of each workload,
 * Python's and ours in turn (Python's b, then ours; numpy's d, then our c), so that a ratio
 * compares batches seconds apart, not a minute apart, on a machine whose load changes from
 * minute to minute.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { dirname, fromFileUrl, join, resolve } from "@std/path";
import { loadScenario } from "../mod.ts";
import { runBatch, WorkerPool } from "../montecarlo/mod.ts";

const root = resolve(dirname(fromFileUrl(import.meta.url)), "..");
const flags = parseArgs(Deno.args, {
  boolean: ["quick", "no-python", "help", "models"],
  string: ["reps", "dir", "memory-runs"],
});
if (flags.help) {
  console.log(
    "Usage: deno task bench [--quick] [--reps N] [--dir DIR] [--no-python] [--memory-runs N]\n" +
      "  [--models]  (the per-model table alone)",
  );
  Deno.exit(0);
}
const reps = Number(flags.reps ?? 3);
const runsC = flags.quick ? 1_000 : 10_000;
const memoryRuns = Number(flags["memory-runs"] ?? 1_000_000);
const base: string | undefined = typeof flags.dir === "string"
  ? flags.dir
  : isDir("/dev/shm")
  ? "/dev/shm"
  : undefined;
const work = await Deno.makeTempDir({ prefix: "bench_mc_", ...(base ? { dir: base } : {}) });

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** The shipped mean-revert scenario with the baseline's shock at steps // 2. */
async function scenarioFile(steps: number): Promise<string> {
  const text = await Deno.readTextFile(join(root, "scenarios/mean_revert.jsonc"));
  const edited = text
    .replace(/"steps":\s*\d+/, `"steps": ${steps}`)
    .replace(/"shockAt":\s*\d+/, `"shockAt": ${Math.floor(steps / 2)}`)
    .replace(/"\$schema":[^\n]*\n/, "");
  const path = join(work, `mean_revert_${steps}.jsonc`);
  await Deno.writeTextFile(path, edited);
  return path;
}

// --- the Python yardstick --------------------------------------------------------------------

/**
 * The Python side: one process that times one workload each time it reads the workload's key
 * on stdin, so that its batches interleave with ours and both sides see the machine alike.
 */
const PYTHON = `
import json, os, shutil, sys, time
from seed_py.scenario_runner import ScenarioRunner, default_config
from seed_py.vectorized import monte_carlo_vectorized
a = json.loads(sys.argv[1])
cfg = default_config()
def fresh():
    shutil.rmtree(a["dir"], ignore_errors=True); os.makedirs(a["dir"])
work = {
    "b": (fresh, lambda: ScenarioRunner(cfg, output_dir=a["dir"]).run_monte_carlo(
        "mean_revert", "mean_revert", n_runs=1000, steps=200, save_logs=True, verbose=False)),
    "d": (None, lambda: monte_carlo_vectorized(cfg, n_runs=a["runsC"], steps=1000)),
    "c": (None, lambda: ScenarioRunner(cfg).run_monte_carlo(
        "mean_revert", "mean_revert", n_runs=a["runsC"], steps=1000, save_logs=False, verbose=False)),
}
print("ready", flush=True)
for line in sys.stdin:
    before, fn = work[line.strip()]
    if before: before()
    t0 = time.perf_counter(); fn(); t = time.perf_counter() - t0
    print(json.dumps(t), flush=True)
shutil.rmtree(a["dir"], ignore_errors=True)
`;

/** Python's times: b and c original-style, d numpy-vectorised. */
interface PythonTimes {
  b: number;
  c: number;
  d: number;
}

/** The running Python side: {@linkcode Yardstick.time} times one batch of a workload. */
class Yardstick {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  readonly #stderr: Promise<string>;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#stdin = child.stdin.getWriter();
    this.#lines = lines(child.stdout)[Symbol.asyncIterator]();
    this.#stderr = new Response(child.stderr).text();
  }

  /** Starts the Python side, or says why it cannot run. */
  static async start(): Promise<Yardstick | string> {
    const baselines = resolve(root, "../shared/baselines");
    if (flags["no-python"]) return "skipped (--no-python)";
    if (!isDir(join(baselines, "seed_py"))) return `unavailable: no ${baselines}/seed_py`;
    const args = { dir: join(work, "python_b"), runsC };
    let yardstick;
    try {
      yardstick = new Yardstick(
        new Deno.Command("python3", {
          args: ["-c", PYTHON, JSON.stringify(args)],
          cwd: baselines,
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        }).spawn(),
      );
    } catch (error) {
      return `unavailable: cannot start python3 (${(error as Error).message})`;
    }
    try {
      await yardstick.#read();
      return yardstick;
    } catch (error) {
      return `unavailable: ${(error as Error).message}`;
    }
  }

  /** One batch of `workload`, in seconds. */
  async time(workload: keyof PythonTimes): Promise<number> {
    await this.#stdin.write(new TextEncoder().encode(`${workload}\n`));
    return Number(await this.#read());
  }

  /** Ends the process, which removes its output folder. */
  async close(): Promise<void> {
    await this.#stdin.close();
    await this.#child.status;
  }

  async #read(): Promise<string> {
    const line = await this.#lines.next();
    if (!line.done) return line.value;
    await this.#child.status;
    throw new Error(`python3 failed: ${(await this.#stderr).trim().split("\n").at(-1)}`);
  }
}

/** The lines of a byte stream. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let held = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (held + text).split("\n");
    held = parts.pop()!;
    yield* parts;
  }
  if (held) yield held;
}

// --- the rounds --------------------------------------------------------------------------------

/** Times in seconds, the best of the rounds: Python's, when it ran, and ours. */
interface Times {
  /** Python's times, or why there are none. */
  python: PythonTimes | string;
  /** b and c with new workers for each batch, as `deno task run` runs one. */
  fresh: { b: number; c: number; bThreads: number };
  /** b and c on a {@linkcode WorkerPool} warmed by one batch of each, as a sweep runs them. */
  pooled: { b: number; c: number; bThreads: number };
}

async function measure(): Promise<Times> {
  const s200 = await loadScenario(await scenarioFile(200));
  const s1000 = await loadScenario(await scenarioFile(1000));
  const outDir = join(work, "ours");
  let bThreads = 0;
  const empty = () => Deno.remove(outDir, { recursive: true }).catch(() => {});
  const b = async (pool?: WorkerPool) => {
    const report = await runBatch(s200, { outDir, runs: 1000, keepRuns: true, pool });
    bThreads = report.workers;
  };
  const c = (pool?: WorkerPool) => runBatch(s1000, { outDir, runs: runsC, workers: 2, pool });
  /** One timed call of `fn`, in seconds, after emptying the output folder untimed. */
  const time = async (fn: () => Promise<unknown>) => {
    await empty();
    const started = performance.now();
    await fn();
    return (performance.now() - started) / 1000;
  };
  const yardstick = await Yardstick.start();
  const py = typeof yardstick === "string" ? undefined : yardstick;
  using pool = new WorkerPool();
  // One batch of each first, as a benchmark harness warms up: V8 compiles the main thread's hot
  // code over its first batches, and numpy's first batch, too, is slower than the next (its
  // memory is new to the process: 0.17 s against 0.05 for 1,000 runs).
  for (const warm of [() => b(), () => c(), () => b(pool), () => c(pool)]) await time(warm);
  if (py) { for (const warm of ["b", "d"] as const) await py.time(warm); }
  const best = { b: Infinity, d: Infinity, freshB: Infinity, freshC: Infinity };
  const pooled = { b: Infinity, c: Infinity, bThreads: 0 };
  let freshThreads = 0;
  for (let round = 0; round < reps; round++) {
    if (py) best.b = Math.min(best.b, await py.time("b"));
    best.freshB = Math.min(best.freshB, await time(() => b()));
    freshThreads = bThreads;
    pooled.b = Math.min(pooled.b, await time(() => b(pool)));
    pooled.bThreads = bThreads;
    if (py) best.d = Math.min(best.d, await py.time("d"));
    best.freshC = Math.min(best.freshC, await time(() => c()));
    pooled.c = Math.min(pooled.c, await time(() => c(pool)));
  }
  await empty();
  const fresh = { b: best.freshB, c: best.freshC, bThreads: freshThreads };
  if (!py) return { python: yardstick as string, fresh, pooled };
  console.log("running the original-style Python c once (about a minute) ...");
  const python = { b: best.b, d: best.d, c: await py.time("c") };
  await py.close();
  return { python, fresh, pooled };
}

/** Peak resident memory (VmHWM) of a whole CLI process running a large batch, in MB. */
async function memory(): Promise<{ mb: number; seconds: number } | string> {
  if (!isDir("/proc/self")) return "unavailable: no /proc to read VmHWM from";
  // The CLI runs with --allow-read --allow-write, as users run it, and Deno 2 gives /dev/shm
  // only to --allow-all: so this batch reads and writes in an ordinary temporary folder.
  const dir = await Deno.makeTempDir({ prefix: "bench_mc_memory_" });
  const text = await Deno.readTextFile(await scenarioFile(100));
  const scenario = join(dir, "mean_revert_100.jsonc");
  await Deno.writeTextFile(scenario, text);
  const started = performance.now();
  // The same runtime flags as `deno task run`, read from its task, so the measurement is what
  // a user gets.
  const task: string = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))).tasks.run;
  const runtimeFlags = task.split(/\s+/).filter((word) => word.startsWith("--"));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...runtimeFlags,
      "--config",
      join(root, "deno.json"),
      join(root, "cli.ts"),
      scenario,
      "--runs",
      String(memoryRuns),
      "--out",
      join(dir, "out"),
      "--quiet",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let peak = 0;
  const poll = setInterval(() => {
    try {
      const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb);
    } catch { /* the process has just ended */ }
  }, 20);
  const { code, stderr } = await child.output();
  clearInterval(poll);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  if (code !== 0) return `failed: ${new TextDecoder().decode(stderr).trim()}`;
  return { mb: peak / 1024, seconds: (performance.now() - started) / 1000 };
}

// --- the models -------------------------------------------------------------------------------

/** Each model's shipped scenario, with the built-in paths first for comparison. */
const MODELS = [
  ["breakout", "breakout.jsonc"],
  ["mean-revert", "mean_revert.jsonc"],
  ["garch", "garch.jsonc"],
  ["heston", "heston.jsonc"],
  ["jumps", "jumps.jsonc"],
  ["gamma-regime", "gamma_regime.jsonc"],
  ["pin", "pin.jsonc"],
] as const;

/** Runs and steps per run of each model's batch. */
const MODEL_RUNS = flags.quick ? 2_000 : 10_000, MODEL_STEPS = 1_000;

/**
 * Each model's batch on a warm pool, on one thread and on two, the best of `reps` after one
 * untimed batch of each: the table's rows.
 */
async function models(): Promise<string[][]> {
  const rows = [["model", "batch", "1 thread", "ns/step", "2 threads", "steps/s"]];
  const outDir = join(work, "models");
  using pool = new WorkerPool();
  for (const [model, file] of MODELS) {
    const scenario = await loadScenario(join(root, "scenarios", file));
    const runs = MODEL_RUNS, steps = MODEL_RUNS * MODEL_STEPS;
    const time = async (workers: number) => {
      await Deno.remove(outDir, { recursive: true }).catch(() => {});
      const started = performance.now();
      await runBatch(scenario, { outDir, runs, steps: MODEL_STEPS, workers, pool });
      return (performance.now() - started) / 1000;
    };
    await time(1), await time(2);
    let one = Infinity, two = Infinity;
    for (let round = 0; round < reps; round++) {
      one = Math.min(one, await time(1));
      two = Math.min(two, await time(2));
    }
    rows.push([
      model,
      `${runs.toLocaleString("en")} x ${MODEL_STEPS.toLocaleString("en")}`,
      `${one.toFixed(3)} s`,
      (one / steps * 1e9).toFixed(1),
      `${two.toFixed(3)} s`,
      `${(steps / two / 1e6).toFixed(1)}M`,
    ]);
  }
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  return rows;
}

function printRows(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
}

// --- the table --------------------------------------------------------------------------------

console.log(`bench_mc: work folder ${work}; best of ${reps} rounds`);
if (flags.models) {
  console.log(`per model: ${MODEL_RUNS.toLocaleString("en")} runs x 1,000 steps, warm pool`);
  try {
    printRows(await models());
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  Deno.exit(0);
}
console.log("running Python's batches and ours in turn ...");
const us = await measure();
console.log(`running ${memoryRuns.toLocaleString("en")} runs x 100 steps for peak memory ...`);
const mem = await memory();
console.log(`per model: ${MODEL_RUNS.toLocaleString("en")} runs x 1,000 steps, warm pool ...`);
const perModel = await models();
await Deno.remove(work, { recursive: true }).catch(() => {});

const rows: string[][] = [["workload", "python", "ours", "ratio", "target", "result"]];
const s = (t: number) => `${t.toFixed(3)} s`;
/** A row comparing ours with a Python time, or ours alone when the baseline did not run. */
function compare(label: string, python: number | undefined, time: number, min: number) {
  const target = `>= ${min}x ${min === 2 ? "numpy" : "original"}`;
  if (python === undefined) return rows.push([label, "-", s(time), "-", target, "-"]);
  const ratio = python / time;
  rows.push([
    label,
    s(python),
    s(time),
    `${ratio.toFixed(min === 2 ? 2 : 1)}x`,
    target,
    pass(ratio >= min),
  ]);
}
function pass(ok: boolean): string {
  return ok ? "PASS" : "FAIL";
}
if (typeof us.python === "string") {
  console.log(`Python baseline ${us.python}; our numbers only.`);
}
const times = typeof us.python === "string" ? undefined : us.python;
const runs = runsC.toLocaleString("en");
for (const [how, ours] of [["new workers", us.fresh], ["pooled", us.pooled]] as const) {
  const threads = `${ours.bThreads} thread${ours.bThreads > 1 ? "s" : ""}`;
  compare(`b 1,000 x 200 + mc_*.jsonl, ${threads}, ${how}`, times?.b, ours.b, 15);
  compare(`c ${runs} x 1,000 stats, 2 threads, ${how}`, times?.c, ours.c, 150);
  compare(`c ${runs} x 1,000 vs numpy (d), ${how}`, times?.d, ours.c, 2);
}
const mLabel = `m ${memoryRuns.toLocaleString("en")} x 100, peak memory`;
if (typeof mem === "string") rows.push([mLabel, "-", mem, "-", "< 300 MB", "-"]);
else {
  const used = `${mem.mb.toFixed(0)} MB (${mem.seconds.toFixed(1)} s)`;
  rows.push([mLabel, "-", used, "-", "< 300 MB", pass(mem.mb < 300)]);
}
printRows(rows);
console.log("");
printRows(perModel);
