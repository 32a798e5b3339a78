/**
 * The Web Worker of a Monte Carlo batch: parses the scenario the main thread sends, then runs
 * the chunks of runs it is given and posts back progress, kept run logs and, when told to
 * finish, its statistics. Not an API: {@linkcode runBatch} starts and drives it.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import {
  errorData,
  type FromWorker,
  runChunk,
  scenarioFingerprint,
  type ToWorker,
} from "./batch.ts";
import { MonteCarloStats } from "./stats.ts";
import { parseScenario, type Scenario } from "./scenario.ts";

let scenario: Scenario | undefined;
let stats: MonteCarloStats | undefined;
let settings: Extract<ToWorker, { type: "start" }> | undefined;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === "start") {
      settings = message;
      scenario = await parseScenario(message.text, { path: message.path });
      stats = new MonteCarloStats({ steps: message.steps });
      post({ type: "ready", fingerprint: await scenarioFingerprint(scenario) });
    } else if (message.type === "chunk") {
      const { seed, steps, keepRuns } = settings!;
      await runChunk(scenario!, stats!, {
        from: message.from,
        to: message.to,
        seed,
        steps,
        keepRuns,
        onRunLog: (run, bytes) => post({ type: "log", run, bytes }, [bytes.buffer as ArrayBuffer]),
      });
      post({ type: "done", runs: message.to - message.from });
    } else {
      post({ type: "stats", stats: stats!.toJSON() });
    }
  } catch (error) {
    post({ type: "error", error: errorData(error) });
  }
};
