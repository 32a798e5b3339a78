/**
 * What every thread of a backtest runs, the main thread and each Web Worker alike: a day's
 * batch of runs from its real state, reduced to touch counts. It imports no npm package, so
 * that a worker starts quickly; `engine.ts` drives it.
 *
 * @module
 */
import { pacer, RunPlan } from "../core/run.ts";
import type { Scenario } from "../core/scenario.ts";
import type { ScenarioRecipe } from "../montecarlo/_thread.ts";

/** Runs of one day draw from the streams of runs `dayNumber * RUN_STRIDE + r`. */
export const RUN_STRIDE: number = 1_000_000;

/** The most runs a day may have: the stride between two days' runs. */
export const MAX_DAY_RUNS: number = RUN_STRIDE;

/** One day to simulate: its state, the options each plugin starts from, and its band. */
export interface DaySetup {
  /** The session, ISO date. */
  readonly date: string;
  /** Days from 0001-01-01 to the date: what the day's runs are keyed by. */
  readonly dayNumber: number;
  /** The day's close: the band's centre. */
  readonly spot: number;
  /** Lower edge of the band, price units. */
  readonly lower: number;
  /** Upper edge of the band, price units. */
  readonly upper: number;
  /** The day's put wall and call wall when a levels series gives them. */
  readonly walls: readonly [number, number] | undefined;
  /** The evaluator's options for the day. */
  readonly evaluator: unknown;
  /** Each generator's options for the day, in the scenario's generator order. */
  readonly generators: readonly unknown[];
}

/** What every thread needs to simulate the days. */
export interface DayJob {
  /** The plugins, resolved on the main thread. */
  readonly recipe: ScenarioRecipe;
  /** The seed of every stream. */
  readonly seed: number;
  /** Runs per day. */
  readonly runs: number;
  /** Sessions after the day, the steps after step 0. */
  readonly horizon: number;
  /** The days. */
  readonly days: readonly DaySetup[];
}

/** Slots of the counters a backtest's threads share: the next day to claim, and a stop flag. */
const NEXT = 0, STOP = 1;

/** A message from the main thread to a worker: the job, the shared counters and the results' memory. */
export interface ToDayWorker {
  /** The days and settings. */
  job: DayJob;
  /** The claims' counters. */
  shared: Int32Array;
  /** Two counts per day. */
  results: Int32Array;
}

/**
 * Makes the shared counters of a backtest.
 *
 * @returns Counters to post to every thread.
 */
export function dayCounters(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
}

/** Stops every thread's claims: a thread has failed, or the backtest was stopped. */
export function stopDays(shared: Int32Array): void {
  Atomics.store(shared, STOP, 1);
}

/**
 * Simulates the days this thread claims until none is left, writing each day's band touches at
 * `results[2 * d]` and wall touches at `results[2 * d + 1]`. A day's counts depend only on the
 * seed, its date, its options and the settings, never on which thread ran it.
 *
 * @param scenario The scenario the job's recipe describes.
 * @param job The days and the settings.
 * @param shared The counters, from {@linkcode dayCounters}.
 * @param results Two counts per day, on shared memory.
 * @param signal Stops the work between runs, throwing the signal's reason.
 */
export async function simulateClaimedDays(
  scenario: Scenario,
  job: DayJob,
  shared: Int32Array,
  results: Int32Array,
  signal?: AbortSignal,
): Promise<void> {
  const { days, runs, seed, horizon } = job;
  const pace = pacer(signal);
  for (;;) {
    if (Atomics.load(shared, STOP) !== 0) return;
    const d = Atomics.add(shared, NEXT, 1);
    if (d >= days.length) return;
    const day = days[d]!;
    const plan = new RunPlan(dayScenario(scenario, day), { seed, steps: horizon + 1 });
    const { lower, upper } = day;
    const [put, call] = day.walls ?? [-Infinity, Infinity];
    const base = day.dayNumber * RUN_STRIDE;
    let band = 0, wall = 0;
    for (let r = 0; r < runs; r++) {
      const waiting = pace();
      if (waiting) await waiting;
      const cursor = await plan.start(base + r);
      let touchedBand = false, touchedWall = false;
      for (let block = cursor.next(); block; block = cursor.next()) {
        const { spot, start, length } = block.samples;
        // Step 0 is the day's own close: only the sessions after it count.
        for (let i = start === 0 ? 1 : 0; i < length; i++) {
          const s = spot[i]!;
          if (s >= upper || s <= lower) touchedBand = true;
          if (s >= call || s <= put) touchedWall = true;
        }
      }
      band += +touchedBand;
      wall += +touchedWall;
    }
    results[2 * d] = band;
    results[2 * d + 1] = wall;
  }
}

/** The scenario as it starts on one day: each plugin with the day's options. */
function dayScenario(scenario: Scenario, day: DaySetup): Scenario {
  return {
    ...scenario,
    evaluator: { ...scenario.evaluator, options: day.evaluator },
    generators: scenario.generators.map((use, g) => ({ ...use, options: day.generators[g] })),
  };
}
