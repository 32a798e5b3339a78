/**
 * The Web Worker of a Monte Carlo batch: loads the plugins the main thread names, runs the
 * slices of runs it claims and posts back its statistics. Not an API: {@linkcode runBatch}
 * starts it. Its imports stay free of npm packages, which would delay its start.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import {
  errorData,
  type FromWorker,
  runClaimed,
  RunClaims,
  scenarioFromRecipe,
  type ToWorker,
} from "./_thread.ts";
import { MonteCarloStats } from "./stats.ts";

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** How long this worker took to post its statistics last batch: it leaves that much to others. */
let postMs = 6;

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const { recipe, seed, steps, keep, shared, to, threads } = event.data;
  const claims = new RunClaims(shared, to, threads, { reserveMs: postMs });
  try {
    const scenario = await scenarioFromRecipe(recipe);
    const stats = new MonteCarloStats({ steps });
    await runClaimed(scenario, stats, claims, { seed, steps, keep });
    const started = performance.now();
    const { data, transfer } = stats.snapshot();
    post({ type: "stats", stats: data }, transfer);
    postMs = performance.now() - started;
  } catch (error) {
    claims.stop();
    post({ type: "error", error: errorData(error) });
  }
};
