// The shipped scenarios' runs, through the library as a user would run them, for the tests
// that check the viewer against the project's own code.
import { fromFileUrl, join } from "@std/path";
import type { Frame } from "../../core/frame.ts";
import {
  type EnvelopeLevels,
  isEnvelopeLevels,
  loadScenario,
  simulate,
  startRun,
} from "../../mod.ts";

/** One shipped scenario's run. */
export interface ShippedRun {
  /** The scenario file's name. */
  file: string;
  /** Its frames. */
  frames: Frame[];
  /** The envelope levels its evaluator publishes. */
  levels: EnvelopeLevels;
}

/** The real market data beside the checkout, which a user's clone may not have. */
const SHARED = new URL("../../../shared/data/", import.meta.url);

function sharedData(): boolean {
  try {
    return Deno.statSync(SHARED).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Every synthetic `scenarios/*.jsonc`, run once with its own seed and steps; a scenario that
 * reads ../shared/data is left out, with a message, where that folder is missing (not under CI).
 */
export async function shippedRuns(): Promise<ShippedRun[]> {
  const dir = fromFileUrl(new URL("../../scenarios/", import.meta.url));
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".jsonc"))
    .sort();
  const runs: ShippedRun[] = [];
  for (const file of files) {
    // A scenario of ../shared/data runs where the data is, and under CI, where it must be.
    const text = await Deno.readTextFile(join(dir, file));
    if (text.includes("../shared/") && !sharedData() && Deno.env.get("CI") !== "true") {
      console.warn(`  skipped ${file}: ${fromFileUrl(SHARED)} not found`);
      continue;
    }
    const scenario = await loadScenario(join(dir, file));
    // Replays of ../shared/data are checked in tests/plugins/history_test.ts.
    if (scenario.generators.some((g) => g.definition.name === "history")) continue;
    const { levels } = await startRun(scenario, { steps: 1 });
    if (!isEnvelopeLevels(levels)) throw new Error(`${file}: the evaluator is not the envelope`);
    runs.push({ file, frames: await simulate(scenario), levels });
  }
  if (runs.length === 0) throw new Error(`No scenarios in ${dir}`);
  return runs;
}
