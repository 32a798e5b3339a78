// Atomic output sets: files staged by any thread are renamed into place together, or removed.
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { join } from "@std/path";
import { ScenarioError } from "../../core/errors.ts";
import { outputError, OutputSet, stagedPath } from "../../files/atomic.ts";

const list = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("files staged at stagedPath() and adopted appear on commit, not before", async () => {
  const dir = join(await Deno.makeTempDir(), "out");
  const out = new OutputSet(dir);
  const { token } = out.staging();
  Deno.writeTextFileSync(stagedPath(dir, token, "a.jsonl"), "a\n");
  await out.writeFile("b.json", "b\n");
  out.adopt("a.jsonl");
  assertEquals(list(dir).filter((n) => !n.startsWith(".")), []);
  assertEquals((await out.commit()).map((f) => f.slice(dir.length + 1)), ["b.json", "a.jsonl"]);
  assertEquals(list(dir), ["a.jsonl", "b.json"]);
  assertEquals(Deno.readTextFileSync(join(dir, "a.jsonl")), "a\n");
});

Deno.test("abort() removes the set's staged files, adopted or not, and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  Deno.writeTextFileSync(join(dir, "keep.txt"), "mine");
  const other = new OutputSet(dir);
  Deno.writeTextFileSync(stagedPath(dir, other.staging().token, "x.jsonl"), "other set");
  const out = new OutputSet(dir);
  const { token } = out.staging();
  Deno.writeTextFileSync(stagedPath(dir, token, "mc_a_0.jsonl"), "adopted");
  Deno.writeTextFileSync(stagedPath(dir, token, "mc_a_1.jsonl"), "staged by a worker");
  out.adopt("mc_a_0.jsonl");
  await out.abort();
  // The other set is still writing: its file stays, and so does its lock.
  assertEquals(list(dir), [
    `.option-flight-${other.token}.lock`,
    `.x.jsonl.${other.token}.tmp`,
    "keep.txt",
  ]);
  await other.abort();
  assertEquals(list(dir), ["keep.txt"]);
});

Deno.test("check() refuses links, folders, bad and repeated names before any work", async () => {
  const dir = await Deno.makeTempDir();
  Deno.mkdirSync(join(dir, "taken.jsonl"));
  Deno.symlinkSync(join(dir, "elsewhere"), join(dir, "link.jsonl"));
  const out = new OutputSet(dir);
  assertThrows(() => out.check("taken.jsonl"), ScenarioError, "Cannot replace a folder");
  assertThrows(() => out.check("link.jsonl"), ScenarioError, "Refusing to replace a symbolic link");
  assertThrows(() => out.check("../up.jsonl"), ScenarioError, "needs a plain name");
  await out.writeFile("once.json", "1");
  assertThrows(() => out.check("once.json"), ScenarioError, "twice");
  await assertRejects(() => out.writeFile("link.jsonl", "x"), ScenarioError, "symbolic link");
  await out.abort();
});

Deno.test("outputError() makes the file system's errors a ScenarioError and leaves bugs alone", async () => {
  const file = await Deno.makeTempFile();
  let failure: unknown;
  try {
    Deno.mkdirSync(`${file}/out`, { recursive: true });
  } catch (error) {
    failure = error;
  }
  const error = outputError(`create ${file}/out`, failure);
  assert(error instanceof ScenarioError);
  assertStringIncludes(error.message, `Cannot create ${file}/out: `);
  const bug = new TypeError("not a file-system error");
  assertEquals(outputError("write", bug), bug);
  await Deno.remove(file);
});
