/**
 * The `csv` sink: frames as a CSV table, `<name>.csv`, for spreadsheets, pandas, Polars and
 * DuckDB. (The `csv` generator, in `csv.ts`, reads samples from a CSV instead: the section of
 * the scenario that names `csv` says which.)
 *
 * One header line, then one row a frame: the fields in SPEC §2 order, `flags` as one column of
 * the flags joined by `|` (empty when none), then the moving levels (SPEC §7) or any extra
 * fields. Numbers are written exactly as the JSONL writes them; a field holding a comma, a
 * double quote, a carriage return or a line feed is quoted as RFC 4180 says, its quotes
 * doubled. Lines end in `\n`, as the JSONL's do.
 *
 * @module
 */
import { defineSink, type SinkDefinition } from "../core/plugin.ts";
import { FIELDS, formatCsvBlock, formatCsvRows } from "./_rows.ts";

export { csvCell, formatCsvBlock, formatCsvRows } from "./_rows.ts";

/** The `csv` sink has no options. */
export type CsvSinkOptions = Record<string, never>;

/** Streams frames to `<name>.csv`: a header line, then one row a frame. */
const csvSink: SinkDefinition<CsvSinkOptions> = defineSink({
  name: "csv",
  extension: "csv",
  options: {},
  start({ output }) {
    // The columns after the flags, fixed by the first frames: the header is written with them.
    let extra: string[] | undefined;
    const header = (names: string[]) => {
      extra = names;
      return [...FIELDS, ...names].join(",") + "\n";
    };
    return {
      write(frames) {
        if (frames.length === 0) return;
        const head = extra ? "" : header(extraKeys(frames[0]!));
        return output.write(head + formatCsvRows(frames, extra!));
      },
      // Rows written from the block's columns: no frame objects.
      writeBlock(block) {
        if (block.samples.length === 0) return;
        const head = extra ? "" : header(Object.keys(block.samples.levels ?? {}));
        return output.write(head + formatCsvBlock(block));
      },
      close() {
        // A run of no frames still has its header.
        if (!extra) return output.write(header([]));
      },
    };
  },
});
export default csvSink;

/** The fields of a frame after SPEC §2's nine, in its order. */
function extraKeys(frame: object): string[] {
  return Object.keys(frame).filter((key) => !(FIELDS as readonly string[]).includes(key));
}
