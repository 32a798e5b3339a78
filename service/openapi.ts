/**
 * The OpenAPI 3.1 document of the whole service, served at `GET /openapi.json`.
 *
 * @module
 */
import { VERSION } from "../files/meta.ts";

/** A JSON object of the document. */
export type Json = { [key: string]: unknown };

const problem = (description: string): Json => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

const scenarioBody: Json = {
  required: true,
  description:
    'A scenario file\'s text, JSON or JSONC (comments and trailing commas allowed), as the CLI reads it; messages name it "request body"',
  content: {
    "application/json": {
      schema: { type: "object", description: "A scenario; GET /v1/schema gives its JSON Schema" },
    },
    "application/jsonc": { schema: { type: "string" } },
    "text/plain": { schema: { type: "string" } },
  },
};

const integerQuery = (name: string, description: string): Json => ({
  name,
  in: "query",
  required: false,
  description,
  schema: { type: "integer", minimum: 0 },
});

/** Problems every job route may answer with. */
const jobProblems: Json = {
  "400": problem("The body does not parse (JSONC syntax, not UTF-8) or a query parameter is bad"),
  "401": problem("Missing or wrong bearer token, when the service was started with --token-file"),
  "413": problem("The body is larger than --max-body"),
  "422": problem(
    "The scenario parses but does not validate (types, ranges, unknown keys, a plugin that is not built in, a file on the host), or is over --max-steps or --max-runs",
  ),
  "429": problem("--max-jobs runs and batches are running; Retry-After says when to try again"),
  "500": problem("A plugin failed, or a bug"),
  "503": problem("The service is shutting down, or the job ran past --max-seconds"),
};

const readProblems: Json = {
  "401": problem("Missing or wrong bearer token"),
  "503": problem("The service is shutting down"),
};

/**
 * The OpenAPI 3.1 document of the service: every route, its parameters, bodies and responses.
 *
 * @returns The document.
 *
 * @example Every route is in it
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { openApiDocument } from "./openapi.ts";
 *
 * const document = openApiDocument();
 * assertEquals(document.openapi, "3.1.0");
 * assertEquals(Object.keys(document.paths as object).includes("/v1/runs"), true);
 * ```
 */
export function openApiDocument(): Json {
  return {
    openapi: "3.1.0",
    info: {
      title: "option-flight",
      version: VERSION,
      description:
        "Runs option-flight scenarios: one run streamed as NDJSON frames, or a Monte Carlo batch with its progress as Server-Sent Events. Only built-in plugins run, unless the operator allows others.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/" }],
    security: [{}, { bearer: [] }],
    paths: {
      "/healthz": {
        get: {
          operationId: "health",
          summary: "Whether the service takes work",
          security: [],
          responses: {
            "200": {
              description: "Up",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Health" } } },
            },
            "503": {
              description: "Shutting down",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Health" } } },
            },
          },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "openApi",
          summary: "This document",
          responses: {
            "200": { description: "OpenAPI 3.1", content: { "application/json": {} } },
            ...readProblems,
          },
        },
      },
      "/v1/plugins": {
        get: {
          operationId: "listPlugins",
          summary: "The built-in plugins, each with the JSON Schema of its options",
          responses: {
            "200": {
              description: "The built-ins",
              content: {
                "application/json": {
                  schema: { type: "array", items: { $ref: "#/components/schemas/Plugin" } },
                },
              },
            },
            ...readProblems,
          },
        },
      },
      "/v1/schema": {
        get: {
          operationId: "scenarioSchema",
          summary: "The scenario JSON Schema (scenarios/scenario.schema.json)",
          responses: {
            "200": { description: "JSON Schema", content: { "application/schema+json": {} } },
            ...readProblems,
          },
        },
      },
      "/v1/runs": {
        post: {
          operationId: "run",
          summary: "One run, streamed",
          description:
            'Runs the scenario once (its sinks and renderers give way to the stream, a monteCarlo section is ignored) and streams one line per frame, byte for byte the CLI\'s JSONL line, then one line {"summary": {...}}. A run that fails after its first frames ends with one line {"error": Problem} instead; with format=csv the body is broken off. Closing the response stops the run.',
          parameters: [
            integerQuery("seed", "Seed instead of the scenario's"),
            integerQuery("steps", "Steps instead of the scenario's"),
            {
              name: "format",
              in: "query",
              required: false,
              description: "ndjson (frames, then a summary line) or csv (the csv sink's bytes)",
              schema: { type: "string", enum: ["ndjson", "csv"], default: "ndjson" },
            },
          ],
          requestBody: scenarioBody,
          responses: {
            "200": {
              description: "The frames as they are made",
              content: {
                "application/x-ndjson": {
                  schema: {
                    oneOf: [
                      { $ref: "#/components/schemas/Frame" },
                      { $ref: "#/components/schemas/RunSummaryLine" },
                      { $ref: "#/components/schemas/ErrorLine" },
                    ],
                  },
                },
                "text/csv": { schema: { type: "string" } },
              },
            },
            "415": problem("The format's sink is not available"),
            ...jobProblems,
          },
        },
      },
      "/v1/batches": {
        post: {
          operationId: "batch",
          summary: "A Monte Carlo batch, with its progress as Server-Sent Events",
          description:
            "Runs the batch into its own folder of the service's output folder. Events: accepted {id, report, summary} first, progress {done, total} as runs complete, then summary {id, report, summary: the summary JSON} or error (a Problem). The report stays at GET /v1/batches/{id}/report.html up to --keep-batches and --keep-hours. Closing the stream stops the batch, which then leaves nothing.",
          parameters: [
            integerQuery("runs", "Runs instead of the scenario's monteCarlo.runs"),
            integerQuery("seed", "Seed instead of the scenario's"),
            integerQuery("steps", "Steps per run instead of the scenario's"),
          ],
          requestBody: scenarioBody,
          responses: {
            "200": {
              description: "The batch's events",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
            ...jobProblems,
          },
        },
      },
      "/v1/batches/{id}/report.html": {
        get: {
          operationId: "batchReport",
          summary: "A kept batch's report page",
          parameters: [{ $ref: "#/components/parameters/BatchId" }],
          responses: {
            "200": { description: "The report", content: { "text/html": {} } },
            "404": problem("No such batch, or removed"),
            ...readProblems,
          },
        },
      },
      "/v1/batches/{id}/summary.json": {
        get: {
          operationId: "batchSummary",
          summary: "A kept batch's summary",
          parameters: [{ $ref: "#/components/parameters/BatchId" }],
          responses: {
            "200": { description: "The summary JSON", content: { "application/json": {} } },
            "404": problem("No such batch, or removed"),
            ...readProblems,
          },
        },
      },
      "/v1/batches/{id}/summary.csv": {
        get: {
          operationId: "batchSummaryCsv",
          summary: "A kept batch's summary as a flat CSV table, when this build writes one",
          parameters: [{ $ref: "#/components/parameters/BatchId" }],
          responses: {
            "200": { description: "One row per statistic", content: { "text/csv": {} } },
            "404": problem("No such batch, or removed, or no CSV summary"),
            ...readProblems,
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "Required when the service was started with --token-file",
        },
      },
      parameters: {
        BatchId: {
          name: "id",
          in: "path",
          required: true,
          schema: { type: "string", pattern: "^[0-9a-z]{8,12}-[0-9a-f]{16}$" },
        },
      },
      schemas: {
        Problem: {
          type: "object",
          description: "RFC 9457 problem details; detail holds the CLI's messages, one per line",
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            errors: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  detail: { type: "string" },
                  path: {
                    type: "string",
                    description: "Field path, such as generators.spot.noise",
                  },
                  line: { type: "integer" },
                  column: { type: "integer" },
                },
                required: ["detail"],
              },
            },
          },
          required: ["type", "title", "status", "detail"],
        },
        Health: {
          type: "object",
          properties: {
            status: { type: "string", enum: ["ok", "draining"] },
            active: { type: "integer", description: "Runs and batches going on" },
            rss: { type: "integer", description: "The process's resident memory, bytes" },
            heapUsed: { type: "integer", description: "V8's heap in use, bytes" },
          },
          required: ["status", "active", "rss", "heapUsed"],
        },
        Plugin: {
          type: "object",
          properties: {
            name: { type: "string" },
            kind: { type: "string", enum: ["generator", "evaluator", "sink", "renderer"] },
            options: { type: "object", description: "JSON Schema of the entry's options" },
            provides: { type: "array", items: { type: "string" } },
            extension: { type: "string" },
            dataFiles: {
              type: "array",
              items: { type: "string" },
              description: "Options naming a file on the host, which the service refuses",
            },
          },
          required: ["name", "kind", "options"],
        },
        Frame: {
          type: "object",
          description: "A telemetry frame (SPEC §2); more fields may follow flags",
          properties: {
            timestamp: { oneOf: [{ type: "integer" }, { type: "string" }] },
            spot: { type: "number" },
            iv: { type: "number" },
            hv: { type: "number" },
            x: { type: "number" },
            y: { type: "number" },
            z: { type: "number" },
            regime: { type: "string", enum: ["TAXI", "CRUISE", "MANEUVER", "RUPTURE"] },
            flags: {
              type: "array",
              items: { type: "string", enum: ["BREACH", "OVERSPEED", "STALL"] },
            },
          },
          required: ["timestamp", "spot", "iv", "hv", "x", "y", "z", "regime", "flags"],
        },
        RunSummaryLine: {
          type: "object",
          properties: {
            summary: {
              type: "object",
              properties: {
                name: { type: "string" },
                seed: { type: "integer" },
                frames: { type: "integer" },
                regimes: { type: "object", additionalProperties: { type: "integer" } },
                flags: { type: "object", additionalProperties: { type: "integer" } },
                eventCounts: { type: "object" },
                worstEvents: { type: "array", items: { type: "object" } },
                warnings: { type: "array", items: { type: "string" } },
                meta: { type: "object", description: "The run's meta file (SPEC §2)" },
              },
              required: ["name", "seed", "frames", "regimes", "flags"],
            },
          },
          required: ["summary"],
        },
        ErrorLine: {
          type: "object",
          properties: { error: { $ref: "#/components/schemas/Problem" } },
          required: ["error"],
        },
      },
    },
  };
}
