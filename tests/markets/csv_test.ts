// The market-data CSV table: a quote-free file is split at commas, and must give the records
// @std/csv gives, on the shipped files and on the awkward corners of the format.
import { assertEquals, fail } from "@std/assert";
import { parse } from "@std/csv";
import { fromFileUrl } from "@std/path";
import { parseCsvTable } from "../../markets/_csv.ts";

/** What @std/csv gives, blank rows left out, as the table keeps them. */
function expected(text: string): string[][] {
  return parse(text).filter((row) => !row.every((cell) => cell.trim() === ""));
}

Deno.test("a quote-free file gives @std/csv's records: BOM, CRLF, blank lines, empty cells", () => {
  for (const text of ["\uFEFFa,b\r\n1,2\r\n", "a,b\n\n1,\n,2\n", "a, b ,c\n1,2,3\n4,5\n"]) {
    const table = parseCsvTable(text, "t.csv");
    const [header, ...rows] = expected(text);
    assertEquals(table.header, header!.map((name) => name.trim()), text);
    assertEquals(table.rows, rows, text);
  }
});

const data = new URL("../../../shared/data/", import.meta.url);
const present = await Deno.stat(data).then(() => true, () => false);
if (!present && Deno.env.get("CI") === "true") {
  Deno.test("../shared/data is beside the checkout under CI", () =>
    fail(`${fromFileUrl(data)} is absent`));
}

Deno.test(
  { name: "the shipped daily files read as @std/csv reads them", ignore: !present },
  async () => {
    for (
      const file of [
        "spx_daily_1927-2026.csv",
        "vix_daily_cboe.csv",
        "spy_daily_unadjusted_1999-2020.csv",
      ]
    ) {
      const text = await Deno.readTextFile(new URL(file, data));
      const table = parseCsvTable(text, file);
      assertEquals(
        JSON.stringify([table.header, ...table.rows]),
        JSON.stringify(expected(text)),
        file,
      );
    }
  },
);
