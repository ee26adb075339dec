import { randomBytes } from "node:crypto";
import {
  existsSync,
  readFileSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { localDay } from "../src/time.js";
import { lockPathFor } from "../src/upload/lock.js";
import { type CliResult, ROOT, runCli, spawnCli } from "./helpers/cli.js";
import { FaultProxy, type S3Fixture, startS3 } from "./helpers/s3.js";
import { tempDir } from "./helpers/tmp.js";

const MB = 1024 * 1024;

let s3: S3Fixture;
let proxy: FaultProxy;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3.stop();
});
afterEach(async () => {
  await proxy?.stop();
});

async function setup(size = 17 * MB) {
  proxy = new FaultProxy(s3.endpoint);
  await proxy.start();
  const cwd = tempDir();
  const file = join(cwd, `export-${Math.random().toString(36).slice(2)}.bin`);
  const bytes = randomBytes(size);
  writeFileSync(file, bytes);
  const env = {
    ...s3.env,
    S3_ENDPOINT: proxy.url,
    S3_PREFIX: "exports",
    UPLOAD_PART_SIZE_MB: "5",
    UPLOAD_STABLE_MS: "50",
    UPLOAD_RETRY_BASE_MS: "20",
    TZ: "America/Bogota",
  };
  const key = `exports/${localDay(new Date(), "America/Bogota").replaceAll("-", "/")}/${file.split("/").pop()}`;
  return { cwd, file, bytes, env, key };
}

function upload(cwd: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return runCli("upload", args, { cwd, env });
}

/** Starts an upload without waiting for it (for races, holds and kills). */
function spawnUpload(cwd: string, args: string[], env: Record<string, string>) {
  const child = spawnCli("upload", args, { cwd, env });
  child.stdout?.resume();
  let stderr = "";
  child.stderr?.on("data", (c) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>(
    (done) => child.on("exit", (code, signal) => done({ code, signal, stderr })),
  );
  return { child, exited };
}

const everyCreatedUploadEnded = () =>
  [...proxy.created].every((id) => proxy.completed.has(id) || proxy.aborted.has(id));

describe("npm run upload against a real S3-compatible server", () => {
  it("uploads in parts, verifies, and skips the second run as already uploaded", async () => {
    const { cwd, file, bytes, env, key } = await setup(17 * MB);
    const first = await upload(cwd, [file], env);
    expect(first.code).toBe(0);
    expect(proxy.count("UploadPart")).toBe(4);
    expect(proxy.created.size).toBe(1);
    expect(proxy.completed.size).toBe(1);
    expect((await s3.get(key)).equals(bytes)).toBe(true);
    expect(first.stderr).toContain(
      `uploaded ${file} to s3://${s3.bucket}/${key} (${17 * MB} bytes, 4 parts, verified)`,
    );

    const second = await upload(cwd, [file], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain("already uploaded");
    expect(proxy.created.size).toBe(1);

    const summaries = readFileSync(join(cwd, "logs", "upload.log"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.message.startsWith("summary:"));
    expect(summaries.map((s) => [s.outcome, s.exit_code, s.key, s.bytes])).toEqual([
      ["uploaded", 0, key, 17 * MB],
      ["already_uploaded", 0, key, 17 * MB],
    ]);
    expect(summaries[0]).toMatchObject({
      parts: 4,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      duration_ms: expect.any(Number),
    });
  });

  it("uses --key exactly as given; --dry-run uploads nothing", async () => {
    const { cwd, file, bytes, env } = await setup(1 * MB);
    const dry = await upload(cwd, [file, "--key", "manual/x.bin", "--dry-run"], env);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`dry run: would upload ${file} (${MB} bytes`);
    expect(proxy.count("PutObject") + proxy.count("CreateMultipartUpload")).toBe(0);
    const real = await upload(cwd, [file, "--key", "manual/x.bin"], env);
    expect(real.code).toBe(0);
    expect(proxy.count("PutObject")).toBe(1); // below the part size: one PUT
    expect((await s3.get("manual/x.bin")).equals(bytes)).toBe(true);
  });

  it("exit 2: a missing setting, a bad part size, no FILE — the message names it", async () => {
    const { cwd, file, env } = await setup(1024);
    const noBucket = await upload(cwd, [file], { ...env, S3_BUCKET: "" });
    expect(noBucket.code).toBe(2);
    expect(noBucket.stderr).toContain("S3_BUCKET is not set");
    const noRegion = await upload(cwd, [file], { ...env, AWS_REGION: "" });
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain("AWS_REGION is not set");
    const tiny = await upload(cwd, [file], { ...env, UPLOAD_PART_SIZE_MB: "1" });
    expect(tiny.code).toBe(2);
    expect(tiny.stderr).toContain("UPLOAD_PART_SIZE_MB must be at least 5");
    expect((await upload(cwd, [], env)).code).toBe(2);
  });

  it("exit 3: no such file; exit 4: modified yesterday, or empty", async () => {
    const { cwd, file, env } = await setup(1024);
    const missing = await upload(cwd, [join(cwd, "nope.csv")], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("nope.csv: no such file");
    const yesterday = new Date(Date.now() - 36 * 3600 * 1000);
    utimesSync(file, yesterday, yesterday);
    const stale = await upload(cwd, [file], env);
    expect(stale.code).toBe(4);
    expect(stale.stderr).toContain("not today");
    const empty = join(cwd, "empty.csv");
    writeFileSync(empty, "");
    expect((await upload(cwd, [empty], env)).code).toBe(4);
    expect(proxy.seen.filter((s) => s.op !== "HeadObject")).toEqual([]);
  });

  it("four runs started together on one file: exactly one uploads, three exit 5", async () => {
    const { cwd, file, env } = await setup(6 * MB);
    const gate = proxy.hold("CreateMultipartUpload"); // the winner waits here, holding the lock
    const runs = Array.from({ length: 4 }, () => spawnUpload(cwd, [file], env));
    await gate.held;
    const outcomes: number[] = [];
    const losers = runs.map((run) =>
      run.exited.then((r) => {
        outcomes.push(r.code ?? -1);
        if (outcomes.filter((c) => c === 5).length === 3) gate.release();
      }),
    );
    await Promise.all(losers);
    expect(outcomes.sort()).toEqual([0, 5, 5, 5]);
    expect(proxy.created.size).toBe(1);
    expect(proxy.completed.size).toBe(1);
  });

  it("a holder killed with SIGKILL: the next run exits 5, a run after the stale time takes over and uploads", async () => {
    const { cwd, file, bytes, env, key } = await setup(6 * MB);
    const staleEnv = { ...env, LOCK_STALE_MS: "2000" };
    const gate = proxy.hold("CreateMultipartUpload");
    const holder = spawnUpload(cwd, [file], staleEnv);
    await gate.held;
    holder.child.kill("SIGKILL");
    expect((await holder.exited).signal).toBe("SIGKILL");
    gate.release();

    const right = await upload(cwd, [file], staleEnv);
    expect(right.code).toBe(5);
    expect(right.stderr).toContain("another run is uploading");

    // Wait until the dead holder's lock has not been refreshed for the stale time.
    const lock = lockPathFor(file, join(cwd, "locks"));
    while (existsSync(lock) && Date.now() - statSync(lock).mtimeMs <= 2000)
      await new Promise((r) => setTimeout(r, 100));
    const after = await upload(cwd, [file], staleEnv);
    expect(after.code).toBe(0);
    expect((await s3.get(key)).equals(bytes)).toBe(true);
  });

  it("one failed UploadPart (a 500) is retried and the run succeeds", async () => {
    const { cwd, file, bytes, env, key } = await setup(12 * MB);
    proxy.fail({ op: "UploadPart", fault: "500", times: 1, after: 1 });
    const run = await upload(cwd, [file], env);
    expect(run.code).toBe(0);
    expect(proxy.seen.filter((s) => s.op === "UploadPart" && s.status === 500)).toHaveLength(1);
    expect((await s3.get(key)).equals(bytes)).toBe(true);
    expect(everyCreatedUploadEnded()).toBe(true);
  });

  it("a dropped connection during a part is retried", async () => {
    const { cwd, file, bytes, env, key } = await setup(12 * MB);
    proxy.fail({ op: "UploadPart", fault: "drop", times: 1 });
    const run = await upload(cwd, [file], env);
    expect(run.code).toBe(0);
    expect(proxy.seen.some((s) => s.status === "dropped")).toBe(true);
    expect((await s3.get(key)).equals(bytes)).toBe(true);
  });

  it("a server that keeps failing: exit 6, and every multipart upload created was aborted", async () => {
    const { cwd, file, env } = await setup(12 * MB);
    proxy.fail({ op: "UploadPart", fault: "500", times: Number.POSITIVE_INFINITY });
    const run = await upload(cwd, [file], {
      ...env,
      UPLOAD_RETRIES: "2",
      UPLOAD_REQUEST_ATTEMPTS: "2",
    });
    expect(run.code).toBe(6);
    expect(run.stderr).toContain("failed after 3 attempts");
    expect(proxy.created.size).toBe(3); // the first attempt and two whole-run retries
    expect([...proxy.created].every((id) => proxy.aborted.has(id))).toBe(true);
    expect(proxy.completed.size).toBe(0);
  });

  it("sends its parts over kept-alive connections, at most UPLOAD_CONCURRENCY of them", async () => {
    // With the SDK's own agents each part (sent with `Expect: 100-continue`) opened a new
    // connection: 6 here. The one extra allowed is the first HeadObject's: the SDK closes
    // the connection of a 404.
    const { cwd, file, bytes, env, key } = await setup(17 * MB);
    const run = await upload(cwd, [file], { ...env, UPLOAD_CONCURRENCY: "2" });
    expect(run.code).toBe(0);
    expect(proxy.count("UploadPart")).toBe(4);
    expect(proxy.connections).toBeGreaterThanOrEqual(2);
    expect(proxy.connections).toBeLessThanOrEqual(3);
    expect((await s3.get(key)).equals(bytes)).toBe(true);
  });

  it("a file that shrinks during the upload: exit 4, the multipart upload aborted", async () => {
    const { cwd, file, env } = await setup(17 * MB);
    const gate = proxy.hold("UploadPart");
    const run = spawnUpload(cwd, [file], { ...env, UPLOAD_CONCURRENCY: "1" });
    await gate.held; // part 1 was read and is on its way; part 2 is read after it
    truncateSync(file, 6 * MB);
    gate.release();
    const outcome = await run.exited;
    expect(outcome.code).toBe(4);
    expect(outcome.stderr).toContain(
      `${file}: the file shrank while it was being uploaded (only ${6 * MB} of ${17 * MB} bytes are left)`,
    );
    expect(proxy.created.size).toBe(1);
    expect(proxy.aborted.size).toBe(1);
    expect(proxy.completed.size).toBe(0);
  });

  it("SIGTERM mid-upload aborts the multipart upload and exits 6", async () => {
    const { cwd, file, env } = await setup(12 * MB);
    const gate = proxy.hold("UploadPart");
    const run = spawnUpload(cwd, [file], env);
    await gate.held;
    run.child.kill("SIGTERM");
    gate.release();
    const outcome = await run.exited;
    expect(outcome.code).toBe(6);
    expect(outcome.stderr).toContain("SIGTERM: aborting the upload");
    expect(proxy.created.size).toBe(1);
    expect(everyCreatedUploadEnded()).toBe(true);
    expect(proxy.aborted.size).toBe(1);
  });

  it("--snapshot-db uploads a consistent copy of the database", async () => {
    const { cwd, env } = await setup(1024);
    const dbPath = join(cwd, "empresa.db");
    await runEtl({ dataDir: join(ROOT, "data"), dbPath });
    const run = await upload(cwd, [dbPath, "--snapshot-db", "--key", "snap/empresa.db"], env);
    expect(run.code).toBe(0);
    const copy = join(cwd, "copy.db");
    writeFileSync(copy, await s3.get("snap/empresa.db"));
    const db = new Sqlite(copy, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM ventas").pluck().get()).toBe(5407);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
  });

  it("does not retry an authentication failure (403): exit 6 at once", async () => {
    const { cwd, file, env } = await setup(1024);
    proxy.fail({ op: "HeadObject", fault: "403", times: Number.POSITIVE_INFINITY });
    const run = await upload(cwd, [file], env);
    expect(run.code).toBe(6);
    expect(proxy.count("HeadObject")).toBe(1);
    expect(proxy.count("PutObject")).toBe(0);
  });

  it("never writes credentials to its logs or output", async () => {
    const { cwd, file, env } = await setup(1024);
    const secret = "sEcReT-value-that-must-not-leak";
    const keyId = "AKIATESTKEYIDNOTLOGGED";
    const ok = await upload(cwd, [file], {
      ...env,
      AWS_ACCESS_KEY_ID: keyId,
      AWS_SECRET_ACCESS_KEY: secret,
    });
    expect(ok.code).toBe(0);
    proxy.fail({ op: "HeadObject", fault: "500", times: Number.POSITIVE_INFINITY });
    writeFileSync(file, "changed today\n");
    const failed = await upload(cwd, [file], {
      ...env,
      AWS_ACCESS_KEY_ID: keyId,
      AWS_SECRET_ACCESS_KEY: secret,
      UPLOAD_RETRIES: "0",
      UPLOAD_REQUEST_ATTEMPTS: "1",
    });
    expect(failed.code).toBe(6);
    const logs = readFileSync(join(cwd, "logs", "upload.log"), "utf8");
    for (const text of [logs, ok.stderr, failed.stderr]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(keyId);
    }
  });
});
