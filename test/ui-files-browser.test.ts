import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
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

/** Rows of the large file: enough, with 1,000-row chunks, for several progress events. */
const ROWS = 500_000;

/** A CSV with a column of each kind: integer, decimal, text, boolean, date, mostly-null text. */
function largeCsv(rows: number): string {
  const categories = ["Alimentación", "Bebidas", "Limpieza", "Panadería", "Otros"];
  const lines = ["id,precio,categoria,activo,fecha,nota"];
  for (let i = 1; i <= rows; i++) {
    const price = ((i % 997) * 1.37).toFixed(2);
    const day = String(1 + (i % 28)).padStart(2, "0");
    const month = String(1 + (i % 12)).padStart(2, "0");
    lines.push(
      `${i},${price},${categories[i % 5]},${i % 3 ? "true" : "false"},2024-${month}-${day},${i % 7 ? "" : `nota ${i}`}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Records, in the page, every progress value its job rows and upload bar show. */
function recordProgress(): void {
  const seen = { job: new Set<string>(), upload: new Set<string>() };
  (window as unknown as { __progress: typeof seen }).__progress = seen;
  const look = () => {
    for (const stats of document.querySelectorAll<HTMLElement>(".job-stats[data-percent]"))
      seen.job.add(`${stats.dataset.rows}:${stats.dataset.percent}`);
    const upload = document.getElementById("upload-progress");
    if (upload?.dataset.percent) seen.upload.add(upload.dataset.percent);
  };
  addEventListener("DOMContentLoaded", () => {
    new MutationObserver(look).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
    });
  });
}

async function progressSeen(page: Page): Promise<{ job: string[]; upload: string[] }> {
  return page.evaluate(() => {
    const seen = (window as unknown as { __progress: { job: Set<string>; upload: Set<string> } })
      .__progress;
    return { job: [...seen.job], upload: [...seen.upload] };
  });
}

/** The problems of a page, less the failed request a refused upload is (expected there). */
function unexpected(problems: string[], status: number): string[] {
  return problems.filter(
    (problem) =>
      !problem.startsWith(`HTTP ${status}: `) &&
      !problem.includes(`the server responded with a status of ${status}`),
  );
}

describeWithBrowser("the /files page in Chromium", () => {
  let browser: BrowserSession;
  let ui: TestConsole;
  let root: string;
  let shots: string;
  let large: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "empresa-ui-files-browser-"));
    shots = mkdtempSync(join(screenshotDir(), "files-"));
    mkdirSync(join(root, "inputs"));
    large = join(root, "inputs", "ventas_grandes.csv");
    writeFileSync(large, largeCsv(ROWS));
    ui = await startTestConsole(root, {
      steps: {},
      files: {
        tempDir: join(root, "temp"),
        resultsDir: join(root, "resultados"),
        chunkSize: 1000,
      },
    });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    if (root) rmSync(root, { recursive: true, force: true });
    process.stderr.write(`/files screenshots: ${shots}\n`);
  });

  async function open(viewport = VIEWPORTS.desktop) {
    const watched = await browser.open(viewport);
    await watched.page.addInitScript(recordProgress);
    await watched.page.goto(`${ui.url}/files`);
    await waitForSelector(watched.page, "#jobs-empty, #jobs-list");
    return watched;
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }

  it("uploads a CSV, previews it, processes it live, shows its profile and downloads a Parquet file", async () => {
    const { page, problems } = await open();
    await waitForText(page, "#jobs-empty", "No jobs yet");
    await screenshot(page, "files-empty-1280");

    await page.setInputFiles("#file-input", large);
    await waitForSelector(page, "#preview");
    const facts = (await page.locator("#preview .facts").textContent()) ?? "";
    expect(facts).toContain("ventas_grandes.csv");
    expect(facts).toContain("UTF-8");
    expect(facts).toContain("comma");
    expect(await page.locator("#preview-table thead th").allTextContents()).toEqual([
      "#",
      "id",
      "precio",
      "categoria",
      "activo",
      "fecha",
      "nota",
    ]);
    expect(await page.locator("#preview-table tbody tr").count()).toBe(5);
    expect(
      await page.locator("#preview-table tbody tr").first().locator("td").nth(3).textContent(),
    ).toBe("Bebidas");
    expect((await progressSeen(page)).upload.length).toBeGreaterThan(0);
    await screenshot(page, "files-preview-1280");

    await page.click("#process");
    // Mid-way (as recorded: the row may already be done when the check runs).
    await page.waitForFunction(() =>
      [...(window as unknown as { __progress: { job: Set<string> } }).__progress.job].some(
        (value) => !value.startsWith("0:"),
      ),
    );
    await screenshot(page, "files-processing-1280");
    await waitForSelector(page, '.fjob[data-state="completed"]');
    // A job started from the page opens its profile when it completes.
    await waitForSelector(page, '#profile[data-loaded="true"]');

    const seen = await progressSeen(page);
    // "rows:percent" as each progress event drew it: the bar moved at least twice.
    const moving = seen.job.filter((value) => !value.startsWith("0:"));
    expect(moving.length, `progress shown: ${seen.job.join(", ")}`).toBeGreaterThanOrEqual(2);
    const completed = (await page.locator('.fjob[data-state="completed"]').textContent()) ?? "";
    expect(completed).toContain(`${ROWS.toLocaleString("en-US")} rows`);

    const rows = page.locator("#profile-table tbody tr");
    expect(await rows.count()).toBe(6);
    expect(await page.locator('#profile-table tr[data-column="precio"] .type').textContent()).toBe(
      "decimal",
    );
    expect(
      await page.locator('#profile-table tr[data-column="precio"] .hist rect.hist-bar').count(),
    ).toBeGreaterThan(1);
    expect(
      await page.locator('#profile-table tr[data-column="id"] [data-chart="histogram"]').count(),
    ).toBe(1);
    expect(
      await page
        .locator('#profile-table tr[data-column="categoria"] [data-chart="top-values"] li')
        .count(),
    ).toBe(5);
    const categoria = await page
      .locator('#profile-table tr[data-column="categoria"] .topv-value')
      .allTextContents();
    expect([...categoria].sort()).toEqual([
      "Alimentación",
      "Bebidas",
      "Limpieza",
      "Otros",
      "Panadería",
    ]);
    expect(await page.locator("#profile .tiles").textContent()).toContain(
      ROWS.toLocaleString("en-US"),
    );
    await screenshot(page, "files-profile-1280");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('#profile a[data-output="muestra"]'),
    ]);
    expect(download.suggestedFilename()).toBe("ventas_grandes_muestra.parquet");
    const bytes = readFileSync((await download.path()) as string);
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("PAR1");
    expect(bytes.subarray(-4).toString("latin1")).toBe("PAR1");

    // The profile button toggles it; Close closes it.
    await page.click("#profile-close");
    expect(await page.locator("#profile").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("says a binary file is refused (415) next to the drop zone", async () => {
    const { page, problems } = await open();
    const binary = Buffer.alloc(4096, 0x41);
    binary[100] = 0;
    await page.setInputFiles("#file-input", {
      name: "foto.png",
      mimeType: "image/png",
      buffer: binary,
    });
    const text = await waitForText(page, '.upload-error[data-status="415"]', "not a text");
    expect(text).toContain("foto.png");
    expect(await page.locator("#preview").count()).toBe(0);
    await screenshot(page, "files-415-1280");
    expect(unexpected(problems, 415)).toEqual([]);
    await page.close();
  });

  it("says an empty file is refused (400)", async () => {
    const { page, problems } = await open();
    await page.setInputFiles("#file-input", {
      name: "vacio.csv",
      mimeType: "text/csv",
      buffer: Buffer.alloc(0),
    });
    await waitForSelector(page, '.upload-error[data-status="400"]');
    expect(await page.locator(".upload-error").textContent()).toContain("vacio.csv");
    expect(unexpected(problems, 400)).toEqual([]);
    await page.close();
  });

  it("says a file over MAX_FILE_SIZE_MB is too large, before sending it and when the console refuses it (413)", async () => {
    const root2 = mkdtempSync(join(tmpdir(), "empresa-ui-files-small-"));
    const small = await startTestConsole(root2, {
      steps: {},
      files: {
        tempDir: join(root2, "temp"),
        resultsDir: join(root2, "resultados"),
        maxFileSizeMb: 1,
      },
    });
    try {
      const { page, problems } = await browser.open();
      await page.goto(`${small.url}/files`);
      await waitForSelector(page, "#jobs-empty");
      expect(await page.locator(".page-head .sub").textContent()).toContain("up to 1 MB");
      // The page knows the limit: nothing is sent.
      await page.setInputFiles("#file-input", large);
      const early = await waitForText(page, '.upload-error[data-status="413"]', "too large");
      expect(early).toContain("limit of 1 MB");
      await screenshot(page, "files-413-1280");
      // The console's own refusal, the page's check taken away.
      await page.evaluate(() => {
        (document.getElementById("dropzone") as HTMLElement).dataset.maxBytes = "";
        document.getElementById("upload-status")?.replaceChildren();
      });
      await page.setInputFiles("#file-input", large);
      const refused = await waitForText(
        page,
        '.upload-error[data-status="413"]',
        "MAX_FILE_SIZE_MB",
      );
      expect(refused).toContain("ventas_grandes.csv");
      expect(await page.locator("#preview").count()).toBe(0);
      expect(unexpected(problems, 413)).toEqual([]);
      await page.close();
    } finally {
      await small.close();
      rmSync(root2, { recursive: true, force: true });
    }
  });

  it("shows why a job failed (the line of an unclosed quote)", async () => {
    const { page, problems } = await open();
    const lines = ["a,b,c"];
    for (let i = 1; i <= 20; i++) lines.push(`${i},x${i},y`);
    lines.push('21,"never closed,y');
    for (let i = 22; i <= 30; i++) lines.push(`${i},x${i},y`);
    await page.setInputFiles("#file-input", {
      name: "roto.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`${lines.join("\n")}\n`),
    });
    await waitForSelector(page, "#preview[data-file-id] #process");
    await page.click("#process");
    await waitForSelector(page, '.fjob[data-state="failed"] .job-error');
    const error = (await page.locator('.fjob[data-state="failed"] .job-error').textContent()) ?? "";
    expect(error).toContain("line 22: a quote opened here is never closed");
    await screenshot(page, "files-failed-1280");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("cancels a processing job", async () => {
    const { page, problems } = await open();
    await page.setInputFiles("#file-input", large);
    await waitForSelector(page, "#preview #process");
    await page.click("#process");
    const id = await page
      .locator('.fjob[data-state="processing"]')
      .first()
      .getAttribute("data-job-id", { timeout: 30_000 });
    await page.click(`button[data-cancel-job="${id}"]`);
    await waitForSelector(page, `.fjob[data-job-id="${id}"][data-state="cancelled"]`);
    expect(await page.locator(`.fjob[data-job-id="${id}"]`).textContent()).toContain("Cancelled");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("reads well at 390 px and 1280 px with every kind of job (screenshots kept)", async () => {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const { page, problems } = await open(viewport);
      await waitForSelector(page, '.fjob[data-state="completed"]');
      await page.click('.fjob[data-state="completed"] button[data-profile-job]');
      await waitForSelector(page, '#profile[data-loaded="true"]');
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow, `at ${name}`).toBeLessThanOrEqual(0);
      await screenshot(page, `files-jobs-${name}-${viewport.width}`);
      expect(problems, `at ${name}`).toEqual([]);
      await page.close();
    }
  });
});
