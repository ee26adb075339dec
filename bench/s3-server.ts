// A local S3-compatible server (fauxqs, in memory) with one bucket, for `bench:upload`.
// For each multipart upload it prints `transfer <key> <ms>`: from the arrival of
// CreateMultipartUpload to the end of the CompleteMultipartUpload response, measured here,
// at the server, the same way whichever client uploads.
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { buildApp } from "fauxqs";

const createdAt = new Map<string, number>();
subscribe("http.server.request.start", (message) => {
  const { request } = message as { request: IncomingMessage };
  const url = new URL(request.url ?? "/", "http://server");
  if (request.method === "POST" && url.searchParams.has("uploads"))
    createdAt.set(url.pathname, performance.now());
});
subscribe("http.server.response.finish", (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  const url = new URL(request.url ?? "/", "http://server");
  const started = createdAt.get(url.pathname);
  if (request.method === "POST" && url.searchParams.has("uploadId") && started !== undefined) {
    createdAt.delete(url.pathname);
    if (response.statusCode === 200)
      process.stderr.write(`transfer ${url.pathname} ${Math.round(performance.now() - started)}\n`);
  }
});

// On 127.0.0.1 only (`startFauxqs` listens on every interface, so the app is started here).
const app = buildApp({ logger: false });
const address = await app.listen({ port: 0, host: "127.0.0.1" });
const client = new S3Client({
  region: "us-east-1",
  endpoint: address,
  forcePathStyle: true,
  credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
});
await client.send(new CreateBucketCommand({ Bucket: "bench" }));
client.destroy();
process.stderr.write(`listening on ${address}\n`);
process.once("SIGTERM", async () => {
  await app.close();
  process.exit(0);
});
