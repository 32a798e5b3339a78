/**
 * The Web Worker of a Monte Carlo batch: parses the scenario the main thread sends, checks it
 * computes the same, then runs the slices of runs it claims and posts back its statistics.
 * Not an API: {@linkcode runBatch} starts it.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import {
  errorData,
  type FromWorker,
  runClaimed,
  RunClaims,
  scenarioFingerprint,
  type ToWorker,
} from "./batch.ts";
import { ScenarioError } from "./errors.ts";
import { MonteCarloStats } from "./stats.ts";
import { parseScenario } from "./scenario.ts";

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const { text, path, fingerprint, seed, steps, runLogs, shared, to, threads } = event.data;
  const claims = new RunClaims(shared, to, threads);
  try {
    const scenario = await parseScenario(text, { path });
    if (await scenarioFingerprint(scenario) !== fingerprint) {
      throw new ScenarioError(
        `${path}: Cannot run the batch: the file changed while the workers started`,
      );
    }
    const stats = new MonteCarloStats({ steps });
    await runClaimed(scenario, stats, claims, { seed, steps, runLogs });
    const { data, transfer } = stats.snapshot();
    post({ type: "stats", stats: data }, transfer);
  } catch (error) {
    claims.stop();
    post({ type: "error", error: errorData(error) });
  }
};
