import { createReadStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import type { Context, Hono } from "hono";
import type { Logger } from "../../log.js";
import { ConsoleError } from "../../ui/http/errors.js";
import { onlyMethods } from "../../ui/http/routes.js";
import { type SseOptions, sseResponse } from "../../ui/http/sse.js";
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
  /** A completed job's Parquet file, if still there. */
  outputPath(jobId: string, name: OutputName): string | undefined;
  /** A completed job's `profile.json`, if still there. */
  profilePath(jobId: string): string | undefined;
  /** `MAX_FILE_SIZE_MB` in bytes. */
  maxFileBytes: number;
  sse: SseOptions;
  log?: Pick<Logger, "info" | "warn" | "error" | "debug">;
}

export const OUTPUT_NAMES: readonly OutputName[] = ["resumen", "columnas", "muestra"];
const FINAL_STATES: ReadonlySet<JobState> = new Set(["completed", "failed", "cancelled"]);

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
    return job;
  };
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
    const path = deps.outputPath(job.job_id, name as OutputName);
    return sendFile(c, path, id, {
      "Content-Type": "application/vnd.apache.parquet",
      "Content-Disposition": `attachment; filename="${attachmentName(path, name)}"`,
    });
  });
  onlyMethods(app, "/api/jobs/:id/outputs/:name", ["GET"]);

  app.get("/api/jobs/:id/profile", async (c) => {
    const id = c.req.param("id");
    const job = await completedJob(id);
    return sendFile(c, deps.profilePath(job.job_id), id, { "Content-Type": "application/json" });
  });
  onlyMethods(app, "/api/jobs/:id/profile", ["GET"]);
}

/** A result file streamed from disk; 404 when it is gone (swept after `RESULTS_TTL`). */
async function sendFile(
  c: Context,
  path: string | undefined,
  jobId: string,
  headers: Record<string, string>,
): Promise<Response> {
  const size = path
    ? await stat(path).then(
        (s) => (s.isFile() ? s.size : undefined),
        () => undefined,
      )
    : undefined;
  if (path === undefined || size === undefined) {
    throw new ConsoleError(
      404,
      "output_not_found",
      `the results of job ${quoted(jobId)} are no longer kept (RESULTS_TTL)`,
    );
  }
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  c.header("Content-Length", String(size));
  c.header("Cache-Control", "no-store");
  if (c.req.method === "HEAD") return c.body(null, 200);
  return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200);
}

/** `NAME_resumen.parquet`: the file's own name, kept to `[A-Za-z0-9_.-]` for the header. */
function attachmentName(path: string | undefined, name: string): string {
  const base = (path ?? "").split(/[/\\]/).pop() ?? "";
  return /^[A-Za-z0-9_.-]+$/.test(base) ? base : `archivo_${name}.parquet`;
}

function withoutDate({
  created_at: _created,
  ...file
}: StoredFile): Omit<StoredFile, "created_at"> {
  return file;
}
