/**
 * Headless Chromium for the flight view's browser tests, benchmark and screenshot: finds the
 * browser, launches it over a pipe (no debugging port, so no network permission is needed),
 * with a fresh profile that is removed on close.
 *
 * @module
 */
// The one place puppeteer is imported; a deno.json import-map entry "puppeteer-core" would
// replace this pinned specifier.
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { toFileUrl } from "@std/path";

export type { Browser, Page };

/** Where Debian and Ubuntu install Chromium. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/**
 * The Chromium executable to use: `CHROMIUM_PATH` when set, otherwise `/usr/bin/chromium`, if
 * that file exists.
 *
 * @returns The path, or `undefined` when there is no Chromium.
 *
 * @example Either a path or nothing
 * ```ts
 * import { assert } from "@std/assert";
 * import { findChromium } from "./chromium.ts";
 *
 * const path = findChromium();
 * assert(path === undefined || path.length > 0);
 * ```
 */
export function findChromium(): string | undefined {
  const path = Deno.env.get("CHROMIUM_PATH") || DEFAULT_CHROMIUM;
  try {
    return Deno.statSync(path).isFile ? path : undefined;
  } catch {
    return undefined;
  }
}

/** A launched browser and the way to shut it down. */
export interface Chromium {
  /** The puppeteer browser. */
  readonly browser: Browser;
  /** Closes the browser and removes its temporary profile. */
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with no network services, over a pipe, with a fresh temporary
 * profile.
 *
 * @param executablePath The browser, as found by {@linkcode findChromium}.
 * @returns The browser and its `close`.
 *
 * @example Launch and close (skipped when there is no Chromium)
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { findChromium, launchChromium } from "./chromium.ts";
 *
 * const path = findChromium();
 * if (path) {
 *   const chromium = await launchChromium(path);
 *   try {
 *     const page = await chromium.browser.newPage();
 *     assertEquals(await page.evaluate(() => 1 + 1), 2);
 *   } finally {
 *     await chromium.close();
 *   }
 * }
 * ```
 */
export async function launchChromium(executablePath: string): Promise<Chromium> {
  const profile = await Deno.makeTempDir({ prefix: "option-flight-chromium-" });
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      pipe: true,
      headless: true,
      timeout: 120_000,
      protocolTimeout: 300_000,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        `--user-data-dir=${profile}`,
      ],
    });
  } catch (error) {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw error;
  }
  return {
    browser,
    async close() {
      try {
        await browser.close();
      } finally {
        await Deno.remove(profile, { recursive: true }).catch(() => {});
      }
    },
  };
}

/** A page opened by {@linkcode openIsolated}. */
export interface IsolatedPage {
  /** The page. */
  readonly page: Page;
  /** Console errors (and warnings, when asked), page errors and failed requests. */
  readonly errors: string[];
  /** Requests other than the file itself and data:/blob: URLs; each was aborted. */
  readonly blocked: string[];
}

/** Settings of {@linkcode openIsolated}. */
export interface OpenIsolatedOptions {
  /** Viewport size in CSS pixels. @default {{ width: 1280, height: 800 }} */
  viewport?: { width: number; height: number };
  /** Whether console warnings count as errors. @default {false} */
  warnings?: boolean;
}

/**
 * Opens a local HTML file with every network request blocked and recorded, and every console
 * error, page error and failed request collected: what a self-contained page must survive.
 *
 * @param chromium A launched browser.
 * @param path The HTML file.
 * @param options Viewport and whether warnings count.
 * @returns The loaded page, its errors and the requests it tried.
 */
export async function openIsolated(
  chromium: Chromium,
  path: string,
  options: OpenIsolatedOptions = {},
): Promise<IsolatedPage> {
  const page = await chromium.browser.newPage();
  page.setDefaultTimeout(60_000);
  await page.setViewport(options.viewport ?? { width: 1280, height: 800 });
  const url = toFileUrl(path).href;
  const errors: string[] = [];
  const blocked: string[] = [];
  page.on("console", (message) => {
    const type = message.type();
    if (type === "error" || (options.warnings && type === "warn")) {
      errors.push(`console: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => errors.push(`page error: ${String(error)}`));
  page.on("requestfailed", (request) => {
    if (!blocked.includes(request.url())) errors.push(`request failed: ${request.url()}`);
  });
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const target = request.url();
    if (target === url || target.startsWith("data:") || target.startsWith("blob:")) {
      request.continue();
    } else {
      blocked.push(target);
      request.abort();
    }
  });
  await page.goto(url, { waitUntil: "load", timeout: 120_000 });
  return { page, errors, blocked };
}
