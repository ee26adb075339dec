import { existsSync, readFileSync } from "node:fs";
import { parseArgs, parseEnv } from "node:util";
import { UsageError } from "./errors.js";
import { suggest } from "./suggest.js";

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
  version: boolean;
  /** Where each setting came from: `--flag`, `ENV_NAME`, `ENV_NAME (from .env)` or `default`. */
  sources: Record<string, string>;
}

/**
 * Reads `.env` in the working folder into a plain object; nothing is written to
 * `process.env`. Every line must be empty, a `# comment`, or `NAME=value` (optionally
 * `export NAME=value`): a line without `=` is an error naming the line, never silently
 * merged into the next setting.
 */
export function readDotEnv(path = ".env"): Record<string, string> {
  if (!existsSync(path)) return {};
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM (Notepad) is not part of a name
  let quote: string | null = null; // inside a multi-line quoted value
  let quoteLine = 0;
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (quote) {
      // A quoted value may span lines (a key, say); a line that looks like a setting means
      // the quote was never closed and would swallow it.
      if (/^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line))
        throw new UsageError(
          `${path}:${quoteLine}: a ${quote} quote opened on this line is never closed (it would swallow line ${index + 1})`,
        );
      if (line.includes(quote)) quote = null;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(["'`]?)/.exec(trimmed);
    if (!match) {
      throw new UsageError(
        `${path}:${index + 1}: expected NAME=value, got "${excerpt(trimmed)}"${trimmed.includes("=") ? " (a name is letters, digits and _, not starting with a digit)" : ' (a line without "=")'}`,
      );
    }
    const opening = match[2];
    if (opening && !trimmed.slice(match[0].length).includes(opening)) {
      quote = opening;
      quoteLine = index + 1;
    }
  }
  if (quote)
    throw new UsageError(
      `${path}:${quoteLine}: a ${quote} quote opened on this line is never closed`,
    );
  return parseEnv(text) as Record<string, string>;
}

/** A short, printable excerpt of user text for a message. */
export function excerpt(text: string, max = 40): string {
  const printable = JSON.stringify(text).slice(1, -1);
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}

/** `unknown option --dat-dir; did you mean --data-dir?` */
function unknownOption(name: string, known: string[]): UsageError {
  const best = suggest(name, known);
  const hint = best ? `; did you mean --${best}?` : " (see --help)";
  return new UsageError(`unknown option --${name}${hint}`);
}

/** Checks every `--flag` of argv against the known ones before parsing. */
function checkFlags(argv: string[], flags: Record<string, { type: string }>): void {
  for (const arg of argv) {
    if (arg === "--") break;
    if (arg.startsWith("--")) {
      const name = arg.slice(2).split("=")[0] as string;
      if (!(name in flags)) throw unknownOption(name, Object.keys(flags));
    } else if (arg.startsWith("-") && arg.length > 1 && !/^-\d/.test(arg) && arg !== "-h") {
      throw new UsageError(`unknown option ${arg} (options are spelled --name; see --help)`);
    }
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
  const flagOptions: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean" },
  };
  for (const option of Object.values(spec.options)) {
    if (option.flag)
      flagOptions[option.flag] = { type: option.type === "boolean" ? "boolean" : "string" };
  }
  // `--port -1`: node's parser calls a value starting with "-" ambiguous; join it.
  argv = argv.flatMap((arg, i) => {
    const previous = argv[i - 1];
    const name = previous?.startsWith("--") ? previous.slice(2) : undefined;
    if (name && flagOptions[name]?.type === "string" && /^-[\d.]/.test(arg)) return [];
    const next = argv[i + 1];
    if (
      arg.startsWith("--") &&
      !arg.includes("=") &&
      flagOptions[arg.slice(2)]?.type === "string" &&
      next !== undefined &&
      /^-[\d.]/.test(next)
    )
      return [`${arg}=${next}`];
    return [arg];
  });
  checkFlags(argv, flagOptions);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: flagOptions, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const missing = /Option '(-\w, )?--([\w-]+) <value>' argument missing/.exec(message);
    if (missing) throw new UsageError(`--${missing[2]} needs a value (see --help)`);
    throw new UsageError(`${message.split("\n")[0]} (see --help)`);
  }
  if (parsed.values.help === true || parsed.values.version === true) {
    return {
      config: {} as ConfigOf<S>,
      positionals: parsed.positionals,
      help: parsed.values.help === true,
      version: parsed.values.version === true,
      sources: {},
    };
  }
  const config: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const [key, option] of Object.entries(spec.options)) {
    const fromFlag = option.flag
      ? (parsed.values[option.flag] as string | boolean | undefined)
      : undefined;
    const fromEnv = option.env && env[option.env] !== "" ? env[option.env] : undefined;
    const fromDotEnv = option.env && dotEnv[option.env] !== "" ? dotEnv[option.env] : undefined;
    let raw: string | boolean | undefined;
    let source: string;
    if (fromFlag !== undefined) [raw, source] = [fromFlag, `--${option.flag}`];
    else if (fromEnv !== undefined) [raw, source] = [fromEnv, `${option.env}`];
    else if (fromDotEnv !== undefined) [raw, source] = [fromDotEnv, `${option.env} (from .env)`];
    else [raw, source] = [undefined, "default"];
    sources[key] = source;
    config[key] = raw === undefined ? option.default : coerce(option, raw, source);
    if (raw !== undefined) checkValue(option, config[key], source);
  }
  return {
    config: config as ConfigOf<S>,
    positionals: parsed.positionals,
    help: false,
    version: false,
    sources,
  };
}

const shown = (option: OptionSpec, raw: unknown): string =>
  option.secret ? "(hidden)" : excerpt(String(raw));

function coerce(option: OptionSpec, raw: string | boolean, source: string): unknown {
  if (option.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new UsageError(`${source}: expected true or false, got "${shown(option, raw)}"`);
  }
  if (option.type === "number") {
    const value = Number(raw);
    if (String(raw).trim() === "" || !Number.isFinite(value))
      throw new UsageError(`${source}: expected a number, got "${shown(option, raw)}"`);
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
  rows.push(["-h, --help", "Show this help and exit"]);
  rows.push(["--version", "Print the version and exit"]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}${right}`);
  lines.push("", "Precedence: flag > environment > .env file > default.");
  return `${lines.join("\n")}\n`;
}
