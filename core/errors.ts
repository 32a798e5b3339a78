/**
 * The two kinds of failure the CLI tells apart.
 *
 * A {@linkcode ScenarioError} is the user's to fix (a bad file, field or argument): the CLI
 * prints its message without a stack trace and exits 2. A {@linkcode PluginError} is a plugin
 * that threw or produced a value a frame cannot hold: the CLI prints it with the cause's stack
 * and exits 1, like any other bug.
 *
 * @module
 */

/** A problem with a scenario file or the arguments: the message says where and what. */
export class ScenarioError extends Error {
  /** Every problem found, one line each, each starting with its location. */
  readonly problems: readonly string[];

  /**
   * Creates the error from one or more problem lines.
   *
   * @param problems The problems, each starting with its location.
   */
  constructor(problems: string | readonly string[]) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("\n"));
    this.name = "ScenarioError";
    this.problems = list;
  }
}

/** Where a plugin failed. */
export interface PluginFailure {
  /** Plugin kind and name, such as `generator breakout`. */
  plugin: string;
  /** The scenario file. */
  file: string;
  /** The seed of the run, when the failure happened in one (not while a plugin loaded). */
  seed?: number;
  /** The Monte Carlo run index, when more than one run. */
  run?: number;
  /** The step, when the failure concerns one. */
  step?: number;
}

/** A plugin threw, or produced a value a frame cannot hold. */
export class PluginError extends Error {
  /** Where it failed. */
  readonly failure: PluginFailure;

  /**
   * Creates the error; the message starts with `[kind name]` and ends with file, step and seed.
   *
   * @param failure Where it failed.
   * @param message What failed.
   * @param options The underlying error, if any.
   */
  constructor(failure: PluginFailure, message: string, options?: ErrorOptions) {
    const where = [
      failure.file,
      failure.step === undefined ? undefined : `step ${failure.step}`,
      failure.run === undefined ? undefined : `run ${failure.run}`,
      failure.seed === undefined ? undefined : `seed ${failure.seed}`,
    ].filter(Boolean).join(", ");
    super(`[${failure.plugin}] ${message} (${where})`, options);
    this.name = "PluginError";
    this.failure = failure;
  }
}

/** Why a command stopped early: a signal from outside, such as Ctrl-C's SIGINT. */
export class Interrupted extends Error {
  /**
   * Records the signal.
   *
   * @param signal Its name.
   */
  constructor(readonly signal: "SIGINT" | "SIGTERM") {
    super(`Interrupted by ${signal}`);
    this.name = "Interrupted";
  }

  /** The exit code a shell expects of a process this signal ended: 128 + its number. */
  get code(): number {
    return this.signal === "SIGINT" ? 130 : 143;
  }
}
