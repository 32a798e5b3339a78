/**
 * Batch workers kept between Monte Carlo batches, for programs that run many batches in one
 * process: a parameter sweep, a notebook, a service.
 *
 * @module
 */

/**
 * Web Workers kept between Monte Carlo batches. A batch without a pool starts its workers and
 * stops them when it ends. Each start costs tens of milliseconds, and each new worker runs
 * slowly until V8 has compiled its hot code again. A batch given a pool takes idle workers
 * from it, already compiled, and gives them back when it ends.
 *
 * An open pool keeps the process alive, as any Web Worker does: close it when done, or
 * declare it with `using`.
 *
 * @example A sweep over seeds, sharing warm workers
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario } from "../mod.ts";
 * import { runBatch, WorkerPool } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/mean_revert.jsonc", import.meta.url).pathname);
 * using pool = new WorkerPool();
 * const rates = [];
 * for (const seed of [1, 2, 3]) {
 *   const outDir = await Deno.makeTempDir();
 *   const report = await runBatch(scenario, { outDir, runs: 200, seed, workers: 2, pool });
 *   rates.push(report.summary!.breachRate);
 * }
 * assertEquals(rates.length, 3);
 * assertEquals(pool.idle, 1);
 * ```
 */
export class WorkerPool implements Disposable {
  readonly #idle: Worker[] = [];
  readonly #busy = new Set<Worker>();
  #closed = false;

  /** Workers waiting for a batch. */
  get idle(): number {
    return this.#idle.length;
  }

  /**
   * Takes `count` workers for a batch: idle ones first, then new ones.
   *
   * @param count Workers wanted.
   * @returns The workers, each to be given back with {@linkcode WorkerPool.release}.
   * @throws Error when the pool is closed.
   */
  acquire(count: number): Worker[] {
    if (this.#closed) throw new Error("Cannot run a batch on a closed WorkerPool");
    const workers = this.#idle.splice(0, count);
    for (const worker of workers) this.#busy.add(worker);
    try {
      while (workers.length < count) {
        const worker = new Worker(new URL("./_worker.ts", import.meta.url), {
          type: "module",
        });
        this.#busy.add(worker);
        workers.push(worker);
      }
    } catch (error) {
      for (const worker of workers) this.release(worker, true);
      throw error;
    }
    return workers;
  }

  /**
   * Gives back a worker that {@linkcode WorkerPool.acquire} gave.
   *
   * @param worker The worker.
   * @param reusable Whether it finished its part of the batch, with statistics or a reported
   * error, and can run another. One that failed without reporting, or did not stop in time,
   * is stopped.
   */
  release(worker: Worker, reusable: boolean): void {
    if (!this.#busy.delete(worker)) return;
    worker.onmessage = null;
    worker.onerror = null;
    if (reusable && !this.#closed) this.#idle.push(worker);
    else worker.terminate();
  }

  /** Stops the idle workers, and each busy one as its batch gives it back. */
  close(): void {
    this.#closed = true;
    for (const worker of this.#idle.splice(0)) worker.terminate();
  }

  /** Closes the pool: see {@linkcode WorkerPool.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
