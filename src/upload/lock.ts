import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import lockfile from "proper-lockfile";
import { EXIT, UploadError } from "./errors.js";

export interface HeldLock {
  path: string;
  release(): Promise<void>;
}

/** The lock of a file's uploads: one per absolute file path, in the project's lock folder. */
export function lockPathFor(file: string, lockDir: string): string {
  const digest = createHash("sha1").update(resolve(file)).digest("hex").slice(0, 16);
  return join(lockDir, `upload-${digest}.lock`);
}

/**
 * Takes the upload lock of `file` without waiting: a live holder means exit 5 at once.
 * The holder refreshes the lock's mtime every `staleMs / 2`; a lock not refreshed for
 * `staleMs` (its holder died) is taken over. The file itself need not exist.
 * `onCompromised` is called (instead of crashing) if the lock is lost during the run.
 */
export async function takeLock(
  file: string,
  lockDir: string,
  staleMs: number,
  onCompromised: (error: Error) => void,
): Promise<HeldLock> {
  mkdirSync(lockDir, { recursive: true });
  const path = lockPathFor(file, lockDir);
  try {
    const release = await lockfile.lock(resolve(file), {
      lockfilePath: path,
      realpath: false,
      stale: staleMs,
      retries: 0,
      onCompromised,
    });
    return {
      path,
      release: async () => {
        await release().catch(() => undefined); // already released or compromised
      },
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
      throw new UploadError(
        EXIT.locked,
        "locked",
        `another run is uploading ${file} (lock ${path}); exiting`,
      );
    }
    throw new UploadError(
      EXIT.usage,
      "lock",
      `cannot create the lock ${path}: ${(error as Error).message}`,
    );
  }
}
