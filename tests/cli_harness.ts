// Runs the command in-process for the CLI and batch tests, capturing what it prints.
import { main } from "../cli.ts";
import { loadScenario } from "../plugins/mod.ts";

/** What one call of the command printed and returned. */
export interface CliResult {
  code: number;
  out: string[];
  err: string;
}

/**
 * Runs `main(args)` and collects its output lines and exit code; with `inProcess`, a plugin from
 * outside option-flight runs in this process, not in the sandbox.
 */
export async function cli(args: string[], inProcess = false): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    ...(inProcess ? { load: loadScenario } : {}),
  });
  return { code, out, err: err.join("\n") };
}

/** The sorted names in a folder, or none when it does not exist. */
export function listDir(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  } catch {
    return [];
  }
}
