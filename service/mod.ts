/**
 * option-flight as an HTTP service: `POST /v1/runs` streams a run's frames as NDJSON (each line
 * the CLI's JSONL line), `POST /v1/batches` runs a Monte Carlo batch with its progress as
 * Server-Sent Events, and `GET /v1/plugins`, `/v1/schema`, `/openapi.json` and `/healthz` tell
 * about it. Every failure is an RFC 9457 problem document with the CLI's messages.
 *
 * @example Stream a run
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { startService } from "./mod.ts";
 *
 * const service = await startService({ outDir: await Deno.makeTempDir(), port: 0 });
 * const scenario = await Deno.readTextFile(new URL("../scenarios/breakout.jsonc", import.meta.url));
 * const response = await fetch(`${service.url}/v1/runs?steps=10`, { method: "POST", body: scenario });
 * const lines = (await response.text()).trimEnd().split("\n");
 * assertEquals(JSON.parse(lines.at(-1)!).summary.frames, 10);
 * await service.shutdown();
 * ```
 *
 * @module
 */
export {
  DEFAULT_LIMITS,
  type Service,
  type ServiceLimits,
  type ServiceOptions,
  startService,
} from "./server.ts";
export type { Problem, ProblemItem } from "./problems.ts";
export { type Json, openApiDocument } from "./openapi.ts";
