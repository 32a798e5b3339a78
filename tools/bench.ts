/**
 * `deno task bench`: speed as the user meets it, then the in-process figures.
 *
 * ```sh
 * deno task bench                 # whole-process table, then the in-process table
 * deno task bench --whole         # whole-process table only (--rounds N, --only a,c1,g,...)
 * deno task bench --in-process    # tools/bench_mc.ts alone (its flags pass through)
 * deno task bench --in-process --models   # its per-model table alone
 * deno task bench --growth        # time and memory against runs and against steps
 * ```
 *
 * The whole-process table times every workload as the command a user types (`deno task run
 * ...`), against a yardstick command doing the same work, in turn, pair by pair (see
 * tools/bench_whole.ts). Everything is written under one temporary folder, removed at the end.
 *
 * Rows: a, b, c and the Python yardsticks of ../shared/baselines; c1 and c2, the c batch on one
 * and two threads against the same batch in C on one thread (tools/mc_yardstick.c, compiled
 * once before the rounds; the rows are skipped with a message where gcc is missing); j and h,
 * single runs with goals of their own; g and s, GARCH and Heston batches against numpy versions
 * of them (tools/models_numpy.py), with our steps a second.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { dirname, fromFileUrl, join, resolve } from "@std/path";
import { loadScenario } from "../mod.ts";
import type { EnvelopeOptions } from "../plugins/envelope.ts";
import {
  baselines,
  type Command,
  compileC,
  type Compiled,
  loadAverage,
  measureWorkload,
  median,
  outputOf,
  type RowFigures,
  runOnce,
  type Workload,
} from "./bench_whole.ts";

const root = resolve(dirname(fromFileUrl(import.meta.url)), "..");
const flags = parseArgs(Deno.args, {
  boolean: ["whole", "in-process", "growth", "help", "quick", "no-python", "models"],
  string: ["rounds", "only", "reps", "memory-runs"],
});
if (flags.help) {
  console.log(
    "Usage: deno task bench [--whole | --in-process | --growth] [--rounds N]\n" +
      "  [--only a,b,c,c1,c2,j,h,g,s]\n" +
      "  in-process: [--quick] [--reps N] [--no-python] [--memory-runs N] [--models]\n" +
      "  (tools/bench_mc.ts)",
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

/** Runs and steps of the c, c1 and c2 batches. */
const C_RUNS = 10_000, C_STEPS = 1_000;
/** Runs and steps of the model batches, g and s: each takes about a second on either side. */
const MODEL_RUNS = 10_000, MODEL_STEPS = 1_000;

/**
 * The C yardstick's arguments for a scenario (tools/mc_yardstick.c): the options ours resolved
 * from the file, defaults included, for the plugins the C port has.
 */
async function cArguments(file: string, runs: number): Promise<string[]> {
  const scenario = await loadScenario(file);
  const refuse = (what: string): never => {
    throw new Error(`${file}: the C yardstick has no ${what}`);
  };
  const evaluator = scenario.evaluator;
  const levels = evaluator.options as EnvelopeOptions;
  if (evaluator.use !== "envelope" || levels.chain !== undefined) {
    refuse(`evaluator "${evaluator.use}"${levels.chain === undefined ? "" : " with a chain"}`);
  }
  const args = [`runs=${runs}`, `steps=${scenario.steps}`, `seed=${scenario.seed}`];
  for (const name of ["atr", "flip", "putWall", "callWall", "riskProxyBase"] as const) {
    args.push(`${name}=${levels[name]}`);
  }
  for (const [name, value] of Object.entries(levels.thresholds)) args.push(`${name}=${value}`);
  for (const generator of scenario.generators) {
    const options = generator.options as Record<string, unknown>;
    const given = (prefix: string, names: string[]) =>
      names.filter((n) => options[n] !== undefined).map((n) => `${prefix}.${n}=${options[n]}`);
    const spot = (names: string[]) => [
      `spot.use=${generator.use}`,
      `spot.key=${generator.key}`,
      ...given("spot", names),
    ];
    if (generator.use === "mean-revert") {
      args.push(...spot(["start", "target", "intensity", "noise"]));
    } else if (generator.use === "breakout") {
      const direction = options.direction === "down" ? -1 : 1;
      args.push(...spot(["start", "speed", "noise", "onset"]), `spot.direction=${direction}`);
    } else if (generator.use === "vol-path") {
      const names = ["start", "target", "reversion", "volOfVol", "shockAt", "shockSize", "floor"];
      args.push(`iv.key=${generator.key}`, ...given("iv", names));
    } else if (generator.use === "hv" && options.value !== undefined) {
      args.push(`hv.value=${options.value}`);
    } else {
      refuse(`generator "${generator.use}"${generator.use === "hv" ? " with a window" : ""}`);
    }
  }
  return args;
}

/** The summary figures the C yardstick prints as ours' summary.json holds them. */
const SUMMARY_FIGURES = [
  "breachRuns",
  "breachRateCI95",
  "maxLoad",
  "maxLoadQuantiles",
  "regimeShare",
  "flagCounts",
  "firstBreachStep",
  "finalSpotQuantiles",
];

/** The c1 and c2 rows' check: ours' summary.json against what the C yardstick prints. */
function sameAsC(ours: Command, c: Command, summary: string): () => Promise<string> {
  return async () => {
    await outputOf(ours);
    const mine = JSON.parse(await Deno.readTextFile(summary));
    const theirs = JSON.parse(await outputOf(c));
    const differ = SUMMARY_FIGURES.filter((k) =>
      JSON.stringify(mine[k]) !== JSON.stringify(theirs[k])
    );
    return differ.length === 0
      ? `C's figures equal ours' summary.json in all of ${SUMMARY_FIGURES.join(", ")}`
      : `C's figures differ from ours' summary.json in ${differ.join(", ")}`;
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
  const wantC = !only || only.has("c1") || only.has("c2");
  const compiled: Compiled = wantC
    ? await compileC(join(root, "tools/mc_yardstick.c"), join(work, "mc_yardstick"))
    : { skip: "not asked for" };
  const cCommand: Command | undefined = "program" in compiled
    ? {
      label: "C, one thread",
      argv: [compiled.program, ...await cArguments(mr1000, C_RUNS)],
    }
    : undefined;
  const cRow = (workers: number): Workload => {
    const out = join(work, `c${workers}`);
    const ours = ourRun(`ours c${workers}`, [
      mr1000,
      "--runs",
      String(C_RUNS),
      "--workers",
      String(workers),
    ], out);
    return {
      key: `c${workers}`,
      label: `10,000 x 1,000 stats, --workers ${workers}, vs C`,
      ours,
      yardstick: cCommand ?? "no C yardstick",
      steps: C_RUNS * C_STEPS,
      goal: { text: "within 1.3x of C", met: (r) => (r.ratio ?? 0) >= 1 / 1.3 },
      caveat: "C prints the summary's figures and the fan's percentiles; ours also writes " +
        "summary.json and report.html through its output set, and starts Deno",
      ...(cCommand
        ? { check: sameAsC(ours, cCommand, join(out, "mr1000.summary.json")) }
        : { skip: "skipped: " + ("skip" in compiled ? compiled.skip : "") }),
    };
  };
  const modelRow = (key: string, model: "garch" | "heston"): Workload => ({
    key,
    label: `${model} ${MODEL_RUNS.toLocaleString("en")} x ${
      MODEL_STEPS.toLocaleString("en")
    } stats, 2 workers, vs numpy`,
    ours: ourRun(`ours ${key}`, [
      join(root, "scenarios", `${model}.jsonc`),
      "--runs",
      String(MODEL_RUNS),
      "--steps",
      String(MODEL_STEPS),
    ], join(work, key)),
    yardstick: {
      label: "numpy",
      argv: [
        "python3",
        join(root, "tools/models_numpy.py"),
        model,
        String(MODEL_RUNS),
        String(MODEL_STEPS),
      ],
      cwd: root,
    },
    steps: MODEL_RUNS * MODEL_STEPS,
    goal: { text: ">= 2x numpy", met: (r) => (r.ratio ?? 0) >= 2 },
    caveat: "numpy computes the paths, X, Y, Z and the breach rate only (tools/models_numpy.py); " +
      "ours also the regimes, flags, sketches and fan, and writes summary.json and report.html",
  });
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
    cRow(1),
    cRow(2),
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
    modelRow("g", "garch"),
    modelRow("s", "heston"),
  ];
  const load = await loadAverage();
  console.log(`whole-process: ${rounds} rounds after a warm-up; load average ${load}`);
  const rows = [["workload", "ours", "yardstick", "ratio (median, range)", "peak MB", "goal", ""]];
  for (const workload of workloads) {
    if (only && !only.has(workload.key)) continue;
    if (workload.skip) {
      console.log(`  ${workload.key}: ${workload.skip}`);
      continue;
    }
    const figures = await measureWorkload(workload, { rounds, scratch: work });
    rows.push(row(workload, figures));
    if (workload.caveat) console.log(`  ${workload.key}: ${workload.caveat}`);
    if (workload.check) console.log(`  ${workload.key}: ${await workload.check()}`);
    if (typeof workload.yardstick === "string") {
      console.log(`  ${workload.key}: ${workload.yardstick}`);
    }
  }
  printTable(rows);
  console.log(`load average after: ${await loadAverage()}`);
}

function row(workload: Workload, figures: RowFigures): string[] {
  const s = (t: number) => `${t.toFixed(3)} s`;
  const rate = (t: number) =>
    workload.frames
      ? `${s(t)} (${(workload.frames / t / 1e6).toFixed(2)}M frames/s)`
      : workload.steps
      ? `${s(t)} (${(workload.steps / t / 1e6).toFixed(1)}M steps/s)`
      : s(t);
  const ours = rate(figures.ours);
  const yardstick = typeof workload.yardstick === "object" && figures.yardstick !== undefined
    ? `${workload.yardstick.label} ${rate(figures.yardstick)}`
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
      ...(flags.models ? ["--models"] : []),
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
