/**
 * The HTTP service: its routes, its limits, bearer-token auth, and a graceful shutdown that
 * stops taking work, lets running jobs finish within a grace period, cancels the rest, and
 * leaves no partial file.
 *
 * @module
 */
import { WorkerPool } from "../montecarlo/pool.ts";
import { BATCH_ID, type BatchResult, BatchStore, streamBatch } from "./batches.ts";
import { pluginCatalog, scenarioSchema } from "./catalog.ts";
import { openApiDocument } from "./openapi.ts";
import { HttpError, problemResponse } from "./problems.ts";
import { BODY, checkLimits, loadRequestScenario, readBody } from "./request.ts";
import { type RunFormat, streamRun } from "./runs.ts";

/** The service's limits and settings, each a flag of `deno task serve`. */
export interface ServiceLimits {
  /** The most bytes a request's scenario may have. @default {1048576} */
  maxBody: number;
  /** The most steps one run (or each run of a batch) may have. @default {1000000} */
  maxSteps: number;
  /** The most runs one batch may have. @default {10000} */
  maxRuns: number;
  /** The most runs and batches at once; past it a request gets 429. @default {8} */
  maxJobs: number;
  /** The most wall time one run or batch may take, in seconds. @default {120} */
  maxSeconds: number;
  /** The most batches whose results are kept; the oldest go first. @default {50} */
  keepBatches: number;
  /** How long a batch's results are kept, in hours. @default {24} */
  keepHours: number;
  /** How long a shutdown waits for running jobs before cancelling them, in seconds. @default {10} */
  grace: number;
}

/** The defaults of {@linkcode ServiceLimits}. */
export const DEFAULT_LIMITS: Readonly<ServiceLimits> = Object.freeze({
  maxBody: 1 << 20,
  maxSteps: 1_000_000,
  maxRuns: 10_000,
  maxJobs: 8,
  maxSeconds: 120,
  keepBatches: 50,
  keepHours: 24,
  grace: 10,
});

/** Where and how {@linkcode startService} serves. */
export interface ServiceOptions extends Partial<ServiceLimits> {
  /** The service's output folder: batches' results go there, and nothing goes elsewhere. */
  outDir: string;
  /** The address to listen on. @default {"127.0.0.1"} */
  host?: string;
  /** The port; 0 takes a free one. @default {8000} */
  port?: number;
  /** The bearer token every request but `GET /healthz` must carry, when given. */
  token?: string;
  /** `use` strings other than built-in names that scenarios may give. @default {[]} */
  allowUse?: readonly string[];
}

/** A started service. */
export interface Service {
  /** Its base URL, such as `http://127.0.0.1:8000`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Runs and batches going on. */
  readonly active: number;
  /**
   * Stops taking work (requests then get 503), waits for running jobs up to the grace period,
   * cancels those still running, and closes the server.
   *
   * @param options The grace period instead of the service's, in seconds.
   * @returns How many jobs were cancelled.
   */
  shutdown(options?: { grace?: number }): Promise<{ cancelled: number }>;
  /** Settles when the server has closed. */
  readonly finished: Promise<void>;
}

/** Compares two strings in time that depends on their lengths' digests, not their content. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const digest = async (text: string) =>
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

/** The routes, by path pattern, with the methods each answers. */
const ROUTES: [RegExp, string][] = [
  [/^\/healthz$/, "GET"],
  [/^\/openapi\.json$/, "GET"],
  [/^\/v1\/plugins$/, "GET"],
  [/^\/v1\/schema$/, "GET"],
  [/^\/v1\/runs$/, "POST"],
  [/^\/v1\/batches$/, "POST"],
  [/^\/v1\/batches\/([^/]+)\/(report\.html|summary\.json|summary\.csv)$/, "GET"],
];

/** Reads integer query parameters, refusing any parameter not in `allowed`. */
function readQuery(url: URL, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of url.searchParams) {
    if (!allowed.includes(key)) {
      problems.push(
        `query: Cannot read ${JSON.stringify(key)}: unknown parameter, expected one of ${
          allowed.map((a) => JSON.stringify(a)).join(", ")
        }`,
      );
    } else if (key in out) {
      problems.push(`query: Cannot read ${JSON.stringify(key)}: given twice; keep one`);
    } else out[key] = value;
  }
  if (problems.length > 0) throw new HttpError(400, problems);
  return out;
}

/** An integer query parameter, if given. */
function integerParam(query: Record<string, string>, key: string): number | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value)) {
    throw new HttpError(
      400,
      `query: Cannot read ${JSON.stringify(key)}: expected an integer >= 0, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return Number(value);
}

/** A JSON response. */
function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value) + "\n", {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * Starts the service.
 *
 * @param options Where to listen, the output folder, the token and the limits.
 * @returns The running service.
 *
 * @example Ask a started service whether it is up
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { startService } from "./server.ts";
 *
 * const service = await startService({ outDir: await Deno.makeTempDir(), port: 0 });
 * const response = await fetch(`${service.url}/healthz`);
 * assertEquals((await response.json()).status, "ok");
 * await service.shutdown();
 * ```
 */
export function startService(options: ServiceOptions): Promise<Service> {
  const limits: ServiceLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ServiceLimits)[]) {
    const value = options[key];
    if (value !== undefined) limits[key] = value;
  }
  const store = new BatchStore(options.outDir, {
    keep: limits.keepBatches,
    maxAge: limits.keepHours * 3_600_000,
  });
  store.prune();
  const pool = new WorkerPool();
  const allowUse = options.allowUse ?? [];
  let active = 0;
  let draining = false;
  let idle: PromiseWithResolvers<void> | undefined;

  /** Takes a job slot, or refuses with 429; the returned function gives it back, once. */
  const reserve = (): () => void => {
    if (active >= limits.maxJobs) {
      throw new HttpError(
        429,
        `Cannot start another job: ${limits.maxJobs} are running (the service's --max-jobs); try again shortly`,
        { "retry-after": "1" },
      );
    }
    active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--active === 0) idle?.resolve();
    };
  };

  /** The stop controllers of the jobs going on: a shutdown aborts each. */
  const jobs = new Set<AbortController>();

  /** A job's stop controller, aborted when its wall time runs out; `clear` forgets it. */
  const jobStop = (): { stop: AbortController; clear: () => void } => {
    const stop = new AbortController();
    jobs.add(stop);
    const timer = setTimeout(() =>
      stop.abort(
        new HttpError(
          503,
          `Stopped after ${limits.maxSeconds} seconds, the service's wall-time limit for a job (its --max-seconds)`,
        ),
      ), limits.maxSeconds * 1000);
    return { stop, clear: () => (clearTimeout(timer), jobs.delete(stop)) };
  };

  const authorized = async (request: Request): Promise<boolean> => {
    if (options.token === undefined) return true;
    const header = request.headers.get("authorization") ?? "";
    const given = /^Bearer (.+)$/.exec(header)?.[1] ?? "";
    return await sameSecret(given, options.token);
  };

  const run = async (request: Request, url: URL): Promise<Response> => {
    const query = readQuery(url, ["seed", "steps", "format"]);
    const format = query.format ?? "ndjson";
    if (format !== "ndjson" && format !== "csv") {
      throw new HttpError(
        400,
        `query: Cannot read "format": expected "ndjson" or "csv", got ${JSON.stringify(format)}`,
      );
    }
    const seed = integerParam(query, "seed"), steps = integerParam(query, "steps");
    const release = reserve();
    const { stop, clear } = jobStop();
    const end = () => (clear(), release());
    try {
      const text = await readBody(request, limits.maxBody);
      const scenario = await loadRequestScenario(text, { allowUse, maxSteps: limits.maxSteps });
      checkLimits(
        { steps: steps === undefined ? [scenario.steps, "steps"] : [steps, "query.steps"] },
        limits,
      );
      return await streamRun(scenario, {
        format: format as RunFormat,
        stop,
        onEnd: end,
        ...(seed === undefined ? {} : { seed }),
        ...(steps === undefined ? {} : { steps }),
      });
    } catch (error) {
      end();
      throw error;
    }
  };

  const batch = async (request: Request, url: URL): Promise<Response> => {
    const query = readQuery(url, ["seed", "steps", "runs"]);
    const seed = integerParam(query, "seed"), steps = integerParam(query, "steps");
    const runsAsked = integerParam(query, "runs");
    const release = reserve();
    const { stop, clear } = jobStop();
    const end = () => (clear(), release());
    try {
      const text = await readBody(request, limits.maxBody);
      const scenario = await loadRequestScenario(text, { allowUse, maxSteps: limits.maxSteps });
      const runs = runsAsked ?? scenario.monteCarlo?.runs;
      if (runs === undefined) {
        throw new HttpError(
          422,
          `${BODY}: Cannot run a Monte Carlo batch: give a number of runs (?runs=N) or a "monteCarlo" section`,
        );
      }
      if (scenario.monteCarlo?.keepRuns) {
        throw new HttpError(
          422,
          `${BODY}: Cannot read "monteCarlo.keepRuns": the service keeps a batch's summary and report, not its runs; run it with the CLI`,
        );
      }
      checkLimits({
        steps: steps === undefined ? [scenario.steps, "steps"] : [steps, "query.steps"],
        runs: runsAsked === undefined ? [runs, "monteCarlo.runs"] : [runs, "query.runs"],
      }, limits);
      return streamBatch(scenario, {
        store,
        runs,
        pool,
        stop,
        onEnd: end,
        ...(seed === undefined ? {} : { seed }),
        ...(steps === undefined ? {} : { steps }),
      });
    } catch (error) {
      end();
      throw error;
    }
  };

  const result = async (id: string, file: BatchResult): Promise<Response> => {
    const path = BATCH_ID.test(id) ? store.result(id, file) : undefined;
    if (!path) throw new HttpError(404, `No batch ${JSON.stringify(id)} with a ${file}`);
    const opened = await Deno.open(path, { read: true });
    const type = file === "report.html"
      ? "text/html; charset=utf-8"
      : file === "summary.csv"
      ? "text/csv; charset=utf-8"
      : "application/json";
    return new Response(opened.readable, { headers: { "content-type": type } });
  };

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const matched = ROUTES.map(([pattern, method]) => [pattern.exec(url.pathname), method] as const)
      .filter(([match]) => match !== null);
    if (matched.length === 0) {
      throw new HttpError(404, `No route ${url.pathname}; GET /openapi.json lists them`);
    }
    const [match] = matched.find(([, m]) => m === request.method) ?? [];
    if (!match) {
      const allow = matched.map(([, m]) => m).join(", ");
      throw new HttpError(405, `${request.method} ${url.pathname}: expected ${allow}`, {
        allow,
      });
    }
    if (url.pathname === "/healthz") {
      const { rss, heapUsed } = Deno.memoryUsage();
      const status = draining ? "draining" : "ok";
      return json({ status, active, rss, heapUsed }, draining ? 503 : 200);
    }
    if (draining) {
      throw new HttpError(503, "The service is shutting down and takes no new work", {
        "retry-after": "5",
      });
    }
    if (!(await authorized(request))) {
      throw new HttpError(401, "Missing or wrong bearer token (Authorization: Bearer <token>)", {
        "www-authenticate": 'Bearer realm="option-flight"',
      });
    }
    switch (url.pathname) {
      case "/openapi.json":
        return json(openApiDocument());
      case "/v1/plugins":
        return json(await pluginCatalog());
      case "/v1/schema":
        return new Response(JSON.stringify(scenarioSchema()) + "\n", {
          headers: { "content-type": "application/schema+json" },
        });
      case "/v1/runs":
        return await run(request, url);
      case "/v1/batches":
        return await batch(request, url);
    }
    return await result(match[1]!, match[2] as BatchResult);
  };

  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: options.host ?? "127.0.0.1",
    port: options.port ?? 8000,
    onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
  }, async (request) => {
    try {
      return await handle(request);
    } catch (error) {
      if (!(error instanceof HttpError)) {
        // A bug or a plugin's failure: the client gets its message, the operator its stack.
        if (!(error instanceof Error && error.name === "PluginError")) console.error(error);
      }
      return problemResponse(error);
    }
  });
  const prune = setInterval(() => store.prune(), 60_000);
  Deno.unrefTimer(prune);
  let closing: Promise<{ cancelled: number }> | undefined;

  const shutdown = (how: { grace?: number } = {}): Promise<{ cancelled: number }> => {
    return closing ??= (async () => {
      draining = true;
      clearInterval(prune);
      const grace = (how.grace ?? limits.grace) * 1000;
      let cancelled = 0;
      if (active > 0) {
        idle = Promise.withResolvers<void>();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<void>((resolve) => timer = setTimeout(resolve, grace));
        await Promise.race([idle.promise, late]);
        clearTimeout(timer);
        if (active > 0) {
          cancelled = active;
          const reason = new HttpError(
            503,
            "Cancelled: the service shut down before the job finished",
          );
          for (const stop of jobs) stop.abort(reason);
          await idle.promise;
        }
      }
      pool.close();
      await server.shutdown();
      return { cancelled };
    })();
  };

  return listening.promise.then((addr) => ({
    url: `http://${
      addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname
    }:${addr.port}`,
    port: addr.port,
    get active() {
      return active;
    },
    shutdown,
    finished: server.finished,
  }));
}
