import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import {
  AbortMultipartUploadCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { EXIT, UploadError } from "./errors.js";
import { FileBody } from "./file.js";

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  /** Attempts per request by the SDK (its own retries with backoff). */
  maxAttempts: number;
  /** A connection not established within this fails the request (TimeoutError). */
  connectTimeoutMs: number;
  /** A request whose socket is idle (nothing sent or received) this long fails. */
  socketTimeoutMs: number;
  /** A request not answered (response head received) within this fails, body sending included. */
  requestTimeoutMs: number;
}

/**
 * Remembers every multipart upload this client created, completed or aborted, and how
 * many requests are in flight: whatever happens, the run can abort what it started. Every
 * request the client sends can be cancelled through it (`cancelInFlight`).
 */
export class MultipartTracker {
  readonly created = new Set<string>();
  readonly finished = new Set<string>();
  inFlight = 0;
  /** Called with the body of each part S3 accepted (its buffer may then be reused). */
  onPartUploaded: ((body: unknown) => void) | null = null;
  /**
   * Awaited before each request that makes an object visible (CompleteMultipartUpload,
   * PutObject); if it throws, the request is not sent and fails with that error.
   */
  beforeCommit: (() => void | Promise<void>) | null = null;
  private idle: (() => void)[] = [];
  private cancel = new AbortController();

  /** Uploads created and neither completed nor aborted. */
  open(): string[] {
    return [...this.created].filter((id) => !this.finished.has(id));
  }

  /** The signal every request sent from now on carries (see `cancelInFlight`). */
  get requestSignal(): AbortSignal {
    return this.cancel.signal;
  }

  /** Ends every request in flight now (their sockets are destroyed); later ones are not affected. */
  cancelInFlight(reason: Error): void {
    const cancel = this.cancel;
    this.cancel = new AbortController();
    cancel.abort(reason);
  }

  /** Resolves true once no request is in flight, or false if some still are after `waitMs`. */
  settled(waitMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        resolve(idle);
      };
      const timer = Number.isFinite(waitMs) ? setTimeout(() => done(false), waitMs) : undefined;
      this.idle.push(() => done(true));
    });
  }

  started(): void {
    this.inFlight++;
  }

  ended(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
  }
}

/**
 * An S3 client for the settings; credentials come from the SDK's default chain only.
 * Every request carries the tracker's `requestSignal` (merged with its own abortSignal, if
 * any), fails after the configured timeouts, and is counted while in flight.
 */
export function s3Client(settings: S3Settings, tracker: MultipartTracker): S3Client {
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    maxAttempts: settings.maxAttempts,
    // Each request's payload SHA-256 is already in its SigV4 signature (S3 rejects a
    // corrupted part) and the object is verified by size and SHA-256 afterwards; the SDK's
    // additional CRC32 per request is computed in plain JavaScript and cost 3 s per GB here.
    requestChecksumCalculation: "WHEN_REQUIRED",
    // Our own keep-alive agents: with the SDK's default agents, every request that sends
    // `Expect: 100-continue` (each part) gets a new agent and a new TCP connection.
    // Timeouts (what @smithy/node-http-handler 4.x enforces): `connectionTimeout` until the
    // socket connects; `socketTimeout`, an idle timeout (no byte either way) once connected;
    // `requestTimeout` from the request's start to the response head, which only logs a
    // warning unless `throwOnRequestTimeout` is set. Each failure is a TimeoutError the SDK
    // retries (UPLOAD_REQUEST_ATTEMPTS) and then the run treats as transient.
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
      connectionTimeout: settings.connectTimeoutMs,
      socketTimeout: settings.socketTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
  // lib-storage sends its requests without an abortSignal (its abort() only stops waiting
  // for them): give every request the tracker's, so that a stalled one can be ended.
  type Send = (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;
  const send = client.send.bind(client) as Send;
  const cancellableSend: Send = (command, options) =>
    send(command, {
      ...options,
      abortSignal: options?.abortSignal
        ? AbortSignal.any([options.abortSignal, tracker.requestSignal])
        : tracker.requestSignal,
    });
  client.send = cancellableSend as S3Client["send"];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      tracker.started();
      try {
        if (
          context.commandName === "CompleteMultipartUploadCommand" ||
          context.commandName === "PutObjectCommand"
        )
          await tracker.beforeCommit?.();
        const result = await next(args);
        const output = result.output as { UploadId?: string };
        const input = args.input as { UploadId?: string; Body?: unknown };
        if (context.commandName === "UploadPartCommand") tracker.onPartUploaded?.(input.Body);
        if (context.commandName === "CreateMultipartUploadCommand" && output.UploadId)
          tracker.created.add(output.UploadId);
        if (
          (context.commandName === "CompleteMultipartUploadCommand" ||
            context.commandName === "AbortMultipartUploadCommand") &&
          input.UploadId
        ) {
          tracker.finished.add(input.UploadId);
        }
        return result;
      } finally {
        tracker.ended();
      }
    },
    { step: "initialize", name: "multipartTracker" },
  );
  return client;
}

export interface StoredObject {
  size: number;
  sha256?: string;
}

/** HeadObject: the stored object's size and SHA-256 metadata, or null if there is none. */
export async function headObject(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<StoredObject | null> {
  try {
    const head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key }),
      signal ? { abortSignal: signal } : {},
    );
    return { size: head.ContentLength ?? -1, sha256: head.Metadata?.sha256 };
  } catch (error) {
    if (
      error instanceof S3ServiceException &&
      (error.$metadata.httpStatusCode === 404 || error.name === "NotFound")
    )
      return null;
    throw error;
  }
}

/** A 403 (with HeadObject, whose answer has no body, the SDK names it only "Forbidden"). */
export function isForbidden(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403;
}

export interface UploadRequest {
  bucket: string;
  key: string;
  file: string;
  /** The file as the user named it, for messages (`file` may be a snapshot of it). */
  name: string;
  size: number;
  /** SHA-256 of the file computed before the upload: the bytes sent must have it. */
  sha256: string;
  partSize: number;
  concurrency: number;
  onProgress?: (loaded: number, total: number) => void;
}

/**
 * Uploads the file with lib-storage (multipart above the part size), reading each part
 * from disk when it is sent: at most `concurrency` parts of `partSize` bytes are in
 * memory. The bytes read for sending are hashed as they are read; before the upload is
 * completed (CompleteMultipartUpload, or the single PutObject of a small file) their
 * SHA-256 must be `request.sha256`, else nothing is completed and the run stops with exit 4
 * (the file changed while it was uploaded). `signal` aborts it.
 */
export async function uploadFile(
  client: S3Client,
  tracker: MultipartTracker,
  request: UploadRequest,
  signal: AbortSignal,
): Promise<void> {
  const body = new FileBody(request.file, request.size, request.concurrency);
  tracker.onPartUploaded = (part) => body.recycle(part);
  tracker.beforeCommit = () => {
    const sent = body.sha256OfBytesRead();
    if (sent === null) {
      throw new UploadError(
        EXIT.failed,
        "verify",
        `${request.name}: the bytes sent were not read once each, in order, so their SHA-256 is unknown; not completing the upload`,
      );
    }
    if (sent !== request.sha256) {
      throw new UploadError(
        EXIT.notFresh,
        "changing",
        `${request.name}: the file changed while it was being uploaded (the bytes sent do not have the SHA-256 computed before); the upload was not completed`,
      );
    }
  };
  const upload = new Upload({
    client,
    params: {
      Bucket: request.bucket,
      Key: request.key,
      Body: body,
      ContentLength: request.size,
      Metadata: { sha256: request.sha256 },
    },
    partSize: request.partSize,
    queueSize: request.concurrency,
    leavePartsOnError: false,
  });
  if (request.onProgress)
    upload.on("httpUploadProgress", (p) => request.onProgress?.(p.loaded ?? 0, request.size));
  const onAbort = () => void upload.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await upload.done();
  } finally {
    signal.removeEventListener("abort", onAbort);
    tracker.onPartUploaded = null;
    tracker.beforeCommit = null;
    body.close();
  }
}

/**
 * Aborts every multipart upload this run created and did not finish, once no request is
 * in flight (a part still arriving after the abort could otherwise be kept): requests still
 * in flight after `waitMs` are cancelled first (a stalled one would otherwise be waited for
 * forever). Each abort is tried a few times; returns the ids that could not be aborted.
 */
export async function abortOpenUploads(
  client: S3Client,
  tracker: MultipartTracker,
  bucket: string,
  key: string,
  waitMs: number,
): Promise<string[]> {
  if (!(await tracker.settled(waitMs))) {
    tracker.cancelInFlight(new Error(`still in flight ${waitMs} ms after the upload stopped`));
    await tracker.settled(1000); // cancelled requests end at once; bounded all the same
  }
  const failed: string[] = [];
  for (const uploadId of tracker.open()) {
    let done = false;
    for (let attempt = 0; attempt < 3 && !done; attempt++) {
      try {
        await client.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
        );
        done = true;
      } catch (error) {
        if ((error as { name?: string }).name === "NoSuchUpload") {
          tracker.finished.add(uploadId);
          done = true;
        }
      }
    }
    if (!done) failed.push(uploadId);
  }
  return failed;
}

const NOT_RETRYABLE = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "NoSuchBucket",
  "InvalidBucketName",
  "CredentialsProviderError",
  "AuthorizationHeaderMalformed",
  "PermanentRedirect",
]);

/** A failure worth retrying the whole run for: network trouble, 5xx, throttling. */
export function isTransient(error: unknown): boolean {
  const e = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (e.name && NOT_RETRYABLE.has(e.name)) return false;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429 || status === 408;
  return true; // no HTTP status: a network-level failure (reset, refused, timeout)
}

/** A failure caused by the configuration (exit 2) rather than by the upload itself. */
export function isConfigurationError(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? "";
  return (
    name === "CredentialsProviderError" || name === "NoSuchBucket" || name === "InvalidBucketName"
  );
}

/** A one-line description of an S3 or network failure ("HTTP 503 SlowDown: …"). */
export function describeS3Error(error: unknown): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const message = (e.message ?? String(error)).split("\n")[0];
  if (status === undefined) return message ?? String(error);
  const detail = message && message !== e.name && message !== "UnknownError" ? `: ${message}` : "";
  return `HTTP ${status} ${e.name ?? "error"}${detail}`;
}
