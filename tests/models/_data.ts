// The S&P 500 daily file of ../shared/data for the fits' real-data tests: skipped with a
// message when ../shared is absent, a failing test instead when CI=true.
import { fail } from "@std/assert";
import { fromFileUrl } from "@std/path";

const data = new URL("../../../shared/data/", import.meta.url);

/** The S&P 500 daily file (Yahoo's ^GSPC, 1927 to 2026). */
export const SPX_FILE: URL = new URL("spx_daily_1927-2026.csv", data);

/** Whether the file is there. */
export const SPX_PRESENT: boolean = (() => {
  try {
    return Deno.statSync(SPX_FILE).isFile;
  } catch {
    return false;
  }
})();

if (!SPX_PRESENT) {
  if (Deno.env.get("CI") === "true") {
    Deno.test("the ../shared/data S&P 500 file is present under CI", () => {
      fail(`${fromFileUrl(SPX_FILE)} is missing, and CI=true`);
    });
  } else {
    console.warn(`Skipping the ../shared/data fit tests: ${fromFileUrl(SPX_FILE)} not found`);
  }
}
