/**
 * An IV generator that tries, in its `fill` hook, what a plugin from outside option-flight may
 * not do: the sandbox tests run it once per `act` ("network" tries in `start`, which may be
 * async).
 *
 * @module
 */
import { choice, defineGenerator, string } from "../../../mod.ts";

const ACTS = {
  "read-outside": (target: string) => Deno.readTextFileSync(target),
  "write-absolute": (target: string) => Deno.writeTextFileSync(target, "escaped"),
  "write-up": (target: string) => Deno.writeTextFileSync(`../${target}`, "escaped"),
  "write-here": (target: string) => Deno.writeTextFileSync(target, "escaped"),
  "symlink": (target: string) => Deno.symlinkSync("/etc/passwd", target),
  "env": () => Deno.env.get("HOME"),
  "subprocess": () => new Deno.Command("true").outputSync(),
  "hang": () => {
    for (;;) { /* never returns */ }
  },
  "allocate": () => {
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array(1 << 20).fill(1.5));
  },
  "none": () => {},
} as const;

export default defineGenerator({
  name: "hostile",
  provides: ["iv"],
  options: {
    act: choice([...Object.keys(ACTS) as (keyof typeof ACTS)[], "network"], { doc: "What to try" }),
    target: string({ doc: "The file it aims at", default: "" }),
  },
  async start({ options }) {
    const { act, target } = options;
    if (act === "network") await fetch("http://127.0.0.1:8765/");
    return {
      fill({ iv, length }) {
        if (act !== "network") ACTS[act](target);
        iv.fill(0.2, 0, length);
      },
    };
  },
});
