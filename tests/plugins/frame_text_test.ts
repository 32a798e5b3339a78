// Run-log text written in WebAssembly: every number as JavaScript writes it, every block as
// formatBlock's bytes, and the embedded module built from the C source in tools/wasm.
import { assertEquals } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import type { EvaluationBlock, SampleBlock } from "../../core/frame.ts";
import { formatBlock, FrameText, numberText } from "../../plugins/_frame_text.ts";
import { createStream } from "../../core/random.ts";
import type { RunBlock } from "../../core/frame.ts";
import { BLOCK_SIZE } from "../../core/run.ts";
import { loadScenario, startRun } from "../../mod.ts";
import { buildWasm, COMPILER, MODULE_PATH, moduleText } from "../../tools/wasm/build.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const decoder = new TextDecoder();

/** The bits of a double, and back. */
const bits = new DataView(new ArrayBuffer(8));
function fromBits(high: number, low: number): number {
  bits.setUint32(0, high);
  bits.setUint32(4, low);
  return bits.getFloat64(0);
}

/** Checks `numberText` against `String` and returns how many values it wrote itself. */
function checkAll(values: Iterable<number>): number {
  let written = 0;
  for (const value of values) {
    const text = numberText(value);
    if (text === undefined) continue;
    written++;
    if (text !== String(value)) assertEquals(text, String(value), `for ${String(value)}`);
  }
  return written;
}

/** Doubles the module writes itself: 2^-47 <= |v| < 2^53. */
function supported(value: number): boolean {
  const magnitude = Math.abs(value);
  return magnitude === 0 || (magnitude >= 2 ** -47 && magnitude < 2 ** 53);
}

Deno.test("numberText() writes every binary exponent it covers as String() does", () => {
  const random = createStream(7, { run: 0, key: "exponents" });
  const values: number[] = [];
  // Biased exponents 976 (2^-47) to 1075 (2^52): the smallest, largest and random mantissas,
  // which take the irregular spacing below powers of two and the integer path.
  for (let exponent = 976; exponent <= 1075; exponent++) {
    const mantissas = [[0, 0], [0, 1], [0xfffff, 0xffffffff]];
    for (let i = 0; i < 200; i++) {
      mantissas.push([Math.floor(random.next() * 2 ** 20), Math.floor(random.next() * 2 ** 32)]);
    }
    for (const [high, low] of mantissas) {
      const value = fromBits((exponent << 20) | high!, low!);
      values.push(value, -value);
    }
  }
  assertEquals(checkAll(values), values.length);
});

Deno.test("numberText() writes random, short and tied decimals as String() does", () => {
  const random = createStream(11, { run: 0, key: "decimals" });
  const values: number[] = [0, -0, 1, 0.1, 0.2, 0.3, 0.5357142857142857, 694, 1e-6, 1.5e-7, 1e20];
  for (let i = 0; i < 100_000; i++) {
    // Magnitudes from 1e-14 to 1e15, all digits.
    values.push((random.next() - 0.5) * 10 ** (random.next() * 29 - 14));
    // Few digits at every scale: the interval holds a multiple of 10, or two decimals tie.
    const digits = Math.floor(random.next() * 10 ** (1 + Math.floor(random.next() * 16)));
    const scale = Math.floor(random.next() * 22);
    values.push(digits / 10 ** scale, digits * 10 ** -scale);
    values.push(Math.floor(random.next() * 2 ** 53));
  }
  const written = checkAll(values);
  assertEquals(written, values.filter(supported).length);
});

Deno.test("numberText() leaves to JavaScript what it does not cover", () => {
  for (const value of [NaN, Infinity, -Infinity, 2 ** 53, 1e21, -1e300, 1e-15, 5e-324]) {
    assertEquals(numberText(value), undefined, String(value));
  }
});

/** A block of `length` steps whose columns come from `column`. */
function block(
  length: number,
  column: (name: string, i: number) => number,
  time: string[] = [],
): RunBlock {
  const fill = (name: string) => Float64Array.from({ length }, (_, i) => column(name, i));
  const samples: SampleBlock = {
    start: 5,
    length,
    time,
    spot: fill("spot"),
    iv: fill("iv"),
    hv: fill("hv"),
  };
  const evaluation: EvaluationBlock = {
    x: fill("x"),
    y: fill("y"),
    z: fill("z"),
    regime: Uint8Array.from({ length }, (_, i) => i % 4),
    flags: Uint8Array.from({ length }, (_, i) => (i * 3) % 8),
  };
  return { samples, evaluation };
}

function assertSameText(text: FrameText, expected: string): void {
  const got = decoder.decode(text.bytes());
  if (got === expected) return;
  const lines = [got.split("\n"), expected.split("\n")];
  const line = lines[0]!.findIndex((row, i) => row !== lines[1]![i]);
  assertEquals(lines[0]![line], lines[1]![line], `line ${line + 1}`);
}

Deno.test("FrameText writes formatBlock's bytes for every shipped scenario's runs", async () => {
  for (const name of ["breakout", "false_breakout", "mean_revert"]) {
    const scenario = await loadScenario(join(root, "scenarios", `${name}.jsonc`));
    const text = new FrameText();
    for (const run of [0, 1, 17]) {
      text.clear();
      let expected = "";
      const cursor = await startRun(scenario, { run, steps: 2 * BLOCK_SIZE + 100 });
      for (let next = cursor.next(); next; next = cursor.next()) {
        expected += formatBlock(next);
        text.add(next);
      }
      assertEquals(text.length, new TextEncoder().encode(expected).length, `${name} run ${run}`);
      assertSameText(text, expected);
    }
  }
});

Deno.test("FrameText falls back to formatBlock for text timestamps, uncovered values and codes", () => {
  const text = new FrameText();
  const plain = block(50, (name, i) => (name === "hv" ? 0.12 : i / 7 - 3));
  const stamped = block(3, (_, i) => i + 0.25, ["2024-03-15T14:30:00Z", "b\u00e9", "c"]);
  const tiny = block(4, (name, i) => (name === "z" && i === 2 ? 1e-17 : 2 ** 60 + i));
  const unknownRegime = block(2, (_, i) => i + 0.5);
  unknownRegime.evaluation.regime[1] = 9;
  let expected = "";
  for (const next of [plain, stamped, tiny, unknownRegime, plain]) {
    text.add(next);
    expected += formatBlock(next);
  }
  assertSameText(text, expected);
  text.clear();
  assertEquals(text.length, 0);
  text.add(plain);
  assertSameText(text, formatBlock(plain));
});

Deno.test("the embedded WebAssembly module is a build of tools/wasm/frame_text.c", async (t) => {
  // A missing program makes output() throw at once, not reject: start it inside a promise.
  const hasCompiler = await Promise.resolve()
    .then(() => new Deno.Command(COMPILER, { args: ["--version"], stdout: "null" }).output())
    .then((result) => result.success, () => false);
  // CI needs no C compiler: the tests above check the module's bytes against JavaScript's.
  if (!hasCompiler) {
    console.log(`  skipped: no ${COMPILER} on PATH (apt-get install clang-14 lld-14)`);
    return;
  }
  await t.step("same bytes", async () => {
    assertEquals(await Deno.readTextFile(MODULE_PATH), moduleText(await buildWasm()));
  });
});
