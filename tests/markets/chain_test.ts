// Cboe option-chain parsing: the preamble variants, every refusal with its file, line and
// column, then the real 2022-12-12 SPX chain in ../shared/data (SOURCES.md, file 4).
//
// Without ../shared/data the real-chain tests are skipped with a message, except under
// CI=true, where they fail: CI must run them.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { fromFileUrl } from "@std/path";
import { ScenarioError } from "../../core/errors.ts";
import {
  CBOE_CHAIN_HEADER,
  type Chain,
  MAX_CHAIN_PROBLEMS,
  parseChain,
  readChain,
} from "../../markets/chain.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const fixture = (name: string) => fromFileUrl(new URL(name, fixtures));

const dataDir = new URL("../../../shared/data/", import.meta.url);
const realChain = fromFileUrl(new URL("spx_option_chain_2022-12-12_cboe.csv", dataDir));
const inCi = Deno.env.get("CI") === "true";
const haveData = (() => {
  try {
    return Deno.statSync(realChain).isFile;
  } catch {
    return false;
  }
})();
if (!haveData && !inCi) {
  console.warn(
    `Skipping the real-chain tests of chain_test.ts: no ${realChain} ` +
      "(../shared/data beside the repository; see SOURCES.md there)",
  );
}

/** The message of the ScenarioError that `fn` throws. */
function messageOf(fn: () => unknown): string {
  return assertThrows(fn, ScenarioError).message;
}

async function rejectionOf(file: string): Promise<string> {
  return (await assertRejects(() => readChain(file), ScenarioError)).message;
}

/** A chain text: the real preamble, the header, and the given rows. */
function chainText(rows: readonly string[]): string {
  return [
    "---Example Data---",
    "SPX,Last: 4000",
    "Date: January 3, 2023 at 4:15 PM EST",
    CBOE_CHAIN_HEADER,
    ...rows,
  ].join("\n");
}

const GOOD_ROW =
  "Fri Jan 06 2023,C,10,0,9,11,5,0.2,0.5,0.002,100,4000.00,P,10,0,9,11,5,0.21,-0.5,0.002,200";

function assertFixtureChain(chain: Chain, path: string): void {
  assertEquals(chain.path, path);
  assertEquals(chain.spot, 3990.5601);
  assertEquals(chain.date, "2022-12-12");
  assertEquals(chain.expiries, ["2022-12-12", "2022-12-13"]);
  assertEquals([...chain.expiry], [0, 1, 1, 1]);
  assertEquals([...chain.strike], [3950, 3950, 4000, 4050]);
  assertEquals([...chain.call.openInterest], [120, 900, 4000, 2700]);
  assertEquals([...chain.put.openInterest], [300, 2500, 3800, 150]);
  assertEquals([...chain.call.iv], [0, 0.2312, 0.2208, 0.2101]);
  assertEquals([...chain.put.gamma], [0, 0.0041, 0.006, 0.0038]);
  assertEquals([...chain.put.delta!], [0, -0.2771, -0.5442, -0.8032]);
  assertEquals([...chain.call.volume!], [10, 850, 3100, 1900]);
}

Deno.test("readChain() reads the Cboe layout with an '---Example Data---' first line", async () => {
  const path = fixture("chain_example_data.csv");
  const chain = await readChain(path);
  assertFixtureChain(chain, path);
  assertEquals(chain.underlying, "Standard & Poors 500 Index");
  assertEquals(chain.dateText, "December 12, 2022 at 8:30 PM EST");
  assertEquals([...chain.line], [5, 6, 7, 8]);
});

Deno.test("readChain() reads a blank first line, an unquoted date line and \\r\\n", async () => {
  const path = fixture("chain_blank_crlf.csv");
  const chain = await readChain(path);
  assertFixtureChain(chain, path);
  assertEquals(chain.underlying, "SPX");
  assertEquals(chain.dateText, "December 12, 2022 at 8:30 PM EST");
});

Deno.test("readChain() reads a BOM, a free first line and quoted spot and date lines", async () => {
  const path = fixture("chain_bom_quoted.csv");
  const chain = await readChain(path);
  assertFixtureChain(chain, path);
  assertEquals(chain.underlying, "Standard & Poors 500 Index");
  assertEquals(chain.dateText, "Dec 12, 2022 at 8:30 PM EST");
});

Deno.test("readChain() reads a preamble with no free first line", async () => {
  const path = fixture("chain_no_free_line.csv");
  const chain = await readChain(path);
  assertFixtureChain(chain, path);
  assertEquals([...chain.line], [4, 5, 6, 7]);
});

Deno.test("readChain() refuses a missing column, naming it and the expected header", async () => {
  const path = fixture("chain_missing_column.csv");
  const message = await rejectionOf(path);
  assertStringIncludes(message, `${path}:4: Missing column "Gamma" for the puts`);
  assertStringIncludes(message, `expected the header "${CBOE_CHAIN_HEADER}"`);
  assertEquals(message.split("\n").length, 1);
});

Deno.test("readChain() refuses non-numeric and negative cells, all at once", async () => {
  const path = fixture("chain_non_numeric.csv");
  const error = await assertRejects(() => readChain(path), ScenarioError);
  assertEquals(error.problems, [
    `${path}:7: Cannot read column "IV" (calls, field 8): expected a number >= 0, got "n/a"`,
    `${path}:8: Cannot read column "Open Interest" (puts, field 22): expected a number >= 0, ` +
    `got "-150"`,
  ]);
});

Deno.test("readChain() refuses an empty file", async () => {
  const path = fixture("chain_empty.csv");
  const message = await rejectionOf(path);
  assertStringIncludes(message, `${path}:1: Empty file: expected a Cboe option-chain export`);
});

Deno.test("readChain() refuses another layout, saying what it expected", async () => {
  const path = fixture("chain_unknown_layout.csv");
  const message = await rejectionOf(path);
  assertStringIncludes(message, `${path}:1: Unknown layout: expected a Cboe option-chain export`);
  assertStringIncludes(message, `"Last: <price>"`);
  assertStringIncludes(message, `found no "Strike" column`);
  assertStringIncludes(message, `"Date,Open,High,Low,Close"`);
});

Deno.test("readChain() refuses a missing file and bytes that are not UTF-8", async () => {
  const missing = fixture("chain_absent.csv");
  assertEquals(
    await rejectionOf(missing),
    `${missing}: Cannot read the option chain: no such file`,
  );
  const latin1 = fixture("chain_latin1.csv");
  assertEquals(
    await rejectionOf(latin1),
    `${latin1}: Cannot read the option chain: expected UTF-8 text, found bytes that are not UTF-8`,
  );
});

Deno.test("parseChain() caps the list of bad cells and counts the rest", () => {
  const bad = GOOD_ROW.replace(",0.002,100,", ",x,100,");
  const error = assertThrows(
    () => parseChain(chainText(Array.from({ length: 30 }, () => bad)), "many.csv"),
    ScenarioError,
  );
  assertEquals(error.problems.length, MAX_CHAIN_PROBLEMS + 1);
  assertEquals(
    error.problems[0],
    'many.csv:5: Cannot read column "Gamma" (calls, field 10): expected a number >= 0, got "x"',
  );
  assertEquals(error.problems.at(-1), "many.csv: and 10 more problems");
});

Deno.test("parseChain() names the line of a short row and of a bad expiry", () => {
  const short = GOOD_ROW.split(",").slice(0, 21).join(",");
  const badDate = GOOD_ROW.replace("Fri Jan 06 2023", "Fri Jan 32 2023");
  const error = assertThrows(
    () => parseChain(chainText([GOOD_ROW, short, badDate]), "rows.csv"),
    ScenarioError,
  );
  assertEquals(error.problems, [
    "rows.csv:6: Cannot read the row: expected 22 fields as in the header on line 4, found 21",
    'rows.csv:7: Cannot read column "Expiration Date": expected a date such as ' +
    '"Mon Dec 12 2022", got "Fri Jan 32 2023"',
  ]);
});

Deno.test("parseChain() refuses a non-positive strike and hex, Infinity and empty cells", () => {
  const rows = [
    GOOD_ROW.replace("4000.00", "0"),
    GOOD_ROW.replace(",0.2,0.5,", ",0x1,0.5,"),
    GOOD_ROW.replace(",0.2,0.5,", ",Infinity,0.5,"),
    GOOD_ROW.replace(",0.2,0.5,", ",,0.5,"),
  ];
  const error = assertThrows(() => parseChain(chainText(rows), "cells.csv"), ScenarioError);
  assertEquals(error.problems.map((p) => p.split(": ")[0]), [
    "cells.csv:5",
    "cells.csv:6",
    "cells.csv:7",
    "cells.csv:8",
  ]);
  assertStringIncludes(error.problems[0]!, 'column "Strike": expected a number > 0, got "0"');
  assertStringIncludes(error.problems[3]!, 'column "IV" (calls, field 8)');
  assertStringIncludes(error.problems[3]!, 'got ""');
});

Deno.test("parseChain() refuses a missing spot line and an unreadable date, by line", () => {
  const noSpot = ["", "Date: January 3, 2023", CBOE_CHAIN_HEADER, GOOD_ROW].join("\n");
  assertStringIncludes(
    messageOf(() => parseChain(noSpot, "nospot.csv")),
    'nospot.csv:3: Cannot find the spot: expected a line with "Last: <price>" before the header',
  );
  const badDate = ["", "SPX,Last: 4000", "Date: soon", CBOE_CHAIN_HEADER, GOOD_ROW].join("\n");
  assertStringIncludes(
    messageOf(() => parseChain(badDate, "date.csv")),
    'date.csv:3: Cannot read the date: expected "Date: <Month> <day>, <year>"',
  );
  const badSpot = ["", "SPX,Last: n/a", "Date: January 3, 2023", CBOE_CHAIN_HEADER, GOOD_ROW]
    .join("\n");
  assertStringIncludes(
    messageOf(() => parseChain(badSpot, "spot.csv")),
    'spot.csv:2: Cannot read the spot: expected "Last: <price>" with a price > 0, got "Last: n/a"',
  );
});

Deno.test("parseChain() refuses a header with no rows after it", () => {
  assertStringIncludes(
    messageOf(() => parseChain(chainText([]) + "\n\n", "norows.csv")),
    "norows.csv:5: No option rows: expected rows after the header on line 4, found none",
  );
});

Deno.test("parseChain() reports a broken quote with its line and column", () => {
  const broken = GOOD_ROW.replace("C,", '"C,');
  assertStringIncludes(
    messageOf(() => parseChain(chainText([broken]), "quote.csv")),
    "quote.csv:5: Cannot parse CSV: column",
  );
});

Deno.test("parseChain() finds columns by name on each side of Strike", () => {
  // Puts' columns reordered, an extra column on the call side, Delta and Last Sale absent.
  const text = [
    "",
    "SPX,Last: 4000",
    "Date: 2023-01-03",
    "Expiration Date,IV,Gamma,Open Interest,Note,Strike,Open Interest,Gamma,IV",
    "2023-01-06,0.2,0.002,100,hello,4000,200,0.003,0.25",
  ].join("\n");
  const chain = parseChain(text, "names.csv");
  assertEquals(chain.date, "2023-01-03");
  assertEquals([chain.put.iv[0], chain.put.gamma[0], chain.put.openInterest[0]], [
    0.25,
    0.003,
    200,
  ]);
  assertEquals(chain.call.delta, undefined);
  assertEquals(chain.put.last, undefined);
});

Deno.test("parseChain() reads a quoted data row through @std/csv", () => {
  const quoted = GOOD_ROW.replace(",C,", ',"C, weekly",');
  const chain = parseChain(chainText([quoted]), "quoted.csv");
  assertEquals(chain.call.openInterest[0], 100);
});

Deno.test({
  name: "readChain() reads the 2022-12-12 SPX chain (SOURCES.md, file 4)",
  ignore: !haveData && !inCi,
  async fn() {
    const chain = await readChain(realChain);
    assertInstanceOf(chain.strike, Float64Array);
    assertEquals(chain.spot, 3990.5601);
    assertEquals(chain.date, "2022-12-12");
    assertEquals(chain.dateText, "December 12, 2022 at 8:30 PM EST");
    assertEquals(chain.underlying, "Standard & Poors 500 Index");
    assertEquals(chain.strike.length, 9578);
    assertEquals(chain.expiries.length, 51);
    assertEquals(chain.expiries[0], "2022-12-12");
    assertEquals(chain.expiries.at(-1), "2027-12-17");
    assertEquals(chain.line[0], 5);
    assertEquals(chain.line.at(-1), 9582);
    assertEquals([chain.strike[0], chain.call.openInterest[0], chain.call.last![0]], [
      1000,
      1,
      2943.2,
    ]);
    // Expiries are listed in ascending order, each once, and the rows follow that order.
    assert(chain.expiries.every((e, i) => i === 0 || chain.expiries[i - 1]! < e));
    assert(chain.expiry.every((e, i) => i === 0 || chain.expiry[i - 1]! <= e));
  },
});
