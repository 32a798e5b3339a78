/** A plugin module that reads a system file as it loads, before any hook runs. */
import { defineGenerator } from "../../../mod.ts";

Deno.readTextFileSync("/etc/hostname");

export default defineGenerator({
  name: "loader",
  provides: ["iv"],
  options: {},
  start: () => ({ fill: ({ iv, length }) => void iv.fill(0.2, 0, length) }),
});
