/**
 * The envelope's levels taken from an option chain (SPEC §6): read once per file and
 * conventions, whichever run or check asks, and refused when they break
 * `putWall < flip < callWall`.
 *
 * @module
 */
import { dirname, resolve } from "@std/path";
import { ScenarioError } from "../core/errors.ts";
import { parseChain } from "../markets/chain.ts";
import {
  computeLevels,
  type DealerSign,
  type ExpiryFilter,
  type WallRestriction,
} from "../markets/levels.ts";

/** Which chain, and the conventions its levels are computed with. */
export interface ChainChoice {
  /** The chain file, relative to the scenario's folder. */
  readonly chain: string;
  /** Which strikes the walls may sit on. */
  readonly restriction: WallRestriction;
  /** Which expiries enter the flip's profile: `all`, `exclude-nearest` or `next:N`. */
  readonly expiries: string;
  /** The dealer convention. */
  readonly dealer: DealerSign;
}

/** The levels a chain gives the envelope. */
export interface ChainWalls {
  readonly flip: number;
  readonly putWall: number;
  readonly callWall: number;
}

const computed = new Map<string, ChainWalls | ScenarioError>();

/**
 * The flip and walls of a chain under the chosen conventions.
 *
 * @param scenario The scenario file, whose folder the chain's path is relative to.
 * @param choice The chain and the conventions.
 * @returns The levels.
 * @throws ScenarioError naming the file and line of a bad chain, or the levels that break
 *   `putWall < flip < callWall` (a restriction other than `flip` can).
 */
export function chainWalls(scenario: string, choice: ChainChoice): ChainWalls {
  const path = resolve(dirname(scenario), choice.chain);
  const key = JSON.stringify([path, choice.restriction, choice.expiries, choice.dealer]);
  let walls = computed.get(key);
  if (!walls) {
    try {
      walls = compute(path, choice);
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      walls = error;
    }
    computed.set(key, walls);
  }
  if (walls instanceof ScenarioError) throw walls;
  return walls;
}

function compute(path: string, choice: ChainChoice): ChainWalls {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new ScenarioError(`${path}: Cannot read the option chain: ${(error as Error).message}`);
  }
  const expiries: ExpiryFilter = choice.expiries.startsWith("next:")
    ? { next: Number(choice.expiries.slice(5)) }
    : choice.expiries as "all" | "exclude-nearest";
  const levels = computeLevels(parseChain(text, path), {
    restriction: choice.restriction,
    expiries,
    dealer: choice.dealer,
  });
  const { flip, putWall, callWall } = levels;
  if (flip === null || putWall === null || callWall === null) {
    throw new ScenarioError(
      `${path}: Cannot take the envelope's levels from this chain: ${
        levels.notes.join("; ") || "no flip or no wall under these conventions"
      }`,
    );
  }
  if (!(putWall < flip && flip < callWall)) {
    throw new ScenarioError(
      `${path}: Cannot fly the levels of restriction "${choice.restriction}": put wall ${putWall}, flip ${
        Number(flip.toFixed(2))
      }, call wall ${callWall} break putWall < flip < callWall (SPEC §6); they are for the levels report, use "flip"`,
    );
  }
  return { flip, putWall, callWall };
}
