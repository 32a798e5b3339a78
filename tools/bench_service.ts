/**
 * Load bench of the service, on loopback only and bounded in requests and time: requests per
 * second and p50/p99 latency of small runs at several concurrencies, the server's memory over
 * 10,000 requests, and the error responses (none are expected below `--max-jobs`).
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-read --allow-write --allow-run tools/bench_service.ts [--requests N] [--steps N] [--seconds S]
 * ```
 *
 * The service runs as its own process, with its task's permissions, so that its memory (as its
 * `/healthz` reports it) is its own.
 *
 * @module
 */
import { fromFileUrl } from "@std/path";

const ROOT = fromFileUrl(new URL("../", import.meta.url));
const flag = (name: string, fallback: number) => {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
};
const REQUESTS = flag("requests", 2000);
const STEPS = flag("steps", 100);
const SECONDS = flag("seconds", 20);
const MEMORY_REQUESTS = flag("memory-requests", 10_000);
const MAX_JOBS = 8;
const CONCURRENCIES = [1, 2, 4, 8];

/** The service as a process, and its URL. */
async function spawn(outDir: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      `--allow-read=.,${outDir}`,
      `--allow-write=${outDir}`,
      "service/cli.ts",
      "--port",
      "0",
      "--out",
      outDir,
      "--max-jobs",
      String(MAX_JOBS),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/listening on (\S+)\n/.test(seen)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the service did not start: ${seen}`);
    seen += value;
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  return { child, url: /listening on (\S+)\n/.exec(seen)![1]! };
}

/** The service's resident memory and heap in use, in MiB, as its /healthz reports them. */
async function memoryMiB(url: string): Promise<[number, number]> {
  const { rss, heapUsed } = await (await fetch(`${url}/healthz`)).json();
  return [rss / 2 ** 20, heapUsed / 2 ** 20];
}

/** Quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** `requests` runs at `concurrency` at once, or as many as `seconds` allow. */
async function load(
  url: string,
  body: string,
  options: { concurrency: number; requests: number; seconds: number; onDone?: (n: number) => void },
) {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let sent = 0;
  const until = performance.now() + options.seconds * 1000;
  const started = performance.now();
  const worker = async () => {
    while (sent < options.requests && performance.now() < until) {
      sent++;
      const t = performance.now();
      const response = await fetch(`${url}/v1/runs?steps=${STEPS}`, { method: "POST", body });
      await response.arrayBuffer();
      latencies.push(performance.now() - t);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      options.onDone?.(latencies.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    errors: latencies.length - (statuses.get(200) ?? 0),
    statuses,
  };
}

if (import.meta.main) {
  const outDir = await Deno.makeTempDir();
  const body = await Deno.readTextFile(new URL("../scenarios/mean_revert.jsonc", import.meta.url));
  const { child, url } = await spawn(outDir);
  try {
    // Warm-up: the plugins' modules load and V8 compiles the run loop.
    await load(url, body, { concurrency: 2, requests: 200, seconds: SECONDS });
    console.log(`small runs: mean_revert.jsonc, ${STEPS} steps, max-jobs ${MAX_JOBS}`);
    console.log("concurrency  requests   req/s    p50 ms   p99 ms  errors");
    for (const concurrency of CONCURRENCIES) {
      const r = await load(url, body, { concurrency, requests: REQUESTS, seconds: SECONDS });
      console.log(
        `${String(concurrency).padStart(11)}  ${String(r.requests).padStart(8)}  ${
          r.rps.toFixed(0).padStart(6)
        }  ${r.p50.toFixed(2).padStart(8)}  ${r.p99.toFixed(2).padStart(7)}  ${
          String(r.errors).padStart(6)
        }`,
      );
    }
    const over = await load(url, body, {
      concurrency: 4 * MAX_JOBS,
      requests: REQUESTS,
      seconds: SECONDS,
    });
    console.log(
      `over the limit (concurrency ${4 * MAX_JOBS}): ${
        over.statuses.get(429) ?? 0
      } of ${over.requests} got 429, ${over.statuses.get(200) ?? 0} got 200`,
    );
    const samples: [number, [number, number]][] = [[0, await memoryMiB(url)]];
    const memory = await load(url, body, {
      concurrency: 4,
      requests: MEMORY_REQUESTS,
      seconds: 10 * SECONDS,
      onDone: (n) => {
        if (n % 1000 === 0) memoryMiB(url).then((m) => samples.push([n, m]));
      },
    });
    console.log(
      `memory over ${memory.requests} requests (concurrency 4, ${memory.errors} errors), MiB rss/heap after n requests:`,
    );
    samples.push([memory.requests, await memoryMiB(url)]);
    console.log(
      samples.sort((a, b) => a[0] - b[0]).map(([n, [rss, heap]]) =>
        `  ${n}: ${rss.toFixed(1)}/${heap.toFixed(1)}`
      ).join("\n"),
    );
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(outDir, { recursive: true });
  }
}
