// The fit command: help, a fit that writes a fragment which loads as part of a scenario, the
// same bytes on a rerun, and bad input refused with exit 2, the file named and nothing written.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { main } from "../../models/cli.ts";
import garch from "../../plugins/garch.ts";
import { loadScenario } from "../../plugins/mod.ts";
import { runGenerator } from "../../testing.ts";

async function fit(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function listDir(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/** A plain daily file of a simulated GARCH path: 1,200 weekdays from 2015-01-01. */
async function historyFile(dir: string): Promise<string> {
  const { spot } = await runGenerator(garch, {
    options: { start: 2000, mu: 0.03, omega: 0.03, alpha: 0.12, beta: 0.85 },
    steps: 1200,
    seed: 5,
  });
  const rows = ["date,open,high,low,close"];
  let day = Date.UTC(2015, 0, 1);
  for (const close of spot) {
    while ([0, 6].includes(new Date(day).getUTCDay())) day += 86_400_000;
    const date = new Date(day).toISOString().slice(0, 10);
    rows.push(`${date},${close},${close * 1.005},${close * 0.995},${close}`);
    day += 86_400_000;
  }
  const path = join(dir, "prices.csv");
  await Deno.writeTextFile(path, rows.join("\n") + "\n");
  return path;
}

const dir = await Deno.makeTempDir({ prefix: "fit_cli_" });
const prices = await historyFile(dir);

Deno.test("fit --help prints the usage and exits 0", async () => {
  const { code, out } = await fit(["--help"]);
  assertEquals(code, 0);
  assertStringIncludes(out, "Usage: deno task fit <history.csv> --model garch|jumps");
  assertStringIncludes(out, "--column C");
});

for (const model of ["garch", "jumps"] as const) {
  Deno.test(`fit --model ${model} writes a fragment that loads in a scenario, the same bytes twice`, async () => {
    const out = join(dir, `out_${model}`);
    const args = [prices, "--model", model, "--from", "2015-01-01", "--to", "2019-12-31"];
    const first = await fit([...args, "--out", out]);
    assertEquals(first.code, 0, first.err);
    assertStringIncludes(first.out, `${model} fit to ${prices}, close, 2015-01-01 to `);
    assertStringIncludes(first.out, "log-likelihood");
    assertEquals(listDir(out), [`${model}.fit.json`]);
    const text = await Deno.readTextFile(join(out, `${model}.fit.json`));
    const doc = JSON.parse(text);
    assertEquals(doc.generators[model].use, model);
    assertEquals(doc.generators[model].periodsPerYear, 252);
    assertEquals([doc.fit.model, doc.fit.source, doc.fit.n], [model, prices, 1199]);
    assert(Object.values(doc.fit.standardErrors).every((se) => (se as number) > 0));
    // Pasted into a scenario's generators, beside what supplies the other channels.
    const others = model === "garch" ? { iv: { use: "vol-path", start: 0.16, target: 0.16 } } : {
      iv: { use: "vol-path", start: 0.16, target: 0.16 },
      hv: { use: "hv", window: 20, initial: 0.15 },
    };
    const scenario = {
      steps: 50,
      seed: 1,
      evaluator: { use: "envelope", atr: 30, flip: 2000, putWall: 1900, callWall: 2100 },
      generators: { ...doc.generators, ...others },
      sinks: [{ use: "jsonl" }],
    };
    const path = join(dir, `${model}_scenario.jsonc`);
    await Deno.writeTextFile(path, JSON.stringify(scenario, null, 2));
    const loaded = await loadScenario(path);
    assert(loaded.generators.some((g) => g.definition.name === model));
    // A rerun with the same inputs writes the same bytes.
    const again = join(dir, `again_${model}`);
    assertEquals((await fit([...args, "--out", again])).code, 0);
    assertEquals(await Deno.readTextFile(join(again, `${model}.fit.json`)), text);
  });
}

Deno.test("fit --name names the file", async () => {
  const out = join(dir, "named");
  const args = ["--model", "garch", "--from", "2015-01-01", "--to", "2019-12-31"];
  const { code } = await fit([prices, ...args, "--out", out, "--name", "spx_2010s"]);
  assertEquals(code, 0);
  assertEquals(listDir(out), ["spx_2010s.fit.json"]);
});

const bad: [string, string[], string][] = [
  ["an unknown model", ["--model", "heston"], 'Option --model: expected one of "garch", "jumps"'],
  [
    "a reversed range",
    ["--from", "2019-01-01", "--to", "2018-01-01"],
    "--from 2019-01-01 is after --to 2018-01-01",
  ],
  [
    "a date that is not one",
    ["--from", "2019-02-30"],
    'Option --from: expected a date YYYY-MM-DD, got "2019-02-30"',
  ],
  [
    "a range with no rows",
    ["--from", "2030-01-01", "--to", "2030-12-31"],
    `${prices}: Options --from 2030-01-01 --to 2030-12-31: expected at least two sessions`,
  ],
  [
    "too few returns",
    ["--from", "2015-01-01", "--to", "2015-02-28"],
    `${prices}: Cannot fit garch: expected at least 100 returns, got 41 (--model garch --from 2015-01-01 --to 2015-02-28`,
  ],
  [
    "a missing column",
    ["--column", "adjclose"],
    `${prices}: Option --column: the file has no column "adjclose"`,
  ],
  ["no --model", ["--model", ""], "Option --model: expected a value"],
  ["an unknown option", ["--horizon", "5"], 'Unknown option "--horizon"'],
];
for (const [what, change, message] of bad) {
  Deno.test(`fit refuses ${what} with exit 2 and writes nothing`, async () => {
    const out = join(dir, `bad_${what.replaceAll(" ", "_")}`);
    const args = new Map([["--model", "garch"], ["--from", "2015-01-01"], ["--to", "2019-12-31"]]);
    const rest: string[] = [];
    for (let i = 0; i < change.length; i += 2) {
      if (args.has(change[i]!)) args.set(change[i]!, change[i + 1]!);
      else rest.push(change[i]!, change[i + 1]!);
    }
    const { code, err, out: printed } = await fit([
      prices,
      ...[...args].flat(),
      ...rest,
      "--out",
      out,
    ]);
    assertEquals(code, 2, err);
    assertStringIncludes(err, message);
    assertEquals(printed, "");
    assertEquals(listDir(out), []);
  });
}

Deno.test("fit refuses a missing history file, naming it, with exit 2", async () => {
  const missing = join(dir, "nowhere.csv");
  const out = join(dir, "bad_missing");
  const { code, err } = await fit([
    missing,
    "--model",
    "garch",
    "--from",
    "2015-01-01",
    "--to",
    "2019-12-31",
    "--out",
    out,
  ]);
  assertEquals(code, 2);
  assertStringIncludes(err, missing);
  assertEquals(listDir(out), []);
});

Deno.test("fit refuses a price of 0 inside the range, naming the file and the date", async () => {
  const text = (await Deno.readTextFile(prices)).split("\n");
  const [date] = text[11]!.split(",");
  text[11] = `${date},0,0,0,0`;
  const broken = join(dir, "broken.csv");
  await Deno.writeTextFile(broken, text.join("\n"));
  const { code, err } = await fit([
    broken,
    "--model",
    "garch",
    "--from",
    "2015-01-01",
    "--to",
    "2019-12-31",
    "--out",
    join(dir, "bad_zero"),
  ]);
  assertEquals(code, 2);
  assertStringIncludes(err, broken);
  assertEquals(listDir(join(dir, "bad_zero")), []);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
