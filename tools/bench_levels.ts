/**
 * The levels command's speed against the numpy yardstick `tools/levels_numpy.py` (the same
 * profile, flip and walls, SPEC §6), on the shipped 2022-12-12 SPX chain. A bench, not a test:
 * it prints markdown tables and asserts nothing.
 *
 * ```sh
 * deno run -A tools/bench_levels.ts                       # 7 rounds
 * deno run -A tools/bench_levels.ts --rounds 11 --chain other_chain.csv
 * ```
 *
 * - Whole process, the primary figure: `deno task levels <chain> --out <tmp> --quiet` (the
 *   whole command: reading, levels, the 18 variants, the json and html files) against
 *   `python3 tools/levels_numpy.py <chain>` (reading, levels, printing; no files), as typed and
 *   with `OPENBLAS_NUM_THREADS=1` (numpy's faster setting for one short process, see the
 *   script), in turn, each round starting with the next side, after one untimed run of each.
 *   Ratios are taken pair by pair, numpy's time over ours in the same round; the table gives
 *   the median of the ratios beside the median times. Without a `levels` task in deno.json
 *   the command runs as that task would, `deno run` with the run task's flags on levels.ts
 *   (`deno task` itself adds its own start-up, some 30 ms here).
 * - In process, the second figure: reading the chain and computing its levels, each the best of
 *   `--repeat` (default 20) on a fresh chain object (the library keeps a chain's profile basis
 *   while the object lives), and the first call in a fresh process too, against the times the
 *   numpy script prints for itself (`--repeat`, best of), with its block method and with the
 *   per-spot loop of public GEX scripts.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { dirname, fromFileUrl, join, resolve } from "@std/path";
import { readChain } from "../markets/chain.ts";
import { computeLevels, levelsDocument, levelVariants } from "../markets/levels.ts";
import { levelsPage } from "../files/levels_page.ts";

const root = resolve(dirname(fromFileUrl(import.meta.url)), "..");
const flags = parseArgs(Deno.args, {
  boolean: ["help"],
  string: ["rounds", "repeat", "chain"],
});
if (flags.help) {
  console.log("Usage: deno run -A tools/bench_levels.ts [--rounds N] [--repeat N] [--chain FILE]");
  Deno.exit(0);
}
const rounds = Number(flags.rounds ?? 7);
const repeat = Number(flags.repeat ?? 20);
const chain = resolve(
  typeof flags.chain === "string"
    ? flags.chain
    : join(root, "..", "shared", "data", "spx_option_chain_2022-12-12_cboe.csv"),
);
if (!(Number.isInteger(rounds) && rounds >= 1 && Number.isInteger(repeat) && repeat >= 1)) {
  console.error("--rounds and --repeat: expected integers >= 1");
  Deno.exit(2);
}
try {
  Deno.statSync(chain);
} catch {
  console.error(`No chain at ${chain} (../shared/data beside the repository, or --chain FILE)`);
  Deno.exit(2);
}

const decoder = new TextDecoder();

/** The command as `deno task levels` runs it, or as that task would where it is not yet set. */
function levelsCommand(): { args: string[]; label: string } {
  const { tasks } = JSON.parse(Deno.readTextFileSync(join(root, "deno.json")));
  if (typeof tasks?.levels === "string") {
    return { args: ["task", "--quiet", "levels"], label: "deno task levels" };
  }
  const v8 = /--v8-flags=\S+/.exec(tasks?.run ?? "")?.[0];
  return {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env=INIT_CWD",
      ...(v8 ? [v8] : []),
      join(root, "levels.ts"),
    ],
    label: "deno run levels.ts (no levels task in deno.json yet; the task's flags)",
  };
}

/** Runs a program to the end; its wall time in milliseconds and its stdout. */
async function timed(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ ms: number; out: string }> {
  const started = performance.now();
  const result = await new Deno.Command(command, {
    args,
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - started;
  if (!result.success) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${decoder.decode(result.stderr)}`);
  }
  return { ms, out: decoder.decode(result.stdout) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 0)} ms`;
const ratio = (v: number) => `${v.toFixed(2)}x`;

// Not on /dev/shm: Deno asks for --allow-all to write under /dev, which the task does not grant.
const out = await Deno.makeTempDir({ prefix: "bench_levels_" });
const ours = levelsCommand();
const deno = Deno.execPath();
const oursArgs = [...ours.args, chain, "--out", out, "--quiet"];
const numpyArgs = [join(root, "tools", "levels_numpy.py"), chain];
/** numpy's BLAS with one thread, its faster setting for one short process (see the script). */
const oneThread = { OPENBLAS_NUM_THREADS: "1" };
const sides = [
  { label: "levels (deno)", run: () => timed(deno, oursArgs) },
  { label: "numpy", run: () => timed("python3", numpyArgs) },
  { label: "numpy, 1 BLAS thread", run: () => timed("python3", numpyArgs, oneThread) },
];

try {
  // ---- whole process
  for (const side of sides) await side.run();
  const times: number[][] = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    // Each round starts with the next side, so that no side always follows the same one.
    for (let k = 0; k < sides.length; k++) {
      const s = (round + k) % sides.length;
      times[s]!.push((await sides[s]!.run()).ms);
    }
  }
  const [ourTimes, ...numpyTimes] = times as [number[], ...number[][]];
  const ratios = numpyTimes.map((list) => list.map((t, i) => t / ourTimes[i]!));
  console.log(`## levels: whole process, ${rounds} rounds\n`);
  console.log(
    `Chain: ${chain}. levels: \`${ours.label}\`; numpy: \`python3 tools/levels_numpy.py\` ` +
      "as typed, and with OPENBLAS_NUM_THREADS=1. Ratios: numpy's time over levels' in the " +
      "same round.\n",
  );
  const names = sides.slice(1).map((side) => side.label);
  console.log(
    `| round | ${sides.map((side) => side.label).join(" | ")} | ${
      names.map((n) => `${n} / levels`).join(" | ")
    } |`,
  );
  console.log(`|---:|${sides.map(() => "---:").join("|")}|${names.map(() => "---:").join("|")}|`);
  for (let i = 0; i < rounds; i++) {
    console.log(
      `| ${i + 1} | ${times.map((list) => ms(list[i]!)).join(" | ")} | ${
        ratios.map((list) => ratio(list[i]!)).join(" | ")
      } |`,
    );
  }
  console.log(
    `| **median** | ${times.map((list) => `**${ms(median(list))}**`).join(" | ")} | ${
      ratios.map((list) => `**${ratio(median(list))}**`).join(" | ")
    } |`,
  );
  console.log(
    `\nRange of the ratios: ${
      ratios.map((list, k) =>
        `${names[k]} ${ratio(Math.min(...list))} to ${ratio(Math.max(...list))}`
      ).join("; ")
    }.\n`,
  );

  // ---- in process
  const firstRead = performance.now();
  const first = await readChain(chain);
  const firstReadMs = performance.now() - firstRead;
  const firstLevels = performance.now();
  computeLevels(first);
  const firstLevelsMs = performance.now() - firstLevels;
  let read = Infinity;
  let levels = Infinity;
  let whole = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    const parsed = await readChain(chain);
    const t1 = performance.now();
    computeLevels({ ...parsed }); // a fresh object: no profile basis kept from an earlier call
    const t2 = performance.now();
    const fresh = { ...parsed };
    const doc = levelsDocument(computeLevels(fresh), { variants: levelVariants(fresh) });
    JSON.stringify(doc);
    levelsPage(doc);
    const t3 = performance.now();
    read = Math.min(read, t1 - t0);
    levels = Math.min(levels, t2 - t1);
    whole = Math.min(whole, t3 - t2 + (t1 - t0));
  }
  const numpyInProcess = async (method: string) => {
    const args = [...numpyArgs, "--repeat", String(repeat), "--method", method];
    const text = (await timed("python3", args, oneThread)).out;
    const found = /read ([\d.]+) ms, levels \(profile, flip, walls\) ([\d.]+) ms/.exec(text);
    return { read: Number(found?.[1] ?? NaN), levels: Number(found?.[2] ?? NaN) };
  };
  const block = await numpyInProcess("block");
  const loop = await numpyInProcess("loop");
  const numpyRead = block.read;
  const numpyLevels = block.levels;
  console.log(`## levels: in process, best of ${repeat}\n`);
  console.log("| step | levels (deno) | first call (deno) | numpy | numpy / levels |");
  console.log("|---|---:|---:|---:|---:|");
  console.log(
    `| read the chain | ${ms(read)} | ${ms(firstReadMs)} | ${ms(numpyRead)} | ${
      ratio(numpyRead / read)
    } |`,
  );
  console.log(
    `| levels: profile, flip, walls (\`computeLevels\`) | ${ms(levels)} | ${ms(firstLevelsMs)} | ${
      ms(numpyLevels)
    } | ${ratio(numpyLevels / levels)} |`,
  );
  console.log(
    `| levels, numpy's per-spot loop (\`--method loop\`, as public GEX scripts) | ${ms(levels)} | ${
      ms(firstLevelsMs)
    } | ${ms(loop.levels)} | ${ratio(loop.levels / levels)} |`,
  );
  console.log(
    `| read + levels | ${ms(read + levels)} | ${ms(firstReadMs + firstLevelsMs)} | ${
      ms(numpyRead + numpyLevels)
    } | ${ratio((numpyRead + numpyLevels) / (read + levels))} |`,
  );
  console.log(
    `| the command's work: read, levels, 18 variants, document, page | ${ms(whole)} | | | |`,
  );
  console.log(
    "\nnumpy's figures are the ones tools/levels_numpy.py prints with OPENBLAS_NUM_THREADS=1 " +
      "(its read is a single run, its levels the best of --repeat; block method unless " +
      "named); the first call is this process's first, before the engine has optimised " +
      "anything.",
  );
} finally {
  await Deno.remove(out, { recursive: true });
}
