// A run's meta file is its tape: `deno task run <name>.meta.json` runs the run again and writes
// the same bytes; it holds no absolute path; a hand-edited tape is refused with its field path.
import { assert, assertEquals, assertStringIncludes, fail } from "@std/assert";
import { dirname, fromFileUrl, isAbsolute, join, relative } from "@std/path";
import { cli, listDir } from "../cli_harness.ts";
import { metaText, VERSION } from "../../files/meta.ts";
import { loadScenario } from "../../plugins/mod.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const scenarios = join(root, "scenarios");

// The shipped scenarios that read ../shared/data run only where it is (SOURCES.md).
const data = join(root, "../shared/data");
const present = await Deno.stat(data).then((s) => s.isDirectory, () => false);
if (!present) {
  if (Deno.env.get("CI") === "true") {
    Deno.test("the ../shared/data files are present under CI", () => {
      fail(`${data} not found, and CI=true`);
    });
  } else {
    console.warn(`Skipping the tapes of the ../shared/data scenarios: ${data} not found`);
  }
}
const needsData = (name: string) => name.startsWith("spx_") || name.startsWith("spy_");

const shipped = [...Deno.readDirSync(scenarios)]
  .map((entry) => entry.name)
  .filter((name) => name.endsWith(".jsonc"))
  .sort();

/** Every file of two folders, byte for byte; the names first. */
async function assertSameFiles(a: string, b: string): Promise<void> {
  assertEquals(listDir(b), listDir(a));
  for (const name of listDir(a)) {
    const [x, y] = [await Deno.readFile(join(a, name)), await Deno.readFile(join(b, name))];
    assert(x.length === y.length && x.every((v, i) => v === y[i]), `${name} differs`);
  }
}

/** Every string in a meta file that is an absolute path or a file: URL. */
function absolutePaths(value: unknown): string[] {
  if (typeof value === "string") {
    return isAbsolute(value) || /^file:/i.test(value) ? [value] : [];
  }
  if (typeof value !== "object" || value === null) return [];
  return Object.values(value).flatMap(absolutePaths);
}

for (const file of shipped) {
  const name = file.replace(/\.jsonc$/, "");
  Deno.test({
    name: `the tape of scenarios/${file} runs again into the same bytes, with no absolute path`,
    ignore: needsData(name) && !present,
    async fn() {
      const top = await Deno.makeTempDir();
      const [first, again] = [join(top, "first"), join(top, "again")];
      const run = await cli([join(scenarios, file), "--out", first, "--seed", "5", "--quiet"]);
      assertEquals(run.code, 0, run.err);
      const metas = listDir(first).filter((f) => f.endsWith(".meta.json"));
      assertEquals(metas.length, 1, listDir(first).join(", "));
      const text = await Deno.readTextFile(join(first, metas[0]!));
      assertEquals(absolutePaths(JSON.parse(text)), []);
      assert(!text.includes(top), text);
      const tape = JSON.parse(text).tape;
      assertEquals([tape.file, tape.scenario.seed], [relative(first, join(scenarios, file)), 5]);
      const replay = await cli([join(first, metas[0]!), "--out", again, "--quiet"]);
      assertEquals(replay.code, 0, replay.err);
      // Both folders are as far from the scenario: the meta files are the same bytes too.
      await assertSameFiles(first, again);
      await Deno.remove(top, { recursive: true });
    },
  });
}

Deno.test("a tape holds every option with its default, and each use as written", async () => {
  const top = await Deno.makeTempDir();
  assertEquals((await cli([join(scenarios, "breakout.jsonc"), "--out", top, "--quiet"])).code, 0);
  const { tape } = JSON.parse(await Deno.readTextFile(join(top, "breakout.meta.json")));
  const { evaluator, generators, sinks, renderers } = tape.scenario;
  assertEquals(evaluator.use, "envelope");
  assertEquals(evaluator.riskProxyBase, 1);
  assertEquals(evaluator.thresholds.stallY, 0.8);
  assertEquals(Object.keys(generators), ["spot", "iv", "hv"]);
  assertEquals(sinks.map((s: { use: string }) => s.use), ["jsonl"]);
  assertEquals(renderers.map((r: { use: string }) => r.use), ["html"]);
  assert(!("monteCarlo" in tape.scenario), "a single run's tape runs a single run");
  await Deno.remove(top, { recursive: true });
});

Deno.test("a tape records --seed and --steps, and replays them without the flags", async () => {
  const top = await Deno.makeTempDir();
  const [first, again] = [join(top, "a"), join(top, "b")];
  const args = ["--seed", "11", "--steps", "77", "--quiet"];
  assertEquals((await cli([join(scenarios, "pin.jsonc"), "--out", first, ...args])).code, 0);
  const meta = JSON.parse(await Deno.readTextFile(join(first, "pin.meta.json")));
  assertEquals([meta.tape.scenario.seed, meta.tape.steps], [11, 77]);
  // The options were checked against the file's steps: a pin at step 150 of 200 stays.
  assertEquals([meta.tape.scenario.steps, meta.tape.scenario.generators.spot.at], [200, 150]);
  assertEquals((await cli([join(first, "pin.meta.json"), "--out", again, "--quiet"])).code, 0);
  await assertSameFiles(first, again);
  await Deno.remove(top, { recursive: true });
});

Deno.test("a batch's meta file replays the batch: its runs, summary and report", async () => {
  const top = await Deno.makeTempDir();
  const [first, again] = [join(top, "a"), join(top, "b")];
  const batch = ["--runs", "12", "--steps", "60", "--keep-runs", "--workers", "2"];
  const run = await cli([join(scenarios, "breakout.jsonc"), ...batch, "--out", first, "--quiet"]);
  assertEquals(run.code, 0, run.err);
  const meta = JSON.parse(await Deno.readTextFile(join(first, "mc_breakout.meta.json")));
  assertEquals(meta.tape.scenario.monteCarlo, { runs: 12, keepRuns: true });
  const tape = join(first, "mc_breakout.meta.json");
  const replay = await cli([tape, "--out", again, "--workers", "1", "--quiet"]);
  assertEquals(replay.code, 0, replay.err);
  await assertSameFiles(first, again);
  await Deno.remove(top, { recursive: true });
});

Deno.test("a tape whose output folder moved still runs its built-in plugins", async () => {
  const top = await Deno.makeTempDir();
  const first = join(top, "first");
  const run = await cli([join(scenarios, "false_breakout.jsonc"), "--out", first, "--quiet"]);
  assertEquals(run.code, 0, run.err);
  const moved = join(top, "deeper", "still", "moved");
  await Deno.mkdir(dirname(moved), { recursive: true });
  await Deno.rename(first, moved);
  const again = join(top, "again");
  const replay = await cli([join(moved, "false_breakout.meta.json"), "--out", again, "--quiet"]);
  assertEquals(replay.code, 0, replay.err);
  for (const name of ["false_breakout.jsonl", "false_breakout.html"]) {
    assertEquals(await Deno.readFile(join(again, name)), await Deno.readFile(join(moved, name)));
  }
  await Deno.remove(top, { recursive: true });
});

/** A tape of breakout.jsonc edited by `edit`, in a fresh folder, and where a run of it goes. */
async function editedTape(edit: (meta: Record<string, unknown>) => unknown) {
  const top = await Deno.makeTempDir();
  const scenario = await loadScenario(join(scenarios, "breakout.jsonc"));
  const text = await metaText(scenario, {
    seed: 42,
    run: 0,
    steps: 200,
    levels: undefined,
    dir: top,
  });
  const meta = JSON.parse(text);
  const path = join(top, "breakout.meta.json");
  await Deno.writeTextFile(path, JSON.stringify(edit(meta) ?? meta, null, 2));
  return { top, path, out: join(top, "out") };
}

const BAD: [what: string, edit: (meta: Record<string, unknown>) => unknown, message: string][] = [
  [
    "a wrong format",
    (m) => void (m.format = "option-flight/run-notes"),
    'Cannot read "format": expected "option-flight/run-meta"',
  ],
  [
    "no tape (a meta file from before tapes)",
    (m) => void delete m.tape,
    'Cannot read "tape": expected an object of "file", "steps", "scenario", got nothing',
  ],
  [
    "a missing field of the scenario",
    (m) => void delete (m.tape as { scenario: Record<string, unknown> }).scenario.steps,
    'Cannot read "tape.scenario.steps": expected an integer in [1, 10000000], got nothing',
  ],
  [
    "missing steps",
    (m) => void delete (m.tape as Record<string, unknown>).steps,
    'Cannot read "tape.steps": expected an integer in [1, 10000000], got nothing',
  ],
  [
    "an option out of range",
    (m) => {
      const generators =
        (m.tape as { scenario: { generators: Record<string, Record<string, unknown>> } }).scenario
          .generators;
      generators.iv!.start = -1;
    },
    'Cannot read "tape.scenario.generators.iv.start"',
  ],
  [
    "an absolute scenario path",
    (m) => void ((m.tape as Record<string, unknown>).file = "/etc/breakout.jsonc"),
    'Cannot read "tape.file": expected the scenario file\'s path relative to this file',
  ],
  [
    "another version",
    (m) => void (m.version = "0.0.1"),
    `Cannot read "version": expected "${VERSION}", this option-flight's version`,
  ],
  [
    "a seed that is not the tape's",
    (m) => void (m.seed = 7),
    'Cannot read "seed": expected 42, the tape\'s seed, got 7',
  ],
  [
    "an edited option the fingerprint does not match",
    (m) => {
      const generators =
        (m.tape as { scenario: { generators: Record<string, Record<string, unknown>> } }).scenario
          .generators;
      generators.spot!.speed = 0.5;
    },
    'Cannot read "fingerprint": the tape\'s scenario computes',
  ],
];

for (const [what, edit, message] of BAD) {
  Deno.test(`a tape with ${what} is refused with its file and field, exit 2, nothing written`, async () => {
    const { top, path, out } = await editedTape(edit);
    const result = await cli([path, "--out", out, "--quiet"]);
    assertEquals(result.code, 2, result.err);
    assertStringIncludes(result.err, `${path}: ${message}`);
    assertEquals(listDir(out), []);
    await Deno.remove(top, { recursive: true });
  });
}
