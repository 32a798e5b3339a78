/**
 * option-flight: flies a market through a dealer-gamma flight envelope.
 *
 * Each step maps `(spot, iv, hv)` to a point in a 3D state space (X airspeed
 * `|spot - flip| / atr`, Y load factor `iv / hv`, Z wall proximity), classifies its regime
 * (TAXI, CRUISE, MANEUVER, RUPTURE) and raises flags (BREACH, OVERSPEED, STALL). Scenario
 * files wire generators, an evaluator, sinks and renderers together; this module exports the
 * plugin interfaces, the built-in plugins and the functions that load and run scenarios.
 * Monte Carlo batches are in `./montecarlo`, the helpers for testing plugins in `./testing`.
 *
 * @example Evaluate one state against the envelope
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { DEFAULT_THRESHOLDS, evaluateState, REGIMES } from "./mod.ts";
 *
 * const levels = { atr: 2.8, flip: 692.5, putWall: 680, callWall: 700, riskProxyBase: 1, thresholds: DEFAULT_THRESHOLDS };
 * assertEquals(REGIMES[evaluateState(levels, { spot: 694, iv: 0.15, hv: 0.12 }).regime], "CRUISE");
 * ```
 *
 * @example Run a scenario in memory
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { loadScenario, simulate } from "./mod.ts";
 *
 * const scenario = await loadScenario(new URL("./scenarios/breakout.jsonc", import.meta.url).pathname);
 * const frames = await simulate(scenario);
 * assertEquals(frames.length, 200);
 * ```
 *
 * @module
 */
export { PluginError, type PluginFailure, ScenarioError } from "./core/errors.ts";
export {
  BREACH,
  type Channel,
  CHANNELS,
  type EvaluationBlock,
  type Flag,
  FLAGS,
  flagsOf,
  type Frame,
  OVERSPEED,
  type Regime,
  REGIMES,
  type RunBlock,
  type RunColumns,
  type SampleBlock,
  STALL,
} from "./core/frame.ts";
export {
  countEvents,
  DEFAULT_FLAG_LINES,
  DEFAULT_SEVERITY,
  detectEvents,
  EVENT_KINDS,
  type EventColumns,
  type EventCounts,
  eventDepth,
  EventDetector,
  type EventKind,
  type EventOptions,
  eventOptionsOf,
  type FlagEventKind,
  type FlagLines,
  type FlightEvent,
  SEVERITIES,
  type Severity,
  type SeverityBands,
  type SeverityLimit,
  severityOf,
  type SeverityThresholds,
  worstEvents,
} from "./core/events.ts";
export {
  boolean,
  choice,
  type Field,
  type Fields,
  type FieldSpec,
  group,
  integer,
  Issues,
  type JsonSchema,
  number,
  type NumberSpec,
  type OptionsOf,
  type Read,
  string,
  type StringSpec,
} from "./core/options.ts";
export {
  type Builtin,
  type BuiltinTable,
  defineEvaluator,
  defineGenerator,
  defineRenderer,
  defineSink,
  type EvaluatorDefinition,
  type EvaluatorInstance,
  type GeneratorContext,
  type GeneratorDefinition,
  type GeneratorInstance,
  type Levels,
  type MarketState,
  type OutputStream,
  type PluginBase,
  type PluginContext,
  type PluginDefinition,
  type PluginKind,
  type PluginSpec,
  type RenderContext,
  type RendererDefinition,
  type SinkContext,
  type SinkDefinition,
  type SinkInstance,
} from "./core/plugin.ts";
export { createStream, type RandomStream } from "./core/random.ts";
export { startPathBlock } from "./plugins/_path.ts";
export {
  BLOCK_SIZE,
  framesOf,
  type HookCall,
  type RunCursor,
  type RunOptions,
  RunPlan,
  simulate,
  startRun,
  streamFrames,
} from "./core/run.ts";
export {
  type RunCounts,
  type RunReport,
  runScenario,
  type RunScenarioOptions,
  type TimedEvent,
  WORST_EVENTS,
} from "./files/run.ts";
export type { OutputTarget } from "./files/atomic.ts";
export type { MonteCarloSettings, PluginUse, Scenario } from "./core/scenario.ts";
export {
  MAX_RUNS,
  MAX_STEPS,
  type RunOverrides,
  type RunSettings,
  runSettings,
  type SettingsOf,
} from "./core/settings.ts";
export { BUILTINS, loadScenario, parseScenario } from "./plugins/mod.ts";
export {
  FitError,
  fitGarch,
  fitJumps,
  garchLogLikelihood,
  historyReturns,
  jumpsLogLikelihood,
  logReturns,
  minimise,
} from "./models/mod.ts";
export type { Fit, GarchFit, GarchParams, JumpsFit, JumpsParams } from "./models/mod.ts";
export {
  default as envelope,
  DEFAULT_THRESHOLDS,
  type EnvelopeLevels,
  envelopeLevels,
  type EnvelopeOptions,
  type EnvelopeState,
  evaluateState,
  type Hysteresis,
  isEnvelopeLevels,
  type Thresholds,
} from "./plugins/envelope.ts";
export {
  default as events,
  type EventsOptions,
  formatEvents,
  type FormatEventsOptions,
} from "./plugins/events.ts";
export {
  type BadLine,
  default as jsonl,
  formatJsonl,
  type JsonlOptions,
  type ParsedJsonl,
  parseJsonl,
  readJsonl,
  writeJsonl,
} from "./plugins/jsonl.ts";
export { default as meanRevert, type MeanRevertOptions } from "./plugins/mean_revert.ts";
export { type BreakoutOptions, default as breakout } from "./plugins/breakout.ts";
export { default as falseBreakout, type FalseBreakoutOptions } from "./plugins/false_breakout.ts";
export { default as gammaRegime, type GammaRegimeOptions } from "./plugins/gamma_regime.ts";
export { default as garch, type GarchOptions } from "./plugins/garch.ts";
export { default as heston, type HestonOptions } from "./plugins/heston.ts";
export { default as jumps, type JumpsOptions } from "./plugins/jumps.ts";
export { default as pin, type PinOptions } from "./plugins/pin.ts";
export { default as volPath, type VolPathOptions } from "./plugins/vol_path.ts";
export { default as hv, type HvOptions } from "./plugins/hv.ts";
export { default as html, type HtmlOptions } from "./plugins/html.ts";
