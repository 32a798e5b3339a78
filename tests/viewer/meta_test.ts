// A run's meta file as the view reads it: strictly, naming every problem, and paired with its
// log by name.
import { assert, assertEquals } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { metaText } from "../../files/meta.ts";
import { loadScenario } from "../../mod.ts";
import { DEFAULT_THRESHOLDS } from "../../plugins/envelope.ts";
import {
  isMetaName,
  META_FORMAT,
  metaMismatch,
  namesPair,
  pairFiles,
  parseRunMeta,
  runInName,
  stemOf,
} from "../../viewer/meta.ts";
import { shippedRuns } from "./_scenarios.ts";

/** The meta file of SPEC §2's example, as the run writes it (pretty-printed). */
function metaOf(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: META_FORMAT,
    formatVersion: 1,
    version: "0.1.0",
    scenario: "breakout",
    fingerprint: "3f".repeat(32),
    seed: 42,
    run: 0,
    steps: 200,
    levels: { atr: 2.8, flip: 692.5, putWall: 680, callWall: 700, riskProxyBase: 1 },
    thresholds: { ...DEFAULT_THRESHOLDS },
    ...overrides,
  };
}

const text = (value: unknown) => JSON.stringify(value, null, 2) + "\n";

function problems(value: unknown): string[] {
  const read = parseRunMeta(typeof value === "string" ? value : text(value));
  assert(!read.ok, "expected the meta file to be refused");
  return read.problems;
}

Deno.test("parseRunMeta() reads the meta file of SPEC §2 into the envelope's levels", () => {
  const read = parseRunMeta(text(metaOf()));
  assert(read.ok);
  assertEquals(read.meta, {
    version: "0.1.0",
    scenario: "breakout",
    fingerprint: "3f".repeat(32),
    seed: 42,
    run: 0,
    steps: 200,
    levels: {
      atr: 2.8,
      flip: 692.5,
      putWall: 680,
      callWall: 700,
      riskProxyBase: 1,
      thresholds: DEFAULT_THRESHOLDS,
    },
  });
});

Deno.test("parseRunMeta() gives the very levels a shipped scenario's evaluator publishes", async () => {
  for (const { file, levels, frames } of await shippedRuns()) {
    const { thresholds, ...rest } = levels;
    const read = parseRunMeta(
      text(metaOf({ scenario: file, steps: frames.length, levels: rest, thresholds })),
    );
    assert(read.ok, file);
    assertEquals(read.meta.levels, levels, file);
  }
});

Deno.test("parseRunMeta() takes null levels and thresholds, a BOM and CRLF line ends", () => {
  const read = parseRunMeta(
    "\uFEFF" + text(metaOf({ levels: null, thresholds: null })).replace(/\n/g, "\r\n"),
  );
  assert(read.ok);
  assertEquals(read.meta.levels, null);
});

Deno.test("parseRunMeta() refuses another format or version before reading further", () => {
  assertEquals(problems(metaOf({ format: "option-flight-view/1", seed: "x" })), [
    '"format": expected "option-flight/run-meta", got "option-flight-view/1"',
  ]);
  assertEquals(problems(metaOf({ formatVersion: 2 })), [
    '"formatVersion": this view reads version 1, got 2',
  ]);
  assertEquals(problems("{"), [problems("{")[0]!]);
  assert(problems("{")[0]!.startsWith("not JSON: "));
  assertEquals(problems("[1]"), ["expected a JSON object, got [1]"]);
  assertEquals(problems("null"), ["expected a JSON object, got null"]);
});

Deno.test("parseRunMeta() names every bad field at once", () => {
  const bad = metaOf({
    version: "",
    fingerprint: "xyz",
    seed: -1,
    run: 0.5,
    steps: 0,
    extra: true,
    levels: { atr: 0, flip: "692.5", putWall: 680, callWall: 700, riskProxyBase: 1, gamma: 2 },
    thresholds: { ...DEFAULT_THRESHOLDS, stallY: -0.8, taxix: 0.3 },
  });
  assertEquals(problems(bad), [
    '"extra": unknown key, expected one of "format", "formatVersion", "version", "scenario", "fingerprint", "seed", "run", "steps", "levels", "thresholds"',
    '"version": expected a non-empty string, got ""',
    '"fingerprint": expected 64 hex digits, got "xyz"',
    '"seed": expected a whole number from 0, got -1',
    '"run": expected a whole number from 0, got 0.5',
    '"steps": expected a whole number from 1, got 0',
    '"levels.gamma": unknown key, expected one of "atr", "flip", "putWall", "callWall", "riskProxyBase"',
    '"levels.atr": expected a number > 0, got 0',
    '"levels.flip": expected a finite number, got "692.5"',
    '"thresholds.taxix": unknown key, expected one of "taxiX", "maneuverX", "maneuverY", "ruptureX", "ruptureY", "overspeedX", "stallY"',
    '"thresholds.stallY": expected a number > 0, got -0.8',
  ]);
});

Deno.test("parseRunMeta() refuses levels out of order, infinite numbers and half-null envelopes", () => {
  assertEquals(
    problems(metaOf({
      levels: { atr: 2.8, flip: 700, putWall: 700, callWall: 690, riskProxyBase: 1 },
    })),
    [
      '"levels.putWall": expected a put wall below the flip (700), got 700',
      '"levels.callWall": expected a call wall above the flip (700), got 690',
    ],
  );
  const infinite = text(metaOf()).replace('"atr": 2.8', '"atr": 1e999');
  assertEquals(problems(infinite), ['"levels.atr": expected a number > 0, got null']);
  assertEquals(problems(metaOf({ thresholds: null })), [
    '"thresholds": expected an object, as "levels" is one (the two are null only together), got null',
  ]);
  assertEquals(problems(metaOf({ levels: null })), [
    '"levels": expected an object, as "thresholds" is one (the two are null only together), got null',
  ]);
  assertEquals(problems(metaOf({ levels: [1, 2] })), [
    '"levels": expected an object or null, got [1,2]',
  ]);
  const { stallY: _, ...six } = DEFAULT_THRESHOLDS;
  assertEquals(problems(metaOf({ thresholds: six })), [
    '"thresholds.stallY": expected a number > 0, got nothing',
  ]);
});

Deno.test("parseRunMeta() quotes what it found briefly, whatever the file holds", () => {
  assertEquals(problems(metaOf({ scenario: 7 })), [
    '"scenario": expected a non-empty string, got 7',
  ]);
  const long = "<img src=x onerror=alert(1)>".repeat(10);
  const [only, ...more] = problems(metaOf({ fingerprint: long }));
  assertEquals(more, []);
  assert(only!.length < 100 && only!.endsWith('..."') === false && only!.endsWith("..."), only);
});

Deno.test("pairFiles() pairs a log with the meta file of its stem, or a lone pair with any names", () => {
  const f = (...names: string[]) => names.map((name) => ({ name }));
  const pick = (...names: string[]) => {
    const p = pairFiles(f(...names));
    return {
      log: p.log?.name,
      meta: p.meta?.name,
      otherLogs: p.otherLogs.map((x) => x.name),
      otherMetas: p.otherMetas.map((x) => x.name),
    };
  };
  assertEquals(pick("breakout.jsonl", "breakout.meta.json"), {
    log: "breakout.jsonl",
    meta: "breakout.meta.json",
    otherLogs: [],
    otherMetas: [],
  });
  assertEquals(pick("breakout.meta.json", "breakout.jsonl").meta, "breakout.meta.json");
  assertEquals(pick("a.jsonl", "b.meta.json").meta, "b.meta.json", "one of each: paired");
  assertEquals(pick("a.jsonl", "b.jsonl", "b.meta.json"), {
    log: "a.jsonl",
    meta: undefined,
    otherLogs: ["b.jsonl"],
    otherMetas: ["b.meta.json"],
  });
  assertEquals(pick("a.jsonl", "a.meta.json", "b.meta.json"), {
    log: "a.jsonl",
    meta: "a.meta.json",
    otherLogs: [],
    otherMetas: ["b.meta.json"],
  });
  assertEquals(
    pick("mc_breakout_3.jsonl", "mc_breakout_3.META.JSON").meta,
    "mc_breakout_3.META.JSON",
  );
  assertEquals(pick("run.json").log, "run.json", "a .json log is a log");
  assertEquals(pick("x.meta.json"), {
    log: undefined,
    meta: undefined,
    otherLogs: [],
    otherMetas: ["x.meta.json"],
  });
  assertEquals(pick(), { log: undefined, meta: undefined, otherLogs: [], otherMetas: [] });
});

Deno.test("stemOf() and isMetaName() read names the way the pairing needs", () => {
  assertEquals(stemOf("breakout.jsonl"), "breakout");
  assertEquals(stemOf("breakout.meta.json"), "breakout");
  assertEquals(stemOf("my.run.ndjson"), "my.run");
  assertEquals(stemOf(".jsonl"), ".jsonl");
  assert(isMetaName("a.Meta.Json"));
  assert(!isMetaName("meta.json.jsonl"));
});

Deno.test("metaMismatch() notes a meta file that does not fit its log", () => {
  const read = parseRunMeta(text(metaOf()));
  assert(read.ok);
  assertEquals(metaMismatch(read.meta, { frames: 200, badLines: 0, agrees: true }), []);
  assertEquals(metaMismatch(read.meta, { frames: 190, badLines: 10, agrees: true }), []);
  assertEquals(metaMismatch(read.meta, { frames: 50, badLines: 0, agrees: false }), [
    "the meta file says 200 steps, the log has 50 lines",
    "the frames' regimes and flags do not all follow the meta file's thresholds",
  ]);
});

Deno.test("parseRunMeta() reads the meta files the runs write, one run's and a batch's", async () => {
  const dir = fromFileUrl(new URL("../../scenarios/", import.meta.url));
  for (const { file, levels, frames } of await shippedRuns()) {
    const scenario = await loadScenario(join(dir, file));
    for (const run of [0, 5, null]) {
      const text = await metaText(scenario, { seed: 42, run, steps: frames.length, levels });
      const read = parseRunMeta(text);
      assert(read.ok, `${file}: ${read.ok ? "" : read.problems.join("; ")}`);
      assertEquals(read.meta.run, run);
      assertEquals(read.meta.levels, levels, file);
      assertEquals(read.meta.steps, frames.length);
    }
  }
});

Deno.test("parseRunMeta() reads another evaluator's levels as no envelope, and no half of one", () => {
  const other = parseRunMeta(
    text(metaOf({ levels: { strike: 4000, gamma: 0.02 }, thresholds: null })),
  );
  assert(other.ok);
  assertEquals(other.meta.levels, null);
  // with any of the envelope's names, the levels are the envelope's, and checked as such
  assertEquals(problems(metaOf({ levels: { atr: 2.8, strike: 4000 }, thresholds: null })), [
    '"thresholds": expected an object, as "levels" is one (the two are null only together), got null',
  ]);
});

Deno.test("a batch's kept logs pair with the batch's meta file, and say their run", () => {
  assert(namesPair("mc_breakout_37.jsonl", "mc_breakout.meta.json"));
  assert(namesPair("breakout.jsonl", "breakout.meta.json"));
  assert(!namesPair("mc_breakout_37.jsonl", "breakout.meta.json"));
  assert(!namesPair("mc_breakout_x.jsonl", "mc_breakout.meta.json"));
  assert(!namesPair("breakout_3.jsonl", "breakout.meta.json"), "only a batch's logs");
  const pair = pairFiles([
    { name: "mc_breakout_2.jsonl" },
    { name: "mc_breakout_3.jsonl" },
    { name: "mc_breakout.meta.json" },
  ]);
  assertEquals([pair.log?.name, pair.meta?.name], ["mc_breakout_2.jsonl", "mc_breakout.meta.json"]);
  assertEquals(runInName("mc_breakout_37.jsonl", "breakout"), 37);
  assertEquals(runInName("mc_break_out_2.jsonl", "break_out"), 2);
  assertEquals(runInName("mc_breakout_37.jsonl", "other"), undefined);
  assertEquals(runInName("mc_breakout_.jsonl", "breakout"), undefined);
});

Deno.test("a meta file's severity bands and hysteresis, from a scenario that sets them, are read and checked", () => {
  const severity = {
    breach: { medium: { depth: 0.25, duration: 3 }, high: { depth: 1, duration: 10 } },
    overspeed: { medium: { depth: 0.5, duration: 3 }, high: { depth: 2, duration: 10 } },
    stall: { medium: { depth: 0.1, duration: 3 }, high: { depth: 0.3, duration: 10 } },
  };
  const hysteresis = { x: 0.3, y: 0, z: 0.05 };
  const levels = { atr: 2.8, flip: 692.5, putWall: 680, callWall: 700, riskProxyBase: 1 };
  const read = parseRunMeta(text(metaOf({ levels: { ...levels, severity, hysteresis } })));
  assert(read.ok, JSON.stringify(read));
  assertEquals([read.meta.levels?.severity, read.meta.levels?.hysteresis], [severity, hysteresis]);
  const bad = { ...severity, stall: { medium: { depth: -1, duration: 3 } } };
  assertEquals(problems(metaOf({ levels: { ...levels, severity: bad, hysteresis: { x: 1 } } })), [
    '"levels.severity.stall.medium.depth": expected a number >= 0, got -1',
    '"levels.severity.stall.high": expected { depth, duration }, got nothing',
    '"levels.hysteresis.y": expected a number >= 0, got nothing',
    '"levels.hysteresis.z": expected a number >= 0, got nothing',
  ]);
});
