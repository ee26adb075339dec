import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import winston from "winston";
import Transport from "winston-transport";

/**
 * Appends entries to a JSON-lines file. By default each entry is written synchronously,
 * so nothing is lost when a command exits right after logging (winston's File transport
 * buffers asynchronously). A server logging every request uses `buffered`: entries are
 * written together every 250 ms and at exit.
 */
class JsonLinesFile extends Transport {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly path: string,
    private readonly buffered: boolean,
  ) {
    super();
    if (buffered) process.once("exit", () => this.flush());
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const entry: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(info)) entry[key] = value;
    this.pending.push(`${JSON.stringify(entry)}\n`);
    if (!this.buffered) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), 250).unref();
    next();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    this.pending = [];
    try {
      appendFileSync(this.path, text);
    } catch {
      // A log file that cannot be written must never stop the job; stderr still has it.
    }
  }
}

const LEVEL_COLOURS: Record<string, string> = {
  error: "\x1b[31m",
  warn: "\x1b[33m",
  info: "\x1b[36m",
  debug: "\x1b[90m",
};

/** Whether stderr should get ANSI colours (a terminal, and NO_COLOR not set). */
export function useColour(stream: NodeJS.WriteStream = process.stderr): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/**
 * Whether the message already says a field (its value, or each `key value` of an object),
 * so the readable line does not repeat it; the JSON file always has every field.
 */
function saidIn(message: string, key: string, value: unknown): boolean {
  if (typeof value === "string" || typeof value === "number") {
    return (
      new RegExp(
        `(^|[\\s(:=/])${String(value).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[\\s),:;/])`,
      ).test(message) || message.includes(`${key} ${value}`)
    );
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).every(([k, v]) => message.includes(`${k} ${v}`));
  }
  return false;
}

function readableLine(colour: boolean) {
  return winston.format.printf((info) => {
    // The stack of an internal error goes to the file only, never to the user's terminal.
    const {
      level,
      message,
      timestamp: _t,
      service,
      stack: _s,
      ...rest
    } = info as Record<string, unknown>;
    const text = String(message);
    const fields = Object.entries(rest)
      .filter(([key, value]) => value !== undefined && !saidIn(text, key, value))
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    const tag = String(level).padEnd(5);
    const coloured = colour ? `${LEVEL_COLOURS[String(level)] ?? ""}${tag}\x1b[0m` : tag;
    return `${coloured} [${String(service)}] ${String(message)}${fields ? ` ${fields}` : ""}`;
  });
}

export interface LoggerOptions {
  /** Folder for the JSON-lines file (default `LOG_DIR` or `logs`). */
  dir?: string;
  /** File name without extension (default: the service name). */
  file?: string;
  level?: string;
  /** Set false to keep stderr quiet (tests). */
  console?: boolean;
  /** The least severe level shown on stderr (default: the logger's level). */
  consoleLevel?: string;
  /** Write the file in batches (for servers logging every request). */
  buffered?: boolean;
}

export type Logger = winston.Logger;

/**
 * The shared logger: JSON lines in `logs/<file>.log`, readable lines on stderr.
 *
 * @example
 * const log = createLogger("etl", { file: "procesamiento" });
 * log.info("loaded", { file: "ventas.csv", rows: 5407 });
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const dir = options.dir ?? process.env.LOG_DIR ?? "logs";
  const transports: winston.transport[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    transports.push(
      new JsonLinesFile(join(dir, `${options.file ?? service}.log`), options.buffered === true),
    );
  } catch {
    // An unwritable log folder degrades to stderr only.
  }
  if (options.console !== false) {
    transports.push(
      new winston.transports.Console({
        ...(options.consoleLevel ? { level: options.consoleLevel } : {}),
        stderrLevels: ["error", "warn", "info", "http", "verbose", "debug", "silly"],
        format: readableLine(useColour()),
      }),
    );
  }
  return winston.createLogger({
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    defaultMeta: { service },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports,
  });
}
