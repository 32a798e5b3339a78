// POST /v1/batches: progress as Server-Sent Events, the CLI's summary, the report at its URL,
// and the results kept up to a count, the oldest removed first.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { BatchStore } from "../../service/batches.ts";
import {
  cliOutputs,
  filesIn,
  parseEvents,
  post,
  SCENARIOS,
  scenarioText,
  withService,
} from "./_service.ts";

Deno.test("POST /v1/batches streams progress, then the summary the CLI writes for the same batch", async () => {
  const path = new URL("breakout.jsonc", SCENARIOS).pathname;
  const cli = await cliOutputs(path, ["--runs", "200", "--steps", "100", "--seed", "9"]);
  await withService({}, async (service, outDir) => {
    const response = await post(
      service,
      "/v1/batches?runs=200&steps=100&seed=9",
      await scenarioText("breakout.jsonc"),
    );
    assertEquals(response.headers.get("content-type"), "text/event-stream");
    const events = parseEvents(await response.text());
    const kinds = events.map(([event]) => event);
    assertEquals([kinds[0], kinds.at(-1)], ["accepted", "summary"]);
    assert(kinds.includes("progress"));
    const progress = events.filter(([e]) => e === "progress").map(([, d]) =>
      d as { done: number; total: number }
    );
    assertEquals(progress.at(-1), { done: 200, total: 200 });
    const final = events.at(-1)![1] as { id: string; report: string; summary: unknown };
    assertEquals(`${JSON.stringify(final.summary, null, 2)}\n`, cli.get("breakout.summary.json"));
    const summary = await fetch(`${service.url}/v1/batches/${final.id}/summary.json`);
    assertEquals(await summary.text(), cli.get("breakout.summary.json"));
    const report = await fetch(`${service.url}${final.report}`);
    assertEquals(report.headers.get("content-type"), "text/html; charset=utf-8");
    assertEquals(await report.text(), cli.get("breakout.report.html"));
    // The batch's folder holds what the CLI writes for it, and nothing else.
    assertEquals(await filesIn(outDir), [...cli.keys()].sort().map((f) => `${final.id}/${f}`));
  });
});

Deno.test("POST /v1/batches keeps --keep-batches results, removing the oldest first", async () => {
  const text = await scenarioText("mean_revert.jsonc");
  await withService({ keepBatches: 2 }, async (service, outDir) => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const events = parseEvents(
        await (await post(service, `/v1/batches?runs=5&steps=20&seed=${i}`, text)).text(),
      );
      ids.push((events.at(-1)![1] as { id: string }).id);
    }
    assertEquals((await fetch(`${service.url}/v1/batches/${ids[0]}/report.html`)).status, 404);
    for (const id of ids.slice(1)) {
      const response = await fetch(`${service.url}/v1/batches/${id}/report.html`);
      assertEquals(response.status, 200);
      await response.body?.cancel();
    }
    assertEquals(
      (await filesIn(outDir)).map((f) => f.split("/")[0]).filter((v, i, a) => a.indexOf(v) === i),
      ids.slice(1),
    );
  });
});

Deno.test("BatchStore removes results past their age, and finds an earlier service's batches", async () => {
  const dir = await Deno.makeTempDir();
  const first = new BatchStore(dir, { keep: 10, maxAge: 60_000 });
  const id = first.start();
  await Deno.mkdir(`${dir}/${id}`);
  await Deno.writeTextFile(`${dir}/${id}/x.report.html`, "<p>");
  first.finish(id, true);
  const again = new BatchStore(dir, { keep: 10, maxAge: 60_000 });
  assertEquals(again.ids, [id]);
  assertEquals(again.result(id, "report.html"), `${dir}/${id}/x.report.html`);
  assertEquals(again.prune(Date.now() + 120_000), [id]);
  assertEquals(await filesIn(dir), []);
});

Deno.test("POST /v1/batches refuses a scenario without runs, or one that keeps its runs", async () => {
  const text = await scenarioText("mean_revert.jsonc");
  await withService({}, async (service) => {
    const none = await post(service, "/v1/batches", text);
    assertEquals(none.status, 422);
    assertStringIncludes((await none.json()).detail, "give a number of runs (?runs=N)");
    const keeping = text.replace(
      '"sinks"',
      '"monteCarlo": { "runs": 5, "keepRuns": true }, "sinks"',
    );
    const kept = await post(service, "/v1/batches", keeping);
    assertEquals(kept.status, 422);
    assertEquals((await kept.json()).errors[0].path, "monteCarlo.keepRuns");
  });
});
