/**
 * How a command runs as a program: in the folder the user typed it in, with Ctrl-C and
 * SIGTERM stopping its work cleanly and a file-size limit reported rather than fatal.
 *
 * @module
 */
import { Interrupted, ScenarioError } from "../core/errors.ts";

/**
 * Runs a command's `main` on the process's arguments and exits with its code.
 *
 * @param main The command: arguments and a stop signal in, exit code out.
 */
export async function runProgram(
  main: (args: string[], options: { signal: AbortSignal }) => Promise<number>,
): Promise<never> {
  // Under `deno task` the process runs in the project's folder; the user's own is INIT_CWD.
  const env = Deno.permissions.querySync({ name: "env", variable: "INIT_CWD" }).state;
  const init = env === "granted" ? Deno.env.get("INIT_CWD") : undefined;
  if (init) Deno.chdir(init);
  // Ctrl-C and SIGTERM stop the work, which removes its temporary files; a second one quits.
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      if (stop.signal.aborted) Deno.exit(new Interrupted(signal).code);
      stop.abort(new Interrupted(signal));
    });
  }
  // Past a file-size limit a write then fails, and is reported, instead of killing the process.
  Deno.addSignalListener("SIGXFSZ", () => {});
  Deno.exit(await main(Deno.args, { signal: stop.signal }));
}

/**
 * A command's failure, printed, as its exit code: a stop (Ctrl-C, SIGTERM) by its signal's
 * code, bad input (a {@linkcode ScenarioError}) 2 with its message, anything else 1 with its
 * stack.
 *
 * @param error What the command threw.
 * @param stderr Where to print.
 * @returns The exit code.
 */
export function failureCode(error: unknown, stderr: (line: string) => void): number {
  if (error instanceof Interrupted) {
    stderr(`${error.message}: nothing was written, and the output folder is as it was`);
    return error.code;
  }
  if (error instanceof ScenarioError) {
    stderr(error.message);
    return 2;
  }
  stderr(`error: ${error instanceof Error ? error.stack : String(error)}`);
  return 1;
}
