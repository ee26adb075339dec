import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import winston from "winston";
import Transport from "winston-transport";

/**
 * Appends each entry to a JSON-lines file synchronously, so nothing is lost when a
 * command exits right after logging (winston's File transport buffers asynchronously).
 * Log volume is per file and per run, never per row, so the cost is negligible.
 */
class JsonLinesFile extends Transport {
  constructor(private readonly path: string) {
    super();
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const entry: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(info)) entry[key] = value;
    try {
      appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
    } catch {
      // A log file that cannot be written must never stop the job; stderr still has it.
    }
    next();
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
    const fields = Object.entries(rest)
      .filter(([, value]) => value !== undefined)
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
    transports.push(new JsonLinesFile(join(dir, `${options.file ?? service}.log`)));
  } catch {
    // An unwritable log folder degrades to stderr only.
  }
  if (options.console !== false) {
    transports.push(
      new winston.transports.Console({
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
