import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { PipelineView } from "../src/ui/views/pipeline-model.js";
import {
  type BrowserSession,
  describeWithBrowser,
  launchBrowser,
  screenshotDir,
  startTestConsole,
  stepFile,
  stepGates,
  type TestConsole,
  waitForCount,
  waitForSelector,
  waitForText,
} from "./helpers/browser.js";
import { tempDir } from "./helpers/tmp.js";

/** Sizes the pages must work at: a laptop, and a phone (readable). */
const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

describeWithBrowser("the console in Chromium", () => {
  let browser: BrowserSession;
  const consoles: TestConsole[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    stepGates().releaseAll();
    for (const page of browser.context.pages()) await page.close();
    await Promise.all(consoles.splice(0).map((ui) => ui.close()));
  });

  async function start(options: Parameters<typeof startTestConsole>[1] = {}) {
    const ui = await startTestConsole(tempDir("empresa-ui-browser-"), options);
    consoles.push(ui);
    return ui;
  }

  /** Opens a page and waits until its live stream is connected (the page is ready). */
  async function open(ui: TestConsole, path: string, viewport = VIEWPORTS.desktop) {
    const watched = await browser.open(viewport);
    await watched.page.goto(`${ui.url}${path}`);
    if (path === "/" || path === "/pipeline")
      await waitForSelector(watched.page, '#live[data-state="live"]');
    return watched;
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(screenshotDir(), `${name}.png`), fullPage: true });
  }

  it("loads every page with no console errors, at 1280×800 and 390 px wide (screenshots kept)", async () => {
    const ui = await start();
    const pages: [string, string][] = [
      ["/", "overview"],
      ["/pipeline", "pipeline"],
      ["/scheduler", "scheduler"],
      ["/files", "files"],
      ["/simulations", "simulations"],
      ["/simulations/demo", "simulation"],
    ];
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      for (const [path, name] of pages) {
        const { page, problems } = await open(ui, path, viewport);
        expect(await page.locator("nav.nav a").count()).toBe(5);
        expect(await page.locator('nav.nav a[aria-current="page"]').count(), path).toBe(1);
        // Nothing wider than the screen but what scrolls inside its own box (graph, tables).
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        expect(overflow, `${path} at ${size}`).toBeLessThanOrEqual(0);
        await screenshot(page, `${name}-${viewport.width}`);
        expect(problems, `${path} at ${size}`).toEqual([]);
        await page.close();
      }
    }
  });

  it("draws one graph node per step and per dataset, laid out left to right", async () => {
    const ui = await start();
    const { page, problems } = await open(ui, "/pipeline");
    const view = (await (await fetch(`${ui.url}/api/pipeline`)).json()) as PipelineView;
    const datasets = new Set(view.steps.flatMap((s) => [...s.consumes, ...s.produces]));
    expect(await page.locator("#graph-svg g.graph-node.step").count()).toBe(view.steps.length);
    expect(await page.locator("#graph-svg g.graph-node.dataset").count()).toBe(datasets.size);
    expect(await page.locator("#graph-svg path.graph-edge").count()).toBe(7);
    const box = async (id: string) =>
      (await page.locator(`#graph-svg g[data-id="${id}"]`).boundingBox()) as { x: number };
    expect((await box("step:pedidos")).x).toBeLessThan((await box("dataset:pedidos")).x);
    expect((await box("dataset:pedidos")).x).toBeLessThan((await box("step:resumen")).x);
    expect((await box("step:resumen")).x).toBeLessThan((await box("step:informe")).x);
    expect(problems).toEqual([]);
  });

  it("Run on the leaf shows its producers going to done live, then the datasets and the run", async () => {
    const ui = await start();
    const gates = stepGates();
    gates.hold("pedidos");
    gates.hold("resumen");
    const { page, problems } = await open(ui, "/pipeline");
    const step = (name: string, state: string) => `#step-${name}[data-state="${state}"]`;
    const node = (name: string, state: string) =>
      `#graph-svg g.graph-node.step.${state}[data-id="step:${name}"]`;

    await page.locator('button[data-run="informe"]').click();
    // Held steps show as running in the list and the graph; the leaf waits, pending.
    await waitForSelector(page, step("pedidos", "running"));
    await waitForSelector(page, node("pedidos", "running"));
    await waitForSelector(page, step("clientes", "done"));
    await waitForSelector(
      page,
      '#graph-svg g.graph-node.dataset.in-memory[data-id="dataset:clientes"]',
    );
    await waitForSelector(page, step("informe", "pending"));
    expect(await page.locator('button[data-run="informe"]').isDisabled()).toBe(true);
    await waitForCount(page, '#runs li.run[data-status="running"]', 1);
    await screenshot(page, "pipeline-running-1280");

    gates.release("pedidos");
    await waitForSelector(page, step("resumen", "running"));
    await waitForSelector(page, step("pedidos", "done"));
    gates.release("resumen");
    await waitForSelector(page, step("informe", "done"));
    for (const name of ["pedidos", "clientes", "resumen", "informe"]) {
      expect(await page.locator(step(name, "done")).count(), name).toBe(1);
      expect(await page.locator(node(name, "done")).count(), name).toBe(1);
    }
    await waitForCount(page, "#datasets-table tbody tr[data-dataset]", 4);
    await waitForCount(page, '#runs li.run[data-status="ok"]', 1);
    await waitForText(page, "#summary", "4 datasets in memory");

    // A run unfolds its steps (GET /api/pipeline/runs/:id).
    await page.locator("#runs details.run-steps summary").click();
    await waitForCount(page, "#runs .run-steps-table .pill.done", 4);

    // A preview opens under its dataset, escaped.
    await page.locator('details[data-preview="clientes"] summary').click();
    const preview = page.locator('tr[data-preview-row="clientes"]');
    await preview.waitFor({ state: "visible" });
    expect(await preview.textContent()).toContain("Ana <b>Gómez</b>");
    expect(await preview.locator("b").count()).toBe(0);
    await screenshot(page, "pipeline-done-1280");
    await page.setViewportSize(VIEWPORTS.phone);
    await screenshot(page, "pipeline-done-390");
    expect(problems).toEqual([]);
  });

  it("Clear memory empties the datasets list", async () => {
    const ui = await start();
    const { page, problems } = await open(ui, "/pipeline");
    await page.locator('button[data-run="resumen"]').click();
    await waitForSelector(page, '#step-resumen[data-state="done"]');
    await waitForCount(page, "#datasets-table tbody tr[data-dataset]", 3);
    await page.locator("#clear-memory").click();
    await waitForSelector(page, "#datasets-empty");
    expect(await page.locator("#datasets-table").count()).toBe(0);
    expect(await page.locator("#graph-svg g.graph-node.dataset.in-memory").count()).toBe(0);
    await waitForText(page, "#toast", "Cleared 3 datasets");
    expect((await (await fetch(`${ui.url}/api/pipeline`)).json()).datasets).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("a step file added to the folder appears on the open page", async () => {
    const ui = await start();
    const { page, problems } = await open(ui, "/pipeline");
    expect(await page.locator("#graph-svg g.graph-node").count()).toBe(8);
    writeFileSync(
      join(ui.stepsDir, "nuevo.mjs"),
      stepFile({
        description: "A step added while the page was open",
        consumes: ["informe"],
        produces: ["nuevo"],
      }),
    );
    await waitForText(page, "#step-nuevo", "A step added while the page was open");
    await waitForCount(page, "#graph-svg g.graph-node", 10);
    await page.locator('button[data-run="nuevo"]').click();
    await waitForSelector(page, '#step-nuevo[data-state="done"]');
    expect(problems).toEqual([]);
  });

  it("a failing step shows its message; a definition error shows as a banner", async () => {
    const ui = await start({
      steps: {
        "a.mjs": stepFile({ produces: ["a"], fail: "the source is down" }),
        "b.mjs": stepFile({ consumes: ["a"], produces: ["b"] }),
      },
    });
    const { page, problems } = await open(ui, "/pipeline");
    await page.locator('button[data-run="b"]').click();
    await waitForSelector(page, '#step-b[data-state="skipped"]');
    expect(await page.locator("#step-a .step-error").textContent()).toBe("the source is down");
    await waitForText(page, '#runs li.run[data-status="failed"]', "a: the source is down");
    writeFileSync(join(ui.stepsDir, "c.mjs"), stepFile({ consumes: ["nada"], produces: ["c"] }));
    await waitForSelector(page, "#problem:not([hidden])");
    await waitForText(page, "#problem", 'no step produces "nada" (consumed by "c")');
    await screenshot(page, "pipeline-problems-1280");
    expect(problems).toEqual([]);
  });

  it("the overview shows a pipeline run when it happens", async () => {
    const ui = await start();
    const { page, problems } = await open(ui, "/");
    await waitForText(page, "#pipeline-card", "No pipeline runs yet");
    await fetch(`${ui.url}/api/pipeline/runs`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ targets: ["informe"] }),
    });
    await waitForSelector(page, '#pipeline-card li.run[data-status="ok"]');
    await waitForText(page, "#pipeline-card li.run", "informe");
    expect(problems).toEqual([]);
  });
});
