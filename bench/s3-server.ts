// A local S3-compatible server (fauxqs, in memory) with one bucket, for `bench:upload`.
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { startFauxqs } from "fauxqs";

const server = await startFauxqs({ port: 0, logger: false });
const client = new S3Client({
  region: "us-east-1",
  endpoint: server.address,
  forcePathStyle: true,
  credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
});
await client.send(new CreateBucketCommand({ Bucket: "bench" }));
process.stderr.write(`listening on ${server.address}\n`);
process.once("SIGTERM", async () => {
  await server.stop();
  process.exit(0);
});
