import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger, type Logger } from "../src/log.js";
import {
  type BrowserSession,
  describeWithBrowser,
  launchBrowser,
  screenshotDir,
  startTestConsole,
  type TestConsole,
  waitForSelector,
  waitForText,
} from "./helpers/browser.js";

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

const EXAMPLE = join(import.meta.dirname, "..", "modelos", "ejemplo.ini");
/**
 * The example model made slow without codigo: the same result plus 0·(320 calls of sin,
 * cos, exp, log), about 60k scenarios/s on two worker threads, so the 400k scenarios take
 * several seconds: many progress and live events (every 250 and 500 ms).
 */
function slowModel(): string {
  const terms = Array.from(
    { length: 80 },
    (_, i) => `sin(x*${i + 1})+cos(y*${i + 1})+exp(-abs(z*${i + 1}))+log(1+abs(w*${i + 1}))`,
  ).join("+");
  return readFileSync(EXAMPLE, "utf8").replace(
    "expresion = x**2 + y*z - w + v/(n+1)",
    `expresion = x**2 + y*z - w + v/(n+1) + 0*(${terms})`,
  );
}
const SCENARIOS = 400_000;

/** Records, in the page, every progress value and chart total the run's page draws. */
function recordCharts(): void {
  const seen = { progress: new Set<string>(), hist: new Set<string>(), conv: new Set<string>() };
  (window as unknown as { __seen: typeof seen }).__seen = seen;
  const look = () => {
    const bar = document.querySelector<HTMLElement>(".sim-bar-wrap[data-completed]");
    if (bar?.dataset.completed) seen.progress.add(bar.dataset.completed);
    const hist = document.querySelector("svg.sim-hist");
    const total = hist?.getAttribute("data-total");
    if (total) seen.hist.add(total);
    const conv = document.querySelector("svg.sim-conv");
    const points = conv?.getAttribute("data-points");
    if (points) seen.conv.add(points);
  };
  addEventListener("DOMContentLoaded", () => {
    look();
    new MutationObserver(look).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
    });
  });
}

interface Seen {
  progress: string[];
  hist: string[];
  conv: string[];
}

async function seen(page: Page): Promise<Seen> {
  return page.evaluate(() => {
    const s = (window as unknown as { __seen: Record<keyof Seen, Set<string>> }).__seen;
    return { progress: [...s.progress], hist: [...s.hist], conv: [...s.conv] };
  });
}

/** The problems of a page, less the refused start a test asked for. */
function unexpected(problems: string[], status: number): string[] {
  return problems.filter(
    (problem) =>
      !problem.startsWith(`HTTP ${status}: `) &&
      !problem.includes(`the server responded with a status of ${status}`),
  );
}

describeWithBrowser("the /simulations pages in Chromium", () => {
  let browser: BrowserSession;
  let ui: TestConsole;
  let log: Logger;
  let root: string;
  let shots: string;
  let bad: string;
  let slow: string;
  let completedRun = "";

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "empresa-ui-sim-browser-"));
    shots = mkdtempSync(join(screenshotDir(), "simulations-"));
    bad = join(root, "malo.ini");
    writeFileSync(
      bad,
      readFileSync(EXAMPLE, "utf8").replace(
        "z, float, exponential, lambda=1.5",
        "z, float, exponential, lambda=-1",
      ),
    );
    slow = join(root, "margen_lento.ini");
    writeFileSync(slow, slowModel());
    log = createLogger("ui", { dir: join(root, "logs"), console: false });
    ui = await startTestConsole(root, {
      steps: {},
      simulations: { simDir: join(root, "simulaciones"), workers: 2 },
      log,
    });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    await log?.flushFile();
    if (root) rmSync(root, { recursive: true, force: true });
    process.stderr.write(`/simulations screenshots: ${shots}\n`);
  });

  async function open(path: string, viewport = VIEWPORTS.desktop) {
    const watched = await browser.open(viewport);
    await watched.page.addInitScript(recordCharts);
    await watched.page.goto(`${ui.url}${path}`);
    return watched;
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }

  async function noOverflow(page: Page, what: string): Promise<void> {
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow, what).toBeLessThanOrEqual(0);
  }

  it("starts the example model from the page, follows it live, shows its summary and tornado", async () => {
    const { page, problems } = await open("/simulations");
    await waitForText(page, "#sim-runs-empty", "No simulations yet");
    await screenshot(page, "simulations-empty-1280");

    // A definition error, in words next to the form, with its line.
    await page.setInputFiles("#model-input", bad);
    await waitForText(page, "#sim-file-name", "malo.ini");
    await page.click("#sim-start");
    await waitForSelector(page, '#sim-form-status .upload-error[data-line="12"]');
    const error = (await page.locator("#sim-form-status").textContent()) ?? "";
    expect(error).toContain("line 12");
    expect(error).toContain("lambda");
    await screenshot(page, "simulations-error-1280");
    expect(unexpected(problems, 400)).toEqual([]);
    problems.length = 0;

    await page.setInputFiles("#model-input", slow);
    await page.fill("#sim-scenarios", String(SCENARIOS));
    await page.fill("#sim-seed", "42");
    await page.click("#sim-start");
    await waitForSelector(page, "#sim-started-link");
    await waitForSelector(page, '#sim-runs tr.sim-run[data-state="running"]');
    // The row's progress moves on this page too.
    await page.waitForFunction(() => {
      const stats = document.querySelector<HTMLElement>(".sim-row-stats[data-completed]");
      return Number(stats?.dataset.completed) > 0;
    });
    await screenshot(page, "simulations-list-running-1280");
    await noOverflow(page, "list at 1280");
    const runId = (await page
      .locator("#sim-runs tr.sim-run")
      .first()
      .getAttribute("data-run-id")) as string;
    expect(runId).toMatch(/^\d{8}T\d{6}-[0-9a-f]{6}$/);

    await page.click("#sim-started-link");
    await page.waitForURL(`**/simulations/${runId}`);
    await waitForSelector(page, "#sim-head");
    await waitForText(page, "#live", "live");
    // Progress and both charts change while it runs (as recorded by the page's observer).
    await page.waitForFunction(() => {
      const s = (window as unknown as { __seen: Record<"progress" | "hist" | "conv", Set<string>> })
        .__seen;
      const moving = [...s.progress].filter((v) => Number(v) > 0);
      return moving.length >= 3 && s.hist.size >= 3 && s.conv.size >= 2;
    });
    expect(await page.locator("#sim-consumers-table tbody tr").count()).toBe(2);
    expect(await page.locator(".sim-tiles").textContent()).toContain("generated");
    await screenshot(page, "simulation-running-1280");

    await waitForSelector(page, '#sim-head[data-state="completed"]');
    await waitForSelector(page, "#sim-summary-table");
    const recorded = await seen(page);
    const progress = recorded.progress.map(Number).filter((v) => v > 0);
    expect(
      progress.length,
      `progress drawn: ${recorded.progress.join(", ")}`,
    ).toBeGreaterThanOrEqual(3);
    expect(
      recorded.hist.length,
      `histogram totals: ${recorded.hist.join(", ")}`,
    ).toBeGreaterThanOrEqual(3);
    expect(Math.max(...recorded.hist.map(Number))).toBeGreaterThan(
      Math.min(...recorded.hist.map(Number)),
    );

    // The summary, per output.
    const statLabels = await page.locator("#sim-summary-table tbody th").allTextContents();
    for (const label of [
      "mean",
      "std (sample)",
      "p1",
      "p5",
      "p50 (median)",
      "p95",
      "p99",
      "95% CI of the mean",
    ])
      expect(statLabels).toContain(label);
    expect(await page.locator("#sim-summary-table thead th").allTextContents()).toEqual([
      "Statistic",
      "resultado",
    ]);
    const n = await page.locator('#sim-summary-table tr[data-stat="n"] td').textContent();
    const errors = await page.locator('#sim-summary-table tr[data-stat="errors"] td').textContent();
    expect(Number(n?.replace(/,/g, "")) + Number(errors?.replace(/,/g, ""))).toBe(SCENARIOS);
    expect(await page.locator(".sim-bar-wrap").getAttribute("data-percent")).toBe("100.00");

    // The tornado: every variable, sorted by |ρ|, negative bars left of the axis.
    const rows = page.locator("svg.sim-tornado g.sim-tornado-row");
    expect(await rows.count()).toBe(6);
    const rhos = await rows.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute("data-rho"))));
    const sorted = [...rhos].sort((a, b) => Math.abs(b) - Math.abs(a));
    expect(rhos).toEqual(sorted);
    const zero = Number(await page.locator("svg.sim-tornado line.sim-zero").getAttribute("x1"));
    const negative = page.locator("svg.sim-tornado rect.sim-rho.neg");
    // w enters with a minus: its ρ is negative.
    expect(
      await page.locator('g.sim-tornado-row[data-variable="w"] rect').getAttribute("class"),
    ).toContain("neg");
    for (const rect of await negative.all()) {
      const x = Number(await rect.getAttribute("x"));
      const width = Number(await rect.getAttribute("width"));
      expect(x + width).toBeCloseTo(zero, 1);
    }
    // The final charts and the downloads.
    // The final histogram: the summary's 50 bins, less the far tails' nearly empty ones.
    const bars = await page.locator("svg.sim-hist rect.sim-bar").count();
    expect(bars).toBeGreaterThanOrEqual(8);
    expect(bars).toBeLessThanOrEqual(50);
    expect(Number(await page.locator("svg.sim-hist").getAttribute("data-total"))).toBe(
      Number(n?.replace(/,/g, "")),
    );
    expect(await page.locator("#sim-live, #sim-cancel").count()).toBe(0);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('#sim-summary a[data-file="resumen.json"]'),
    ]);
    expect(download.suggestedFilename()).toBe(`resumen_${runId}.json`);
    await screenshot(page, "simulation-done-1280");
    await noOverflow(page, "run page at 1280");
    expect(problems).toEqual([]);
    completedRun = runId;
    await page.close();
  }, 180_000);

  it("reads well at 390 px: the list, a finished run, a running one and its Cancel", async () => {
    expect(completedRun).not.toBe("");
    const list = await open("/simulations", VIEWPORTS.phone);
    await waitForSelector(list.page, "#sim-runs");
    await noOverflow(list.page, "list at 390");
    await screenshot(list.page, "simulations-list-390");
    expect(list.problems).toEqual([]);
    await list.page.close();

    const done = await open(`/simulations/${completedRun}`, VIEWPORTS.phone);
    await waitForSelector(done.page, "#sim-summary-table");
    await waitForSelector(done.page, "svg.sim-tornado");
    // The charts are drawn again at the phone's width, not the server's default.
    await done.page.waitForFunction(
      () => Number(document.querySelector("svg.sim-hist")?.getAttribute("width")) <= 370,
    );
    await noOverflow(done.page, "finished run at 390");
    await screenshot(done.page, "simulation-done-390");
    expect(done.problems).toEqual([]);
    await done.page.close();

    // A run started from the API, followed and cancelled on a phone.
    const form = new FormData();
    form.set("model", new Blob([readFileSync(EXAMPLE)]), "ejemplo.ini");
    form.set("scenarios", "50000000");
    const res = await fetch(`${ui.url}/api/simulations`, { method: "POST", body: form });
    const { run_id } = (await res.json()) as { run_id: string };
    const running = await open(`/simulations/${run_id}`, VIEWPORTS.phone);
    await running.page.waitForFunction(() => {
      const s = (window as unknown as { __seen: Record<"progress" | "hist" | "conv", Set<string>> })
        .__seen;
      return [...s.progress].filter((v) => Number(v) > 0).length >= 2 && s.hist.size >= 2;
    });
    await noOverflow(running.page, "running run at 390");
    await screenshot(running.page, "simulation-running-390");
    await running.page.click("#sim-cancel");
    await waitForSelector(running.page, '#sim-head[data-state="cancelled"]');
    await waitForText(running.page, "#sim-progress-body", "Cancelled after");
    expect(await running.page.locator("#sim-cancel").count()).toBe(0);
    await screenshot(running.page, "simulation-cancelled-390");
    expect(running.problems).toEqual([]);
    await running.page.close();
  }, 180_000);
});
