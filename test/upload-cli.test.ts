import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { connect, type Socket } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { localDay } from "../src/time.js";
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

/** The run's exit, or `timedOut` if it had not ended after `capMs` (it is then killed). */
async function finishes(
  run: ReturnType<typeof spawnUpload>,
  capMs = 30_000,
): Promise<{ code: number | null; signal: string | null; stderr: string; timedOut: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<null>((r) => (timer = setTimeout(() => r(null), capMs)));
  const outcome = await Promise.race([run.exited, cap]);
  clearTimeout(timer);
  if (outcome) return { ...outcome, timedOut: false };
  run.child.kill("SIGKILL");
  return { ...(await run.exited), timedOut: true };
}

/** Waits until every lock in `lockDir` has not been refreshed for `staleMs` (its holder died). */
async function locksGoStale(lockDir: string, staleMs: number): Promise<void> {
  const fresh = () =>
    readdirSync(lockDir).some((name) => {
      try {
        return Date.now() - statSync(join(lockDir, name)).mtimeMs <= staleMs;
      } catch {
        return false; // removed meanwhile
      }
    });
  while (fresh()) await new Promise((r) => setTimeout(r, 100));
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
    expect(tiny.stderr).toContain("UPLOAD_PART_SIZE_MB: must be at least 5, got 1");
    const fractional = await upload(cwd, [file], { ...env, UPLOAD_CONCURRENCY: "1.5" });
    expect(fractional.code).toBe(2);
    expect(fractional.stderr).toContain("UPLOAD_CONCURRENCY: expected a whole number, got 1.5");
    const noTimeout = await upload(cwd, [file], { ...env, UPLOAD_SOCKET_TIMEOUT_MS: "0" });
    expect(noTimeout.code).toBe(2);
    expect(noTimeout.stderr).toContain("UPLOAD_SOCKET_TIMEOUT_MS: must be at least 100, got 0");
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

    // Wait until the dead holder's locks have not been refreshed for the stale time.
    await locksGoStale(join(cwd, "locks"), 2000);
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
    expect(outcome.stderr).toContain(
      "upload aborted (interrupted by SIGTERM); no incomplete multipart upload left",
    );
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

  it("a 403 on the pre-check HeadObject (no s3:ListBucket: a missing key is 403 on real S3) is 'unknown': the upload proceeds", async () => {
    const { cwd, file, bytes, env, key } = await setup(1024);
    proxy.fail({ op: "HeadObject", fault: "403", times: 1 }); // the pre-check only
    const run = await upload(cwd, [file], env);
    expect(run.code).toBe(0);
    expect(proxy.seen.filter((s) => s.op === "HeadObject").map((s) => s.status)).toEqual([
      403,
      200, // the pre-check, then the verification
    ]);
    expect(proxy.count("PutObject")).toBe(1);
    expect((await s3.get(key)).equals(bytes)).toBe(true);
  });

  it("does not retry an authentication failure (403) of the upload itself: exit 6 at once", async () => {
    const { cwd, file, env } = await setup(1024);
    proxy.fail({ op: "PutObject", fault: "403", times: Number.POSITIVE_INFINITY });
    const run = await upload(cwd, [file], env);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain("not retried");
    expect(proxy.count("PutObject")).toBe(1);
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

  it("a file rewritten with the same size during a multipart upload: the upload is not completed (exit 4)", async () => {
    const { cwd, file, env, key } = await setup(17 * MB);
    const gate = proxy.hold("UploadPart");
    const run = spawnUpload(cwd, [file], { ...env, UPLOAD_CONCURRENCY: "1" });
    await gate.held; // hashed before; part 1 read and on its way; parts 2–4 are read after it
    writeFileSync(file, randomBytes(17 * MB)); // same size, other bytes
    gate.release();
    const outcome = await finishes(run);
    expect(outcome.code).toBe(4);
    expect(outcome.stderr).toContain(
      `${file}: the file changed while it was being uploaded (the bytes sent do not have the SHA-256 computed before)`,
    );
    expect(proxy.count("CompleteMultipartUpload")).toBe(0);
    expect(proxy.created.size).toBe(1);
    expect(everyCreatedUploadEnded()).toBe(true);
    await expect(s3.get(key)).rejects.toMatchObject({ name: "NoSuchKey" });
  });

  it("a small file rewritten with the same size before its single PUT: nothing is stored (exit 4)", async () => {
    const { cwd, file, env, key } = await setup(1024);
    const gate = proxy.hold("HeadObject"); // the pre-check, answered after the hash
    const run = spawnUpload(cwd, [file], env);
    await gate.held;
    await new Promise((r) => setTimeout(r, 500)); // let the hash finish (the run waits for the answer anyway)
    writeFileSync(file, randomBytes(1024));
    gate.release();
    const outcome = await finishes(run);
    // Either the rewrite landed before the stability check ended (exit 4, "still being
    // written") or after the hash (exit 4, the bytes read do not match): never stored.
    expect(outcome.code).toBe(4);
    expect(proxy.count("PutObject")).toBe(0);
    await expect(s3.get(key)).rejects.toMatchObject({ name: "NoSuchKey" });
  });
});

describe("upload locks: one run per bucket and key, and per real file", () => {
  it("two ventas.csv from different folders, to the same key: the second run exits 5", async () => {
    const { cwd, env, key } = await setup(1024);
    const name = key.split("/").pop() as string;
    const [a, b] = ["a", "b"].map((folder) => {
      mkdirSync(join(cwd, folder));
      const path = join(cwd, folder, name);
      writeFileSync(path, randomBytes(6 * MB));
      return path;
    }) as [string, string];
    const gate = proxy.hold("CreateMultipartUpload"); // the first run waits here, holding its locks
    const first = spawnUpload(cwd, [a], env);
    await gate.held;
    const second = spawnUpload(cwd, [b], env);
    // Today's failure mode: the second run reaches S3 too. Wait for whichever comes first.
    const reachedS3 = proxy.arrived("CreateMultipartUpload").then(() => "reached S3");
    const outcome = await Promise.race([second.exited, reachedS3]);
    gate.release();
    expect(outcome).toMatchObject({ code: 5 });
    expect((outcome as { stderr: string }).stderr).toContain(
      `another run is uploading to s3://${s3.bucket}/${key}`,
    );
    expect((await first.exited).code).toBe(0);
    if (outcome === "reached S3") await second.exited;
  });

  it("the same file through a symlink, to another key: the second run exits 5", async () => {
    const { cwd, file, env } = await setup(6 * MB);
    const link = join(cwd, "link.bin");
    symlinkSync(file, link);
    const gate = proxy.hold("CreateMultipartUpload");
    const first = spawnUpload(cwd, [file, "--key", "one/x.bin"], env);
    await gate.held;
    const second = spawnUpload(cwd, [link, "--key", "two/x.bin"], env);
    const reachedS3 = proxy.arrived("CreateMultipartUpload").then(() => "reached S3");
    const outcome = await Promise.race([second.exited, reachedS3]);
    gate.release();
    expect(outcome).toMatchObject({ code: 5 });
    expect((outcome as { stderr: string }).stderr).toContain(`another run is uploading ${link}`);
    expect((await first.exited).code).toBe(0);
    if (outcome === "reached S3") await second.exited;
  });

  it("another file to another key proceeds while a run holds its locks", async () => {
    const { cwd, file, env } = await setup(6 * MB);
    const other = join(cwd, "other.bin");
    writeFileSync(other, randomBytes(1024)); // below the part size: a PUT, not held
    const gate = proxy.hold("CreateMultipartUpload");
    const first = spawnUpload(cwd, [file], env);
    await gate.held;
    const second = await upload(cwd, [other], env);
    gate.release();
    expect(second.code).toBe(0);
    expect((await first.exited).code).toBe(0);
  });
});

describe("a stalled S3: timeouts, the run's deadline, a bounded wait on abort", () => {
  const failFast = { UPLOAD_REQUEST_ATTEMPTS: "1", UPLOAD_RETRIES: "1" };

  it("a server that never answers a part: socket timeout, exit 6, nothing left behind, lock released", async () => {
    const { cwd, file, bytes, env, key } = await setup(12 * MB);
    proxy.fail({ op: "UploadPart", fault: "stall", times: Number.POSITIVE_INFINITY });
    const run = spawnUpload(cwd, [file], {
      ...env,
      ...failFast,
      UPLOAD_SOCKET_TIMEOUT_MS: "500",
    });
    const outcome = await finishes(run);
    expect(outcome.timedOut).toBe(false);
    expect(outcome.code).toBe(6);
    expect(outcome.stderr).toMatch(/timed out after 500 ms of inactivity/);
    expect(proxy.created.size).toBe(2); // the first attempt and one whole-run retry
    expect([...proxy.created].every((id) => proxy.aborted.has(id))).toBe(true);
    expect(proxy.completed.size).toBe(0);

    proxy.clearFaults();
    const next = await upload(cwd, [file], env); // the lock was released
    expect(next.code).toBe(0);
    expect((await s3.get(key)).equals(bytes)).toBe(true);
  });

  it("a server that sends its answer a byte at a time: request timeout, exit 6", async () => {
    const { cwd, file, env } = await setup(12 * MB);
    proxy.fail({ op: "UploadPart", fault: "drip", times: Number.POSITIVE_INFINITY });
    const run = spawnUpload(cwd, [file], {
      ...env,
      ...failFast,
      UPLOAD_SOCKET_TIMEOUT_MS: "5000", // never idle: the drip keeps the socket busy
      UPLOAD_REQUEST_TIMEOUT_MS: "1000",
    });
    const outcome = await finishes(run);
    expect(outcome.timedOut).toBe(false);
    expect(outcome.code).toBe(6);
    expect(outcome.stderr).toMatch(/exceeded the configured 1000 ms requestTimeout/);
    expect([...proxy.created].every((id) => proxy.aborted.has(id))).toBe(true);
    expect(proxy.completed.size).toBe(0);
  });

  it("the run's deadline: a stall under generous request timeouts ends at UPLOAD_DEADLINE_MS, exit 6, nothing left behind", async () => {
    const { cwd, file, env } = await setup(12 * MB);
    proxy.fail({ op: "UploadPart", fault: "stall", times: Number.POSITIVE_INFINITY });
    const run = spawnUpload(cwd, [file], {
      ...env,
      UPLOAD_DEADLINE_MS: "3000",
      UPLOAD_ABORT_WAIT_MS: "200",
    });
    const outcome = await finishes(run);
    expect(outcome.timedOut).toBe(false);
    expect(outcome.code).toBe(6);
    expect(outcome.stderr).toContain("the run's deadline (UPLOAD_DEADLINE_MS = 3000 ms) passed");
    expect(proxy.created.size).toBe(1);
    expect(everyCreatedUploadEnded()).toBe(true);
    expect(proxy.aborted.size).toBe(1);
    expect(readdirSync(join(cwd, "locks"))).toEqual([]); // released
  });

  it("SIGTERM while a part is stalled: the run waits UPLOAD_ABORT_WAIT_MS at most, aborts the upload, exits 6", async () => {
    const { cwd, file, env } = await setup(12 * MB);
    proxy.fail({ op: "UploadPart", fault: "stall", times: Number.POSITIVE_INFINITY });
    const stalled = proxy.arrived("UploadPart");
    const run = spawnUpload(cwd, [file], { ...env, UPLOAD_ABORT_WAIT_MS: "300" });
    await stalled;
    run.child.kill("SIGTERM");
    const outcome = await finishes(run);
    expect(outcome.timedOut).toBe(false);
    expect(outcome.code).toBe(6);
    expect(proxy.created.size).toBe(1);
    expect(proxy.aborted.size).toBe(1);
    expect(readdirSync(join(cwd, "locks"))).toEqual([]);
  });

  it("a server that accepts no connection: connection timeout, exit 6", async () => {
    const { cwd, file, env } = await setup(1024);
    const blackhole = await startBlackhole();
    try {
      const run = spawnUpload(cwd, [file], {
        ...env,
        ...failFast,
        S3_ENDPOINT: blackhole.url,
        UPLOAD_CONNECT_TIMEOUT_MS: "500",
      });
      const outcome = await finishes(run);
      expect(outcome.timedOut).toBe(false);
      expect(outcome.code).toBe(6);
      expect(outcome.stderr).toMatch(
        /did not establish a connection .* within the configured timeout of 500 ms/,
      );
    } finally {
      blackhole.stop();
    }
  });
});

/**
 * A TCP port on 127.0.0.1 where connections hang in SYN_SENT: a listening process with a
 * backlog of 1, stopped (SIGSTOP) so it accepts nothing, its queue filled by connections of
 * ours until one does not connect (the kernel then drops further SYNs).
 */
async function startBlackhole(): Promise<{ url: string; stop(): void }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "-e",
      "require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function () { console.log(this.address().port) })",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolve) =>
    child.stdout?.once("data", (chunk) => resolve(Number(String(chunk).trim()))),
  );
  child.kill("SIGSTOP");
  const fillers: Socket[] = [];
  const stop = () => {
    for (const socket of fillers) socket.destroy();
    child.kill("SIGKILL");
  };
  for (;;) {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 1000);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break; // this one hangs: so will the upload's
    if (fillers.length > 50) {
      stop();
      throw new Error("the stopped listener's queue never filled");
    }
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Local addresses other than 127.0.0.1 that reach this machine: another loopback one, the interfaces'. */
const otherAddresses = () => [
  "127.0.0.2",
  ...Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && i.family === "IPv4" && !i.internal)
    .map((i) => (i as { address: string }).address),
];

describe("test servers listen on 127.0.0.1 only", () => {
  it("the tests' fauxqs and fault proxy", async () => {
    proxy = new FaultProxy(s3.endpoint);
    await proxy.start();
    for (const url of [s3.endpoint, proxy.url]) {
      const { hostname, port } = new URL(url);
      expect(hostname).toBe("127.0.0.1");
      expect(await accepts("127.0.0.1", Number(port))).toBe(true);
      for (const address of otherAddresses())
        expect(await accepts(address, Number(port)), `${url} on ${address}`).toBe(false);
    }
  });

  it("bench/s3-server.ts", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/s3-server.ts"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      let stderr = "";
      const endpoint = await new Promise<string>((resolve, reject) => {
        child.stderr?.on("data", (chunk) => {
          stderr += chunk;
          const found = /listening on (\S+)/.exec(stderr)?.[1];
          if (found) resolve(found);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const port = Number(new URL(endpoint).port);
      expect(new URL(endpoint).hostname).toBe("127.0.0.1");
      expect(await accepts("127.0.0.1", port)).toBe(true);
      for (const address of otherAddresses())
        expect(await accepts(address, port), address).toBe(false);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
