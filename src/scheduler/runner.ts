import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { describeError } from "../errors.js";

/** How long a terminated group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 5000;
/** The part of a run's output kept in its history row. */
export const TAIL_BYTES = 4096;

export type ProcessStatus = "ok" | "failed" | "timeout" | "killed";

export interface ProcessOutcome {
  status: ProcessStatus;
  exit_code: number | null;
  signal: NodeJS.Signals | null;
  /** The last 4 KB of what the run wrote to stdout and stderr. */
  tail: string;
  /** Real milliseconds from the start to the end of the process group. */
  ms: number;
}

export interface ProcessSpec {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The job's log (`logs/jobs/NAME.log`), appended to. */
  logFile: string;
  /** Real milliseconds before the group is terminated as `timeout`. */
  timeoutMs: number;
  /** A line written to the log before the run's output. */
  header: string;
  /** Rotate the log past this size (bytes), keeping `logFiles` old ones. */
  logMaxBytes?: number;
  logFiles?: number;
  killGraceMs?: number;
}

/** Whether any process of a group is left (zombies waiting for a reaper do not count). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return true;
}

/** Live (not zombie) members of a group, from /proc; null where there is no /proc. */
function liveMembers(pgid: number): number | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  let live = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") live++;
    } catch {
      // gone meanwhile
    }
  }
  return live;
}

const signalGroup = (pgid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
};

/** Rotates `file` to `file.1` (… `file.N`) when it is past `maxBytes`. */
function rotate(file: string, maxBytes: number, files: number): void {
  try {
    if (statSync(file).size < maxBytes) return;
  } catch {
    return;
  }
  try {
    for (let i = files - 1; i >= 1; i--)
      if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    renameSync(file, `${file}.1`);
  } catch {
    // keep appending to the big file rather than lose the run's output
  }
}

/** The last `bytes` of a file from `offset` on, as text (a cut character at the start dropped). */
function tailOf(fd: number, offset: number, bytes: number): string {
  const size = fstatSync(fd).size;
  const from = Math.max(offset, size - bytes);
  const length = size - from;
  if (length <= 0) return "";
  const buffer = Buffer.alloc(length);
  readSync(fd, buffer, 0, length, from);
  let start = 0;
  if (from > offset)
    while (start < buffer.length && ((buffer[start] as number) & 0xc0) === 0x80) start++;
  return buffer.subarray(start).toString("utf8");
}

/**
 * One run of a job: a child process in its own process group (`detached`), no shell, its
 * stdout and stderr appended to the job's log file (the daemon never reads them through
 * a pipe). `terminate` (and the timeout) sends SIGTERM to the whole group and SIGKILL
 * `killGraceMs` later; the run ends when the leader has exited and no process of its
 * group is left (leftovers of a finished leader are terminated the same way), so a
 * grandchild never outlives its run.
 */
export class JobProcess {
  readonly done: Promise<ProcessOutcome>;
  pid: number | undefined;
  private ending: ProcessStatus | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private resolveDone!: (outcome: ProcessOutcome) => void;
  private readonly began = performance.now();
  private fd = -1;
  private offset = 0;
  private termSentAt = 0;

  constructor(private readonly spec: ProcessSpec) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.start();
  }

  private start(): void {
    const { spec } = this;
    try {
      mkdirSync(dirname(spec.logFile), { recursive: true });
      if (spec.logMaxBytes) rotate(spec.logFile, spec.logMaxBytes, spec.logFiles ?? 5);
      this.fd = openSync(spec.logFile, "a+");
      writeSync(this.fd, spec.header);
      this.offset = fstatSync(this.fd).size;
    } catch (error) {
      this.finishEarly(`cannot open the job log ${spec.logFile}: ${describeError(error)}`);
      return;
    }
    try {
      if (!statSync(spec.cwd).isDirectory()) throw new Error("not a folder");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.finishEarly(
        `cannot start ${spec.argv[0]}: its folder ${spec.cwd} ${code === "ENOENT" ? "does not exist" : `cannot be used (${code ?? describeError(error)})`}`,
      );
      return;
    }
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(spec.argv[0] as string, spec.argv.slice(1), {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ["ignore", this.fd, this.fd],
        windowsHide: true,
      });
    } catch (error) {
      this.finishEarly(`cannot start ${spec.argv[0]}: ${describeError(error)}`);
      return;
    }
    this.pid = child.pid;
    child.on("error", (error) => {
      if (this.pid === undefined)
        this.finishEarly(`cannot start ${spec.argv[0]}: ${describeError(error)}`);
    });
    if (child.pid === undefined) return; // the "error" event follows
    child.on("exit", (code, signal) => void this.afterExit(code, signal));
    this.timeoutTimer = setTimeout(
      () => this.terminate("timeout"),
      Math.min(spec.timeoutMs, 2 ** 31 - 1),
    );
  }

  private finishEarly(message: string): void {
    if (this.fd >= 0) {
      try {
        writeSync(this.fd, `${message}\n`);
      } catch {}
      closeSync(this.fd);
      this.fd = -1;
    }
    this.resolveDone({
      status: "failed",
      exit_code: null,
      signal: null,
      tail: message,
      ms: Math.round(performance.now() - this.began),
    });
  }

  /**
   * Ends the run: SIGTERM to the whole group, SIGKILL `killGraceMs` later. The run's status
   * is `status` (`timeout` or `killed`) whatever the exit code.
   */
  terminate(status: "timeout" | "killed"): void {
    const pid = this.pid;
    if (pid === undefined || this.ending) return;
    this.ending = status;
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.termSentAt = performance.now();
    signalGroup(pid, "SIGTERM");
    this.killTimer = setTimeout(
      () => signalGroup(pid, "SIGKILL"),
      this.spec.killGraceMs ?? KILL_GRACE_MS,
    );
  }

  /** SIGKILL to the whole group at once (the daemon is exiting now). */
  killNow(): void {
    if (this.pid !== undefined) signalGroup(this.pid, "SIGKILL");
  }

  private async afterExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const pid = this.pid as number;
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    // Leftovers of the group: terminated like a timed-out run, and waited for.
    if (groupAlive(pid)) {
      if (!this.termSentAt) {
        this.termSentAt = performance.now();
        signalGroup(pid, "SIGTERM");
        this.killTimer = setTimeout(
          () => signalGroup(pid, "SIGKILL"),
          this.spec.killGraceMs ?? KILL_GRACE_MS,
        );
      }
      const grace = this.spec.killGraceMs ?? KILL_GRACE_MS;
      for (;;) {
        await new Promise((r) => setTimeout(r, 50));
        if (!groupAlive(pid)) break;
        // Past SIGKILL, only zombies nobody reaps may be left (a daemon that is PID 1).
        if (performance.now() - this.termSentAt > grace + 1000 && liveMembers(pid) === 0) break;
      }
    }
    if (this.killTimer) clearTimeout(this.killTimer);
    let tail = "";
    try {
      tail = tailOf(this.fd, this.offset, TAIL_BYTES);
    } catch {}
    const ms = Math.round(performance.now() - this.began);
    const status: ProcessStatus = this.ending ?? (code === 0 ? "ok" : "failed");
    const how = signal ? `signal ${signal}` : `exit ${code}`;
    try {
      writeSync(this.fd, `=== ${status} (${how}) in ${ms} ms ===\n`);
    } catch {}
    try {
      closeSync(this.fd);
    } catch {}
    this.fd = -1;
    this.resolveDone({ status, exit_code: code, signal, tail, ms });
  }
}
