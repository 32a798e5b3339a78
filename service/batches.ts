/**
 * `POST /v1/batches`: a Monte Carlo batch into its own folder of the service's output folder,
 * its progress as Server-Sent Events, then its summary; the folders kept up to a count and an
 * age, the oldest removed first.
 *
 * @module
 */
import { join } from "@std/path";
import type { Scenario } from "../core/scenario.ts";
import { runBatch } from "../montecarlo/batch.ts";
import type { WorkerPool } from "../montecarlo/pool.ts";
import { problemOf, toHttpError } from "./problems.ts";

/** A batch's id: its folder's name. */
export const BATCH_ID = /^[0-9a-z]{8,12}-[0-9a-f]{16}$/;

/** How long a batch's results stay, and how many. */
export interface Retention {
  /** The most batches kept; the oldest go first. */
  keep: number;
  /** How long a batch is kept, in milliseconds. */
  maxAge: number;
}

/** The results of a batch the service serves, by the end of their file names. */
export type BatchResult = "report.html" | "summary.json" | "summary.csv";

/** The batches of the service's output folder: their folders, oldest first. */
export class BatchStore {
  /** The service's output folder. */
  readonly dir: string;
  readonly #retention: Retention;
  /** Finished batches by id, with when they finished, in that order. */
  readonly #done = new Map<string, number>();
  /** Batches still running: their folders are not the store's to remove yet. */
  readonly #running = new Set<string>();

  /**
   * Opens the store on a folder, finding the batches an earlier service left there.
   *
   * @param dir The service's output folder.
   * @param retention How many batches to keep, and how long.
   */
  constructor(dir: string, retention: Retention) {
    this.dir = dir, this.#retention = retention;
    const found: [string, number][] = [];
    try {
      for (const entry of Deno.readDirSync(dir)) {
        if (!entry.isDirectory || !BATCH_ID.test(entry.name)) continue;
        const time = Deno.statSync(join(dir, entry.name)).mtime?.getTime() ?? 0;
        found.push([entry.name, time]);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    for (const [id, time] of found.sort((a, b) => a[1] - b[1])) this.#done.set(id, time);
  }

  /** A new batch's id, sortable by its start, and reserved as running. */
  start(): string {
    const random = crypto.getRandomValues(new Uint8Array(8));
    const hex = [...random].map((b) => b.toString(16).padStart(2, "0")).join("");
    const id = `${Date.now().toString(36)}-${hex}`;
    this.#running.add(id);
    return id;
  }

  /** Records the end of a batch: kept when it succeeded, then the store pruned. */
  finish(id: string, kept: boolean): void {
    this.#running.delete(id);
    if (kept) this.#done.set(id, Date.now());
    this.prune();
  }

  /** The batches kept, oldest first. */
  get ids(): string[] {
    return [...this.#done.keys()];
  }

  /** Removes the batches past the age, then the oldest past the count. */
  prune(now: number = Date.now()): string[] {
    const removed: string[] = [];
    const { keep, maxAge } = this.#retention;
    for (const [id, time] of this.#done) {
      if (now - time <= maxAge && this.#done.size <= keep) break;
      this.#done.delete(id);
      removed.push(id);
      try {
        Deno.removeSync(join(this.dir, id), { recursive: true });
      } catch { /* already gone */ }
    }
    return removed;
  }

  /**
   * The path of a result of a kept batch: `report.html`, `summary.json` or `summary.csv`.
   *
   * @param id The batch's id.
   * @param file Which result.
   * @returns The path, or `undefined` when there is no such batch or file.
   */
  result(id: string, file: BatchResult): string | undefined {
    if (!BATCH_ID.test(id) || !this.#done.has(id)) return undefined;
    try {
      for (const entry of Deno.readDirSync(join(this.dir, id))) {
        if (entry.isFile && entry.name.endsWith(`.${file}`)) return join(this.dir, id, entry.name);
      }
    } catch { /* removed */ }
    return undefined;
  }
}

/** The URLs of a batch's results. */
export function batchUrls(id: string): { report: string; summary: string } {
  return { report: `/v1/batches/${id}/report.html`, summary: `/v1/batches/${id}/summary.json` };
}

/** What {@linkcode streamBatch} runs. */
export interface StreamBatchOptions {
  /** The store the batch's folder goes in. */
  store: BatchStore;
  /** Runs instead of the scenario's. */
  runs: number;
  /** Seed instead of the scenario's. */
  seed?: number;
  /** Steps instead of the scenario's. */
  steps?: number;
  /** Warm workers shared by the service's batches. */
  pool?: WorkerPool;
  /** Stops the batch: the service aborts it for its wall time or a shutdown, the batch when the client goes away. */
  stop: AbortController;
  /** Called once the batch has ended, however it ended. */
  onEnd?: () => void;
}

/** Progress events at most this often, in milliseconds. */
const PROGRESS_EVERY = 100;

/**
 * Runs a batch, answering with its events: `accepted` (its id and result URLs), `progress`
 * (runs done and to do), then `summary` (the summary JSON and the URLs) or `error` (a problem
 * document). A client that goes away stops the batch, which then leaves no folder.
 *
 * @param scenario The checked scenario.
 * @param options The store, the runs and overrides, and the stop signal.
 * @returns The `text/event-stream` response.
 */
export function streamBatch(scenario: Scenario, options: StreamBatchOptions): Response {
  const { store } = options;
  const id = store.start();
  const stop = options.stop.signal;
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const send = (event: string, data: unknown) => {
    if (open) {
      controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    }
  };
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: () => {
      open = false;
      options.stop.abort(new Error("the client went away"));
    },
  });
  const urls = batchUrls(id);
  send("accepted", { id, ...urls });
  let last = 0;
  const progress = (done: number, total: number) => {
    const now = performance.now();
    if (done < total && now - last < PROGRESS_EVERY) return;
    last = now;
    send("progress", { done, total });
  };
  runBatch(scenario, {
    outDir: join(store.dir, id),
    runs: options.runs,
    keepRuns: false,
    onProgress: progress,
    signal: stop,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.steps === undefined ? {} : { steps: options.steps }),
    ...(options.pool ? { pool: options.pool } : {}),
  }).then(
    (report) => {
      store.finish(id, true);
      send("summary", { id, ...urls, summary: report.summary });
    },
    (error) => {
      store.finish(id, false);
      send("error", problemOf(toHttpError(stop.aborted ? stop.reason : error)));
    },
  ).finally(() => {
    if (open) controller.close();
    open = false;
    options.onEnd?.();
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
    },
  });
}
