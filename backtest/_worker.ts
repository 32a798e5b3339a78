/**
 * The Web Worker of a backtest: loads the plugins the main thread names, simulates the days it
 * claims and writes their touch counts into shared memory. Not an API: `engine.ts` starts it.
 * Its imports stay free of npm packages, which would delay its start.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { errorData, scenarioFromRecipe } from "../montecarlo/_thread.ts";
import { simulateClaimedDays, stopDays, type ToDayWorker } from "./_days.ts";

self.onmessage = async (event: MessageEvent<ToDayWorker>) => {
  const { job, shared, results } = event.data;
  try {
    const scenario = await scenarioFromRecipe(job.recipe);
    await simulateClaimedDays(scenario, job, shared, results);
    self.postMessage({ type: "done" });
  } catch (error) {
    stopDays(shared);
    self.postMessage({ type: "error", error: errorData(error) });
  }
};
