// Helpers of the service's tests: a real service on a free loopback port, and the CLI's output.
import { main } from "../../cli.ts";
import { type Service, type ServiceOptions, startService } from "../../service/server.ts";

/** The repository's scenarios folder. */
export const SCENARIOS = new URL("../../scenarios/", import.meta.url);

/** A shipped scenario's text. */
export function scenarioText(name: string): Promise<string> {
  return Deno.readTextFile(new URL(name, SCENARIOS));
}

/** Starts a service on a free port with a fresh output folder, for `body`, then shuts it down. */
export async function withService(
  options: Partial<ServiceOptions>,
  body: (service: Service, outDir: string) => Promise<void>,
): Promise<void> {
  const outDir = options.outDir ?? await Deno.makeTempDir();
  const service = await startService({ ...options, outDir, port: 0 });
  try {
    await body(service, outDir);
  } finally {
    await service.shutdown({ grace: 0 });
  }
}

/** What the CLI writes for a scenario file and arguments, by file name. */
export async function cliOutputs(file: string, args: string[] = []): Promise<Map<string, string>> {
  const out = await Deno.makeTempDir();
  const errors: string[] = [];
  const code = await main([file, "--out", out, "--quiet", ...args], {
    stderr: (line) => errors.push(line),
  });
  if (code !== 0) throw new Error(`the CLI exited ${code}: ${errors.join("\n")}`);
  const files = new Map<string, string>();
  for await (const entry of Deno.readDir(out)) {
    files.set(entry.name, await Deno.readTextFile(`${out}/${entry.name}`));
  }
  await Deno.remove(out, { recursive: true });
  return files;
}

/** POSTs a scenario. */
export function post(service: Service, route: string, body: string, headers: HeadersInit = {}) {
  return fetch(`${service.url}${route}`, { method: "POST", body, headers });
}

/** The files in a folder, recursively, as paths relative to it. */
export async function filesIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string, prefix: string) => {
    for await (const entry of Deno.readDir(at)) {
      if (entry.isDirectory) await walk(`${at}/${entry.name}`, `${prefix}${entry.name}/`);
      else found.push(`${prefix}${entry.name}`);
    }
  };
  await walk(dir, "");
  return found.sort();
}

/** Waits until `test` holds, polling, or fails after `ms`. */
export async function eventually(test: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > until) throw new Error(`still not true after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads a streamed body's first chunk, then cancels it: a client that goes away. */
export async function readThenLeave(response: Response): Promise<Uint8Array> {
  const reader = response.body!.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return value ?? new Uint8Array();
}

/** The events of a Server-Sent Events body: `[event, data]`, data parsed. */
export function parseEvents(text: string): [string, unknown][] {
  return text.split("\n\n").filter((block) => block.trim() !== "").map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
    const data = /^data: (.*)$/m.exec(block)?.[1] ?? "null";
    return [event, JSON.parse(data)];
  });
}
