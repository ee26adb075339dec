/**
 * The model file (`shared/contracts/simulation.md`, "The model file"), read into a
 * `ModelDefinition`. Every problem is a `ModelDefinitionError` (exit 2) naming the line.
 *
 * The format, where the contract is silent:
 * - Lines end in LF, CRLF or CR. The file is UTF-8 (a BOM is skipped); bytes that are not
 *   UTF-8 are read as Windows-1252.
 * - A line whose first non-blank character is `#` or `;` is a comment. A comment may also
 *   end a line after whitespace (`numero_escenarios = 1000  # ten thousand`), except inside
 *   a `codigo` block, which is kept byte for byte.
 * - Section names and keys are case-insensitive and accents are ignored (`[FUNCIÓN]`,
 *   `expresión`). Variable names are case-sensitive; type, distribution and parameter names
 *   are not. A key is written `key = value`; each section and key appears once.
 * - Unknown sections and keys are errors (with a "did you mean" when one is close).
 * - `[MODELO]` is optional: `nombre` defaults to the file's name without its extension,
 *   `version` to "".
 * - `[VARIABLES]`: `name, type, distribution, param=value, …`; a name is letters (any
 *   alphabet), digits and `_`, not starting with a digit, not a word of the expression
 *   grammar (`if`, `abs`, `and`…) nor a JavaScript reserved word. `int` with `uniform` needs
 *   integer bounds. `triangular` needs left < right as well as left ≤ mode ≤ right.
 * - `[FUNCION]`: exactly one of `expresion` (one line) and `codigo`. `codigo` is a `"""`
 *   block: from the `"""` after `codigo =` to the next `"""`, over as many lines as needed;
 *   its source is the text between them, its line the line of `codigo =`.
 * - `[SIMULACION]`: `numero_escenarios` (required unless overridden, e.g. by `--scenarios`)
 *   a positive integer; `semilla_aleatoria` a safe integer, when absent (and not overridden)
 *   a random one, reported with the run so that it can be repeated.
 * - `[CONFIGURACION]`: `timeout_consumidor`, seconds > 0, default 300.
 */
import { createHash, randomInt } from "node:crypto";
import { basename, extname } from "node:path";
import { suggest } from "../../suggest.js";
import type {
  DistributionName,
  ModelDefinition,
  ModelFunction,
  ModelMetadata,
  VariableSpec,
} from "../types.js";
import { ExpressionError, ModelDefinitionError } from "./errors.js";
import { parseExpression, RESERVED_WORDS } from "./expression.js";

export const DEFAULT_CONSUMER_TIMEOUT_S = 300;

/** Each distribution's parameters, in the contract's order. */
export const DISTRIBUTIONS: Readonly<Record<DistributionName, readonly string[]>> = {
  normal: ["media", "std"],
  uniform: ["min", "max"],
  exponential: ["lambda"],
  lognormal: ["mu", "sigma"],
  triangular: ["left", "mode", "right"],
  binomial: ["n", "p"],
  poisson: ["lambda"],
  constant: ["valor"],
};

const SECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  modelo: ["nombre", "version", "descripcion", "autor", "fecha_creacion"],
  variables: [],
  funcion: ["expresion", "codigo"],
  simulacion: ["numero_escenarios", "semilla_aleatoria"],
  configuracion: ["timeout_consumidor"],
};

/** JavaScript's reserved words and the globals a `codigo` parameter must not shadow. */
const JS_RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends " +
    "false finally for function if import in instanceof let new null return static super switch " +
    "this throw true try typeof var void while with yield await implements interface package " +
    "private protected public arguments eval undefined NaN Infinity"
  ).split(" "),
);

const NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

export interface ParseModelOptions {
  /** Overrides `numero_escenarios` (which then need not be in the file). */
  scenarios?: number;
  /** Overrides `semilla_aleatoria`. */
  seed?: number;
}

/** Section and key names compare without case or accents. */
function normalizeName(name: string): string {
  return name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The line without a trailing comment (`#` or `;` after whitespace), trimmed. */
function stripComment(line: string): string {
  const match = /\s[#;]/.exec(line);
  return (match ? line.slice(0, match.index) : line).trim();
}

/** Decodes the file's bytes: UTF-8 (BOM skipped), else Windows-1252. */
export function decodeModelBytes(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder("windows-1252").decode(bytes);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads a model file's content. `file` names it in messages (and gives the default
 * `nombre`); `sha256` is computed over `content`'s bytes (a string as UTF-8).
 * Throws `ModelDefinitionError` for any problem. `codigo` is read, not compiled.
 */
export function parseModel(
  content: string | Uint8Array,
  file: string,
  options: ParseModelOptions = {},
): ModelDefinition {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const text =
    typeof content === "string" ? content.replace(/^\uFEFF/, "") : decodeModelBytes(bytes);
  return new ModelReader(file, text.split(/\r\n|\r|\n/)).read(sha256, options);
}

interface Entry {
  value: string;
  line: number;
  /** 0-based offset of the value in its line. */
  offset: number;
}

class ModelReader {
  private readonly sections = new Map<string, { line: number; keys: Map<string, Entry> }>();
  private readonly variables: VariableSpec[] = [];

  constructor(
    private readonly file: string,
    private readonly lines: string[],
  ) {}

  private fail(line: number | undefined, detail: string, column?: number): never {
    throw new ModelDefinitionError(this.file, line, detail, column);
  }

  read(sha256: string, options: ParseModelOptions): ModelDefinition {
    this.scan();
    const metadata = this.metadata();
    const variablesSection = this.sections.get("variables");
    if (!variablesSection)
      this.fail(undefined, "no [VARIABLES] section: the model needs variables");
    if (this.variables.length === 0)
      this.fail(variablesSection.line, "[VARIABLES] declares no variable");
    const fn = this.function();
    const { scenarios, seed } = this.simulation(options);
    const consumerTimeoutS = this.configuration();
    return {
      metadata,
      variables: this.variables,
      function: fn,
      scenarios,
      seed,
      consumerTimeoutS,
      sha256,
    };
  }

  /** Splits the file into sections and keys, reading `[VARIABLES]` lines as it goes. */
  private scan(): void {
    let section: string | undefined;
    for (let i = 0; i < this.lines.length; i++) {
      const raw = this.lines[i] as string;
      const lineNo = i + 1;
      const trimmed = raw.trim();
      if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
      if (trimmed.startsWith("[")) {
        const header = stripComment(raw);
        const match = /^\[([^\]]*)\]$/.exec(header);
        if (!match) this.fail(lineNo, `a section header is written [NAME], not ${header}`);
        const name = normalizeName((match[1] as string).trim());
        if (!(name in SECTION_KEYS)) {
          const near = suggest(name, Object.keys(SECTION_KEYS));
          this.fail(
            lineNo,
            `unknown section [${(match[1] as string).trim()}]${
              near ? ` (did you mean [${near.toUpperCase()}]?)` : ""
            }; the sections are ${Object.keys(SECTION_KEYS)
              .map((s) => `[${s.toUpperCase()}]`)
              .join(", ")}`,
          );
        }
        const previous = this.sections.get(name);
        if (previous)
          this.fail(
            lineNo,
            `section [${name.toUpperCase()}] again (first at line ${previous.line})`,
          );
        this.sections.set(name, { line: lineNo, keys: new Map() });
        section = name;
        continue;
      }
      if (section === undefined)
        this.fail(lineNo, "this line is outside any section (the file starts with [MODELO])");
      if (section === "variables") {
        this.variable(stripComment(raw), lineNo);
        continue;
      }
      i = this.keyValue(section, raw, i);
    }
  }

  /** Reads `key = value` at line index `i`; returns the index of the last line it used. */
  private keyValue(section: string, raw: string, i: number): number {
    const lineNo = i + 1;
    const eq = raw.indexOf("=");
    if (eq < 0)
      this.fail(lineNo, `expected key = value in [${section.toUpperCase()}], got ${raw.trim()}`);
    const keyText = raw.slice(0, eq).trim();
    const key = normalizeName(keyText);
    const known = SECTION_KEYS[section] as readonly string[];
    if (!known.includes(key)) {
      const near = suggest(key, known);
      this.fail(
        lineNo,
        `unknown key ${keyText} in [${section.toUpperCase()}]${
          near ? ` (did you mean ${near}?)` : ""
        }; its keys are ${known.join(", ")}`,
      );
    }
    const keys = this.sections.get(section)?.keys as Map<string, Entry>;
    const previous = keys.get(key);
    if (previous) this.fail(lineNo, `${key} is given twice (first at line ${previous.line})`);

    const afterEq = raw.slice(eq + 1);
    const leading = afterEq.length - afterEq.trimStart().length;
    const offset = eq + 1 + leading;
    if (key === "codigo" && afterEq.trimStart().startsWith('"""')) {
      return this.codeBlock(keys, raw, i, offset + 3);
    }
    if (key === "codigo")
      this.fail(
        lineNo,
        'codigo is written in a """ block: codigo = """ function modelo(…) { … } """',
      );
    keys.set(key, { value: stripComment(afterEq), line: lineNo, offset });
    return i;
  }

  /** A `"""` block starting at `start` in line index `i`; returns the index of its last line. */
  private codeBlock(keys: Map<string, Entry>, raw: string, i: number, start: number): number {
    const lineNo = i + 1;
    const parts: string[] = [];
    let text = raw.slice(start);
    for (let j = i; j < this.lines.length; j++) {
      if (j > i) text = this.lines[j] as string;
      const close = text.indexOf('"""');
      if (close >= 0) {
        parts.push(text.slice(0, close));
        const rest = text.slice(close + 3).trim();
        if (rest !== "" && !rest.startsWith("#") && !rest.startsWith(";"))
          this.fail(j + 1, `unexpected text after the closing """ of codigo: ${rest}`);
        keys.set("codigo", { value: parts.join("\n"), line: lineNo, offset: start });
        return j;
      }
      parts.push(text);
    }
    return this.fail(lineNo, 'the """ block of codigo opened here is never closed');
  }

  private metadata(): ModelMetadata {
    const keys = this.sections.get("modelo")?.keys;
    const get = (key: string) => keys?.get(key)?.value;
    const metadata: ModelMetadata = {
      nombre: get("nombre") || basename(this.file, extname(this.file)),
      version: get("version") ?? "",
    };
    for (const key of ["descripcion", "autor", "fecha_creacion"] as const) {
      const value = get(key);
      if (value !== undefined) metadata[key] = value;
    }
    return metadata;
  }

  private variable(text: string, lineNo: number): void {
    const fields = text.split(",").map((field) => field.trim());
    if (fields.length < 3)
      this.fail(
        lineNo,
        `a variable is written name, type, distribution, parameter=value, …, not ${text}`,
      );
    const [name, typeText, distributionText, ...paramTexts] = fields as [
      string,
      string,
      string,
      ...string[],
    ];
    if (!NAME.test(name))
      this.fail(
        lineNo,
        `variable name "${name}" is not a name (letters, digits and _, not starting with a digit)`,
      );
    if (RESERVED_WORDS.has(name))
      this.fail(lineNo, `variable name "${name}" is a word of the expression grammar; rename it`);
    if (JS_RESERVED.has(name))
      this.fail(lineNo, `variable name "${name}" is a reserved word in JavaScript; rename it`);
    const duplicate = this.variables.find((v) => v.name === name);
    if (duplicate)
      this.fail(lineNo, `variable ${name} is declared twice (first at line ${duplicate.line})`);

    const type = typeText.toLowerCase();
    if (type !== "float" && type !== "int")
      this.fail(lineNo, `variable ${name}: the type is float or int, not "${typeText}"`);

    const distribution = distributionText.toLowerCase() as DistributionName;
    const expected = DISTRIBUTIONS[distribution];
    if (!Object.hasOwn(DISTRIBUTIONS, distribution) || expected === undefined) {
      const near = suggest(distribution, Object.keys(DISTRIBUTIONS));
      this.fail(
        lineNo,
        `variable ${name}: unknown distribution "${distributionText}"${
          near ? ` (did you mean ${near}?)` : ""
        }; the distributions are ${Object.keys(DISTRIBUTIONS).join(", ")}`,
      );
    }

    const params: Record<string, number> = {};
    for (const paramText of paramTexts) {
      const eq = paramText.indexOf("=");
      if (eq < 0)
        this.fail(lineNo, `variable ${name}: parameter "${paramText}" is not written name=value`);
      const key = paramText.slice(0, eq).trim().toLowerCase();
      const valueText = paramText.slice(eq + 1).trim();
      if (!expected.includes(key)) {
        const near = suggest(key, expected);
        this.fail(
          lineNo,
          `variable ${name}: ${distribution} has no parameter "${key}"${
            near ? ` (did you mean ${near}?)` : ""
          }; its parameters are ${expected.join(", ")}`,
        );
      }
      if (Object.hasOwn(params, key))
        this.fail(lineNo, `variable ${name}: parameter ${key} is given twice`);
      const value = Number(valueText);
      if (!NUMBER.test(valueText) || !Number.isFinite(value))
        this.fail(lineNo, `variable ${name}: ${key} must be a number, not "${valueText}"`);
      params[key] = value;
    }
    const missing = expected.filter((key) => !Object.hasOwn(params, key));
    if (missing.length > 0)
      this.fail(
        lineNo,
        `variable ${name}: ${distribution} needs ${missing.join(" and ")} (its parameters are ${expected.join(", ")})`,
      );
    const problem = impossibleParameters(distribution, type, params);
    if (problem) this.fail(lineNo, `variable ${name}: ${problem}`);
    this.variables.push({ name, type, distribution, params, line: lineNo });
  }

  private function(): ModelFunction {
    const section = this.sections.get("funcion");
    if (!section)
      this.fail(undefined, "no [FUNCION] section: the model needs an expresion or a codigo");
    const expresion = section.keys.get("expresion");
    const codigo = section.keys.get("codigo");
    if (expresion && codigo) {
      const [first, second] =
        expresion.line < codigo.line ? [expresion, codigo] : [codigo, expresion];
      this.fail(
        second.line,
        `[FUNCION] holds either expresion or codigo, not both (the other is at line ${first.line})`,
      );
    }
    if (codigo) {
      if (codigo.value.trim() === "") this.fail(codigo.line, "codigo is empty");
      return { kind: "codigo", source: codigo.value, line: codigo.line };
    }
    if (!expresion) this.fail(section.line, '[FUNCION] needs expresion = … or codigo = """…"""');
    try {
      parseExpression(
        expresion.value,
        this.variables.map((v) => v.name),
      );
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      const column = expresion.offset + error.column;
      this.fail(expresion.line, `expresion: ${error.detail} (column ${column})`, column);
    }
    return { kind: "expresion", source: expresion.value, line: expresion.line };
  }

  private simulation(options: ParseModelOptions): { scenarios: number; seed: number } {
    const section = this.sections.get("simulacion");
    const scenariosEntry = section?.keys.get("numero_escenarios");
    const seedEntry = section?.keys.get("semilla_aleatoria");
    let scenarios = options.scenarios;
    if (scenariosEntry) {
      const { value, line } = scenariosEntry;
      const n = Number(value);
      if (!INTEGER.test(value) || !Number.isSafeInteger(n) || n < 1)
        this.fail(line, `numero_escenarios must be a positive integer, not "${value}"`);
      scenarios ??= n;
    }
    if (scenarios === undefined)
      this.fail(
        section?.line,
        section
          ? "[SIMULACION] needs numero_escenarios"
          : "no [SIMULACION] section with numero_escenarios (how many scenarios to run)",
      );
    let seed = options.seed;
    if (seedEntry) {
      const { value, line } = seedEntry;
      const n = Number(value);
      if (!INTEGER.test(value) || !Number.isSafeInteger(n))
        this.fail(line, `semilla_aleatoria must be an integer, not "${value}"`);
      seed ??= n;
    }
    seed ??= randomInt(0, 2 ** 31);
    return { scenarios, seed };
  }

  private configuration(): number {
    const entry = this.sections.get("configuracion")?.keys.get("timeout_consumidor");
    if (!entry) return DEFAULT_CONSUMER_TIMEOUT_S;
    const n = Number(entry.value);
    if (!NUMBER.test(entry.value) || !Number.isFinite(n) || n <= 0)
      this.fail(
        entry.line,
        `timeout_consumidor must be a number of seconds above 0, not "${entry.value}"`,
      );
    return n;
  }
}

/** Why a variable's parameters cannot be drawn from, or undefined when they can. */
export function impossibleParameters(
  distribution: DistributionName,
  type: "float" | "int",
  p: Record<string, number>,
): string | undefined {
  const v = (key: string) => p[key] as number;
  switch (distribution) {
    case "normal":
      return v("std") > 0 ? undefined : `std must be above 0, not ${v("std")}`;
    case "uniform":
      if (v("min") >= v("max")) return `min must be below max (min=${v("min")}, max=${v("max")})`;
      if (type === "int" && !(Number.isInteger(v("min")) && Number.isInteger(v("max"))))
        return `an int uniform needs integer min and max (min=${v("min")}, max=${v("max")})`;
      return undefined;
    case "exponential":
    case "poisson":
      return v("lambda") > 0 ? undefined : `lambda must be above 0, not ${v("lambda")}`;
    case "lognormal":
      return v("sigma") > 0 ? undefined : `sigma must be above 0, not ${v("sigma")}`;
    case "triangular":
      if (!(v("left") <= v("mode") && v("mode") <= v("right")))
        return `triangular needs left ≤ mode ≤ right (left=${v("left")}, mode=${v("mode")}, right=${v("right")})`;
      if (v("left") === v("right"))
        return `triangular needs left below right (both are ${v("left")})`;
      return undefined;
    case "binomial":
      if (!Number.isSafeInteger(v("n")) || v("n") < 0)
        return `n must be a non-negative integer, not ${v("n")}`;
      if (!(v("p") >= 0 && v("p") <= 1)) return `p must be between 0 and 1, not ${v("p")}`;
      return undefined;
    case "constant":
      return undefined;
  }
}
