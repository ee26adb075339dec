import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { createLogger } from "../../src/log.js";
import { type ConsoleOptions, type RunningConsole, startConsole } from "../../src/ui/server.js";
import { describeRequiring } from "./requires.js";

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
  describeRequiring(name, chromiumMissing(), "a Chromium to run in", suite);
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

// ── The console under test ────────────────────────────────────────────────────────────

declare global {
  /** Set by `stepGates()`: a step file of `writeSteps` awaits it before returning. */
  var __consoleGate: ((step: string) => Promise<void> | undefined) | undefined;
}

/**
 * Holds chosen steps of `writeSteps` in `running` until the test releases them, so a test
 * sees a state in the page or the stream without depending on timing. Steps load in the
 * console's process, so they reach this through `globalThis`.
 */
export function stepGates() {
  globalThis.__consoleGate = (step) => held.get(step)?.promise;
  return {
    hold(step: string): void {
      let release = () => {};
      const promise = new Promise<void>((resolve) => {
        release = resolve;
      });
      held.set(step, { promise, release });
    },
    release(step: string): void {
      held.get(step)?.release();
      held.delete(step);
    },
    releaseAll(): void {
      for (const step of [...held.keys()]) this.release(step);
    },
  };
}

const held = new Map<string, { promise: Promise<void>; release: () => void }>();

/** One `.mjs` step file: consumes, produces, and a value per produced dataset (JSON). */
export function stepFile(step: {
  description?: string;
  consumes?: string[];
  produces: string[];
  values?: Record<string, unknown>;
  fail?: string;
}): string {
  const values = step.values ?? Object.fromEntries(step.produces.map((name) => [name, [{ name }]]));
  return `export default {
  description: ${JSON.stringify(step.description ?? "")},
  consumes: ${JSON.stringify(step.consumes ?? [])},
  produces: ${JSON.stringify(step.produces)},
  async run(inputs, ctx) {
    await globalThis.__consoleGate?.(ctx.step);
    ${step.fail ? `throw new Error(${JSON.stringify(step.fail)});` : ""}
    return ${JSON.stringify(values)};
  },
};
`;
}

/**
 * The steps of the console tests, three levels deep with a shared producer:
 * `pedidos` and `clientes` → `resumen` → `informe`.
 */
export const TEST_STEPS: Record<string, string> = {
  "pedidos.mjs": stepFile({
    description: "Orders",
    produces: ["pedidos"],
    values: {
      pedidos: [
        { pedido_id: 1, cliente_id: 1, importe: 120.5 },
        { pedido_id: 2, cliente_id: 2, importe: 80 },
        { pedido_id: 3, cliente_id: 1, importe: 42.25 },
      ],
    },
  }),
  "clientes.mjs": stepFile({
    description: "Clients",
    produces: ["clientes"],
    values: {
      clientes: [
        { cliente_id: 1, nombre: "Ana <b>Gómez</b>" },
        { cliente_id: 2, nombre: "Luis Pérez" },
      ],
    },
  }),
  "resumen.mjs": stepFile({
    description: "Amount per client",
    consumes: ["pedidos", "clientes"],
    produces: ["resumen"],
    values: {
      resumen: [
        { nombre: "Ana <b>Gómez</b>", importe: 162.75 },
        { nombre: "Luis Pérez", importe: 80 },
      ],
    },
  }),
  "informe.mjs": stepFile({
    description: "The report",
    consumes: ["resumen"],
    produces: ["informe"],
    values: { informe: { total: 242.75, clientes: 2 } },
  }),
};

/** Writes step files into `dir` (created if needed) and returns it. */
export function writeSteps(dir: string, files: Record<string, string> = TEST_STEPS): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export interface TestConsole extends RunningConsole {
  stepsDir: string;
  controlDb: string;
  dbPath: string;
}

/**
 * The console on a free port of 127.0.0.1 over `root`: `root/steps` (the test steps unless
 * `steps` says otherwise), `root/control.db`, `root/empresa.db`, logs in `root/logs`, the
 * scheduler's status and schedule files under `root` (absent unless a test writes them).
 */
export async function startTestConsole(
  root: string,
  options: Partial<ConsoleOptions> & { steps?: Record<string, string> } = {},
): Promise<TestConsole> {
  const { steps, ...rest } = options;
  const stepsDir = writeSteps(join(root, "steps"), steps ?? TEST_STEPS);
  const controlDb = join(root, "control.db");
  const dbPath = join(root, "empresa.db");
  const ui = await startConsole({
    port: 0,
    host: "127.0.0.1",
    stepsDir,
    controlDb,
    dbPath,
    // The scheduler page reads these: never the repository's own files.
    statusFile: join(root, "logs", "run_master_status.json"),
    scheduleFile: join(root, "schedule.json"),
    // The file jobs' folders too (TEMP_DIR, RESULTS_DIR default to the working directory).
    files: { tempDir: join(root, "temp"), resultsDir: join(root, "resultados") },
    ...rest,
    // Only when the test gives none: a logger made and dropped leaks its file handle.
    log: rest.log ?? createLogger("ui", { dir: join(root, "logs"), console: false }),
  });
  return { ...ui, close: () => ui.close(), stepsDir, controlDb, dbPath };
}

/** Waits until `selector` matches an element in the page (attached; any state it encodes). */
export async function waitForSelector(page: Page, selector: string): Promise<void> {
  await page.locator(selector).first().waitFor({ state: "attached" });
}

/** Waits until `selector` matches exactly `count` elements. */
export async function waitForCount(page: Page, selector: string, count: number): Promise<void> {
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel as string).length === n, [
    selector,
    count,
  ] as const);
}

/** Waits until the element of `selector` contains `text`; returns its text. */
export async function waitForText(page: Page, selector: string, text: string): Promise<string> {
  await page.waitForFunction(
    ([sel, t]) =>
      document.querySelector(sel as string)?.textContent?.includes(t as string) === true,
    [selector, text] as const,
  );
  return (await page.locator(selector).first().textContent()) ?? "";
}
