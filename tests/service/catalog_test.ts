// GET /v1/plugins, /v1/schema, /openapi.json and /healthz.
import { assert, assertEquals } from "@std/assert";
import { BUILTINS } from "../../plugins/mod.ts";
import { withService } from "./_service.ts";

/** Every route the service answers, as the router matches them. */
const ROUTES: [string, string][] = [
  ["get", "/healthz"],
  ["get", "/openapi.json"],
  ["get", "/v1/plugins"],
  ["get", "/v1/schema"],
  ["post", "/v1/runs"],
  ["post", "/v1/batches"],
  ["get", "/v1/batches/{id}/report.html"],
  ["get", "/v1/batches/{id}/summary.json"],
  ["get", "/v1/batches/{id}/summary.csv"],
];

Deno.test("GET /openapi.json is an OpenAPI 3.1 document with every route, and every $ref resolves", async () => {
  await withService({}, async (service) => {
    const response = await fetch(`${service.url}/openapi.json`);
    assertEquals(response.headers.get("content-type"), "application/json");
    const document = await response.json();
    assertEquals(document.openapi, "3.1.0");
    const listed = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => [m, path]));
    assertEquals(listed.sort(), [...ROUTES].sort());
    for (const [method, path] of ROUTES) {
      const op = document.paths[path][method];
      assert(op.operationId && Object.keys(op.responses).length > 0, `${method} ${path}`);
    }
    // Every reference points into the document.
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) k === "$ref" ? refs.push(x as string) : walk(x);
      }
    };
    walk(document);
    for (const ref of refs) {
      const target = ref.replace(/^#\//, "").split("/").reduce((at, k) => at?.[k], document);
      assert(ref.startsWith("#/") && target !== undefined, ref);
    }
    // An independent validator, where the machine has one (Python's openapi-spec-validator).
    const file = `${await Deno.makeTempDir()}/openapi.json`;
    await Deno.writeTextFile(file, JSON.stringify(document));
    const probe = await new Deno.Command("python3", {
      args: ["-c", "import openapi_spec_validator"],
      stderr: "null",
      stdout: "null",
    }).output().catch(() => undefined);
    if (!probe?.success) {
      console.log("openapi-spec-validator not installed: the document's own checks ran alone");
      return;
    }
    const check = await new Deno.Command("python3", {
      args: [
        "-c",
        "import sys,json; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1])))",
        file,
      ],
    }).output();
    assert(check.success, new TextDecoder().decode(check.stderr));
  });
});

Deno.test("GET /v1/plugins lists every built-in with the JSON Schema of its options", async () => {
  await withService({}, async (service) => {
    const plugins = await (await fetch(`${service.url}/v1/plugins`)).json();
    assertEquals(
      plugins.map((p: { name: string; kind: string }) => `${p.kind} ${p.name}`),
      BUILTINS.map((b) => `${b.kind} ${b.name}`),
    );
    const revert = plugins.find((p: { name: string }) => p.name === "mean-revert");
    assertEquals(revert.options.type, "object");
    assert("intensity" in revert.options.properties);
    assertEquals(
      plugins.find((p: { name: string; kind: string }) =>
        p.name === "csv" && p.kind === "generator"
      ).dataFiles,
      ["file"],
    );
  });
});

Deno.test("GET /v1/schema is the scenario JSON Schema editors use", async () => {
  await withService({}, async (service) => {
    const response = await fetch(`${service.url}/v1/schema`);
    assertEquals(response.headers.get("content-type"), "application/schema+json");
    const file = await Deno.readTextFile(
      new URL("../../scenarios/scenario.schema.json", import.meta.url),
    );
    assertEquals(await response.json(), JSON.parse(file));
  });
});

Deno.test("GET /healthz says ok and how many jobs run", async () => {
  await withService({}, async (service) => {
    const health = await (await fetch(`${service.url}/healthz`)).json();
    assertEquals([health.status, health.active], ["ok", 0]);
    assert(health.rss > health.heapUsed && health.heapUsed > 0);
  });
});
