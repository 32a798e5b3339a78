// A small fixed corpus of the fuzzer's cases (deno task fuzz runs many more): mutated
// scenarios and logs never throw anything but a ScenarioError or PluginError, never hang, and
// never write outside the output folder.
import { assert, assertEquals } from "@std/assert";
import { fuzz } from "../tools/fuzz.ts";

for (const seed of [1, 2, 3]) {
  Deno.test(`mutated scenarios and logs from seed ${seed} fail only as the user's errors`, async () => {
    const { cases, ran, failures } = await fuzz({ seed, cases: 40 });
    assertEquals(cases, 40);
    assertEquals(failures, []);
    assert(ran > 0, "no mutated scenario loaded, so none ran");
  });
}
