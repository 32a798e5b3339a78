// The backtest command end to end on a fixture history: the files it writes, the same bytes
// whatever the workers or shards, and bad input exiting 2 with nothing written.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { main } from "../../backtest/cli.ts";

const fixtures = fromFileUrl(new URL("./fixtures/", import.meta.url));
const scenarios = fromFileUrl(new URL("../../scenarios/", import.meta.url));
const wave = `${fixtures}wave.csv`;
const garch = `${scenarios}backtest_garch.jsonc`;
const base = [garch, "--history", wave, "--from", "2024-02-01", "--to", "2024-04-05"];
const settings = [...base, "--horizon", "5", "--band", "1.5", "--runs", "200", "--quiet"];
const FILES = [
  "backtest_garch.backtest.csv",
  "backtest_garch.backtest.html",
  "backtest_garch.backtest.json",
  "backtest_garch.calibration.csv",
];

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out, err };
}

async function files(dir: string): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  for await (const entry of Deno.readDir(dir)) {
    found.set(entry.name, await Deno.readFile(`${dir}/${entry.name}`));
  }
  return new Map([...found].sort(([a], [b]) => a < b ? -1 : 1));
}

async function entries(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

Deno.test("backtest writes its four files, the same bytes with 1 and 2 workers", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const one = await run([...settings, "--workers", "1", "--out", `${dir}/one`]);
    const two = await run([...settings, "--workers", "2", "--out", `${dir}/two`]);
    assertEquals([one.code, two.code], [0, 0], [...one.err, ...two.err].join("\n"));
    const a = await files(`${dir}/one`), b = await files(`${dir}/two`);
    assertEquals([...a.keys()], FILES);
    assertEquals(b, a);
    const csv = new TextDecoder().decode(a.get("backtest_garch.backtest.csv"));
    const lines = csv.trimEnd().split("\r\n");
    assertEquals(lines[0], "date,spot,atr,hv,iv,predicted,observed");
    // 2024-02-01 .. 2024-04-05 holds 47 sessions; each has 5 sessions after it in the file.
    assertEquals(lines.length, 1 + 47);
    const doc = JSON.parse(new TextDecoder().decode(a.get("backtest_garch.backtest.json")));
    assertEquals([doc.scoredSessions, doc.leftOut, doc.settings.runs], [47, 0, 200]);
    assertEquals(doc.band.buckets.length, 10);
    const html = new TextDecoder().decode(a.get("backtest_garch.backtest.html"));
    assertStringIncludes(html, 'class="reliability"');
    assert(!/https?:\/\//.test(html.replace(/xmlns="[^"]*"/g, "")), "the page loads nothing");
    const calibration = new TextDecoder().decode(a.get("backtest_garch.calibration.csv"));
    assertEquals(calibration.split("\r\n")[0]!.split(",").slice(0, 4), [
      "event",
      "low",
      "high",
      "days",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest prints the calibration table and the Brier scores", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = await run([...settings.filter((a) => a !== "--quiet"), "--out", dir]);
    assertEquals(result.code, 0, result.err.join("\n"));
    const text = result.out.join("\n");
    assertStringIncludes(text, "Backtest backtest_garch: 2024-02-01 to 2024-04-05, 47 days scored");
    assertStringIncludes(text, "Band touch:");
    assertStringIncludes(text, "Brier ");
    assertStringIncludes(text, "skill ");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shards merge into the bytes of the unsharded backtest, and a missing shard is named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals((await run([...settings, "--out", `${dir}/whole`])).code, 0);
    for (const k of [1, 2, 3]) {
      const shard = await run([...settings, "--shard", `${k}/3`, "--out", `${dir}/parts`]);
      assertEquals(shard.code, 0, shard.err.join("\n"));
    }
    const parts = (await entries(`${dir}/parts`)).sort().map((n) => `${dir}/parts/${n}`);
    assertEquals(parts.length, 3);
    const missing = await run(["merge", parts[0]!, parts[2]!, "--out", `${dir}/merged`]);
    assertEquals(missing.code, 2);
    assertStringIncludes(missing.err.join("\n"), "shard 2 of 3 missing");
    assertEquals(await entries(`${dir}/merged`), []);
    const merged = await run(["merge", ...parts.reverse(), "--out", `${dir}/merged`, "--quiet"]);
    assertEquals(merged.code, 0, merged.err.join("\n"));
    assertEquals(await files(`${dir}/merged`), await files(`${dir}/whole`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad input exits 2, names the file or option, and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/out`;
    const cases: [string[], string][] = [
      [[...settings, "--colour", "red"], 'Unknown option "--colour"'],
      [
        [garch, "--history", wave, "--from", "2024-02-01", "--to", "2024-04-05"],
        "Option --horizon is required",
      ],
      [[...settings, "--runs", "0"], "Option --runs: expected an integer in [1, 1000000]"],
      [[...settings, "--touch", "wicks"], 'Option --touch: expected "close" or "high-low"'],
      [
        [garch, "--history", wave, "--from", "2030-01-01", "--to", "2030-12-31", "--horizon", "5"],
        `${wave}: Cannot replay from 2030-01-01 to 2030-12-31`,
      ],
      [
        [garch, "--history", wave, "--from", "2024-04-18", "--to", "2024-04-19", "--horizon", "5"],
        `${wave}: Cannot backtest from 2024-04-18 to 2024-04-19: no session of the range has 5 sessions after it`,
      ],
      [
        [`${scenarios}breakout.jsonc`, ...settings.slice(1)],
        `${scenarios}breakout.jsonc: Cannot backtest: "generators.spot" uses generator "breakout", which has no fromState hook`,
      ],
      [[...settings, "--history", `${fixtures}absent.csv`], "absent.csv"],
    ];
    for (const [args, message] of cases) {
      const result = await run([...args, "--out", out]);
      assertEquals(result.code, 2, `${args.join(" ")}: ${result.err.join("\n")}`);
      assertStringIncludes(result.err.join("\n"), message);
      assertEquals(await entries(out), [], `${args.join(" ")} wrote something`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a stopped backtest writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const stop = new AbortController();
    const { Interrupted } = await import("../../core/errors.ts");
    stop.abort(new Interrupted("SIGINT"));
    const err: string[] = [];
    const code = await main([...settings, "--runs", "2000", "--out", `${dir}/out`], {
      stderr: (l) => err.push(l),
      signal: stop.signal,
    });
    assertEquals(code, 130, err.join("\n"));
    assertEquals(await entries(`${dir}/out`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
