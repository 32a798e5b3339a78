/**
 * Monte Carlo speed and memory, against the Python yardstick in ../shared/baselines, measured
 * in one invocation so that the ratios share the machine's state:
 *
 * ```sh
 * deno task bench            # everything: the original-style Python c takes about a minute
 * deno task bench --quick    # c and d on 1,000 runs instead of 10,000
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
 *
 * b and c are measured twice: with new workers for each batch, as `deno task run` runs one,
 * and on a {@linkcode WorkerPool} warmed by one batch of each, as a program running many
 * batches does (numpy's times, too, leave out its start-up). Both follow one untimed batch of
 * each, as any benchmark harness warms up: V8 compiles the main thread's hot code during its
 * first batches, while Python compiles nothing.
 *
 * Both sides write into the same folder, on tmpfs (/dev/shm) when there is one, so that disk
 * noise does not swamp the file workload. Each side empties the folder before each timed batch,
 * untimed. Times are the best of `--reps` (default 3), as the baseline's own bench takes them;
 * the original-style Python c runs once.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { dirname, fromFileUrl, join, resolve } from "@std/path";
import { loadScenario, runBatch, WorkerPool } from "../mod.ts";

const root = resolve(dirname(fromFileUrl(import.meta.url)), "..");
const flags = parseArgs(Deno.args, {
  boolean: ["quick", "no-python", "help"],
  string: ["reps", "dir", "memory-runs"],
});
if (flags.help) {
  console.log(
    "Usage: deno task bench [--quick] [--reps N] [--dir DIR] [--no-python] [--memory-runs N]",
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

/**
 * The fastest of `reps` calls of `fn`, in seconds. `fresh` runs before each call, untimed, as
 * the Python side empties its output folder before each timed batch.
 */
async function best(
  fn: () => Promise<unknown>,
  fresh?: () => Promise<unknown>,
): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < reps; i++) {
    await fresh?.();
    const started = performance.now();
    await fn();
    fastest = Math.min(fastest, (performance.now() - started) / 1000);
  }
  return fastest;
}

// --- the Python yardstick --------------------------------------------------------------------

const PYTHON = `
import json, os, shutil, sys, time
from seed_py.scenario_runner import ScenarioRunner, default_config
from seed_py.vectorized import monte_carlo_vectorized
a = json.loads(sys.argv[1])
cfg = default_config()
def best(fn, reps, fresh=None):
    times = []
    for _ in range(reps):
        if fresh: fresh()
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return min(times)
def fresh():
    shutil.rmtree(a["dir"], ignore_errors=True); os.makedirs(a["dir"])
out = {}
out["b"] = best(lambda: ScenarioRunner(cfg, output_dir=a["dir"]).run_monte_carlo(
    "mean_revert", "mean_revert", n_runs=1000, steps=200, save_logs=True, verbose=False), a["reps"], fresh)
print(json.dumps({"progress": "b"}), flush=True)
out["d"] = best(lambda: monte_carlo_vectorized(cfg, n_runs=a["runsC"], steps=1000), a["reps"])
print(json.dumps({"progress": "d"}), flush=True)
out["c"] = best(lambda: ScenarioRunner(cfg).run_monte_carlo(
    "mean_revert", "mean_revert", n_runs=a["runsC"], steps=1000, save_logs=False, verbose=False), 1)
shutil.rmtree(a["dir"], ignore_errors=True)
print(json.dumps(out), flush=True)
`;

interface PythonTimes {
  b: number;
  c: number;
  d: number;
}

async function python(): Promise<PythonTimes | string> {
  const baselines = resolve(root, "../shared/baselines");
  if (flags["no-python"]) return "skipped (--no-python)";
  if (!isDir(join(baselines, "seed_py"))) return `unavailable: no ${baselines}/seed_py`;
  const args = { dir: join(work, "python_b"), reps, runsC };
  let child;
  try {
    child = new Deno.Command("python3", {
      args: ["-c", PYTHON, JSON.stringify(args)],
      cwd: baselines,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    return `unavailable: cannot start python3 (${(error as Error).message})`;
  }
  const { code, stdout, stderr } = await child.output();
  const lines = new TextDecoder().decode(stdout).trim().split("\n");
  if (code !== 0) {
    return `unavailable: python3 failed: ${
      new TextDecoder().decode(stderr).trim().split("\n").at(-1)
    }`;
  }
  return JSON.parse(lines.at(-1)!) as PythonTimes;
}

// --- ours --------------------------------------------------------------------------------------

interface Ours {
  /** b and c with new workers for each batch, as `deno task run` runs one. */
  fresh: { b: number; c: number; bThreads: number };
  /** b and c on a {@linkcode WorkerPool} warmed by one batch of each, as a sweep runs them. */
  pooled: { b: number; c: number; bThreads: number };
}

async function ours(): Promise<Ours> {
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
  // One batch of each first, as a benchmark harness warms up: V8 compiles the main thread's hot
  // code over its first batches (Python compiles nothing, so its first run is as fast as any).
  await empty();
  await b();
  await c();
  const freshB = await best(() => b(), empty);
  const fresh = { b: freshB, c: await best(() => c(), empty), bThreads };
  using pool = new WorkerPool();
  await empty();
  await b(pool);
  await c(pool);
  const pooledB = await best(() => b(pool), empty);
  const pooled = { b: pooledB, c: await best(() => c(pool), empty), bThreads };
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  return { fresh, pooled };
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

// --- the table --------------------------------------------------------------------------------

console.log(`bench_mc: work folder ${work}; best of ${reps}`);
console.log("running the Python baseline (original-style c takes about a minute) ...");
const py = await python();
console.log("running ours ...");
const us = await ours();
console.log(`running ${memoryRuns.toLocaleString("en")} runs x 100 steps for peak memory ...`);
const mem = await memory();
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
if (typeof py === "string") console.log(`Python baseline ${py}; our numbers only.`);
const times = typeof py === "string" ? undefined : py;
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
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
