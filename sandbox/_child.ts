/**
 * The sandbox process: the command, run with the permissions {@linkcode runSandboxed} derived
 * from its arguments (read the scenario's folder and the plugins' modules, nothing else). Its
 * files and printed lines go to the writer as messages on stdout; a watchdog thread names a
 * plugin hook that runs past the time limit.
 *
 * @module
 */
import { join } from "@std/path";
import { main } from "../cli.ts";
import type { OutputStream } from "../core/plugin.ts";
import type { PluginUse, Scenario } from "../core/scenario.ts";
import type { OutputTarget } from "../files/atomic.ts";
import { BUILTINS, loadScenario } from "../plugins/mod.ts";
import { type ChildSettings, header, Op, type OpCode, payload, TIMEOUT_MARK } from "./_wire.ts";

/** Hooks by code, as the watchdog reports them. */
const HOOKS = [
  "loading",
  "start",
  "fill",
  "evaluate",
  "write",
  "writeBlock",
  "close",
  "render",
  "renderTo",
];

function send(op: OpCode, id: number, content: string | Uint8Array = ""): void {
  const body = payload(content);
  writeAll(header(op, id, body.length));
  writeAll(body);
}

function writeAll(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
}

/** Files forwarded to the writer, which holds the real output set. */
class RemoteOutput implements OutputTarget {
  readonly staleRemoved = 0;
  readonly #names: string[] = [];
  #ids = 0;

  constructor(readonly dir: string) {}

  check(name: string): void {
    send(Op.check, 0, name);
  }

  create(name: string): OutputStream {
    const id = ++this.#ids;
    send(Op.create, id, name);
    this.#names.push(name);
    return { write: (content) => send(Op.write, id, content) };
  }

  writeFile(name: string, content: string | Uint8Array): Promise<void> {
    const nameBytes = payload(name), bytes = payload(content);
    const body = new Uint8Array(nameBytes.length + 1 + bytes.length);
    body.set(nameBytes);
    body.set(bytes, nameBytes.length + 1);
    send(Op.writeFile, 0, body);
    this.#names.push(name);
    return Promise.resolve();
  }

  discard(name: string): Promise<void> {
    send(Op.discard, 0, name);
    this.#names.splice(this.#names.indexOf(name), 1);
    return Promise.resolve();
  }

  commit(): Promise<string[]> {
    send(Op.commit, 0);
    return Promise.resolve(this.#names.map((name) => join(this.dir, name)));
  }

  abort(): Promise<void> {
    send(Op.abort, 0);
    return Promise.resolve();
  }
}

/**
 * The hook being run, shared with the watchdog: plugin label (1-based, 0 for none), hook code,
 * start time in ms, step (-1 for none).
 */
const marks = new Float64Array(new SharedArrayBuffer(32));

/** Runs a hook of plugin `label`, marked for the watchdog while it runs. */
function watch<T>(label: number, hook: string, call: () => T, arg: unknown): T {
  const at = arg as { start?: unknown; samples?: { start?: unknown } } | undefined;
  const step = typeof at?.start === "number"
    ? at.start
    : typeof at?.samples?.start === "number"
    ? at.samples.start
    : -1;
  marks[1] = Math.max(0, HOOKS.indexOf(hook)), marks[2] = Date.now(), marks[3] = step;
  marks[0] = label;
  let result: T;
  try {
    result = call();
  } catch (error) {
    marks[0] = 0;
    throw error;
  }
  if (!(result instanceof Promise)) {
    marks[0] = 0;
    return result;
  }
  return result.finally(() => (marks[0] = 0)) as T;
}

/** An object whose methods run watched. */
function watched<T extends object>(target: T, label: number): T {
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        watch(label, String(key), () => value.apply(object, args), args[0]);
    },
  });
}

/** The scenario with the hooks of every plugin from outside option-flight watched. */
function watchForeign(scenario: Scenario, labels: string[]): Scenario {
  const builtins = new Set(BUILTINS.map((b) => b.module));
  const wrap = <U extends PluginUse>(use: U): U => {
    if (builtins.has(use.module)) return use;
    labels.push(`${use.definition.kind} ${use.definition.name} from ${use.use}`);
    const label = labels.length;
    const definition = new Proxy(use.definition, {
      get(object, key) {
        const value = Reflect.get(object, key);
        if (key !== "start" && key !== "render" && key !== "renderTo") return value;
        return (...args: unknown[]) => {
          const made = watch(label, key, () => value.apply(object, args), args[0]);
          const instance = (made: unknown) =>
            typeof made === "object" && made !== null && key === "start"
              ? watched(made, label)
              : made;
          return made instanceof Promise ? made.then(instance) : instance(made);
        };
      },
    });
    return { ...use, definition };
  };
  return {
    ...scenario,
    generators: scenario.generators.map(wrap),
    evaluator: wrap(scenario.evaluator),
    sinks: scenario.sinks.map(wrap),
    renderers: scenario.renderers.map(wrap),
  };
}

/** The watchdog thread: reports the first hook past the limit, then waits to be ended. */
const WATCHDOG = `
self.onmessage = ({ data }) => {
  const { marks, limit, hooks, mark } = data;
  let labels = data.labels;
  self.onmessage = ({ data }) => (labels = data);
  const encoder = new TextEncoder();
  const timer = setInterval(() => {
    const label = marks[0];
    if (label === 0 || Date.now() - marks[2] < limit) return;
    const report = { plugin: labels[label - 1] ?? "a plugin", hook: hooks[marks[1]], step: marks[3] };
    Deno.stderr.writeSync(encoder.encode(mark + JSON.stringify(report) + "\\n"));
    clearInterval(timer);
  }, Math.min(100, limit / 4));
};`;

async function start(): Promise<number> {
  const settings: ChildSettings = JSON.parse(await new Response(Deno.stdin.readable).text());
  // Plugins print to stderr: stdout carries the messages.
  console.log = console.info = console.debug = console.error;
  const labels: string[] = ["the plugins' modules"];
  const url = URL.createObjectURL(new Blob([WATCHDOG], { type: "text/javascript" }));
  const watchdog = new Worker(url, { type: "module" });
  const limit = settings.timeout * 1000;
  watchdog.postMessage({ marks, limit, hooks: HOOKS, mark: TIMEOUT_MARK, labels });
  try {
    return await main(settings.args, {
      stdout: (line) => send(Op.stdout, 0, line),
      stderr: (line) => send(Op.stderr, 0, line),
      ...(settings.terminal ? { draw: (text: string) => send(Op.draw, 0, text) } : {}),
      output: (dir) => new RemoteOutput(dir),
      freeBytes: () => Promise.resolve(settings.free),
      load: async (path) => {
        marks[1] = 0, marks[2] = Date.now(), marks[3] = -1, marks[0] = 1;
        const scenario = await loadScenario(path).finally(() => (marks[0] = 0));
        const watchedScenario = watchForeign(scenario, labels);
        watchdog.postMessage(labels);
        return watchedScenario;
      },
    });
  } finally {
    watchdog.terminate();
  }
}

if (import.meta.main) {
  const code = await start();
  send(Op.exit, code);
}
