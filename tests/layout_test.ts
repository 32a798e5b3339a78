// The layout's rules, read from the code's own imports: no cycles, a core that imports nothing
// beside it, capabilities that depend on the core and never the reverse.
import { assert, assertEquals } from "@std/assert";
import { dirname, fromFileUrl, join, relative, resolve } from "@std/path";

const root = fromFileUrl(new URL("../", import.meta.url));
const FOLDERS = [
  "core",
  "files",
  "plugins",
  "montecarlo",
  "viewer",
  "sandbox",
  "markets",
  "models",
  "backtest",
  "service",
];
const TOP = ["mod.ts", "cli.ts", "levels.ts", "testing.ts"];
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.[^"']+)["']|\bimport\s*\(?\s*["'](\.[^"']+)["']/g;

/** Every module of the library, by path from the root, with the local modules it imports. */
function importGraph(): Map<string, string[]> {
  const files = [...TOP];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(join(root, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (/\.ts$/.test(entry.name) && !entry.name.endsWith("_test.ts")) files.push(path);
    }
  };
  for (const folder of FOLDERS) {
    try {
      walk(folder);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  const graph = new Map<string, string[]>();
  for (const file of files) {
    // Doc comments hold examples with imports of their own: only code counts.
    const code = Deno.readTextFileSync(join(root, file)).replace(/\/\*[\s\S]*?\*\//g, "");
    const targets = [...code.matchAll(IMPORT)].map((m) => m[1] ?? m[2]!)
      .filter((spec) => spec.endsWith(".ts"))
      .map((spec) => relative(root, resolve(root, dirname(file), spec)));
    graph.set(file, targets);
  }
  return graph;
}

Deno.test("the library's modules import each other without cycles", () => {
  const graph = importGraph();
  assert(graph.size > 20, `read only ${graph.size} modules`);
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") {
      cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
      return;
    }
    state.set(file, "open");
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) visit(file, []);
  assertEquals(cycles, []);
});

Deno.test("core/ imports only core/, markets/ only both, models/ no plugin or batch; only the sandbox's process runs the command", () => {
  const wrong: string[] = [];
  for (const [file, targets] of importGraph()) {
    for (const target of targets) {
      const core = file.startsWith("core/") && !target.startsWith("core/");
      const markets = file.startsWith("markets/") && !/^(core|markets)\//.test(target);
      const models = file.startsWith("models/") && !/^(core|files|markets|models)\//.test(target);
      if (core || markets || models) wrong.push(`${file} -> ${target}`);
      if (target === "cli.ts" && file !== "sandbox/_child.ts") wrong.push(`${file} -> ${target}`);
      // The sandbox is the command's: the library runs plugins in the caller's process.
      if (target.startsWith("sandbox/") && file !== "cli.ts" && !file.startsWith("sandbox/")) {
        wrong.push(`${file} -> ${target}`);
      }
    }
  }
  assertEquals(wrong, []);
});

Deno.test("plugins/ and viewer/ never import montecarlo/; montecarlo/ never imports the viewer", () => {
  const wrong: string[] = [];
  for (const [file, targets] of importGraph()) {
    for (const target of targets) {
      const fromPlugin = file.startsWith("plugins/") || file.startsWith("viewer/");
      if (fromPlugin && target.startsWith("montecarlo/")) wrong.push(`${file} -> ${target}`);
      if (file.startsWith("montecarlo/") && target.startsWith("viewer/")) {
        wrong.push(`${file} -> ${target}`);
      }
    }
  }
  assertEquals(wrong, []);
});

Deno.test("core/ calls no Deno API, so a run computes anywhere, a browser included", () => {
  const uses: string[] = [];
  for (const entry of Deno.readDirSync(join(root, "core"))) {
    if (entry.name.endsWith(".d.ts")) continue;
    const code = Deno.readTextFileSync(join(root, "core", entry.name)).replace(
      /\/\*[\s\S]*?\*\//g,
      "",
    );
    for (const match of code.matchAll(/\bDeno\.\w+/g)) uses.push(`core/${entry.name}: ${match[0]}`);
  }
  assertEquals(uses, []);
});
