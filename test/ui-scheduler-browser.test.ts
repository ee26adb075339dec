import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import {
  type BrowserSession,
  describeWithBrowser,
  launchBrowser,
  screenshotDir,
  startTestConsole,
  type TestConsole,
  waitForCount,
  waitForSelector,
  waitForText,
} from "./helpers/browser.js";
import { spawnCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";
import { deadPid, type SchedulerFixture, schedulerFixture } from "./helpers/ui-scheduler.js";

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

describeWithBrowser("the /scheduler page in Chromium", () => {
  let browser: BrowserSession;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const page of browser.context.pages()) await page.close();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A console over a temporary folder whose scheduler files the test writes. */
  async function start(): Promise<{ ui: TestConsole; fx: SchedulerFixture }> {
    const root = tempDir("empresa-ui-scheduler-browser-");
    const fx = schedulerFixture(root);
    cleanups.push(() => fx.close());
    const ui = await startTestConsole(root, {
      steps: {},
      controlDb: fx.controlDb,
      statusFile: fx.statusFile,
      scheduleFile: fx.scheduleFile,
    });
    cleanups.push(() => ui.close());
    return { ui, fx };
  }

  async function open(ui: TestConsole, path = "/scheduler", viewport = VIEWPORTS.desktop) {
    const watched = await browser.open(viewport);
    await watched.page.goto(`${ui.url}${path}`);
    await waitForSelector(watched.page, '#live[data-state="live"]');
    return watched;
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(screenshotDir(), `${name}.png`), fullPage: true });
  }

  /** A day of runs of the fixture's jobs, a few of them failed, timed out or skipped. */
  function history(fx: SchedulerFixture): void {
    const now = Date.now();
    const statuses = ["ok", "ok", "ok", "ok", "ok", "ok", "failed", "ok", "ok", "skipped"] as const;
    for (let i = 0, t = now - 23 * 3_600_000; t < now - 120_000; i++, t += 20 * 60_000)
      fx.run("email_services", statuses[i % statuses.length] as "ok", {
        started_at: new Date(t).toISOString(),
        ms: 900 + (i % 7) * 300,
      });
    fx.run("riesgos", "timeout", {
      started_at: new Date(now - 18 * 3_600_000).toISOString(),
      ms: 900_000,
    });
    fx.run("riesgos", "ok", {
      started_at: new Date(now - 17.5 * 3_600_000).toISOString(),
      ms: 420_000,
    });
    fx.run("upload", "ok", {
      started_at: new Date(now - 21 * 3_600_000).toISOString(),
      ms: 1_500_000,
    });
  }

  it("loads with no console errors at 1280×800 and 390 px, running and not running (screenshots kept)", async () => {
    const { ui, fx } = await start();
    fx.schedule();
    history(fx);
    const nextAt = new Date(Date.now() + 180_000).toISOString();
    fx.status({
      jobs: {
        email_services: { state: "running", next_at: nextAt },
        riesgos: { state: "idle", next_at: new Date(Date.now() + 9 * 3_600_000).toISOString() },
        upload: { state: "idle", next_at: new Date(Date.now() + 5 * 3_600_000).toISOString() },
      },
    });
    for (const [state, prepare] of [
      ["running", () => undefined],
      ["not-running", () => fx.status({ pid: deadPid() })],
    ] as const) {
      prepare();
      for (const [size, viewport] of Object.entries(VIEWPORTS)) {
        for (const [path, name] of [
          ["/scheduler", "scheduler"],
          ["/", "overview-scheduler"],
        ] as const) {
          const { page, problems } = await open(ui, path, viewport);
          if (path === "/scheduler") {
            await waitForSelector(
              page,
              `#daemon[data-state="${state === "running" ? "running" : "not_running"}"]`,
            );
            expect(await page.locator(".tl-lane[data-lane]").count()).toBe(3);
            expect(await page.locator("ul.jobs > li.job").count()).toBe(3);
          }
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow, `${path} at ${size}`).toBeLessThanOrEqual(0);
          await screenshot(page, `${name}-${state}-${viewport.width}`);
          expect(problems, `${path} at ${size} (${state})`).toEqual([]);
          await page.close();
        }
      }
    }
  });

  it("shows a recorded run and a change of the status file live, without a reload", async () => {
    const { ui, fx } = await start();
    fx.schedule();
    fx.status({ jobs: { email_services: { state: "idle" }, upload: { state: "idle" } } });
    const { page, problems } = await open(ui);
    await waitForSelector(page, '#job-email_services[data-state="idle"]');
    expect(await page.locator("li.srun").count()).toBe(0);

    // The daemon starts a job: its row says running, its elapsed time ticks.
    fx.status({ jobs: { email_services: { state: "running" }, upload: { state: "idle" } } });
    await waitForSelector(page, '#job-email_services[data-state="running"]');
    await waitForSelector(page, "#job-email_services button[data-run-job][disabled]");
    await waitForSelector(page, '.tl-lane[data-lane="email_services"] rect.tl-live');
    const elapsed = page.locator('#job-email_services [data-tick="elapsed"]');
    const first = await elapsed.textContent();
    await page.waitForFunction(
      (before) =>
        document.querySelector('#job-email_services [data-tick="elapsed"]')?.textContent !== before,
      first,
    );

    // It ends and is recorded: a mark in its lane, a line in the recent runs, its last run.
    const id = fx.run("email_services", "failed", {
      exit_code: 7,
      output_tail: "<b>SMTP down</b>",
    });
    fx.status({ jobs: { email_services: { state: "idle" }, upload: { state: "idle" } } });
    await waitForSelector(
      page,
      `.tl-lane[data-lane="email_services"] rect.tl-mark.failed[data-run-id="${id}"]`,
    );
    await waitForSelector(page, `li.srun[data-run-id="${id}"][data-status="failed"]`);
    // The last hour, to see short runs: the mark is there too.
    await page.locator('button[data-span="1h"]').click();
    await waitForSelector(page, '#timeline-lanes[data-span="1h"]');
    await waitForSelector(
      page,
      `.tl-lane[data-lane="email_services"] rect.tl-mark.failed[data-run-id="${id}"]`,
    );
    await waitForSelector(page, '#job-email_services[data-state="idle"]');
    await waitForText(page, "#job-email_services .job-last", "exit 7");
    // Its output unfolds, escaped.
    await page.locator(`li.srun[data-run-id="${id}"] summary`).click();
    const output = await waitForText(page, `li.srun[data-run-id="${id}"] pre`, "SMTP down");
    expect(output).toBe("<b>SMTP down</b>");
    expect(await page.locator(`li.srun[data-run-id="${id}"] pre b`).count()).toBe(0);

    // Failures only, then one job.
    fx.run("upload", "ok");
    await waitForCount(page, "li.srun", 2);
    await page.locator("#runs-filter").selectOption("failures");
    await waitForCount(page, "li.srun", 1);
    await page.locator("#runs-filter").selectOption("job:upload");
    await waitForCount(page, 'li.srun[data-status="ok"]', 1);
    await waitForCount(page, "li.srun", 1);

    // The daemon is killed: the page says so and how to start it again.
    fx.status({ pid: deadPid() });
    await waitForSelector(page, '#daemon[data-state="not_running"]');
    await waitForText(page, "#daemon", "npm run scheduler");
    expect(await page.locator("button[data-run-job]:not([disabled])").count()).toBe(0);
    await screenshot(page, "scheduler-live-1280");
    expect(problems).toEqual([]);
  });

  it("Run now asks the daemon: a request row, the job shown as requested until it is picked up", async () => {
    const { ui, fx } = await start();
    fx.schedule();
    fx.status({ jobs: { upload: { state: "idle" } } });
    const { page, problems } = await open(ui);
    const button = page.locator('button[data-run-job="upload"]');
    await button.click();
    await waitForSelector(page, '#job-upload[data-state="requested"]');
    await waitForText(page, "#toast", "Asked the daemon to run upload");
    expect(await button.isDisabled()).toBe(true);
    expect(await button.textContent()).toBe("Requested…");
    const requests = fx.requests();
    expect(requests).toEqual([
      { id: expect.any(Number), job: "upload", requested_at: expect.any(String), picked_at: null },
    ]);
    // The daemon picks it up and starts it.
    fx.db.prepare("UPDATE scheduler_requests SET picked_at = ?").run(new Date().toISOString());
    fx.status({ jobs: { upload: { state: "running" } } });
    await waitForSelector(page, '#job-upload[data-state="running"]');
    expect(await button.textContent()).toBe("Running…");
    expect(problems).toEqual([]);
  });

  it("end to end: the real daemon (npm run scheduler) runs a job on Run now, and the page shows it", async () => {
    const root = tempDir("empresa-ui-scheduler-daemon-");
    const fx = schedulerFixture(root);
    cleanups.push(() => fx.close());
    fx.schedule(
      [
        {
          name: "saludo",
          command: [
            process.execPath,
            "-e",
            "setTimeout(() => console.log('hola desde el daemon'), 1500)",
          ],
          // Once a year: only Run now starts it during the test.
          cron: "0 0 1 1 *",
        },
        { name: "latido", command: [process.execPath, "-e", ""], every: "cycle" },
      ],
      { timezone: "UTC", cycle: { day: "1h", night: "1h", non_working_day: "1h" } },
    );
    const env = {
      SCHEDULE_FILE: fx.scheduleFile,
      MASTER_STATUS_FILE: fx.statusFile,
      CONTROL_DB: fx.controlDb,
      ALERT_WEBHOOK_URL: "",
    };
    const daemon: ChildProcess = spawnCli("scheduler", [], { cwd: root, env });
    let stderr = "";
    daemon.stderr?.on("data", (chunk) => (stderr += chunk));
    daemon.stdout?.resume();
    const exited = new Promise<number | null>((done) => daemon.on("close", (code) => done(code)));
    cleanups.push(async () => {
      if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill("SIGKILL");
      await exited;
    });

    const ui = await startTestConsole(root, {
      steps: {},
      controlDb: fx.controlDb,
      statusFile: fx.statusFile,
      scheduleFile: fx.scheduleFile,
    });
    cleanups.push(() => ui.close());
    const { page, problems } = await open(ui);
    try {
      // The daemon starts, its first cycle runs the every-cycle job.
      await waitForSelector(page, '#daemon[data-state="running"]');
      await waitForSelector(page, 'li.srun[data-status="ok"]');
      await waitForText(page, "li.srun", "latido");
      expect(await page.locator('li.srun:has-text("saludo")').count()).toBe(0);

      await page.locator('button[data-run-job="saludo"]').click();
      await waitForSelector(page, '#job-saludo[data-state="running"]');
      await waitForSelector(page, '.tl-lane[data-lane="saludo"] rect.tl-live');
      await screenshot(page, "scheduler-daemon-running-1280");
      const run = page.locator('li.srun[data-status="ok"]:has-text("saludo")');
      await run.waitFor({ state: "attached", timeout: 30_000 });
      await waitForSelector(page, '#job-saludo[data-state="idle"]');
      await waitForSelector(page, '.tl-lane[data-lane="saludo"] rect.tl-mark.ok');
      await run.locator("summary").click();
      const output = run.locator("pre.run-output");
      await output.waitFor({ state: "attached" });
      expect(await output.textContent()).toContain("hola desde el daemon");
      await screenshot(page, "scheduler-daemon-done-1280");

      // SIGTERM: the daemon stops, and the page says so.
      daemon.kill("SIGTERM");
      expect(await exited).toBe(0);
      await waitForSelector(page, '#daemon[data-state="stopped"]');
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- the daemon's stderr:\n${stderr}`);
    }
    expect(problems).toEqual([]);
  });
});
