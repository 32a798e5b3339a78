// Every error status of the service, as application/problem+json with the CLI's messages.
import { assertEquals, assertStringIncludes } from "@std/assert";
import { main } from "../../cli.ts";
import { eventually, post, readThenLeave, scenarioText, withService } from "./_service.ts";

const ERRORS = new URL("../errors/", import.meta.url);

/** The problem document of a response, checked to be one. */
async function problem(response: Response, status: number) {
  assertEquals(response.status, status);
  assertEquals(response.headers.get("content-type"), "application/problem+json");
  const body = await response.json();
  assertEquals([body.type, body.status], ["about:blank", status]);
  return body as { detail: string; errors: { detail: string; path?: string; line?: number }[] };
}

/** What the CLI prints for a bad scenario file, with its file name as the service's "request body". */
async function cliMessage(file: string): Promise<string> {
  const lines: string[] = [];
  const path = new URL(file, ERRORS).pathname;
  assertEquals(
    await main([path, "--out", await Deno.makeTempDir()], { stderr: (l) => lines.push(l) }),
    2,
  );
  return lines.join("\n").replaceAll(path, "request body");
}

Deno.test("POST /v1/runs answers 400 for a body that does not parse, with the CLI's message and place", async () => {
  await withService({}, async (service) => {
    const body = await problem(
      await post(
        service,
        "/v1/runs",
        await Deno.readTextFile(new URL("syntax_error.jsonc", ERRORS)),
      ),
      400,
    );
    assertEquals(body.detail, await cliMessage("syntax_error.jsonc"));
    assertEquals([body.errors[0]!.line, (body.errors[0] as { column?: number }).column], [3, 12]);
    const deep = await problem(
      await post(
        service,
        "/v1/runs",
        await Deno.readTextFile(new URL("deep_nesting.jsonc", ERRORS)),
      ),
      400,
    );
    // The error golden's message (the CLI's own scan of this file overflows its stack today).
    const golden = await Deno.readTextFile(new URL("deep_nesting.txt", ERRORS));
    assertEquals(deep.detail, golden.trimEnd().replace("deep_nesting.jsonc", "request body"));
    const utf8 = await problem(
      await post(
        service,
        "/v1/runs",
        await Deno.readFile(new URL("invalid_utf8.jsonc", ERRORS)) as unknown as string,
      ),
      400,
    );
    assertEquals(
      utf8.detail,
      "request body: Cannot read the scenario: byte 76 is not UTF-8 (send it as UTF-8)",
    );
  });
});

for (
  const file of [
    "unknown_key",
    "many_problems",
    "steps_not_integer",
    "walls_reversed",
    "unknown_plugin",
    "wrong_kind",
    "duplicate_key",
    "number_as_string",
  ]
) {
  Deno.test(`POST /v1/runs answers 422 for ${file}.jsonc with the CLI's messages and field paths`, async () => {
    const text = await Deno.readTextFile(new URL(`${file}.jsonc`, ERRORS));
    await withService({}, async (service) => {
      const body = await problem(await post(service, "/v1/runs", text), 422);
      assertEquals(body.detail, await cliMessage(`${file}.jsonc`));
      for (const item of body.errors) {
        const path = /Cannot read "([^"]+)"/.exec(item.detail)?.[1];
        if (path) assertEquals(item.path, path);
      }
    });
  });
}

Deno.test("POST /v1/runs refuses a plugin from a path or a specifier, before importing it, unless allowed", async () => {
  const text = (await scenarioText("mean_revert.jsonc")).replace(
    '"use": "hv"',
    '"use": "./tests/fixtures/throwing.ts"',
  )
    .replace('"use": "vol-path"', '"use": "jsr:@someone/vol"');
  await withService({}, async (service) => {
    const body = await problem(await post(service, "/v1/runs", text), 422);
    assertEquals(body.errors.map((e) => e.path), ["generators.iv.use", "generators.hv.use"]);
    assertStringIncludes(
      body.detail,
      'the service runs built-in plugins only, and "./tests/fixtures/throwing.ts" names a path or a specifier',
    );
  });
  const allowed = JSON.stringify({
    name: "allowed",
    steps: 10,
    evaluator: { use: "envelope", atr: 2.8, flip: 692.5, putWall: 680, callWall: 700 },
    generators: {
      spot: { use: "mean-revert", start: 694 },
      iv: { use: "./tests/fixtures/nan_iv.ts" },
      hv: { use: "hv", value: 0.12 },
    },
  });
  await withService({ allowUse: ["./tests/fixtures/nan_iv.ts"] }, async (service) => {
    // Allowed, it loads and runs, and its NaN at step 3 is its own failure, before any frame.
    const body = await problem(await post(service, "/v1/runs", allowed), 500);
    assertStringIncludes(
      body.detail,
      "[generator nan-iv from ./tests/fixtures/nan_iv.ts] produced iv NaN",
    );
  });
});

Deno.test("POST /v1/runs refuses a built-in option that names a file on the host", async () => {
  const text = (await scenarioText("mean_revert.jsonc")).replace(
    '"use": "hv", "value": 0.12',
    '"use": "csv", "file": "/etc/passwd"',
  );
  await withService({}, async (service) => {
    const body = await problem(await post(service, "/v1/runs", text), 422);
    assertEquals(body.errors.map((e) => e.path), ["generators.hv.file"]);
    assertStringIncludes(body.detail, "the service reads no files on its host");
  });
});

Deno.test("the service answers 413 for a body over --max-body, declared or streamed", async () => {
  const text = await scenarioText("mean_revert.jsonc");
  await withService({ maxBody: 100 }, async (service) => {
    const body = await problem(await post(service, "/v1/runs", text), 413);
    assertStringIncludes(body.detail, "more than 100 bytes");
    const chunks = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(text));
        c.close();
      },
    });
    await problem(await fetch(`${service.url}/v1/batches`, { method: "POST", body: chunks }), 413);
  });
});

Deno.test("the service answers 422 for steps and runs over its limits, naming the field and the flag", async () => {
  const text = await scenarioText("mean_revert.jsonc");
  await withService({ maxSteps: 100, maxRuns: 10 }, async (service) => {
    const steps = await problem(await post(service, "/v1/runs", text), 422);
    assertEquals(steps.errors[0]!.path, "steps");
    assertStringIncludes(steps.detail, "at most 100 steps a run (its --max-steps), got 200");
    const query = await problem(await post(service, "/v1/runs?steps=101", text), 422);
    assertEquals(query.errors[0]!.path, "query.steps");
    assertEquals((await post(service, "/v1/runs?steps=100", text)).status, 200);
    const runs = await problem(await post(service, "/v1/batches?runs=11&steps=10", text), 422);
    assertEquals(runs.errors[0]!.path, "query.runs");
    await problem(await post(service, "/v1/batches?steps=10", text), 422);
  });
});

Deno.test("the service answers 400 for an unknown or bad query parameter", async () => {
  const text = await scenarioText("mean_revert.jsonc");
  await withService({}, async (service) => {
    assertStringIncludes(
      (await problem(await post(service, "/v1/runs?sed=1", text), 400)).detail,
      "unknown parameter",
    );
    assertStringIncludes(
      (await problem(await post(service, "/v1/runs?seed=-1", text), 400)).detail,
      "expected an integer",
    );
    assertStringIncludes(
      (await problem(await post(service, "/v1/runs?format=xml", text), 400)).detail,
      '"ndjson" or "csv"',
    );
  });
});

Deno.test("the service answers 404 for no route and 405 with Allow for a wrong method", async () => {
  await withService({}, async (service) => {
    await problem(await fetch(`${service.url}/v2/runs`), 404);
    const wrong = await fetch(`${service.url}/v1/runs`);
    assertEquals(wrong.headers.get("allow"), "POST");
    await problem(wrong, 405);
    await problem(
      await fetch(`${service.url}/v1/batches/zzzzzzzz-0000000000000000/report.html`),
      404,
    );
    await problem(await fetch(`${service.url}/v1/batches/..%2F..%2Fetc/report.html`), 404);
  });
});

Deno.test("the service answers 429 past --max-jobs, and takes work again once a job ends", async () => {
  const text = await scenarioText("mean_revert.jsonc");
  await withService({ maxJobs: 2 }, async (service) => {
    const long = await Promise.all([1, 2].map(() => post(service, "/v1/runs?steps=1000000", text)));
    const busy = await problem(await post(service, "/v1/runs?steps=10", text), 429);
    assertStringIncludes(busy.detail, "--max-jobs");
    for (const response of long) await readThenLeave(response);
    await eventually(() => service.active === 0);
    assertEquals(
      (await post(service, "/v1/runs?steps=10", text).then(async (
        r,
      ) => (await r.body?.cancel(), r))).status,
      200,
    );
  });
});

Deno.test("the service asks for a bearer token on every route but /healthz, when it has one", async () => {
  const token = "0123456789abcdef0123";
  const text = await scenarioText("mean_revert.jsonc");
  await withService({ token }, async (service) => {
    const missing = await fetch(`${service.url}/v1/plugins`);
    assertEquals(missing.headers.get("www-authenticate"), 'Bearer realm="option-flight"');
    await problem(missing, 401);
    await problem(
      await post(service, "/v1/runs", text, { authorization: `Bearer ${token}x` }),
      401,
    );
    await problem(await post(service, "/v1/runs", text, { authorization: token }), 401);
    const ok = await post(service, "/v1/runs?steps=5", text, { authorization: `Bearer ${token}` });
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
    assertEquals(
      (await fetch(`${service.url}/healthz`).then(async (r) => (await r.body?.cancel(), r))).status,
      200,
    );
  });
});

Deno.test("the service answers 503 to new work once it shuts down, and /healthz says draining", async () => {
  const text = await scenarioText("mean_revert.jsonc");
  await withService({}, async (service) => {
    const long = await post(service, "/v1/runs?steps=1000000", text);
    const closing = service.shutdown({ grace: 30 });
    const health = await fetch(`${service.url}/healthz`);
    assertEquals([health.status, (await health.json()).status], [503, "draining"]);
    await problem(await post(service, "/v1/runs?steps=5", text), 503);
    await readThenLeave(long);
    assertEquals(await closing, { cancelled: 0 });
  });
});
