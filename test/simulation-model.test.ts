import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jsep from "jsep";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import {
  compileExpression,
  ExpressionError,
  expressionVariables,
  generateSource,
  loadModel,
  loadModelSource,
  ModelDefinitionError,
  parseExpression,
  parseModel,
  testScenario,
} from "../src/simulation/model/index.js";
import { tempDir } from "./helpers/tmp.js";

const BASE = `[MODELO]
nombre = prueba
version = 1

[VARIABLES]
x, float, normal, media=0, std=1
y, float, uniform, min=0, max=10

[FUNCION]
expresion = x + y

[SIMULACION]
numero_escenarios = 100
semilla_aleatoria = 7
`;

/** BASE with one piece of text replaced (it must be there). */
function edit(from: string, to: string, base = BASE): string {
  expect(base).toContain(from);
  return base.replace(from, to);
}

/** The 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  expect(index, `no line contains ${needle}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

/** The error loading `text` throws. */
function definitionError(text: string, allowCode = false): ModelDefinitionError {
  try {
    loadModelSource(text, "m.ini", { allowCode });
  } catch (error) {
    expect(error).toBeInstanceOf(ModelDefinitionError);
    const e = error as ModelDefinitionError;
    expect(e.exitCode).toBe(2);
    expect(e.code).toBe("definition");
    expect(e.message).toBe(`m.ini${e.line === undefined ? "" : `:${e.line}`}: ${e.detail}`);
    return e;
  }
  throw new Error("the model loaded");
}

const CODE = (body: string) => edit("expresion = x + y", `codigo = """\n${body}\n"""`);

interface Case {
  name: string;
  text: string;
  /** A piece of the offending line; undefined when the error names no line. */
  at: string | undefined;
  reason: RegExp;
  allowCode?: boolean;
}

const CASES: Case[] = [
  // sections and keys
  {
    name: "unknown section",
    text: edit("[SIMULACION]", "[SIMULACIONES]"),
    at: "[SIMULACIONES]",
    reason: /unknown section \[SIMULACIONES\] \(did you mean \[SIMULACION\]\?\)/,
  },
  {
    name: "malformed section header",
    text: edit("[FUNCION]", "[FUNCION"),
    at: "[FUNCION",
    reason: /section header is written \[NAME\]/,
  },
  {
    name: "a line before any section",
    text: `nombre = x\n${BASE}`,
    at: "nombre = x",
    reason: /outside any section/,
  },
  {
    name: "a section twice",
    text: `${BASE}\n[modelo]\nautor = b\n`,
    at: "[modelo]",
    reason: /section \[MODELO\] again \(first at line 1\)/,
  },
  {
    name: "unknown key",
    text: edit("nombre = prueba", "nombr = prueba"),
    at: "nombr = prueba",
    reason: /unknown key nombr in \[MODELO\] \(did you mean nombre\?\)/,
  },
  {
    name: "a key twice",
    text: edit("version = 1", "version = 1\nversion = 2"),
    at: "version = 2",
    reason: /version is given twice \(first at line 3\)/,
  },
  {
    name: "a line that is not key = value",
    text: edit("version = 1", "version 1"),
    at: "version 1",
    reason: /expected key = value in \[MODELO\]/,
  },
  // variables
  {
    name: "unknown distribution",
    text: edit("x, float, normal,", "x, float, gauss,"),
    at: "gauss",
    reason: /variable x: unknown distribution "gauss"/,
  },
  {
    name: "unknown distribution, near one",
    text: edit("x, float, normal,", "x, float, normall,"),
    at: "normall",
    reason: /unknown distribution "normall" \(did you mean normal\?\)/,
  },
  {
    name: "unknown parameter, far from any",
    text: edit("media=0", "mean=0"),
    at: "mean=0",
    reason: /normal has no parameter "mean"; its parameters are media, std/,
  },
  {
    name: "unknown parameter",
    text: edit("media=0", "medai=0"),
    at: "medai=0",
    reason:
      /normal has no parameter "medai" \(did you mean media\?\); its parameters are media, std/,
  },
  {
    name: "missing parameter",
    text: edit("media=0, std=1", "media=0"),
    at: "x, float",
    reason: /variable x: normal needs std/,
  },
  {
    name: "a parameter twice",
    text: edit("media=0, std=1", "media=0, std=1, std=2"),
    at: "x, float",
    reason: /parameter std is given twice/,
  },
  {
    name: "a parameter that is not a number",
    text: edit("std=1", "std=uno"),
    at: "std=uno",
    reason: /std must be a number, not "uno"/,
  },
  {
    name: "a parameter that is not name=value",
    text: edit("media=0, std=1", "0, 1"),
    at: "x, float",
    reason: /parameter "0" is not written name=value/,
  },
  { name: "std = 0", text: edit("std=1", "std=0"), at: "std=0", reason: /std must be above 0/ },
  { name: "std < 0", text: edit("std=1", "std=-1"), at: "std=-1", reason: /std must be above 0/ },
  {
    name: "uniform min = max",
    text: edit("min=0, max=10", "min=10, max=10"),
    at: "min=10",
    reason: /min must be below max/,
  },
  {
    name: "uniform min > max",
    text: edit("min=0, max=10", "min=11, max=10"),
    at: "min=11",
    reason: /min must be below max/,
  },
  {
    name: "int uniform with fractional bounds",
    text: edit("y, float, uniform, min=0, max=10", "y, int, uniform, min=0.5, max=10"),
    at: "min=0.5",
    reason: /int uniform needs integer min and max/,
  },
  {
    name: "exponential lambda = 0",
    text: edit("y, float, uniform, min=0, max=10", "y, float, exponential, lambda=0"),
    at: "lambda=0",
    reason: /lambda must be above 0/,
  },
  {
    name: "poisson lambda < 0",
    text: edit("y, float, uniform, min=0, max=10", "y, int, poisson, lambda=-2"),
    at: "lambda=-2",
    reason: /lambda must be above 0/,
  },
  {
    name: "lognormal sigma = 0",
    text: edit("y, float, uniform, min=0, max=10", "y, float, lognormal, mu=0, sigma=0"),
    at: "sigma=0",
    reason: /sigma must be above 0/,
  },
  {
    name: "triangular mode > right",
    text: edit(
      "y, float, uniform, min=0, max=10",
      "y, float, triangular, left=0, mode=11, right=10",
    ),
    at: "mode=11",
    reason: /left ≤ mode ≤ right/,
  },
  {
    name: "triangular mode < left",
    text: edit(
      "y, float, uniform, min=0, max=10",
      "y, float, triangular, left=0, mode=-1, right=10",
    ),
    at: "mode=-1",
    reason: /left ≤ mode ≤ right/,
  },
  {
    name: "triangular left = right",
    text: edit("y, float, uniform, min=0, max=10", "y, float, triangular, left=3, mode=3, right=3"),
    at: "left=3",
    reason: /left below right/,
  },
  {
    name: "binomial n not an integer",
    text: edit("y, float, uniform, min=0, max=10", "y, int, binomial, n=2.5, p=0.5"),
    at: "n=2.5",
    reason: /n must be a non-negative integer/,
  },
  {
    name: "binomial n < 0",
    text: edit("y, float, uniform, min=0, max=10", "y, int, binomial, n=-1, p=0.5"),
    at: "n=-1",
    reason: /n must be a non-negative integer/,
  },
  {
    name: "binomial p > 1",
    text: edit("y, float, uniform, min=0, max=10", "y, int, binomial, n=3, p=1.5"),
    at: "p=1.5",
    reason: /p must be between 0 and 1/,
  },
  {
    name: "binomial p < 0",
    text: edit("y, float, uniform, min=0, max=10", "y, int, binomial, n=3, p=-0.1"),
    at: "p=-0.1",
    reason: /p must be between 0 and 1/,
  },
  {
    name: "a variable twice",
    text: edit("y, float, uniform", "x, float, uniform"),
    at: "x, float, uniform",
    reason: /variable x is declared twice \(first at line 6\)/,
  },
  {
    name: "a name that starts with a digit",
    text: edit("y, float, uniform", "1y, float, uniform"),
    at: "1y, float",
    reason: /variable name "1y" is not a name/,
  },
  {
    name: "a name with a dash",
    text: edit("y, float, uniform", "y-z, float, uniform"),
    at: "y-z, float",
    reason: /variable name "y-z" is not a name/,
  },
  ...["if", "abs", "and", "or", "not", "round", "log10"].map((word) => ({
    name: `a variable called ${word}`,
    text: edit("y, float, uniform", `${word}, float, uniform`),
    at: `${word}, float`,
    reason: new RegExp(`variable name "${word}" is a word of the expression grammar`),
  })),
  {
    name: "a variable called function",
    text: edit("y, float, uniform", "function, float, uniform"),
    at: "function, float",
    reason: /"function" is a reserved word in JavaScript/,
  },
  {
    name: "a type other than float or int",
    text: edit("y, float, uniform", "y, double, uniform"),
    at: "y, double",
    reason: /the type is float or int, not "double"/,
  },
  {
    name: "too few fields",
    text: edit("y, float, uniform, min=0, max=10", "y, float"),
    at: "y, float",
    reason: /a variable is written name, type, distribution/,
  },
  {
    name: "no [VARIABLES]",
    text: edit(
      "[VARIABLES]\nx, float, normal, media=0, std=1\ny, float, uniform, min=0, max=10\n",
      "",
    ),
    at: undefined,
    reason: /no \[VARIABLES\] section/,
  },
  {
    name: "an empty [VARIABLES]",
    text: edit("x, float, normal, media=0, std=1\ny, float, uniform, min=0, max=10\n", ""),
    at: "[VARIABLES]",
    reason: /\[VARIABLES\] declares no variable/,
  },
  // the function
  {
    name: "an expression that does not parse",
    text: edit("expresion = x + y", "expresion = x + * y"),
    at: "expresion",
    reason: /expresion: .*\(column 17\)/,
  },
  {
    name: "an unclosed parenthesis",
    text: edit("expresion = x + y", "expresion = (x + y"),
    at: "expresion",
    reason: /expresion: Unclosed \(.*\(column 19\)/,
  },
  {
    name: "an unknown variable",
    text: edit("expresion = x + y", "expresion = x + yy"),
    at: "expresion",
    reason: /expresion: unknown variable "yy" \(did you mean y\?\).*\(column 17\)/,
  },
  {
    name: "an unknown function",
    text: edit("expresion = x + y", "expresion = x + sqr(y)"),
    at: "expresion",
    reason: /expresion: unknown function "sqr" \(did you mean sqrt\?\).*\(column 17\)/,
  },
  {
    name: "an empty expression",
    text: edit("expresion = x + y", "expresion ="),
    at: "expresion",
    reason: /expresion: the expression is empty/,
  },
  {
    name: "codigo without permission",
    text: CODE("function modelo(x, y) { return x + y; }"),
    at: "codigo",
    reason: /codigo runs JavaScript.*--allow-code/,
  },
  {
    name: "both expresion and codigo",
    text: edit(
      "expresion = x + y",
      'expresion = x + y\ncodigo = """function modelo(x) { return x; }"""',
    ),
    at: "codigo",
    reason: /either expresion or codigo, not both \(the other is at line 10\)/,
    allowCode: true,
  },
  {
    name: "neither expresion nor codigo",
    text: edit("expresion = x + y", ""),
    at: "[FUNCION]",
    reason: /\[FUNCION\] needs expresion/,
  },
  {
    name: "no [FUNCION]",
    text: edit("[FUNCION]\nexpresion = x + y\n", ""),
    at: undefined,
    reason: /no \[FUNCION\] section/,
  },
  {
    name: "an unclosed codigo block",
    text: edit("expresion = x + y", 'codigo = """\nfunction modelo(x) { return x; }'),
    at: "codigo",
    reason: /the """ block of codigo opened here is never closed/,
    allowCode: true,
  },
  {
    name: "codigo outside a block",
    text: edit("expresion = x + y", "codigo = function modelo(x) { return x; }"),
    at: "codigo",
    reason: /codigo is written in a """ block/,
    allowCode: true,
  },
  {
    name: "text after the closing quotes",
    text: edit("expresion = x + y", 'codigo = """\nfunction modelo(x) { return x; }\n""" extra'),
    at: '""" extra',
    reason: /unexpected text after the closing """/,
    allowCode: true,
  },
  {
    name: "an empty codigo",
    text: edit("expresion = x + y", 'codigo = """  """'),
    at: "codigo",
    reason: /codigo is empty/,
    allowCode: true,
  },
  // simulation and configuration
  {
    name: "no numero_escenarios",
    text: edit("numero_escenarios = 100\n", ""),
    at: "[SIMULACION]",
    reason: /\[SIMULACION\] needs numero_escenarios/,
  },
  {
    name: "no [SIMULACION]",
    text: edit("[SIMULACION]\nnumero_escenarios = 100\nsemilla_aleatoria = 7\n", ""),
    at: undefined,
    reason: /no \[SIMULACION\] section with numero_escenarios/,
  },
  ...["0", "-5", "1.5", "1e3", "cien", ""].map((value) => ({
    name: `numero_escenarios = ${value}`,
    text: edit("numero_escenarios = 100", `numero_escenarios = ${value}`),
    at: "numero_escenarios",
    reason: /numero_escenarios must be a positive integer/,
  })),
  ...["1.5", "siete", "99999999999999999999"].map((value) => ({
    name: `semilla_aleatoria = ${value}`,
    text: edit("semilla_aleatoria = 7", `semilla_aleatoria = ${value}`),
    at: "semilla_aleatoria",
    reason: /semilla_aleatoria must be an integer/,
  })),
  ...["0", "-1", "soon"].map((value) => ({
    name: `timeout_consumidor = ${value}`,
    text: `${BASE}\n[CONFIGURACION]\ntimeout_consumidor = ${value}\n`,
    at: "timeout_consumidor",
    reason: /timeout_consumidor must be a number of seconds above 0/,
  })),
  {
    name: "unknown key in [CONFIGURACION]",
    text: `${BASE}\n[CONFIGURACION]\ntimeout_consumidr = 5\n`,
    at: "timeout_consumidr = 5",
    reason:
      /unknown key timeout_consumidr in \[CONFIGURACION\] \(did you mean timeout_consumidor\?\)/,
  },
];

describe("model file: every definition error names its line and reason (exit 2)", () => {
  it.each(CASES)("$name", ({ text, at, reason, allowCode }) => {
    const error = definitionError(text, allowCode);
    expect(error.detail).toMatch(reason);
    expect(error.line).toBe(at === undefined ? undefined : lineOf(text, at));
  });
});

const SECURITY = [
  "constructor",
  "x.constructor",
  'x["a"]',
  "x['constructor']",
  "this",
  "process",
  "globalThis",
  "require",
  "(()=>1)()",
  "a=1",
  "x = 1",
  "x;y",
  "x, y",
  "`a`",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template string is the point
  "`${x}`",
  "Math.PI",
  "Math.sqrt(x)",
  "[1,2]",
  "{}",
  "new Foo()",
  "eval(1)",
  "eval('1')",
  'Function("")',
  "'a'",
  '"a"',
  "abs.constructor",
  'abs["constructor"]("return process")()',
  "x.__proto__",
  "__proto__",
  "x ? y : 1",
  "x?.y",
  "abs?.(x)",
  "(x, y)",
  "x && y",
  "x || y",
  "!x",
  "~x",
  "x | 1",
  "x & 1",
  "x ^ 2",
  "x << 1",
  "x === y",
  "x ?? y",
  "true",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "x y",
  "$x",
  "0x10",
  "1e999",
  "x(1)",
  "if",
  "and",
];

describe("expresion: nothing outside the grammar compiles", () => {
  it.each(SECURITY)("%s is a definition error at the expresion's line", (expression) => {
    const text = edit("expresion = x + y", `expresion = ${expression}`);
    const error = definitionError(text);
    expect(error.line).toBe(lineOf(text, "expresion"));
    expect(error.detail).toMatch(/^expresion: .*\(column \d+\)$/);
    expect(error.column).toBeGreaterThanOrEqual("expresion = ".length + 1);
  });

  it("reports columns inside the expression", () => {
    const cases: Array<[string, number, RegExp]> = [
      ["x + q", 5, /unknown variable "q"/],
      ["x.constructor", 1, /property access/],
      ["abs(x) + Math.PI", 10, /property access/],
      ["x + eval(1)", 5, /unknown function "eval"/],
      ["x ^ 2", 3, /powers are written \*\*/],
      ["x && y", 3, /write and/],
      ["x y", 3, /an operator is missing/],
      ["0 < x < 1", 1, /comparisons cannot be chained/],
      ["abs(x, y)", 1, /abs takes 1 argument, not 2/],
      ["min(x)", 1, /min takes 2 or more arguments, not 1/],
      ["if(x, y)", 1, /if takes 3 arguments, not 2/],
      ["round(x, 1, 2)", 1, /round takes 1 or 2 arguments, not 3/],
      ["pow(x)", 1, /pow takes 2 arguments/],
      ["x + 'a'", 5, /strings are not part of the grammar/],
      ["abs", 1, /abs is a function/],
      ["x and", 3, /and needs a value on each side/],
      ["x +", 4, /ends too early/],
    ];
    for (const [source, column, reason] of cases) {
      let error: unknown;
      try {
        parseExpression(source, ["x", "y"]);
      } catch (e) {
        error = e;
      }
      expect(error, source).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).column, source).toBe(column);
      expect((error as ExpressionError).detail, source).toMatch(reason);
      expect((error as ExpressionError).exitCode).toBe(2);
    }
  });

  it("generates code from the checked tree only: no name of the expression reaches it", () => {
    const names = ["process", "constructor", "globalThis", "año"];
    const source = generateSource(
      parseExpression("process + constructor * globalThis - año", names),
    );
    expect(source).toBe("((v[0] + (v[1] * v[2])) - v[3])");
    const f = compileExpression("process + constructor * globalThis - año", names);
    expect(f([1, 2, 3, 4])).toBe(3);
  });

  it("leaves jsep's global configuration as it found it", () => {
    compileExpression("not x ** 2 and y", ["x", "y"]);
    expect(() => parseExpression("x & y", ["x", "y"])).toThrow(ExpressionError);
    expect(jsep("a ? b : c").type).toBe("ConditionalExpression");
    expect((jsep("a & b") as { operator?: string }).operator).toBe("&");
    expect(jsep("true").type).toBe("Literal");
    expect((jsep("a and b") as { type: string }).type).toBe("Compound");
  });
});

describe("expresion: semantics", () => {
  const vars = ["x", "y", "z"];
  const run = (source: string, values: number[] = [3, 2, 0]) =>
    compileExpression(source, vars)(values);

  it.each<[string, number, number[]?]>([
    ["x**2 + y", 11],
    ["2 ** 3 ** 2", 512],
    ["-x ** 2", -9],
    ["-x ** 2 + 1", -8],
    ["(-x) ** 2", 9],
    ["2 ** -y ** 2", 2 ** -4],
    ["2 * -x ** 2", -18],
    ["pow(x, y)", 9],
    ["x - -y", 5],
    ["+x", 3],
    ["x / y", 1.5],
    ["-7 % 3", -1],
    ["7 % -3", 1],
    ["x < y", 0],
    ["x > y", 1],
    ["x <= 3", 1],
    ["x >= 4", 0],
    ["x == 3", 1],
    ["x != 3", 0],
    ["(x > y) + (y > z)", 2],
    ["x and z", 0],
    ["x and y", 1],
    ["x or z", 1],
    ["z or z", 0],
    ["not z", 1],
    ["not x", 0],
    ["not x < y", 1],
    ["not x + y < 4", 1],
    ["not x and y", 0],
    ["not z and y", 1],
    ["(not x) < y", 1],
    ["x > 1 and y > 1 or z > 1", 1],
    ["z > 1 or x > 1 and y > 5", 0],
    ["if(x > y, 10, 20)", 10],
    ["if(z, 10, 20)", 20],
    ["if(x > y, if(z, 1, 2), 3)", 2],
    ["abs(-x)", 3],
    ["sqrt(16)", 4],
    ["exp(0)", 1],
    ["log(exp(2))", 2],
    ["log10(1000)", 3],
    ["min(x, y, z)", 0],
    ["max(x, y, 10, z)", 10],
    ["floor(-2.5)", -3],
    ["ceil(2.1)", 3],
    ["round(2.5)", 3],
    ["round(-2.5)", -3],
    ["round(2.4)", 2],
    ["round(1234.567, 2)", 1234.57],
    ["round(1234.567, -2)", 1200],
    ["sin(0) + cos(0) + tan(0)", 1],
    ["1e3 + .5 + 2.", 1002.5],
    ["  x\t+\ny  ", 5],
  ])("%s = %s", (source, expected, values) => {
    expect(run(source, values)).toBeCloseTo(expected, 12);
  });

  it("gives NaN or ±Infinity where the maths does (the run counts those scenarios as errors)", () => {
    expect(run("x / z")).toBe(Number.POSITIVE_INFINITY);
    expect(run("sqrt(-1)")).toBeNaN();
    expect(run("log(z)")).toBe(Number.NEGATIVE_INFINITY);
    expect(run("round(x, 0.5)")).toBeNaN();
  });

  it("lists the variables an expression uses", () => {
    expect(expressionVariables(parseExpression("z + x * z + abs(x)", vars))).toEqual(["z", "x"]);
  });

  it("compiles the contract's example to a function that reads v[i] only", () => {
    const names = ["x", "y", "z", "w", "v", "n"];
    const f = compileExpression("x**2 + y*z - w + v/(n+1)", names);
    const values = Float64Array.from([1.5, 2, 3, 0.5, 4, 1]);
    expect(f(values)).toBeCloseTo(1.5 ** 2 + 2 * 3 - 0.5 + 4 / 2, 12);
    expect(f([1.5, 2, 3, 0.5, 4, 1])).toBeCloseTo(9.75, 12);
    expect(generateSource(parseExpression("x**2 + y*z - w + v/(n+1)", names))).toBe(
      "((((v[0] ** (2)) + (v[1] * v[2])) - v[3]) + (v[4] / (v[5] + (1))))",
    );
  });
});

describe("model file: reading", () => {
  it("reads the contract's example (modelos/ejemplo.ini)", async () => {
    const path = join(import.meta.dirname, "..", "modelos", "ejemplo.ini");
    const model = await loadModel(path);
    expect(model.definition).toEqual({
      metadata: {
        nombre: "margen_ventas",
        version: "1.0",
        descripcion: "Margin of a sale under uncertain price, cost and volume",
        autor: "Finanzas",
        fecha_creacion: "2025-01-16",
      },
      variables: [
        {
          name: "x",
          type: "float",
          distribution: "normal",
          params: { media: 0, std: 1 },
          line: 10,
        },
        {
          name: "y",
          type: "float",
          distribution: "uniform",
          params: { min: 0, max: 10 },
          line: 11,
        },
        {
          name: "z",
          type: "float",
          distribution: "exponential",
          params: { lambda: 1.5 },
          line: 12,
        },
        {
          name: "w",
          type: "float",
          distribution: "lognormal",
          params: { mu: 0, sigma: 1 },
          line: 13,
        },
        {
          name: "v",
          type: "float",
          distribution: "triangular",
          params: { left: 0, mode: 5, right: 10 },
          line: 14,
        },
        { name: "n", type: "int", distribution: "binomial", params: { n: 10, p: 0.5 }, line: 15 },
      ],
      function: { kind: "expresion", source: "x**2 + y*z - w + v/(n+1)", line: 18 },
      scenarios: 10000,
      seed: 42,
      consumerTimeoutS: 300,
      sha256: createHash("sha256").update(readFileSync(path)).digest("hex"),
    });
    expect(model.outputs).toEqual(["resultado"]);
    expect(model.evaluate([1, 2, 3, 4, 5, 4])).toBeCloseTo(1 + 6 - 4 + 1, 12);
  });

  it("takes sections and keys in any case and with accents, comments anywhere, CRLF and a BOM", () => {
    const text = [
      "\uFEFF; a model",
      "# another comment",
      "[modelo]  # the metadata",
      "Nombre = acentos ; trailing comment",
      "[Variables]",
      "   # indented comment",
      "Precio, FLOAT, Normal, MEDIA=10, Std=2   # price",
      "",
      "[Función]",
      "Expresión = Precio * 2 # doubled",
      "[SIMULACIÓN]",
      "NUMERO_ESCENARIOS = 5",
    ].join("\r\n");
    const { definition, evaluate } = loadModelSource(text, "dir/acentos.ini");
    expect(definition.metadata).toEqual({ nombre: "acentos", version: "" });
    expect(definition.variables).toEqual([
      {
        name: "Precio",
        type: "float",
        distribution: "normal",
        params: { media: 10, std: 2 },
        line: 7,
      },
    ]);
    expect(definition.function).toEqual({ kind: "expresion", source: "Precio * 2", line: 10 });
    expect(definition.scenarios).toBe(5);
    expect(evaluate([3])).toBe(6);
  });

  it("defaults: nombre from the file, version empty, timeout 300, a random seed", () => {
    const text = edit("[MODELO]\nnombre = prueba\nversion = 1\n", "").replace(
      "semilla_aleatoria = 7\n",
      "",
    );
    const a = parseModel(text, "models/ventas.ini");
    expect(a.metadata).toEqual({ nombre: "ventas", version: "" });
    expect(a.consumerTimeoutS).toBe(300);
    expect(Number.isSafeInteger(a.seed)).toBe(true);
    expect(
      parseModel(`${BASE}[CONFIGURACION]\ntimeout_consumidor = 2.5\n`, "m.ini").consumerTimeoutS,
    ).toBe(2.5);
  });

  it("overrides numero_escenarios and semilla_aleatoria (then numero_escenarios may be absent)", () => {
    expect(parseModel(BASE, "m.ini", { scenarios: 9, seed: -3 })).toMatchObject({
      scenarios: 9,
      seed: -3,
    });
    const without = edit("numero_escenarios = 100\n", "");
    expect(loadModelSource(without, "m.ini", { scenarios: 4 }).definition.scenarios).toBe(4);
    for (const bad of [{ scenarios: 0 }, { scenarios: 1.5 }, { seed: 0.5 }]) {
      expect(() => loadModelSource(BASE, "m.ini", bad)).toThrow(UsageError);
    }
  });

  it("hashes the file's bytes and reads Windows-1252 when the bytes are not UTF-8", async () => {
    const dir = tempDir();
    const path = join(dir, "latin.ini");
    const text = edit("nombre = prueba", "nombre = año");
    const bytes = Buffer.from(text, "latin1");
    writeFileSync(path, bytes);
    const model = await loadModel(path);
    expect(model.definition.metadata.nombre).toBe("año");
    expect(model.definition.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("a missing file is a definition error naming it", async () => {
    const path = join(tempDir(), "none.ini");
    const error = await loadModel(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelDefinitionError);
    expect((error as ModelDefinitionError).message).toBe(
      `${path}: cannot read the model: no such file`,
    );
  });

  it("the test scenario sits at each distribution's centre (rounded for int)", () => {
    const text = edit(
      "y, float, uniform, min=0, max=10",
      [
        "y, int, uniform, min=0, max=3",
        "z, float, exponential, lambda=4",
        "w, float, lognormal, mu=1, sigma=2",
        "v, float, triangular, left=0, mode=2, right=10",
        "n, int, binomial, n=10, p=0.25",
        "k, float, poisson, lambda=3.4",
        "c, int, constant, valor=2.6",
      ].join("\n"),
    );
    const { definition } = loadModelSource(text, "m.ini");
    expect([...testScenario(definition.variables)]).toEqual([0, 2, 0.25, Math.E, 2, 3, 3, 3]);
  });
});

describe("codigo", () => {
  it("runs with permission; parameters are matched by name, in any order, any subset", () => {
    const model = loadModelSource(
      CODE("function modelo(y, x) {\n  return y * 10 + x;\n}"),
      "m.ini",
      {
        allowCode: true,
      },
    );
    expect(model.definition.function.kind).toBe("codigo");
    expect(model.outputs).toEqual(["resultado"]);
    expect(model.evaluate([1, 2])).toBe(21);
    const subset = loadModelSource(CODE("function modelo(y) { return y; }"), "m.ini", {
      allowCode: true,
    });
    expect(subset.evaluate([1, 2])).toBe(2);
  });

  it("keeps ; and # inside the block, and helpers around modelo", () => {
    const body = [
      "const label = 'a # b ; c';",
      "function twice(a) { return a * 2; } ; // ;",
      "function modelo(x) {",
      "  ; return twice(x) + label.length;",
      "}",
    ].join("\n");
    const model = loadModelSource(CODE(body), "m.ini", { allowCode: true });
    expect(model.definition.function.source).toBe(`\n${body}\n`);
    expect(model.evaluate([1, 0])).toBe(2 + 9);
  });

  it("returns several outputs as an object; a scenario that changes the shape throws", () => {
    const model = loadModelSource(
      CODE(
        "function modelo(x, y) {\n  if (x > 100) return 1;\n  if (x < -100) return { margen: x };\n  return { margen: x - y, total: x + y };\n}",
      ),
      "m.ini",
      { allowCode: true },
    );
    expect(model.outputs).toEqual(["margen", "total"]);
    expect(model.evaluate([3, 1])).toEqual({ margen: 2, total: 4 });
    expect(() => model.evaluate([101, 0])).toThrow(/returned a number, not an object/);
    expect(() => model.evaluate([-101, 0])).toThrow(/returned undefined for output total/);
  });

  it("a scenario that returns something other than a number throws", () => {
    const model = loadModelSource(
      CODE("function modelo(x) { return x > 100 ? 'big' : x; }"),
      "m.ini",
      {
        allowCode: true,
      },
    );
    expect(model.evaluate([1, 0])).toBe(1);
    expect(() => model.evaluate([101, 0])).toThrow(/returned a string, not a number/);
  });

  const codeCases: Array<{ name: string; body: string; line: number; reason: RegExp }> = [
    {
      name: "a syntax error, on its own line",
      body: "function modelo(x) {\n  return x +;\n}",
      line: 12,
      reason: /codigo: SyntaxError/,
    },
    {
      name: "no function modelo",
      body: "function model(x) { return x; }",
      line: 10,
      reason: /must define function modelo/,
    },
    {
      name: "a parameter that is not a variable",
      body: "function modelo(x, precio) { return x; }",
      line: 10,
      reason: /parameter precio is not a variable; the variables are x, y/,
    },
    {
      name: "a default parameter",
      body: "function modelo(x, y = 2) { return x; }",
      line: 10,
      reason: /parameters must be plain variable names/,
    },
    {
      name: "throws on the test scenario, at its line",
      body: "function modelo(x) {\n  const a = null;\n  return a.b + x;\n}",
      line: 13,
      reason: /modelo throws on the test scenario \(x=0, y=5\): .*null/,
    },
    {
      name: "returns a string",
      body: "function modelo(x) { return 'x'; }",
      line: 10,
      reason: /returned a string; it must return a number or an object of named numbers/,
    },
    {
      name: "returns an object with a non-number",
      body: "function modelo(x) { return { a: 1, b: 'no' }; }",
      line: 10,
      reason: /returned a string for output b/,
    },
    {
      name: "is async",
      body: "async function modelo(x) { return x; }",
      line: 10,
      reason: /must not be async/,
    },
    {
      name: "an output named like a variable",
      body: "function modelo(x) { return { y: x }; }",
      line: 10,
      reason: /an output named y, which is already a column/,
    },
    {
      name: "an output named escenario_id",
      body: "function modelo(x) { return { escenario_id: x }; }",
      line: 10,
      reason: /an output named escenario_id/,
    },
    {
      name: "top-level code that throws",
      body: "throw new Error('boom');\nfunction modelo(x) { return x; }",
      line: 11,
      reason: /running the block threw boom/,
    },
  ];

  it.each(codeCases)("$name is a definition error at line $line", ({ body, line, reason }) => {
    const error = definitionError(CODE(body), true);
    expect(error.detail).toMatch(reason);
    expect(error.line).toBe(line);
  });

  it("is strict mode: an undeclared assignment throws instead of making a global", () => {
    const error = definitionError(CODE("function modelo(x) { leaked = x; return x; }"), true);
    expect(error.detail).toMatch(/leaked is not defined/);
    expect((globalThis as Record<string, unknown>).leaked).toBeUndefined();
  });
});
