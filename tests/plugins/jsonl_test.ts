// Telemetry logs (SPEC §2): the exact line format, the tolerant reader, and atomic writing.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { ScenarioError } from "../../core/errors.ts";
import { type Frame, frameAt, type SampleBlock } from "../../core/frame.ts";
import { runEvaluator } from "../../testing.ts";
import envelope from "../../plugins/envelope.ts";
import { formatJsonl, parseJsonl, readJsonl, writeJsonl } from "../../plugins/jsonl.ts";

/** The example line of SPEC §2, verbatim. */
const SPEC_LINE =
  '{"timestamp":0,"spot":694,"iv":0.15,"hv":0.12,"x":0.5357142857142857,"y":1.25,"z":0.8,"regime":"CRUISE","flags":[]}';

const SPEC_FRAME: Frame = {
  timestamp: 0,
  spot: 694,
  iv: 0.15,
  hv: 0.12,
  x: 0.5357142857142857,
  y: 1.25,
  z: 0.8,
  regime: "CRUISE",
  flags: [],
};

const BREACH_FRAME: Frame = {
  timestamp: "2024-03-15T14:30:00Z",
  spot: 701.5,
  iv: 0.22,
  hv: 0.12,
  x: 3.2142857142857144,
  y: 1.8333333333333335,
  z: -0.2,
  regime: "MANEUVER",
  flags: ["BREACH", "STALL"],
};

/** The frame's JSON with one field replaced (or removed, for `undefined`). */
function lineWith(key: string, value: unknown): string {
  const record: Record<string, unknown> = { ...SPEC_FRAME, [key]: value };
  if (value === undefined) delete record[key];
  return JSON.stringify(record);
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

// formatJsonl

Deno.test("formatJsonl() writes the SPEC §2 example frame byte for byte, with a final newline", () => {
  assertEquals(formatJsonl([SPEC_FRAME]), SPEC_LINE + "\n");
});

Deno.test("formatJsonl() writes the SPEC §1 check state, as evaluated, as the SPEC §2 line", () => {
  const options = { atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 };
  const sample = { spot: 694, iv: 0.15, hv: 0.12 };
  const evaluation = runEvaluator(envelope, { options, samples: [sample] });
  const samples: SampleBlock = {
    start: 0,
    length: 1,
    spot: Float64Array.of(sample.spot),
    iv: Float64Array.of(sample.iv),
    hv: Float64Array.of(sample.hv),
    time: [],
  };
  assertEquals(formatJsonl([frameAt(samples, evaluation, 0)]), SPEC_LINE + "\n");
});

Deno.test("formatJsonl() writes one line per frame, each ending in \\n, and nothing for none", () => {
  const text = formatJsonl([SPEC_FRAME, BREACH_FRAME]);
  assertEquals(text, `${SPEC_LINE}\n${JSON.stringify(BREACH_FRAME)}\n`);
  assertEquals(text.split("\n").length, 3);
  assert(!text.includes("\r"));
  assertStringIncludes(text, '"timestamp":"2024-03-15T14:30:00Z"');
  assertStringIncludes(text, '"flags":["BREACH","STALL"]');
  assertEquals(formatJsonl([]), "");
});

Deno.test("formatJsonl() writes the SPEC §2 field order whatever the frame object's key order", () => {
  const reordered = {
    flags: [],
    regime: "CRUISE",
    z: 0.8,
    y: 1.25,
    x: 0.5357142857142857,
    hv: 0.12,
    iv: 0.15,
    spot: 694,
    timestamp: 0,
  } as const;
  assertEquals(formatJsonl([reordered]), SPEC_LINE + "\n");
});

// parseJsonl

Deno.test("parseJsonl() accepts CRLF line ends, a leading BOM and blank lines", () => {
  const text = `\uFEFF${SPEC_LINE}\r\n\r\n   \n${JSON.stringify(BREACH_FRAME)}\r\n\n`;
  const { frames, bad } = parseJsonl(text);
  assertEquals(bad, []);
  assertEquals(frames, [SPEC_FRAME, BREACH_FRAME]);
});

Deno.test("parseJsonl() reads back what formatJsonl() writes", () => {
  const frames = [SPEC_FRAME, BREACH_FRAME, { ...SPEC_FRAME, timestamp: 2, z: -1.5 }];
  assertEquals(parseJsonl(formatJsonl(frames)), { frames, bad: [], warnings: [], problems: [] });
});

Deno.test("parseJsonl() reports each bad line by its 1-based line number", () => {
  const cases: { what: string; line: string; message: string }[] = [
    { what: "not JSON", line: "{not json", message: "not JSON" },
    { what: "a truncated line", line: SPEC_LINE.slice(0, 40), message: "not JSON" },
    { what: "NaN literal", line: SPEC_LINE.replace("694", "NaN"), message: "not JSON" },
    { what: "an array", line: `[${SPEC_LINE}]`, message: "expected a JSON object" },
    { what: "a number", line: "42", message: "expected a JSON object" },
    { what: "null", line: "null", message: "expected a JSON object" },
    { what: "a missing spot", line: lineWith("spot", undefined), message: '"spot"' },
    { what: "a missing flags", line: lineWith("flags", undefined), message: '"flags"' },
    { what: "a missing timestamp", line: lineWith("timestamp", undefined), message: '"timestamp"' },
    { what: "spot as a string", line: lineWith("spot", "694"), message: '"spot"' },
    { what: "iv as null (NaN written by JSON)", line: lineWith("iv", null), message: '"iv"' },
    {
      what: "z overflowing to Infinity",
      line: lineWith("z", 1).replace(":1,", ":1e999,"),
      message: '"z"',
    },
    { what: "an unknown regime", line: lineWith("regime", "CLIMB"), message: '"regime"' },
    { what: "a regime in lower case", line: lineWith("regime", "cruise"), message: '"regime"' },
    { what: "an unknown flag", line: lineWith("flags", ["BREACH", "STAL"]), message: '"flags"' },
    { what: "flags as a string", line: lineWith("flags", "BREACH"), message: '"flags"' },
  ];
  for (const { what, line, message } of cases) {
    // Line 1 good, line 2 blank, line 3 bad, line 4 good.
    const { frames, bad } = parseJsonl(`${SPEC_LINE}\n\n${line}\n${SPEC_LINE}\n`);
    assertEquals(frames.length, 2, what);
    assertEquals(bad.map((b) => b.line), [3], what);
    assertStringIncludes(bad[0]!.message, message, what);
  }
});

Deno.test("parseJsonl() reports every bad line, counting CRLF, blank and BOM lines", () => {
  const text = `\uFEFF{bad\r\n${SPEC_LINE}\r\n\r\n[]\r\n${lineWith("regime", "X")}`;
  const { frames, bad } = parseJsonl(text);
  assertEquals(frames.length, 1);
  assertEquals(bad.map((b) => b.line), [1, 4, 5]);
});

Deno.test("parseJsonl() ignores unknown extra fields", () => {
  const line = JSON.stringify({ ...SPEC_FRAME, gex: -1.2e9, note: "pin", nested: { a: [1] } });
  const { frames, bad } = parseJsonl(`${line}\n`);
  assertEquals(bad, []);
  assertEquals(frames.length, 1);
  const { timestamp, spot, iv, hv, x, y, z, regime, flags } = frames[0]!;
  assertEquals({ timestamp, spot, iv, hv, x, y, z, regime, flags }, SPEC_FRAME);
});

// readJsonl and writeJsonl

Deno.test("writeJsonl() then readJsonl() round-trips frames through a file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "run.jsonl");
  const frames = [SPEC_FRAME, BREACH_FRAME];
  await writeJsonl(path, frames);
  const bytes = await Deno.readFile(path);
  assertEquals(bytes[0], "{".charCodeAt(0), "no BOM, starts with the frame");
  assertEquals(new TextDecoder().decode(bytes), formatJsonl(frames));
  assertEquals(await readJsonl(path), frames);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readJsonl() throws ScenarioError naming path:lineNumber of a bad line", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "bad.jsonl");
  await Deno.writeTextFile(path, `${SPEC_LINE}\n\n${lineWith("spot", "694")}\n`);
  const error = await assertRejects(() => readJsonl(path), ScenarioError, `${path}:3`);
  assertStringIncludes(error.message, '"spot"');
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeJsonl() leaves no temporary file behind in the folder", async () => {
  const dir = await Deno.makeTempDir();
  await writeJsonl(join(dir, "a.jsonl"), [SPEC_FRAME]);
  await writeJsonl(join(dir, "a.jsonl"), [BREACH_FRAME]);
  await writeJsonl(join(dir, "b.jsonl"), []);
  assertEquals(await listDir(dir), ["a.jsonl", "b.jsonl"]);
  assertEquals(await Deno.readTextFile(join(dir, "a.jsonl")), formatJsonl([BREACH_FRAME]));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeJsonl() replaces an existing file only when the write succeeds", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "run.jsonl");
  const old = formatJsonl([SPEC_FRAME]);
  await Deno.writeTextFile(path, old);
  // A frame JSON cannot hold (a BigInt) makes the write fail part way.
  const unwritable = { ...BREACH_FRAME, spot: 10n } as unknown as Frame;
  await assertRejects(() => writeJsonl(path, [BREACH_FRAME, unwritable]), TypeError);
  assertEquals(await Deno.readTextFile(path), old);
  assertEquals(await listDir(dir), ["run.jsonl"]);
  await writeJsonl(path, [BREACH_FRAME]);
  assertEquals(await Deno.readTextFile(path), formatJsonl([BREACH_FRAME]));
  assertEquals(await listDir(dir), ["run.jsonl"]);
  await Deno.remove(dir, { recursive: true });
});

const LINE = (t: number | string, spot = 694) =>
  `{"timestamp":${
    JSON.stringify(t)
  },"spot":${spot},"iv":0.15,"hv":0.12,"x":0.5,"y":1.25,"z":0.8,"regime":"CRUISE","flags":[]}`;

Deno.test("parseJsonl() says a cut-off last line is truncated, not that it is not JSON", () => {
  const { frames, bad } = parseJsonl(`${LINE(0)}\n${LINE(1).slice(0, 40)}`);
  assertEquals(frames.length, 1);
  assertEquals(bad, [{ line: 2, message: "truncated (no final newline)" }]);
});

Deno.test("parseJsonl() says so when the file is empty or holds no frame", () => {
  assertEquals(parseJsonl("").problems, ["the file is empty"]);
  assertEquals(parseJsonl("\n\n").problems, ["the file is empty"]);
  assertEquals(parseJsonl('{"a":1}\n').problems, ["no line is a frame"]);
});

Deno.test("parseJsonl() reports a number beyond a double's range as out of range", () => {
  const { bad } = parseJsonl(`${LINE(0, 694).replace("694", "1e309")}\n`);
  assertEquals(bad, [{
    line: 1,
    message: '"spot": the number is out of range (a double holds at most 1.8e308)',
  }]);
});

Deno.test("parseJsonl() warns of timestamps that repeat or go back, and keeps those frames", () => {
  const text = [LINE(0), LINE(1), LINE(1), LINE(0), LINE("2024-01-03"), LINE("2024-01-02")].join(
    "\n",
  );
  const { frames, warnings } = parseJsonl(`${text}\n`);
  assertEquals(frames.length, 6);
  assertEquals(warnings, [
    { line: 3, message: "timestamp 1 repeats 1" },
    { line: 4, message: "timestamp 0 goes back from 1" },
    { line: 6, message: 'timestamp "2024-01-02" goes back from "2024-01-03"' },
  ]);
});

Deno.test("parseJsonl() reads bare \\r line ends, and says so once", () => {
  const { frames, bad, problems } = parseJsonl(`${LINE(0)}\r${LINE(1)}\r${LINE(2)}\r`);
  assertEquals([frames.length, bad.length], [3, 0]);
  assertEquals(problems, ["lines end in a bare \\r; expected \\n or \\r\\n"]);
});

Deno.test("readJsonl() is strict: it throws with every problem of the file, in line order", async () => {
  const path = `${await Deno.makeTempDir()}/log.jsonl`;
  await Deno.writeTextFile(path, `${LINE(0)}\nnot json\n${LINE(0)}\n${LINE(1).slice(0, 30)}`);
  const error = await assertRejects(() => readJsonl(path), ScenarioError);
  assertEquals(error.problems, [
    `${path}:2: not JSON: ${
      (() => {
        try {
          JSON.parse("not json");
        } catch (e) {
          return (e as Error).message;
        }
      })()
    }`,
    `${path}:3: timestamp 0 repeats 0`,
    `${path}:4: truncated (no final newline)`,
  ]);
  await Deno.writeTextFile(path, "");
  await assertRejects(() => readJsonl(path), ScenarioError, `${path}: the file is empty`);
});
