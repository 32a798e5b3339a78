/**
 * Dealer-gamma levels of an option chain (SPEC §6): net GEX at spot, the gamma flip, the call
 * and put walls and the largest open-interest strikes, each under explicit, documented
 * conventions.
 *
 * - GEX of one option: `gamma * openInterest * 100 * spot^2 * 0.01`, dollars of dealer delta
 *   per 1% move of the underlying. Dealer sign, by default: long calls (+), short puts (−).
 * - Walls, net GEX at spot and the open-interest strikes use Cboe's own gammas at the chain's
 *   spot, summed per strike over all expirations.
 * - The flip is the zero crossing nearest spot of the total GEX profile: Black-Scholes gamma
 *   re-priced with each option's IV at `points` spots across `range` times spot, r = q = 0,
 *   T = business days / 262 with a floor of one business day.
 *
 * The expiry filter applies to the profile only; walls, net GEX at spot and the open-interest
 * strikes always sum over all expirations. The profile's per-expiry sums are computed once per
 * chain and grid and kept while the chain object lives, so {@linkcode computeLevels},
 * {@linkcode gexProfile} and {@linkcode levelVariants} on one chain share one pass over its
 * options: treat a {@linkcode Chain}'s arrays as read-only.
 *
 * @example The levels of a small chain
 * ```ts
 * import { assert, assertEquals } from "@std/assert";
 * import { CBOE_CHAIN_HEADER, parseChain } from "./chain.ts";
 * import { computeLevels } from "./levels.ts";
 *
 * const chain = parseChain([
 *   "",
 *   "SPX,Last: 4000",
 *   "Date: January 3, 2023",
 *   CBOE_CHAIN_HEADER,
 *   "Fri Jan 20 2023,C,0,0,0,0,0,0.2,0.9,0.0005,10,3900.00,P,0,0,0,0,0,0.2,-0.1,0.0020,900",
 *   "Fri Jan 20 2023,C,0,0,0,0,0,0.2,0.1,0.0020,900,4100.00,P,0,0,0,0,0,0.2,-0.9,0.0005,10",
 * ].join("\n"), "tiny.csv");
 * const levels = computeLevels(chain);
 * assertEquals([levels.putWall, levels.callWall], [3900, 4100]);
 * assert(levels.flip !== null && 3900 < levels.flip && levels.flip < 4100);
 * ```
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import type { Chain, ChainSide } from "./chain.ts";

/**
 * Which strikes a wall may sit on: `flip` takes the call wall strictly above the flip and the
 * put wall strictly below it (so `putWall < flip < callWall`); `spot` takes them at or above /
 * at or below spot; `none` takes the largest GEX anywhere.
 */
export type WallRestriction = "none" | "flip" | "spot";

/**
 * Which expiries enter the flip's profile, in the order the file lists them: `all`,
 * `exclude-nearest` (drops the first expiry listed), or `{ next: N }` (the first N listed).
 */
export type ExpiryFilter = "all" | "exclude-nearest" | { readonly next: number };

/**
 * Who holds what: `long-calls-short-puts` (calls +, puts −, the common naive assumption) or the
 * inverse `short-calls-long-puts` (calls −, puts +). The inverse negates every GEX value: the
 * flip and the walls (taken by size) stay where they are, net GEX changes sign.
 */
export type DealerSign = "long-calls-short-puts" | "short-calls-long-puts";

/** The restrictions, in the order reports list them. */
export const WALL_RESTRICTIONS: readonly WallRestriction[] = Object.freeze([
  "none",
  "flip",
  "spot",
]);

/** The dealer conventions, the default first. */
export const DEALER_SIGNS: readonly DealerSign[] = Object.freeze([
  "long-calls-short-puts",
  "short-calls-long-puts",
]);

/** Options of {@linkcode gexProfile} (the flip's profile). */
export interface ProfileOptions {
  /** Which expiries enter the profile. @default {"all"} */
  expiries?: ExpiryFilter;
  /** Dealer convention, which sets the sign of each side. @default {"long-calls-short-puts"} */
  dealer?: DealerSign;
  /** Lowest and highest hypothetical spot, as multiples of the chain's spot. @default {[0.8, 1.2]} */
  range?: readonly [number, number];
  /** Number of hypothetical spots, evenly spaced across the range, ends included. @default {801} */
  points?: number;
  /** Business days per year for T; the floor of T is one business day. @default {262} */
  businessDaysPerYear?: number;
}

/** Options of {@linkcode computeLevels}. */
export interface LevelsOptions extends ProfileOptions {
  /** Which strikes the walls may sit on. @default {"flip"} */
  restriction?: WallRestriction;
}

/** {@linkcode LevelsOptions} with every default filled in. */
export interface ResolvedLevelsOptions {
  /** Which strikes the walls may sit on. */
  readonly restriction: WallRestriction;
  /** Which expiries enter the profile. */
  readonly expiries: ExpiryFilter;
  /** Dealer convention. */
  readonly dealer: DealerSign;
  /** Lowest and highest hypothetical spot, multiples of spot. */
  readonly range: readonly [number, number];
  /** Number of hypothetical spots. */
  readonly points: number;
  /** Business days per year. */
  readonly businessDaysPerYear: number;
}

/** The defaults of {@linkcode LevelsOptions}. */
export const DEFAULT_LEVELS_OPTIONS: ResolvedLevelsOptions = Object.freeze({
  restriction: "flip",
  expiries: "all",
  dealer: "long-calls-short-puts",
  range: Object.freeze([0.8, 1.2] as const),
  points: 801,
  businessDaysPerYear: 262,
});

/** Options (one per side of a row) left out of the profile, by reason; they still count for walls. */
export interface ProfileExclusions {
  /** Options whose expiry the expiry filter drops. */
  readonly expiryFilter: number;
  /** Options with zero open interest (in kept expiries). */
  readonly zeroOpenInterest: number;
  /** Options with open interest but IV 0, which have zero gamma in the profile. */
  readonly zeroIv: number;
}

/** The total GEX profile over hypothetical spots, and its zero crossings. */
export interface GexProfile {
  /** The hypothetical spots, index points, ascending. */
  readonly spots: Float64Array;
  /** Calls' GEX at each spot, dollars per 1% move (signed by the dealer convention). */
  readonly callGex: Float64Array;
  /** Puts' GEX at each spot, dollars per 1% move (signed by the dealer convention). */
  readonly putGex: Float64Array;
  /** Total GEX at each spot, dollars per 1% move. */
  readonly totalGex: Float64Array;
  /** Every zero crossing of the total, linearly interpolated, ascending. */
  readonly crossings: readonly number[];
  /** The crossing nearest the chain's spot, or null when the total never crosses zero. */
  readonly flip: number | null;
  /** The expiries in the profile, ISO dates in file order. */
  readonly expiries: readonly string[];
  /** T in years of each expiry in {@linkcode GexProfile.expiries}. */
  readonly years: readonly number[];
  /** Options in the profile (one per side of a row). */
  readonly used: number;
  /** Options left out, by reason. */
  readonly excluded: ProfileExclusions;
}

/** Per-strike sums over all expirations, with Cboe's gammas at spot. */
export interface StrikeGex {
  /** The distinct strikes, ascending, index points. */
  readonly strike: Float64Array;
  /** Calls' GEX per strike, dollars per 1% move (signed by the dealer convention). */
  readonly callGex: Float64Array;
  /** Puts' GEX per strike, dollars per 1% move (signed by the dealer convention). */
  readonly putGex: Float64Array;
  /** Calls' open interest per strike, contracts. */
  readonly callOpenInterest: Float64Array;
  /** Puts' open interest per strike, contracts. */
  readonly putOpenInterest: Float64Array;
}

/** A pair of walls, strikes in index points; null where no strike qualifies. */
export interface Walls {
  /** Strike of the largest call GEX (by size). */
  readonly callWall: number | null;
  /** Strike of the largest put GEX (by size). */
  readonly putWall: number | null;
}

/** The levels of a chain and everything they were computed from. */
export interface ChainLevels {
  /** The chain's file, as given. */
  readonly path: string;
  /** The chain's header date, ISO. */
  readonly date: string;
  /** The options used, defaults filled in. */
  readonly options: ResolvedLevelsOptions;
  /** The chain's spot, index points. */
  readonly spot: number;
  /** Net GEX at spot with Cboe's gammas, all expirations, dollars per 1% move. */
  readonly netGexAtSpot: number;
  /** The gamma flip, index points, or null when the profile does not cross zero. */
  readonly flip: number | null;
  /** The call wall under {@linkcode ResolvedLevelsOptions.restriction}, or null. */
  readonly callWall: number | null;
  /** The put wall under {@linkcode ResolvedLevelsOptions.restriction}, or null. */
  readonly putWall: number | null;
  /** The walls with no restriction. */
  readonly unrestricted: Walls;
  /** Strikes of the largest call and put open interest, summed over all expirations. */
  readonly largestOpenInterest: {
    readonly callStrike: number | null;
    readonly putStrike: number | null;
  };
  /** Per-strike GEX and open interest. */
  readonly strikes: StrikeGex;
  /** The flip's profile. */
  readonly profile: GexProfile;
  /** Things a user should know, one sentence each (walls beyond spot, no flip, ...). */
  readonly notes: readonly string[];
}

/** One combination of conventions and the levels it gives, for a side-by-side report. */
export interface LevelVariant {
  /** The wall restriction. */
  readonly restriction: WallRestriction;
  /** The profile's expiry filter. */
  readonly expiries: ExpiryFilter;
  /** The dealer convention. */
  readonly dealer: DealerSign;
  /** The flip, or null. */
  readonly flip: number | null;
  /** The call wall, or null. */
  readonly callWall: number | null;
  /** The put wall, or null. */
  readonly putWall: number | null;
  /** Net GEX at spot, dollars per 1% move. */
  readonly netGexAtSpot: number;
  /** Whether `putWall < flip < callWall` holds, so a scenario could fly these levels. */
  readonly ordered: boolean;
}

/** Options of {@linkcode levelVariants}: the conventions to combine, and the profile grid. */
export interface LevelVariantsOptions {
  /** Restrictions to try. @default {["none", "flip", "spot"]} */
  restrictions?: readonly WallRestriction[];
  /**
   * Expiry filters to try. By default `all`, `exclude-nearest` (with two expiries or more) and
   * `{ next: 5 }` (about a week of SPX dailies; with more than five expiries).
   * @default {["all", "exclude-nearest", { next: 5 }]}
   */
  expiryFilters?: readonly ExpiryFilter[];
  /** Dealer conventions to try. @default {["long-calls-short-puts", "short-calls-long-puts"]} */
  dealers?: readonly DealerSign[];
  /** Profile range, multiples of spot. @default {[0.8, 1.2]} */
  range?: readonly [number, number];
  /** Profile points. @default {801} */
  points?: number;
  /** Business days per year. @default {262} */
  businessDaysPerYear?: number;
}

/** Where {@linkcode resolveLevelsOptions} reports problems. */
export interface OptionsContext {
  /** The file the options came from, such as a scenario; it starts each message. */
  file?: string;
  /** The options' JSON path in that file, such as `envelope.chain`. */
  path?: string;
}

/** GEX multiplier: 100 shares per contract, a 1% move. */
const CONTRACT_PER_PERCENT = 100 * 0.01;

/** `1 / sqrt(2 pi)`, the normal density's constant. */
const INV_SQRT_2PI = 0.3989422804014327;

/** Beyond this many standard deviations `exp(-d^2 / 2)` is exactly 0 in doubles, so skipping is exact. */
const CUTOFF_SD = Math.sqrt(2 * 746);

const OPTION_KEYS = ["restriction", "expiries", "dealer", "range", "points", "businessDaysPerYear"];

/**
 * Checks levels options (from code or from JSON) and fills in the defaults.
 *
 * @param options The options: an object with the keys of {@linkcode LevelsOptions}, or undefined.
 * @param context Where the options came from, for the messages.
 * @returns The options with every default filled in.
 * @throws {ScenarioError} Listing every bad or unknown option, each named by its path.
 *
 * @example A bad option is named
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { resolveLevelsOptions } from "./levels.ts";
 *
 * assertEquals(resolveLevelsOptions({ points: 401 }).points, 401);
 * assertThrows(() => resolveLevelsOptions({ points: 1 }), Error, '"points": expected an integer');
 * ```
 */
export function resolveLevelsOptions(
  options: unknown,
  context: OptionsContext = {},
): ResolvedLevelsOptions {
  const problems: string[] = [];
  const field = (key: string) => (context.path ? `${context.path}.${key}` : key);
  const fail = (key: string, message: string) =>
    problems.push(
      context.file
        ? `${context.file}: Cannot read "${field(key)}": ${message}`
        : `Cannot read levels option "${field(key)}": ${message}`,
    );
  if (options === undefined) return DEFAULT_LEVELS_OPTIONS;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    const where = context.file ? `${context.file}: ` : "";
    const name = context.path ? `"${context.path}"` : "levels options";
    throw new ScenarioError(
      `${where}Cannot read ${name}: expected an object such as { "restriction": "flip" }, ` +
        `got ${show(options)}`,
    );
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_KEYS.includes(key)) {
      const near = closest(key, OPTION_KEYS);
      fail(
        key,
        `unknown option${near ? ` (did you mean "${near}"?)` : ""}; expected one of ` +
          OPTION_KEYS.map((k) => `"${k}"`).join(", "),
      );
    }
  }
  const d = DEFAULT_LEVELS_OPTIONS;
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = given[key];
    if (value === undefined) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
      return value as T;
    }
    fail(key, `expected one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${show(value)}`);
    return fallback;
  };
  const restriction = oneOf("restriction", WALL_RESTRICTIONS, d.restriction);
  const dealer = oneOf("dealer", DEALER_SIGNS, d.dealer);

  let expiries: ExpiryFilter = d.expiries;
  const e = given.expiries;
  if (e === "all" || e === "exclude-nearest") expiries = e;
  else if (typeof e === "object" && e !== null && !Array.isArray(e)) {
    const keys = Object.keys(e);
    const next = (e as Record<string, unknown>).next;
    if (keys.length !== 1 || keys[0] !== "next") {
      fail("expiries", `expected "all", "exclude-nearest" or { "next": N }, got ${show(e)}`);
    } else if (!(Number.isSafeInteger(next) && (next as number) >= 1)) {
      fail("expiries.next", `expected an integer >= 1, got ${show(next)}`);
    } else expiries = { next: next as number };
  } else if (e !== undefined) {
    fail("expiries", `expected "all", "exclude-nearest" or { "next": N }, got ${show(e)}`);
  }

  let range = d.range;
  const r = given.range;
  if (r !== undefined) {
    const [low, high] = Array.isArray(r) && r.length === 2 ? r : [];
    if (
      !(typeof low === "number" && typeof high === "number" && Number.isFinite(high) &&
        0 < low && low < high)
    ) {
      fail("range", `expected [low, high], multiples of spot with 0 < low < high, got ${show(r)}`);
    } else range = [low, high];
  }

  let points = d.points;
  const p = given.points;
  if (p !== undefined) {
    if (!(Number.isSafeInteger(p) && (p as number) >= 2 && (p as number) <= 1_000_000)) {
      fail("points", `expected an integer from 2 to 1000000, got ${show(p)}`);
    } else points = p as number;
  }

  let businessDaysPerYear = d.businessDaysPerYear;
  const b = given.businessDaysPerYear;
  if (b !== undefined) {
    if (!(typeof b === "number" && Number.isFinite(b) && b > 0)) {
      fail("businessDaysPerYear", `expected a number > 0, got ${show(b)}`);
    } else businessDaysPerYear = b;
  }

  if (problems.length > 0) throw new ScenarioError(problems);
  return { restriction, expiries, dealer, range, points, businessDaysPerYear };
}

/**
 * The flip's profile: total GEX over hypothetical spots with Black-Scholes gammas from each
 * option's IV (r = q = 0), and its zero crossings.
 *
 * T of an expiry is the number of weekdays from the chain's header date up to, not including,
 * the expiry (numpy's `busday_count`, no holidays), over `businessDaysPerYear`, and at least one
 * business day. Options with zero open interest or IV 0 add nothing and are counted in
 * {@linkcode GexProfile.excluded}.
 *
 * @param chain The chain.
 * @param options The expiry filter, dealer convention and grid.
 * @returns The profile and its flip.
 * @throws {ScenarioError} On impossible options, named.
 *
 * @example The flip of a chain with puts below and calls above spot
 * ```ts
 * import { assert } from "@std/assert";
 * import { CBOE_CHAIN_HEADER, parseChain } from "./chain.ts";
 * import { gexProfile } from "./levels.ts";
 *
 * const chain = parseChain([
 *   "", "X,Last: 100", "Date: 2024-01-02", CBOE_CHAIN_HEADER,
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0,0,95.00,P,0,0,0,0,0,0.3,0,0,500",
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0,500,105.00,P,0,0,0,0,0,0.3,0,0,0",
 * ].join("\n"), "x.csv");
 * const profile = gexProfile(chain, { points: 401 });
 * assert(profile.flip !== null && 95 < profile.flip && profile.flip < 105);
 * ```
 */
export function gexProfile(chain: Chain, options: ProfileOptions = {}): GexProfile {
  const resolved = resolveForChain(chain, options);
  return buildProfile(chain, resolved, signOf(resolved.dealer));
}

/**
 * The levels of a chain under one set of conventions (module doc), with the unrestricted walls,
 * per-strike GEX, the profile and notes.
 *
 * The expiry filter applies to the flip's profile only: walls, net GEX at spot and the largest
 * open-interest strikes always sum over all expirations (SPEC §6). Walls are taken by size
 * (`|GEX|`), the lower strike on a tie, so the dealer convention does not move them.
 *
 * @param chain The chain.
 * @param options The conventions; defaults in {@linkcode DEFAULT_LEVELS_OPTIONS}.
 * @returns The levels.
 * @throws {ScenarioError} On impossible options, named.
 *
 * @example Restricting the walls to the flip
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { CBOE_CHAIN_HEADER, parseChain } from "./chain.ts";
 * import { computeLevels } from "./levels.ts";
 *
 * const chain = parseChain([
 *   "", "X,Last: 100", "Date: 2024-01-02", CBOE_CHAIN_HEADER,
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0.01,10,95.00,P,0,0,0,0,0,0.3,0,0.05,500",
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0.05,500,105.00,P,0,0,0,0,0,0.3,0,0.01,10",
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0.06,900,99.00,P,0,0,0,0,0,0.3,0,0.01,0",
 * ].join("\n"), "x.csv");
 * assertEquals(computeLevels(chain, { restriction: "none" }).callWall, 99);
 * assertEquals(computeLevels(chain, { restriction: "spot" }).callWall, 105);
 * ```
 */
export function computeLevels(chain: Chain, options: LevelsOptions = {}): ChainLevels {
  const resolved = resolveForChain(chain, options);
  const sign = signOf(resolved.dealer);
  const sums = strikeSums(chain);
  const strikes = signedStrikes(sums, sign);
  const profile = buildProfile(chain, resolved, sign);
  const flip = profile.flip;
  const walls = wallsOf(sums, resolved.restriction, flip, chain.spot);
  const unrestricted = wallsOf(sums, "none", flip, chain.spot);
  const netGexAtSpot = sumOf(strikes.callGex) + sumOf(strikes.putGex);
  const levels: Omit<ChainLevels, "notes"> = {
    path: chain.path,
    date: chain.date,
    options: resolved,
    spot: chain.spot,
    netGexAtSpot,
    flip,
    callWall: walls.callWall,
    putWall: walls.putWall,
    unrestricted,
    largestOpenInterest: {
      callStrike: argmax(sums.strike, sums.callOpenInterest, () => true),
      putStrike: argmax(sums.strike, sums.putOpenInterest, () => true),
    },
    strikes,
    profile,
  };
  return { ...levels, notes: notesOf(levels) };
}

/**
 * The flip and walls under every combination of restriction, expiry filter and dealer
 * convention, for a report that shows how much the conventions matter. Each profile is
 * computed once per expiry filter.
 *
 * @param chain The chain.
 * @param options The conventions to combine and the profile grid.
 * @returns One entry per combination: for each expiry filter, for each dealer convention, for
 *   each restriction.
 * @throws {ScenarioError} On impossible options, named.
 *
 * @example Three restrictions of one filter and convention
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { CBOE_CHAIN_HEADER, parseChain } from "./chain.ts";
 * import { levelVariants } from "./levels.ts";
 *
 * const chain = parseChain([
 *   "", "X,Last: 100", "Date: 2024-01-02", CBOE_CHAIN_HEADER,
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0.01,10,95.00,P,0,0,0,0,0,0.3,0,0.05,500",
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0.05,500,105.00,P,0,0,0,0,0,0.3,0,0.01,10",
 * ].join("\n"), "x.csv");
 * const variants = levelVariants(chain, { expiryFilters: ["all"], dealers: ["long-calls-short-puts"] });
 * assertEquals(variants.map((v) => v.restriction), ["none", "flip", "spot"]);
 * assertEquals(variants.map((v) => v.callWall), [105, 105, 105]);
 * ```
 */
export function levelVariants(
  chain: Chain,
  options: LevelVariantsOptions = {},
): LevelVariant[] {
  const restrictions = options.restrictions ?? WALL_RESTRICTIONS;
  const dealers = options.dealers ?? DEALER_SIGNS;
  const count = chain.expiries.length;
  const filters = options.expiryFilters ?? [
    "all",
    ...(count >= 2 ? ["exclude-nearest" as const] : []),
    ...(count > 5 ? [{ next: 5 }] : []),
  ];
  const problems: string[] = [];
  const check = (key: string, list: readonly unknown[], allowed: readonly string[]) =>
    list.forEach((value, i) => {
      if (typeof value !== "string" || !allowed.includes(value)) {
        problems.push(
          `Cannot read variants option "${key}[${i}]": expected one of ` +
            `${allowed.map((a) => `"${a}"`).join(", ")}, got ${show(value)}`,
        );
      }
    });
  check("restrictions", restrictions, WALL_RESTRICTIONS);
  check("dealers", dealers, DEALER_SIGNS);
  if (problems.length > 0) throw new ScenarioError(problems);
  const grid = {
    range: options.range,
    points: options.points,
    businessDaysPerYear: options.businessDaysPerYear,
  };
  const sums = strikeSums(chain);
  const positive = signedStrikes(sums, 1);
  const netPositive = sumOf(positive.callGex) + sumOf(positive.putGex);
  const variants: LevelVariant[] = [];
  for (const expiries of filters) {
    const resolved = resolveForChain(chain, { ...grid, expiries });
    // The inverse convention negates the profile, so its crossings (and the flip) are the same.
    const flip = buildProfile(chain, resolved, 1).flip;
    for (const dealer of dealers) {
      for (const restriction of restrictions) {
        const walls = wallsOf(sums, restriction, flip, chain.spot);
        variants.push({
          restriction,
          expiries,
          dealer,
          flip,
          callWall: walls.callWall,
          putWall: walls.putWall,
          netGexAtSpot: signOf(dealer) * netPositive,
          ordered: isOrdered(walls, flip),
        });
      }
    }
  }
  return variants;
}

/** Options of {@linkcode levelsDocument}. */
export interface LevelsDocumentOptions {
  /** Variants to list beside the levels, from {@linkcode levelVariants}. @default {[]} */
  variants?: readonly LevelVariant[];
  /** Whether to include the per-strike and profile arrays. @default {true} */
  arrays?: boolean;
}

/** The JSON object of `<name>.levels.json`: values, options and the definitions behind them. */
export interface LevelsDocument {
  /** Format name and version. */
  readonly format: "option-flight.levels/1";
  /** The chain the levels come from. */
  readonly source: {
    readonly file: string;
    readonly date: string;
    readonly spot: number;
  };
  /** The levels, strikes and spot in index points, GEX in dollars per 1% move. */
  readonly levels: {
    readonly spot: number;
    readonly netGexAtSpot: number;
    readonly flip: number | null;
    readonly callWall: number | null;
    readonly putWall: number | null;
    readonly unrestrictedCallWall: number | null;
    readonly unrestrictedPutWall: number | null;
    readonly largestCallOpenInterestStrike: number | null;
    readonly largestPutOpenInterestStrike: number | null;
    readonly ordered: boolean;
  };
  /** The options used. */
  readonly options: ResolvedLevelsOptions;
  /** Every unit and definition, in words. */
  readonly definitions: Readonly<Record<string, string>>;
  /** About the flip's profile. */
  readonly profile: {
    readonly crossings: readonly number[];
    readonly expiries: readonly string[];
    readonly years: readonly number[];
    readonly used: number;
    readonly excluded: ProfileExclusions;
    readonly spots?: readonly number[];
    readonly callGex?: readonly number[];
    readonly putGex?: readonly number[];
    readonly totalGex?: readonly number[];
  };
  /** Per-strike sums, when arrays are included. */
  readonly strikes?: {
    readonly strike: readonly number[];
    readonly callGex: readonly number[];
    readonly putGex: readonly number[];
    readonly callOpenInterest: readonly number[];
    readonly putOpenInterest: readonly number[];
  };
  /** The flip and walls under other conventions. */
  readonly variants: readonly LevelVariant[];
  /** Things a user should know. */
  readonly notes: readonly string[];
}

/**
 * The JSON object for `<name>.levels.json`: every value, the options, and every definition and
 * unit in words, so the file stands on its own. Holds no NaN or Infinity (missing levels are
 * null).
 *
 * @param levels The levels from {@linkcode computeLevels}.
 * @param options Variants to list, and whether to include the arrays.
 * @returns A plain object for `JSON.stringify`.
 *
 * @example The document names its units
 * ```ts
 * import { assertEquals, assertStringIncludes } from "@std/assert";
 * import { CBOE_CHAIN_HEADER, parseChain } from "./chain.ts";
 * import { computeLevels, levelsDocument } from "./levels.ts";
 *
 * const chain = parseChain([
 *   "", "X,Last: 100", "Date: 2024-01-02", CBOE_CHAIN_HEADER,
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0.01,10,95.00,P,0,0,0,0,0,0.3,0,0.05,500",
 *   "2024-01-19,C,0,0,0,0,0,0.3,0,0.05,500,105.00,P,0,0,0,0,0,0.3,0,0.01,10",
 * ].join("\n"), "x.csv");
 * const doc = levelsDocument(computeLevels(chain), { arrays: false });
 * assertEquals(doc.levels.callWall, 105);
 * assertStringIncludes(doc.definitions.gex!, "dollars");
 * ```
 */
export function levelsDocument(
  levels: ChainLevels,
  options: LevelsDocumentOptions = {},
): LevelsDocument {
  const o = levels.options;
  const arrays = options.arrays ?? true;
  const p = levels.profile;
  const filter = o.expiries === "all"
    ? "all expirations"
    : o.expiries === "exclude-nearest"
    ? "all expirations but the first listed in the file"
    : `the first ${o.expiries.next} expirations listed in the file`;
  return {
    format: "option-flight.levels/1",
    source: { file: levels.path, date: levels.date, spot: levels.spot },
    levels: {
      spot: levels.spot,
      netGexAtSpot: levels.netGexAtSpot,
      flip: levels.flip,
      callWall: levels.callWall,
      putWall: levels.putWall,
      unrestrictedCallWall: levels.unrestricted.callWall,
      unrestrictedPutWall: levels.unrestricted.putWall,
      largestCallOpenInterestStrike: levels.largestOpenInterest.callStrike,
      largestPutOpenInterestStrike: levels.largestOpenInterest.putStrike,
      ordered: isOrdered(levels, levels.flip),
    },
    options: o,
    definitions: {
      units: "Spot, strikes, flip and walls in index points; GEX in US dollars of dealer " +
        "delta change per 1% move of the underlying; open interest in contracts; IV as a " +
        "fraction per year; T in years",
      gex: "GEX of one option = gamma * openInterest * 100 * spot^2 * 0.01 (dollars per 1% move)",
      dealerSign: o.dealer === "long-calls-short-puts"
        ? "Dealers long calls (call GEX +) and short puts (put GEX -)"
        : "Dealers short calls (call GEX -) and long puts (put GEX +), the inverse convention",
      netGexAtSpot: "Sum of call and put GEX over all rows of all expirations, with the " +
        "chain's own (Cboe) gammas at the chain's spot",
      walls: "Per-strike sums of GEX over all expirations with Cboe's gammas at spot; call " +
        "wall = strike of the largest call GEX, put wall = strike of the largest |put GEX| " +
        "(by size, the lower strike on a tie)",
      restriction: {
        none: "Walls taken over all strikes",
        flip: "Call wall among strikes strictly above the flip, put wall among strikes " +
          "strictly below it, so putWall < flip < callWall",
        spot: "Call wall among strikes at or above spot, put wall among strikes at or below spot",
      }[o.restriction],
      flip: `Zero crossing nearest spot, by linear interpolation, of the total GEX profile: ` +
        `Black-Scholes gamma re-priced with each option's IV at ${o.points} spots evenly ` +
        `spaced from ${o.range[0]} to ${o.range[1]} times spot, r = q = 0, GEX with the ` +
        `hypothetical spot's square, over ${filter}`,
      time: `T = business days / ${o.businessDaysPerYear}, at least 1 / ` +
        `${o.businessDaysPerYear} (0DTE); business days are weekdays (no holiday calendar) ` +
        `from the chain's header date up to, not including, the expiry (numpy busday_count)`,
      profileExclusions: "Options with zero open interest or IV 0 count for walls but add " +
        "nothing to the profile; profile.excluded counts them (one option per side of a row)",
      largestOpenInterest: "Strike with the largest open interest summed over all " +
        "expirations, calls and puts apart",
    },
    profile: {
      crossings: p.crossings,
      expiries: p.expiries,
      years: p.years,
      used: p.used,
      excluded: p.excluded,
      ...(arrays
        ? {
          spots: Array.from(p.spots),
          callGex: Array.from(p.callGex),
          putGex: Array.from(p.putGex),
          totalGex: Array.from(p.totalGex),
        }
        : {}),
    },
    ...(arrays
      ? {
        strikes: {
          strike: Array.from(levels.strikes.strike),
          callGex: Array.from(levels.strikes.callGex),
          putGex: Array.from(levels.strikes.putGex),
          callOpenInterest: Array.from(levels.strikes.callOpenInterest),
          putOpenInterest: Array.from(levels.strikes.putOpenInterest),
        },
      }
      : {}),
    variants: options.variants ?? [],
    notes: levels.notes,
  };
}

// ---------------------------------------------------------------------------------------------

function signOf(dealer: DealerSign): 1 | -1 {
  return dealer === "long-calls-short-puts" ? 1 : -1;
}

/** Resolves the options and checks the expiry filter against the chain. */
function resolveForChain(chain: Chain, options: LevelsOptions): ResolvedLevelsOptions {
  const resolved = resolveLevelsOptions(options);
  const count = chain.expiries.length;
  const e = resolved.expiries;
  if (e === "exclude-nearest" && count < 2) {
    throw new ScenarioError(
      `Cannot read levels option "expiries": "exclude-nearest" needs at least 2 expiries, ` +
        `found ${count} in ${chain.path}`,
    );
  }
  if (typeof e === "object" && e.next > count) {
    throw new ScenarioError(
      `Cannot read levels option "expiries.next": expected an integer from 1 to ${count} ` +
        `(the expiries in ${chain.path}), got ${e.next}`,
    );
  }
  return resolved;
}

/** Per-strike unsigned sums: `gamma * OI` (Cboe's gamma) and OI, per side. */
interface StrikeSums {
  strike: Float64Array;
  /** Per row, its strike's index. */
  rowStrike: Int32Array;
  callGammaOi: Float64Array;
  putGammaOi: Float64Array;
  callOpenInterest: Float64Array;
  putOpenInterest: Float64Array;
  /** `100 * spot^2 * 0.01`: per-strike GEX = this * gammaOi. */
  scale: number;
}

function strikeSums(chain: Chain): StrikeSums {
  const rows = chain.strike.length;
  const strike = Float64Array.from(new Set(chain.strike)).sort();
  const index = new Map<number, number>();
  for (let i = 0; i < strike.length; i++) index.set(strike[i]!, i);
  const m = strike.length;
  const rowStrike = new Int32Array(rows);
  const callGammaOi = new Float64Array(m);
  const putGammaOi = new Float64Array(m);
  const callOpenInterest = new Float64Array(m);
  const putOpenInterest = new Float64Array(m);
  const { call, put } = chain;
  for (let r = 0; r < rows; r++) {
    const k = index.get(chain.strike[r]!)!;
    rowStrike[r] = k;
    callGammaOi[k]! += call.gamma[r]! * call.openInterest[r]!;
    putGammaOi[k]! += put.gamma[r]! * put.openInterest[r]!;
    callOpenInterest[k]! += call.openInterest[r]!;
    putOpenInterest[k]! += put.openInterest[r]!;
  }
  const scale = CONTRACT_PER_PERCENT * chain.spot * chain.spot;
  return {
    strike,
    rowStrike,
    callGammaOi,
    putGammaOi,
    callOpenInterest,
    putOpenInterest,
    scale,
  };
}

function signedStrikes(sums: StrikeSums, sign: 1 | -1): StrikeGex {
  const callGex = sums.callGammaOi.map((v) => sign * sums.scale * v);
  const putGex = sums.putGammaOi.map((v) => -sign * sums.scale * v);
  return {
    strike: sums.strike,
    callGex,
    putGex,
    callOpenInterest: sums.callOpenInterest,
    putOpenInterest: sums.putOpenInterest,
  };
}

function wallsOf(
  sums: StrikeSums,
  restriction: WallRestriction,
  flip: number | null,
  spot: number,
): Walls {
  if (restriction === "none") {
    return {
      callWall: argmax(sums.strike, sums.callGammaOi, () => true),
      putWall: argmax(sums.strike, sums.putGammaOi, () => true),
    };
  }
  if (restriction === "spot") {
    return {
      callWall: argmax(sums.strike, sums.callGammaOi, (k) => k >= spot),
      putWall: argmax(sums.strike, sums.putGammaOi, (k) => k <= spot),
    };
  }
  if (flip === null) return { callWall: null, putWall: null };
  return {
    callWall: argmax(sums.strike, sums.callGammaOi, (k) => k > flip),
    putWall: argmax(sums.strike, sums.putGammaOi, (k) => k < flip),
  };
}

/** The strike of the largest positive value among allowed strikes, the lower on a tie. */
function argmax(
  strike: Float64Array,
  values: Float64Array,
  allowed: (strike: number) => boolean,
): number | null {
  let best: number | null = null;
  let bestValue = 0;
  for (let i = 0; i < strike.length; i++) {
    const v = values[i]!;
    if (v > bestValue && allowed(strike[i]!)) {
      bestValue = v;
      best = strike[i]!;
    }
  }
  return best;
}

function isOrdered(walls: Walls, flip: number | null): boolean {
  return walls.putWall !== null && walls.callWall !== null && flip !== null &&
    walls.putWall < flip && flip < walls.callWall;
}

function sumOf(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum;
}

/** Days since 1970-01-01 of an ISO date. */
function epochDay(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
}

/**
 * Weekdays (no holiday calendar) from one ISO date up to, not including, another, as numpy's
 * `busday_count`: negative when `to` is before `from`.
 *
 * @param from The first day counted, ISO `YYYY-MM-DD`.
 * @param to The day after the last one counted, ISO.
 * @returns The number of weekdays.
 *
 * @example From a Monday to the Friday of the same week
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { businessDays } from "./levels.ts";
 *
 * assertEquals(businessDays("2022-12-12", "2022-12-16"), 4);
 * assertEquals(businessDays("2022-12-12", "2022-12-12"), 0);
 * ```
 */
export function businessDays(from: string, to: string): number {
  const a = epochDay(from);
  const b = epochDay(to);
  if (b < a) return -businessDays(to, from);
  const days = b - a;
  let count = Math.floor(days / 7) * 5;
  // 1970-01-01 was a Thursday: (day + 4) % 7 is 0 on Sundays.
  for (let d = a + Math.floor(days / 7) * 7; d < b; d++) {
    const weekday = (d + 4) % 7;
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return count;
}

/**
 * The profile's sums per expiry, before the expiry filter and the dealer sign: any filter's
 * profile is a sum of these, so the variants of a report cost one pass over the options.
 */
interface ProfileBasis {
  spots: Float64Array;
  /** T in years per expiry. */
  years: Float64Array;
  /** Per expiry `e`, at `e * points + j`: calls' `sum coef * exp(-d1^2 / 2)` at spot `j`. */
  call: Float64Array;
  /** The same for the puts. */
  put: Float64Array;
  /** Per expiry: options used, with zero open interest, with open interest but IV 0. */
  used: Int32Array;
  zeroOpenInterest: Int32Array;
  zeroIv: Int32Array;
  /** Per expiry: options (two per row). */
  options: Int32Array;
}

/** Bases already computed, per chain and grid; a chain's arrays are not expected to change. */
const bases = new WeakMap<Chain, Map<string, ProfileBasis>>();

function basisOf(chain: Chain, o: ResolvedLevelsOptions): ProfileBasis {
  const key = `${o.range[0]} ${o.range[1]} ${o.points} ${o.businessDaysPerYear}`;
  let perGrid = bases.get(chain);
  if (!perGrid) bases.set(chain, perGrid = new Map());
  let basis = perGrid.get(key);
  if (!basis) perGrid.set(key, basis = computeBasis(chain, o));
  return basis;
}

// exp(-x) for 0 <= x < 745 as 2^(-k/256) * exp(f), |f| <= ln2 / 512, exp(f) by a degree-4
// Taylor polynomial: relative error about 3e-15, twice as fast as Math.exp in the profile. The
// loop works with y = x * 256 / ln2 = (d1 * EXP_FOLD)^2, so that k = round(y) needs no product.
const EXP_SCALE = 256 / Math.LN2;
const EXP_FOLD = Math.sqrt(0.5 * EXP_SCALE);
const EXP_STEP = Math.LN2 / 256;
const EXP_FRACTION = Float64Array.from({ length: 256 }, (_, i) => Math.pow(2, -i / 256));
const EXP_WHOLE = Float64Array.from({ length: 1100 }, (_, i) => Math.pow(2, -i));
/** Beyond `d1^2 / 2 = 745` (this, in units of y) the term is below the smallest double: 0. */
const EXP_LIMIT = 745 * EXP_SCALE;

function computeBasis(chain: Chain, o: ResolvedLevelsOptions): ProfileBasis {
  const n = o.points;
  const lo = o.range[0] * chain.spot;
  const hi = o.range[1] * chain.spot;
  const step = (hi - lo) / (n - 1);
  const spots = new Float64Array(n);
  const lnSpot = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    spots[j] = j === n - 1 ? hi : lo + j * step;
    lnSpot[j] = Math.log(spots[j]!);
  }
  const count = chain.expiries.length;
  const years = new Float64Array(count);
  const sqrtT = new Float64Array(count);
  for (let e = 0; e < count; e++) {
    const days = Math.max(businessDays(chain.date, chain.expiries[e]!), 1);
    years[e] = days / o.businessDaysPerYear;
    sqrtT[e] = Math.sqrt(years[e]!);
  }
  const basis: ProfileBasis = {
    spots,
    years,
    call: new Float64Array(count * n),
    put: new Float64Array(count * n),
    used: new Int32Array(count),
    zeroOpenInterest: new Int32Array(count),
    zeroIv: new Int32Array(count),
    options: new Int32Array(count),
  };
  const rows = chain.strike.length;
  const sides: [ChainSide, Float64Array][] = [[chain.call, basis.call], [chain.put, basis.put]];
  for (const [side, acc] of sides) {
    const { iv, openInterest } = side;
    for (let r = 0; r < rows; r++) {
      const ex = chain.expiry[r]!;
      basis.options[ex]!++;
      const oi = openInterest[r]!;
      if (oi === 0) {
        basis.zeroOpenInterest[ex]!++;
        continue;
      }
      const sigma = iv[r]!;
      if (sigma === 0) {
        basis.zeroIv[ex]!++;
        continue;
      }
      basis.used[ex]!++;
      // Per option, what does not depend on the spot: d1 = (ln s - shift) * inv, and
      // GEX(s) = s * coef * exp(-d1^2 / 2), which is gamma * OI * 100 * s^2 * 0.01.
      const sd = sigma * sqrtT[ex]!;
      const inv = 1 / sd;
      const shift = Math.log(chain.strike[r]!) - 0.5 * sd * sd;
      const coef = oi * CONTRACT_PER_PERCENT * inv * INV_SQRT_2PI;
      // Only spots within CUTOFF_SD standard deviations have a nonzero term.
      const first = Math.max(0, Math.floor((Math.exp(shift - CUTOFF_SD * sd) - lo) / step) - 1);
      const last = Math.min(n - 1, Math.ceil((Math.exp(shift + CUTOFF_SD * sd) - lo) / step) + 1);
      accumulate(acc, ex * n, first, last, lnSpot, shift, inv * EXP_FOLD, coef);
    }
  }
  return basis;
}

/**
 * Adds `coef * exp(-d1^2 / 2)` at spots `first..last` to `acc[base + j]`, where
 * `inv` is `EXP_FOLD / sd`, so `(lnSpot[j] - shift) * inv` is `d1 * EXP_FOLD`: the profile's
 * inner loop, a small function so that the engine optimises it after a few calls rather than
 * waiting on one large one.
 */
function accumulate(
  acc: Float64Array,
  base: number,
  first: number,
  last: number,
  lnSpot: Float64Array,
  shift: number,
  inv: number,
  coef: number,
): void {
  for (let j = first; j <= last; j++) {
    const d = (lnSpot[j]! - shift) * inv;
    const y = d * d;
    if (y < EXP_LIMIT) {
      // exp(-d1^2 / 2) = 2^(-k / 256) * exp(f) (see EXP_SCALE).
      const k = (y + 0.5) | 0;
      const f = (k - y) * EXP_STEP;
      acc[base + j]! += coef * EXP_WHOLE[k >> 8]! * EXP_FRACTION[k & 255]! *
        (1 + f * (1 + f * (0.5 + f * (1 / 6 + f * (1 / 24)))));
    }
  }
}

function buildProfile(chain: Chain, o: ResolvedLevelsOptions, sign: 1 | -1): GexProfile {
  const basis = basisOf(chain, o);
  const n = o.points;
  const count = chain.expiries.length;
  const e = o.expiries;
  const callSum = new Float64Array(n);
  const putSum = new Float64Array(n);
  const kept: string[] = [];
  const years: number[] = [];
  let used = 0;
  let expiryFilter = 0;
  let zeroOpenInterest = 0;
  let zeroIv = 0;
  for (let ex = 0; ex < count; ex++) {
    const keep = e === "all" || (e === "exclude-nearest" ? ex > 0 : ex < e.next);
    if (!keep) {
      expiryFilter += basis.options[ex]!;
      continue;
    }
    kept.push(chain.expiries[ex]!);
    years.push(basis.years[ex]!);
    used += basis.used[ex]!;
    zeroOpenInterest += basis.zeroOpenInterest[ex]!;
    zeroIv += basis.zeroIv[ex]!;
    const base = ex * n;
    for (let j = 0; j < n; j++) {
      callSum[j]! += basis.call[base + j]!;
      putSum[j]! += basis.put[base + j]!;
    }
  }
  const spots = basis.spots;
  const callGex = new Float64Array(n);
  const putGex = new Float64Array(n);
  const totalGex = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const s = spots[j]!;
    callGex[j] = sign * s * callSum[j]!;
    putGex[j] = -sign * s * putSum[j]!;
    totalGex[j] = callGex[j]! + putGex[j]!;
  }
  const crossings = zeroCrossings(spots, totalGex);
  let flip: number | null = null;
  for (const x of crossings) {
    if (flip === null || Math.abs(x - chain.spot) < Math.abs(flip - chain.spot)) flip = x;
  }
  return {
    spots: spots.slice(),
    callGex,
    putGex,
    totalGex,
    crossings,
    flip,
    expiries: kept,
    years,
    used,
    excluded: { expiryFilter, zeroOpenInterest, zeroIv },
  };
}

/** Where `values` changes sign between grid points, by linear interpolation; exact zeros as is. */
function zeroCrossings(x: Float64Array, values: Float64Array): number[] {
  const out: number[] = [];
  const n = x.length;
  for (let j = 0; j < n; j++) {
    const a = values[j]!;
    if (a === 0) {
      // A run of zeros (no gamma at all) is not a crossing; an isolated zero is.
      const before = j > 0 ? values[j - 1]! : 0;
      const after = j < n - 1 ? values[j + 1]! : 0;
      if (before !== 0 || after !== 0) out.push(x[j]!);
      continue;
    }
    if (j === n - 1) break;
    const b = values[j + 1]!;
    if (b !== 0 && (a < 0) !== (b < 0)) out.push(x[j]! - a * (x[j + 1]! - x[j]!) / (b - a));
  }
  return out;
}

function notesOf(levels: Omit<ChainLevels, "notes">): string[] {
  const notes: string[] = [];
  const { flip, spot, profile: p, options: o } = levels;
  if (flip === null) {
    notes.push(
      `The GEX profile does not cross zero between ${fmt(p.spots[0]!)} and ` +
        `${fmt(p.spots[p.spots.length - 1]!)}: no flip` +
        (o.restriction === "flip" ? ", and no walls restricted to it" : ""),
    );
  }
  const u = levels.unrestricted;
  if (u.putWall !== null && u.putWall > spot) {
    notes.push(`The unrestricted put wall ${fmt(u.putWall)} is above spot ${fmt(spot)}`);
  }
  if (u.callWall !== null && u.callWall < spot) {
    notes.push(`The unrestricted call wall ${fmt(u.callWall)} is below spot ${fmt(spot)}`);
  }
  if (o.restriction !== "none") {
    if (levels.callWall !== u.callWall) {
      notes.push(
        `Restricted to the ${o.restriction}, the call wall is ${fmtOrNone(levels.callWall)} ` +
          `(unrestricted ${fmtOrNone(u.callWall)})`,
      );
    }
    if (levels.putWall !== u.putWall) {
      notes.push(
        `Restricted to the ${o.restriction}, the put wall is ${fmtOrNone(levels.putWall)} ` +
          `(unrestricted ${fmtOrNone(u.putWall)})`,
      );
    }
  }
  const x = p.excluded;
  if (x.zeroOpenInterest + x.zeroIv > 0) {
    notes.push(
      `Left out of the profile (they still count for walls): ${x.zeroOpenInterest} options ` +
        `with zero open interest and ${x.zeroIv} with IV 0`,
    );
  }
  return notes;
}

function fmt(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function fmtOrNone(value: number | null): string {
  return value === null ? "none" : fmt(value);
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The allowed key within edit distance 2 of `key`, if any. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length]!;
}
