import { randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import type { Readable } from "node:stream";
import busboy from "busboy";
import { UploadError } from "./errors.js";
import { ByteSniffer } from "./sniff.js";

/** Room for the multipart framing and small fields above the file's own size limit. */
export const MULTIPART_SLACK_BYTES = 1 << 20;

export interface ReceiveOptions {
  /** Where the upload is written (created if missing). */
  tempDir: string;
  /** The largest file accepted, in bytes (`MAX_FILE_SIZE_MB` MiB). */
  maxBytes: number;
}

export interface ReceivedFile {
  /** Random, 32 hex characters: the stored file's name. */
  id: string;
  /** The original file name, directories stripped; only shown, never a path. */
  name: string;
  /** Where the bytes are (`tempDir/ID.upload`), to be moved under the registry's path. */
  path: string;
  sniffer: ByteSniffer;
}

/** A new file id: 16 random bytes in hex. */
export const newFileId = (): string => randomBytes(16).toString("hex");

/**
 * The original name as shown: its last path segment (after `/` or `\`), control characters
 * removed, at most 255 characters; `archivo.csv` when nothing is left.
 */
export function displayName(filename: string | undefined): string {
  const base = (filename ?? "").split(/[/\\]/).pop() ?? "";
  const clean = base
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, 255);
  return clean === "" || clean === "." || clean === ".." ? "archivo.csv" : clean;
}

/**
 * Streams a `multipart/form-data` body's `file` part to `tempDir/ID.upload` with busboy:
 * never the whole body in memory (the write stream's backpressure pauses the request), the
 * size limit enforced as bytes arrive, the encoding facts computed on the way
 * (`ByteSniffer`). Other parts are read and dropped; only the first `file` part counts.
 *
 * Refusals (`UploadError`), with nothing left on disk: 415 a body that is not multipart, or
 * a file with a NUL byte in its first 64 KiB (binary), found as soon as those bytes arrive;
 * 413 a `Content-Length` above the limit plus the framing's room (before reading anything)
 * or a file past the limit; 400 no `file` part, an empty file, a malformed body, a body cut
 * short.
 */
export async function receiveUpload(
  body: Readable,
  headers: IncomingHttpHeaders,
  options: ReceiveOptions,
): Promise<ReceivedFile> {
  const type = headers["content-type"];
  if (!type || !/^multipart\/form-data\s*;/i.test(type)) {
    throw new UploadError(
      415,
      "unsupported_media_type",
      `send the file as multipart/form-data in a field named "file" (got ${type ? JSON.stringify(type.slice(0, 60)) : "no Content-Type"})`,
    );
  }
  const declared = Number(headers["content-length"]);
  if (Number.isFinite(declared) && declared > options.maxBytes + MULTIPART_SLACK_BYTES) {
    throw tooLarge(options.maxBytes);
  }
  await mkdir(options.tempDir, { recursive: true });

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers,
      highWaterMark: 256 * 1024,
      fileHwm: 256 * 1024,
      limits: { fileSize: options.maxBytes + 1, files: 1, fields: 20, fieldSize: 1024, parts: 40 },
    });
  } catch {
    throw new UploadError(400, "bad_multipart", "the multipart body has no boundary");
  }

  const id = newFileId();
  const path = join(options.tempDir, `${id}.upload`);
  const sniffer = new ByteSniffer();

  return new Promise<ReceivedFile>((resolve, reject) => {
    let settled = false;
    let fileSeen = false;
    let fileDone: Promise<void> | undefined;
    let out: WriteStream | undefined;
    let failure: UploadError | undefined;

    const fail = (error: UploadError) => {
      failure ??= error;
      finish();
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      body.unpipe(parser);
      // A failure stops the write at once (a body cut short never ends the file part).
      if (failure && out && !out.closed) out.destroy();
      // The rest of the body is read and dropped (by the HTTP server after the answer).
      body.resume();
      const wait = fileDone ?? Promise.resolve();
      void wait
        .catch(() => undefined)
        .then(async () => {
          if (failure) {
            if (out) await rm(path, { force: true });
            reject(failure);
            return;
          }
          resolve({ id, name: fileName, path, sniffer });
        });
    };
    let fileName = "archivo.csv";

    parser.on("file", (field, stream, info) => {
      if (field !== "file" || fileSeen) {
        stream.resume();
        return;
      }
      fileSeen = true;
      fileName = displayName(info.filename);
      const file = createWriteStream(path, { highWaterMark: 1 << 20 });
      out = file;
      fileDone = new Promise<void>((done, error) => {
        file.once("close", done);
        file.once("error", error);
      });
      const abandon = (error: UploadError) => {
        stream.removeAllListeners("data");
        stream.resume();
        file.destroy();
        fail(error);
      };
      stream.on("data", (chunk: Buffer) => {
        sniffer.push(chunk);
        if (sniffer.nulAt !== -1) {
          abandon(
            new UploadError(
              415,
              "binary_file",
              `not a text CSV (binary data at byte ${sniffer.nulAt}); send a CSV file`,
            ),
          );
          return;
        }
        if (!file.write(chunk)) {
          stream.pause();
          file.once("drain", () => stream.resume());
        }
      });
      stream.once("limit", () => abandon(tooLarge(options.maxBytes)));
      stream.once("end", () => {
        if (failure) return;
        sniffer.end();
        file.end();
      });
      stream.once("error", (error: Error) =>
        abandon(
          new UploadError(
            400,
            "bad_multipart",
            `the multipart body is malformed (${error.message})`,
          ),
        ),
      );
      file.once("error", () =>
        abandon(new UploadError(400, "write_failed", "the upload could not be stored")),
      );
    });
    parser.on("field", (field) => {
      if (field === "file" && !fileSeen) {
        // A text field named file: a form without enctype, or a client that sent the name.
        failure ??= new UploadError(
          400,
          "no_file",
          'the "file" field is not a file: send it as a file part (a form with enctype="multipart/form-data")',
        );
      }
    });
    parser.once("close", () => {
      if (!fileSeen && !failure) {
        failure = new UploadError(400, "no_file", 'the form has no "file" field');
      } else if (fileSeen && !failure && sniffer.bytes === 0) {
        failure = new UploadError(400, "empty_file", "the file is empty");
      }
      finish();
    });
    parser.once("error", (error: Error) =>
      fail(
        new UploadError(400, "bad_multipart", `the multipart body is malformed (${error.message})`),
      ),
    );
    body.once("aborted", () =>
      fail(new UploadError(400, "upload_aborted", "the upload was cut short")),
    );
    body.once("error", () =>
      fail(new UploadError(400, "upload_aborted", "the upload was cut short")),
    );
    body.pipe(parser);
  });
}

function tooLarge(maxBytes: number): UploadError {
  const mib = maxBytes / 2 ** 20;
  return new UploadError(
    413,
    "file_too_large",
    `the file is larger than ${Number.isInteger(mib) ? mib : mib.toFixed(2)} MiB (MAX_FILE_SIZE_MB)`,
  );
}
