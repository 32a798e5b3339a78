// The levels page in a real browser: Debian's Chromium, driven over a pipe by puppeteer-core.
// A made-up chain always; the real 2022-12-12 SPX chain of ../shared/data when it is there.
//
// Without Chromium (at /usr/bin/chromium, or CHROMIUM_PATH) these tests are skipped, except
// under CI=true, where they fail: CI must run them.
import { assert, assertAlmostEquals, assertEquals, assertGreater } from "@std/assert";
import { fromFileUrl, join } from "@std/path";
import { levelsPage } from "../../files/levels_page.ts";
import { CBOE_CHAIN_HEADER, type Chain, parseChain, readChain } from "../../markets/chain.ts";
import { computeLevels, levelsDocument, levelVariants } from "../../markets/levels.ts";
import {
  type Chromium,
  DEFAULT_CHROMIUM,
  findChromium,
  launchChromium,
  openIsolated,
  type Page,
} from "../../tools/chromium.ts";

const chromiumPath = findChromium();
const chromiumWanted = Deno.env.get("CHROMIUM_PATH") || DEFAULT_CHROMIUM;
const inCi = Deno.env.get("CI") === "true";
if (!chromiumPath && !inCi) {
  console.warn(
    `Skipping the levels page's browser tests: no Chromium at ${chromiumWanted} ` +
      "(install it, or set CHROMIUM_PATH)",
  );
}
const realChain = fromFileUrl(
  new URL("../../../shared/data/spx_option_chain_2022-12-12_cboe.csv", import.meta.url),
);
const haveRealChain = (() => {
  try {
    return Deno.statSync(realChain).isFile;
  } catch {
    return false;
  }
})();

/** A chain around spot 100: calls heavier above, puts below, so the profile crosses zero. */
function madeUpChain(): Chain {
  const rows = [];
  for (const expiry of ["Fri Jan 19 2024", "Fri Feb 16 2024"]) {
    for (let k = 80; k <= 120; k++) {
      const gamma = (0.06 * Math.exp(-0.5 * ((k - 100) / 7) ** 2)).toFixed(5);
      const callOi = 1000 + (k > 100 ? 4000 : 0) + (k === 108 ? 9000 : 0);
      const putOi = 1000 + (k < 100 ? 5000 : 0) + (k === 93 ? 9000 : 0);
      rows.push(
        `${expiry},C,0,0,0,0,0,0.2,0.5,${gamma},${callOi},${k}.00,` +
          `P,0,0,0,0,0,0.22,-0.5,${gamma},${putOi}`,
      );
    }
  }
  return parseChain(
    ["", "SPX,Last: 100.4", "Date: January 2, 2024", CBOE_CHAIN_HEADER, ...rows].join("\n"),
    "made_up.csv",
  );
}

async function writePage(dir: string, name: string, chain: Chain): Promise<string> {
  const doc = levelsDocument(computeLevels(chain), { variants: levelVariants(chain) });
  const path = join(dir, `${name}.levels.html`);
  await Deno.writeTextFile(path, levelsPage(doc, { name }));
  return path;
}

// In-page code is passed as strings: Deno's type library has no DOM.
const get = (page: Page, expression: string): Promise<unknown> => page.evaluate(expression);

interface Box {
  width: number;
  height: number;
}

/** Each chart's size on screen, and what it drew. */
async function charts(page: Page) {
  return await get(
    page,
    `(() => {
      const box = (el) => { const r = el.getBoundingClientRect(); return { width: r.width, height: r.height }; };
      const chart = (id) => {
        const svg = document.getElementById(id);
        if (!svg) return null;
        const area = svg.querySelector("rect.plot-area");
        return {
          box: box(svg),
          area: box(area),
          points: (svg.querySelector("polyline.profile-line")?.getAttribute("points") ?? "")
            .split(" ").filter(Boolean).length,
          callBars: svg.querySelectorAll("rect.bar-call").length,
          putBars: svg.querySelectorAll("rect.bar-put").length,
          markers: [...svg.querySelectorAll("line.marker")].map((m) => m.dataset.level),
        };
      };
      return { profile: chart("profile-chart"), strike: chart("strike-chart"),
        variantRows: document.querySelectorAll("#variants tbody tr").length };
    })()`,
  ) as {
    profile: { box: Box; area: Box; points: number; markers: string[] } | null;
    strike: { box: Box; area: Box; callBars: number; putBars: number; markers: string[] } | null;
    variantRows: number;
  };
}

/** Where a marker line sits against where its value says it should, in SVG units. */
async function markerOffset(page: Page, chart: string, level: string): Promise<number> {
  return await get(
    page,
    `(() => {
      const svg = document.getElementById(${JSON.stringify(chart)});
      const [lo, hi] = svg.dataset.xDomain.split(" ").map(Number);
      const area = svg.querySelector("rect.plot-area");
      const x = Number(area.getAttribute("x"));
      const width = Number(area.getAttribute("width"));
      const line = [...svg.querySelectorAll("line.marker")]
        .find((m) => m.dataset.level.split(" ").includes(${JSON.stringify(level)}));
      const value = Number(line.dataset.value);
      return Number(line.getAttribute("x1")) - (x + (value - lo) / (hi - lo) * width);
    })()`,
  ) as number;
}

/** Pairs of marker labels whose boxes overlap on screen. */
async function overlappingLabels(page: Page): Promise<string[]> {
  return await get(
    page,
    `(() => {
      const out = [];
      for (const svg of document.querySelectorAll("svg")) {
        const labels = [...svg.querySelectorAll("text.marker-label")];
        const boxes = labels.map((t) => t.getBoundingClientRect());
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
              out.push(labels[i].textContent + " / " + labels[j].textContent);
            }
          }
        }
      }
      return out;
    })()`,
  ) as string[];
}

async function checkPage(chromium: Chromium, path: string, rows: number): Promise<void> {
  const { page, errors, blocked } = await openIsolated(chromium, path, { warnings: true });
  try {
    assertEquals(errors, [], "console errors and page errors");
    assertEquals(blocked, [], "network requests");
    const drawn = await charts(page);
    assert(drawn.profile && drawn.strike, "both charts are on the page");
    for (const chart of [drawn.profile, drawn.strike]) {
      assertGreater(chart.box.width, 300);
      assertGreater(chart.box.height, 100);
      assertGreater(chart.area.width, 200);
      assertGreater(chart.area.height, 80);
    }
    assertEquals(drawn.profile.points, 801);
    assertEquals(drawn.profile.markers.sort(), ["flip", "spot"]);
    assertGreater(drawn.strike.callBars, 10);
    assertGreater(drawn.strike.putBars, 10);
    const levels = drawn.strike.markers.flatMap((m) => m.split(" "));
    for (const level of ["spot", "flip", "call-wall", "put-wall"]) {
      assert(levels.includes(level), `the strike chart marks the ${level}: ${levels}`);
    }
    for (const [chart, level] of [["profile-chart", "flip"], ["strike-chart", "call-wall"]]) {
      assertAlmostEquals(await markerOffset(page, chart!, level!), 0, 0.1, `${chart} ${level}`);
    }
    assertEquals(await overlappingLabels(page), []);
    assertEquals(drawn.variantRows, rows);
  } finally {
    await page.close();
  }
}

Deno.test({
  name: "levels page in Chromium: both charts drawn, levels where they belong, no errors",
  ignore: !chromiumPath && !inCi,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    if (!chromiumPath) {
      throw new Error(
        `No Chromium at ${chromiumWanted}; CI=true requires the browser tests ` +
          "(apt-get install chromium, or set CHROMIUM_PATH)",
      );
    }
    const dir = await Deno.makeTempDir({ prefix: "option-flight-levels-page-" });
    const chromium = await launchChromium(chromiumPath);
    try {
      await t.step("a made-up chain", async () => {
        // 2 expiries: all and exclude-nearest, x 2 dealer signs.
        await checkPage(chromium, await writePage(dir, "made_up", madeUpChain()), 4);
      });
      await t.step({
        name: "the 2022-12-12 SPX chain",
        ignore: !haveRealChain && !inCi,
        async fn() {
          // 3 expiry filters x 2 dealer signs.
          await checkPage(chromium, await writePage(dir, "spx", await readChain(realChain)), 6);
        },
      });
    } finally {
      await chromium.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
