/**
 * `deno task serve`: option-flight as an HTTP service.
 *
 * ```sh
 * deno task serve --port 8000 --out output/service
 * ```
 *
 * It prints `listening on <url>` once it listens, and on SIGINT or SIGTERM stops taking work,
 * lets running jobs finish within `--grace` seconds, cancels the rest and exits 0.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import { failureCode, runProgram } from "../files/process.ts";
import { DEFAULT_LIMITS, type ServiceLimits, startService } from "./server.ts";

const D = DEFAULT_LIMITS;

const USAGE = `Usage: deno task serve [options]

Serves option-flight over HTTP: POST /v1/runs, POST /v1/batches, GET /v1/plugins,
GET /v1/schema, GET /openapi.json, GET /healthz.

Options:
  --host H           Address to listen on (default 127.0.0.1)
  --port N           Port (default 8000; 0 takes a free one)
  --out DIR          Output folder: batches' results, and nothing else (default output/service)
  --token-file FILE  Require "Authorization: Bearer <token>", the file's first line, on every
                     request but GET /healthz
  --allow-use USE    Also run a plugin given by this exact "use" string (a path, resolved against
                     the service's folder, or a jsr:, npm: or file: specifier); repeatable
  --max-body BYTES   Largest scenario body (default ${D.maxBody})
  --max-steps N      Most steps a run, or each run of a batch (default ${D.maxSteps})
  --max-runs N       Most runs a batch (default ${D.maxRuns})
  --max-jobs N       Most runs and batches at once; past it 429 (default ${D.maxJobs})
  --max-seconds S    Most wall time of one run or batch (default ${D.maxSeconds})
  --keep-batches N   Batches whose results are kept, the oldest removed first (default ${D.keepBatches})
  --keep-hours H     How long a batch's results are kept (default ${D.keepHours})
  --grace S          On SIGINT or SIGTERM, how long running jobs may finish (default ${D.grace})
  --help             Show this help

Exit codes: 0 after a shutdown, 2 bad arguments, 1 anything else.`;

const NUMBERS: [flag: string, key: keyof ServiceLimits, min: number][] = [
  ["max-body", "maxBody", 1],
  ["max-steps", "maxSteps", 1],
  ["max-runs", "maxRuns", 1],
  ["max-jobs", "maxJobs", 1],
  ["max-seconds", "maxSeconds", 1],
  ["keep-batches", "keepBatches", 0],
  ["keep-hours", "keepHours", 0],
  ["grace", "grace", 0],
];

const VALUED = ["host", "port", "out", "token-file", ...NUMBERS.map(([flag]) => flag)];

/** The flags: `--name value` or `--name=value`, `--allow-use` repeatable, the others once. */
function readArgs(
  args: string[],
): { help: boolean; values: Map<string, string>; allowUse: string[] } {
  const values = new Map<string, string>();
  const allowUse: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const [, name, inline] = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg) ?? [];
    if (!name || !(VALUED.includes(name) || name === "allow-use")) {
      throw new ScenarioError(`Unknown argument ${JSON.stringify(arg)}; see --help`);
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new ScenarioError(`Cannot read --${name}: it needs a value`);
    if (name === "allow-use") allowUse.push(value);
    else if (values.has(name)) throw new ScenarioError(`Cannot read --${name}: given twice`);
    else values.set(name, value);
  }
  return { help, values, allowUse };
}

/**
 * Runs the service until the signal stops it.
 *
 * @param args Command-line arguments.
 * @param options Where to print, and the signal that shuts the service down.
 * @returns The exit code: 0 after a shutdown, 2 for bad arguments, 1 for anything else.
 *
 * @example Bad arguments exit 2
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { main } from "./cli.ts";
 *
 * assertEquals(await main(["--port", "http"], { stderr: () => {} }), 2);
 * ```
 */
export async function main(
  args: string[],
  options: {
    signal?: AbortSignal;
    stdout?: (line: string) => void;
    stderr?: (line: string) => void;
  } = {},
): Promise<number> {
  const stdout = options.stdout ?? console.log;
  const stderr = options.stderr ?? console.error;
  try {
    const flags = readArgs(args);
    if (flags.help) {
      stdout(USAGE);
      return 0;
    }
    const integer = (flag: string, value: string | undefined, min: number) => {
      if (value === undefined) return undefined;
      if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
        throw new ScenarioError(
          `Cannot read --${flag}: expected an integer >= ${min}, got ${JSON.stringify(value)}`,
        );
      }
      return Number(value);
    };
    const limits: Partial<ServiceLimits> = {};
    for (const [flag, key, min] of NUMBERS) {
      const value = integer(flag, flags.values.get(flag), min);
      if (value !== undefined) limits[key] = value;
    }
    const port = integer("port", flags.values.get("port"), 0);
    if (port !== undefined && port > 65535) {
      throw new ScenarioError(`Cannot read --port: expected at most 65535, got ${port}`);
    }
    let token: string | undefined;
    const tokenFile = flags.values.get("token-file");
    if (tokenFile !== undefined) {
      try {
        token = (await Deno.readTextFile(tokenFile)).split(/\r?\n/)[0]!.trim();
      } catch (error) {
        throw new ScenarioError(
          `${tokenFile}: Cannot read the token file: ${(error as Error).message}`,
        );
      }
      if (token.length < 16) {
        throw new ScenarioError(
          `${tokenFile}: Cannot use the token: its first line has ${token.length} characters, expected at least 16`,
        );
      }
    }
    const service = await startService({
      outDir: flags.values.get("out") ?? "output/service",
      host: flags.values.get("host") ?? "127.0.0.1",
      port: port ?? 8000,
      allowUse: flags.allowUse,
      ...(token === undefined ? {} : { token }),
      ...limits,
    });
    stdout(`listening on ${service.url}`);
    const stop = options.signal;
    if (stop) {
      await new Promise<void>((resolve) => {
        if (stop.aborted) resolve();
        stop.addEventListener("abort", () => resolve(), { once: true });
      });
      stdout(`shutting down: ${service.active} job(s) running`);
      const { cancelled } = await service.shutdown();
      stdout(cancelled > 0 ? `stopped; cancelled ${cancelled} job(s)` : "stopped");
    }
    await service.finished;
    return 0;
  } catch (error) {
    return failureCode(error, stderr);
  }
}

if (import.meta.main) await runProgram(main);
