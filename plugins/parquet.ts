/**
 * The `parquet` sink: frames as an Apache Parquet file, `<name>.parquet`, with typed columns,
 * for DuckDB, Polars, pandas and Spark. Written with hyparquet-writer (pure JavaScript), one
 * row group at a time, so that a long run's memory stays that of one row group.
 *
 * Columns, in SPEC §2 order, all required:
 *
 * - `timestamp`: the step, INT64, for synthetic runs; for dated runs a DATE when every
 *   timestamp of the first block is a plain date (`2020-03-16`), else the ISO 8601 text as a
 *   UTF-8 string (a date-time may carry no zone, which a Parquet TIMESTAMP would have to invent).
 * - `spot`, `iv`, `hv`, `x`, `y`, `z`: DOUBLE.
 * - `regime`: a UTF-8 string, dictionary-encoded (four values).
 * - `breach`, `overspeed`, `stall`: one BOOLEAN per flag rather than a list of strings: a flat
 *   column a query filters on (`WHERE breach`) and a spreadsheet or DataFrame shows as it is,
 *   with no nested repetition levels to write or read.
 * - Then the moving levels (`atr`, `flip`, `putWall`, `callWall`, SPEC §7) as DOUBLE, or a
 *   frame's extra fields (numbers as DOUBLE, booleans as BOOLEAN, anything else as its text),
 *   those optional.
 *
 * The bytes depend on the frames and the options only: no time of writing goes in the file.
 *
 * @module
 */
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import type { ColumnSource } from "hyparquet-writer";
import { FLAGS, type Frame, REGIMES, type RunBlock } from "../core/frame.ts";
import { choice, integer } from "../core/options.ts";
import { defineSink, type OutputStream, type SinkDefinition } from "../core/plugin.ts";
import { csvCell } from "./_rows.ts";

/** Rows a row group holds unless the scenario says otherwise: 32 blocks of the run loop's. */
export const ROW_GROUP_SIZE = 131072;

/** Options of the `parquet` sink. */
export interface ParquetOptions {
  /** Compression of the column pages: `snappy` or `none`. @default {"snappy"} */
  readonly compression: "snappy" | "none";
  /** Rows a row group holds; the last holds the rest. @default {131072} */
  readonly rowGroupSize: number;
}

/** How {@linkcode ParquetFrames} writes. */
export interface ParquetFramesOptions extends ParquetOptions {
  /** Adds a first column `run`, INT32, the Monte Carlo run of each row. */
  readonly runColumn?: boolean;
}

type SchemaElement = {
  name: string;
  type?: "BOOLEAN" | "INT32" | "INT64" | "DOUBLE" | "BYTE_ARRAY";
  converted_type?: "UTF8" | "DATE";
  repetition_type?: "REQUIRED" | "OPTIONAL";
  num_children?: number;
};

/** An extra column's Parquet type, from its first value. */
type ExtraType = "DOUBLE" | "BOOLEAN" | "STRING";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY = 86_400_000;
const FLAG_COLUMNS = FLAGS.map((flag) => flag.toLowerCase());

/**
 * Frames into a Parquet file, a row group at a time: blocks of columns or frames go in, and
 * each full row group is encoded and handed to the output, so memory holds one row group.
 *
 * @example Two blocks of a run, then the file
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parquetMetadata } from "hyparquet";
 * import { loadScenario, startRun } from "../mod.ts";
 * import { ParquetFrames } from "./parquet.ts";
 *
 * const scenario = await loadScenario(new URL("../scenarios/breakout.jsonc", import.meta.url).pathname);
 * const chunks: Uint8Array[] = [];
 * const parquet = new ParquetFrames({ write: (c) => void chunks.push(c as Uint8Array) }, { compression: "snappy", rowGroupSize: 100 });
 * const cursor = await startRun(scenario);
 * for (let block = cursor.next(); block; block = cursor.next()) await parquet.addBlock(block);
 * await parquet.finish();
 * const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
 * chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
 * assertEquals(parquetMetadata(bytes.buffer).num_rows, BigInt(cursor.steps));
 * ```
 */
export class ParquetFrames {
  readonly #output: OutputStream;
  readonly #options: ParquetFramesOptions;
  readonly #size: number;
  #writer: ParquetWriter | undefined;
  #bytes = new ByteWriter(1 << 20);
  /** The output's write in progress, when it returned a promise. */
  #pending: Promise<void> | undefined;
  /** How the timestamps are kept: the step, a date or the text. */
  #time: "step" | "date" | "text" = "step";
  /** The columns after the flags, by name, and their types. */
  #extra: [name: string, type: ExtraType][] = [];
  // This row group's columns, filled up to #rows.
  #rows = 0;
  #run: Int32Array;
  #step: (bigint | number)[] = [];
  #text: string[] = [];
  #numbers: Float64Array[];
  #regime: string[] = [];
  #flags: boolean[][];
  #extraValues: unknown[][] = [];

  /**
   * Makes a writer that has written nothing yet: the schema is fixed by the first block.
   *
   * @param output Where the file's bytes go.
   * @param options Compression, row group size, and whether rows carry their run.
   */
  constructor(output: OutputStream, options: ParquetFramesOptions) {
    this.#output = output;
    this.#options = options;
    this.#size = options.rowGroupSize;
    this.#run = new Int32Array(options.runColumn ? this.#size : 0);
    this.#numbers = Array.from({ length: 6 }, () => new Float64Array(this.#size));
    this.#flags = FLAGS.map(() => new Array<boolean>(this.#size));
  }

  /**
   * Adds a block's frames, from its columns.
   *
   * @param block A block from a run cursor.
   * @param run The run the rows belong to, for the `run` column.
   * @returns A promise while a full row group's bytes are being written; the block is copied
   * before this returns.
   * @throws Error for a dated block whose timestamps change form, naming the step.
   */
  addBlock(block: RunBlock, run = 0): void | Promise<void> {
    const { samples, evaluation } = block;
    if (!this.#writer) {
      const levels = Object.keys(samples.levels ?? {});
      this.#start(samples.time, levels.map((name) => [name, "DOUBLE"]));
    }
    const levels = this.#extra.map(([name]) => samples.levels?.[name]);
    const sources = [
      samples.spot,
      samples.iv,
      samples.hv,
      evaluation.x,
      evaluation.y,
      evaluation.z,
    ];
    for (let i = 0; i < samples.length;) {
      const take = Math.min(samples.length - i, this.#size - this.#rows);
      const at = this.#rows;
      sources.forEach((source, c) => this.#numbers[c]!.set(source.subarray(i, i + take), at));
      if (this.#options.runColumn) this.#run.fill(run, at, at + take);
      for (let k = 0; k < take; k++) {
        const j = i + k, row = at + k;
        this.#stamp(samples.time[j] ?? samples.start + j, row);
        this.#regime[row] = REGIMES[evaluation.regime[j]!]!;
        const mask = evaluation.flags[j]!;
        this.#flags[0]![row] = (mask & 1) !== 0;
        this.#flags[1]![row] = (mask & 2) !== 0;
        this.#flags[2]![row] = (mask & 4) !== 0;
        levels.forEach((column, c) => this.#extraValues[c]![row] = column?.[j] ?? null);
      }
      this.#rows += take;
      i += take;
      if (this.#rows === this.#size) this.#flush();
    }
    return this.#pending;
  }

  /**
   * Adds frames, each with the extra fields of the first frame the writer saw.
   *
   * @param frames The frames.
   * @param run The run they belong to, for the `run` column.
   * @returns A promise while a full row group's bytes are being written.
   * @throws Error for a frame with a field the first had not, naming its timestamp.
   */
  addFrames(frames: readonly Frame[], run = 0): void | Promise<void> {
    if (frames.length === 0) return this.#pending;
    const first = frames[0]! as unknown as Record<string, unknown>;
    if (!this.#writer) {
      const names = Object.keys(first).filter((key) => !KNOWN.has(key));
      const types = names.map((name): [string, ExtraType] => {
        const value = first[name];
        return [
          name,
          typeof value === "number" ? "DOUBLE" : typeof value === "boolean" ? "BOOLEAN" : "STRING",
        ];
      });
      this.#start(frames.map((f) => f.timestamp).filter((t) => typeof t === "string"), types);
    }
    const known = new Set([...KNOWN, ...this.#extra.map(([name]) => name)]);
    for (const frame of frames) {
      const record = frame as unknown as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!known.has(key)) {
          throw new Error(
            `frame ${
              JSON.stringify(frame.timestamp)
            } has a field "${key}" that the first frame had not, so the Parquet schema has no column for it`,
          );
        }
      }
      const row = this.#rows;
      if (this.#options.runColumn) this.#run[row] = run;
      this.#stamp(frame.timestamp, row);
      [frame.spot, frame.iv, frame.hv, frame.x, frame.y, frame.z].forEach((v, c) =>
        this.#numbers[c]![row] = v
      );
      this.#regime[row] = frame.regime;
      FLAGS.forEach((flag, f) => this.#flags[f]![row] = frame.flags.includes(flag));
      this.#extra.forEach(([name, type], c) => {
        const value = record[name];
        this.#extraValues[c]![row] = value === undefined || value === null
          ? null
          : type === "STRING" && typeof value !== "string"
          ? csvCell(value).replace(/^"|"$/g, "")
          : value;
      });
      if (++this.#rows === this.#size) this.#flush();
    }
    return this.#pending;
  }

  /**
   * Writes the last row group and the footer.
   *
   * @returns A promise while the bytes are being written.
   */
  async finish(): Promise<void> {
    if (!this.#writer) this.#start([], []);
    if (this.#rows > 0) this.#flush();
    this.#writer!.finish();
    await this.#pending;
  }

  /** Fixes the schema from the first timestamps and the extra columns, and starts the file. */
  #start(times: readonly (string | number)[], extra: [string, ExtraType][]): void {
    this.#time = times.length === 0
      ? "step"
      : times.every((t) => typeof t === "string" && DATE.test(t))
      ? "date"
      : "text";
    this.#extra = extra;
    this.#extraValues = extra.map(() => new Array(this.#size));
    const required = "REQUIRED" as const;
    const schema: SchemaElement[] = [
      ...(this.#options.runColumn
        ? [{ name: "run", type: "INT32" as const, repetition_type: required }]
        : []),
      this.#time === "step"
        ? { name: "timestamp", type: "INT64", repetition_type: required }
        : this.#time === "date"
        ? { name: "timestamp", type: "INT32", converted_type: "DATE", repetition_type: required }
        : {
          name: "timestamp",
          type: "BYTE_ARRAY",
          converted_type: "UTF8",
          repetition_type: required,
        },
      ...["spot", "iv", "hv", "x", "y", "z"].map((name) => ({
        name,
        type: "DOUBLE" as const,
        repetition_type: required,
      })),
      { name: "regime", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: required },
      ...FLAG_COLUMNS.map((name) => ({
        name,
        type: "BOOLEAN" as const,
        repetition_type: required,
      })),
      ...extra.map(([name, type]): SchemaElement =>
        type === "STRING"
          ? { name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" }
          : { name, type, repetition_type: "OPTIONAL" }
      ),
    ];
    const bytes = this.#bytes;
    // Each row group's bytes go to the output as soon as they are encoded, one write after
    // another; the encoder never waits for them.
    const flush = () => {
      const chunk = bytes.getBytes().slice();
      bytes.index = 0;
      const write = () => this.#output.write(chunk);
      const written = this.#pending ? this.#pending.then(write) : write();
      this.#pending = written instanceof Promise ? written : undefined;
    };
    Object.assign(bytes, { flush, finish: flush });
    this.#writer = new ParquetWriter({
      writer: bytes,
      schema: [{ name: "root", num_children: schema.length }, ...schema],
      codec: this.#options.compression === "snappy" ? "SNAPPY" : "UNCOMPRESSED",
      createdBy: "option-flight",
    });
  }

  /** Keeps a timestamp as the schema says. */
  #stamp(timestamp: string | number, row: number): void {
    const kind = typeof timestamp === "number" ? "step" : DATE.test(timestamp) ? "date" : "text";
    if (kind !== this.#time && !(this.#time === "text" && kind === "date")) {
      throw new Error(
        `timestamp ${JSON.stringify(timestamp)} is not ${
          this.#time === "step" ? "a step" : "a date"
        } as the first frames' were, so the Parquet column cannot hold it`,
      );
    }
    if (this.#time === "step") this.#step[row] = timestamp as number;
    else if (this.#time === "date") this.#step[row] = Date.parse(timestamp as string) / DAY;
    else this.#text[row] = timestamp as string;
  }

  /** Encodes the row group held and hands its bytes to the output. */
  #flush(): void {
    const rows = this.#rows;
    const cut = <T extends { slice(a: number, b: number): unknown }>(a: T) => a.slice(0, rows);
    const columns: ColumnSource[] = [
      ...(this.#options.runColumn ? [{ name: "run", data: cut(this.#run) as Int32Array }] : []),
      {
        name: "timestamp",
        data: this.#time === "step"
          ? BigInt64Array.from(this.#step.slice(0, rows), (v) => BigInt(v))
          : this.#time === "date"
          ? Int32Array.from(this.#step.slice(0, rows) as number[])
          : this.#text.slice(0, rows),
      },
      ...["spot", "iv", "hv", "x", "y", "z"].map((name, c) => ({
        name,
        data: this.#numbers[c]!.subarray(0, rows),
      })),
      { name: "regime", data: this.#regime.slice(0, rows), encoding: "RLE_DICTIONARY" as const },
      ...FLAG_COLUMNS.map((name, f) => ({ name, data: this.#flags[f]!.slice(0, rows) })),
      ...this.#extra.map(([name], c) => ({ name, data: this.#extraValues[c]!.slice(0, rows) })),
    ];
    this.#rows = 0;
    this.#writer!.write({ columnData: columns, rowGroupSize: rows });
  }
}

const KNOWN = new Set(["timestamp", "spot", "iv", "hv", "x", "y", "z", "regime", "flags"]);

/** Streams frames to `<name>.parquet`, a row group at a time. */
const parquet: SinkDefinition<ParquetOptions> = defineSink({
  name: "parquet",
  extension: "parquet",
  options: {
    compression: choice(["snappy", "none"], {
      doc: "Compression of the column pages",
      default: "snappy",
    }),
    rowGroupSize: integer({
      doc:
        "Rows a row group holds (the last holds the rest); larger groups compress better and take more memory while the run goes",
      min: 1024,
      max: 16_777_216,
      default: ROW_GROUP_SIZE,
    }),
  },
  start({ output, options }) {
    const frames = new ParquetFrames(output, options);
    return {
      write: (batch) => frames.addFrames(batch),
      writeBlock: (block) => frames.addBlock(block),
      close: () => frames.finish(),
    };
  },
});
export default parquet;
