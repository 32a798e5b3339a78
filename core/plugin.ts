/**
 * Plugin interfaces and the typed helpers that define plugins.
 *
 * There are four kinds, run in this fixed order for every block of steps: generators fill the
 * sample channels, the evaluator maps samples to envelope coordinates, regimes and flags, sinks
 * receive the frames as they stream, and renderers draw the whole run once it is complete.
 *
 * @module
 */
import type {
  Channel,
  EvaluationBlock,
  Frame,
  RunBlock,
  RunColumns,
  SampleBlock,
} from "./frame.ts";
import type { Fields, OptionsOf } from "./options.ts";
import type { RandomStream } from "./random.ts";

/**
 * What an evaluator publishes for the other plugins, by name: the envelope's levels and
 * thresholds, for example. The core passes it on and never reads it.
 */
export type Levels = object;

/** What every hook is handed. */
export interface PluginContext<O> {
  /** The plugin's options, read and checked against its fields. */
  readonly options: O;
  /** The scenario's name, also the stem of its output files. */
  readonly name: string;
  /** The scenario's seed. */
  readonly seed: number;
  /** The Monte Carlo run index, 0 for a single run. */
  readonly run: number;
  /** Number of steps in this run. */
  readonly steps: number;
  /** The scenario file: a data file an option names is relative to its folder. */
  readonly file: string;
}

/** What a generator's `start` hook is handed. */
export interface GeneratorContext<O> extends PluginContext<O> {
  /** This generator's own random stream, derived from the seed, the run and its key. */
  readonly random: RandomStream;
  /**
   * The levels published by the evaluator.
   *
   * @throws Error when the scenario's evaluator publishes none.
   */
  levels(): Levels;
}

/** A started generator: fills its channels block after block. */
export interface GeneratorInstance {
  /**
   * Fills the channels the generator provides for entries `0 .. block.length - 1`. Channels
   * of earlier generators (in `time`, `spot`, `iv`, `hv` order) are already filled.
   */
  fill(block: SampleBlock): void;
  /** Number of steps the generator can supply, when finite (a data file); the run stops there. */
  readonly length?: number;
}

/** What every plugin definition has: its kind, its name, its option fields and their checks. */
export interface PluginBase<K extends string, O> {
  /** The plugin's kind. */
  readonly kind: K;
  /** Kebab-case name, used in `use` strings and error messages. */
  readonly name: string;
  /** Option fields. */
  readonly options: Fields;
  /**
   * The options that name data files the plugin reads (relative to the scenario's folder):
   * the plugin sandbox may read them, wherever they are.
   */
  readonly dataFiles?: readonly string[];
  /**
   * Cross-field checks on the options, reported by key; `scenario.steps` is the scenario's
   * steps, for an option that names a step, and `scenario.file` the scenario file, for an
   * option that names a data file. Called even when another of the plugin's fields was
   * refused, so that a file's problems are reported at once (a refused field is then undefined).
   * `scenario.warn`, when given, notes a setting that is allowed but deserves a second look: the
   * run goes ahead, and the warning is printed with its summary.
   */
  check?(
    options: O,
    report: (key: string, message: string) => void,
    scenario: { steps: number; file: string; warn?: (key: string, message: string) => void },
  ): void;
  /**
   * The options as every run uses them, made once when the scenario loads (after `check`, when
   * it passed): reading a data file the options name here, on the main thread, hands batch
   * workers the result instead of the file.
   *
   * @throws ScenarioError for a bad file, reported with the scenario's other problems.
   */
  prepare?(options: O, scenario: { file: string }): O | Promise<O>;
}

/** A generator plugin: supplies one or more sample channels. */
export interface GeneratorDefinition<O = unknown> extends PluginBase<"generator", O> {
  /** Channels this generator fills. */
  readonly provides: readonly Channel[];
  /** Channels it reads, which an earlier generator must fill. */
  readonly needs?: readonly Channel[];
  /**
   * The channels one use of it fills, when they depend on its options or its file: a subset of
   * `provides`, such as the columns of a `csv` generator's file. @default {provides}
   */
  channels?(options: O, scenario: { file: string }): readonly Channel[];
  /**
   * The options for a run that starts from a real day's state, as a backtest starts one batch
   * per day: spot at the day's close, volatility at the day's IV or HV. Without it, a backtest
   * of a scenario using this generator is refused with the generator's name.
   */
  fromState?(options: O, state: MarketState): O;
  /** Starts the generator for one run. */
  start(context: GeneratorContext<O>): GeneratorInstance | Promise<GeneratorInstance>;
}

/** A real day's state, what a backtest starts each day's runs from. */
export interface MarketState {
  /** The session, ISO date. */
  readonly date: string;
  /** The day's close, price units. */
  readonly spot: number;
  /** Wilder ATR in force that day, price units. */
  readonly atr: number;
  /** Implied volatility that day, annualised fraction. */
  readonly iv: number;
  /** Realised volatility that day, annualised fraction. */
  readonly hv: number;
}

/** A started evaluator. */
export interface EvaluatorInstance {
  /** The levels generators and renderers may use. */
  readonly levels?: Levels;
  /** Fills `out` for the live entries of `samples`. */
  evaluate(samples: SampleBlock, out: EvaluationBlock): void;
}

/** An evaluator plugin: maps samples to X, Y, Z, regime and flags. */
export interface EvaluatorDefinition<O = unknown> extends PluginBase<"evaluator", O> {
  /**
   * The numeric levels a generator of the `levels` channel may move, in the order frames then
   * carry them (SPEC §7); none move when absent.
   */
  readonly movingLevels?: readonly string[];
  /** Starts the evaluator for one run. */
  start(context: PluginContext<O>): EvaluatorInstance;
}

/** Where a sink writes: a file in the output folder that appears only when the run succeeds. */
export interface OutputStream {
  /**
   * Appends text (encoded as UTF-8) or bytes. A returned promise means the bytes are still
   * being written: await it before reusing them (without one, they are already written).
   */
  write(content: string | Uint8Array): void | Promise<void>;
}

/** What a sink's `start` hook is handed. */
export interface SinkContext<O> extends PluginContext<O> {
  /** The sink's file, `<name>.<extension>`, when the sink declares an extension. */
  readonly output: OutputStream;
  /** The evaluator's levels, when it publishes them (as renderers get them). */
  readonly levels?: Levels | undefined;
}

/** A started sink. */
export interface SinkInstance {
  /** Receives the next frames, in step order. */
  write(frames: readonly Frame[]): void | Promise<void>;
  /**
   * Receives the next block as columns instead, when given: no frame objects are built, which
   * is what makes kept Monte Carlo runs fast. Its arrays are valid until the call returns.
   */
  writeBlock?(block: RunBlock): void | Promise<void>;
  /** Called once after the last frames. */
  close?(): void | Promise<void>;
}

/** A sink plugin: receives frames as they stream. */
export interface SinkDefinition<O = unknown> extends PluginBase<"sink", O> {
  /** Extension of the file the sink writes, without the dot. */
  readonly extension: string;
  /** Starts the sink for one run. */
  start(context: SinkContext<O>): SinkInstance | Promise<SinkInstance>;
}

/** What a renderer's `render` hook is handed. */
export interface RenderContext<O> extends PluginContext<O> {
  /** Every frame of the run, made from `columns` when first read. */
  readonly frames: readonly Frame[];
  /** The run in columns, as the core hands it; a caller of `render` may give frames alone. */
  readonly columns?: RunColumns;
  /** The evaluator's levels, when it publishes them. */
  readonly levels: Levels | undefined;
}

/** A renderer plugin: draws a complete run into one file. */
export interface RendererDefinition<O = unknown> extends PluginBase<"renderer", O> {
  /** Extension of the file the renderer writes, without the dot. */
  readonly extension: string;
  /** The most frames it can draw, when bounded: a longer run is refused before it starts. */
  readonly maxFrames?: number;
  /** Returns the file's content. */
  render(context: RenderContext<O>): string | Uint8Array | Promise<string | Uint8Array>;
  /**
   * Writes the file in pieces instead, when given, so that a long run's file is never held
   * whole; the core then calls it, not `render`.
   */
  renderTo?(context: RenderContext<O>, output: OutputStream): void | Promise<void>;
}

/** Any plugin definition. */
export type PluginDefinition =
  | GeneratorDefinition
  | EvaluatorDefinition
  | SinkDefinition
  | RendererDefinition;

/** The kind of a plugin. */
export type PluginKind = PluginDefinition["kind"];

/** A built-in plugin: the module that default-exports it, loaded only when a scenario uses it. */
export interface Builtin {
  /** Its kebab-case `use` name, unique within its kind (a generator and a sink may share one). */
  readonly name: string;
  /** Its kind: the scenario section (`generators`, `evaluator`, `sinks`, `renderers`) it serves. */
  readonly kind: PluginKind;
  /** Absolute specifier of its module, which batch workers import. */
  readonly module: string;
  /** Imports the module, once, and returns its definition. */
  load(): Promise<PluginDefinition>;
}

/**
 * The built-in plugins, what a bare `use` string refers to: a name resolves to the built-in of
 * that name and of the kind of the scenario section that names it, so `csv` among the
 * generators and `csv` among the sinks are two plugins.
 */
export type BuiltinTable = readonly Builtin[];

/** What a definition helper takes: the definition without its `kind`, with its option fields. */
export type PluginSpec<D extends { kind: string; options: Fields }, F extends Fields> =
  & Omit<D, "kind" | "options">
  & { readonly options: F };

/**
 * Defines a generator plugin, inferring the options' type from its fields.
 *
 * @param spec The generator without its `kind`.
 * @returns The generator definition, to default-export.
 *
 * @example A constant IV
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { defineGenerator, number } from "../mod.ts";
 *
 * const flatIv = defineGenerator({
 *   name: "flat-iv",
 *   provides: ["iv"],
 *   options: { value: number({ doc: "IV, annualised", min: 0, minExclusive: true }) },
 *   start: ({ options }) => ({ fill: (block) => block.iv.fill(options.value, 0, block.length) }),
 * });
 * assertEquals(flatIv.kind, "generator");
 * ```
 */
export function defineGenerator<F extends Fields>(
  spec: PluginSpec<GeneratorDefinition<OptionsOf<F>>, F>,
): GeneratorDefinition<OptionsOf<F>> {
  return { kind: "generator", ...spec };
}

/**
 * Defines an evaluator plugin, as {@linkcode defineGenerator} defines a generator.
 *
 * @param spec The evaluator without its `kind`.
 * @returns The evaluator definition, to default-export.
 */
export function defineEvaluator<F extends Fields>(
  spec: PluginSpec<EvaluatorDefinition<OptionsOf<F>>, F>,
): EvaluatorDefinition<OptionsOf<F>> {
  return { kind: "evaluator", ...spec };
}

/**
 * Defines a sink plugin.
 *
 * @param spec The sink without its `kind`.
 * @returns The sink definition, to default-export.
 *
 * @example A CSV of spot prices
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { defineSink } from "../mod.ts";
 *
 * const spotCsv = defineSink({
 *   name: "spot-csv",
 *   extension: "csv",
 *   options: {},
 *   start: ({ output }) => ({
 *     write: (frames) => output.write(frames.map((f) => `${f.timestamp},${f.spot}\n`).join("")),
 *   }),
 * });
 * assertEquals(spotCsv.extension, "csv");
 * ```
 */
export function defineSink<F extends Fields>(
  spec: PluginSpec<SinkDefinition<OptionsOf<F>>, F>,
): SinkDefinition<OptionsOf<F>> {
  return { kind: "sink", ...spec };
}

/**
 * Defines a renderer plugin, as {@linkcode defineSink} defines a sink.
 *
 * @param spec The renderer without its `kind`.
 * @returns The renderer definition, to default-export.
 */
export function defineRenderer<F extends Fields>(
  spec: PluginSpec<RendererDefinition<OptionsOf<F>>, F>,
): RendererDefinition<OptionsOf<F>> {
  return { kind: "renderer", ...spec };
}
