import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { describe, it } from "vitest";

/** Debian's Chromium (installed by `.ci/run`); `CHROMIUM_PATH` points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The flags every test browser runs with: headless, quiet, no network of its own. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why Chromium cannot be used here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  }
}

/**
 * `describe` for a suite that needs Chromium. Without it, a developer's run says so loudly
 * on stderr and skips the suite; under `CI=true` the suite fails with the reason.
 */
export function describeWithBrowser(name: string, suite: () => void): void {
  const missing = chromiumMissing();
  if (!missing) {
    describe(name, suite);
    return;
  }
  if (process.env.CI === "true") {
    describe(name, () => {
      it("has a Chromium to run in", () => {
        throw new Error(`${name}: ${missing}; CI must install it (.ci/run)`);
      });
    });
    return;
  }
  process.stderr.write(`\n*** SKIPPED "${name}": ${missing} ***\n\n`);
  describe.skip(`${name} (SKIPPED: ${missing})`, suite);
}

/** A page that records what went wrong in it: console errors, uncaught exceptions, failed requests. */
export interface WatchedPage {
  page: Page;
  /** Console messages of type `error`, uncaught exceptions, requests that failed or got ≥ 400. */
  problems: string[];
}

export interface BrowserSession {
  context: BrowserContext;
  /** A new tab at `viewport` (default 1280×800), watched for problems. */
  open(viewport?: { width: number; height: number }): Promise<WatchedPage>;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

/**
 * Starts Debian's Chromium through playwright-core (no browser download) with a fresh
 * profile folder (`--user-data-dir`, given as playwright's `userDataDir`).
 *
 * @example
 * const browser = await launchBrowser();
 * const { page, problems } = await browser.open();
 * await page.goto(url);
 * expect(problems).toEqual([]);
 * await browser.close();
 */
export async function launchBrowser(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), "empresa-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 800 },
      timeout: 60_000,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  // A persistent context opens with one blank tab; tests open their own.
  for (const page of context.pages()) await page.close();
  return {
    context,
    async open(viewport = { width: 1280, height: 800 }) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`exception: ${error.message}`));
      page.on("requestfailed", (request) => {
        // A live stream cut when the page goes away is not a problem of the page.
        if (request.failure()?.errorText === "net::ERR_ABORTED") return;
        problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`);
      });
      page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });
      return { page, problems };
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Where page screenshots go: `SCREENSHOT_DIR`, or `<tmp>/empresa-etl-screenshots` (kept
 * after the run, to look at).
 */
export function screenshotDir(): string {
  const dir = process.env.SCREENSHOT_DIR ?? join(tmpdir(), "empresa-etl-screenshots");
  mkdirSync(dir, { recursive: true });
  return dir;
}
