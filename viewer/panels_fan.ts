/**
 * A Monte Carlo batch's fan, as the view draws it behind a run: read from the batch's
 * `<name>.summary.json` (montecarlo/stats.ts `summarizeStats`), checked strictly, never
 * trusted. The summary's `timeline.steps` are the steps kept; its `series` (spot, X, Y and Z)
 * and `movingLevels` (flip and the walls, when levels moved) give the 5th, 50th and 95th
 * percentiles over the runs at each of them. Free of DOM APIs.
 *
 * @module
 */

/** The quantities a fan may have, as the summary names them. */
export const FAN_SERIES = ["spot", "x", "y", "z", "flip", "putWall", "callWall"] as const;
/** One of {@linkcode FAN_SERIES}. */
export type FanSeries = typeof FAN_SERIES[number];

/** One quantity's percentiles at each step of the fan. */
export interface FanBand {
  /** 5th percentile per step. */
  p5: Float64Array;
  /** Median per step. */
  p50: Float64Array;
  /** 95th percentile per step. */
  p95: Float64Array;
}

/** A batch's fan over steps. */
export interface Fan {
  /** The summary's scenario name. */
  scenario: string;
  /** Number of runs in the batch. */
  runs: number;
  /** The steps the percentiles are kept at, increasing. */
  steps: Int32Array;
  /** The percentiles of each quantity the summary holds. */
  bands: Partial<Record<FanSeries, FanBand>>;
}

/** A summary read: its fan, or every problem found. */
export type FanRead = { ok: true; fan: Fan } | { ok: false; problems: string[] };

/** Most problems listed for one file. */
const MAX_PROBLEMS = 10;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A JSON value shown in a message, clipped. */
function shown(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}

/**
 * Reads a Monte Carlo summary's fan.
 *
 * @param text The text of a `<name>.summary.json`.
 * @returns The fan, or the problems, each naming the field.
 *
 * @example A fan of spot over three steps, and a file that is not one
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseFan } from "./panels_fan.ts";
 *
 * const read = parseFan(JSON.stringify({
 *   scenario: "demo", runs: 100, timeline: { steps: [0, 5, 9] },
 *   series: { spot: { p5: [99, 95, 90], p50: [100, 100, 101], p95: [101, 106, 112] } },
 * }));
 * assertEquals(read.ok && [...read.fan.bands.spot!.p95], [101, 106, 112]);
 * assertEquals(parseFan("[1]"), { ok: false, problems: ["expected a JSON object, got an array"] });
 * ```
 */
export function parseFan(text: string): FanRead {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: ["cannot parse JSON: " + (err as Error).message] };
  }
  if (!isRecord(data)) {
    return {
      ok: false,
      problems: [`expected a JSON object, got ${Array.isArray(data) ? "an array" : shown(data)}`],
    };
  }
  const problems: string[] = [];
  const scenario = typeof data.scenario === "string" ? data.scenario : "";
  if (typeof data.scenario !== "string") {
    problems.push(`"scenario": expected a string, got ${shown(data.scenario)}`);
  }
  const runs = data.runs;
  if (typeof runs !== "number" || !Number.isInteger(runs) || runs < 1) {
    problems.push(`"runs": expected a whole number of at least 1, got ${shown(runs)}`);
  }
  const timeline = data.timeline;
  const rawSteps = isRecord(timeline) ? timeline.steps : undefined;
  let steps = new Int32Array(0);
  if (!Array.isArray(rawSteps) || rawSteps.length === 0) {
    problems.push(
      `"timeline.steps": expected an array of steps, got ${shown(rawSteps)} ` +
        "(a batch of static levels and step-numbered frames keeps no timeline)",
    );
  } else {
    steps = new Int32Array(rawSteps.length);
    for (let k = 0; k < rawSteps.length; k++) {
      const s: unknown = rawSteps[k];
      const before = k > 0 ? steps[k - 1]! : -1;
      if (typeof s !== "number" || !Number.isInteger(s) || s <= before || s > 2 ** 31 - 1) {
        problems.push(`"timeline.steps[${k}]": expected a step after ${before}, got ${shown(s)}`);
        break;
      }
      steps[k] = s;
    }
  }
  const bands: Partial<Record<FanSeries, FanBand>> = {};
  const groups = [["series", data.series], ["movingLevels", data.movingLevels]] as const;
  for (const [group, value] of groups) {
    if (value === undefined) continue;
    if (!isRecord(value)) {
      problems.push(`"${group}": expected an object, got ${shown(value)}`);
      continue;
    }
    for (const name of FAN_SERIES) {
      const entry = value[name];
      if (entry === undefined) continue;
      const band = readBand(`${group}.${name}`, entry, steps.length, problems);
      if (band) bands[name] = band;
    }
  }
  if (problems.length === 0 && Object.keys(bands).length === 0) {
    problems.push(
      `no percentiles over steps: expected "series" (spot, x, y, z) or "movingLevels"`,
    );
  }
  if (problems.length) {
    const more = problems.length - MAX_PROBLEMS;
    return {
      ok: false,
      problems: more > 0
        ? [...problems.slice(0, MAX_PROBLEMS), `… and ${more} more problems`]
        : problems,
    };
  }
  return { ok: true, fan: { scenario, runs: runs as number, steps, bands } };
}

function readBand(
  path: string,
  entry: unknown,
  length: number,
  problems: string[],
): FanBand | undefined {
  if (!isRecord(entry)) {
    problems.push(`"${path}": expected an object with p5, p50 and p95, got ${shown(entry)}`);
    return undefined;
  }
  const out: Partial<FanBand> = {};
  for (const key of ["p5", "p50", "p95"] as const) {
    const arr = entry[key];
    if (!Array.isArray(arr) || arr.length !== length) {
      problems.push(
        `"${path}.${key}": expected an array of ${length} numbers (one per step), got ${
          Array.isArray(arr) ? `${arr.length}` : shown(arr)
        }`,
      );
      return undefined;
    }
    const values = new Float64Array(length);
    for (let k = 0; k < length; k++) {
      const v: unknown = arr[k];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        problems.push(`"${path}.${key}[${k}]": expected a finite number, got ${shown(v)}`);
        return undefined;
      }
      values[k] = v;
    }
    out[key] = values;
  }
  return out as FanBand;
}
