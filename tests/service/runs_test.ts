// POST /v1/runs: the streamed lines are the CLI's JSONL (and CSV) byte for byte, then a summary.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { cliOutputs, post, SCENARIOS, scenarioText, withService } from "./_service.ts";

const SHIPPED = ["mean_revert.jsonc", "breakout.jsonc", "false_breakout.jsonc", "garch.jsonc"];

for (const file of SHIPPED) {
  Deno.test(`POST /v1/runs streams ${file}'s frames byte for byte as the CLI writes them`, async () => {
    const path = new URL(file, SCENARIOS).pathname;
    await withService({}, async (service) => {
      for (const seed of [undefined, 7]) {
        const args = seed === undefined ? [] : ["--seed", String(seed)];
        const cli = await cliOutputs(path, args);
        const name = [...cli.keys()].find((f) => f.endsWith(".jsonl"))!;
        const response = await post(
          service,
          `/v1/runs${seed === undefined ? "" : `?seed=${seed}`}`,
          await scenarioText(file),
        );
        assertEquals(response.status, 200);
        assertEquals(response.headers.get("content-type"), "application/x-ndjson");
        const text = await response.text();
        const cut = text.lastIndexOf("\n", text.length - 2) + 1;
        assertEquals(text.slice(0, cut), cli.get(name)!);
        const { summary } = JSON.parse(text.slice(cut));
        const frames = cli.get(name)!.split("\n").length - 1;
        assertEquals(summary.frames, frames);
        assertEquals(
          summary.seed,
          seed ?? JSON.parse(cli.get(name.replace(".jsonl", ".meta.json"))!).seed,
        );
        assert(!("timestamp" in summary));
        const meta = JSON.parse(cli.get(name.replace(".jsonl", ".meta.json"))!);
        for (const key of ["fingerprint", "seed", "steps", "levels", "thresholds"]) {
          assertEquals(summary.meta[key], meta[key], key);
        }
      }
    });
  });
}

Deno.test("POST /v1/runs streams a run of many blocks byte for byte as the CLI writes it", async () => {
  const cli = await cliOutputs(new URL("mean_revert.jsonc", SCENARIOS).pathname, [
    "--steps",
    "30000",
  ]);
  await withService({}, async (service) => {
    const response = await post(
      service,
      "/v1/runs?steps=30000",
      await scenarioText("mean_revert.jsonc"),
    );
    const text = await response.text();
    assertEquals(
      text.slice(0, text.lastIndexOf("\n", text.length - 2) + 1),
      cli.get("mean_revert.jsonl"),
    );
  });
});

Deno.test("POST /v1/runs summary counts the regimes and flags of the frames it streamed", async () => {
  await withService({}, async (service) => {
    const response = await post(
      service,
      "/v1/runs?steps=500&seed=3",
      await scenarioText("false_breakout.jsonc"),
    );
    const lines = (await response.text()).trimEnd().split("\n").map((l) => JSON.parse(l));
    const { summary } = lines.pop();
    assertEquals(lines.length, 500);
    const regimes: Record<string, number> = { TAXI: 0, CRUISE: 0, MANEUVER: 0, RUPTURE: 0 };
    for (const frame of lines) regimes[frame.regime]!++;
    assertEquals(summary.regimes, regimes);
    assertEquals(summary.flags.BREACH, lines.filter((f) => f.flags.includes("BREACH")).length);
    assertEquals(summary.meta.seed, 3);
    assertEquals(summary.meta.steps, 500);
  });
});

Deno.test("POST /v1/runs?format=csv streams the csv sink's bytes, as the CLI writes them", async () => {
  const dir = await Deno.makeTempDir();
  const scenario = (await scenarioText("mean_revert.jsonc"))
    .replace('"sinks": [{ "use": "jsonl" }]', '"sinks": [{ "use": "csv" }]')
    .replace('"renderers": [{ "use": "html" }]', '"renderers": []');
  assertStringIncludes(scenario, '"use": "csv"');
  await Deno.writeTextFile(`${dir}/mean_revert.jsonc`, scenario);
  const cli = await cliOutputs(`${dir}/mean_revert.jsonc`, ["--seed", "11"]);
  await withService({}, async (service) => {
    const response = await post(
      service,
      "/v1/runs?format=csv&seed=11",
      await scenarioText("mean_revert.jsonc"),
    );
    assertEquals(response.status, 200);
    assertEquals(response.headers.get("content-type"), "text/csv; charset=utf-8");
    assertEquals(await response.text(), cli.get("mean_revert.csv"));
  });
});

Deno.test("POST /v1/runs runs a scenario sent as plain JSON, without a name or sinks", async () => {
  const body = JSON.stringify({
    seed: 5,
    steps: 20,
    evaluator: { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 },
    generators: {
      spot: { use: "mean-revert", start: 694 },
      iv: { use: "vol-path", start: 0.15 },
      hv: { use: "hv", value: 0.12 },
    },
  });
  await withService({}, async (service) => {
    const response = await post(service, "/v1/runs", body, { "content-type": "application/json" });
    const lines = (await response.text()).trimEnd().split("\n");
    assertEquals(lines.length, 21);
    const { summary } = JSON.parse(lines[20]!);
    assertEquals([summary.name, summary.seed, summary.frames], ["scenario", 5, 20]);
  });
});
