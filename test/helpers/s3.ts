import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { buildApp } from "fauxqs";

/** The S3 operation of a request, from its method and query string. */
export type S3Op =
  | "CreateMultipartUpload"
  | "UploadPart"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "PutObject"
  | "HeadObject"
  | "GetObject"
  | "Other";

function classify(method: string, url: URL): S3Op {
  const q = url.searchParams;
  if (method === "POST" && q.has("uploads")) return "CreateMultipartUpload";
  if (method === "PUT" && q.has("partNumber") && q.has("uploadId")) return "UploadPart";
  if (method === "POST" && q.has("uploadId")) return "CompleteMultipartUpload";
  if (method === "DELETE" && q.has("uploadId")) return "AbortMultipartUpload";
  if (method === "PUT" && url.pathname.split("/").filter(Boolean).length > 1) return "PutObject";
  if (method === "HEAD") return "HeadObject";
  if (method === "GET" && url.pathname.split("/").filter(Boolean).length > 1) return "GetObject";
  return "Other";
}

/**
 * `500`/`403`: answer with that status. `drop`: close the connection. `stall`: read the
 * request and never answer, keeping the connection open (a stalled server or network).
 * `drip`: read the request, then send a response head one byte every 100 ms, never
 * finishing it (the connection is never idle, the response never arrives).
 */
export type Fault = "500" | "403" | "drop" | "stall" | "drip";

export interface Rule {
  op: S3Op;
  fault: Fault;
  /** How many matching requests to fail (Infinity: all); skip the first `after`. */
  times: number;
  after?: number;
}

export interface Seen {
  op: S3Op;
  status: number | "dropped" | "stalled" | "dripping";
  uploadId?: string;
}

/**
 * A proxy of the tests' own between the client and the S3 server: it can fail chosen
 * requests (a 500, a dropped connection), hold requests until released, and records
 * every request and which multipart uploads were created, completed and aborted.
 */
export class FaultProxy {
  readonly seen: Seen[] = [];
  readonly created = new Set<string>();
  readonly completed = new Set<string>();
  readonly aborted = new Set<string>();
  private rules: (Rule & { matched: number })[] = [];
  private holds: { op: S3Op; release: Promise<void>; onHeld: () => void }[] = [];
  private waiters: { op: S3Op; arrived: () => void }[] = [];
  private drips = new Set<NodeJS.Timeout>();
  private server: Server | null = null;
  url = "";
  /** TCP connections the client opened to the proxy. */
  connections = 0;

  constructor(private readonly target: string) {}

  fail(rule: Rule): void {
    this.rules.push({ ...rule, matched: 0 });
  }

  /** Forgets every fault rule: requests go through again. */
  clearFaults(): void {
    this.rules = [];
  }

  /** Holds every request of `op` until the returned function is called; `held` resolves when one is held. */
  hold(op: S3Op): { held: Promise<void>; release: () => void } {
    let release = () => {};
    let onHeld = () => {};
    const released = new Promise<void>((r) => (release = r));
    const held = new Promise<void>((r) => (onHeld = r));
    this.holds.push({ op, release: released, onHeld });
    return { held, release };
  }

  /** Resolves when a request of `op` arrives at the proxy (before any hold or fault). */
  arrived(op: S3Op): Promise<void> {
    return new Promise((arrived) => this.waiters.push({ op, arrived }));
  }

  count(op: S3Op): number {
    return this.seen.filter((s) => s.op === op).length;
  }

  async start(): Promise<void> {
    const server = createServer(async (req, res) => {
      const url = new URL(req.url ?? "/", "http://proxy");
      const op = classify(req.method ?? "GET", url);
      const uploadId = url.searchParams.get("uploadId") ?? undefined;
      for (const waiter of this.waiters.filter((w) => w.op === op)) waiter.arrived();
      this.waiters = this.waiters.filter((w) => w.op !== op);
      for (const hold of this.holds.filter((h) => h.op === op)) {
        hold.onHeld();
        await hold.release;
      }
      const rule = this.rules.find(
        (r) => r.op === op && r.matched - (r.after ?? 0) < r.times && r.matched++ >= (r.after ?? 0),
      );
      if (rule) {
        req.resume();
        if (rule.fault === "drop") {
          this.seen.push({ op, status: "dropped", uploadId });
          req.socket.destroy();
          return;
        }
        if (rule.fault === "stall") {
          this.seen.push({ op, status: "stalled", uploadId });
          return; // the connection stays open until the client gives up or the proxy stops
        }
        if (rule.fault === "drip") {
          this.seen.push({ op, status: "dripping", uploadId });
          const socket = req.socket;
          req.on("end", () => {
            socket.write("HTTP/1.1 200 OK\r\nx-drip: ");
            const drip = setInterval(() => socket.write("a"), 100);
            this.drips.add(drip);
            socket.once("close", () => {
              clearInterval(drip);
              this.drips.delete(drip);
            });
          });
          return;
        }
        const status = Number(rule.fault);
        this.seen.push({ op, status, uploadId });
        res.writeHead(status, { "content-type": "application/xml" });
        const code = status === 403 ? "AccessDenied" : "InternalError";
        res.end(
          req.method === "HEAD"
            ? undefined
            : `<Error><Code>${code}</Code><Message>injected by the test proxy</Message></Error>`,
        );
        return;
      }
      const upstream = request(
        `${this.target}${req.url}`,
        { method: req.method, headers: req.headers },
        (up) => {
          const chunks: Buffer[] = [];
          up.on("data", (c: Buffer) => chunks.push(c));
          up.on("end", () => {
            const body = Buffer.concat(chunks);
            const status = up.statusCode ?? 0;
            let id = uploadId;
            if (op === "CreateMultipartUpload" && status === 200) {
              id = /<UploadId>([^<]+)<\/UploadId>/.exec(body.toString())?.[1];
              if (id) this.created.add(id);
            }
            if (op === "CompleteMultipartUpload" && status === 200 && id) this.completed.add(id);
            if (op === "AbortMultipartUpload" && status < 300 && id) this.aborted.add(id);
            this.seen.push({ op, status, uploadId: id });
            res.writeHead(status, up.headers);
            res.end(body);
          });
        },
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    });
    server.on("connection", () => this.connections++);
    this.server = server;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const drip of this.drips) clearInterval(drip);
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

export interface S3Fixture {
  endpoint: string;
  bucket: string;
  client: S3Client;
  env: Record<string, string>;
  stop(): Promise<void>;
  /** The stored object's bytes. */
  get(key: string): Promise<Buffer>;
}

/**
 * A real S3-compatible server (fauxqs) with one bucket, listening on 127.0.0.1 only
 * (`startFauxqs` always listens on every interface, so the app is started here).
 */
export async function startS3(bucket = "empresa-test"): Promise<S3Fixture> {
  const app = buildApp({ logger: false });
  const endpoint = await app.listen({ port: 0, host: "127.0.0.1" });
  const client = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    client,
    env: {
      S3_BUCKET: bucket,
      AWS_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_EC2_METADATA_DISABLED: "true",
    },
    async get(key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(
        await (
          object.Body as { transformToByteArray(): Promise<Uint8Array> }
        ).transformToByteArray(),
      );
    },
    async stop() {
      client.destroy();
      await app.close();
    },
  };
}
