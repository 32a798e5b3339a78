/**
 * A custom sink in one file: `<name>.csv` with each frame's step, spot and regime.
 *
 * A sink declares the `extension` of the file it writes (the core writes it, in the output
 * folder, atomically) and, like every plugin, its `options`, even when it has none.
 *
 * @module
 */
import { defineSink } from "../mod.ts";

export default defineSink({
  name: "spot-csv",
  extension: "csv", // the core writes <name>.csv into the output folder
  options: {}, // every plugin declares its options, even none
  start({ output }) {
    output.write("step,spot,regime\n");
    return {
      // Frames arrive block by block, in step order.
      write: (frames) =>
        output.write(frames.map((f) => `${f.timestamp},${f.spot},${f.regime}\n`).join("")),
    };
  },
});
