import { createReadStream } from "node:fs";
import { readdir, rename, rm, stat } from "node:fs/promises";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Context, Hono } from "hono";
import type { Logger } from "../../log.js";
import { ConsoleError } from "../../ui/http/errors.js";
import { onlyMethods } from "../../ui/http/routes.js";
import { type SseOptions, sseResponse } from "../../ui/http/sse.js";
import { outputBaseName } from "../outputs/name.js";
import { PROFILE_JSON } from "../process.js";
import type { JobQueue, JobRecord, JobState, OutputName, StoredFile } from "../types.js";
import { UploadError } from "../upload/errors.js";
import { readPreview } from "../upload/preview.js";
import { receiveUpload } from "../upload/receive.js";

/** The uploads kept in `TEMP_DIR`, as the job system records them. */
export interface FileStore {
  add(file: StoredFile): unknown;
  get(id: string): StoredFile | undefined | Promise<StoredFile | undefined>;
  /** Where the upload `id` lives in `TEMP_DIR`. */
  pathOf(id: string): string | Promise<string>;
  remove(id: string): unknown;
}

export interface FilesApiDeps {
  queue: JobQueue;
  files: FileStore;
  /** `TEMP_DIR`: uploads are streamed here. */
  tempDir: string;
  /** `RESULTS_DIR`: `JOB_ID/NAME_x.parquet` and `JOB_ID/profile.json`. */
  resultsDir: string;
  /** `MAX_FILE_SIZE_MB` in bytes. */
  maxFileBytes: number;
  sse: SseOptions;
  log?: Pick<Logger, "info" | "warn" | "error" | "debug">;
}

export const OUTPUT_NAMES: readonly OutputName[] = ["resumen", "columnas", "muestra"];
const FINAL_STATES: ReadonlySet<JobState> = new Set(["completed", "failed", "cancelled"]);
/** Job ids become folder names under RESULTS_DIR: only these characters are ever used. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

const quoted = (id: string) => JSON.stringify(id.slice(0, 80));

function asConsoleError(error: unknown): unknown {
  return error instanceof UploadError
    ? new ConsoleError(error.status, error.code, error.message)
    : error;
}

/**
 * An error the job system throws for a request it refuses (src/files/jobs/errors.ts:
 * `unknown_file` 404 — no such upload or its temp copy is gone; `file_in_use` 409 — a job
 * of it is queued or running; `file_consumed` 409 — its job ended and took the temp copy):
 * the console error with its status and code; anything else stays a 500.
 */
function queueRefusal(error: unknown): ConsoleError | undefined {
  const { httpStatus, code, message } = error as {
    httpStatus?: unknown;
    code?: unknown;
    message?: unknown;
  };
  if ((httpStatus !== 404 && httpStatus !== 409) || typeof code !== "string") return undefined;
  return new ConsoleError(httpStatus, code, String(message).slice(0, 300));
}

/** The request body as a Node stream: the server's own request when there is one. */
function requestBody(c: Context): { body: Readable; headers: IncomingHttpHeaders } {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && typeof incoming.pipe === "function" && !incoming.readableDidRead) {
    return { body: incoming, headers: incoming.headers };
  }
  const headers = Object.fromEntries(c.req.raw.headers) as IncomingHttpHeaders;
  const raw = c.req.raw.body;
  return { body: raw ? Readable.fromWeb(raw as never) : Readable.from([]), headers };
}

/**
 * The JSON endpoints of `/files` (`../shared/contracts/files.md`): the streaming upload
 * with its preview, the jobs (enqueue, list, one, live events, cancel) and their outputs.
 * Every other method on these paths is a 405 with `Allow`.
 */
export function registerFilesApi(app: Hono, deps: FilesApiDeps): void {
  const { queue, files } = deps;

  const jobOr404 = async (id: string): Promise<JobRecord> => {
    const job = await queue.get(id);
    if (!job) throw new ConsoleError(404, "job_not_found", `no job ${quoted(id)}`);
    return job;
  };
  const completedJob = async (id: string): Promise<JobRecord> => {
    const job = await jobOr404(id);
    if (job.state !== "completed") {
      throw new ConsoleError(
        409,
        "job_not_completed",
        `job ${quoted(id)} is ${job.state}: its results exist once it is completed`,
      );
    }
    if (!SAFE_ID.test(job.job_id)) {
      throw new ConsoleError(404, "output_not_found", `no results for job ${quoted(id)}`);
    }
    return job;
  };
  const gone = (id: string) =>
    new ConsoleError(
      404,
      "output_not_found",
      `the results of job ${quoted(id)} are no longer kept (RESULTS_TTL)`,
    );

  app.post("/api/files", async (c) => {
    const { body, headers } = requestBody(c);
    const received = await receiveUpload(body, headers, {
      tempDir: deps.tempDir,
      maxBytes: deps.maxFileBytes,
    }).catch((error) => {
      throw asConsoleError(error);
    });
    let stored: StoredFile;
    let added = false;
    try {
      const { delimiter, columns, preview } = await readPreview(
        received.path,
        received.sniffer.bom,
      );
      stored = {
        file_id: received.id,
        name: received.name,
        bytes: received.sniffer.bytes,
        encoding: received.sniffer.encoding,
        delimiter,
        columns,
        created_at: new Date().toISOString(),
      };
      await files.add(stored);
      added = true;
      const target = await files.pathOf(received.id);
      if (target !== received.path) await rename(received.path, target);
      deps.log?.info(`upload ${received.id}: ${stored.bytes} bytes, ${columns.length} columns`, {
        file_id: received.id,
        bytes: stored.bytes,
      });
      c.header("Cache-Control", "no-store");
      return c.json({ ...withoutDate(stored), preview }, 201);
    } catch (error) {
      await rm(received.path, { force: true });
      if (added) await Promise.resolve(files.remove(received.id)).catch(() => undefined);
      throw asConsoleError(error);
    }
  });
  onlyMethods(app, "/api/files", ["POST"]);

  app.post("/api/files/:id/jobs", async (c) => {
    const id = c.req.param("id");
    const file = await files.get(id);
    if (!file) throw new ConsoleError(404, "file_not_found", `no uploaded file ${quoted(id)}`);
    let job: JobRecord;
    try {
      job = await queue.enqueue(file);
    } catch (error) {
      throw queueRefusal(error) ?? error;
    }
    c.header("Location", `/api/jobs/${encodeURIComponent(job.job_id)}`);
    return c.json({ job_id: job.job_id, state: job.state }, 202);
  });
  onlyMethods(app, "/api/files/:id/jobs", ["POST"]);

  app.get("/api/jobs", async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ jobs: await queue.list() });
  });
  onlyMethods(app, "/api/jobs", ["GET"]);

  app.get("/api/jobs/:id", async (c) => {
    const job = await jobOr404(c.req.param("id"));
    c.header("Cache-Control", "no-store");
    return c.json(job);
  });
  app.delete("/api/jobs/:id", async (c) => {
    const id = c.req.param("id");
    const job = await jobOr404(id);
    if (FINAL_STATES.has(job.state)) {
      throw new ConsoleError(409, "job_finished", `job ${quoted(id)} is already ${job.state}`);
    }
    const cancelled = await queue.cancel(id);
    if (!cancelled) throw new ConsoleError(404, "job_not_found", `no job ${quoted(id)}`);
    if (cancelled.state !== "cancelled") {
      throw new ConsoleError(
        409,
        "job_finished",
        `job ${quoted(id)} is already ${cancelled.state}`,
      );
    }
    c.header("Cache-Control", "no-store");
    return c.json(cancelled);
  });
  onlyMethods(app, "/api/jobs/:id", ["GET", "DELETE"]);

  app.get("/api/jobs/:id/events", async (c) => {
    const id = c.req.param("id");
    const first = await jobOr404(id);
    return sseResponse(c, deps.sse, ({ send }) => {
      // The current record first, then every progress and state event as it comes.
      send({ event: "snapshot", data: first });
      return queue.subscribe(first.job_id, (event) => send({ event: event.type, data: event.job }));
    });
  });
  onlyMethods(app, "/api/jobs/:id/events", ["GET"]);

  app.get("/api/jobs/:id/outputs/:name", async (c) => {
    const id = c.req.param("id");
    const name = c.req.param("name");
    if (!(OUTPUT_NAMES as readonly string[]).includes(name)) {
      await jobOr404(id);
      throw new ConsoleError(
        404,
        "output_not_found",
        `no output ${quoted(name)} (one of ${OUTPUT_NAMES.join(", ")})`,
      );
    }
    const job = await completedJob(id);
    const dir = join(deps.resultsDir, job.job_id);
    const fileName = await outputFileName(dir, outputBaseName(job.name), name);
    const path = join(dir, fileName);
    const size = await stat(path).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
    if (size === undefined) throw gone(id);
    c.header("Content-Type", "application/vnd.apache.parquet");
    c.header("Content-Length", String(size));
    c.header("Content-Disposition", `attachment; filename="${fileName}"`);
    c.header("Cache-Control", "no-store");
    if (c.req.method === "HEAD") return c.body(null, 200);
    return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200);
  });
  onlyMethods(app, "/api/jobs/:id/outputs/:name", ["GET"]);

  app.get("/api/jobs/:id/profile", async (c) => {
    const id = c.req.param("id");
    const job = await completedJob(id);
    const path = join(deps.resultsDir, job.job_id, PROFILE_JSON);
    const size = await stat(path).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
    if (size === undefined) throw gone(id);
    c.header("Content-Type", "application/json");
    c.header("Content-Length", String(size));
    c.header("Cache-Control", "no-store");
    if (c.req.method === "HEAD") return c.body(null, 200);
    return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200);
  });
  onlyMethods(app, "/api/jobs/:id/profile", ["GET"]);
}

function withoutDate({
  created_at: _created,
  ...file
}: StoredFile): Omit<StoredFile, "created_at"> {
  return file;
}

/**
 * `NAME_name.parquet` in a job's results folder: NAME from the upload's name, as the job
 * wrote it; else the one file there ending in `_name.parquet`.
 */
async function outputFileName(dir: string, base: string, name: string): Promise<string> {
  const expected = `${base}_${name}.parquet`;
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.includes(expected)) return expected;
  const found = entries.filter((entry) => entry.endsWith(`_${name}.parquet`));
  return found.length === 1 ? (found[0] as string) : expected;
}
