// Dealer-gamma levels (SPEC §6): the profile against a plain Black-Scholes reference, each
// convention and option, the refusals, the levels document; then the SOURCES.md reference
// values on the real 2022-12-12 SPX chain in ../shared/data.
//
// Without ../shared/data the real-chain tests are skipped with a message, except under
// CI=true, where they fail: CI must run them.
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertLess,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { fromFileUrl } from "@std/path";
import { ScenarioError } from "../../core/errors.ts";
import { CBOE_CHAIN_HEADER, type Chain, parseChain, readChain } from "../../markets/chain.ts";
import {
  businessDays,
  computeLevels,
  DEFAULT_LEVELS_OPTIONS,
  type ExpiryFilter,
  gexProfile,
  levelsDocument,
  levelVariants,
  resolveLevelsOptions,
} from "../../markets/levels.ts";

const dataDir = new URL("../../../shared/data/", import.meta.url);
const realPath = fromFileUrl(new URL("spx_option_chain_2022-12-12_cboe.csv", dataDir));
const inCi = Deno.env.get("CI") === "true";
const haveData = (() => {
  try {
    return Deno.statSync(realPath).isFile;
  } catch {
    return false;
  }
})();
if (!haveData && !inCi) {
  console.warn(
    `Skipping the real-chain tests of levels_test.ts: no ${realPath} ` +
      "(../shared/data beside the repository; see SOURCES.md there)",
  );
}
const realTest = (name: string, fn: (chain: Chain) => void | Promise<void>) =>
  Deno.test({
    name,
    ignore: !haveData && !inCi,
    async fn() {
      await fn(await readChain(realPath));
    },
  });

// ----------------------------------------------------------------------------------------
// A plain reference: one option and one spot at a time, SPEC §6 written out, no shortcuts.

function referenceBusinessDays(from: string, to: string): number {
  const day = 86_400_000;
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  let count = 0;
  for (let t = Math.min(a, b); t < Math.max(a, b); t += day) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return b < a ? -count : count;
}

function referenceProfile(
  chain: Chain,
  keep: (expiryIndex: number) => boolean,
  points = 801,
): { spots: number[]; total: number[] } {
  const lo = 0.8 * chain.spot;
  const hi = 1.2 * chain.spot;
  const spots = Array.from({ length: points }, (_, j) => lo + (hi - lo) * j / (points - 1));
  const years = chain.expiries.map((e) =>
    Math.max(referenceBusinessDays(chain.date, e) / 262, 1 / 262)
  );
  const total = spots.map((s) => {
    let sum = 0;
    for (let r = 0; r < chain.strike.length; r++) {
      if (!keep(chain.expiry[r]!)) continue;
      const t = years[chain.expiry[r]!]!;
      for (const [side, sign] of [[chain.call, 1], [chain.put, -1]] as const) {
        const iv = side.iv[r]!;
        const oi = side.openInterest[r]!;
        if (iv === 0 || oi === 0) continue;
        const k = chain.strike[r]!;
        const d1 = (Math.log(s / k) + 0.5 * iv * iv * t) / (iv * Math.sqrt(t));
        const gamma = Math.exp(-0.5 * d1 * d1) / (Math.sqrt(2 * Math.PI) * s * iv * Math.sqrt(t));
        sum += sign * gamma * oi * 100 * s * s * 0.01;
      }
    }
    return sum;
  });
  return { spots, total };
}

function assertProfileClose(actual: Float64Array, expected: readonly number[]): void {
  assertEquals(actual.length, expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  for (let j = 0; j < expected.length; j++) {
    const error = Math.abs(actual[j]! - expected[j]!) / scale;
    assert(error < 1e-12, `profile point ${j}: ${actual[j]} against ${expected[j]}`);
  }
}

/** A deterministic synthetic chain: several expiries (one before the header date), zero rows. */
function syntheticChain(): Chain {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const expiries = [
    "Tue Jan 03 2023", // the header date: 0 business days, floored to 1
    "Mon Jan 02 2023", // before the header date: negative, floored to 1
    "Fri Jan 06 2023",
    "Fri Jan 20 2023",
    "Fri Mar 17 2023",
    "Fri Dec 15 2023",
  ];
  const rows: string[] = [];
  for (const expiry of expiries) {
    for (let k = 3000; k <= 5000; k += 50) {
      const iv = () => (random() < 0.1 ? 0 : 0.1 + 0.4 * random()).toFixed(4);
      const oi = () => (random() < 0.2 ? 0 : Math.floor(5000 * random()));
      const gamma = () => (0.01 * random()).toFixed(5);
      rows.push(
        `${expiry},C,0,0,0,0,0,${iv()},0.5,${gamma()},${oi()},${k}.00,` +
          `P,0,0,0,0,0,${iv()},-0.5,${gamma()},${oi()}`,
      );
    }
  }
  return parseChain(
    ["", "SPX,Last: 4000", "Date: January 3, 2023", CBOE_CHAIN_HEADER, ...rows].join("\n"),
    "synthetic.csv",
  );
}

/** A small chain from `expiry,strike,callIv,callGamma,callOi,putIv,putGamma,putOi` rows. */
function smallChain(rows: readonly string[], spot = 100): Chain {
  const lines = rows.map((row) => {
    const [e, k, ci, cg, co, pi, pg, po] = row.split(",");
    return `${e},C,0,0,0,0,0,${ci},0,${cg},${co},${k},P,0,0,0,0,0,${pi},0,${pg},${po}`;
  });
  return parseChain(
    ["", `X,Last: ${spot}`, "Date: 2024-01-02", CBOE_CHAIN_HEADER, ...lines].join("\n"),
    "small.csv",
  );
}

/** Puts heavy below 100, calls heavy above: the profile crosses zero near 100. */
const SMALL = smallChain([
  "2024-01-19,95,0.3,0.01,10,0.3,0.05,500",
  "2024-01-19,100,0.3,0.02,50,0.3,0.02,40",
  "2024-01-19,105,0.3,0.05,500,0.3,0.01,10",
  "2024-02-16,90,0.3,0.001,0,0.3,0.03,300",
  "2024-02-16,110,0.3,0.03,300,0.3,0.001,0",
]);

// ----------------------------------------------------------------------------------------

Deno.test("businessDays() counts weekdays like numpy's busday_count", () => {
  assertEquals(businessDays("2022-12-12", "2022-12-16"), 4);
  assertEquals(businessDays("2022-12-16", "2022-12-19"), 1);
  assertEquals(businessDays("2022-12-17", "2022-12-19"), 0);
  assertEquals(businessDays("2022-12-19", "2022-12-12"), -5);
  const start = Date.parse("2022-12-01T00:00:00Z");
  for (let i = 0; i < 40; i++) {
    for (let j = 0; j < 40; j++) {
      const a = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
      const b = new Date(start + j * 86_400_000 * 3).toISOString().slice(0, 10);
      assertEquals(businessDays(a, b), referenceBusinessDays(a, b), `${a} to ${b}`);
    }
  }
});

Deno.test("gexProfile() matches a plain Black-Scholes reference on every expiry filter", () => {
  const chain = syntheticChain();
  const filters: [ExpiryFilter, (e: number) => boolean][] = [
    ["all", () => true],
    ["exclude-nearest", (e) => e > 0],
    [{ next: 3 }, (e) => e < 3],
  ];
  for (const [expiries, keep] of filters) {
    const profile = gexProfile(chain, { expiries });
    const reference = referenceProfile(chain, keep);
    assertProfileClose(profile.spots, reference.spots);
    assertProfileClose(profile.totalGex, reference.total);
  }
});

Deno.test("gexProfile() floors T at one business day, also for a past expiry", () => {
  const chain = syntheticChain();
  const profile = gexProfile(chain);
  assertEquals(profile.expiries.slice(0, 3), ["2023-01-03", "2023-01-02", "2023-01-06"]);
  assertEquals(profile.years.slice(0, 3), [1 / 262, 1 / 262, 3 / 262]);
});

Deno.test("gexProfile() leaves out zero-OI and zero-IV options and counts them", () => {
  const chain = smallChain([
    "2024-01-19,95,0.3,0.01,0,0,0.05,500", // call: OI 0; put: IV 0
    "2024-01-19,105,0.3,0.05,500,0.3,0.01,10",
    "2024-02-16,110,0.3,0.03,300,0.3,0.001,7",
  ]);
  const all = gexProfile(chain);
  assertEquals(all.used, 4);
  assertEquals(all.excluded, { expiryFilter: 0, zeroOpenInterest: 1, zeroIv: 1 });
  const nearest = gexProfile(chain, { expiries: "exclude-nearest" });
  assertEquals(nearest.excluded, { expiryFilter: 4, zeroOpenInterest: 0, zeroIv: 0 });
  assertEquals(nearest.used, 2);
  assertEquals(nearest.expiries, ["2024-02-16"]);
});

Deno.test("computeLevels() still counts zero-IV rows for the walls", () => {
  // The put at 95 has IV 0 (no profile gamma) but the largest Cboe gamma * OI: the put wall.
  const chain = smallChain([
    "2024-01-19,95,0.3,0.01,10,0,0.09,900",
    "2024-01-19,97,0.3,0.01,10,0.3,0.05,500",
    "2024-01-19,105,0.3,0.05,500,0.3,0.01,10",
  ]);
  const levels = computeLevels(chain);
  assertEquals(levels.putWall, 95);
  assertEquals(levels.profile.excluded.zeroIv, 1);
  assert(levels.notes.some((n) => n.includes("1 with IV 0")));
});

Deno.test("computeLevels() restricts the walls to the flip, to spot, or not at all", () => {
  const none = computeLevels(SMALL, { restriction: "none" });
  const flip = computeLevels(SMALL);
  const spot = computeLevels(SMALL, { restriction: "spot" });
  assert(flip.flip !== null);
  assertEquals([none.putWall, none.callWall], [95, 105]);
  assertEquals([flip.putWall, flip.callWall], [95, 105]);
  assertEquals([spot.putWall, spot.callWall], [95, 105]);
  assertEquals(flip.unrestricted, { callWall: 105, putWall: 95 });
  assertLess(flip.putWall!, flip.flip);
  assertLess(flip.flip, flip.callWall!);
  assertEquals(flip.largestOpenInterest, { callStrike: 105, putStrike: 95 });
});

Deno.test("computeLevels() takes a wall beyond the flip when the largest is on the wrong side", () => {
  // The biggest call GEX sits at 98, below spot (and below the flip).
  const chain = smallChain([
    "2024-01-19,95,0.3,0.01,10,0.3,0.05,500",
    "2024-01-19,98,0.3,0.09,800,0.3,0.01,10",
    "2024-01-19,105,0.3,0.05,500,0.3,0.01,10",
  ]);
  const levels = computeLevels(chain, { restriction: "flip" });
  assertEquals(levels.unrestricted.callWall, 98);
  assert(levels.flip === null || levels.callWall === null || levels.callWall > levels.flip);
  assertEquals(computeLevels(chain, { restriction: "spot" }).callWall, 105);
  assert(levels.notes.some((n) => n.includes("call wall 98 is below spot 100")));
});

Deno.test("computeLevels() takes the lower strike on a tie", () => {
  const chain = smallChain([
    "2024-01-19,95,0.3,0.01,10,0.3,0.05,500",
    "2024-01-19,96,0.3,0.01,10,0.3,0.05,500",
    "2024-01-19,105,0.3,0.05,500,0.3,0.01,10",
    "2024-01-19,106,0.3,0.05,500,0.3,0.01,10",
  ]);
  const levels = computeLevels(chain, { restriction: "none" });
  assertEquals([levels.putWall, levels.callWall], [95, 105]);
});

Deno.test("computeLevels() with the inverse dealer sign negates GEX, not the levels", () => {
  const long = computeLevels(SMALL);
  const short = computeLevels(SMALL, { dealer: "short-calls-long-puts" });
  assertEquals(short.netGexAtSpot, -long.netGexAtSpot);
  assertEquals(short.flip, long.flip);
  assertEquals([short.putWall, short.callWall], [long.putWall, long.callWall]);
  assertEquals([...short.strikes.callGex], [...long.strikes.callGex].map((v) => -v));
  assertEquals([...short.profile.totalGex], [...long.profile.totalGex].map((v) => -v));
  assert(long.strikes.callGex.every((v) => v >= 0));
  assert(long.strikes.putGex.every((v) => v <= 0));
});

Deno.test("computeLevels() gives net GEX as gamma * OI * 100 * S^2 * 0.01 summed", () => {
  const levels = computeLevels(SMALL);
  let expected = 0;
  for (let r = 0; r < SMALL.strike.length; r++) {
    expected += (SMALL.call.gamma[r]! * SMALL.call.openInterest[r]! -
      SMALL.put.gamma[r]! * SMALL.put.openInterest[r]!) * 100 * 100 * 100 * 0.01;
  }
  assertAlmostEquals(levels.netGexAtSpot, expected, 1e-9 * Math.abs(expected));
});

Deno.test("computeLevels() without a zero crossing has no flip and no flip-restricted walls", () => {
  const calls = smallChain([
    "2024-01-19,95,0.3,0.01,10,0.3,0.05,0",
    "2024-01-19,105,0.3,0.05,500,0.3,0.01,0",
  ]);
  const levels = computeLevels(calls);
  assertEquals([levels.flip, levels.callWall, levels.putWall], [null, null, null]);
  assertEquals(levels.unrestricted, { callWall: 105, putWall: null });
  assertEquals(levels.profile.crossings, []);
  assertStringIncludes(levels.notes[0]!, "does not cross zero between 80 and 120: no flip");
});

Deno.test("computeLevels() drops the first expiry listed for exclude-nearest, in file order", () => {
  // Listed out of date order on purpose: "nearest" is the first listed (SPEC §6).
  const chain = smallChain([
    "2024-02-16,95,0.3,0.01,10,0.3,0.05,500",
    "2024-01-19,105,0.3,0.05,500,0.3,0.01,10",
  ]);
  assertEquals(gexProfile(chain, { expiries: "exclude-nearest" }).expiries, ["2024-01-19"]);
  assertEquals(gexProfile(chain, { expiries: { next: 1 } }).expiries, ["2024-02-16"]);
});

Deno.test("computeLevels() uses the grid it is given", () => {
  const coarse = computeLevels(SMALL, { points: 41, range: [0.9, 1.1] });
  assertEquals(coarse.profile.spots.length, 41);
  assertAlmostEquals(coarse.profile.spots[0]!, 90, 1e-12);
  assertAlmostEquals(coarse.profile.spots[40]!, 110, 1e-12);
  assertEquals(computeLevels(SMALL).profile.spots.length, 801);
  assertAlmostEquals(coarse.flip!, computeLevels(SMALL).flip!, 0.05);
});

Deno.test("computeLevels() refuses impossible options, naming each", () => {
  const error = assertThrows(
    () =>
      computeLevels(SMALL, {
        restriction: "above" as never,
        points: 1,
        range: [1.2, 0.8],
        dealer: "long" as never,
        businessDaysPerYear: 0,
      }),
    ScenarioError,
  );
  assertEquals(error.problems, [
    'Cannot read levels option "restriction": expected one of "none", "flip", "spot", got "above"',
    'Cannot read levels option "dealer": expected one of "long-calls-short-puts", ' +
    '"short-calls-long-puts", got "long"',
    'Cannot read levels option "range": expected [low, high], multiples of spot with ' +
    "0 < low < high, got [1.2,0.8]",
    'Cannot read levels option "points": expected an integer from 2 to 1000000, got 1',
    'Cannot read levels option "businessDaysPerYear": expected a number > 0, got 0',
  ]);
  assertThrows(
    () => computeLevels(SMALL, { expiries: { next: 3 } }),
    ScenarioError,
    'Cannot read levels option "expiries.next": expected an integer from 1 to 2 ' +
      "(the expiries in small.csv), got 3",
  );
  assertThrows(
    () => computeLevels(SMALL, { expiries: { next: 0 } }),
    ScenarioError,
    '"expiries.next": expected an integer >= 1, got 0',
  );
  assertThrows(
    () => computeLevels(SMALL, { expiries: "nearest" as never }),
    ScenarioError,
    '"expiries": expected "all", "exclude-nearest" or { "next": N }, got "nearest"',
  );
  const single = smallChain(["2024-01-19,95,0.3,0.01,10,0.3,0.05,500"]);
  assertThrows(
    () => computeLevels(single, { expiries: "exclude-nearest" }),
    ScenarioError,
    '"exclude-nearest" needs at least 2 expiries, found 1 in small.csv',
  );
});

Deno.test("resolveLevelsOptions() names unknown keys with the closest one, in a file", () => {
  assertEquals(resolveLevelsOptions(undefined), DEFAULT_LEVELS_OPTIONS);
  const error = assertThrows(
    () => resolveLevelsOptions({ point: 5 }, { file: "s.jsonc", path: "envelope.chain" }),
    ScenarioError,
  );
  assertEquals(
    error.message,
    's.jsonc: Cannot read "envelope.chain.point": unknown option (did you mean "points"?); ' +
      'expected one of "restriction", "expiries", "dealer", "range", "points", ' +
      '"businessDaysPerYear"',
  );
  assertThrows(() => resolveLevelsOptions([1]), ScenarioError, "expected an object");
});

Deno.test("levelVariants() combines filters, dealer signs and restrictions", () => {
  const variants = levelVariants(SMALL);
  // Two expiries: "all" and "exclude-nearest" (no "next: 5"), two signs, three restrictions.
  assertEquals(variants.length, 2 * 2 * 3);
  assertEquals(variants.slice(0, 3).map((v) => v.restriction), ["none", "flip", "spot"]);
  const levels = computeLevels(SMALL);
  const same = variants.find((v) =>
    v.expiries === "all" && v.dealer === "long-calls-short-puts" && v.restriction === "flip"
  )!;
  assertEquals([same.flip, same.putWall, same.callWall], [
    levels.flip,
    levels.putWall,
    levels.callWall,
  ]);
  assertEquals(same.netGexAtSpot, levels.netGexAtSpot);
  assert(same.ordered);
  assertThrows(
    () => levelVariants(SMALL, { restrictions: ["none", "wall" as never] }),
    ScenarioError,
    'Cannot read variants option "restrictions[1]": expected one of "none", "flip", "spot", ' +
      'got "wall"',
  );
});

Deno.test("levelsDocument() holds every value, option and definition, as plain JSON", () => {
  const levels = computeLevels(SMALL);
  const variants = levelVariants(SMALL);
  const doc = levelsDocument(levels, { variants });
  const text = JSON.stringify(doc);
  assert(!/NaN|Infinity/.test(text));
  assertEquals(JSON.parse(text), doc);
  assertEquals(doc.format, "option-flight.levels/1");
  assertEquals(doc.source, { file: "small.csv", date: "2024-01-02", spot: 100 });
  assertEquals(doc.levels.flip, levels.flip);
  assertEquals(doc.levels.unrestrictedCallWall, 105);
  assertEquals(doc.levels.largestPutOpenInterestStrike, 95);
  assertEquals(doc.options, DEFAULT_LEVELS_OPTIONS);
  assertEquals(doc.variants.length, variants.length);
  assertEquals(doc.profile.spots!.length, 801);
  assertEquals(doc.strikes!.strike, [90, 95, 100, 105, 110]);
  for (const key of ["units", "gex", "dealerSign", "walls", "restriction", "flip", "time"]) {
    assert(doc.definitions[key], `definition of ${key}`);
  }
  assertStringIncludes(doc.definitions.units!, "US dollars of dealer delta change per 1% move");
  assertStringIncludes(doc.definitions.time!, "T = business days / 262");
  const small = levelsDocument(levels, { arrays: false });
  assertEquals([small.strikes, small.profile.spots], [undefined, undefined]);
});

// ----------------------------------------------------------------------------------------
// SOURCES.md "Derived reference values", SPX 2022-12-12.

realTest("2022-12-12: the flip is 4013.8, with and without the nearest expiry", (chain) => {
  assertAlmostEquals(computeLevels(chain).flip!, 4013.8, 1);
  assertAlmostEquals(computeLevels(chain, { expiries: "exclude-nearest" }).flip!, 4013.8, 1);
});

realTest("2022-12-12: walls 4000 / 4000 unrestricted, 4100 / 4000 beyond the flip", (chain) => {
  const levels = computeLevels(chain);
  assertEquals(levels.unrestricted, { callWall: 4000, putWall: 4000 });
  assertEquals([levels.callWall, levels.putWall], [4100, 4000]);
  assertLess(levels.putWall!, levels.flip!);
  assertLess(levels.flip!, levels.callWall!);
  assert(levels.notes.includes("The unrestricted put wall 4000 is above spot 3990.56"));
});

realTest("2022-12-12: walls 4000 / 3950 restricted to spot", (chain) => {
  const levels = computeLevels(chain, { restriction: "spot" });
  assertEquals([levels.callWall, levels.putWall], [4000, 3950]);
});

realTest("2022-12-12: net GEX at spot is -1.08 bn dollars per 1% move", (chain) => {
  assertAlmostEquals(computeLevels(chain).netGexAtSpot, -1.08e9, 0.02e9);
});

realTest("2022-12-12: the largest call and put open interest are at 4000", (chain) => {
  assertEquals(computeLevels(chain).largestOpenInterest, { callStrike: 4000, putStrike: 4000 });
});

realTest("2022-12-12: the profile matches the plain reference", (chain) => {
  const profile = gexProfile(chain);
  assertProfileClose(profile.totalGex, referenceProfile(chain, () => true).total);
  assertEquals(
    profile.used + profile.excluded.zeroIv + profile.excluded.zeroOpenInterest,
    2 * 9578,
  );
  assertEquals(profile.crossings.length, 1);
});

realTest("2022-12-12: the variants side by side", (chain) => {
  const variants = levelVariants(chain);
  assertEquals(variants.length, 3 * 2 * 3);
  const pick = (expiries: string, restriction: string, dealer = "long-calls-short-puts") =>
    variants.find((v) =>
      JSON.stringify(v.expiries) === JSON.stringify(expiries) &&
      v.restriction === restriction && v.dealer === dealer
    )!;
  assertEquals([pick("all", "flip").callWall, pick("all", "flip").putWall], [4100, 4000]);
  assertEquals([pick("all", "spot").callWall, pick("all", "spot").putWall], [4000, 3950]);
  assert(pick("all", "flip").ordered);
  assert(!pick("all", "none").ordered);
  assertEquals(pick("exclude-nearest", "flip").flip, pick("all", "flip").flip);
  const inverse = pick("all", "flip", "short-calls-long-puts");
  assertEquals(inverse.flip, pick("all", "flip").flip);
  assertAlmostEquals(inverse.netGexAtSpot, 1.08e9, 0.02e9);
});
