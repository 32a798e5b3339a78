// The `events` sink through real runs in a temporary folder, and the run summary's event lines.
import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import { detectEvents } from "../../core/events.ts";
import { loadScenario, runScenario } from "../../mod.ts";
import { formatEvents } from "../../plugins/events.ts";
import { readJsonl } from "../../plugins/jsonl.ts";
import { cli, listDir } from "../cli_harness.ts";

/** Five dated sessions: a breach of the call wall at 0-1, TAXI at 3, a breach still open at 4. */
const CSV = [
  "timestamp,spot,iv,hv",
  "2022-01-03,1101,0.2,0.2",
  "2022-01-04,1102,0.2,0.2",
  "2022-01-05,1050,0.2,0.2",
  "2022-01-06,1000,0.2,0.2",
  "2022-01-07,1130,0.2,0.2",
].join("\n") + "\n";

/** Writes the dated scenario into `dir`, with `evaluator` and `sink` options added. */
async function datedScenario(
  dir: string,
  extra: { evaluator?: object; sink?: object } = {},
): Promise<string> {
  await Deno.writeTextFile(join(dir, "days.csv"), CSV);
  const scenario = {
    name: "days",
    steps: 5,
    evaluator: {
      use: "envelope",
      atr: 100,
      flip: 1000,
      putWall: 920,
      callWall: 1100,
      ...extra.evaluator,
    },
    generators: { market: { use: "csv", file: "days.csv" } },
    sinks: [{ use: "jsonl" }, { use: "events", ...extra.sink }],
  };
  const path = join(dir, "days.jsonc");
  await Deno.writeTextFile(path, JSON.stringify(scenario, null, 2));
  return path;
}

Deno.test("the events sink writes <name>.events.jsonl with indices and the frames' dates", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "out");
  const report = await runScenario(await loadScenario(await datedScenario(dir)), { outDir: out });
  const lines = (await Deno.readTextFile(join(out, "days.events.jsonl"))).split("\n");
  assertEquals(lines.pop(), "", "a final newline");
  assertEquals(lines.map((l) => JSON.parse(l)), [
    {
      kind: "BREACH",
      start: 0,
      end: 1,
      startTimestamp: "2022-01-03",
      endTimestamp: "2022-01-04",
      duration: 2,
      peak: -0.02,
      peakIndex: 1,
      severity: "low",
      open: false,
    },
    {
      kind: "REGIME",
      start: 3,
      end: 3,
      startTimestamp: "2022-01-06",
      endTimestamp: "2022-01-06",
      duration: 1,
      peak: 0,
      peakIndex: 3,
      severity: null,
      open: false,
      from: "CRUISE",
      regime: "TAXI",
    },
    {
      kind: "BREACH",
      start: 4,
      end: 4,
      startTimestamp: "2022-01-07",
      endTimestamp: "2022-01-07",
      duration: 1,
      peak: -0.3,
      peakIndex: 4,
      severity: "medium",
      open: true,
    },
    {
      kind: "REGIME",
      start: 4,
      end: 4,
      startTimestamp: "2022-01-07",
      endTimestamp: "2022-01-07",
      duration: 1,
      peak: 1.3,
      peakIndex: 4,
      severity: null,
      open: false,
      from: "TAXI",
      regime: "CRUISE",
    },
  ]);
  // The run report holds the same events, whether or not the sink is listed.
  assertEquals(report.events.length, 4);
  assertEquals(report.worstEvents.map((e) => [e.start, e.startTimestamp]), [[4, "2022-01-07"], [
    0,
    "2022-01-03",
  ]]);
  assertEquals(listDir(out), ["days.events.jsonl", "days.jsonl", "days.meta.json"]);
});

Deno.test("the events sink bands with the envelope's severity option and can leave out regimes", async () => {
  const dir = await Deno.makeTempDir();
  const path = await datedScenario(dir, {
    evaluator: { severity: { breach: { high: { depth: 0.3 } } } },
    sink: { regimes: false },
  });
  const out = join(dir, "out");
  await runScenario(await loadScenario(path), { outDir: out });
  const events = (await Deno.readTextFile(join(out, "days.events.jsonl"))).trim().split("\n")
    .map((l) => JSON.parse(l));
  assertEquals(events.map((e) => [e.kind, e.start, e.severity]), [
    ["BREACH", 0, "low"],
    ["BREACH", 4, "high"],
  ]);
});

Deno.test("the run summary prints events by kind and band, and the worst three", async () => {
  const dir = await Deno.makeTempDir();
  const result = await cli([await datedScenario(dir), "--out", join(dir, "out")]);
  assertEquals(result.code, 0, result.err);
  const at = result.out.findIndex((l) => l.startsWith("  events"));
  assert(at > 0 && result.out[at - 1]!.startsWith("  flags"), result.out.join("\n"));
  assertEquals(result.out.slice(at, at + 3), [
    "  events   BREACH 2 (low 1, medium 1)  OVERSPEED 0  STALL 0  REGIME 2",
    "  worst    BREACH from 2022-01-07, 1 frame, open at the end, peak z -0.300, medium",
    "           BREACH from 2022-01-03, 2 frames, peak z -0.020, low",
  ]);
  assert(result.out[at + 3]!.startsWith("  wrote"), result.out.join("\n"));
});

Deno.test("a run without episodes prints its regime changes and no worst line", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    join(dir, "days.csv"),
    "spot,iv,hv\n1001,0.2,0.2\n1050,0.2,0.2\n",
  );
  await Deno.writeTextFile(
    join(dir, "calm.jsonc"),
    JSON.stringify({
      name: "calm",
      steps: 2,
      evaluator: { use: "envelope", atr: 100, flip: 1000, putWall: 920, callWall: 1100 },
      generators: { market: { use: "csv", file: "days.csv" } },
      sinks: [],
    }),
  );
  const result = await cli([join(dir, "calm.jsonc"), "--out", join(dir, "out")]);
  assertEquals(result.code, 0, result.err);
  const at = result.out.findIndex((l) => l.startsWith("  events"));
  assertEquals(result.out[at], "  events   BREACH 0  OVERSPEED 0  STALL 0  REGIME 1");
  assert(result.out[at + 1]!.startsWith("  wrote"));
});

Deno.test("a batch with --keep-runs writes each run's events, those of its kept log", async () => {
  const dir = await Deno.makeTempDir();
  const scenario = {
    name: "fb",
    seed: 7,
    steps: 150,
    evaluator: { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 },
    generators: {
      spot: { use: "false-breakout", start: 694, wall: "call", depth: 0.5 },
      iv: { use: "vol-path", start: 0.15 },
      hv: { use: "hv", value: 0.12 },
    },
    sinks: [{ use: "jsonl" }, { use: "events" }],
  };
  await Deno.writeTextFile(join(dir, "fb.jsonc"), JSON.stringify(scenario));
  const out = join(dir, "out");
  const args = [join(dir, "fb.jsonc"), "--out", out, "--runs", "3", "--keep-runs", "--quiet"];
  const result = await cli(args);
  assertEquals(result.code, 0, result.err);
  let breaches = 0;
  for (const run of [0, 1, 2]) {
    const frames = await readJsonl(join(out, `mc_fb_${run}.jsonl`));
    const events = detectEvents(frames);
    breaches += events.filter((e) => e.kind === "BREACH").length;
    assertEquals(
      await Deno.readTextFile(join(out, `mc_fb_${run}.events.jsonl`)),
      formatEvents(events),
    );
  }
  assert(breaches > 0, "a false breakout breaches the call wall");
});
