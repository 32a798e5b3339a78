/**
 * The plugin sandbox. A scenario that uses a plugin from outside option-flight (a relative path,
 * `file:`, `npm:` or `jsr:`) runs in a child process with only the permissions it needs: read
 * access to the scenario's folder and to the plugins' module graphs, and no write, network,
 * environment, subprocess or FFI access. Its own heap limit and a watchdog on every hook of
 * those plugins bound memory and time. This process holds the output set and writes every
 * file the child sends; a child that fails leaves nothing behind.
 *
 * A child process rather than a Worker with scoped permissions: a Worker that runs out of
 * memory aborts the whole process (temporary files stay), needs `--unstable-worker-options`,
 * and cannot be given a heap limit of its own.
 *
 * @module
 */
import { parse } from "@std/jsonc";
import { dirname, fromFileUrl, resolve } from "@std/path";
import { PluginError, ScenarioError } from "../core/errors.ts";
import type { Builtin, OutputStream, PluginKind } from "../core/plugin.ts";
import { resolveUse } from "../core/resolve.ts";
import { OutputSet } from "../files/atomic.ts";
import { isMetaData, readTape } from "../files/tape.ts";
import { formatCount } from "../montecarlo/format.ts";
import { BUILTINS } from "../plugins/mod.ts";
import { type ChildSettings, Op, readMessages, TIMEOUT_MARK } from "./_wire.ts";

/** The kind of plugin each section of a scenario names. */
const SECTIONS = new Map<string, PluginKind>([
  ["evaluator", "evaluator"],
  ["generators", "generator"],
  ["sinks", "sink"],
  ["renderers", "renderer"],
]);

/** Seconds a hook of a sandboxed plugin may run, by default. */
export const DEFAULT_TIMEOUT = 60;
/** Megabytes of heap the sandbox may use, by default. */
export const DEFAULT_MEMORY = 4096;

/** A plugin from outside option-flight that a scenario names. */
export interface ForeignPlugin {
  /** The `use` string as written. */
  use: string;
  /** The module it resolves to. */
  module: string;
}

/** What the sandbox needs to know of a scenario file before it starts. */
export interface ScenarioScan {
  /** The plugins from outside option-flight it names, in the order written. */
  foreign: ForeignPlugin[];
  /**
   * Data files its built-in plugins name (their `dataFiles` options), as absolute paths; for a
   * run's tape, the original scenario's folder first, which its plugins may read as they could
   * when run from the scenario.
   */
  dataFiles: string[];
}

/** Deepest a scenario's `use` string can be: top, section, list or labels, entry, `use`. */
const MAX_USE_DEPTH = 4;

/**
 * The plugins from outside option-flight a scenario file names, found without importing any:
 * every `use` string anywhere in the file that is not a built-in; and the data files its
 * built-ins name, which the sandbox may read. A run's meta file names those of its tape,
 * resolved against the original scenario's folder, as a run of the tape resolves them. A file
 * that cannot be read or parsed names none (loading it then reports why, before any import).
 *
 * @param path The scenario file, or a run's meta file.
 * @returns The plugins and the data files.
 */
export async function scanScenario(path: string): Promise<ScenarioScan> {
  const scan: ScenarioScan = { foreign: [], dataFiles: [] };
  let tree: unknown;
  try {
    tree = parse((await Deno.readTextFile(path)).replace(/^\uFEFF/, ""));
  } catch {
    return scan;
  }
  // A tape's plugins and files resolve against the scenario it was made from.
  let anchor = path;
  if (isMetaData(tree)) {
    try {
      const tape = readTape(tree, path);
      [anchor, tree] = [tape.scenarioPath, tape.scenario];
    } catch {
      return scan;
    }
    if (anchor !== path) scan.dataFiles.push(dirname(resolve(anchor)));
  }
  const builtins: [Builtin, Record<string, unknown>][] = [];
  // A bare name is the built-in of its section's kind. A `use` sits a few levels down (a
  // section, a list or labels, an entry): deeper nesting holds none, and is not walked.
  const walk = (value: unknown, kind: PluginKind | undefined, depth = 0): void => {
    if (depth > MAX_USE_DEPTH) return;
    if (Array.isArray(value)) return value.forEach((item) => walk(item, kind, depth + 1));
    if (typeof value !== "object" || value === null) return;
    const entry = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(entry)) {
      if (key === "use" && typeof item === "string" && kind) {
        try {
          const resolved = resolveUse(item, { scenarioPath: anchor, builtins: BUILTINS, kind });
          if (resolved.builtin) builtins.push([resolved.builtin, entry]);
          else scan.foreign.push({ use: item, module: resolved.module });
        } catch { /* an unknown name: loading reports it */ }
      } else walk(item, kind ?? SECTIONS.get(key), depth + 1);
    }
  };
  walk(tree, undefined);
  for (const [builtin, entry] of builtins) {
    for (const key of (await builtin.load()).dataFiles ?? []) {
      const name = entry[key];
      if (typeof name === "string") scan.dataFiles.push(resolve(dirname(resolve(anchor)), name));
    }
  }
  return scan;
}

/** How {@linkcode runSandboxed} runs the command. */
export interface SandboxOptions {
  /** The scenario file, as given. */
  file: string;
  /** The output folder, as given. */
  outDir: string;
  /** The scenario's plugins from outside option-flight. */
  foreign: ForeignPlugin[];
  /** Data files its built-ins read, outside its folder too. @default {[]} */
  dataFiles?: string[];
  /** Seconds a hook of theirs may run. @default {DEFAULT_TIMEOUT} */
  timeout?: number;
  /** Megabytes of heap the sandbox may use. @default {DEFAULT_MEMORY} */
  memory?: number;
  /** Receives the command's output lines. */
  stdout: (line: string) => void;
  /** Receives its error lines, and the plugins' console output. */
  stderr: (line: string) => void;
  /** Draws the progress bar in place, when stderr is a terminal. */
  draw?: ((text: string) => void) | undefined;
  /** Ends the sandbox, writing nothing: its reason is then thrown. */
  signal?: AbortSignal | undefined;
  /** Free bytes on the output folder's disk, which the sandbox cannot ask for itself. */
  free?: number | undefined;
}

/** The V8 flags of `deno task run`, for the same speed in the sandbox. */
const V8_FLAGS = "--max-inlined-bytecode-size-cumulative=200,--no-concurrent-recompilation";

/**
 * Runs the command in the sandbox and writes the files it sends into the output folder.
 *
 * @param args The command's arguments.
 * @param options The scenario, its foreign plugins, the limits and where to print.
 * @returns The command's exit code.
 * @throws PluginError when a plugin runs past the time or memory limit; the signal's reason
 *   when stopped.
 */
export async function runSandboxed(args: string[], options: SandboxOptions): Promise<number> {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const memory = options.memory ?? DEFAULT_MEMORY;
  const deno = denoCommand();
  const reads = await readGrants(deno, options);
  const config = new URL("../deno.json", import.meta.url);
  const child = new Deno.Command(deno, {
    args: [
      "run",
      "--no-prompt",
      "--cached-only",
      "--no-lock",
      ...(config.protocol === "file:" ? ["--config", fromFileUrl(config)] : []),
      `--allow-read=${reads.join(",")}`,
      `--v8-flags=--max-old-space-size=${memory},${V8_FLAGS}`,
      new URL("./_child.ts", import.meta.url).href,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const settings: ChildSettings = {
    args,
    timeout,
    terminal: options.draw !== undefined,
    ...(options.free === undefined ? {} : { free: options.free }),
  };
  const stdin = child.stdin.getWriter();
  await stdin.write(new TextEncoder().encode(JSON.stringify(settings)));
  await stdin.close();
  const stop = () => child.kill("SIGKILL");
  options.signal?.addEventListener("abort", stop, { once: true });
  const writer = new Writer(options.outDir, options);
  const watched = watchStderr(child.stderr, options.stderr, () => child.kill("SIGKILL"));
  let failed: unknown;
  try {
    await writer.take(child.stdout).catch((error) => {
      failed = error;
      child.kill("SIGKILL");
    });
  } finally {
    options.signal?.removeEventListener("abort", stop);
  }
  const status = await child.status;
  const seen = await watched;
  if (writer.code === undefined || failed !== undefined) await writer.abort();
  if (options.signal?.aborted) throw options.signal.reason;
  if (failed !== undefined) throw failed;
  if (writer.code !== undefined) return writer.code;
  const file = options.file;
  const uses = options.foreign.map((p) => JSON.stringify(p.use)).join(", ");
  if (seen.timeout) {
    const { plugin, hook, step } = seen.timeout;
    const failure = { plugin, file, ...(step >= 0 ? { step } : {}) };
    const what = hook === "loading"
      ? `took longer than ${timeout} s to load`
      : `did not return from its ${hook} hook within ${timeout} s`;
    throw new PluginError(failure, `${what} (limit: --plugin-timeout seconds)`);
  }
  if (seen.outOfMemory) {
    throw new PluginError(
      { plugin: `sandbox of ${uses}`, file },
      `ran out of memory: plugins from outside option-flight run in a process limited to ${
        formatCount(memory)
      } MB (raise it with --plugin-memory)`,
    );
  }
  throw new Error(
    `The plugin sandbox for ${uses} ended with ${
      status.signal ?? `exit code ${status.code}`
    } before it finished`,
  );
}

/** `deno`: this executable when allowed to run it, else the one on the PATH. */
function denoCommand(): string {
  const self = Deno.execPath();
  const state = Deno.permissions.querySync({ name: "run", command: self }).state;
  return state === "granted" ? self : "deno";
}

/** What the sandbox may read: the scenario's folder, its data files and the module graphs it loads. */
async function readGrants(deno: string, options: SandboxOptions): Promise<string[]> {
  const roots = [
    ...options.foreign.map((p) => p.module),
    // A batch's workers load the plugins again, from a module of this package.
    new URL("../montecarlo/_worker.ts", import.meta.url).href,
  ];
  const grants = new Set([dirname(resolve(options.file)), ...options.dataFiles ?? []]);
  await Promise.all(roots.map(async (root) => {
    const info = await new Deno.Command(deno, {
      args: ["info", "--json", "--no-lock", root],
      stdout: "piped",
      stderr: "null",
    }).output();
    // A module that cannot be resolved: the sandbox's own import says why.
    if (!info.success) return;
    const graph = JSON.parse(new TextDecoder().decode(info.stdout)) as ModuleGraph;
    for (const module of graph.modules) if (module.local) grants.add(module.local);
    if (Object.keys(graph.npmPackages ?? {}).length > 0) grants.add(await npmCache(deno));
  }));
  return [...grants];
}

interface ModuleGraph {
  modules: { local?: string }[];
  npmPackages?: Record<string, unknown>;
}

async function npmCache(deno: string): Promise<string> {
  const info = await new Deno.Command(deno, { args: ["info", "--json"], stdout: "piped" })
    .output();
  return (JSON.parse(new TextDecoder().decode(info.stdout)) as { npmCache: string }).npmCache;
}

/** What the sandbox's stderr told: a hook past the limit, or the heap exhausted. */
interface Seen {
  timeout?: { plugin: string; hook: string; step: number };
  outOfMemory: boolean;
}

/** Passes the sandbox's stderr lines on, picking out the watchdog's and V8's last words. */
async function watchStderr(
  stream: ReadableStream<Uint8Array>,
  print: (line: string) => void,
  end: () => void,
): Promise<Seen> {
  const seen: Seen = { outOfMemory: false };
  let rest = "", blank = 0, dying = false;
  const take = (line: string) => {
    if (line.startsWith(TIMEOUT_MARK)) {
      seen.timeout = JSON.parse(line.slice(TIMEOUT_MARK.length));
      end();
    } else if (/Fatal JavaScript out of memory|Reached heap limit/.test(line)) {
      seen.outOfMemory = true;
    } else if (line.startsWith("<--- Last few GCs --->")) {
      dying = true; // V8's heap dump before it aborts: the message says it better
    } else if (line === "") {
      blank++;
    } else if (!dying && !seen.outOfMemory && !seen.timeout) {
      for (; blank > 0; blank--) print("");
      print(line);
    }
  };
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    const text = decoder.decode(bytes, { stream: true });
    const lines = (rest + text).split("\n");
    rest = lines.pop()!;
    lines.forEach(take);
  }
  if (rest) take(rest);
  return seen;
}

/** The writer's end: the output set, and the files the sandbox streams into it. */
class Writer {
  readonly #output: OutputSet;
  readonly #files = new Map<number, OutputStream>();
  readonly #decoder = new TextDecoder();
  #committed = false;
  /** The command's exit code, once the sandbox sent it. */
  code: number | undefined;

  readonly #printers: Pick<SandboxOptions, "stdout" | "stderr" | "draw">;

  constructor(dir: string, printers: Pick<SandboxOptions, "stdout" | "stderr" | "draw">) {
    this.#output = new OutputSet(dir);
    this.#printers = printers;
  }

  /** Carries out every message, in order, until the stream ends. */
  async take(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const { op, id, body } of readMessages(stream)) {
      const text = () => this.#decoder.decode(body);
      if (op === Op.write) {
        const file = this.#files.get(id);
        if (!file) {
          throw new Error(`The plugin sandbox wrote to file ${id}, which it never started`);
        }
        await file.write(body);
      } else if (op === Op.create) this.#files.set(id, await this.#output.create(text()));
      else if (op === Op.writeFile) {
        const cut = body.indexOf(0);
        const name = this.#decoder.decode(body.subarray(0, cut));
        await this.#output.writeFile(name, body.subarray(cut + 1));
      } else if (op === Op.check) this.#output.check(text());
      else if (op === Op.discard) await this.#output.discard(text());
      else if (op === Op.commit) {
        await this.#output.commit();
        this.#committed = true;
      } else if (op === Op.abort) await this.abort();
      else if (op === Op.exit) this.code = id;
      else if (op === Op.stdout || op === Op.stderr || op === Op.draw) this.#print(op, text());
      else throw new ScenarioError(`The plugin sandbox sent an unknown message (${op})`);
    }
  }

  #print(op: number, text: string): void {
    const { stdout, stderr, draw } = this.#printers;
    (op === Op.stdout ? stdout : op === Op.stderr ? stderr : draw)?.(text);
  }

  /** Removes every temporary file, unless the set was committed. */
  async abort(): Promise<void> {
    if (!this.#committed) await this.#output.abort();
  }
}
