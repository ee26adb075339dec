import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import busboy from "busboy";
import type { Context, Hono } from "hono";
import { UsageError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { ConsoleError } from "../../ui/http/errors.js";
import { onlyMethods } from "../../ui/http/routes.js";
import { type SseOptions, sseResponse } from "../../ui/http/sse.js";
import { ModelDefinitionError } from "../model/index.js";
import type { SimulationMode } from "../run/types.js";
import {
  OUTPUT_FILES,
  type OutputFile,
  SimulationRequestError,
  type SimulationService,
  type StartSimulation,
} from "../service.js";

/** The largest model file accepted (bytes): a model is a few lines. */
export const MAX_MODEL_BYTES = 1 << 20;

export interface SimulationsApiDeps {
  simulations: SimulationService;
  /** Default `MAX_MODEL_BYTES`. */
  maxModelBytes?: number;
  sse: SseOptions;
  log?: Pick<Logger, "info" | "warn" | "error" | "debug">;
}

const quoted = (id: string) => JSON.stringify(id.slice(0, 80));

function asConsoleError(error: unknown): unknown {
  if (error instanceof SimulationRequestError)
    return new ConsoleError(error.status, error.code, error.message);
  if (error instanceof ModelDefinitionError)
    return new ConsoleError(400, "model_definition", error.message.slice(0, 1000));
  if (error instanceof UsageError)
    return new ConsoleError(400, "invalid_request", error.message.slice(0, 300));
  return error;
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

/** The model's name as shown: its last path segment, no control characters, `modelo.ini` if none. */
export function modelName(filename: string | undefined): string {
  const base = (filename ?? "").split(/[/\\]/).pop() ?? "";
  const clean = base
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, 120);
  return clean === "" || clean === "." || clean === ".." ? "modelo.ini" : clean;
}

function tooLarge(limit: number): ConsoleError {
  return new ConsoleError(
    413,
    "model_too_large",
    `the model file is larger than ${Math.round(limit / 1024)} KB; a model is a few lines of text`,
  );
}

/** An optional whole-number field: absent or blank is undefined. */
function integerField(
  fields: Map<string, string>,
  name: string,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  const text = fields.get(name)?.trim();
  if (text === undefined || text === "") return undefined;
  const value = /^[+-]?\d+$/.test(text.replace(/[_,]/g, ""))
    ? Number(text.replace(/[_,]/g, ""))
    : NaN;
  if (!Number.isSafeInteger(value) || !check(value))
    throw new ConsoleError(
      400,
      `invalid_${name}`,
      `${name} must be ${what}, not ${JSON.stringify(text.slice(0, 40))}`,
    );
  return value;
}

/**
 * Reads `POST /api/simulations`'s multipart body in memory (a model is small): the `model`
 * file and the `scenarios`, `seed`, `mode` fields. 415 not multipart, 413 a model over the
 * limit, 400 no model, an empty one, a bad field.
 */
async function readStartForm(c: Context, maxBytes: number): Promise<StartSimulation> {
  const { body, headers } = requestBody(c);
  const type = headers["content-type"];
  if (!type || !/^multipart\/form-data\s*;/i.test(type))
    throw new ConsoleError(
      415,
      "unsupported_media_type",
      `send the model as multipart/form-data in a field named "model" (got ${type ? JSON.stringify(type.slice(0, 60)) : "no Content-Type"})`,
    );
  const declared = Number(headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) {
    body.resume();
    throw tooLarge(maxBytes);
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers,
      limits: { fileSize: maxBytes + 1, files: 1, fields: 10, parts: 20, fieldSize: 1024 },
    });
  } catch {
    throw new ConsoleError(400, "bad_multipart", "the multipart body has no boundary");
  }
  const fields = new Map<string, string>();
  const { chunks, name } = await new Promise<{ chunks: Buffer[] | undefined; name: string }>(
    (resolve, reject) => {
      let chunks: Buffer[] | undefined;
      let name = "modelo.ini";
      let size = 0;
      let failure: ConsoleError | undefined;
      parser.on("file", (field, stream, info) => {
        if (field !== "model" || chunks) {
          stream.resume();
          return;
        }
        const parts: Buffer[] = [];
        chunks = parts;
        name = modelName(info.filename);
        stream.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxBytes) parts.push(chunk);
        });
        stream.once("limit", () => {
          failure ??= tooLarge(maxBytes);
        });
      });
      parser.on("field", (field, value) => {
        if (field === "model" && !chunks)
          failure ??= new ConsoleError(
            400,
            "no_model",
            'the "model" field is not a file: send it as a file part (a form with enctype="multipart/form-data")',
          );
        else if (!fields.has(field)) fields.set(field, value);
      });
      parser.once("error", (error: Error) => {
        body.unpipe(parser);
        body.resume();
        reject(
          new ConsoleError(
            400,
            "bad_multipart",
            `the multipart body is malformed (${error.message})`,
          ),
        );
      });
      parser.once("close", () => {
        if (failure) reject(failure);
        else resolve({ chunks, name });
      });
      body.pipe(parser);
    },
  );
  if (!chunks) throw new ConsoleError(400, "no_model", 'the form has no "model" file');
  const source = Buffer.concat(chunks);
  if (source.length === 0) throw new ConsoleError(400, "empty_model", "the model file is empty");
  const mode = fields.get("mode")?.trim() || undefined;
  if (mode !== undefined && mode !== "embedded" && mode !== "rabbitmq")
    throw new ConsoleError(
      400,
      "invalid_mode",
      `mode must be embedded or rabbitmq, not ${JSON.stringify(mode.slice(0, 40))}`,
    );
  return {
    source,
    name,
    scenarios: integerField(fields, "scenarios", (n) => n >= 1, "a positive whole number"),
    seed: integerField(fields, "seed", () => true, "a whole number"),
    mode: mode as SimulationMode | undefined,
  };
}

/**
 * The JSON endpoints of `/simulations` (`../shared/contracts/simulation.md`): start a run
 * from an uploaded model, list the runs, one run, its live events, cancel it, its output
 * files. Every other method on these paths is a 405 with `Allow`.
 */
export function registerSimulationsApi(app: Hono, deps: SimulationsApiDeps): void {
  const { simulations } = deps;
  const maxBytes = deps.maxModelBytes ?? MAX_MODEL_BYTES;

  const detailOr404 = (id: string) => {
    const detail = simulations.get(id);
    if (!detail) throw new ConsoleError(404, "simulation_not_found", `no simulation ${quoted(id)}`);
    return detail;
  };

  app.post("/api/simulations", async (c) => {
    const request = await readStartForm(c, maxBytes);
    let run: Awaited<ReturnType<SimulationService["start"]>>;
    try {
      run = await simulations.start(request);
    } catch (error) {
      throw asConsoleError(error);
    }
    c.header("Location", `/api/simulations/${encodeURIComponent(run.run_id)}`);
    c.header("Cache-Control", "no-store");
    return c.json({ run_id: run.run_id, state: run.state }, 202);
  });
  app.get("/api/simulations", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ simulations: simulations.list() });
  });
  onlyMethods(app, "/api/simulations", ["GET", "POST"]);

  app.get("/api/simulations/:id", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(detailOr404(c.req.param("id")));
  });
  app.delete("/api/simulations/:id", async (c) => {
    try {
      const run = await simulations.cancel(c.req.param("id"));
      c.header("Cache-Control", "no-store");
      return c.json(run);
    } catch (error) {
      throw asConsoleError(error);
    }
  });
  onlyMethods(app, "/api/simulations/:id", ["GET", "DELETE"]);

  app.get("/api/simulations/:id/events", (c) => {
    const first = detailOr404(c.req.param("id"));
    return sseResponse(c, deps.sse, ({ send }) => {
      // The whole run first, then its state changes, progress and live views as they come.
      send({ event: "snapshot", data: first });
      return simulations.subscribe(first.run_id, (update) => {
        if (update.type === "state") send({ event: "state", data: update.run });
        else if (update.type === "progress")
          send({ event: "progress", data: { run_id: update.run_id, ...update.progress } });
        else send({ event: "live", data: { run_id: update.run_id, outputs: update.outputs } });
      });
    });
  });
  onlyMethods(app, "/api/simulations/:id/events", ["GET"]);

  app.get("/api/simulations/:id/files/:name", async (c) => {
    const id = c.req.param("id");
    const name = c.req.param("name");
    const run = detailOr404(id);
    if (!(OUTPUT_FILES as readonly string[]).includes(name))
      throw new ConsoleError(
        404,
        "file_not_found",
        `no file ${quoted(name)} (one of ${OUTPUT_FILES.join(", ")})`,
      );
    if (run.state !== "completed")
      throw new ConsoleError(
        409,
        "simulation_not_completed",
        `simulation ${quoted(id)} is ${run.state}: its files exist once it is completed`,
      );
    const path = simulations.filePath(id, name as OutputFile);
    const size = path
      ? await stat(path).then(
          (s) => (s.isFile() ? s.size : undefined),
          () => undefined,
        )
      : undefined;
    if (path === undefined || size === undefined)
      throw new ConsoleError(
        404,
        "file_not_found",
        `the file ${quoted(name)} of simulation ${quoted(id)} is no longer there`,
      );
    const parquet = name.endsWith(".parquet");
    c.header(
      "Content-Type",
      parquet ? "application/vnd.apache.parquet" : "application/json; charset=utf-8",
    );
    c.header(
      "Content-Disposition",
      `attachment; filename="${name.replace(".", `_${id.replace(/[^A-Za-z0-9_-]/g, "")}.`)}"`,
    );
    c.header("Content-Length", String(size));
    c.header("Cache-Control", "no-store");
    if (c.req.method === "HEAD") return c.body(null, 200);
    return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200);
  });
  onlyMethods(app, "/api/simulations/:id/files/:name", ["GET"]);
}
