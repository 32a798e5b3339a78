import {
  assert,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import type { Frame } from "../../core/frame.ts";
import type { RenderContext } from "../../core/plugin.ts";
import type { EnvelopeLevels } from "../../plugins/envelope.ts";
import { ScenarioError } from "../../core/errors.ts";
import { readOptions } from "../../testing.ts";
import html, { type HtmlOptions } from "../../plugins/html.ts";
import { EXAMPLE_LEVELS, exampleFrames } from "../viewer/_frames.ts";

function context(
  frames: readonly Frame[],
  overrides: Partial<RenderContext<HtmlOptions>> = {},
): RenderContext<HtmlOptions> {
  return {
    options: readOptions<HtmlOptions>(html, {}),
    name: "breakout",
    file: "scenario.jsonc",
    seed: 42,
    run: 0,
    steps: frames.length,
    frames,
    levels: EXAMPLE_LEVELS,
    ...overrides,
  };
}

async function page(
  frames: readonly Frame[],
  overrides: Partial<RenderContext<HtmlOptions>> = {},
): Promise<string> {
  const out = await html.render(context(frames, overrides));
  assert(typeof out === "string");
  return out;
}

/** The text of the embedded data block, and the value it parses to. */
function embedded(text: string): { raw: string; data: Record<string, unknown> } {
  const open = '<script type="application/json" id="flight-data">';
  const start = text.indexOf(open);
  assert(start >= 0, "no data block");
  const end = text.indexOf("</script>", start);
  const raw = text.slice(start + open.length, end);
  return { raw, data: JSON.parse(raw) };
}

Deno.test("html renderer is a renderer named html writing .html", () => {
  assertEquals(html.kind, "renderer");
  assertEquals(html.name, "html");
  assertEquals(html.extension, "html");
});

Deno.test("html options default to the scenario name, 30 fps, 10,000 trail points and 500,000 embedded frames", () => {
  assertEquals(readOptions<HtmlOptions>(html, {}), {
    title: undefined,
    fps: 30,
    maxTrailPoints: 10_000,
    maxEmbeddedFrames: 500_000,
    summary: undefined,
  });
  assertEquals(readOptions<HtmlOptions>(html, { title: "Desk view", fps: 60 }).title, "Desk view");
});

Deno.test("html options reject out-of-range and unknown values with their path", () => {
  assertThrows(
    () => readOptions(html, { fps: 0 }),
    ScenarioError,
    'Cannot read "html.fps": expected a number in [1, 240], got 0',
  );
  assertThrows(
    () => readOptions(html, { maxTrailPoints: 10.5 }),
    ScenarioError,
    'Cannot read "html.maxTrailPoints": expected an integer',
  );
  assertThrows(() => readOptions(html, { titel: "x" }), ScenarioError, 'did you mean "title"?');
});

Deno.test("html page is one file: no external scripts, styles, fonts or URLs", async () => {
  const text = await page(exampleFrames(50));
  assert(text.startsWith("<!DOCTYPE html>\n"));
  // The markup and styles, without the script, whose variables and calls may share the names.
  const markup = text.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, "$1</script>");
  assert(
    !/\b(?:src|href)\s*=\s*(?!["']?(?:data:|#))/i.test(markup),
    "a src or href that is not data:",
  );
  assert(!/https?:\/\//i.test(text), "an http(s) URL");
  assert(!/@import|url\(/i.test(markup), "a CSS import or url()");
  assertStringIncludes(text, "Content-Security-Policy");
  assertStringIncludes(text, "default-src 'none'");
});

Deno.test("html page allows exactly its own viewer script by hash", async () => {
  const text = await page(exampleFrames(3));
  const hash = text.match(/script-src 'sha256-([A-Za-z0-9+/=]+)'/)?.[1];
  assert(hash, "no script hash in the CSP");
  const scripts = [...text.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  assertEquals(scripts.length, 1);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(scripts[0]));
  assertEquals(btoa(String.fromCharCode(...new Uint8Array(digest))), hash);
});

Deno.test("html page escapes </script> and < in embedded strings", async () => {
  const evil = "</script><script>alert(1)</script><!--";
  const frames = exampleFrames(3).map((f, i) => ({
    ...f,
    timestamp: i === 1 ? evil : f.timestamp,
  }));
  const text = await page(frames, { name: evil, options: { ...context([]).options, title: evil } });
  assertEquals(text.match(/<\/script>/g)?.length, 2, "only the two real closing tags");
  assertEquals(text.match(/<script/g)?.length, 2);
  const { raw, data } = embedded(text);
  assert(!raw.includes("<"), "a < in the data block");
  assertStringIncludes(raw, "\\u003c/script\\u003e");
  const columns = data.frames as { timestamp: unknown[] };
  assertEquals(columns.timestamp[1], evil);
  assertEquals(data.title, evil);
  assertEquals(data.name, evil);
  assertStringIncludes(text, "<title>&#60;/script&#62;&#60;script&#62;alert(1)");
});

Deno.test("html page escapes line separators that would end a JS string", async () => {
  const frames = exampleFrames(2).map((f, i) => ({ ...f, timestamp: i ? "a\u2028b\u2029c" : 0 }));
  const { raw, data } = embedded(await page(frames));
  assert(!raw.includes("\u2028") && !raw.includes("\u2029"));
  assertEquals((data.frames as { timestamp: unknown[] }).timestamp[1], "a\u2028b\u2029c");
});

Deno.test("html page is deterministic: same frames, same bytes; other frames, other bytes", async () => {
  const frames = exampleFrames(300);
  const a = await page(frames);
  const b = await page(exampleFrames(300));
  assertEquals(a, b);
  const c = await page(exampleFrames(300, { seed: 2 }));
  assertNotEquals(a, c);
  const { raw: rawA } = embedded(a);
  const { raw: rawC } = embedded(c);
  assertNotEquals(rawA, rawC);
  assertEquals(a.replace(rawA, ""), c.replace(rawC, ""), "only the data differs");
});

Deno.test("html page embeds the levels, the name, the seed and the options", async () => {
  const text = await page(exampleFrames(10), {
    options: { title: "Desk", fps: 12, maxTrailPoints: 5000, maxEmbeddedFrames: 500_000 },
    run: 3,
  });
  const { data } = embedded(text);
  assertEquals(data.levels, JSON.parse(JSON.stringify(EXAMPLE_LEVELS)));
  assertEquals(data.name, "breakout");
  assertEquals(data.seed, 42);
  assertEquals(data.run, 3);
  assertEquals(data.title, "Desk");
  assertEquals(data.fps, 12);
  assertEquals(data.maxTrailPoints, 5000);
  assertStringIncludes(text, "<title>Desk · option-flight</title>");
});

Deno.test("html page of a run longer than maxEmbeddedFrames embeds a selection with real steps and every flag change", async () => {
  const frames = exampleFrames(40_000, { seed: 3 });
  const options = { ...readOptions<HtmlOptions>(html, {}), maxEmbeddedFrames: 10_000 };
  const { data } = embedded(await page(frames, { options }));
  const columns = data.frames as {
    length: number;
    timestamp: number[];
    x: number[];
    flags: string;
  };
  assertEquals(data.totalFrames, 40_000);
  assert(columns.length <= 10_000 && columns.length > 5_000, `${columns.length} frames`);
  const steps = columns.timestamp;
  assertEquals(steps.length, columns.length);
  assert(steps.every((s, k) => k === 0 || s > steps[k - 1]!), "steps increase");
  assertEquals([steps[0], steps.at(-1)], [0, 39_999]);
  steps.forEach((s, k) => assertEquals(columns.x[k], frames[s]!.x, `x at step ${s}`));
  // Every step where the flags change is embedded, with the step before it.
  const mask = (f: Frame) => f.flags.join("|");
  const kept = new Set(steps);
  for (let i = 1; i < frames.length; i++) {
    if (mask(frames[i]!) !== mask(frames[i - 1]!)) assert(kept.has(i) && kept.has(i - 1), `${i}`);
  }
  // The maximum X survives the selection.
  assertEquals(Math.max(...columns.x), Math.max(...frames.map((f) => f.x)));
});

Deno.test("html page of a run within maxEmbeddedFrames embeds every frame and no total", async () => {
  const { data } = embedded(await page(exampleFrames(50)));
  assertEquals((data.frames as { length: number }).length, 50);
  assertEquals(data.totalFrames, undefined);
});

Deno.test("html page embeds null levels when the evaluator publishes none", async () => {
  const { data } = embedded(await page(exampleFrames(10), { levels: undefined }));
  assertEquals(data.levels, null);
});

Deno.test("html page embeds frames as exact columns, step timestamps as null", async () => {
  const frames = exampleFrames(20);
  const { data } = embedded(await page(frames));
  const columns = data.frames as Record<string, unknown>;
  assertEquals(columns.length, 20);
  assertEquals(columns.timestamp, null);
  for (const key of ["spot", "iv", "hv", "x", "y", "z"] as const) {
    assertEquals(columns[key], frames.map((f) => f[key]), key);
  }
  const regimes = ["TAXI", "CRUISE", "MANEUVER", "RUPTURE"];
  assertEquals(
    [...(columns.regime as string)].map((c) => regimes[Number(c)]),
    frames.map((f) => f.regime),
  );
  const masks = frames.map((f) =>
    (f.flags.includes("BREACH") ? 1 : 0) | (f.flags.includes("OVERSPEED") ? 2 : 0) |
    (f.flags.includes("STALL") ? 4 : 0)
  );
  assertEquals([...(columns.flags as string)].map(Number), masks);
});

Deno.test("html page keeps ISO string timestamps as given", async () => {
  const frames = exampleFrames(3).map((f, i) => ({
    ...f,
    timestamp: `2024-03-0${i + 1}T14:30:00Z`,
  }));
  const { data } = embedded(await page(frames));
  assertEquals((data.frames as { timestamp: unknown }).timestamp, [
    "2024-03-01T14:30:00Z",
    "2024-03-02T14:30:00Z",
    "2024-03-03T14:30:00Z",
  ]);
});

Deno.test("html page renders a run with no frames", async () => {
  const { data } = embedded(await page([]));
  assertEquals((data.frames as { length: number }).length, 0);
});

Deno.test("html renderer refuses a frame holding NaN, naming the step", async () => {
  const frames = exampleFrames(5).map((f, i) => i === 3 ? { ...f, iv: NaN } : f);
  await assertRejects(() => page(frames), Error, 'Cannot render step 3: "iv" is NaN');
});

// How fast it renders and loads is measured by tools/bench_html.ts, not by a timed test.
Deno.test("html page for 100,000 frames stays compact", async () => {
  const text = await page(exampleFrames(100_000));
  assert(text.length < 200 * 100_000, `page is ${text.length} bytes`);
});

Deno.test("example frames follow SPEC §1 (the check values)", () => {
  const [first] = exampleFrames(1, { start: 694, iv: 0.15, hv: 0.12 });
  assert(first);
  assertEquals(first.x, 0.5357142857142857);
  assertEquals(first.y, 1.25);
  assertEquals(first.z, 0.8);
  assertEquals(first.regime, "CRUISE");
  assertEquals(first.flags, []);
  const levels: EnvelopeLevels = EXAMPLE_LEVELS;
  assertEquals(levels.thresholds.ruptureX, 4.5);
});
