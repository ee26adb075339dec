import {
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { AppError } from "../errors.js";

/** Exit code of a second daemon on the same status file. */
export const EXIT_LOCKED = 5;

/** The lock of a status file: `<status file>.lock`, holding the daemon's pid and start time. */
export const lockPathOf = (statusFile: string) => `${statusFile}.lock`;

/** The start time of a process (clock ticks since boot, from /proc), or null where there is no /proc. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces and parentheses): state is the 3rd field.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null; // the 22nd field: starttime
  } catch {
    return null;
  }
}

export interface LockHolder {
  pid: number;
  /** /proc start time, so a reused pid is not mistaken for the daemon. */
  start: string | null;
}

/** Whether the process that wrote a lock is still alive (and is the same process). */
export function holderAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (holder.start === null) return true;
  const now = startTimeOf(holder.pid);
  return now === null || now === holder.start;
}

function parseHolder(text: string): LockHolder | null {
  const [pid, start] = text.trim().split(/\s+/);
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return null;
  return { pid: n, start: start && start !== "-" ? start : null };
}

/** The holder written in a lock file, or null when there is none (or it cannot be read). */
export function readHolder(lockPath: string): LockHolder | null {
  try {
    return parseHolder(readFileSync(lockPath, "utf8"));
  } catch {
    return null;
  }
}

export interface DaemonLock {
  path: string;
  /** Removes the lock if it is still ours; synchronous (it runs in an exit handler too). */
  release(): void;
}

/**
 * One daemon per status file. The lock file is created in one step (written under a
 * temporary name, then hard-linked into place, which fails if it exists). A lock whose
 * holder is alive means exit 5 naming its pid; a lock left by a dead daemon (killed, or
 * the machine restarted) is moved aside atomically and taken over.
 */
export function takeDaemonLock(statusFile: string): DaemonLock {
  const path = lockPathOf(statusFile);
  const dir = dirname(path);
  const me: LockHolder = { pid: process.pid, start: startTimeOf(process.pid) };
  const content = `${me.pid} ${me.start ?? "-"}\n`;
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, content);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError(
      `cannot create the lock ${path} (${code ?? (error as Error).message}); check MASTER_STATUS_FILE's folder`,
      "lock",
      2,
    );
  }
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        linkSync(temp, path);
        return {
          path,
          release() {
            const holder = readHolder(path);
            if (holder?.pid === me.pid && holder.start === me.start) rmSync(path, { force: true });
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      let text = "";
      try {
        text = readFileSync(path, "utf8");
      } catch {
        continue; // removed meanwhile: try again
      }
      const holder = parseHolder(text);
      // Our own pid in a lock we do not hold: a daemon before us had it (a container restarted).
      if (holder && holder.pid !== process.pid && holderAlive(holder))
        throw new AppError(
          `another scheduler is running on ${statusFile} (pid ${holder.pid}; lock ${path}); exiting`,
          "locked",
          EXIT_LOCKED,
        );
      // Stale: move it aside (only one process can), and check we moved the stale one.
      const aside = `${path}.stale-${process.pid}-${attempt}`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      let moved = "";
      try {
        moved = readFileSync(aside, "utf8");
      } catch {}
      if (moved !== text) {
        // Another daemon took it over between our read and our move: give it back.
        try {
          linkSync(aside, path);
        } catch {}
      }
      try {
        unlinkSync(aside);
      } catch {}
    }
    throw new AppError(`cannot take the lock ${path}: it keeps changing`, "locked", EXIT_LOCKED);
  } finally {
    rmSync(temp, { force: true });
  }
}
