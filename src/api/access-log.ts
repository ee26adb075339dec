/**
 * What the API needs of a logger: winston's (the project's `createLogger`) fits, or any
 * object with these methods.
 */
export interface ApiLogger {
  debug(message: string): unknown;
  http(message: string, fields: Record<string, unknown>): unknown;
  error(message: string, fields: Record<string, unknown>): unknown;
  /** When present and false for "debug", no line is built as each request starts. */
  isLevelEnabled?(level: string): boolean;
}

/** Which requests get a line in the access log. */
export type AccessLogMode = "off" | "sample" | "all";

export const ACCESS_LOG_MODES: readonly AccessLogMode[] = ["off", "sample", "all"];

export interface AccessLogOptions {
  /** Where request lines go (level `http`); default: the app's `log`. */
  log?: ApiLogger;
  /**
   * `off`: no line for an ordinary request; `sample` (default): one request in
   * `sampleEvery`, the first included; `all`: every request. Whatever the mode, a 5xx
   * answer and a request slower than `slowMs` are always logged.
   */
  mode?: AccessLogMode;
  /** With `sample`: log requests 1, 1 + N, 1 + 2N, … (default 100). */
  sampleEvery?: number;
  /** A request taking at least this long is always logged (default 1000 ms). */
  slowMs?: number;
}

/** Why a request line is written: its sample, `all`, a 5xx, a slow request; or not at all. */
export function accessLogDecider({
  mode = "sample",
  sampleEvery = 100,
  slowMs = 1000,
}: AccessLogOptions) {
  let seen = 0;
  return (status: number, ms: number): "all" | "sample" | "error" | "slow" | undefined => {
    const sampled = mode === "sample" && seen++ % sampleEvery === 0;
    if (status >= 500) return "error";
    if (ms >= slowMs) return "slow";
    if (mode === "all") return "all";
    return sampled ? "sample" : undefined;
  };
}
