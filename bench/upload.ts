/**
 * `npm run bench:upload [-- --mb 1024]`
 *
 * Uploads a 1 GB file to a local S3-compatible server (fauxqs) with `npm run upload` (a
 * real process, peak RSS of the whole process), and with `aws s3 cp` of the same file to
 * the same server in the same run when the aws CLI is installed. Prints time, throughput,
 * peak RSS and the memory bound (concurrency × part size + a constant).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { flag, fmt, ROOT, timed, timedNode } from "./measure.js";

const megabytes = Number(flag("mb", "1024"));
const partMb = Number(flag("part-mb", "8"));
const concurrency = Number(flag("concurrency", "6"));
const rounds = Number(flag("rounds", "3"));
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const work = mkdtempSync(join(tmpdir(), "bench-upload-"));
const file = join(work, "export.bin");

function startServer(): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/s3-server.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (c) => {
      stderr += c;
      const endpoint = /listening on (\S+)/.exec(stderr)?.[1];
      if (endpoint) resolve({ child, endpoint });
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
  const oursRuns: { seconds: number; peakRssMb?: number }[] = [];
  const awsRuns: number[] = [];
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
    oursRuns.push(timedNode("dist/upload/cli.js", [file, "--key", `bench/ours-${round}.bin`]));
    await drop(`bench/ours-${round}.bin`);
    if (aws.status === 0) {
      const target = `s3://bench/bench/aws-${round}.bin`;
      awsRuns.push(
        timed("aws", [
          "s3",
          "cp",
          file,
          target,
          "--endpoint-url",
          server.endpoint,
          "--only-show-errors",
        ]).seconds,
      );
      await drop(`bench/aws-${round}.bin`);
    }
  }
  s3.destroy();

  const ours = {
    seconds: median(oursRuns.map((r) => r.seconds)),
    peakRssMb: Math.max(...oursRuns.map((r) => r.peakRssMb ?? 0)),
  };
  // Parts in flight, plus one being read and one being assembled, plus Node and the SDK.
  const bound = (concurrency + 2) * partMb + 150;
  const lines = [
    `| npm run upload | ${fmt(ours.seconds)} s | ${fmt(megabytes / ours.seconds, 0)} MB/s | ${Math.round(ours.peakRssMb ?? 0)} MB (bound (${concurrency} + 2) × ${partMb} MB + 150 MB = ${bound} MB) |`,
  ];
  console.error(
    `npm run upload: ${fmt(ours.seconds)} s, ${fmt(megabytes / ours.seconds, 0)} MB/s, peak RSS ${Math.round(ours.peakRssMb ?? 0)} MB`,
  );
  if (aws.status === 0) {
    const cli = { seconds: median(awsRuns) };
    lines.push(
      `| aws s3 cp (${(aws.stdout || aws.stderr).split(" ")[0]}) | ${fmt(cli.seconds)} s | ${fmt(megabytes / cli.seconds, 0)} MB/s | — |`,
    );
    lines.push(
      `\nthroughput ratio (ours / aws CLI): **${fmt(cli.seconds / ours.seconds)}** (target ≥ 1); medians of ${rounds} alternating runs, ours ${oursRuns.map((r) => fmt(r.seconds)).join(" / ")} s, aws ${awsRuns.map((s) => fmt(s)).join(" / ")} s`,
    );
    console.error(`aws s3 cp: ${fmt(cli.seconds)} s`);
  } else {
    lines.push("\n(aws CLI not installed: apt-get install -y awscli to compare)");
  }
  console.log(`| ${megabytes} MB file | time | throughput | peak RSS |`);
  console.log("|---|---|---|---|");
  for (const line of lines) console.log(line);
} finally {
  process.env = saved;
  server.child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
