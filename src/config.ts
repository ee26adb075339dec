import { existsSync, readFileSync } from "node:fs";
import { parseArgs, parseEnv } from "node:util";
import { UsageError } from "./errors.js";

/**
 * One option of a command: where it comes from (a flag, an environment variable, the
 * `.env` file) and what it defaults to. Precedence: flag > environment > `.env` > default.
 */
export type OptionSpec =
  | ({
      type: "string";
      default?: string;
      arg?: string;
      check?: (value: string) => string | undefined;
    } & Common)
  | ({
      type: "number";
      default?: number;
      arg?: string;
      min?: number;
      max?: number;
      integer?: boolean;
    } & Common)
  | ({ type: "boolean"; default?: boolean } & Common);

interface Common {
  flag?: string;
  env?: string;
  help: string;
  /** A secret (a token, a URL with one): its value never appears in a message. */
  secret?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S extends { type: "string" }
  ? S extends { default: string }
    ? string
    : string | undefined
  : S extends { type: "number" }
    ? S extends { default: number }
      ? number
      : number | undefined
    : boolean;

export type ConfigOf<S extends OptionSpecs> = { [K in keyof S]: ValueOf<S[K]> };

export interface CommandSpec<S extends OptionSpecs> {
  /** The npm script name, for the usage line. */
  name: string;
  summary: string;
  options: S;
  /** Positional arguments, for the usage line (e.g. "FILE"). */
  positionals?: string;
}

export interface Parsed<S extends OptionSpecs> {
  config: ConfigOf<S>;
  positionals: string[];
  help: boolean;
}

/** Reads `.env` in `cwd` into a plain object; nothing is written to `process.env`. */
export function readDotEnv(path = ".env"): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    return parseEnv(readFileSync(path, "utf8")) as Record<string, string>;
  } catch {
    throw new UsageError(`${path}: cannot be read as a .env file`);
  }
}

/**
 * Parses argv for a command and resolves every option.
 *
 * @example
 * const { config } = parseCommand(spec, process.argv.slice(2));
 * config.dataDir; // flag --data-dir, else $DATA_DIR, else .env's DATA_DIR, else "data"
 */
export function parseCommand<S extends OptionSpecs>(
  spec: CommandSpec<S>,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  dotEnv: Record<string, string> = readDotEnv(),
): Parsed<S> {
  const flagOptions: Record<string, { type: "string" | "boolean" }> = {
    help: { type: "boolean" },
  };
  for (const option of Object.values(spec.options)) {
    if (option.flag)
      flagOptions[option.flag] = { type: option.type === "boolean" ? "boolean" : "string" };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: flagOptions, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]} (see --help)`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(spec.options)) {
    const fromFlag = option.flag
      ? (parsed.values[option.flag] as string | boolean | undefined)
      : undefined;
    const fromEnv = option.env ? (env[option.env] ?? dotEnv[option.env]) : undefined;
    const source = fromFlag !== undefined ? `--${option.flag}` : option.env;
    const raw = fromFlag ?? (fromEnv === "" ? undefined : fromEnv);
    config[key] = raw === undefined ? option.default : coerce(option, raw, source ?? key);
    if (raw !== undefined) checkValue(option, config[key], source ?? key);
  }
  return {
    config: config as ConfigOf<S>,
    positionals: parsed.positionals,
    help: parsed.values.help === true,
  };
}

function coerce(option: OptionSpec, raw: string | boolean, source: string): unknown {
  if (option.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new UsageError(`${source}: expected true or false, got "${raw}"`);
  }
  if (option.type === "number") {
    const value = Number(raw);
    if (String(raw).trim() === "" || !Number.isFinite(value))
      throw new UsageError(`${source}: expected a number, got "${raw}"`);
    return value;
  }
  return raw;
}

/** Range and custom checks of a value given by the user; the message names where it came from. */
function checkValue(option: OptionSpec, value: unknown, source: string): void {
  const shown = (v: unknown) => (option.secret ? "(hidden)" : JSON.stringify(v));
  if (option.type === "number") {
    const n = value as number;
    if (option.integer && !Number.isInteger(n))
      throw new UsageError(`${source}: expected a whole number, got ${shown(n)}`);
    if (option.min !== undefined && n < option.min)
      throw new UsageError(`${source}: must be at least ${option.min}, got ${shown(n)}`);
    if (option.max !== undefined && n > option.max)
      throw new UsageError(`${source}: must be at most ${option.max}, got ${shown(n)}`);
  }
  if (option.type === "string" && option.check) {
    const problem = option.check(value as string);
    if (problem) throw new UsageError(`${source}: ${problem}`);
  }
}

/** The `--help` text, generated from the same specs that parse the options. */
export function helpText<S extends OptionSpecs>(spec: CommandSpec<S>): string {
  const lines = [
    `Usage: npm run ${spec.name} -- ${spec.positionals ? `${spec.positionals} ` : ""}[options]`,
    "",
    spec.summary,
    "",
    "Options:",
  ];
  const rows: [string, string][] = [];
  for (const option of Object.values(spec.options)) {
    const left = option.flag
      ? `--${option.flag}${option.type === "boolean" ? "" : ` ${"arg" in option && option.arg ? option.arg : "VALUE"}`}`
      : `(env) ${option.env}`;
    const extras: string[] = [];
    if (option.flag && option.env) extras.push(`env ${option.env}`);
    if (option.default !== undefined && option.default !== false)
      extras.push(`default ${JSON.stringify(option.default)}`);
    rows.push([left, `${option.help}${extras.length ? ` [${extras.join(", ")}]` : ""}`]);
  }
  rows.push(["--help", "Show this help and exit"]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}${right}`);
  lines.push("", "Precedence: flag > environment > .env file > default.");
  return `${lines.join("\n")}\n`;
}
