// The levels command end to end: the SOURCES.md values on the real 2022-12-12 SPX chain,
// printed and written; a levels series over two chains; the price check; bad inputs, which
// exit 2 naming the file and write nothing.
//
// Without ../shared/data the real-chain tests are skipped with a message, except under
// CI=true, where they fail: CI must run them.
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { main } from "../levels.ts";
import { CBOE_CHAIN_HEADER } from "../markets/chain.ts";
import type { LevelsDocument } from "../markets/levels.ts";
import { parseLevelsSeries } from "../markets/series.ts";
import { listDir } from "./cli_harness.ts";

const root = fromFileUrl(new URL("../", import.meta.url));
const dataDir = fromFileUrl(new URL("../../shared/data/", import.meta.url));
const chainPath = join(dataDir, "spx_option_chain_2022-12-12_cboe.csv");
const spxDaily = join(dataDir, "spx_daily_1927-2026.csv");
const inCi = Deno.env.get("CI") === "true";
const haveData = (() => {
  try {
    return Deno.statSync(chainPath).isFile;
  } catch {
    return false;
  }
})();
if (!haveData && !inCi) {
  console.warn(
    `Skipping the real-chain tests of tests/levels_test.ts: no ${chainPath} ` +
      "(../shared/data beside the repository; see SOURCES.md there)",
  );
}

/** A test on the real chain: skipped without it, failing without it under CI=true. */
const realTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({
    name,
    ignore: !haveData && !inCi,
    async fn() {
      if (!haveData) throw new Error(`No ${chainPath}; CI=true requires the real-chain tests`);
      await fn();
    },
  });

/** The flags of the levels task (deno.json), which the command is run with as a program. */
const TASK_FLAGS = [
  "--allow-read",
  "--allow-write",
  "--allow-env=INIT_CWD",
  "--v8-flags=--max-inlined-bytecode-size-cumulative=200,--no-concurrent-recompilation",
];

/** Runs `levels.ts` as `deno task levels` does, from `cwd`, with extra environment. */
async function program(args: string[], cwd = root, env: Record<string, string> = {}) {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...TASK_FLAGS, join(root, "levels.ts"), ...args],
    cwd,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, out: text(result.stdout), err: text(result.stderr) };
}

/** Runs `main` in this process, collecting what it prints. */
async function levels(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The real chain's text with its date line's date replaced. */
async function chainOn(date: string): Promise<string> {
  const text = await Deno.readTextFile(chainPath);
  const changed = text.replace("December 12, 2022", date);
  assert(changed !== text, "the chain's date line names December 12, 2022");
  return changed;
}

const NAME = "spx_option_chain_2022-12-12_cboe";

realTest(
  "levels prints the SOURCES.md levels of 2022-12-12 and writes its json and html",
  async () => {
    const out = join(await Deno.makeTempDir(), "out");
    const result = await program([chainPath, "--out", out]);
    assertEquals(result.code, 0, result.err);
    assertEquals(result.err, "");
    const flip = Number(/^ {2}flip +([\d.]+)/m.exec(result.out)?.[1]);
    assertAlmostEquals(flip, 4013.8, 1);
    assertStringIncludes(result.out, `${NAME}: chain of 2022-12-12, spot 3990.56`);
    assertMatch(result.out, /^ {2}net GEX +-1\.08 \$bn per 1% move/m);
    assertMatch(result.out, /^ {2}walls +call 4100, put 4000 \(beyond the flip\)$/m);
    assertMatch(result.out, /^ {2}unrestricted +call 4000, put 4000$/m);
    assertMatch(result.out, /^ {2}largest OI +call 4000, put 4000/m);
    assertStringIncludes(result.out, "The unrestricted put wall 4000 is above spot 3990.56");
    assertEquals(listDir(out), [`${NAME}.levels.html`, `${NAME}.levels.json`]);

    const doc = JSON.parse(
      await Deno.readTextFile(join(out, `${NAME}.levels.json`)),
    ) as LevelsDocument;
    assertEquals(doc.format, "option-flight.levels/1");
    assertEquals(doc.source.date, "2022-12-12");
    assertAlmostEquals(doc.levels.spot, 3990.56, 0.01);
    assertAlmostEquals(doc.levels.netGexAtSpot / 1e9, -1.08, 0.02);
    assertAlmostEquals(doc.levels.flip!, 4013.8, 1);
    assertEquals(
      [doc.levels.callWall, doc.levels.putWall, doc.levels.ordered],
      [4100, 4000, true],
    );
    assertEquals([doc.levels.unrestrictedCallWall, doc.levels.unrestrictedPutWall], [4000, 4000]);
    assertEquals(
      [doc.levels.largestCallOpenInterestStrike, doc.levels.largestPutOpenInterestStrike],
      [4000, 4000],
    );
    assertEquals(doc.options.restriction, "flip");
    for (const key of ["units", "gex", "dealerSign", "walls", "restriction", "flip", "time"]) {
      assert(doc.definitions[key], `definition ${key}`);
    }
    assertEquals(doc.profile.spots?.length, 801);
    // The variants side by side: the restrictions and "excluding next expiry" of SOURCES.md.
    const variant = (restriction: string, expiries: unknown) =>
      doc.variants.find((v) =>
        v.restriction === restriction && v.dealer === "long-calls-short-puts" &&
        JSON.stringify(v.expiries) === JSON.stringify(expiries)
      )!;
    assertEquals([variant("none", "all").callWall, variant("none", "all").putWall], [4000, 4000]);
    assertEquals([variant("spot", "all").callWall, variant("spot", "all").putWall], [4000, 3950]);
    assertAlmostEquals(variant("flip", "exclude-nearest").flip!, 4013.8, 1);
    assertEquals(doc.variants.length, 18); // 3 expiry filters x 2 dealer signs x 3 restrictions

    const html = await Deno.readTextFile(join(out, `${NAME}.levels.html`));
    assertStringIncludes(html, '<svg id="profile-chart"');
    assertStringIncludes(html, '<svg id="strike-chart"');
    assert(!/<script|https?:\/\//.test(html), "self-contained, without script or network");
  },
);

realTest("levels resolves paths against INIT_CWD, the folder deno task was run in", async () => {
  const user = await Deno.makeTempDir();
  await Deno.copyFile(chainPath, join(user, "spx.csv"));
  const result = await program(["spx.csv", "--out", "results", "--quiet"], root, {
    INIT_CWD: user,
  });
  assertEquals(result.code, 0, result.err);
  assertEquals(result.out, "");
  assertEquals(listDir(join(user, "results")), ["spx.levels.html", "spx.levels.json"]);
});

realTest(
  "two chains give a levels series, sorted by date, that parseLevelsSeries reads",
  async () => {
    const dir = await Deno.makeTempDir();
    const chains = join(dir, "december");
    await Deno.mkdir(chains);
    // Named so that the file order is not the date order.
    await Deno.writeTextFile(join(chains, "a_later.csv"), await chainOn("December 13, 2022"));
    await Deno.copyFile(chainPath, join(chains, "b_earlier.csv"));

    const out = join(dir, "out");
    const folder = await levels([chains, "--out", out]);
    assertEquals(folder.code, 0, folder.err);
    assertEquals(listDir(out), [
      "a_later.levels.html",
      "a_later.levels.json",
      "b_earlier.levels.html",
      "b_earlier.levels.json",
      "december.levels.csv",
    ]);
    assertStringIncludes(folder.out, "levels series december: 2 chains, 2022-12-12 to 2022-12-13");
    const csv = join(out, "december.levels.csv");
    const text = await Deno.readTextFile(csv);
    assert(text.startsWith("date,flip,putWall,callWall\n"), text);
    const series = parseLevelsSeries(text, csv);
    assertEquals(series.by, "date");
    assertEquals(series.dates, ["2022-12-12", "2022-12-13"]);
    assertAlmostEquals(series.flip[0]!, 4013.8, 1);
    assertEquals([...series.putWall], [4000, 4000]);
    assertEquals([...series.callWall], [4100, 4100]);
    const doc = JSON.parse(await Deno.readTextFile(join(out, "b_earlier.levels.json")));
    assertEquals(series.flip[0], doc.levels.flip); // the series holds the levels exactly

    // Files listed one by one, and --name naming the series.
    const named = join(dir, "named");
    const files = await levels([
      join(chains, "b_earlier.csv"),
      join(chains, "a_later.csv"),
      "--out",
      named,
      "--name",
      "dec",
      "--quiet",
    ]);
    assertEquals(files.code, 0, files.err);
    assertEquals(files.out, "");
    assertEquals(await Deno.readTextFile(join(named, "dec.levels.csv")), text);
  },
);

realTest("--prices: a close within 1% passes quietly, a far one warns naming both", async () => {
  const out = await Deno.makeTempDir();
  const near = await levels([chainPath, "--out", out, "--prices", spxDaily]);
  assertEquals(near.code, 0, near.err);
  assertEquals(near.err, "");
  assertStringIncludes(near.out, `close 3990.56 on 2022-12-12 in ${spxDaily}`);

  const prices = join(await Deno.makeTempDir(), "spy_like.csv");
  await Deno.writeTextFile(
    prices,
    "date,open,high,low,close\n2022-12-09,393.6,395.2,393,393.3\n2022-12-12,394,398.9,393.6,398.95\n",
  );
  const farOut = await Deno.makeTempDir();
  const far = await levels([chainPath, "--out", farOut, "--prices", prices, "--quiet"]);
  assertEquals(far.code, 0, far.err);
  assertEquals(far.out, "");
  assertStringIncludes(far.err, `warning: ${chainPath}: Spot 3990.56 differs by`);
  assertStringIncludes(far.err, `from the close 398.95 on 2022-12-12 in ${prices}`);
  assertEquals(far.err.split("\n").length, 1, far.err);
  const doc = JSON.parse(await Deno.readTextFile(join(farOut, `${NAME}.levels.json`)));
  assert(doc.notes.some((n: string) => n.includes("398.95")), "the warning is in the notes");

  // The SPY file of ../shared/data ends in 2020: the spot cannot be checked, and it says so.
  const spy = join(dataDir, "spy_daily_unadjusted_1999-2020.csv");
  const old = await levels([chainPath, "--out", await Deno.makeTempDir(), "--prices", spy]);
  assertEquals(old.code, 0, old.err);
  assertStringIncludes(old.err, `Cannot check spot 3990.56 against ${spy}`);
});

realTest("a series of unordered levels exits 2 naming each chain and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.copyFile(chainPath, join(dir, "one.csv"));
  await Deno.writeTextFile(join(dir, "two.csv"), await chainOn("December 13, 2022"));
  const out = join(dir, "out");
  const result = await levels([dir, "--out", out, "--restriction", "none"]);
  assertEquals(result.code, 2, result.err);
  const lines = result.err.split("\n");
  assertEquals(lines.length, 2, result.err);
  assertStringIncludes(lines[0]!, `${join(dir, "one.csv")}: Cannot write its row`);
  assertStringIncludes(lines[0]!, 'restriction "none" gives put wall 4000');
  assertStringIncludes(lines[1]!, join(dir, "two.csv"));
  assertEquals(listDir(out), []);
});

// ----------------------------------------------------------------------------------------
// Without the real chain

/** A small valid chain. */
const SMALL_CHAIN = [
  "",
  "SPX,Last: 100",
  "Date: January 2, 2024",
  CBOE_CHAIN_HEADER,
  "Fri Jan 19 2024,C,0,0,0,0,0,0.2,0.8,0.01,10,95.00,P,0,0,0,0,0,0.2,-0.2,0.05,500",
  "Fri Jan 19 2024,C,0,0,0,0,0,0.2,0.2,0.05,500,105.00,P,0,0,0,0,0,0.2,-0.8,0.01,10",
].join("\n");

Deno.test("bad chains exit 2 naming the file and line, and leave no output folder", async () => {
  const dir = await Deno.makeTempDir();
  const empty = join(dir, "empty.csv");
  await Deno.writeTextFile(empty, "");
  const missing = join(dir, "missing_gamma.csv");
  await Deno.writeTextFile(
    missing,
    SMALL_CHAIN.replace(",Gamma,Open Interest,Strike", ",Open Interest,Strike")
      .replace(/0\.8,0\.01,10,95/, "0.8,10,95").replace(/0\.2,0\.05,500,105/, "0.2,500,105"),
  );
  const cases: [string[], string][] = [
    [[empty], `${empty}:1: Empty file`],
    [[missing], `${missing}:4:`],
    [[join(dir, "absent.csv")], `${join(dir, "absent.csv")}: Cannot read the option chain`],
  ];
  for (const [args, message] of cases) {
    const out = join(dir, "out");
    const result = await levels([...args, "--out", out]);
    assertEquals(result.code, 2, result.err);
    assertStringIncludes(result.err, message);
    assert(!result.err.includes("    at "), result.err);
    assertEquals(listDir(out), [], args.join(" "));
  }
  const missingText = (await levels([missing, "--out", join(dir, "out")])).err;
  assertStringIncludes(missingText, '"Gamma"');

  // One bad chain among good ones: nothing at all is written, not even the good chain's files.
  const good = join(dir, "good.csv");
  await Deno.writeTextFile(good, SMALL_CHAIN);
  const mixed = await levels([good, empty, "--out", join(dir, "out")]);
  assertEquals(mixed.code, 2, mixed.err);
  assertStringIncludes(mixed.err, `${empty}:1: Empty file`);
  assertEquals(listDir(join(dir, "out")), []);
});

Deno.test("bad arguments exit 2 with a message naming the option", async () => {
  const cases: [string[], string][] = [
    [[], "Expected one or more chain files or folders, got none"],
    [["c.csv", "--restriction", "wide"], 'Option --restriction: expected one of "none", "flip"'],
    [["c.csv", "--expiries", "next:0"], 'Option --expiries: expected "all", "exclude-nearest"'],
    [["c.csv", "--dealer", "long"], 'Option --dealer: expected one of "long-calls-short-puts"'],
    [["c.csv", "--name", "a/b"], 'Option --name: expected a plain file name, got "a/b"'],
    [["c.csv", "--sorted"], 'Unknown option "--sorted"'],
  ];
  for (const [args, message] of cases) {
    const result = await levels(args);
    assertEquals(result.code, 2, args.join(" "));
    assertStringIncludes(result.err.replace(/ \(letters[^)]*\)/, ""), message);
  }
});

Deno.test("an empty folder, a repeated date and clashing names exit 2", async () => {
  const dir = await Deno.makeTempDir();
  const emptyFolder = join(dir, "none");
  await Deno.mkdir(emptyFolder);
  const result = await levels([emptyFolder, "--out", join(dir, "out")]);
  assertEquals(result.code, 2);
  assertStringIncludes(result.err, `${emptyFolder}: No chain files`);

  const a = join(dir, "a.csv");
  const b = join(dir, "b.csv");
  await Deno.writeTextFile(a, SMALL_CHAIN);
  await Deno.writeTextFile(b, SMALL_CHAIN);
  const twice = await levels([a, b, "--out", join(dir, "out")]);
  assertEquals(twice.code, 2, twice.err);
  assertStringIncludes(twice.err, `${b}: Cannot add to the levels series: its date 2024-01-02`);
  assertEquals(listDir(join(dir, "out")), []);

  await Deno.mkdir(join(dir, "other"));
  await Deno.writeTextFile(join(dir, "other", "a.csv"), SMALL_CHAIN);
  const clash = await levels([a, join(dir, "other", "a.csv"), "--out", join(dir, "out")]);
  assertEquals(clash.code, 2, clash.err);
  assertStringIncludes(clash.err, "Cannot write a.levels.json");
});

Deno.test("--help prints the usage, --quiet prints nothing, --name names the files", async () => {
  const help = await levels(["--help"]);
  assertEquals(help.code, 0);
  assertStringIncludes(help.out, "Usage: deno task levels <chain.csv | folder...>");
  const dir = await Deno.makeTempDir();
  const chain = join(dir, "small chain.csv");
  await Deno.writeTextFile(chain, SMALL_CHAIN);
  const out = join(dir, "out");
  const quiet = await levels([chain, "--out", out, "--quiet", "--name", "mine"]);
  assertEquals([quiet.code, quiet.out, quiet.err], [0, "", ""]);
  assertEquals(listDir(out), ["mine.levels.html", "mine.levels.json"]);
  // Without --name, the file's name, made a plain output name.
  assertEquals((await levels([chain, "--out", out, "--quiet"])).code, 0);
  assert(listDir(out).includes("small_chain.levels.json"), listDir(out).join(", "));
});

Deno.test("the command exits with main's code when run as a program", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "empty.csv"), "");
  const bad = await program([join(dir, "empty.csv"), "--out", join(dir, "out")]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.err, "empty.csv:1: Empty file");
  assertEquals(listDir(join(dir, "out")), []);
});
