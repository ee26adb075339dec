import type { OptionSpec } from "../config.js";

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
