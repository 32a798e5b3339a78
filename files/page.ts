/**
 * The opening every report page shares (the batch report, the sweep and backtest pages): the
 * document head with its style, and the header with the title, the description and a line of
 * facts; and the escaping of text into them.
 *
 * @module
 */

/** What a report page opens with. */
export interface PageOpening {
  /** The page's title and heading, as text. */
  readonly title: string;
  /** The whole style sheet. */
  readonly style: string;
  /** A description under the heading, as text; none when empty or absent. */
  readonly lede?: string | undefined;
  /** The line of facts under it, as HTML. */
  readonly meta: string;
}

/**
 * A report page's text up to the end of its header.
 *
 * @param page The title, style, description and facts.
 * @returns The HTML, from the doctype to `</header>`.
 *
 * @example The title is text, the facts are HTML
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { pageOpening } from "./page.ts";
 *
 * const html = pageOpening({ title: "A & B", style: "", meta: "2 &times; 3" });
 * assertStringIncludes(html, "<h1>A &#38; B</h1>\n<p class=\"meta\">2 &times; 3</p>\n</header>");
 * ```
 */
export function pageOpening(page: PageOpening): string {
  const title = escapeHtml(page.title);
  const lede = page.lede ? `<p class="lede">${escapeHtml(page.lede)}</p>\n` : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${page.style}</style>
</head>
<body>
<header>
<h1>${title}</h1>
${lede}<p class="meta">${page.meta}</p>
</header>`;
}

/**
 * Text as HTML: `&`, `<`, `>`, `"` and `'` as numeric character references.
 *
 * @param text Any text.
 * @returns The text, safe in an element or a quoted attribute.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
