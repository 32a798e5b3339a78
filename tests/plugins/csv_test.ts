// The csv generator: a user's own samples, any subset of the channels, checked when the
// scenario loads with every bad row named by line and column.
import { assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { loadScenario, ScenarioError, simulate } from "../../mod.ts";

/** A scenario beside a CSV file of `text`, with IV and HV from built-ins when asked. */
async function scenarioWith(text: string, others: Record<string, unknown>) {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "day.csv"), text);
  const path = join(dir, "mine.jsonc");
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      name: "mine",
      steps: 1000,
      evaluator: { use: "envelope", atr: 2, flip: 100, putWall: 95, callWall: 105 },
      generators: { mine: { use: "csv", file: "day.csv" }, ...others },
    }),
  );
  return path;
}

Deno.test("csv fills the channels its file has, with a BOM and CRLF, and ends the run with it", async () => {
  const text = "\uFEFFtimestamp,spot,iv\r\n2024-01-02,100,0.2\r\n2024-01-03 15:30,101.5,0.21\r\n";
  const frames = await simulate(
    await loadScenario(await scenarioWith(text, { hv: { use: "hv", value: 0.15 } })),
  );
  assertEquals(frames.map((f) => [f.timestamp, f.spot, f.iv, f.hv]), [
    ["2024-01-02", 100, 0.2, 0.15],
    ["2024-01-03T15:30", 101.5, 0.21, 0.15],
  ]);
});

Deno.test("csv without a timestamp column numbers the steps; other generators fill the rest", async () => {
  const path = await scenarioWith("spot\n100\n102\n101\n", {
    iv: { use: "vol-path", start: 0.2, volOfVol: 0 },
    hv: { use: "hv", value: 0.1 },
  });
  const frames = await simulate(await loadScenario(path));
  assertEquals(frames.map((f) => [f.timestamp, f.spot, f.iv]), [[0, 100, 0.2], [1, 102, 0.2], [
    2,
    101,
    0.2,
  ]]);
});

Deno.test("csv reports every bad row by line and column, and a channel supplied twice", async () => {
  const path = await scenarioWith("spot,iv\n100,0.2\nx,0.2\n101,\n", {
    iv: { use: "vol-path", start: 0.2 },
    hv: { use: "hv", value: 0.1 },
  });
  const error = await assertRejects(() => loadScenario(path), ScenarioError);
  assertEquals(error.problems.length, 2, error.message);
  assertStringIncludes(
    error.problems[0]!,
    'day.csv:3: Cannot read "spot": expected a number, got "x"',
  );
  assertStringIncludes(error.problems[1]!, 'day.csv:4: Cannot read "iv"');
  const twice = await scenarioWith("spot,iv\n100,0.2\n", {
    iv: { use: "vol-path", start: 0.2 },
    hv: { use: "hv", value: 0.1 },
  });
  const both = await assertRejects(() => loadScenario(twice), ScenarioError);
  assertStringIncludes(both.message, 'both "generators.mine" and "generators.iv" supply "iv"');
});

Deno.test("csv refuses a file of ';' separators and decimal commas with a hint", async () => {
  const path = await scenarioWith("timestamp;spot\n2024-01-02;100,5\n", {
    iv: { use: "vol-path", start: 0.2 },
    hv: { use: "hv", value: 0.1 },
  });
  const error = await assertRejects(() => loadScenario(path), ScenarioError);
  assertStringIncludes(error.message, 'found ";" separators and decimal commas');
});

Deno.test("csv reads its file again when it is rewritten between two loads in one process", async () => {
  const path = await scenarioWith("spot,iv,hv\n100,0.2,0.15\n", {});
  const spots = async () => (await simulate(await loadScenario(path))).map((f) => f.spot);
  assertEquals(await spots(), [100]);
  await Deno.writeTextFile(join(path, "..", "day.csv"), "spot,iv,hv\n101,0.2,0.15\n102,0.2,0.15\n");
  assertEquals(await spots(), [101, 102]);
});
