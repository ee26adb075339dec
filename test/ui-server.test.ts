import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type {
  DatasetView,
  PipelineView,
  RunSummary,
  StepView,
} from "../src/ui/views/pipeline-model.js";
import { startTestConsole, stepFile, stepGates, type TestConsole } from "./helpers/browser.js";
import { runCli, spawnCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

const consoles: TestConsole[] = [];
const readers: SseReader[] = [];
afterEach(async () => {
  stepGates().releaseAll();
  for (const reader of readers.splice(0)) reader.stop();
  await Promise.all(consoles.splice(0).map((ui) => ui.close()));
});

async function start(options: Parameters<typeof startTestConsole>[1] = {}): Promise<TestConsole> {
  const ui = await startTestConsole(tempDir("empresa-ui-"), options);
  consoles.push(ui);
  return ui;
}

interface SseMessage {
  event: string;
  data: unknown;
}

/** Reads a Server-Sent Events stream as it comes; `next` waits for a matching event. */
class SseReader {
  readonly messages: SseMessage[] = [];
  comments: string[] = [];
  retry: number | null = null;
  ended = false;
  private readonly controller = new AbortController();
  private wake: (() => void) | null = null;

  constructor(readonly url: string) {}

  async open(): Promise<Response> {
    const response = await fetch(this.url, { signal: this.controller.signal });
    void this.pump(response);
    return response;
  }

  private async pump(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
        }
        this.wake?.();
      }
    } catch {
      // aborted by stop()
    }
    this.ended = true;
    this.wake?.();
  }

  private parse(block: string): void {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) this.comments.push(line.slice(1).trim());
      else if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
      else if (line.startsWith("retry: ")) this.retry = Number(line.slice(7));
    }
    if (data.length > 0) this.messages.push({ event, data: JSON.parse(data.join("\n")) });
  }

  /**
   * The first event so far that matches, or the next one to arrive. (Steps that do not
   * depend on each other finish in either order, so this does not consume events.)
   */
  async next(match: (message: SseMessage) => boolean): Promise<SseMessage> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.ended)
        throw new Error(
          `the stream ended; events: ${this.messages.map((m) => m.event).join(", ")}`,
        );
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** Waits until the stream has ended. */
  async end(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
  }

  stop(): void {
    this.controller.abort();
  }
}

async function events(ui: TestConsole): Promise<SseReader> {
  const reader = new SseReader(`${ui.url}/api/pipeline/events`);
  readers.push(reader);
  const response = await reader.open();
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("text/event-stream");
  expect(response.headers.get("Cache-Control")).toBe("no-cache");
  return reader;
}

const isStep = (name: string, state: StepView["state"]) => (m: SseMessage) =>
  m.event === "step" && (m.data as StepView).name === name && (m.data as StepView).state === state;

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe("the console as a real listening server", () => {
  it("answers on 127.0.0.1 with pages and JSON", async () => {
    const ui = await start();
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(`${ui.url}/pipeline`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Dependency graph");
    const body = (await (await fetch(`${ui.url}/api/pipeline`)).json()) as PipelineView;
    expect(body.steps).toHaveLength(4);
  });

  it("streams a snapshot, then each step's state, the run and the memory, live", async () => {
    const ui = await start();
    const gates = stepGates();
    const stream = await events(ui);
    const snapshot = await stream.next((m) => m.event === "snapshot");
    expect((snapshot.data as PipelineView).steps.map((s) => s.name)).toEqual([
      "clientes",
      "pedidos",
      "resumen",
      "informe",
    ]);
    expect(stream.retry).toBe(1000);

    gates.hold("resumen");
    const res = await post(`${ui.url}/api/pipeline/runs`, { targets: ["informe"], force: false });
    expect(res.status).toBe(202);
    const { run_id } = (await res.json()) as { run_id: string };

    const started = await stream.next((m) => m.event === "run");
    expect(started.data).toMatchObject({
      run_id,
      status: "running",
      targets: ["informe"],
      steps: 4,
    });
    await stream.next(isStep("pedidos", "done"));
    await stream.next(isStep("clientes", "done"));
    const running = await stream.next(isStep("resumen", "running"));
    expect(running.data).toMatchObject({
      run_id,
      consumes: ["pedidos", "clientes"],
      file: "resumen.mjs",
    });
    // While resumen is held, the page's JSON says so too.
    const during = (await (await fetch(`${ui.url}/api/pipeline`)).json()) as PipelineView;
    expect(during.steps.find((s) => s.name === "resumen")?.state).toBe("running");
    expect(during.steps.find((s) => s.name === "informe")?.state).toBe("pending");
    expect(during.runs[0]).toMatchObject({ run_id, status: "running" });

    gates.release("resumen");
    await stream.next(isStep("informe", "done"));
    const memory = await stream.next(
      (m) => m.event === "memory" && (m.data as { datasets: DatasetView[] }).datasets.length === 4,
    );
    expect((memory.data as { datasets: DatasetView[] }).datasets.map((d) => d.name)).toEqual([
      "clientes",
      "informe",
      "pedidos",
      "resumen",
    ]);
    const done = await stream.next(
      (m) => m.event === "run" && (m.data as RunSummary).status !== "running",
    );
    expect(done.data).toMatchObject({ run_id, status: "ok", failed: 0, error: null });

    const cleared = await post(`${ui.url}/api/pipeline/clear`, {});
    expect(await cleared.json()).toEqual({ cleared: 4 });
    await stream.next(
      (m) => m.event === "memory" && (m.data as { datasets: DatasetView[] }).datasets.length === 0,
    );
  });

  it("streams a failed step with its message, and the steps it skipped", async () => {
    const ui = await start({
      steps: {
        "a.mjs": stepFile({ produces: ["a"], fail: "the source is down" }),
        "b.mjs": stepFile({ consumes: ["a"], produces: ["b"] }),
        "c.mjs": stepFile({ produces: ["c"] }),
      },
    });
    const stream = await events(ui);
    await stream.next((m) => m.event === "snapshot");
    await post(`${ui.url}/api/pipeline/runs`, { targets: ["b", "c"] });
    const failed = await stream.next(isStep("a", "failed"));
    expect((failed.data as StepView).error).toBe("the source is down");
    const skipped = await stream.next(isStep("b", "skipped"));
    expect((skipped.data as StepView).error).toBe('not run: "a" failed');
    const run = await stream.next(
      (m) => m.event === "run" && (m.data as RunSummary).status !== "running",
    );
    expect(run.data).toMatchObject({ status: "failed", failed: 1, error: "a: the source is down" });
    const view = (await (await fetch(`${ui.url}/api/pipeline`)).json()) as PipelineView;
    expect(view.steps.find((s) => s.name === "c")?.state).toBe("done");
  });

  it("sends a heartbeat comment on an idle stream", async () => {
    const ui = await start({ heartbeatMs: 20 });
    const stream = await events(ui);
    await stream.next((m) => m.event === "snapshot");
    while (!stream.comments.includes("ping")) await new Promise((r) => setTimeout(r, 10));
    expect(stream.comments).toContain("ping");
  });

  it("a step file added to the folder reaches a watching page without a restart", async () => {
    const ui = await start();
    const stream = await events(ui);
    await stream.next((m) => m.event === "snapshot");
    writeFileSync(
      join(ui.stepsDir, "nuevo.mjs"),
      stepFile({ description: "New", consumes: ["informe"], produces: ["nuevo"] }),
    );
    const snapshot = await stream.next(
      (m) =>
        m.event === "snapshot" && (m.data as PipelineView).steps.some((s) => s.name === "nuevo"),
    );
    const view = snapshot.data as PipelineView;
    expect(view.graph.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining(["step:nuevo", "dataset:nuevo"]),
    );
  });

  it("shows a run of another process (the CLI) from the control database, live", async () => {
    const ui = await start();
    const stream = await events(ui);
    await stream.next((m) => m.event === "snapshot");
    const cli = await runCli("pipeline", ["run", "pedidos", "--json"], {
      cwd: tempDir("empresa-ui-cli-"),
      env: { STEPS_DIR: ui.stepsDir, CONTROL_DB: ui.controlDb },
    });
    expect(cli.code, cli.stderr).toBe(0);
    const run = await stream.next(
      (m) => m.event === "run" && (m.data as RunSummary).targets.join() === "pedidos",
    );
    expect(run.data).toMatchObject({ status: "ok", steps: 1 });
  });

  it("refuses a cross-site POST on the wire too", async () => {
    const ui = await start();
    const res = await post(
      `${ui.url}/api/pipeline/runs`,
      { targets: ["pedidos"] },
      {
        Origin: "http://evil.example",
      },
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: "cross_site_request", message: expect.any(String) },
    });
  });

  it("close(): live streams end, the server stops accepting, and close resolves", async () => {
    const ui = await start();
    const stream = await events(ui);
    await stream.next((m) => m.event === "snapshot");
    await ui.close();
    await stream.end();
    await expect(fetch(`${ui.url}/api/pipeline`)).rejects.toThrow();
  });

  it("close() lets a run in flight finish, then records it", async () => {
    const ui = await start();
    const gates = stepGates();
    gates.hold("pedidos");
    const stream = await events(ui);
    await stream.next((m) => m.event === "snapshot");
    const { run_id } = (await (
      await post(`${ui.url}/api/pipeline/runs`, { targets: ["pedidos"] })
    ).json()) as {
      run_id: string;
    };
    await stream.next(isStep("pedidos", "running"));
    let closed = false;
    const closing = ui.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false); // waiting for the run
    gates.release("pedidos");
    await closing;
    const db = new Sqlite(ui.controlDb, { readonly: true });
    const row = db.prepare("SELECT status FROM pipeline_runs WHERE run_id = ?").get(run_id);
    db.close();
    expect(row).toEqual({ status: "ok" });
  });

  it("close() cancels a run still going at the deadline", async () => {
    const ui = await start({ shutdownMs: 50 });
    const gates = stepGates();
    gates.hold("pedidos"); // never released before close
    const { run_id } = (await (
      await post(`${ui.url}/api/pipeline/runs`, { targets: ["resumen"] })
    ).json()) as {
      run_id: string;
    };
    await ui.close();
    const db = new Sqlite(ui.controlDb, { readonly: true });
    const row = db.prepare("SELECT status FROM pipeline_runs WHERE run_id = ?").get(run_id);
    db.close();
    expect(row).toEqual({ status: "cancelled" });
  });
});

describe("npm run ui", () => {
  it("listens on the given port, stops on SIGTERM after finishing, exit 0", async () => {
    const root = tempDir("empresa-ui-cli-");
    const child = spawnCli("ui", ["--port", "0", "--steps-dir", "steps"], {
      cwd: root,
      env: { UI_HOST: undefined, UI_PORT: undefined },
    });
    let stderr = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr?.on("data", (chunk) => {
        stderr += chunk;
        const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (found) resolve(found[1] as string);
      });
      child.on("exit", () => reject(new Error(`exited before listening:\n${stderr}`)));
    });
    const body = (await (await fetch(`${url}/api/pipeline`)).json()) as PipelineView;
    expect(body.steps).toEqual([]);
    expect(body.problems[0]).toMatch(/cannot read the steps folder \(no such folder\)/);
    const page = await (await fetch(`${url}/pipeline`)).text();
    expect(page).toContain("No steps in steps/");
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toContain("SIGTERM: finishing requests and runs in flight");
    expect(stderr).toContain("stopped");
  });

  it("a bad port is a usage error naming where it came from (exit 2)", async () => {
    const result = await runCli("ui", [], {
      cwd: tempDir("empresa-ui-cli-"),
      env: { UI_PORT: "70000" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("UI_PORT");
  });

  it("--help lists the console's settings", async () => {
    const result = await runCli("ui", ["--help"], { cwd: tempDir("empresa-ui-cli-") });
    expect(result.code).toBe(0);
    for (const name of [
      "--port",
      "UI_PORT",
      "--host",
      "UI_HOST",
      "STEPS_DIR",
      "CONTROL_DB",
      "DB_PATH",
    ])
      expect(result.stdout).toContain(name);
  });
});
