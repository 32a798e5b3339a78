// viewer/_bundle.ts is generated from viewer/ by tools/build_viewer.ts and committed; these
// tests fail when it is stale, and check what the page embeds.
import { assert, assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { fromFileUrl, join, toFileUrl } from "@std/path";
import html, { type HtmlOptions } from "../../plugins/html.ts";
import { readOptions } from "../../testing.ts";
import {
  buildViewer,
  BUNDLE_PATH,
  checkParts,
  GENERATED_HEADER,
  renderBundle,
} from "../../tools/build_viewer.ts";
import { VIEWER_MARKUP, VIEWER_SCRIPT, VIEWER_STYLE } from "../../viewer/_bundle.ts";
import { exampleFrames } from "./_frames.ts";

const root = new URL("../../", import.meta.url);

/** The first line where two texts differ, for a short failure message. */
function firstDifference(a: string, b: string): string {
  const x = a.split("\n"), y = b.split("\n");
  const i = x.findIndex((line, k) => line !== y[k]);
  const at = i < 0 ? x.length : i;
  return `line ${at + 1}:\n  committed: ${JSON.stringify(x[at] ?? "(end of file)")}\n` +
    `  built:     ${JSON.stringify(y[at] ?? "(end of file)")}`;
}

Deno.test({
  name: "viewer/_bundle.ts is what tools/build_viewer.ts builds from viewer/ now",
  sanitizeResources: false,
  async fn() {
    const committed = await Deno.readTextFile(fromFileUrl(new URL(BUNDLE_PATH, root)));
    const built = await buildViewer();
    assert(
      committed === built,
      `${BUNDLE_PATH} is stale: run deno task build:viewer (first difference at ` +
        `${firstDifference(committed, built)})`,
    );
  },
});

Deno.test("the generated module says so on its first line, and holds the parts verbatim", async () => {
  const committed = await Deno.readTextFile(fromFileUrl(new URL(BUNDLE_PATH, root)));
  assertEquals(committed.split("\n")[0], GENERATED_HEADER);
  const [style, markup] = await Promise.all([
    Deno.readTextFile(fromFileUrl(new URL("viewer/style.css", root))),
    Deno.readTextFile(fromFileUrl(new URL("viewer/markup.html", root))),
  ]);
  assertEquals(VIEWER_STYLE, style);
  assertEquals(VIEWER_MARKUP, markup);
  assertEquals(renderBundle({ script: VIEWER_SCRIPT, style, markup }), committed);
  assert(VIEWER_SCRIPT.startsWith("(() => {\n"), "one classic script, its own scope");
});

Deno.test("the page embeds the script, the style and the markup as built", async () => {
  const frames = exampleFrames(3);
  const page = await html.render({
    options: readOptions<HtmlOptions>(html, {}),
    name: "bundle",
    file: "scenario.jsonc",
    seed: 1,
    run: 0,
    steps: frames.length,
    frames,
    levels: undefined,
  }) as string;
  assertStringIncludes(page, `<script>${VIEWER_SCRIPT}</script>`);
  assertStringIncludes(page, `<style>\n${VIEWER_STYLE}</style>`);
  assertStringIncludes(page, `<body>\n${VIEWER_MARKUP}<script type="application/json"`);
});

Deno.test("the build refuses parts that would break out of their element", () => {
  const ok = { script: "(() => {})();\n", style: "a {}\n", markup: "<p>x</p>\n" };
  checkParts(ok);
  assertThrows(() => checkParts({ ...ok, script: 'x("</SCRIPT>")' }), Error, '"</SCRIPT"');
  assertThrows(() => checkParts({ ...ok, script: "a <!-- b" }), Error, "script holds");
  assertThrows(() => checkParts({ ...ok, style: "</style>" }), Error, "style holds");
  assertThrows(() => checkParts({ ...ok, markup: "<script>1</script>" }), Error, "markup holds");
  assertThrows(() => checkParts({ ...ok, markup: "<p>\r\n</p>" }), Error, '"\\r"');
});

Deno.test("template escapes round-trip: the constants equal the parts", async () => {
  const parts = { script: "a`b${c}\\d\\`e\n", style: "s{}\n", markup: "<p>`</p>\n" };
  const dir = await Deno.makeTempDir({ prefix: "option-flight-bundle-" });
  try {
    const path = join(dir, "bundle.ts");
    await Deno.writeTextFile(path, renderBundle(parts));
    const module = await import(toFileUrl(path).href);
    assertEquals(
      { script: module.VIEWER_SCRIPT, style: module.VIEWER_STYLE, markup: module.VIEWER_MARKUP },
      parts,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
