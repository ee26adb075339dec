import { Hono } from "hono";
import { type FilesApiDeps, registerFilesApi } from "../files/http/routes.js";
import type { Logger } from "../log.js";
import { MAX_MODEL_BYTES, registerSimulationsApi } from "../simulation/http/routes.js";
import type { SimulationService } from "../simulation/service.js";
import type { Assets } from "./assets/index.js";
import { ConsoleError, errorBody, errorResponse } from "./http/errors.js";
import { requestGuard } from "./http/guard.js";
import { consoleHeaders } from "./http/headers.js";
import { onlyMethods } from "./http/routes.js";
import type { SseOptions } from "./http/sse.js";
import { registerComing } from "./pages/coming.js";
import { registerFilesPage } from "./pages/files.js";
import { registerOverview } from "./pages/overview.js";
import { registerPipeline } from "./pages/pipeline.js";
import { registerScheduler } from "./pages/scheduler.js";
import { registerSimulationsPage } from "./pages/simulations.js";
import type { PipelineSource } from "./pipeline/source.js";
import { createSchedulerSource, type SchedulerSource } from "./scheduler/source.js";

export interface ConsoleAppOptions {
  assets: Assets;
  pipeline: PipelineSource;
  /**
   * The scheduler's status file, schedule file and history. Default: one over
   * `MASTER_STATUS_FILE`, `SCHEDULE_FILE` and `CONTROL_DB` (or their defaults), which the
   * caller cannot close; pass one (`createSchedulerSource`) to close it yourself.
   */
  scheduler?: SchedulerSource;
  /** The sales database the overview reads (`DB_PATH`). */
  dbPath: string;
  /**
   * The large-CSV system behind `/files` and its `/api/files`, `/api/jobs` endpoints: the job
   * queue, the uploads' registry, `TEMP_DIR`, `RESULTS_DIR`, `MAX_FILE_SIZE_MB` in bytes.
   * Without it the page still shows, and those endpoints answer 503.
   */
  files?: Omit<FilesApiDeps, "sse" | "log">;
  /**
   * The simulations behind `/simulations` and `/api/simulations` (`SIM_DIR`, `AMQP_URL`,
   * `SIM_CONCURRENCY`, `SIM_ALLOW_CODE`). Without it the page still shows, and those
   * endpoints answer 503.
   */
  simulations?: { service: SimulationService; concurrency: number; maxModelBytes?: number };
  /** Answer only requests addressed to a loopback name (set when listening on loopback). */
  loopbackOnly?: boolean;
  /** SSE heartbeats (default every 15 s) and the signal that ends every stream at shutdown. */
  sse?: Partial<SseOptions>;
  log?: Pick<Logger, "info" | "warn" | "error" | "debug">;
}

/**
 * The console as a hono app: the pages (one module each), their JSON endpoints under
 * `/api/…`, SSE under `/api/…/events`, the static assets. Serve it with `startConsole`,
 * or drive it with `app.request()`.
 *
 * @example
 * const app = createConsoleApp({ assets: await loadAssets(), pipeline, dbPath: "database/empresa.db" });
 * const res = await app.request("/api/pipeline");
 */
export function createConsoleApp(options: ConsoleAppOptions): Hono {
  const { assets, pipeline, dbPath, log } = options;
  const sse: SseOptions = {
    heartbeatMs: options.sse?.heartbeatMs ?? 15_000,
    closing: options.sse?.closing ?? new AbortController().signal,
    maxQueued: options.sse?.maxQueued,
  };
  const scheduler =
    options.scheduler ??
    createSchedulerSource({
      controlDb: process.env.CONTROL_DB || "database/control.db",
      statusFile: process.env.MASTER_STATUS_FILE || undefined,
      scheduleFile: process.env.SCHEDULE_FILE || undefined,
      log,
    });
  const files = options.files
    ? { maxFileBytes: options.files.maxFileBytes, queue: options.files.queue.kind }
    : undefined;
  const sims = options.simulations;
  const simulations = sims && {
    service: sims.service,
    info: {
      broker: sims.service.brokerAvailable,
      allowCode: sims.service.allowCode,
      maxModelBytes: sims.maxModelBytes ?? MAX_MODEL_BYTES,
      concurrency: sims.concurrency,
    },
  };
  const jobs = options.files?.queue;
  const deps = { assets, pipeline, scheduler, dbPath, sse, log, files, jobs, simulations };
  const app = new Hono();

  app.use(consoleHeaders());
  app.use(requestGuard({ loopbackOnly: options.loopbackOnly ?? false }));

  registerOverview(app, deps);
  registerPipeline(app, deps);
  registerScheduler(app, deps);
  registerFilesPage(app, deps);
  if (options.files) registerFilesApi(app, { ...options.files, sse, log });
  else registerFilesUnavailable(app);
  registerSimulationsPage(app, deps);
  if (sims)
    registerSimulationsApi(app, {
      simulations: sims.service,
      maxModelBytes: sims.maxModelBytes,
      sse,
      log,
    });
  else registerSimulationsUnavailable(app);
  registerComing(app, deps);

  app.get("/assets/:name", (c) => {
    const asset = assets.get(c.req.param("name"));
    if (!asset) throw new ConsoleError(404, "not_found", "no such asset");
    const immutable = /-[0-9a-f]{12}\./.test(c.req.param("name"));
    c.header(
      "Cache-Control",
      immutable ? "public, max-age=31536000, immutable" : "public, max-age=3600",
    );
    return c.body(asset.body, 200, { "Content-Type": asset.type });
  });
  onlyMethods(app, "/assets/:name", ["GET"]);
  app.get("/favicon.ico", (c) => c.redirect("/assets/favicon.svg", 301));

  app.notFound((c) => {
    c.header("Cache-Control", "no-store");
    return c.json(
      errorBody("not_found", `no route for ${c.req.method} ${c.req.path.slice(0, 200)}`),
      404,
    );
  });

  app.onError((error, c) => {
    if (error instanceof ConsoleError) {
      if (error.status >= 500) log?.warn(`${c.req.method} ${c.req.path}: ${error.message}`);
      return errorResponse(c, error);
    }
    log?.error(`unhandled error on ${c.req.method} ${c.req.path}: ${(error as Error).message}`, {
      stack: (error as Error).stack,
    });
    return errorResponse(
      c,
      new ConsoleError(500, "internal_error", "the console could not answer this request"),
    );
  });

  return app;
}

/** `/api/files` and `/api/jobs` on a console built without the large-CSV system: 503. */
function registerFilesUnavailable(app: Hono): void {
  for (const path of ["/api/files", "/api/files/*", "/api/jobs", "/api/jobs/*"]) {
    app.all(path, () => {
      throw new ConsoleError(
        503,
        "files_unavailable",
        "this console runs without the file jobs (start it with npm run ui)",
      );
    });
  }
}

/** `/api/simulations` on a console built without the simulations: 503. */
function registerSimulationsUnavailable(app: Hono): void {
  for (const path of ["/api/simulations", "/api/simulations/*"]) {
    app.all(path, () => {
      throw new ConsoleError(
        503,
        "simulations_unavailable",
        "this console runs without the simulations (start it with npm run ui)",
      );
    });
  }
}
