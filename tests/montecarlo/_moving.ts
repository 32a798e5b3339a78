// Scenarios whose levels move and whose frames carry dates, for the Monte Carlo tests: the
// shipped breakout with two tiny generator plugins written into a fresh folder.
import { fromFileUrl, join, toFileUrl } from "@std/path";

const root = fromFileUrl(new URL("../../", import.meta.url));

/** The call wall each run rolls to from step {@linkcode ROLL_AT}: 702, 703 or 704 by run. */
export const ROLL_AT = 10;
/** The flip climbs by this much a step from step {@linkcode CLIMB_AT}. */
export const CLIMB = 0.05;
/** The step the flip starts to climb at. */
export const CLIMB_AT = 20;
/** The first day of the dated scenario; one calendar day a step. */
export const FIRST_DAY = Date.UTC(2024, 0, 1);
/** The dated scenario's runs end here, before its `steps`: its days run out. */
export const DAYS = 45;

/** The ISO date of step `i` of the dated scenario. */
export function dayOf(i: number): string {
  return new Date(FIRST_DAY + i * 86_400_000).toISOString().slice(0, 10);
}

/** The call wall of run `run` at step `i`, and the flip at step `i`, as the plugin moves them. */
export function expectedLevels(run: number, i: number): { callWall: number; flip: number } {
  return {
    callWall: i >= ROLL_AT ? 702 + (run % 3) : 700,
    flip: i >= CLIMB_AT ? 692.5 + CLIMB * (i - CLIMB_AT) : 692.5,
  };
}

/**
 * Writes `moving.jsonc` (breakout with a generator of the `levels` channel that rolls the call
 * wall to a run-dependent level and makes the flip climb) and `dated.jsonc` (the same, with a
 * generator of the `time` channel whose days run out after {@linkcode DAYS} steps).
 *
 * @returns The folder and the two scenario files.
 */
export async function movingScenarios(): Promise<{ dir: string; moving: string; dated: string }> {
  const dir = await Deno.makeTempDir({ prefix: "mc_moving_" });
  const mod = toFileUrl(join(root, "mod.ts")).href;
  await Deno.writeTextFile(
    join(dir, "roll.ts"),
    `import { defineGenerator } from "${mod}";
export default defineGenerator({
  name: "roll",
  provides: ["levels"],
  options: {},
  start: ({ run }) => ({
    fill({ start, length, levels }) {
      for (let i = 0; i < length; i++) {
        const step = start + i;
        if (step >= ${ROLL_AT}) levels.callWall[i] = 702 + (run % 3);
        if (step >= ${CLIMB_AT}) levels.flip[i] = 692.5 + ${CLIMB} * (step - ${CLIMB_AT});
      }
    },
  }),
});
`,
  );
  await Deno.writeTextFile(
    join(dir, "days.ts"),
    `import { defineGenerator } from "${mod}";
export default defineGenerator({
  name: "days",
  provides: ["time"],
  options: {},
  start: () => ({
    length: ${DAYS},
    fill({ start, length, time }) {
      for (let i = 0; i < length; i++) {
        time[i] = new Date(${FIRST_DAY} + (start + i) * 86400000).toISOString().slice(0, 10);
      }
    },
  }),
});
`,
  );
  const breakout = (await Deno.readTextFile(join(root, "scenarios/breakout.jsonc")))
    .replace(/"renderers": \[[^\]]*\]/, '"renderers": []')
    .replace('"shockAt": 100', '"shockAt": 30');
  const moving = join(dir, "moving.jsonc");
  await Deno.writeTextFile(
    moving,
    breakout
      .replace('"name": "breakout"', '"name": "moving"')
      .replace('"generators": {', '"generators": { "walls": { "use": "./roll.ts" },')
      .replace('"steps": 200', '"steps": 60'),
  );
  const dated = join(dir, "dated.jsonc");
  await Deno.writeTextFile(
    dated,
    breakout
      .replace('"name": "breakout"', '"name": "dated"')
      .replace(
        '"generators": {',
        '"generators": { "days": { "use": "./days.ts" }, "walls": { "use": "./roll.ts" },',
      )
      .replace('"steps": 200', '"steps": 100'),
  );
  return { dir, moving, dated };
}
