import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JobRecord, ProfileDocument } from "../src/files/types.js";
import {
  type FilesConsole,
  filesIn,
  type SseReader as Reader,
  SseReader,
  startFilesConsole,
  uploadFile,
} from "./helpers/files.js";
import { tempDir } from "./helpers/tmp.js";

const consoles: FilesConsole[] = [];
const readers: Reader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.stop();
  await Promise.all(consoles.splice(0).map((ui) => ui.close()));
});

async function start(files: Parameters<typeof startFilesConsole>[1] = {}): Promise<FilesConsole> {
  const ui = await startFilesConsole(tempDir("empresa-files-"), files);
  consoles.push(ui);
  return ui;
}

interface UploadBody {
  file_id: string;
  name: string;
  bytes: number;
  encoding: string;
  delimiter: string;
  columns: string[];
  preview: Record<string, string | null>[];
}

async function uploaded(res: Response): Promise<UploadBody> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body as UploadBody;
}

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message).not.toMatch(/\n\s+at |\/tmp\/|node_modules|\.ts:\d/);
  return body.error.message;
}

const SALES = [
  "id,cliente,importe",
  "1,Ana,10.5",
  "2,Luis,20",
  "3,Marta,30",
  "4,Pedro,40",
  "5,Sofía,50",
  "6,Juan,60",
  "7,Eva,70",
].join("\n");

describe("POST /api/files: upload and preview", () => {
  it("stores the file under its id and answers the first 5 rows as text", async () => {
    const ui = await start();
    const body = await uploaded(await uploadFile(ui.url, `${SALES}\n`, "C:\\datos\\ventas.csv"));
    expect(body).toEqual({
      file_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: "ventas.csv",
      bytes: Buffer.byteLength(`${SALES}\n`),
      encoding: "utf-8",
      delimiter: ",",
      columns: ["id", "cliente", "importe"],
      preview: [
        { id: "1", cliente: "Ana", importe: "10.5" },
        { id: "2", cliente: "Luis", importe: "20" },
        { id: "3", cliente: "Marta", importe: "30" },
        { id: "4", cliente: "Pedro", importe: "40" },
        { id: "5", cliente: "Sofía", importe: "50" },
      ],
    });
    // The stored name is the id; the original name is never a path.
    expect(filesIn(ui.tempDir)).toEqual([body.file_id]);
    expect(readFileSync(join(ui.tempDir, body.file_id), "utf8")).toBe(`${SALES}\n`);
  });

  it("reads Windows-1252 and ; as the ETL does", async () => {
    const ui = await start();
    const bytes = Buffer.from("nombre;ciudad;precio\nJos\xe9;Bogot\xe1;\x80 5\n", "latin1");
    const body = await uploaded(await uploadFile(ui.url, bytes, "../../etc/passwd"));
    expect(body.name).toBe("passwd");
    expect(body.encoding).toBe("windows-1252");
    expect(body.delimiter).toBe(";");
    expect(body.preview).toEqual([{ nombre: "José", ciudad: "Bogotá", precio: "€ 5" }]);
  });

  it("removes the BOM, reads CRLF, quoted line breaks and quotes, skips blank lines", async () => {
    const ui = await start();
    const text = '\ufeffid;nota\r\n1;"dos\r\nlíneas"\r\n\r\n  \r\n2;"con ""comillas"""\r\n3;x';
    const body = await uploaded(await uploadFile(ui.url, text));
    expect(body.encoding).toBe("utf-8");
    expect(body.delimiter).toBe(";");
    expect(body.columns).toEqual(["id", "nota"]);
    expect(body.preview).toEqual([
      { id: "1", nota: "dos\r\nlíneas" },
      { id: "2", nota: 'con "comillas"' },
      { id: "3", nota: "x" },
    ]);
  });

  it("keeps duplicate and empty header names in columns, unique keys in the preview", async () => {
    const ui = await start();
    const body = await uploaded(await uploadFile(ui.url, "a,b,a,,a_2\n1,2,3,4,5\n6\n"));
    expect(body.columns).toEqual(["a", "b", "a", "", "a_2"]);
    expect(body.preview).toEqual([
      { a: "1", b: "2", a_3: "3", column_4: "4", a_2: "5" },
      // A short row: the fields it lacks are null (its error shows when the job runs).
      { a: "6", b: null, a_3: null, column_4: null, a_2: null },
    ]);
  });

  it("accepts a header with no rows (an empty preview)", async () => {
    const ui = await start();
    const body = await uploaded(await uploadFile(ui.url, "a,b\n"));
    expect(body.columns).toEqual(["a", "b"]);
    expect(body.preview).toEqual([]);
  });

  it("accepts ragged rows and an unclosed quote: the job reports them", async () => {
    const ui = await start();
    const ragged = await uploaded(await uploadFile(ui.url, "a,b\n1,2,3\n4\n5,6\n"));
    expect(ragged.preview).toEqual([
      { a: "1", b: "2" },
      { a: "4", b: null },
      { a: "5", b: "6" },
    ]);
    const unclosed = await uploaded(await uploadFile(ui.url, 'a,b\n1,2\n"3,4\n5,6\n'));
    expect(unclosed.preview).toEqual([{ a: "1", b: "2" }]);
    expect(filesIn(ui.tempDir)).toHaveLength(2);
  });

  it("refuses an empty file, no header, no file field, CR-only lines: 400, nothing kept", async () => {
    const ui = await start();
    await expectError(await uploadFile(ui.url, ""), 400, "empty_file");
    await expectError(await uploadFile(ui.url, "\ufeff"), 400, "empty_file");
    await expectError(await uploadFile(ui.url, "\n  \n\r\n"), 400, "no_header");
    expect(await expectError(await uploadFile(ui.url, "a,b\r1,2\r"), 400, "cr_line_ends")).toMatch(
      /CR only/,
    );
    const other = new FormData();
    other.set("data", new Blob(["a,b\n1,2\n"]), "x.csv");
    await expectError(
      await fetch(`${ui.url}/api/files`, { method: "POST", body: other }),
      400,
      "no_file",
    );
    const text = new FormData();
    text.set("file", "a,b\n1,2\n");
    await expectError(
      await fetch(`${ui.url}/api/files`, { method: "POST", body: text }),
      400,
      "no_file",
    );
    await expectError(
      await fetch(`${ui.url}/api/files`, {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: "a,b\n1,2\n",
      }),
      415,
      "unsupported_media_type",
    );
    await expectError(
      await fetch(`${ui.url}/api/files`, {
        method: "POST",
        headers: { "Content-Type": "multipart/form-data; boundary=xyz" },
        body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\na,b\n',
      }),
      400,
      "bad_multipart",
    );
    expect(filesIn(ui.tempDir)).toEqual([]);
  });

  it("refuses a binary file: 415, nothing kept", async () => {
    const ui = await start();
    const png = Buffer.concat([Buffer.from("\x89PNG\r\n\x1a\n", "latin1"), Buffer.alloc(100_000)]);
    expect(
      await expectError(await uploadFile(ui.url, png, "foto.csv"), 415, "binary_file"),
    ).toMatch(/binary data at byte 8/);
    const utf16 = Buffer.from("\ufeffa,b\n1,2\n", "utf16le");
    await expectError(await uploadFile(ui.url, utf16), 415, "binary_file");
    // A NUL after the first 64 KiB is the job's business, not the upload's.
    const late = Buffer.concat([Buffer.from(`a,b\n${"1,2\n".repeat(20_000)}`), Buffer.from([0])]);
    await uploaded(await uploadFile(ui.url, late));
    expect(filesIn(ui.tempDir)).toHaveLength(1);
  });

  it("refuses a file over MAX_FILE_SIZE_MB while streaming: 413, nothing left on disk", async () => {
    const ui = await start({ maxFileSizeMb: 1 });
    const exact = Buffer.alloc(2 ** 20, "a,b\n");
    await uploaded(await uploadFile(ui.url, exact, "exact.csv"));
    // A little over the limit: found while streaming.
    const over = Buffer.alloc(2 ** 20 + 1, "a,b\n");
    expect(await expectError(await uploadFile(ui.url, over), 413, "file_too_large")).toMatch(
      /larger than 1 MiB/,
    );
    // Far over the limit: refused from its Content-Length, before reading it.
    const far = Buffer.alloc(8 * 2 ** 20, "a,b\n");
    await expectError(await uploadFile(ui.url, far), 413, "file_too_large");
    expect(filesIn(ui.tempDir)).toHaveLength(1);
  });

  it("takes several uploads at once", async () => {
    const ui = await start();
    const bodies = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        uploadFile(ui.url, `n\n${`${i}\n`.repeat(50_000 * (i + 1))}`, `f${i}.csv`).then(uploaded),
      ),
    );
    expect(new Set(bodies.map((b) => b.file_id)).size).toBe(6);
    bodies.forEach((body, i) => {
      expect(body.name).toBe(`f${i}.csv`);
      expect(body.preview).toHaveLength(5);
      expect(body.preview[0]).toEqual({ n: String(i) });
    });
    expect(filesIn(ui.tempDir).sort()).toEqual(bodies.map((b) => b.file_id).sort());
  });

  it("refuses an upload from another site and passes the console's own page", async () => {
    const ui = await start();
    await expectError(
      await uploadFile(ui.url, SALES, "x.csv", { Origin: "https://evil.example" }),
      403,
      "cross_site_request",
    );
    await expectError(
      await uploadFile(ui.url, SALES, "x.csv", { "Sec-Fetch-Site": "cross-site" }),
      403,
      "cross_site_request",
    );
    expect(filesIn(ui.tempDir)).toEqual([]);
    await uploaded(
      await uploadFile(ui.url, SALES, "x.csv", { Origin: ui.url, "Sec-Fetch-Site": "same-origin" }),
    );
  });

  it("answers 405 with Allow for other methods", async () => {
    const ui = await start();
    const cases: [string, string, string][] = [
      ["GET", "/api/files", "POST, OPTIONS"],
      ["GET", "/api/files/abc/jobs", "POST, OPTIONS"],
      ["POST", "/api/jobs", "GET, HEAD, OPTIONS"],
      ["PUT", "/api/jobs/abc", "GET, DELETE, HEAD, OPTIONS"],
      ["POST", "/api/jobs/abc/events", "GET, HEAD, OPTIONS"],
      ["DELETE", "/api/jobs/abc/outputs/resumen", "GET, HEAD, OPTIONS"],
      ["POST", "/api/jobs/abc/profile", "GET, HEAD, OPTIONS"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await fetch(`${ui.url}${path}`, { method });
      await expectError(res, 405, "method_not_allowed");
      expect(res.headers.get("Allow"), `${method} ${path}`).toBe(allow);
    }
  });
});

async function json<T>(res: Response, status = 200): Promise<T> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body as T;
}

async function waitFor(ui: FilesConsole, jobId: string, states: string[]): Promise<JobRecord> {
  for (;;) {
    const job = await json<JobRecord>(await fetch(`${ui.url}/api/jobs/${jobId}`));
    if (states.includes(job.state)) return job;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("jobs", () => {
  it("404s for unknown files and jobs", async () => {
    const ui = await start();
    await expectError(
      await fetch(`${ui.url}/api/files/nope/jobs`, { method: "POST" }),
      404,
      "file_not_found",
    );
    for (const path of ["", "/events", "/outputs/resumen", "/outputs/otra", "/profile"])
      await expectError(await fetch(`${ui.url}/api/jobs/nope${path}`), 404, "job_not_found");
    await expectError(
      await fetch(`${ui.url}/api/jobs/nope`, { method: "DELETE" }),
      404,
      "job_not_found",
    );
    expect(await json(await fetch(`${ui.url}/api/jobs`))).toEqual({ jobs: [] });
  });

  it("processes an upload: live events, the record, three Parquet files and the profile", async () => {
    const ui = await start({ chunkSize: 2 });
    const file = await uploaded(await uploadFile(ui.url, `${SALES}\n`, "Ventas 2024.csv"));
    const res = await fetch(`${ui.url}/api/files/${file.file_id}/jobs`, { method: "POST" });
    const queued = await json<{ job_id: string; state: string }>(res, 202);
    expect(queued).toEqual({ job_id: expect.any(String), state: "queued" });
    expect(res.headers.get("Location")).toBe(`/api/jobs/${queued.job_id}`);

    const stream = new SseReader(`${ui.url}/api/jobs/${queued.job_id}/events`);
    readers.push(stream);
    const opened = await stream.open();
    expect(opened.headers.get("Content-Type")).toBe("text/event-stream");
    await stream.next((m) => m.event === "snapshot");
    const done = await stream.next(
      (m) => m.event === "state" && (m.data as JobRecord).state === "completed",
    );
    expect((done.data as JobRecord).rows_processed).toBe(7);

    const job = await waitFor(ui, queued.job_id, ["completed"]);
    expect(job).toMatchObject({
      job_id: queued.job_id,
      file_id: file.file_id,
      name: "Ventas 2024.csv",
      state: "completed",
      rows_processed: 7,
      percent: 100,
      error: null,
    });
    const list = await json<{ jobs: JobRecord[] }>(await fetch(`${ui.url}/api/jobs`));
    expect(list.jobs.map((j) => j.job_id)).toEqual([queued.job_id]);

    for (const name of ["resumen", "columnas", "muestra"] as const) {
      const url = job.outputs?.[name] as string;
      expect(url).toBe(`/api/jobs/${queued.job_id}/outputs/${name}`);
      const download = await fetch(`${ui.url}${url}`);
      expect(download.status).toBe(200);
      expect(download.headers.get("Content-Type")).toBe("application/vnd.apache.parquet");
      expect(download.headers.get("Content-Disposition")).toBe(
        `attachment; filename="Ventas_2024_${name}.parquet"`,
      );
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(bytes.subarray(0, 4).toString()).toBe("PAR1");
      expect(bytes.subarray(-4).toString()).toBe("PAR1");
      expect(Number(download.headers.get("Content-Length"))).toBe(bytes.length);
    }
    await expectError(
      await fetch(`${ui.url}/api/jobs/${queued.job_id}/outputs/otra`),
      404,
      "output_not_found",
    );
    const profile = await json<ProfileDocument>(
      await fetch(`${ui.url}/api/jobs/${queued.job_id}/profile`),
    );
    expect(profile.resumen).toMatchObject({ archivo: "Ventas 2024.csv", filas: 7, columnas: 3 });
    expect(profile.columnas.map((c) => [c.nombre, c.tipo])).toEqual([
      ["id", "integer"],
      ["cliente", "text"],
      ["importe", "decimal"],
    ]);

    // Finished: it cannot be cancelled, and the upload went with it.
    await expectError(
      await fetch(`${ui.url}/api/jobs/${queued.job_id}`, { method: "DELETE" }),
      409,
      "job_finished",
    );
    const again = await fetch(`${ui.url}/api/files/${file.file_id}/jobs`, { method: "POST" });
    expect([404, 409]).toContain(again.status);
    expect(existsSync(join(ui.tempDir, file.file_id))).toBe(false);
  });

  it("fails a job on an unclosed quote with its line; counts ragged rows", async () => {
    const ui = await start();
    const bad = await uploaded(await uploadFile(ui.url, 'a,b\n1,2\n"3,4\n5,6\n'));
    const ragged = await uploaded(await uploadFile(ui.url, "a,b\n1,2,3\n4\n5,6\n"));
    const enqueue = async (id: string) =>
      (
        await json<{ job_id: string }>(
          await fetch(`${ui.url}/api/files/${id}/jobs`, { method: "POST" }),
          202,
        )
      ).job_id;
    const badJob = await waitFor(ui, await enqueue(bad.file_id), ["failed", "completed"]);
    expect(badJob.state).toBe("failed");
    expect(badJob.error).toMatch(/:3: .*never closed/);
    await expectError(
      await fetch(`${ui.url}/api/jobs/${badJob.job_id}/profile`),
      409,
      "job_not_completed",
    );
    const raggedJob = await waitFor(ui, await enqueue(ragged.file_id), ["failed", "completed"]);
    expect(raggedJob.state).toBe("completed");
    const profile = await json<ProfileDocument>(
      await fetch(`${ui.url}/api/jobs/${raggedJob.job_id}/profile`),
    );
    expect(profile.resumen).toMatchObject({ filas: 1, filas_malformadas: 2 });
  });

  it("cancels queued and processing jobs; their results are gone", async () => {
    const ui = await start({ concurrency: 1, chunkSize: 1000 });
    const dir = tempDir("empresa-files-big-");
    const big = join(dir, "big.csv");
    writeFileSync(big, `id,texto,valor\n${"123,algo de texto,4.5\n".repeat(1_000_000)}`);
    const first = await uploaded(await uploadFile(ui.url, readFileSync(big), "big.csv"));
    const second = await uploaded(await uploadFile(ui.url, `${SALES}\n`));
    const enqueue = async (id: string) =>
      (
        await json<{ job_id: string }>(
          await fetch(`${ui.url}/api/files/${id}/jobs`, { method: "POST" }),
          202,
        )
      ).job_id;
    const running = await enqueue(first.file_id);
    const waiting = await enqueue(second.file_id);
    expect((await json<JobRecord>(await fetch(`${ui.url}/api/jobs/${waiting}`))).state).toBe(
      "queued",
    );
    const cancelledWaiting = await json<JobRecord>(
      await fetch(`${ui.url}/api/jobs/${waiting}`, { method: "DELETE" }),
    );
    expect(cancelledWaiting.state).toBe("cancelled");
    await waitFor(ui, running, ["processing"]);
    const cancelledRunning = await json<JobRecord>(
      await fetch(`${ui.url}/api/jobs/${running}`, { method: "DELETE" }),
    );
    expect(cancelledRunning.state).toBe("cancelled");
    expect((await waitFor(ui, running, ["cancelled"])).outputs).toBeNull();
    await expectError(
      await fetch(`${ui.url}/api/jobs/${running}/outputs/resumen`),
      409,
      "job_not_completed",
    );
    await expectError(
      await fetch(`${ui.url}/api/jobs/${running}`, { method: "DELETE" }),
      409,
      "job_finished",
    );
    expect(filesIn(join(ui.resultsDir, running))).toEqual([]);
  });
});
