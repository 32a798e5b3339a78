/**
 * Fuzzes the scenario loader and the JSONL reader with seeded random mutations of the shipped
 * scenarios and logs, and with random bytes: nothing may throw anything but a ScenarioError,
 * hang, or write outside the output folder.
 *
 * ```sh
 * deno task fuzz                  # 60 seconds from seed 1
 * deno task fuzz --seconds 600 --seed 7
 * ```
 *
 * The same seed gives the same cases, so a failure it prints can be replayed.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { fromFileUrl, join } from "@std/path";
import { PluginError, ScenarioError } from "../core/errors.ts";
import { createStream, type RandomStream } from "../core/random.ts";
import { runScenario } from "../files/run.ts";
import { parseJsonl } from "../plugins/_jsonl_parse.ts";
import { parseScenario } from "../plugins/mod.ts";

const root = fromFileUrl(new URL("..", import.meta.url));

/** The texts mutations start from: every shipped scenario and golden log. */
function corpus(): { scenarios: string[]; logs: string[] } {
  const read = (dir: string, end: string) =>
    [...Deno.readDirSync(join(root, dir))].filter((e) => e.name.endsWith(end)).map((e) =>
      Deno.readTextFileSync(join(root, dir, e.name))
    ).sort();
  return { scenarios: read("scenarios", ".jsonc"), logs: read("tests/golden", ".jsonl") };
}

/** Pieces that break JSON and JSONC in the ways files break. */
const PIECES = [
  "{",
  "}",
  "[",
  "]",
  '"',
  ",",
  ":",
  "1e309",
  "-0",
  "\uFEFF",
  "\r",
  "\n",
  "//",
  "/*",
  "null",
  '"seed": 1, "seed": 2,',
  "[".repeat(200),
  "\u0000",
  "NaN",
  '"use": "mean_revert"',
];

function mutate(text: string, random: RandomStream): string {
  const at = () => Math.floor(random.next() * (text.length + 1));
  const edits = 1 + Math.floor(random.next() * 4);
  for (let k = 0; k < edits; k++) {
    const i = at(), kind = Math.floor(random.next() * 5);
    if (kind === 0) text = text.slice(0, i); // cut off
    else if (kind === 1) {
      text = text.slice(0, i) + text.slice(i + 1 + Math.floor(random.next() * 40));
    } else if (kind === 2) {
      const piece = PIECES[Math.floor(random.next() * PIECES.length)]!;
      text = text.slice(0, i) + piece + text.slice(i);
    } else if (kind === 3) {
      const c = String.fromCharCode(Math.floor(random.next() * 128));
      text = text.slice(0, i) + c + text.slice(i + 1);
    } else {
      const j = at();
      text = text.slice(0, i) + text.slice(Math.min(i, j), Math.max(i, j)) + text.slice(i);
    }
  }
  return text;
}

/** What {@linkcode fuzz} found. */
export interface FuzzReport {
  /** Cases tried. */
  cases: number;
  /** Cases whose scenario loaded, and so ran. */
  ran: number;
  /** Each failure, with the seed and case that replay it. */
  failures: string[];
}

/**
 * Tries `cases` mutated scenarios and logs from `seed`, or as many as `seconds` allow.
 *
 * @param options The seed, the number of cases and a time bound.
 * @returns The cases tried and the failures.
 */
export async function fuzz(
  options: { seed: number; cases?: number; seconds?: number },
): Promise<FuzzReport> {
  const { scenarios, logs } = corpus();
  const random = createStream(options.seed, { run: 0, key: "fuzz" });
  const end = performance.now() + 1000 * (options.seconds ?? Infinity);
  const failures: string[] = [];
  const work = await Deno.makeTempDir({ prefix: "fuzz_" });
  let cases = 0, ran = 0;
  try {
    for (; cases < (options.cases ?? Infinity) && performance.now() < end; cases++) {
      const where = `seed ${options.seed}, case ${cases}`;
      const log = mutate(logs[cases % logs.length]!, random);
      try {
        parseJsonl(log);
      } catch (error) {
        failures.push(`${where}: parseJsonl threw ${(error as Error).stack}`);
      }
      const text = random.next() < 0.1
        ? String.fromCharCode(...Array.from({ length: 64 }, () => Math.floor(random.next() * 256)))
        : mutate(scenarios[cases % scenarios.length]!, random);
      // No package fetched at run time, and no file outside the work folder named.
      if (/(npm|jsr|file):|\.\.\//.test(text)) continue;
      const started = performance.now();
      const dir = join(work, String(cases));
      try {
        const scenario = await parseScenario(text, { path: join(dir, "fuzz.jsonc") });
        const out = join(dir, "out");
        ran++;
        await runScenario(scenario, { outDir: out, steps: Math.min(scenario.steps, 50) });
        const names = [...Deno.readDirSync(dir)].map((e) => e.name);
        if (names.some((name) => name !== "out")) failures.push(`${where}: wrote ${names}`);
      } catch (error) {
        if (!(error instanceof ScenarioError || error instanceof PluginError)) {
          failures.push(`${where}: threw ${(error as Error).stack}\n${JSON.stringify(text)}`);
        }
      }
      if (performance.now() - started > 5000) failures.push(`${where}: took over 5 s`);
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  return { cases, ran, failures };
}

if (import.meta.main) {
  const flags = parseArgs(Deno.args, { string: ["seconds", "seed"] });
  const seed = Number(flags.seed ?? 1);
  const { cases, ran, failures } = await fuzz({ seed, seconds: Number(flags.seconds ?? 60) });
  for (const failure of failures) console.error(failure);
  console.log(`${cases} cases from seed ${seed} (${ran} ran), ${failures.length} failures`);
  Deno.exit(failures.length > 0 ? 1 : 0);
}
