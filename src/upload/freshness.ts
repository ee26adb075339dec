import { statSync } from "node:fs";
import { localDay } from "../time.js";
import { EXIT, UploadError } from "./errors.js";

export interface FileState {
  size: number;
  mtimeMs: number;
  isFile: boolean;
}

export function fileState(path: string): FileState | null {
  try {
    const stat = statSync(path);
    return { size: stat.size, mtimeMs: stat.mtimeMs, isFile: stat.isFile() };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new UploadError(
      EXIT.missing,
      "unreadable",
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`,
    );
  }
}

/** Allowed clock skew for "not in the future" (a file written a moment ago on a NAS). */
const FUTURE_SLACK_MS = 5_000;

/**
 * Checks a file is worth uploading today: it exists (else exit 3), is a regular non-empty
 * file, and was modified today in `timeZone` and not in the future (else exit 4). Pure:
 * the clock and the zone are passed in.
 */
export function checkFresh(
  path: string,
  state: FileState | null,
  now: Date,
  timeZone?: string,
): FileState {
  if (state === null) throw new UploadError(EXIT.missing, "missing", `${path}: no such file`);
  if (!state.isFile)
    throw new UploadError(EXIT.notFresh, "not_a_file", `${path}: not a regular file`);
  if (state.size === 0) throw new UploadError(EXIT.notFresh, "empty", `${path}: the file is empty`);
  if (state.mtimeMs > now.getTime() + FUTURE_SLACK_MS) {
    throw new UploadError(
      EXIT.notFresh,
      "future",
      `${path}: modified in the future (${new Date(state.mtimeMs).toISOString()}); check the clock`,
    );
  }
  const today = localDay(now, timeZone);
  const modified = localDay(state.mtimeMs, timeZone);
  if (modified !== today) {
    throw new UploadError(
      EXIT.notFresh,
      "stale",
      `${path}: last modified on ${modified}, not today (${today}); refusing to upload a stale file`,
    );
  }
  return state;
}

/**
 * Waits `windowMs` and checks the file did not change meanwhile (a file still being
 * written is not uploaded: exit 4). `sleep` is injectable for tests.
 */
export async function checkStable(
  path: string,
  before: FileState,
  windowMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<FileState> {
  if (windowMs <= 0) return before;
  await sleep(windowMs);
  const after = fileState(path);
  if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    throw new UploadError(
      EXIT.notFresh,
      "changing",
      `${path}: still being written (it changed during the ${windowMs} ms stability check)`,
    );
  }
  return after;
}
