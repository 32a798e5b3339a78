// A client that goes away stops its run or batch; a job past --max-seconds is stopped.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { eventually, filesIn, post, readThenLeave, scenarioText, withService } from "./_service.ts";

Deno.test("a client that closes a run's stream stops the run: its job slot frees at once", async () => {
  const text = await scenarioText("mean_revert.jsonc");
  await withService({ maxSteps: 10_000_000 }, async (service) => {
    const started = performance.now();
    const response = await post(service, "/v1/runs?steps=10000000", text);
    assertEquals(service.active, 1);
    const first = await readThenLeave(response);
    assert(first.length > 0);
    await eventually(() => service.active === 0, 3000);
    // Ten million steps take far longer than this: the run did not go on to its end.
    assert(performance.now() - started < 3000);
  });
});

Deno.test("a client that closes a batch's events stops the batch, which leaves no folder", async () => {
  const text = await scenarioText("mean_revert.jsonc");
  await withService({}, async (service, outDir) => {
    const response = await post(service, "/v1/batches?runs=10000&steps=1000", text);
    assertStringIncludes(
      new TextDecoder().decode(await readThenLeave(response)),
      "event: accepted",
    );
    await eventually(() => service.active === 0, 5000);
    await eventually(async () => (await filesIn(outDir)).length === 0, 2000);
  });
});

Deno.test("a run past --max-seconds is stopped, and its stream ends with an error line", async () => {
  const text = await scenarioText("mean_revert.jsonc");
  await withService({ maxSeconds: 1, maxSteps: 10_000_000 }, async (service) => {
    const response = await post(service, "/v1/runs?steps=10000000", text);
    const body = await response.text();
    const last = JSON.parse(body.slice(body.lastIndexOf("\n", body.length - 2) + 1));
    assertEquals(last.error.status, 503);
    assertStringIncludes(last.error.detail, "wall-time limit");
    assertEquals(service.active, 0);
  });
});
