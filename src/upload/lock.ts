import { createHash } from "node:crypto";
import { mkdirSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import lockfile from "proper-lockfile";
import { EXIT, UploadError } from "./errors.js";

export interface HeldLock {
  /** The lock folders held (the destination's, then the file's). */
  paths: string[];
  release(): Promise<void>;
}

/** What a run's locks stand for: the object it writes and the file it reads. */
export interface LockTarget {
  file: string;
  bucket: string;
  key: string;
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 24);

/**
 * The file's real path: symlinks resolved (two names for one file are one file), or the
 * absolute path when it does not exist (the run then stops with exit 3, after the lock).
 */
export function realPath(file: string): string {
  try {
    return realpathSync.native(file);
  } catch {
    return resolve(file);
  }
}

/**
 * The two locks of a run, in the project's lock folder: one per destination (bucket and
 * key: two runs must not write one object at once, whatever files they read), one per
 * real file path (two runs must not read one file at once, whatever their keys).
 */
export function lockPathsFor(
  target: LockTarget,
  lockDir: string,
): { destination: string; file: string } {
  return {
    destination: join(lockDir, `upload-key-${digest(`${target.bucket}\0${target.key}`)}.lock`),
    file: join(lockDir, `upload-file-${digest(realPath(target.file))}.lock`),
  };
}

async function lockOne(
  path: string,
  staleMs: number,
  onCompromised: (error: Error) => void,
  heldBy: string,
): Promise<() => Promise<void>> {
  try {
    // proper-lockfile keys its own bookkeeping by the first argument: give each lock its own.
    const release = await lockfile.lock(path, {
      lockfilePath: path,
      realpath: false,
      stale: staleMs,
      retries: 0,
      onCompromised,
    });
    return async () => {
      await release().catch(() => undefined); // already released or compromised
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
      throw new UploadError(
        EXIT.locked,
        "locked",
        `another run is ${heldBy} (lock ${path}); exiting`,
      );
    }
    throw new UploadError(
      EXIT.usage,
      "lock",
      `cannot create the lock ${path}: ${(error as Error).message}`,
    );
  }
}

/**
 * Takes the run's two locks (destination, then file) without waiting: a live holder of
 * either means exit 5 at once, and the other is not kept. Each holder refreshes its lock's
 * mtime every `staleMs / 2`; a lock not refreshed for `staleMs` (its holder died) is taken
 * over. The file itself need not exist. `onCompromised` is called (instead of crashing) if
 * a lock is lost during the run.
 */
export async function takeLock(
  target: LockTarget,
  lockDir: string,
  staleMs: number,
  onCompromised: (error: Error) => void,
): Promise<HeldLock> {
  mkdirSync(lockDir, { recursive: true });
  const paths = lockPathsFor(target, lockDir);
  const releaseDestination = await lockOne(
    paths.destination,
    staleMs,
    onCompromised,
    `uploading to s3://${target.bucket}/${target.key}`,
  );
  let releaseFile: () => Promise<void>;
  try {
    const real = realPath(target.file);
    const also = real === resolve(target.file) ? "" : ` (${real})`;
    releaseFile = await lockOne(
      paths.file,
      staleMs,
      onCompromised,
      `uploading ${target.file}${also}`,
    );
  } catch (error) {
    await releaseDestination();
    throw error;
  }
  return {
    paths: [paths.destination, paths.file],
    release: async () => {
      await Promise.all([releaseFile(), releaseDestination()]);
    },
  };
}
