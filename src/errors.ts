/**
 * Error classes that carry what the command line needs: a one-line message, a stable
 * code, and the exit code the CLI maps them to. Anything else that escapes is an
 * internal error (exit 1) whose stack goes to the log file, never to the user.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad flag, a missing setting or a malformed value given by the user: exit 2. */
export class UsageError extends AppError {
  constructor(message: string) {
    super(message, "usage", 2);
  }
}

/**
 * A problem with an input file that stops the whole run (missing file, missing column,
 * unclosed quote, unreadable bytes). Names the file and, where there is one, the line.
 */
export class InputError extends AppError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
    code = "input",
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${detail}`, code, 1);
  }
}

/** The database cannot be opened or is not one of ours. */
export class DatabaseError extends AppError {
  constructor(message: string, exitCode = 1) {
    super(message, "database", exitCode);
  }
}

/**
 * The run was stopped by a signal (or its AbortSignal): exit 128 + the signal's number
 * (130 for SIGINT, 143 for SIGTERM), by convention.
 */
export class InterruptedError extends AppError {
  constructor(
    readonly signal: string,
    exitCode = 130,
    what = "interrupted",
  ) {
    super(`${what} by ${signal}`, "interrupted", exitCode);
  }
}

/** Throws the signal's reason (an `InterruptedError` when it came from the CLI) if aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  throw reason instanceof Error ? reason : new InterruptedError(String(reason ?? "abort"));
}

/** Returns a one-line description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? error.name;
  return String(error);
}
