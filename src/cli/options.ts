import type { OptionSpec, OptionSpecs } from "../config.js";
import { LEVELS } from "../levels.js";

/** `--db PATH` / `DB_PATH`, shared by every command that reads or writes the database. */
export function dbPathOption(help: string) {
  return {
    type: "string",
    flag: "db",
    env: "DB_PATH",
    default: "database/empresa.db",
    arg: "PATH",
    help,
  } as const satisfies OptionSpec;
}

/** `--json`: one JSON document on stdout and nothing else. */
export const JSON_OPTION = {
  type: "boolean",
  flag: "json",
  help: "Print one JSON report on stdout and nothing else",
} as const satisfies OptionSpec;

/** The log settings every command takes (through the same flags > env > .env > defaults). */
export const LOG_OPTIONS = {
  logLevel: {
    type: "string",
    flag: "log-level",
    env: "LOG_LEVEL",
    default: "info",
    arg: "LEVEL",
    help: `Least severe level logged: ${LEVELS.join(", ")} (any case)`,
    check: (value) =>
      (LEVELS as readonly string[]).includes(
        value
          .trim()
          .toLowerCase()
          .replace(/^warning$/, "warn"),
      )
        ? undefined
        : `unknown log level "${value}" (one of ${LEVELS.join(", ")})`,
  },
  logDir: {
    type: "string",
    env: "LOG_DIR",
    default: "logs",
    help: "Folder of the JSON-lines log files",
  },
  logMaxSizeMb: {
    type: "number",
    env: "LOG_MAX_SIZE_MB",
    default: 10,
    min: 0.001,
    help: "A log file is rotated past this size (MB)",
  },
  logMaxFiles: {
    type: "number",
    env: "LOG_MAX_FILES",
    default: 5,
    min: 1,
    max: 1000,
    integer: true,
    help: "Rotated log files kept per log",
  },
} as const satisfies OptionSpecs;

/** `--port N` for a server: a whole number 0-65535 (0: any free port). */
export function portOption(env: string, defaultPort: number) {
  return {
    type: "number",
    flag: "port",
    env,
    default: defaultPort,
    min: 0,
    max: 65535,
    integer: true,
    arg: "N",
    help: "Port to listen on (0: any free port)",
  } as const satisfies OptionSpec;
}

/** `--host ADDR` for a server: loopback by default. */
export function hostOption(env: string, help: string) {
  return {
    type: "string",
    flag: "host",
    env,
    default: "127.0.0.1",
    arg: "ADDR",
    help,
  } as const satisfies OptionSpec;
}
