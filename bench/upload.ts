/**
 * `npm run bench:upload [-- --mb 1024 --rounds 5 --concurrency N --part-mb N]`
 *
 * Uploads a 1 GB file to a local S3-compatible server (fauxqs) with `npm run upload` (a
 * real process, with its default part size and concurrency; peak RSS of the whole process),
 * and with `aws s3 cp` of the same file to the same server in the same run when the aws CLI
 * is installed. Prints, for each tool, the time from process start to exit and the transfer
 * time measured at the server (CreateMultipartUpload to CompleteMultipartUpload), the
 * throughputs, and peak RSS against the memory bound (concurrency × part size + a constant).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { UPLOAD_COMMAND } from "../src/upload/options.js";
import { flag, fmt, printTable, ROOT, timed, timedNode } from "./measure.js";

const defaults = UPLOAD_COMMAND.options;
const megabytes = Number(flag("mb", "1024"));
const partMb = Number(flag("part-mb", String(defaults.partSizeMb.default)));
const concurrency = Number(flag("concurrency", String(defaults.concurrency.default)));
const rounds = Number(flag("rounds", "3"));
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const work = mkdtempSync(join(tmpdir(), "bench-upload-"));
const file = join(work, "export.bin");

interface Server {
  child: ChildProcess;
  endpoint: string;
  /** Transfer time (ms) of the last multipart upload to `key`, as the server measured it. */
  transferMs(key: string): Promise<number>;
}

function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/s3-server.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const transferMs = async (key: string) => {
    for (let waited = 0; waited < 5000; waited += 10) {
      const all = [...stderr.matchAll(/^transfer \/bench\/(\S+) (\d+)$/gm)];
      const found = all.filter((m) => m[1] === key).pop();
      if (found) return Number(found[2]);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`the server reported no transfer for ${key}`);
  };
  return new Promise((resolve, reject) => {
    child.stderr?.on("data", (c) => {
      stderr += c;
      const endpoint = /listening on (\S+)/.exec(stderr)?.[1];
      if (endpoint) resolve({ child, endpoint, transferMs });
    });
    child.on("exit", (code) => reject(new Error(`s3 server exited ${code}: ${stderr}`)));
  });
}

// A 1 GB file of varied bytes, written in 8 MB blocks.
const block = Buffer.alloc(8 * 1024 * 1024);
for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
const fd = openSync(file, "w");
for (let written = 0; written < megabytes; written += 8) {
  block.writeUInt32LE(written, 0);
  writeSync(fd, block);
}
closeSync(fd);

const server = await startServer();
const env = {
  S3_BUCKET: "bench",
  AWS_REGION: "us-east-1",
  S3_ENDPOINT: server.endpoint,
  S3_FORCE_PATH_STYLE: "true",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  UPLOAD_PART_SIZE_MB: String(partMb),
  UPLOAD_CONCURRENCY: String(concurrency),
  UPLOAD_STABLE_MS: "0",
  LOCK_DIR: join(work, "locks"),
  LOG_DIR: join(work, "logs"),
};
const saved = { ...process.env };
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
Object.assign(process.env, env);
try {
  // Alternate the two tools, `rounds` times each, and compare medians (the server is shared).
  const ours: { seconds: number; transfer: number; peakRssMb: number }[] = [];
  const cli: { seconds: number; transfer: number }[] = [];
  const aws = spawnSync("aws", ["--version"], { encoding: "utf8" });
  // Each object is deleted after its run, so the in-memory server starts every run alike.
  const s3 = new S3Client({
    region: "us-east-1",
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  const drop = (key: string) => s3.send(new DeleteObjectCommand({ Bucket: "bench", Key: key }));
  for (let round = 0; round < rounds; round++) {
    const oursKey = `bench/ours-${round}.bin`;
    const run = timedNode("dist/upload/cli.js", [file, "--key", oursKey]);
    ours.push({
      seconds: run.seconds,
      transfer: (await server.transferMs(oursKey)) / 1000,
      peakRssMb: run.peakRssMb ?? 0,
    });
    await drop(oursKey);
    if (aws.status === 0) {
      const awsKey = `bench/aws-${round}.bin`;
      const { seconds } = timed("aws", [
        "s3",
        "cp",
        file,
        `s3://bench/${awsKey}`,
        "--endpoint-url",
        server.endpoint,
        "--only-show-errors",
      ]);
      cli.push({ seconds, transfer: (await server.transferMs(awsKey)) / 1000 });
      await drop(awsKey);
    }
  }
  s3.destroy();

  const seconds = median(ours.map((r) => r.seconds));
  const transfer = median(ours.map((r) => r.transfer));
  const peakRssMb = Math.max(...ours.map((r) => r.peakRssMb));
  const rate = (s: number) => `${fmt(megabytes / s, 0)} MB/s`;
  const all = (runs: { seconds: number; transfer: number }[], pick: "seconds" | "transfer") =>
    runs.map((r) => fmt(r[pick])).join(" / ");
  // Parts in flight, plus one being read and one being assembled, plus Node and the SDK.
  const bound = (concurrency + 2) * partMb + 150;
  console.error(
    `npm run upload: ${fmt(seconds)} s (transfer ${fmt(transfer)} s), peak RSS ${Math.round(peakRssMb)} MB`,
  );
  const table = [
    [
      `npm run upload (${partMb} MB parts, ${concurrency} at once)`,
      `${fmt(seconds)} s, ${rate(seconds)}`,
      `${fmt(transfer)} s, ${rate(transfer)}`,
      `${Math.round(peakRssMb)} MB (bound (${concurrency} + 2) × ${partMb} MB + 150 MB = ${bound} MB)`,
    ],
  ];
  const cliSeconds = median(cli.map((r) => r.seconds));
  const cliTransfer = median(cli.map((r) => r.transfer));
  if (aws.status === 0) {
    console.error(`aws s3 cp: ${fmt(cliSeconds)} s (transfer ${fmt(cliTransfer)} s)`);
    table.push([
      `aws s3 cp (${(aws.stdout || aws.stderr).split(" ")[0]})`,
      `${fmt(cliSeconds)} s, ${rate(cliSeconds)}`,
      `${fmt(cliTransfer)} s, ${rate(cliTransfer)}`,
      "—",
    ]);
  }
  printTable(
    [`${megabytes} MB file`, "process start to exit", "transfer (at the server)", "peak RSS"],
    table,
  );
  if (aws.status === 0) {
    console.log(
      `\nthroughput ratio (ours / aws CLI), medians of ${rounds} alternating runs (target ≥ 1):` +
        `\n- transfer: **${fmt(cliTransfer / transfer)}** (ours ${all(ours, "transfer")} s; aws ${all(cli, "transfer")} s)` +
        `\n- process start to exit, which for ours includes the whole-file SHA-256 made before the upload: **${fmt(cliSeconds / seconds)}** (ours ${all(ours, "seconds")} s; aws ${all(cli, "seconds")} s)`,
    );
  } else {
    console.log("\n(aws CLI not installed: apt-get install -y awscli to compare)");
  }
} finally {
  process.env = saved;
  server.child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
