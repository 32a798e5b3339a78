// The history generator and moving levels: real days through the envelope (SPEC §7), checked
// against ../shared/data/SOURCES.md, and levels a series or a generator moves step by step.
import { assert, assertAlmostEquals, assertEquals, assertRejects, fail } from "@std/assert";
import { fromFileUrl, join, toFileUrl } from "@std/path";
import { loadScenario, PluginError, runScenario } from "../../mod.ts";
import { readJsonl } from "../../plugins/jsonl.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const data = join(root, "../shared/data");
const present = await Deno.stat(data).then(() => true, () => false);
if (!present && Deno.env.get("CI") === "true") {
  Deno.test("../shared/data is beside the checkout under CI", () => fail(`${data} is absent`));
} else if (!present) {
  console.warn(`Skipping the history generator's tests: ${data} not found`);
}
const shared = { ignore: !present };

/** Runs a scenario file and reads back its frames. */
async function frames(path: string) {
  const outDir = await Deno.makeTempDir();
  await runScenario(await loadScenario(path), { outDir });
  const name = (await Deno.readTextFile(path)).match(/"name":\s*"([^"]+)"/)![1];
  return await readJsonl(join(outDir, `${name}.jsonl`));
}

/** A scenario in a fresh folder replaying SPX with the VIX through December 2022. */
async function december(extra: Record<string, unknown> = {}, evaluator: object = {}) {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "december.jsonc");
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      name: "december",
      steps: 1000,
      evaluator: {
        use: "envelope",
        atr: 62.99,
        flip: 4013.8,
        putWall: 4000,
        callWall: 4100,
        ...evaluator,
      },
      generators: {
        days: {
          use: "history",
          prices: join(data, "spx_daily_1927-2026.csv"),
          ivIndex: join(data, "vix_daily_cboe.csv"),
          from: "2022-12-01",
          to: "2022-12-30",
          ...extra,
        },
      },
    }),
  );
  return { dir, path };
}

Deno.test({
  name: "scenarios/spx_2022_12.jsonc flies 2022-12-12 at SOURCES.md's X, Y and Z, in BREACH",
  ...shared,
}, async () => {
  const all = await frames(join(root, "scenarios/spx_2022_12.jsonc"));
  assertEquals(all.length, 21); // December 2022's sessions
  assertEquals([all[0]!.timestamp, all.at(-1)!.timestamp], ["2022-12-01", "2022-12-30"]);
  const day = all.find((f) => f.timestamp === "2022-12-12")! as unknown as Record<string, number>;
  assertAlmostEquals(day.spot!, 3990.56, 0.005);
  assertAlmostEquals(day.atr!, 62.99, 0.01);
  assertAlmostEquals(day.hv!, 0.181, 0.0005); // HV21
  assertAlmostEquals(day.iv!, 0.25, 1e-12); // VIX 25.00
  assertAlmostEquals(day.x!, 0.37, 0.005);
  assertAlmostEquals(day.y!, 1.38, 0.005);
  assertAlmostEquals(day.z!, -0.68, 0.005);
  assertEquals((day as unknown as { flags: string[] }).flags, ["BREACH"]);
  // The ATR moves day by day; the chain's levels stay: the flip 4013.8, walls 4000 and 4100.
  assert(new Set(all.map((f) => (f as unknown as { atr: number }).atr)).size > 15);
  assertEquals(new Set(all.map((f) => (f as unknown as { flip: number }).flip)).size, 1);
  assertAlmostEquals(day.flip!, 4013.8, 0.1);
  assertEquals([day.putWall, day.callWall], [4000, 4100]);
});

Deno.test(
  { name: "a levels series moves the flip and walls from its dates on", ...shared },
  async () => {
    const { dir, path } = await december({ levels: "levels.csv" });
    await Deno.writeTextFile(
      join(dir, "levels.csv"),
      "date,flip,putWall,callWall\n2022-12-14,3950,3900,4050\n2022-12-19,3850,3800,3950\n",
    );
    const all = (await frames(path)) as unknown as Record<string, number | string>[];
    const on = (date: string) => all.find((f) => f.timestamp === date)!;
    assertEquals([on("2022-12-13").flip, on("2022-12-13").callWall], [4013.8, 4100]);
    assertEquals([on("2022-12-14").flip, on("2022-12-16").putWall], [3950, 3900]);
    assertEquals([on("2022-12-19").flip, on("2022-12-30").callWall], [3850, 3950]);
    // Z is measured from each day's own levels: 2022-12-19 closed at 3817.66, below its flip.
    const z = on("2022-12-19").z as number;
    assertAlmostEquals(z, (3817.66 - 3800) / (3850 - 3800), 0.001);
  },
);

Deno.test("a generator of the levels channel moves levels; a step breaking their order is refused", async () => {
  const dir = await Deno.makeTempDir();
  const mod = toFileUrl(join(root, "mod.ts")).href;
  // Walls that roll off at step 5, and a flip pushed through the call wall at step 8.
  await Deno.writeTextFile(
    join(dir, "roll.ts"),
    `import { defineGenerator } from "${mod}";
export default defineGenerator({
  name: "roll-off",
  provides: ["levels"],
  options: {},
  start: () => ({
    fill({ start, length, levels }) {
      for (let i = 0; i < length; i++) {
        if (start + i >= 5) levels.callWall[i] = 702;
        if (start + i === 8) levels.flip[i] = 710;
      }
    },
  }),
});
`,
  );
  const scenario = (await Deno.readTextFile(join(root, "scenarios/breakout.jsonc")))
    .replace('"generators": {', '"generators": { "walls": { "use": "./roll.ts" },')
    .replace(/"renderers": \[[^\]]*\]/, '"renderers": []')
    .replace('"shockAt": 100', '"shockAt": 2');
  await Deno.writeTextFile(join(dir, "roll.jsonc"), scenario.replace('"steps": 200', '"steps": 6'));
  const six = await frames(join(dir, "roll.jsonc")) as unknown as Record<string, number>[];
  assertEquals(six.map((f) => f.callWall), [700, 700, 700, 700, 700, 702]);
  assertEquals(Object.keys(six[0]!).slice(9), ["atr", "flip", "putWall", "callWall"]);
  await Deno.writeTextFile(join(dir, "bad.jsonc"), scenario.replace('"steps": 200', '"steps": 20'));
  const error = await assertRejects(() => frames(join(dir, "bad.jsonc")), PluginError);
  assert(error.message.includes("[evaluator envelope]"), error.message);
  assert(
    error.message.includes("the levels of step 8 break putWall < flip < callWall"),
    error.message,
  );
});
