/**
 * `csv`: a user's own samples, from a `timestamp,spot,iv,hv` CSV file (any subset of the value
 * columns; the channels it lacks come from other generators). The header is required; UTF-8
 * with or without a BOM, `\n` or `\r\n` line ends. The file is read and checked when the
 * scenario loads: every bad row is reported at once, by line and column, and a file written
 * with `;` and decimal commas is refused with a hint. The run stops at the file's last row.
 *
 * ```jsonc
 * "generators": { "mine": { "use": "csv", "file": "my_day.csv" }, "hv": { "use": "hv", "value": 0.15 } }
 * ```
 *
 * @module
 */
import { dirname, resolve } from "@std/path";
import { ScenarioError } from "../core/errors.ts";
import type { Channel } from "../core/frame.ts";
import { string } from "../core/options.ts";
import { defineGenerator, type GeneratorDefinition } from "../core/plugin.ts";
import { parseUserSeries, type UserSeries } from "../markets/series.ts";

/** Options of the `csv` generator. */
export interface CsvOptions {
  /** The CSV file, relative to the scenario's folder. */
  readonly file: string;
}

/** Files read, by absolute path, with the size and time of the version read. */
const read = new Map<string, { version: string; series: UserSeries }>();

/** The file of a use, read and checked once a version: a file rewritten is read again. */
function series(scenario: string, options: CsvOptions): UserSeries {
  const path = resolve(dirname(scenario), options.file);
  let version = "";
  try {
    const info = Deno.statSync(path);
    version = `${info.size} ${info.mtime?.getTime()} ${info.ino}`;
  } catch { /* reading it below says why */ }
  const found = read.get(path);
  if (found && found.version === version) return found.series;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new ScenarioError(`${path}: Cannot read the file: ${(error as Error).message}`);
  }
  const parsed = parseUserSeries(text, path);
  read.set(path, { version, series: parsed });
  return parsed;
}

const csv: GeneratorDefinition<CsvOptions> = defineGenerator({
  name: "csv",
  dataFiles: ["file"],
  provides: ["time", "spot", "iv", "hv"],
  options: {
    file: string({ doc: "CSV file with a header of timestamp, spot, iv, hv (any subset)" }),
  },
  channels(options, { file }) {
    const data = series(file, options);
    const channels: Channel[] = data.timestamps ? ["time"] : [];
    for (const channel of ["spot", "iv", "hv"] as const) if (data[channel]) channels.push(channel);
    return channels;
  },
  start({ options, file }) {
    const data = series(file, options);
    return {
      length: data.length,
      fill({ start, length, time, spot, iv, hv }) {
        const end = start + length;
        if (data.timestamps) {
          for (let i = 0; i < length; i++) time[i] = data.timestamps[start + i]!;
        }
        if (data.spot) spot.set(data.spot.subarray(start, end));
        if (data.iv) iv.set(data.iv.subarray(start, end));
        if (data.hv) hv.set(data.hv.subarray(start, end));
      },
    };
  },
});
export default csv;
