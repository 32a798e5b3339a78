/**
 * `deno task bench`: speed as the user meets it, then the in-process figures.
 *
 * ```sh
 * deno task bench                 # whole-process table, then the in-process table
 * deno task bench --whole         # whole-process table only (--rounds N, --only a,b,...)
 * deno task bench --in-process    # tools/bench_mc.ts alone (its flags pass through)
 * deno task bench --growth        # time and memory against runs and against steps
 * ```
 *
 * The whole-process table times every workload as the command a user types (`deno task run
 * ...`), against a yardstick command doing the same work, in turn, pair by pair (see
 * tools/bench_whole.ts). Everything is written under one temporary folder, removed at the end.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { dirname, fromFileUrl, join, resolve } from "@std/path";
import {
  baselines,
  type Command,
  loadAverage,
  measureWorkload,
  median,
  type RowFigures,
  runOnce,
  type Workload,
} from "./bench_whole.ts";

const root = resolve(dirname(fromFileUrl(import.meta.url)), "..");
const flags = parseArgs(Deno.args, {
  boolean: ["whole", "in-process", "growth", "help", "quick", "no-python"],
  string: ["rounds", "only", "reps", "memory-runs"],
});
if (flags.help) {
  console.log(
    "Usage: deno task bench [--whole | --in-process | --growth] [--rounds N] [--only a,b,c,j,h]\n" +
      "  in-process: [--quick] [--reps N] [--no-python] [--memory-runs N] (tools/bench_mc.ts)",
  );
  Deno.exit(0);
}
const rounds = Number(flags.rounds ?? 5);
const only = flags.only ? new Set(String(flags.only).split(",")) : undefined;
const work = await Deno.makeTempDir({ prefix: "bench_" });

/** `deno task run` as a user types it, with absolute paths so the folder does not matter. */
function ourRun(label: string, args: string[], out: string): Command {
  return {
    label,
    argv: [
      Deno.execPath(),
      "task",
      "--config",
      join(root, "deno.json"),
      "run",
      ...args,
      "--out",
      out,
      "--quiet",
    ],
    cwd: root,
    before: () => Deno.remove(out, { recursive: true }).catch(() => {}),
  };
}

/** A shipped scenario with its steps, shock and outputs edited, written into the work folder. */
async function edited(
  file: string,
  edit: { steps: number; renderers: boolean; name: string },
): Promise<string> {
  let text = await Deno.readTextFile(join(root, "scenarios", file));
  text = text.replace(/"steps":\s*\d+/, `"steps": ${edit.steps}`)
    .replace(/"shockAt":\s*\d+/, `"shockAt": ${Math.floor(edit.steps / 2)}`)
    .replace(/"\$schema":[^\n]*\n/, "")
    .replace(/"name":\s*"[^"]*"/, `"name": "${edit.name}"`);
  if (!edit.renderers) text = text.replace(/"renderers":\s*\[[^\]]*\]/, `"renderers": []`);
  const path = join(work, `${edit.name}.jsonc`);
  await Deno.writeTextFile(path, text);
  return path;
}

/** The original-style Python backend or its numpy variant, as a Python user runs it. */
function python(label: string, dir: string, code: string, out?: string): Command {
  return {
    label,
    argv: [
      "python3",
      "-c",
      `from seed_py.scenario_runner import ScenarioRunner, default_config
from seed_py.vectorized import monte_carlo_vectorized
cfg = default_config()
${code}`,
    ],
    cwd: dir,
    ...(out ? { before: () => Deno.remove(out, { recursive: true }).catch(() => {}) } : {}),
  };
}

async function wholeProcess(): Promise<void> {
  const mr200 = await edited("mean_revert.jsonc", { steps: 200, renderers: false, name: "mr200" });
  const mr1000 = await edited("mean_revert.jsonc", {
    steps: 1000,
    renderers: false,
    name: "mr1000",
  });
  const jsonl = await edited("breakout.jsonc", { steps: 200, renderers: false, name: "jsonl" });
  const page = await edited("breakout.jsonc", { steps: 200, renderers: true, name: "page" });
  const py = await baselines(root);
  const noPython = "no ../shared/baselines beside the checkout";
  const pyOut = join(work, "py");
  const workloads: Workload[] = [
    {
      key: "a",
      label: "1 run x 200 steps, JSONL (start-up)",
      ours: ourRun("ours a", [mr200], join(work, "a")),
      yardstick: py
        ? python(
          "python a",
          py,
          `ScenarioRunner(cfg, output_dir=${
            JSON.stringify(pyOut)
          }).run_scenario("single", "mean_revert", 200, seed=42)`,
          pyOut,
        )
        : noPython,
      goal: { text: "faster than Python", met: (r) => (r.ratio ?? 0) > 1 },
    },
    {
      key: "b",
      label: "1,000 x 200, a JSONL per run (--keep-runs)",
      ours: ourRun("ours b", [mr200, "--runs", "1000", "--keep-runs"], join(work, "b")),
      yardstick: py
        ? python(
          "python b",
          py,
          `ScenarioRunner(cfg, output_dir=${
            JSON.stringify(pyOut)
          }).run_monte_carlo("mean_revert", "mean_revert", n_runs=1000, steps=200, save_logs=True, verbose=False)`,
          pyOut,
        )
        : noPython,
      goal: { text: ">= 15x original-style Python", met: (r) => (r.ratio ?? 0) >= 15 },
      caveat: "Python rounds its numbers to 3 digits; ours writes full precision (SPEC §2)",
    },
    {
      key: "c",
      label: "10,000 x 1,000 stats, --workers 2, vs numpy",
      ours: ourRun("ours c", [mr1000, "--runs", "10000", "--workers", "2"], join(work, "c")),
      yardstick: py
        ? python("numpy d", py, "monte_carlo_vectorized(cfg, n_runs=10000, steps=1000)")
        : noPython,
      goal: { text: ">= 3x numpy", met: (r) => (r.ratio ?? 0) >= 3 },
      caveat: "numpy computes breach rate, max loads, regime and flag counts only; ours also the " +
        "quantile sketches, fan, timelines and writes summary.json and report.html",
    },
    {
      key: "j",
      label: "1 run x 2,000,000 steps, JSONL only",
      ours: ourRun("ours j", [jsonl, "--steps", "2000000"], join(work, "j")),
      yardstick: undefined,
      frames: 2_000_000,
      goal: { text: ">= 1.5M frames/s", met: (r) => 2_000_000 / r.ours >= 1.5e6 },
    },
    {
      key: "h",
      label: "1 run x 2,000,000 steps, JSONL and the html view",
      ours: ourRun("ours h", [page, "--steps", "2000000"], join(work, "h")),
      yardstick: undefined,
      frames: 2_000_000,
      goal: { text: "peak memory < 300 MB", met: (r) => (r.peakMB ?? Infinity) < 300 },
    },
  ];
  const load = await loadAverage();
  console.log(`whole-process: ${rounds} rounds after a warm-up; load average ${load}`);
  const rows = [["workload", "ours", "yardstick", "ratio (median, range)", "peak MB", "goal", ""]];
  for (const workload of workloads) {
    if (only && !only.has(workload.key)) continue;
    const figures = await measureWorkload(workload, { rounds, scratch: work });
    rows.push(row(workload, figures));
    if (workload.caveat) console.log(`  ${workload.key}: ${workload.caveat}`);
    if (typeof workload.yardstick === "string") {
      console.log(`  ${workload.key}: ${workload.yardstick}`);
    }
  }
  printTable(rows);
  console.log(`load average after: ${await loadAverage()}`);
}

function row(workload: Workload, figures: RowFigures): string[] {
  const s = (t: number) => `${t.toFixed(3)} s`;
  const ours = workload.frames
    ? `${s(figures.ours)} (${(workload.frames / figures.ours / 1e6).toFixed(2)}M frames/s)`
    : s(figures.ours);
  const yardstick = typeof workload.yardstick === "object" && figures.yardstick !== undefined
    ? `${workload.yardstick.label} ${s(figures.yardstick)}`
    : "-";
  const ratio = figures.ratio === undefined
    ? "-"
    : `${figures.ratio.toFixed(2)}x (${figures.range![0].toFixed(2)}-${
      figures.range![1].toFixed(2)
    })`;
  const mb = (v: number | undefined) => (v === undefined ? "?" : v.toFixed(0));
  const memory = figures.yardstick === undefined
    ? mb(figures.peakMB)
    : `${mb(figures.peakMB)} / ${mb(figures.yardstickMB)}`;
  const verdict = workload.goal.met(figures) ? "met" : "not met";
  return [
    `${workload.key} ${workload.label}`,
    ours,
    yardstick,
    ratio,
    memory,
    workload.goal.text,
    verdict,
  ];
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) {
    console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
  }
}

/** Time and peak memory against runs (100 steps each) and against steps (one run, JSONL). */
async function growth(): Promise<void> {
  const mr100 = await edited("mean_revert.jsonc", { steps: 100, renderers: false, name: "mr100" });
  const jsonl = await edited("breakout.jsonc", { steps: 200, renderers: false, name: "grow" });
  console.log(`growth: median of 3; load average ${await loadAverage()}`);
  const rows = [["work", "time", "per step", "marginal per step", "peak MB"]];
  let previous: { units: number; seconds: number } | undefined;
  const measure = async (label: string, command: Command, units: number) => {
    const times: number[] = [], peaks: number[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await runOnce(command, work);
      times.push(m.seconds);
      if (m.peakMB !== undefined) peaks.push(m.peakMB);
    }
    const t = median(times);
    const us = (seconds: number, n: number) => `${(seconds / n * 1e6).toFixed(3)} µs`;
    // The marginal cost, from the previous row of the same series: start-up cancels out.
    const marginal = previous ? us(t - previous.seconds, units - previous.units) : "-";
    rows.push([
      label,
      `${t.toFixed(2)} s`,
      us(t, units),
      marginal,
      peaks.length ? median(peaks).toFixed(0) : "?",
    ]);
    previous = { units, seconds: t };
  };
  for (const runs of [1_000, 10_000, 100_000, 1_000_000]) {
    const label = `${runs.toLocaleString("en")} runs x 100 steps, stats`;
    await measure(
      label,
      ourRun(label, [mr100, "--runs", String(runs)], join(work, "g")),
      runs * 100,
    );
  }
  previous = undefined;
  for (const steps of [10_000, 100_000, 1_000_000, 10_000_000]) {
    const label = `1 run x ${steps.toLocaleString("en")} steps, JSONL`;
    await measure(label, ourRun(label, [jsonl, "--steps", String(steps)], join(work, "g")), steps);
  }
  printTable(rows);
}

try {
  const all = !flags.whole && !flags["in-process"] && !flags.growth;
  if (flags.whole || all) await wholeProcess();
  if (flags.growth) await growth();
  if (flags["in-process"] || all) {
    console.log("\nin-process (tools/bench_mc.ts): batches timed inside one process");
    // tools/bench_mc.ts's own flags, passed on.
    const passed = [
      ...(flags.quick ? ["--quick"] : []),
      ...(flags["no-python"] ? ["--no-python"] : []),
      ...(flags.reps ? ["--reps", String(flags.reps)] : []),
      ...(flags["memory-runs"] ? ["--memory-runs", String(flags["memory-runs"])] : []),
    ];
    const task: string = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))).tasks.bench;
    const v8 = task.split(/\s+/).filter((w) => w.startsWith("--v8-flags"));
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", ...v8, join(root, "tools/bench_mc.ts"), ...passed],
    }).spawn().status;
    if (code !== 0) Deno.exitCode = code;
  }
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
