// The markup (viewer/markup.html) and the code that looks its elements up (viewer/*.ts) live in
// separate files; these tests keep them in step.
import { assert, assertEquals } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { REGIMES } from "../../core/frame.ts";
import { PLAY_ICON } from "../../viewer/palette.ts";

const dir = fromFileUrl(new URL("../../viewer/", import.meta.url));
const markup = Deno.readTextFileSync(join(dir, "markup.html"));
const ids = [...markup.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);

/** Ids the viewer's modules name in `$("…")`, `setText("…")`, `setValue("…")` and id lists. */
function idsInCode(): Set<string> {
  const found = new Set<string>();
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.name.endsWith(".ts") || entry.name.startsWith("_")) continue;
    const code = Deno.readTextFileSync(join(dir, entry.name));
    for (const m of code.matchAll(/(?:\$|setText|setValue)\("([^"]+)"[,)]/g)) found.add(m[1]!);
    for (const m of code.matchAll(/\["(hud-[a-z]+)"/g)) found.add(m[1]!);
    for (const m of code.matchAll(/^\s+"(hud-[a-z]+)",$/gm)) found.add(m[1]!);
  }
  for (const rule of [...REGIMES, "OVERSPEED", "STALL"]) found.add(`rule-${rule}`);
  // the renderer's data block, which plugins/html.ts writes after the markup
  found.delete("flight-data");
  return found;
}

Deno.test("every element id the viewer looks up is in the markup, once", () => {
  assertEquals(ids.length, new Set(ids).size, "unique ids");
  const used = idsInCode();
  assert(used.size > 40, `found only ${used.size} ids in the code`);
  assertEquals([...used].filter((id) => !ids.includes(id)).sort(), []);
});

Deno.test("the ids tests and tools rely on are all there", () => {
  for (
    const id of ["view", "hud-spot", "frame-index", "scrubber", "file-input", "timeline-events"]
  ) {
    assert(ids.includes(id), id);
  }
});

Deno.test("the play button starts with the play icon the viewer sets", () => {
  const play = markup.slice(
    markup.indexOf('id="play"'),
    markup.indexOf("</button>", markup.indexOf('id="play"')),
  );
  assert(play.includes(`d="${PLAY_ICON}"`), play);
});
