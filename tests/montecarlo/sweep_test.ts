// Parameter sweeps: reading --sweep arguments, the grid, resolving keys against the scenario
// file, common random numbers across combinations, a stopped sweep that writes nothing, and the
// sweep page in a real browser (skipped without Chromium, except under CI=true).
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { parse as parseCsv } from "@std/csv";
import { fromFileUrl, join } from "@std/path";
import { listDir } from "../cli_harness.ts";
import { findChromium, launchChromium, openIsolated } from "../../tools/chromium.ts";
import { loadScenario, ScenarioError } from "../../mod.ts";
import {
  formatSweepCsv,
  MAX_SWEEP_POINTS,
  parseSweep,
  runSweep,
  SWEEP_COLUMNS,
  sweepGrid,
  sweepScenarios,
} from "../../montecarlo/mod.ts";

const root = fromFileUrl(new URL("../../", import.meta.url));
const scenarioPath = (name: string) => join(root, "scenarios", `${name}.jsonc`);

Deno.test("parseSweep() reads numbers, booleans, quoted and bare strings in the order given", () => {
  assertEquals(parseSweep("evaluator.atr=3,2.5,-1e-2,+4"), {
    key: "evaluator.atr",
    values: [3, 2.5, -0.01, 4],
  });
  assertEquals(parseSweep("generators.spot.direction=up, down").values, ["up", "down"]);
  assertEquals(parseSweep('a.b=true,false,"1",x1').values, [true, false, "1", "x1"]);
  assertEquals(parseSweep("sinks[0].x=1").key, "sinks[0].x");
});

Deno.test("parseSweep() refuses a missing key, empty values, repeated values and bad paths", () => {
  const cases: [string, string][] = [
    ["evaluator.atr", 'Option --sweep "evaluator.atr": expected key=v1,v2,...'],
    ["=1,2", 'expected a field path before "="'],
    ["evaluator..atr=1", 'expected a field path before "=", such as "generators.spot.noise"'],
    ["evaluator.atr=", "value 1 is empty"],
    ["evaluator.atr=1,,2", "value 2 is empty"],
    ["evaluator.atr=2,2.0", "value 2 is given twice"],
    ['evaluator.atr="unclosed', "is not a finite number or a JSON string"],
    ["evaluator.atr=1e999", "is not a finite number or a JSON string"],
  ];
  for (const [text, message] of cases) {
    assertThrows(() => parseSweep(text), ScenarioError, message);
  }
});

Deno.test("sweepGrid() is the cartesian product, the first key varying slowest", () => {
  const grid = sweepGrid([
    parseSweep("a.x=1,2"),
    parseSweep("a.y=u,v,w"),
    parseSweep("a.z=true"),
  ]);
  assertEquals(grid.length, 6);
  assertEquals(grid.slice(0, 4), [[1, "u", true], [1, "v", true], [1, "w", true], [2, "u", true]]);
  assertEquals(sweepGrid([]), [[]]);
});

Deno.test(`sweepGrid() refuses a key given twice and more than ${MAX_SWEEP_POINTS} combinations`, () => {
  assertThrows(
    () => sweepGrid([parseSweep("a.x=1"), parseSweep("a.x=2")]),
    ScenarioError,
    'Option --sweep "a.x": the key is given twice',
  );
  const values = (n: number) => Array.from({ length: n }, (_, i) => i).join(",");
  assertEquals(
    sweepGrid([parseSweep(`a.x=${values(40)}`), parseSweep(`a.y=${values(25)}`)]).length,
    1000,
  );
  assertThrows(
    () => sweepGrid([parseSweep(`a.x=${values(40)}`), parseSweep(`a.y=${values(26)}`)]),
    ScenarioError,
    "40 x 26 = 1,040 combinations, more than the 1,000 a sweep may run",
  );
});

Deno.test("sweepScenarios() sets each value where the file holds it, defaults included", async () => {
  const base = await loadScenario(scenarioPath("breakout"));
  const points = await sweepScenarios(base, [
    parseSweep("evaluator.callWall=705,710"),
    parseSweep("generators.spot.direction=down"),
    parseSweep("evaluator.thresholds.overspeedX=3"),
  ]);
  assertEquals(points.map((p) => p.values), [[705, "down", 3], [710, "down", 3]]);
  const evaluator = (i: number) =>
    points[i]!.scenario.evaluator.options as {
      callWall: number;
      thresholds?: { overspeedX?: number };
    };
  assertEquals([evaluator(0).callWall, evaluator(1).callWall], [705, 710]);
  // The file gives no thresholds: the swept one is set, the others keep their defaults.
  assertEquals(evaluator(1).thresholds?.overspeedX, 3);
  const spot = points[0]!.scenario.generators.find((g) => g.key === "generators.spot")!;
  assertEquals((spot.options as { direction: string }).direction, "down");
  // The base scenario is untouched.
  assertEquals((base.evaluator.options as { callWall: number }).callWall, 700);
});

Deno.test("sweepScenarios() keeps the base scenario's definition objects where the plugin is the same", async () => {
  const base = await loadScenario(scenarioPath("breakout"));
  const wrapped = { ...base.evaluator.definition };
  const scenario = { ...base, evaluator: { ...base.evaluator, definition: wrapped } };
  const [point] = await sweepScenarios(scenario, [parseSweep("evaluator.atr=3")]);
  assert(point!.scenario.evaluator.definition === wrapped);
});

Deno.test("sweepScenarios() refuses keys that name nothing, with the file, every problem at once", async () => {
  const base = await loadScenario(scenarioPath("breakout"));
  const file = base.path;
  const cases: [string, string][] = [
    [
      "generators.sopt.noise=1",
      `${file}: Option --sweep "generators.sopt.noise": names no generator; the scenario's generators are "spot", "iv", "hv" (did you mean "spot"?)`,
    ],
    [
      "seed=1,2",
      "every combination runs with the same seed (common random numbers); choose it with --seed",
    ],
    ["steps=10", "choose them with --steps"],
    ["monteCarlo.runs=10", "choose them with --runs"],
    ["sinks[0].use=csv", "a batch runs no sinks"],
    [
      "evaluatr.atr=1",
      'names nothing in the scenario; expected a path under "evaluator" or "generators", such as "evaluator.callWall" (did you mean "evaluator"?)',
    ],
    ["evaluator=1", "names a whole plugin entry; sweep one of its options"],
    ["generators.spot=1", "names a whole plugin entry"],
    ["evaluator.atr.x=1", '"evaluator.atr" is 2.8 in the scenario, not an object'],
    ["evaluator.atr[0]=1", '"evaluator.atr" is not a list in the scenario'],
    ["evaluator.atrr=1", 'Cannot read "evaluator.atrr": unknown key'],
  ];
  for (const [text, message] of cases) {
    await assertRejects(
      () => sweepScenarios(base, [parseSweep(text)]),
      ScenarioError,
      message,
      text,
    );
  }
  const error = await assertRejects(
    () =>
      sweepScenarios(base, [
        parseSweep("generators.volatility.y=1"),
        parseSweep("evaluator.atr=-1,2,zero"),
      ]),
    ScenarioError,
  );
  assertEquals(error.problems, [
    `${file}: Option --sweep "generators.volatility.y": names no generator; the scenario's generators are "spot", "iv", "hv"`,
    `${file}: Cannot read "evaluator.atr": expected a number > 0, got -1 (with --sweep evaluator.atr=-1)`,
    `${file}: Cannot read "evaluator.atr": expected a number > 0, got "zero" (with --sweep evaluator.atr=zero)`,
  ]);
});

Deno.test("sweepScenarios() names the combination when values fine alone clash together", async () => {
  const base = await loadScenario(scenarioPath("breakout"));
  const error = await assertRejects(
    () =>
      sweepScenarios(base, [
        parseSweep("evaluator.flip=685,692.5"),
        parseSweep("evaluator.putWall=680,688"),
      ]),
    ScenarioError,
  );
  assertEquals(error.problems.length, 1);
  assert(
    error.problems[0]!.endsWith(
      "(with --sweep evaluator.flip=685 evaluator.putWall=688)",
    ),
    error.problems[0],
  );
  assert(error.problems[0]!.startsWith(`${base.path}: Cannot read "evaluator.`), error.problems[0]);
});

Deno.test("a swept wall moves only the breach numbers: every combination flies the same paths", async () => {
  const scenario = await loadScenario(scenarioPath("breakout"));
  const report = await runSweep(scenario, [parseSweep("evaluator.callWall=698,702,706,712")], {
    outDir: await Deno.makeTempDir(),
    runs: 150,
    steps: 80,
    workers: 1,
  });
  const breaches = report.rows.map((row) => row.summary.breachRuns);
  // The wall does not steer the breakout: with common random numbers the runs breaching a
  // farther wall are a subset of those breaching a nearer one.
  for (let i = 1; i < breaches.length; i++) assert(breaches[i]! <= breaches[i - 1]!, `${breaches}`);
  assert(breaches[0]! > breaches[3]!, `${breaches}`);
  const spots = report.rows.map((row) => JSON.stringify(row.summary.finalSpotQuantiles));
  assertEquals(new Set(spots).size, 1);
  const csv = parseCsv(formatSweepCsv(report));
  assertEquals(csv[0], ["evaluator.callWall", ...SWEEP_COLUMNS]);
  assertEquals(csv.slice(1).map((row) => row[0]), ["698", "702", "706", "712"]);
  const column = csv[0]!.indexOf("breachRuns");
  assertEquals(csv.slice(1).map((row) => Number(row[column])), breaches);
});

Deno.test("a sweep stopped part-way writes nothing and leaves no temporary file", async () => {
  const scenario = await loadScenario(scenarioPath("breakout"));
  const outDir = await Deno.makeTempDir();
  const controller = new AbortController();
  const reason = new Error("stopped by the test");
  await assertRejects(
    () =>
      runSweep(scenario, [parseSweep("evaluator.callWall=700,705,710")], {
        outDir,
        runs: 400,
        steps: 50,
        workers: 1,
        signal: controller.signal,
        // Stop during the second combination, once the first is complete.
        onProgress: (done) => done > 500 && controller.abort(reason),
      }),
    Error,
    "stopped by the test",
  );
  assertEquals(listDir(outDir), []);
});

Deno.test("a sweep needs a number of runs", async () => {
  const scenario = await loadScenario(scenarioPath("breakout"));
  await assertRejects(
    () => runSweep(scenario, [parseSweep("evaluator.atr=2")], { outDir: "unused" }),
    ScenarioError,
    "Cannot run a sweep: give a number of runs per combination (--runs)",
  );
});

const chromiumPath = findChromium();
const inCi = Deno.env.get("CI") === "true";

/**
 * The sweep page's labels as the browser lays them out: pairs that overlap, labels outside
 * their chart, and tick labels not at their value on the domains the chart publishes.
 */
const SWEEP_LAYOUT = `(() => {
  const number = (text) => Number(text.replace(/,/g, ""));
  const box = (el) => el.getBoundingClientRect();
  const texts = [...document.querySelectorAll("svg text")].filter((t) => t.textContent.trim());
  const problems = [];
  for (let i = 0; i < texts.length; i++) {
    const a = box(texts[i]), s = box(texts[i].ownerSVGElement);
    if (a.left < s.left - 0.5 || a.right > s.right + 0.5) problems.push(texts[i].textContent + " clipped");
    for (let j = i + 1; j < texts.length; j++) {
      const b = box(texts[j]);
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 0 && h > 0) problems.push(texts[i].textContent + " overlaps " + texts[j].textContent);
    }
  }
  const svg = document.querySelector("svg[data-x-domain]");
  const plot = box(svg.querySelector("rect.plot-area"));
  const [xlo, xhi] = svg.getAttribute("data-x-domain").split(" ").map(Number);
  const [ylo, yhi] = svg.getAttribute("data-y-domain").split(" ").map(Number);
  const ticks = [];
  for (const t of svg.querySelectorAll("text.tick-x, text.tick-y")) {
    const isX = t.classList.contains("tick-x"), r = box(t), value = number(t.textContent);
    const at = isX ? (r.left + r.right) / 2 : (r.top + r.bottom) / 2;
    const want = isX
      ? plot.left + (value - xlo) / (xhi - xlo) * plot.width
      : plot.bottom - (value - ylo) / (yhi - ylo) * plot.height;
    if (!(Math.abs(at - want) <= r.height / 4)) problems.push("tick " + t.textContent + " is off");
    ticks.push(t.textContent);
  }
  const points = svg.querySelectorAll("circle").length;
  return { problems, ticks, points, width: document.documentElement.scrollWidth };
})()`;

Deno.test({
  name: "the sweep page opens in Chromium, its labels apart and its ticks at their values",
  ignore: !chromiumPath && !inCi,
  async fn() {
    assert(chromiumPath, "no Chromium at /usr/bin/chromium (set CHROMIUM_PATH); CI must run this");
    const scenario = await loadScenario(scenarioPath("breakout"));
    const chromium = await launchChromium(chromiumPath);
    const outDir = await Deno.makeTempDir();
    try {
      const sweeps = [
        // A line per noise against the numeric call wall.
        ["generators.spot.noise=0.2,0.4", "evaluator.callWall=700,702.5,705,710"],
        // A string last: against the combination's number, ticks at whole numbers.
        ["evaluator.callWall=700,710", "generators.spot.direction=up,down"],
      ];
      for (const [i, sweep] of sweeps.entries()) {
        const dir = join(outDir, String(i));
        await runSweep(scenario, sweep.map(parseSweep), { outDir: dir, runs: 60, steps: 60 });
        for (const width of [1280, 760]) {
          const { page, errors, blocked } = await openIsolated(
            chromium,
            join(dir, "breakout.sweep.html"),
            { viewport: { width, height: 900 } },
          );
          const facts = await page.evaluate(SWEEP_LAYOUT) as {
            problems: string[];
            ticks: string[];
            points: number;
            width: number;
          };
          const where = `${sweep.join(" ")} at ${width} px`;
          assertEquals(errors, [], where);
          assertEquals(blocked, [], where);
          assertEquals(facts.problems, [], where);
          assertEquals(facts.points, i === 0 ? 8 : 4, where); // a point per combination
          assert(facts.width <= width, `${where}: the page scrolls sideways, ${facts.width} px`);
          if (i === 1) {
            const xs = facts.ticks.filter((t) => !t.includes("."));
            assert(xs.includes("1") && xs.includes("4"), `${where}: ${facts.ticks}`);
          }
          await page.close();
        }
      }
    } finally {
      await chromium.close();
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
