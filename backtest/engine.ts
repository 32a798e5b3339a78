/**
 * The backtest: on every session of a range, a Monte Carlo batch started from that day's real
 * state, whose share of runs touching a band (and the day's walls, with a levels series) is
 * scored against what the market did in the sessions that followed.
 *
 * Definitions, the same for both sides:
 *
 * - The band of day `d` is `close_d ± band * ATR_d` (Wilder ATR in force at `d`'s close). A
 *   touch is a close at or beyond an edge in sessions `d + 1 .. d + horizon`: the simulator
 *   makes one spot per step, a close, so the market side uses closes too. `touch: "high-low"`
 *   scores the market on highs and lows instead, which sees intraday touches the simulated
 *   closes cannot and so biases the observed rate upward.
 * - With a levels series, the walls of day `d` are the series' row in force (the last dated at or
 *   before `d`); a wall touch is a close at or beyond either wall, on the same sessions. Days
 *   before the series' first row have no wall outcome.
 * - A day without `horizon` sessions after it in the price file is left out and counted. The
 *   outcomes may use sessions after `to`: `to` is the last day a batch starts on.
 *
 * Each day's runs start through the generators' `fromState` hooks; the evaluator (the built-in
 * `envelope`) takes the day's ATR, and the walls of the levels series or, without one, the
 * scenario's levels scaled by `close / flip`, so that its flip sits at the day's close and its
 * walls the same percentage away. Run `r` of the day dated `D` draws from the streams of run
 * `dayNumber(D) * 1,000,000 + r` ({@linkcode RUN_STRIDE}), days counted from 0001-01-01: a day's
 * prediction depends on the seed, its date, its state and the settings alone, never on the
 * range, the shard or the number of workers.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import type { MarketState } from "../core/plugin.ts";
import type { PluginUse, Scenario } from "../core/scenario.ts";
import { show } from "../core/options.ts";
import { findBuiltin } from "../core/resolve.ts";
import type { DailySeries } from "../markets/history.ts";
import { replayDays } from "../markets/history.ts";
import type { LevelsSeries } from "../markets/series.ts";
import {
  errorFromData,
  type PluginRecipe,
  scenarioFromRecipe,
  type ScenarioRecipe,
} from "../montecarlo/_thread.ts";
import type { Shard } from "../montecarlo/shard.ts";
import { BUILTINS } from "../plugins/mod.ts";
import type { EnvelopeOptions } from "../plugins/envelope.ts";
import {
  dayCounters,
  type DayJob,
  type DaySetup,
  MAX_DAY_RUNS,
  RUN_STRIDE,
  simulateClaimedDays,
  stopDays,
  type ToDayWorker,
} from "./_days.ts";
import type { Calibration } from "./calibration.ts";

export { MAX_DAY_RUNS, RUN_STRIDE };

/** How the market's side of a touch is read. */
export type TouchRule = "close" | "high-low";

/** The `format` of `<name>.backtest.json`. */
export const BACKTEST_FORMAT = "option-flight/backtest";

/** What `<name>.backtest.json` holds. */
export interface BacktestDocument {
  /** Always {@linkcode BACKTEST_FORMAT}. */
  format: string;
  /** The format's version: 1. */
  formatVersion: number;
  /** The option-flight version that wrote it. */
  version: string;
  /** The scenario's name. */
  scenario: string;
  /** The scenario's description. */
  description: string;
  /** The scenario's fingerprint (its plugins and options). */
  fingerprint: string;
  /** The settings. */
  settings: BacktestSettings;
  /** Sessions in the range. */
  sessions: number;
  /** Sessions scored. */
  scoredSessions: number;
  /** Sessions left out: fewer than `horizon` sessions follow them in the price file. */
  leftOut: number;
  /** Sessions whose IV was carried forward. */
  carriedIv: number;
  /** Generators held at the day's IV and HV. */
  heldGenerators: string[];
  /** Calibration of the band touch. */
  band: Calibration;
  /** Calibration of the wall touch, over the days a levels series gives walls; null without. */
  walls: Calibration | null;
  /** Every scored day. */
  days: BacktestDay[];
}

/** The most sessions a horizon may span. */
export const MAX_HORIZON = 4095;

/** The most Web Workers a backtest may use. */
export const MAX_BACKTEST_WORKERS = 256;

/** Steps of work a new worker must have to pay for its start and warm-up. */
const STEPS_PER_THREAD = 3_000_000;

/** What {@linkcode computeBacktest} runs. */
export interface BacktestOptions {
  /** The daily price file: its sessions are the calendar, its closes the outcomes. */
  history: DailySeries;
  /**
   * A volatility index (VIX) whose close / 100 is each day's IV, joined by date; a session
   * without a row carries the last value forward (and is counted). Without one, IV is the day's HV.
   */
  iv?: DailySeries | undefined;
  /** A levels series giving each day's flip and walls. */
  levels?: LevelsSeries | undefined;
  /** First day a batch starts on, ISO date, inclusive. */
  from: string;
  /** Last day a batch starts on, ISO date, inclusive. */
  to: string;
  /** Sessions after each day that count, from 1 to {@linkcode MAX_HORIZON}. */
  horizon: number;
  /** Half-width of the band in ATRs, > 0. @default {2} */
  band?: number;
  /** Runs per day, from 1 to {@linkcode MAX_DAY_RUNS}. @default {1000} */
  runs?: number;
  /** Seed instead of the scenario's. */
  seed?: number;
  /**
   * Threads: the main thread and `workers - 1` Web Workers. Defaults to the machine's cores,
   * but at most one per 3 million steps of work.
   */
  workers?: number;
  /** How the market's touches are read. @default {"close"} */
  touch?: TouchRule;
  /** Run only this slice of the scored days. */
  shard?: Shard | undefined;
  /** Stops the work, which then throws the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** The settings a backtest ran with, as its outputs record them. */
export interface BacktestSettings {
  /** The scenario file. */
  scenario: string;
  /** The price file. */
  history: string;
  /** The volatility index file, or null when IV is the day's HV. */
  iv: string | null;
  /** The levels series, or null. */
  levels: string | null;
  /** First start day. */
  from: string;
  /** Last start day. */
  to: string;
  /** Sessions after each day. */
  horizon: number;
  /** Half-width of the band, ATRs. */
  band: number;
  /** Runs per day. */
  runs: number;
  /** The seed. */
  seed: number;
  /** How the market's touches are read. */
  touch: TouchRule;
  /** HV window, daily log returns. */
  hvWindow: number;
  /** ATR period, true ranges. */
  atrPeriod: number;
}

/** One scored day. */
export interface BacktestDay {
  /** The session, ISO date. */
  date: string;
  /** Its close. */
  spot: number;
  /** Wilder ATR in force at its close. */
  atr: number;
  /** Realised volatility, annualised. */
  hv: number;
  /** Implied volatility, annualised. */
  iv: number;
  /** Share of the day's runs that touched the band. */
  predicted: number;
  /** Whether the market touched the band. */
  observed: boolean;
  /** The day's walls and their touches, when a levels series gives them. */
  walls?: BacktestWalls;
}

/** A day's walls, from the levels series, and their touches. */
export interface BacktestWalls {
  /** The flip in force. */
  flip: number;
  /** The put wall in force. */
  putWall: number;
  /** The call wall in force. */
  callWall: number;
  /** Share of runs that touched either wall. */
  predicted: number;
  /** Whether the market touched either wall. */
  observed: boolean;
}

/** What {@linkcode computeBacktest} found, before calibration. */
export interface BacktestRun {
  /** The scenario's name. */
  name: string;
  /** The scenario's description. */
  description: string;
  /** The settings. */
  settings: BacktestSettings;
  /** Sessions in the range. */
  sessions: number;
  /** Sessions in the range that have `horizon` sessions after them in the price file. */
  scoredSessions: number;
  /** Sessions left out: fewer than `horizon` sessions follow them. */
  leftOut: number;
  /** Sessions whose IV was carried forward from the last index row. */
  carriedIv: number;
  /**
   * Generators that fill only iv and hv and have no `fromState`: held at the day's IV and HV,
   * which changes no spot path. Their keys.
   */
  heldGenerators: string[];
  /** Which slice of the scored days this is, when sharded. */
  shard: { index: number; count: number; from: number; to: number } | null;
  /** The days simulated, in date order. */
  days: BacktestDay[];
  /** Threads used. */
  workers: number;
}

/** The ISO date's day number, counted from 0001-01-01 (proleptic Gregorian). */
export function dayNumber(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`) - Date.parse("0001-01-01T00:00:00Z");
  return Math.round(ms / 86_400_000);
}

/**
 * Checks that a scenario can be backtested, and makes the recipe each thread loads: the
 * built-in envelope evaluator, built-in generators only, each with `fromState` unless it fills
 * only iv and hv (then held at the day's values).
 *
 * @param scenario The loaded scenario.
 * @returns The recipe and the keys of the held generators.
 * @throws ScenarioError naming the file and every generator that cannot start from a day.
 */
export function backtestRecipe(scenario: Scenario): { recipe: ScenarioRecipe; held: string[] } {
  const problems: string[] = [];
  const where = `${scenario.path}: Cannot backtest`;
  const builtin = (use: PluginUse) => findBuiltin(BUILTINS, use.definition)?.module === use.module;
  const { evaluator } = scenario;
  if (!(builtin(evaluator) && evaluator.definition.name === "envelope")) {
    problems.push(
      `${where}: "evaluator" uses ${
        show(evaluator.use)
      }; a backtest places each day's ATR and walls in the built-in "envelope" evaluator only`,
    );
  }
  const held: string[] = [];
  for (const use of scenario.generators) {
    if (!builtin(use)) {
      problems.push(
        `${where}: ${show(use.key)} uses ${
          show(use.use)
        }, a plugin from outside option-flight; a backtest runs built-in plugins only (outside plugins run in the sandbox of the run command)`,
      );
      continue;
    }
    if (use.definition.fromState) continue;
    const channels = use.channels ?? use.definition.provides;
    if (channels.every((c) => c === "iv" || c === "hv")) {
      held.push(use.key);
      continue;
    }
    problems.push(
      `${where}: ${show(use.key)} uses generator ${
        show(use.definition.name)
      }, which has no fromState hook, so it cannot start from a real day's state`,
    );
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  const heldModule = new URL("./_held.ts", import.meta.url).href;
  const recipeOf = (use: PluginUse): PluginRecipe => ({
    use: use.use,
    key: use.key,
    module: use.module,
    options: use.options,
    ...(use.channels ? { channels: use.channels } : {}),
  });
  const generators = scenario.generators.map((use) =>
    held.includes(use.key)
      ? {
        use: "backtest-held",
        key: use.key,
        module: heldModule,
        options: {},
        channels: use.channels ?? use.definition.provides,
      }
      : recipeOf(use)
  );
  return {
    recipe: {
      path: scenario.path,
      name: scenario.name,
      evaluator: recipeOf(evaluator),
      generators,
      sinks: [],
    },
    held,
  };
}

/**
 * Runs a backtest's batches and reads the market's outcomes; nothing is written.
 *
 * @param scenario The loaded scenario.
 * @param options The history, the range and the settings.
 * @returns Every scored day's prediction and outcome.
 * @throws ScenarioError for a bad setting, a scenario that cannot be backtested or a range with
 * no scored day.
 */
export async function computeBacktest(
  scenario: Scenario,
  options: BacktestOptions,
): Promise<BacktestRun> {
  const settings = checkSettings(scenario, options);
  const { recipe, held } = backtestRecipe(scenario);
  const { history } = options;
  const replay = replayDays(history, {
    from: options.from,
    to: options.to,
    iv: options.iv ? { index: options.iv, carryForward: true } : { constant: 1 },
    hvWindow: settings.hvWindow,
    atrPeriod: settings.atrPeriod,
  });
  const iv = options.iv ? replay.iv : replay.hv;
  const first = history.dates.indexOf(replay.dates[0]!);
  const sessions = replay.dates.length;
  const { horizon } = settings;
  const scored = Math.max(0, Math.min(sessions, history.dates.length - horizon - first));
  if (scored === 0) {
    throw new ScenarioError(
      `${history.path}: Cannot backtest from ${options.from} to ${options.to}: no session of the range has ${horizon} sessions after it in the file (its last is ${
        history.dates.at(-1)
      })`,
    );
  }
  const [from, to] = options.shard ? shardDays(scored, options.shard) : [0, scored];
  const levels = options.levels ? levelsLookup(options.levels) : undefined;
  const base = scenario.evaluator.options as EnvelopeOptions;
  const setups: DaySetup[] = [];
  const days: BacktestDay[] = [];
  const problems: string[] = [];
  for (let s = from; s < to; s++) {
    const date = replay.dates[s]!;
    const state: MarketState = {
      date,
      spot: replay.spot[s]!,
      atr: replay.atr[s]!,
      iv: iv[s]!,
      hv: replay.hv[s]!,
    };
    const walls = levels?.(date);
    const scale = state.spot / base.flip!;
    const placed = walls ?? {
      flip: state.spot,
      putWall: base.putWall! * scale,
      callWall: base.callWall! * scale,
    };
    const generators: unknown[] = [];
    for (const use of scenario.generators) {
      if (held.includes(use.key)) {
        generators.push({ iv: state.iv, hv: state.hv });
        continue;
      }
      try {
        generators.push(use.definition.fromState!(use.options, state));
      } catch (error) {
        if (!(error instanceof ScenarioError)) throw error;
        problems.push(...error.problems.map((p) => `${scenario.path}: ${show(use.key)}: ${p}`));
      }
    }
    const width = settings.band * state.atr;
    setups.push({
      date,
      dayNumber: dayNumber(date),
      spot: state.spot,
      lower: state.spot - width,
      upper: state.spot + width,
      walls: walls ? [walls.putWall, walls.callWall] : undefined,
      evaluator: { ...base, atr: state.atr, ...placed },
      generators,
    });
    const observed = outcome(history, first + s, settings, {
      lower: state.spot - width,
      upper: state.spot + width,
    });
    days.push({
      ...state,
      predicted: NaN,
      observed: observed.band,
      ...(walls
        ? {
          walls: {
            ...walls,
            predicted: NaN,
            observed: outcomeWalls(history, first + s, settings, walls),
          },
        }
        : {}),
    });
    if (problems.length >= 20) break;
  }
  if (problems.length > 0) throw new ScenarioError(problems.slice(0, 20));
  const job: DayJob = {
    recipe,
    seed: settings.seed,
    runs: settings.runs,
    horizon,
    days: setups,
  };
  const { counts, workers } = await simulate(job, options);
  for (let d = 0; d < days.length; d++) {
    const day = days[d]!;
    day.predicted = counts[2 * d]! / settings.runs;
    if (day.walls) day.walls.predicted = counts[2 * d + 1]! / settings.runs;
  }
  return {
    name: scenario.name,
    description: scenario.description ?? "",
    settings,
    sessions,
    scoredSessions: scored,
    leftOut: sessions - scored,
    carriedIv: options.iv ? replay.carriedSessions : 0,
    heldGenerators: held,
    shard: options.shard ? { ...options.shard, from, to } : null,
    days,
    workers,
  };
}

/** The scored days of a shard: a contiguous slice, as a batch's shards slice its runs. */
function shardDays(days: number, shard: Shard): [number, number] {
  const { index, count } = shard;
  if (count > days) {
    throw new ScenarioError(
      `Cannot split ${days} days into ${count} shards: expected at most one shard per day`,
    );
  }
  return [Math.floor(((index - 1) * days) / count), Math.floor((index * days) / count)];
}

function checkSettings(scenario: Scenario, options: BacktestOptions): BacktestSettings {
  const problems: string[] = [];
  const band = options.band ?? 2;
  const runs = options.runs ?? 1000;
  const seed = options.seed ?? scenario.seed;
  const touch = options.touch ?? "close";
  const { horizon } = options;
  if (!(Number.isInteger(horizon) && horizon >= 1 && horizon <= MAX_HORIZON)) {
    problems.push(`Option --horizon: expected an integer in [1, ${MAX_HORIZON}], got ${horizon}`);
  }
  if (!(band > 0 && Number.isFinite(band))) {
    problems.push(`Option --band: expected a number of ATRs > 0, got ${band}`);
  }
  if (!(Number.isInteger(runs) && runs >= 1 && runs <= MAX_DAY_RUNS)) {
    problems.push(`Option --runs: expected an integer in [1, ${MAX_DAY_RUNS}], got ${runs}`);
  }
  if (!(Number.isSafeInteger(seed) && seed >= 0)) {
    problems.push(`Option --seed: expected an integer >= 0, got ${seed}`);
  }
  if (touch !== "close" && touch !== "high-low") {
    problems.push(`Option --touch: expected "close" or "high-low", got ${show(touch)}`);
  }
  const { workers } = options;
  if (
    workers !== undefined &&
    !(Number.isInteger(workers) && workers >= 1 && workers <= MAX_BACKTEST_WORKERS)
  ) {
    problems.push(
      `Option --workers: expected an integer in [1, ${MAX_BACKTEST_WORKERS}], got ${workers}`,
    );
  }
  if (options.levels && options.levels.by !== "date") {
    problems.push(
      `${options.levels.path}: Cannot backtest with levels keyed by step: a backtest needs a series keyed by date`,
    );
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return {
    scenario: scenario.path,
    history: options.history.path,
    iv: options.iv?.path ?? null,
    levels: options.levels?.path ?? null,
    from: options.from,
    to: options.to,
    horizon,
    band,
    runs,
    seed,
    touch,
    hvWindow: 21,
    atrPeriod: 14,
  };
}

/** Whether the market touched the band in the `horizon` sessions after row `i`. */
function outcome(
  history: DailySeries,
  i: number,
  settings: BacktestSettings,
  band: { lower: number; upper: number },
): { band: boolean } {
  const { close, high, low } = history;
  const intraday = settings.touch === "high-low";
  for (let k = i + 1; k <= i + settings.horizon; k++) {
    const up = intraday ? high[k]! : close[k]!, down = intraday ? low[k]! : close[k]!;
    if (up >= band.upper || down <= band.lower) return { band: true };
  }
  return { band: false };
}

/** Whether the market touched either wall in the `horizon` sessions after row `i`. */
function outcomeWalls(
  history: DailySeries,
  i: number,
  settings: BacktestSettings,
  walls: { putWall: number; callWall: number },
): boolean {
  return outcome(history, i, settings, { lower: walls.putWall, upper: walls.callWall }).band;
}

/** The levels series' row in force on a date: the last dated at or before it. */
function levelsLookup(
  series: LevelsSeries,
): (date: string) => { flip: number; putWall: number; callWall: number } | undefined {
  const { dates } = series;
  return (date) => {
    let low = 0, high = dates.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (dates[mid]! <= date) low = mid + 1;
      else high = mid;
    }
    const row = low - 1;
    if (row < 0) return undefined;
    return {
      flip: series.flip[row]!,
      putWall: series.putWall[row]!,
      callWall: series.callWall[row]!,
    };
  };
}

/** Runs the job on the main thread and the workers; two counts per day. */
async function simulate(
  job: DayJob,
  options: BacktestOptions,
): Promise<{ counts: Int32Array; workers: number }> {
  const n = job.days.length;
  const work = n * job.runs * (job.horizon + 1);
  const cores = navigator.hardwareConcurrency || 1;
  const threads = Math.max(
    1,
    Math.min(n, options.workers ?? Math.min(cores, Math.floor(work / STEPS_PER_THREAD))),
  );
  const shared = dayCounters();
  const results = new Int32Array(new SharedArrayBuffer(2 * n * Int32Array.BYTES_PER_ELEMENT));
  const workers: Worker[] = [];
  const answers: Promise<void>[] = [];
  // A stop while the main thread waits for the workers stops their claims too.
  const stop = () => stopDays(shared);
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    for (let w = 1; w < threads; w++) {
      const worker = new Worker(new URL("./_worker.ts", import.meta.url), { type: "module" });
      workers.push(worker);
      answers.push(
        new Promise<void>((resolve, reject) => {
          worker.onmessage = (event) => {
            const data = event.data;
            if (data.type === "error") reject(errorFromData(data.error));
            else resolve();
          };
          worker.onerror = (event) => {
            event.preventDefault();
            reject(new Error(`A backtest worker failed: ${event.message}`));
          };
        }).catch((error) => {
          stopDays(shared);
          throw error;
        }),
      );
      const message: ToDayWorker = { job, shared, results };
      worker.postMessage(message);
    }
    const finished = Promise.all(answers);
    finished.catch(() => {});
    const scenario = await scenarioFromRecipe(job.recipe);
    try {
      await simulateClaimedDays(scenario, job, shared, results, options.signal);
    } catch (error) {
      stopDays(shared);
      throw error;
    }
    await finished;
    options.signal?.throwIfAborted();
  } finally {
    options.signal?.removeEventListener("abort", stop);
    for (const worker of workers) worker.terminate();
  }
  return { counts: results, workers: threads };
}
