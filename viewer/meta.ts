/**
 * A run's meta file, `<name>.meta.json` beside its JSONL log (SPEC §2): which scenario, seed
 * and run made the log, and the envelope its frames were flown in. The view reads it with the
 * log, so that a log from a file shows its levels and regime zones as the run's own page does.
 *
 * Read strictly: the format and its version, every field's type and range, the levels' order
 * (`putWall < flip < callWall`) and no unknown key; the run's `tape` (what `deno task run`
 * replays) is passed over. A file that fails any of it is not used,
 * and every problem is reported at once. Levels with none of the envelope's names and no
 * thresholds are another evaluator's: read as no envelope levels. Pure functions, free of DOM
 * APIs.
 *
 * @example A meta file, read
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseRunMeta } from "./meta.ts";
 *
 * const read = parseRunMeta(JSON.stringify({
 *   format: "option-flight/run-meta", formatVersion: 1, version: "0.1.0", scenario: "breakout",
 *   fingerprint: "ab".repeat(32), seed: 42, run: 0, steps: 200,
 *   levels: { atr: 2.8, flip: 692.5, putWall: 680, callWall: 700, riskProxyBase: 1 },
 *   thresholds: { taxiX: 0.3, maneuverX: 2.5, maneuverY: 1.5, ruptureX: 4.5, ruptureY: 2.5, overspeedX: 3.5, stallY: 0.8 },
 * }));
 * assertEquals(read.ok && read.meta.levels?.flip, 692.5);
 * ```
 *
 * @module
 */
import type { SeverityThresholds } from "../core/events.ts";
import type { EnvelopeLevels, Hysteresis, Thresholds } from "../plugins/envelope.ts";
import { THRESHOLD_KEYS } from "./rules.ts";

/** The `format` of a run's meta file. */
export const META_FORMAT = "option-flight/run-meta";
/** The `formatVersion` this view reads. */
export const META_FORMAT_VERSION = 1;
/** How a meta file's name ends; `x.meta.json` belongs to the log `x.jsonl`. */
export const META_SUFFIX = ".meta.json";

/** What a run's meta file says, checked. */
export interface LogMeta {
  /** The option-flight version that wrote the run. */
  version: string;
  /** The scenario's name. */
  scenario: string;
  /** The scenario's fingerprint: 64 hex digits. */
  fingerprint: string;
  /** The run's seed. */
  seed: number;
  /**
   * The Monte Carlo run index, 0 for a single run; `null` for the one meta file of a batch's
   * kept runs, `mc_<name>.meta.json`, whose logs say their run in their names.
   */
  run: number | null;
  /** Steps of the run. */
  steps: number;
  /** The envelope's levels with their thresholds, `null` when the evaluator published none. */
  levels: EnvelopeLevels | null;
}

/** The outcome of {@linkcode parseRunMeta}: the meta, or what is wrong with the file. */
export type MetaRead =
  | { ok: true; meta: LogMeta }
  | { ok: false; problems: string[] };

const TOP_KEYS = [
  "format",
  "formatVersion",
  "version",
  "scenario",
  "fingerprint",
  "seed",
  "run",
  "steps",
  "levels",
  "thresholds",
] as const;
const LEVEL_KEYS = ["atr", "flip", "putWall", "callWall", "riskProxyBase"] as const;

/** A value as a problem message quotes it: JSON, clipped. */
function shown(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the text of a run's meta file.
 *
 * @param text The file's text (a leading byte order mark is allowed).
 * @returns The meta, or every problem found, each naming its field.
 *
 * @example A meta file whose walls are the wrong way round
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseRunMeta } from "./meta.ts";
 *
 * const read = parseRunMeta(JSON.stringify({
 *   format: "option-flight/run-meta", formatVersion: 1, version: "0.1.0", scenario: "x",
 *   fingerprint: "0".repeat(64), seed: 1, run: 0, steps: 10,
 *   levels: { atr: 2.8, flip: 692.5, putWall: 700, callWall: 680, riskProxyBase: 1 },
 *   thresholds: { taxiX: 0.3, maneuverX: 2.5, maneuverY: 1.5, ruptureX: 4.5, ruptureY: 2.5, overspeedX: 3.5, stallY: 0.8 },
 * }));
 * assertEquals(read.ok ? [] : read.problems, [
 *   '"levels.putWall": expected a put wall below the flip (692.5), got 700',
 *   '"levels.callWall": expected a call wall above the flip (692.5), got 680',
 * ]);
 * ```
 */
export function parseRunMeta(text: string): MetaRead {
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return { ok: false, problems: [`not JSON: ${(error as Error).message}`] };
  }
  if (!isObject(data)) {
    return { ok: false, problems: [`expected a JSON object, got ${shown(data)}`] };
  }
  if (data.format !== META_FORMAT) {
    return {
      ok: false,
      problems: [`"format": expected "${META_FORMAT}", got ${shown(data.format)}`],
    };
  }
  if (data.formatVersion !== META_FORMAT_VERSION) {
    return {
      ok: false,
      problems: [
        `"formatVersion": this view reads version ${META_FORMAT_VERSION}, got ${
          shown(data.formatVersion)
        }`,
      ],
    };
  }
  const problems: string[] = [];
  const report = (path: string, what: string) => problems.push(`"${path}": ${what}`);
  // The run's tape is for `deno task run`, not the view: passed over, if it is an object.
  const { tape, ...known } = data;
  unknownKeys(known, TOP_KEYS, "", report);
  if (tape !== undefined && !isObject(tape)) {
    report("tape", `expected the run's tape, an object, got ${shown(tape)}`);
  }
  const word = (key: string, pattern?: RegExp, expected?: string): string => {
    const v = data[key];
    if (typeof v !== "string" || v.length === 0 || (pattern && !pattern.test(v))) {
      report(key, `expected ${expected ?? "a non-empty string"}, got ${shown(v)}`);
      return "";
    }
    return v;
  };
  const whole = (key: string, min: number): number => {
    const v = data[key];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
      report(key, `expected a whole number from ${min}, got ${shown(v)}`);
      return 0;
    }
    return v;
  };
  const version = word("version");
  const scenario = word("scenario");
  const fingerprint = word("fingerprint", /^[0-9a-fA-F]{64}$/, "64 hex digits");
  const seed = whole("seed", 0);
  const run = data.run === null ? null : whole("run", 0);
  const steps = whole("steps", 1);
  const levels = readLevels(data.levels, data.thresholds, report);
  if (problems.length) return { ok: false, problems };
  return { ok: true, meta: { version, scenario, fingerprint, seed, run, steps, levels } };
}

function unknownKeys(
  object: Record<string, unknown>,
  allowed: readonly string[],
  prefix: string,
  report: (path: string, what: string) => void,
): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      report(
        prefix + key,
        `unknown key, expected one of ${allowed.map((k) => `"${k}"`).join(", ")}`,
      );
    }
  }
}

/** The levels and thresholds of a meta file, checked as the envelope checks its options. */
function readLevels(
  levels: unknown,
  thresholds: unknown,
  report: (path: string, what: string) => void,
): EnvelopeLevels | null {
  if (levels === null && thresholds === null) return null;
  // another evaluator's levels, which are not the envelope's: no envelope to draw
  if (
    thresholds === null && isObject(levels) &&
    !LEVEL_KEYS.some((key) => key !== "riskProxyBase" && key in levels)
  ) return null;
  if (levels === null || thresholds === null) {
    const [missing, given] = levels === null ? ["levels", "thresholds"] : ["thresholds", "levels"];
    report(
      missing,
      `expected an object, as "${given}" is one (the two are null only together), got null`,
    );
    return null;
  }
  let ok = true;
  const number = (
    object: Record<string, unknown>,
    path: string,
    key: string,
    positive: boolean,
  ): number => {
    const v = object[key];
    if (typeof v !== "number" || !Number.isFinite(v) || (positive && !(v > 0))) {
      report(
        `${path}.${key}`,
        `expected ${positive ? "a number > 0" : "a finite number"}, got ${shown(v)}`,
      );
      ok = false;
      return NaN;
    }
    return v;
  };
  let read: Record<string, number> = {};
  let severity: SeverityThresholds | undefined | null, hysteresis: Hysteresis | undefined | null;
  if (!isObject(levels)) {
    report("levels", `expected an object or null, got ${shown(levels)}`);
    ok = false;
  } else {
    // Severity bands and hysteresis come only from scenarios that set them.
    const { severity: _, hysteresis: __, ...plain } = levels;
    unknownKeys(plain, LEVEL_KEYS, "levels.", report);
    severity = readSeverity(levels.severity, report);
    hysteresis = readHysteresis(levels.hysteresis, report);
    if (severity === null || hysteresis === null) ok = false;
    read = Object.fromEntries(
      LEVEL_KEYS.map((
        key,
      ) => [key, number(levels, "levels", key, key === "atr" || key === "riskProxyBase")]),
    );
    const { flip, putWall, callWall } = read as Record<string, number>;
    if (Number.isFinite(flip) && Number.isFinite(putWall) && !(putWall! < flip!)) {
      report("levels.putWall", `expected a put wall below the flip (${flip}), got ${putWall}`);
      ok = false;
    }
    if (Number.isFinite(flip) && Number.isFinite(callWall) && !(flip! < callWall!)) {
      report("levels.callWall", `expected a call wall above the flip (${flip}), got ${callWall}`);
      ok = false;
    }
  }
  let th: Record<string, number> = {};
  if (!isObject(thresholds)) {
    report("thresholds", `expected an object or null, got ${shown(thresholds)}`);
    ok = false;
  } else {
    unknownKeys(thresholds, THRESHOLD_KEYS, "thresholds.", report);
    th = Object.fromEntries(
      THRESHOLD_KEYS.map((key) => [key, number(thresholds, "thresholds", key, true)]),
    );
  }
  if (!ok) return null;
  return {
    atr: read.atr!,
    flip: read.flip!,
    putWall: read.putWall!,
    callWall: read.callWall!,
    riskProxyBase: read.riskProxyBase!,
    thresholds: th as unknown as Thresholds,
    ...(severity ? { severity } : {}),
    ...(hysteresis ? { hysteresis } : {}),
  };
}

/** A number at `path` that is finite and at least `min`, reported otherwise. */
function atLeast(value: unknown, min: number, path: string, report: Report): boolean {
  if (typeof value === "number" && Number.isFinite(value) && value >= min) return true;
  report(path, `expected a number >= ${min}, got ${shown(value)}`);
  return false;
}

type Report = (path: string, what: string) => void;

/** The levels' severity bands: `undefined` when absent, `null` when wrong (and reported). */
function readSeverity(value: unknown, report: Report): SeverityThresholds | undefined | null {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    report("levels.severity", `expected an object, got ${shown(value)}`);
    return null;
  }
  let ok = true;
  for (const kind of ["breach", "overspeed", "stall"] as const) {
    const bands = value[kind];
    for (const band of ["medium", "high"] as const) {
      const limit = isObject(bands) ? bands[band] : undefined;
      const path = `levels.severity.${kind}.${band}`;
      if (!isObject(limit)) {
        report(path, `expected { depth, duration }, got ${shown(limit)}`);
        ok = false;
        continue;
      }
      ok = atLeast(limit.depth, 0, `${path}.depth`, report) && ok;
      ok = atLeast(limit.duration, 1, `${path}.duration`, report) && ok;
    }
  }
  return ok ? value as unknown as SeverityThresholds : null;
}

/** The levels' hysteresis bands: `undefined` when absent, `null` when wrong (and reported). */
function readHysteresis(value: unknown, report: Report): Hysteresis | undefined | null {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    report("levels.hysteresis", `expected an object, got ${shown(value)}`);
    return null;
  }
  unknownKeys(value, ["x", "y", "z"], "levels.hysteresis.", report);
  let ok = true;
  for (const axis of ["x", "y", "z"] as const) {
    ok = atLeast(value[axis], 0, `levels.hysteresis.${axis}`, report) && ok;
  }
  return ok ? value as unknown as Hysteresis : null;
}

/**
 * The run index a batch's kept log says in its name, `mc_<scenario>_<run>.jsonl`.
 *
 * @param name The log's name.
 * @param scenario The scenario's name, from its meta file.
 * @returns The run, or `undefined` when the name is not one of that batch's logs.
 *
 * @example Run 37 of a breakout batch
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { runInName } from "./meta.ts";
 *
 * assertEquals(runInName("mc_breakout_37.jsonl", "breakout"), 37);
 * assertEquals(runInName("breakout.jsonl", "breakout"), undefined);
 * ```
 */
export function runInName(name: string, scenario: string): number | undefined {
  const stem = stemOf(name);
  const prefix = `mc_${scenario}_`;
  if (!stem.startsWith(prefix) || !/^\d+$/.test(stem.slice(prefix.length))) return undefined;
  const run = Number(stem.slice(prefix.length));
  return Number.isSafeInteger(run) ? run : undefined;
}

/**
 * Whether a meta file goes with a log by their names: the same stem (`x.jsonl` and
 * `x.meta.json`), or a batch's kept log and the batch's one meta file (`mc_x_3.jsonl` and
 * `mc_x.meta.json`).
 *
 * @param log The log's name.
 * @param meta The meta file's name.
 * @returns Whether they go together.
 */
export function namesPair(log: string, meta: string): boolean {
  const stem = stemOf(log), metaStem = stemOf(meta);
  return stem === metaStem ||
    (metaStem.startsWith("mc_") && stem.startsWith(metaStem + "_") &&
      /^\d+$/.test(stem.slice(metaStem.length + 1)));
}

/** A log or meta file's name without its extension: what pairs `x.jsonl` with `x.meta.json`. */
export function stemOf(name: string): string {
  if (isMetaName(name)) return name.slice(0, -META_SUFFIX.length);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

/**
 * Whether a file's name says it is a run's meta file.
 *
 * @param name The file's name.
 * @returns Whether it ends with `.meta.json` (in any case).
 */
export function isMetaName(name: string): boolean {
  return name.toLowerCase().endsWith(META_SUFFIX);
}

/** A log picked or dropped, with the meta file that goes with it, if any. */
export interface LogPairing<F> {
  /** The log to open, if any was given. */
  log: F | undefined;
  /** Its meta file, if one was given. */
  meta: F | undefined;
  /** Logs given besides the one opened. */
  otherLogs: F[];
  /** Meta files given that go with no log opened. */
  otherMetas: F[];
}

/**
 * Pairs the files of one pick or drop: the first log is opened, with the meta file of the same
 * stem (`x.jsonl` with `x.meta.json`, or a batch's kept log `mc_x_3.jsonl` with the batch's
 * `mc_x.meta.json`); with exactly one log and one meta file, the two go together whatever
 * their names.
 *
 * @param files The files, each with a `name`, in the order given.
 * @returns The log to open, its meta file, and what is left over.
 *
 * @example A log and its meta, and a lone pair with other names
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { pairFiles } from "./meta.ts";
 *
 * const names = (p: { log?: { name: string }; meta?: { name: string } }) => [p.log?.name, p.meta?.name];
 * const given = [{ name: "b.meta.json" }, { name: "a.jsonl" }, { name: "a.meta.json" }];
 * assertEquals(names(pairFiles(given)), ["a.jsonl", "a.meta.json"]);
 * assertEquals(names(pairFiles([{ name: "run.jsonl" }, { name: "x.meta.json" }])), ["run.jsonl", "x.meta.json"]);
 * ```
 */
export function pairFiles<F extends { name: string }>(files: readonly F[]): LogPairing<F> {
  const logs = files.filter((f) => !isMetaName(f.name));
  const metas = files.filter((f) => isMetaName(f.name));
  const log = logs[0];
  let meta: F | undefined;
  if (log) {
    meta = metas.find((m) => stemOf(m.name) === stemOf(log.name)) ??
      metas.find((m) => namesPair(log.name, m.name));
    if (!meta && logs.length === 1 && metas.length === 1) meta = metas[0];
  }
  return {
    log,
    meta,
    otherLogs: logs.slice(1),
    otherMetas: metas.filter((m) => m !== meta),
  };
}

/**
 * What the view notes about a meta file that does not quite fit its log: a different number of
 * frames, or frames whose regimes the meta's thresholds do not give.
 *
 * @param meta The meta.
 * @param facts The log's frame count and whether its frames follow the meta's thresholds.
 * @returns Notes to show, none when it fits.
 */
export function metaMismatch(
  meta: LogMeta,
  facts: { frames: number; badLines: number; agrees: boolean },
): string[] {
  const notes: string[] = [];
  if (facts.frames + facts.badLines !== meta.steps) {
    notes.push(
      `the meta file says ${meta.steps} steps, the log has ${facts.frames + facts.badLines} lines`,
    );
  }
  if (meta.levels && !facts.agrees) {
    notes.push("the frames' regimes and flags do not all follow the meta file's thresholds");
  }
  return notes;
}
