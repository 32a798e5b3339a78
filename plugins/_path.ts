/**
 * What the built-in path generators share: a block of a path that draws one normal a step.
 *
 * @module
 */
import type { RandomStream } from "../core/random.ts";

/**
 * Starts filling a block of a path that draws one normal a step after step 0, the way the
 * built-in path generators do: writes the block's normals into `out` (for the recursion to read
 * and overwrite in place), and `first`, the path's value, at entry 0 when the block starts at
 * step 0.
 *
 * @param random The generator's stream.
 * @param out The channel being filled.
 * @param block Where the block starts and how long it is.
 * @param first The path's value at step 0.
 * @returns The first entry the recursion updates: 1 for the block holding step 0, else 0.
 *
 * @example A random walk
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { createStream } from "../core/random.ts";
 * import { startPathBlock } from "./_path.ts";
 *
 * const spot = new Float64Array(5);
 * const from = startPathBlock(createStream(1, { run: 0, key: "walk" }), spot, { start: 0, length: 5 }, 100);
 * for (let i = from, s = 100; i < 5; i++) spot[i] = s += spot[i]!;
 * assertEquals([from, spot[0]], [1, 100]);
 * ```
 */
export function startPathBlock(
  random: RandomStream,
  out: Float64Array,
  block: { start: number; length: number },
  first: number,
): number {
  const from = block.start === 0 ? 1 : 0;
  random.fillNormal(out, from, block.length);
  if (from === 1) out[0] = first;
  return from;
}
