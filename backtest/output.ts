/**
 * A backtest's files, all written at once into the output folder or not at all:
 * `<name>.backtest.csv` (one row per day), `<name>.calibration.csv`, `<name>.backtest.json`
 * (everything, with the settings) and `<name>.backtest.html`; for a shard, the partial
 * `<name>.backtest.part-<k>-of-<n>.json` that {@linkcode mergeBacktests} combines.
 *
 * @module
 */
import { stringify } from "@std/csv";
import { ScenarioError } from "../core/errors.ts";
import type { Scenario } from "../core/scenario.ts";
import { OutputSet } from "../files/atomic.ts";
import { scenarioFingerprint, VERSION } from "../files/meta.ts";
import { calibrate, type Calibration } from "./calibration.ts";
import { BACKTEST_FORMAT, type BacktestDocument, type BacktestRun } from "./engine.ts";
import { backtestPage } from "./page.ts";

/** The `format` of a shard's partial result. */
export const BACKTEST_PARTIAL_FORMAT = "option-flight/backtest-partial";

/** A shard's partial result. */
export interface BacktestPartial extends Omit<BacktestDocument, "format" | "band" | "walls"> {
  /** Always {@linkcode BACKTEST_PARTIAL_FORMAT}. */
  format: string;
  /** Which shard, and its slice of the scored days. */
  shard: { index: number; count: number; from: number; to: number };
}

/**
 * Calibrates a backtest's days: the band always, the walls over the days that have them.
 *
 * @param run What the backtest found, or the merged days of its shards.
 * @param fingerprint The scenario's fingerprint.
 * @returns The document `<name>.backtest.json` holds.
 */
export function backtestDocument(
  run: Omit<BacktestRun, "workers" | "shard">,
  fingerprint: string,
): BacktestDocument {
  const { days, settings } = run;
  const horizon = { horizon: settings.horizon };
  const band = calibrate(days.map((d) => d.predicted), days.map((d) => d.observed), horizon);
  const walled = days.filter((d) => d.walls);
  const walls = walled.length === 0 ? null : calibrate(
    walled.map((d) => d.walls!.predicted),
    walled.map((d) => d.walls!.observed),
    horizon,
  );
  return {
    format: BACKTEST_FORMAT,
    formatVersion: 1,
    version: VERSION,
    scenario: run.name,
    description: run.description,
    fingerprint,
    settings,
    sessions: run.sessions,
    scoredSessions: run.scoredSessions,
    leftOut: run.leftOut,
    carriedIv: run.carriedIv,
    heldGenerators: run.heldGenerators,
    band,
    walls,
    days,
  };
}

/** The per-day CSV: date, spot, atr, hv, iv, predicted, observed, then the walls' columns. */
export function daysCsv(doc: BacktestDocument): string {
  const walls = doc.walls !== null;
  const columns = ["date", "spot", "atr", "hv", "iv", "predicted", "observed"];
  if (walls) columns.push("flip", "putWall", "callWall", "predictedWall", "observedWall");
  const rows = doc.days.map((d) => {
    const row = [d.date, d.spot, d.atr, d.hv, d.iv, d.predicted, d.observed ? 1 : 0].map(String);
    if (walls) {
      const w = d.walls;
      row.push(
        ...(w
          ? [w.flip, w.putWall, w.callWall, w.predicted, w.observed ? 1 : 0].map(String)
          : ["", "", "", "", ""]),
      );
    }
    return row;
  });
  return stringify([columns, ...rows]);
}

/** The calibration CSV: one row per event and bucket. */
export function calibrationCsv(doc: BacktestDocument): string {
  const columns = [
    "event",
    "low",
    "high",
    "days",
    "meanPredicted",
    "observed",
    "frequency",
    "wilsonLow",
    "wilsonHigh",
    "effectiveLow",
    "effectiveHigh",
  ];
  const rows: string[][] = [];
  const add = (event: string, c: Calibration) => {
    for (const b of c.buckets) {
      const cell = (v: number | null | undefined) => v === null || v === undefined ? "" : String(v);
      rows.push([
        event,
        String(b.low),
        String(b.high),
        String(b.count),
        cell(b.meanPredicted),
        String(b.observed),
        cell(b.frequency),
        cell(b.interval?.[0]),
        cell(b.interval?.[1]),
        cell(b.effectiveInterval?.[0]),
        cell(b.effectiveInterval?.[1]),
      ]);
    }
  };
  add("band", doc.band);
  if (doc.walls) add("walls", doc.walls);
  return stringify([columns, ...rows]);
}

/** The file names of a backtest's outputs. */
export function backtestFiles(name: string): string[] {
  return [
    `${name}.backtest.csv`,
    `${name}.calibration.csv`,
    `${name}.backtest.json`,
    `${name}.backtest.html`,
  ];
}

/** The file name of a shard's partial result. */
export function backtestPartialName(name: string, shard: { index: number; count: number }): string {
  return `${name}.backtest.part-${shard.index}-of-${shard.count}.json`;
}

/**
 * Writes a backtest's files, all at once: the four outputs, or a shard's partial.
 *
 * @param run What the backtest found.
 * @param options The scenario (for its fingerprint) and the output folder.
 * @returns The document (undefined for a shard) and the paths written.
 */
export async function writeBacktest(
  run: BacktestRun,
  options: { scenario: Scenario; outDir: string },
): Promise<{ document: BacktestDocument | undefined; files: string[] }> {
  const fingerprint = await scenarioFingerprint(options.scenario);
  const output = new OutputSet(options.outDir);
  try {
    let document: BacktestDocument | undefined;
    if (run.shard) {
      const { workers: _, shard, ...rest } = run;
      const partial: BacktestPartial = {
        format: BACKTEST_PARTIAL_FORMAT,
        formatVersion: 1,
        version: VERSION,
        scenario: rest.name,
        description: rest.description,
        fingerprint,
        settings: rest.settings,
        sessions: rest.sessions,
        scoredSessions: rest.scoredSessions,
        leftOut: rest.leftOut,
        carriedIv: rest.carriedIv,
        heldGenerators: rest.heldGenerators,
        shard,
        days: rest.days,
      };
      await output.writeFile(backtestPartialName(run.name, shard), json(partial));
    } else {
      document = backtestDocument(run, fingerprint);
      await writeDocument(output, document);
    }
    return { document, files: await output.commit() };
  } catch (error) {
    await output.abort();
    throw error;
  }
}

async function writeDocument(output: OutputSet, document: BacktestDocument): Promise<void> {
  const [days, calibration, data, page] = backtestFiles(document.scenario);
  for (const name of [days!, calibration!, data!, page!]) output.check(name);
  await output.writeFile(days!, daysCsv(document));
  await output.writeFile(calibration!, calibrationCsv(document));
  await output.writeFile(data!, json(document));
  await output.writeFile(page!, backtestPage(document));
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Merges the partial results of every shard of a backtest into its four files.
 *
 * @param paths The partial files, in any order.
 * @param options The output folder.
 * @returns The document and the paths written.
 * @throws ScenarioError naming a file that is not a partial, partials of different backtests,
 * a shard given twice, and the shards that are missing.
 */
export async function mergeBacktests(
  paths: readonly string[],
  options: { outDir: string },
): Promise<{ document: BacktestDocument; files: string[] }> {
  const partials: [string, BacktestPartial][] = [];
  const problems: string[] = [];
  for (const path of paths) {
    let value: BacktestPartial;
    try {
      value = JSON.parse(await Deno.readTextFile(path));
    } catch (error) {
      problems.push(`${path}: Cannot read a backtest partial: ${(error as Error).message}`);
      continue;
    }
    if (value?.format !== BACKTEST_PARTIAL_FORMAT || value.formatVersion !== 1) {
      problems.push(
        `${path}: Cannot merge: expected a backtest partial (format "${BACKTEST_PARTIAL_FORMAT}", version 1)`,
      );
      continue;
    }
    partials.push([path, value]);
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  const [firstPath, first] = partials[0]!;
  const key = (p: BacktestPartial) =>
    JSON.stringify([p.scenario, p.fingerprint, p.settings, p.scoredSessions, p.shard.count]);
  const seen = new Map<number, string>();
  for (const [path, p] of partials) {
    if (key(p) !== key(first)) {
      problems.push(
        `${path}: Cannot merge with ${firstPath}: they are shards of different backtests (scenario, settings or shard count differ)`,
      );
    } else if (seen.has(p.shard.index)) {
      problems.push(
        `${path}: Cannot merge: shard ${p.shard.index} is also ${seen.get(p.shard.index)}`,
      );
    } else {
      seen.set(p.shard.index, path);
    }
  }
  const missing = [];
  for (let k = 1; k <= first.shard.count; k++) if (!seen.has(k)) missing.push(k);
  if (problems.length === 0 && missing.length > 0) {
    problems.push(
      `Cannot merge: shard${missing.length > 1 ? "s" : ""} ${
        missing.join(", ")
      } of ${first.shard.count} missing`,
    );
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  partials.sort((a, b) => a[1].shard.index - b[1].shard.index);
  const days = partials.flatMap(([, p]) => p.days);
  const document = backtestDocument({
    name: first.scenario,
    description: first.description,
    settings: first.settings,
    sessions: first.sessions,
    scoredSessions: first.scoredSessions,
    leftOut: first.leftOut,
    carriedIv: first.carriedIv,
    heldGenerators: first.heldGenerators,
    days,
  }, first.fingerprint);
  const output = new OutputSet(options.outDir);
  try {
    await writeDocument(output, document);
    return { document, files: await output.commit() };
  } catch (error) {
    await output.abort();
    throw error;
  }
}
