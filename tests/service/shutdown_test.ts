// The service as a process, with the permissions of its task: SIGTERM lets running jobs finish
// within the grace period, cancels the rest, leaves no partial file, and exits 0.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { filesIn, parseEvents, scenarioText } from "./_service.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url));

/** Starts `deno task serve`'s command on a free port, with its task's permissions and a temporary output folder. */
async function spawnService(args: string[]) {
  const outDir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      `--allow-read=.,${outDir}`,
      `--allow-write=${outDir}`,
      "service/cli.ts",
      "--port",
      "0",
      "--out",
      outDir,
      ...args,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/listening on (\S+)\n/.test(seen)) {
    const { done, value } = await lines.read();
    if (done) throw new Error(`the service did not start: ${seen}`);
    seen += value;
  }
  const url = /listening on (\S+)\n/.exec(seen)![1]!;
  const rest = (async () => {
    for (;;) {
      const { done, value } = await lines.read();
      if (done) return seen;
      seen += value;
    }
  })();
  return { child, url, outDir, stdout: rest };
}

Deno.test("SIGTERM lets a running run finish within the grace period, then the service exits 0", async () => {
  const { child, url, stdout, outDir } = await spawnService(["--grace", "30"]);
  const text = await scenarioText("mean_revert.jsonc");
  const response = await fetch(`${url}/v1/runs?steps=300000`, { method: "POST", body: text });
  const reader = response.body!.getReader();
  const first = await reader.read();
  child.kill("SIGTERM");
  let body = new TextDecoder().decode(first.value);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    body += new TextDecoder().decode(value);
  }
  const lines = body.trimEnd().split("\n");
  assertEquals(lines.length, 300_001);
  assertEquals(JSON.parse(lines.at(-1)!).summary.frames, 300_000);
  const status = await child.status;
  child.stderr.cancel();
  assertEquals(status.code, 0);
  assertStringIncludes(await stdout, "stopped");
  assertEquals(await filesIn(outDir), []);
});

Deno.test("SIGTERM cancels a batch still running after the grace period, leaving no files", async () => {
  const { child, url, stdout, outDir } = await spawnService(["--grace", "0"]);
  const text = await scenarioText("mean_revert.jsonc");
  const response = await fetch(`${url}/v1/batches?runs=10000&steps=1000`, {
    method: "POST",
    body: text,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let events = (await reader.read()).value ?? "";
  assertStringIncludes(events, "event: accepted");
  child.kill("SIGTERM");
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    events += value;
  }
  const last = parseEvents(events).at(-1)!;
  assertEquals(last[0], "error");
  assertStringIncludes((last[1] as { detail: string }).detail, "the service shut down");
  const status = await child.status;
  child.stderr.cancel();
  assertEquals(status.code, 0);
  assertStringIncludes(await stdout, "cancelled 1 job(s)");
  assertEquals(await filesIn(outDir), []);
});

Deno.test("the service's task permissions are enough for a run and a batch, and no more is asked", async () => {
  const { child, url, outDir } = await spawnService([]);
  const text = await scenarioText("breakout.jsonc");
  const run = await fetch(`${url}/v1/runs?steps=50`, { method: "POST", body: text });
  assertEquals(run.status, 200);
  assert((await run.text()).includes('"summary"'));
  // Enough work for the batch to take Web Workers, which need their own module reads.
  const batch = await fetch(`${url}/v1/batches?runs=400&steps=5000`, {
    method: "POST",
    body: text,
  });
  const last = parseEvents(await batch.text()).at(-1)!;
  assertEquals(last[0], "summary", JSON.stringify(last[1]));
  const { report } = last[1] as { report: string };
  assertEquals(
    (await fetch(`${url}${report}`).then(async (r) => (await r.body?.cancel(), r))).status,
    200,
  );
  child.kill("SIGTERM");
  assertEquals((await child.status).code, 0);
  child.stderr.cancel();
  const files = (await filesIn(outDir)).map((f) => f.split("/")[1]);
  assert(files.includes("breakout.report.html") && files.includes("breakout.summary.json"));
});
