import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import {
  type BrowserSession,
  describeWithBrowser,
  launchBrowser,
  screenshotDir,
  type TestConsole,
  waitForSelector,
  waitForText,
} from "./helpers/browser.js";
import {
  EXAMPLE_MODEL,
  jobIn,
  simulationIn,
  slowModel,
  startJob,
  startSimulation,
  startWorkConsole,
} from "./helpers/overview.js";
import { tempDir } from "./helpers/tmp.js";

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

const SALES = "id,cliente,importe\n1,Ana,10.5\n2,Luis,20\n3,Marta,30\n";

/** A CSV that takes the profiler a few seconds: 2 million rows of varied values. */
function bigCsv(dir: string): string {
  const path = join(dir, "ventas_grandes.csv");
  const lines = ["id,cliente,fecha,importe"];
  for (let i = 0; i < 2_000_000; i++)
    lines.push(`${i},cliente ${i % 50_000},2024-0${(i % 9) + 1}-1${i % 10},${(i * 7.31) % 1000}`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** Records, in the page, every percent the overview's bars show, by card. */
function recordBars(): void {
  const seen: Record<string, Set<string>> = { files: new Set(), sims: new Set() };
  (window as unknown as { __bars: typeof seen }).__bars = seen;
  const look = () => {
    for (const [key, id] of [
      ["files", "files-card"],
      ["sims", "simulations-card"],
    ] as const)
      for (const bar of document.querySelectorAll(`#${id} .ov-meter[aria-valuenow]`))
        seen[key]?.add(bar.getAttribute("aria-valuenow") ?? "");
  };
  addEventListener("DOMContentLoaded", () => {
    look();
    new MutationObserver(look).observe(document.body, { childList: true, subtree: true });
  });
}

describeWithBrowser("the overview's file jobs and simulations in Chromium", () => {
  let browser: BrowserSession;
  let shots: string;
  const consoles: TestConsole[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    shots = mkdtempSync(join(screenshotDir(), "overview-"));
  });
  afterAll(async () => {
    await browser?.close();
    process.stderr.write(`overview screenshots: ${shots}\n`);
  });
  afterEach(async () => {
    for (const page of browser.context.pages()) await page.close();
    await Promise.all(consoles.splice(0).map((ui) => ui.close()));
  });

  async function start(): Promise<TestConsole> {
    const ui = await startWorkConsole(tempDir("empresa-ui-overview-browser-"), {
      chunkSize: 2000,
    });
    consoles.push(ui);
    return ui;
  }

  async function open(ui: TestConsole, viewport = VIEWPORTS.desktop) {
    const watched = await browser.open(viewport);
    await watched.page.addInitScript(recordBars);
    await watched.page.goto(`${ui.url}/`);
    await waitForSelector(watched.page, '#live[data-state="live"]');
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

  it("shows finished jobs and runs with their outcome, at 1280×800 and 390 px (screenshots kept)", async () => {
    const ui = await start();
    const done = await jobIn(ui, await startJob(ui, SALES, "ventas_enero.csv"), ["completed"]);
    const bad = await jobIn(ui, await startJob(ui, 'a,b\n1,2\n"3,4\n5,6\n', "roto.csv"), [
      "failed",
    ]);
    const runId = await startSimulation(ui, EXAMPLE_MODEL, 50_000);
    const run = await simulationIn(ui, runId, ["completed"]);
    const firstOutput = Object.keys(run.result?.outputs ?? {})[0] as string;

    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      const { page, problems } = await open(ui, viewport);
      const files = page.locator("#files-card");
      await expect(
        files.locator(`li[data-job-id="${done.job_id}"]`).textContent(),
      ).resolves.toMatch(/ventas_enero\.csv\s*completed.*3 rows/s);
      const failed = await files.locator(`li[data-job-id="${bad.job_id}"]`).textContent();
      expect(failed).toMatch(/roto\.csv\s*failed\s*line 3: .*never closed/s);
      expect(await files.locator("a[href='/files']").count()).toBeGreaterThan(0);
      const sims = page.locator("#simulations-card");
      const line = await sims.locator(`li[data-run-id="${runId}"]`).textContent();
      expect(line).toMatch(/margen_ventas\s*completed\s*50,000 scenarios/);
      expect(line).toContain(`mean ${firstOutput} = `);
      await sims.locator(`a[href="/simulations/${runId}"]`).waitFor();
      // Both cards the same height side by side on a laptop; stacked on a phone.
      const [a, b] = await Promise.all([files.boundingBox(), sims.boundingBox()]);
      if (size === "desktop") expect(a?.y).toBe(b?.y);
      else expect((b?.y ?? 0) > (a?.y ?? 0) + (a?.height ?? 0) - 1).toBe(true);
      await noOverflow(page, size);
      await screenshot(page, `overview-finished-${viewport.width}`);
      expect(problems, size).toEqual([]);
      await page.close();
    }
  });

  it("a simulation and a file job started with the page open appear, their bars move, then they end", async () => {
    const csv = readFileSync(bigCsv(tempDir("empresa-ui-overview-big-")));
    const ui = await start();
    const { page, problems } = await open(ui);
    await waitForText(page, "#files-card", "No file jobs yet");
    await waitForText(page, "#simulations-card", "No simulations yet");

    // Idle, the page asks every 10 s: the run shows within that.
    const runId = await startSimulation(ui, slowModel(), 400_000, "margen_lento.ini");
    await waitForSelector(
      page,
      `#simulations-card li[data-run-id="${runId}"][data-state="running"]`,
    );
    // Now it asks every second: the job shows while it processes.
    const jobId = await startJob(ui, csv, "ventas_grandes.csv");
    await waitForSelector(page, `#files-card li[data-job-id="${jobId}"][data-state="processing"]`);
    await waitForText(page, `#files-card li[data-job-id="${jobId}"]`, "rows/s");
    await waitForText(page, `#simulations-card li[data-run-id="${runId}"]`, "/s");
    await screenshot(page, "overview-running-1280");
    const phone = await open(ui, VIEWPORTS.phone);
    await waitForSelector(phone.page, `#files-card li[data-state="processing"]`);
    await noOverflow(phone.page, "phone, running");
    await screenshot(phone.page, "overview-running-390");
    expect(phone.problems).toEqual([]);
    await phone.page.close();

    await waitForSelector(page, `#files-card li[data-job-id="${jobId}"][data-state="completed"]`);
    await waitForSelector(
      page,
      `#simulations-card li[data-run-id="${runId}"][data-state="completed"]`,
    );
    await waitForText(page, "#files-card", "Nothing processing now");
    await waitForText(page, "#simulations-card", "Nothing running now");
    const bars = await page.evaluate(() => {
      const s = (window as unknown as { __bars: Record<string, Set<string>> }).__bars;
      return { files: [...(s.files ?? [])], sims: [...(s.sims ?? [])] };
    });
    // The bars moved while the page was open (more than one percent seen, none of them 100).
    expect(bars.sims.length, JSON.stringify(bars)).toBeGreaterThan(1);
    expect(bars.files.length, JSON.stringify(bars)).toBeGreaterThan(1);
    await screenshot(page, "overview-done-1280");
    expect(problems).toEqual([]);
  });
});
