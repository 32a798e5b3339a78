/**
 * `POST /v1/runs`: one run of a scenario, its frames streamed back as they are made, each line
 * the bytes the CLI's `jsonl` sink writes (or the `csv` sink's, with `?format=csv`), then one
 * summary line. The run's sink writes onto the response, which it waits for: a slow client
 * slows the run rather than filling memory, and one that goes away stops it.
 *
 * @module
 */
import type { OutputStream, SinkDefinition } from "../core/plugin.ts";
import { Issues, readFields } from "../core/options.ts";
import { loadPlugin } from "../core/resolve.ts";
import type { PluginUse, Scenario } from "../core/scenario.ts";
import type { OutputTarget } from "../files/atomic.ts";
import { type RunReport, runScenario } from "../files/run.ts";
import { BUILTINS } from "../plugins/mod.ts";
import { HttpError, problemOf, toHttpError } from "./problems.ts";
import { BODY } from "./request.ts";

/** What a run's response may be: NDJSON frames and a summary, or the CSV sink's bytes. */
export type RunFormat = "ndjson" | "csv";

/** The media type of each format. */
export const RUN_MEDIA_TYPES: Readonly<Record<RunFormat, string>> = {
  ndjson: "application/x-ndjson",
  csv: "text/csv; charset=utf-8",
};

/** What the response queues before the run waits for the client: a block's lines or so. */
const QUEUED_BYTES = 1 << 16;

const encoder = new TextEncoder();

/** The bytes a sink writes, onto a response body, waiting while the client has not read them. */
class ResponseStream implements OutputStream {
  readonly readable: ReadableStream<Uint8Array>;
  /** Settles on the first write: the run has made its first frames. */
  readonly started: PromiseWithResolvers<void> = Promise.withResolvers<void>();
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #waiting: PromiseWithResolvers<void> | undefined;
  #gone = false;

  constructor(onCancel: () => void) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => void (this.#controller = controller),
      pull: () => {
        this.#waiting?.resolve();
        this.#waiting = undefined;
      },
      cancel: () => {
        this.#gone = true;
        this.#waiting?.reject(new Error("the client closed the response"));
        this.#waiting = undefined;
        onCancel();
      },
    }, new ByteLengthQueuingStrategy({ highWaterMark: QUEUED_BYTES }));
  }

  /** Whether the client went away. */
  get gone(): boolean {
    return this.#gone;
  }

  write(content: string | Uint8Array): void | Promise<void> {
    if (this.#gone) throw new Error("the client closed the response");
    // A copy: the sink reuses its buffer once this returns or settles.
    this.#controller.enqueue(
      typeof content === "string" ? encoder.encode(content) : content.slice(),
    );
    this.started.resolve();
    if ((this.#controller.desiredSize ?? 1) > 0) return;
    this.#waiting = Promise.withResolvers<void>();
    return this.#waiting.promise;
  }

  /** Adds a last piece, if any, and ends the body. */
  end(last?: string): void {
    if (this.#gone) return;
    if (last) this.#controller.enqueue(encoder.encode(last));
    this.#controller.close();
  }

  /** Breaks the body off, so that the client sees it incomplete rather than short. */
  fail(reason: unknown): void {
    if (!this.#gone) this.#controller.error(reason);
  }

  /** Rejects a write still waiting, when the run is stopped from elsewhere. */
  stop(reason: unknown): void {
    this.#waiting?.reject(reason);
    this.#waiting = undefined;
  }
}

/** Where a run's files go: its one sink's onto the response; the meta file kept for the summary. */
class ResponseTarget implements OutputTarget {
  readonly dir = ".";
  readonly staleRemoved = 0;
  meta: string | undefined;

  constructor(readonly stream: ResponseStream) {}

  check(): void {}
  create(): OutputStream {
    return this.stream;
  }
  writeFile(name: string, content: string | Uint8Array): Promise<void> {
    if (name.endsWith(".meta.json")) {
      this.meta = typeof content === "string" ? content : new TextDecoder().decode(content);
    }
    return Promise.resolve();
  }
  discard(): Promise<void> {
    return Promise.resolve();
  }
  commit(): Promise<string[]> {
    return Promise.resolve([]);
  }
  abort(): Promise<void> {
    return Promise.resolve();
  }
}

/** The sink a format streams through, as a scenario's `sinks[0]` would use it. */
async function sinkOf(format: RunFormat): Promise<PluginUse<SinkDefinition>> {
  const use = format === "csv" ? "csv" : "jsonl";
  const { definition, module } = await loadPlugin(use, {
    scenarioPath: BODY,
    builtins: BUILTINS,
    kind: "sink",
  });
  const issues = new Issues();
  const options = readFields(definition.options, { use }, {
    path: "sinks[0]",
    issues,
    extraKeys: ["use"],
  });
  return { use, key: "sinks[0]", definition: definition as SinkDefinition, module, options };
}

/** What {@linkcode streamRun} runs. */
export interface StreamRunOptions {
  /** The response's format. */
  format: RunFormat;
  /** Seed instead of the scenario's. */
  seed?: number;
  /** Steps instead of the scenario's. */
  steps?: number;
  /**
   * Stops the run: the service aborts it when the wall time runs out or it shuts down, and the
   * run aborts it when the client goes away. One controller a job, so that nothing long-lived
   * holds on to a job's signal once it ends.
   */
  stop: AbortController;
  /** Called once the run has ended, however it ended. */
  onEnd?: () => void;
}

/** The summary line of a run: what the CLI prints of it, and its meta file. */
export function summaryLine(
  report: RunReport,
  meta: string | undefined,
  scenario: Scenario,
): string {
  const summary = {
    name: report.name,
    seed: report.seed,
    frames: report.frames,
    regimes: report.regimes,
    flags: report.flags,
    eventCounts: report.eventCounts,
    worstEvents: report.worstEvents,
    ...(scenario.warnings ? { warnings: scenario.warnings } : {}),
    ...(meta ? { meta: JSON.parse(meta) } : {}),
  };
  return `${JSON.stringify({ summary })}\n`;
}

/**
 * Runs a scenario onto a streamed response. The scenario's own sinks and renderers give way to
 * the format's sink; a `monteCarlo` section is ignored (a batch is `POST /v1/batches`). The
 * response starts once the first frames are made, so that a run which fails to start is a
 * plain problem response; a run that fails later ends its body with an `{"error": ...}` line
 * holding the problem.
 *
 * @param scenario The checked scenario.
 * @param options The format, overrides and the stop signal.
 * @returns The response.
 * @throws HttpError when the run fails before its first frames.
 */
export async function streamRun(scenario: Scenario, options: StreamRunOptions): Promise<Response> {
  const { format } = options;
  const stop = options.stop.signal;
  const stream = new ResponseStream(() => options.stop.abort(new Error("the client went away")));
  stop.addEventListener("abort", () => stream.stop(stop.reason), { once: true });
  const target = new ResponseTarget(stream);
  let sink: PluginUse<SinkDefinition>;
  try {
    sink = await sinkOf(format);
  } catch (error) {
    options.onEnd?.();
    throw new HttpError(
      415,
      `Cannot write format ${JSON.stringify(format)}: ${(error as Error).message}`,
    );
  }
  const run = runScenario({ ...scenario, sinks: [sink], renderers: [] }, {
    outDir: ".",
    output: target,
    signal: stop,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.steps === undefined ? {} : { steps: options.steps }),
  });
  const reason = (error: unknown) => stop.aborted ? stop.reason : error;
  try {
    await Promise.race([stream.started.promise, run]);
  } catch (error) {
    options.onEnd?.();
    throw toHttpError(reason(error));
  }
  run.then(
    (report) => stream.end(format === "ndjson" ? summaryLine(report, target.meta, scenario) : ""),
    (error) => {
      const problem = problemOf(toHttpError(reason(error)));
      // CSV has no room for an error row: its body is broken off instead.
      if (format === "csv") stream.fail(new Error(problem.detail));
      else stream.end(`${JSON.stringify({ error: problem })}\n`);
    },
  ).finally(() => options.onEnd?.());
  return new Response(stream.readable, {
    status: 200,
    headers: { "content-type": RUN_MEDIA_TYPES[format], "cache-control": "no-store" },
  });
}
