// One short backtest on the real S&P 500 and VIX files of ../shared/data (a year, 200 runs a
// day): skipped with a message when the folder is absent, except under CI=true.
import { assert, assertEquals, fail } from "@std/assert";
import { fromFileUrl } from "@std/path";
import { readDaily } from "../../markets/history.ts";
import { loadScenario } from "../../plugins/mod.ts";
import { computeBacktest } from "../../backtest/engine.ts";
import { backtestDocument } from "../../backtest/output.ts";

const data = new URL("../../../shared/data/", import.meta.url);
const files = {
  spx: new URL("spx_daily_1927-2026.csv", data),
  vix: new URL("vix_daily_cboe.csv", data),
};
const present = Object.values(files).every((url) => {
  try {
    return Deno.statSync(url).isFile;
  } catch {
    return false;
  }
});
if (!present) {
  if (Deno.env.get("CI") === "true") {
    Deno.test("the ../shared/data files are present under CI", () => {
      fail(`${fromFileUrl(data)} lacks the SPX or VIX daily file, and CI=true`);
    });
  } else {
    console.warn(`Skipping the ../shared/data backtest test: ${fromFileUrl(data)} not found`);
  }
}

Deno.test({
  ignore: !present,
  name: "a year of SPX with VIX: every session scored, predictions and outcomes in range",
  async fn() {
    const history = await readDaily(files.spx);
    const iv = await readDaily(files.vix);
    const path = fromFileUrl(new URL("../../scenarios/backtest_heston.jsonc", import.meta.url));
    const scenario = await loadScenario(path);
    const run = await computeBacktest(scenario, {
      history,
      iv,
      from: "2015-01-02",
      to: "2015-12-31",
      horizon: 10,
      runs: 200,
    });
    // 2015 had 252 NYSE sessions, and every one has 10 sessions after it in the file.
    assertEquals([run.sessions, run.scoredSessions, run.leftOut], [252, 252, 0]);
    const first = run.days[0]!;
    assertEquals(first.date, "2015-01-02");
    // VIX closed at 17.79 on 2015-01-02.
    assert(Math.abs(first.iv - 0.1779) < 1e-9, `iv ${first.iv}`);
    const doc = backtestDocument(run, "");
    // A 2-ATR band is touched within 10 sessions on about half the days of a calm year.
    assert(doc.band.baseRate > 0.3 && doc.band.baseRate < 0.8, `base rate ${doc.band.baseRate}`);
    assert(doc.band.brier > 0 && doc.band.brier < 0.5);
    assertEquals(doc.band.buckets.reduce((n, b) => n + b.count, 0), 252);
  },
});
