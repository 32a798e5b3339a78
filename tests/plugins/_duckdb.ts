// DuckDB as an independent reader of the files the sinks write. Queries run in a child process:
// the DuckDB bindings are a native library (--allow-ffi), which the test task does not grant.
import { assert, assertEquals } from "@std/assert";
import { fromFileUrl } from "@std/path";
import type { Frame } from "../../core/frame.ts";

/** One row of a query's result, as DuckDB's JSON values (BIGINT and larger as strings). */
export type DuckRow = Record<string, unknown>;

const config = fromFileUrl(new URL("../../deno.json", import.meta.url));

/**
 * Runs SQL statements in an in-memory DuckDB and returns each one's rows.
 *
 * @param statements The SQL statements.
 * @returns The rows of each statement, in order.
 */
export async function duckdb(...statements: string[]): Promise<DuckRow[][]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--config=${config}`,
      "--allow-read",
      "--allow-env",
      "--allow-ffi",
      "--allow-sys",
      fromFileUrl(import.meta.url),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(statements)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new Error(`DuckDB failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** SQL text of a string literal. */
export function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * DuckDB's sums of x, y and z against the frames': the same values added in another order
 * differ by rounding only, at most n ulps of the largest partial sum.
 */
export function assertSums(row: Record<string, unknown>, frames: readonly Frame[]): void {
  assertEquals(row.n, frames.length);
  for (const key of ["x", "y", "z"] as const) {
    const values = frames.map((f) => f[key]);
    const sum = values.reduce((a, b) => a + b, 0);
    const scale = values.reduce((a, b) => a + Math.abs(b), 0);
    const tolerance = frames.length * Number.EPSILON * scale;
    const got = row[key] as number;
    assert(Math.abs(got - sum) <= tolerance, `sum of ${key}: ${got} against ${sum}`);
  }
}

/** Rows of regime and count, by regime, as DuckDB's `group by` gives them. */
export function regimeCounts(frames: readonly Frame[]): { regime: string; n: number }[] {
  const counts = new Map<string, number>();
  for (const frame of frames) counts.set(frame.regime, (counts.get(frame.regime) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a < b ? -1 : 1).map(([regime, n]) => ({ regime, n }));
}

if (import.meta.main) {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const statements: string[] = JSON.parse(await new Response(Deno.stdin.readable).text());
  const connection = await (await DuckDBInstance.create(":memory:")).connect();
  const results = [];
  for (const sql of statements) {
    results.push((await connection.runAndReadAll(sql)).getRowObjectsJson());
  }
  console.log(JSON.stringify(results));
}
