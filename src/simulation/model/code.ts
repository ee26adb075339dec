/**
 * `[FUNCION] codigo`: a JavaScript `function modelo(x, y, …) { … }`, compiled only where the
 * caller allows code (`--allow-code`, or a signed model message over RabbitMQ).
 *
 * - The block is compiled in strict mode, in this process's global scope (it can use
 *   `Math` and anything else a script can: that is why it needs permission). Statements
 *   around `modelo` (helper functions, constants) run once, when it is compiled.
 * - Line numbers in its syntax errors and stack traces are the model file's.
 * - `modelo`'s parameters are matched to the variables BY NAME: any of them, in any order
 *   (`function modelo(v, x)` gets the values of v and x). A parameter that is not a variable
 *   is a definition error; so are default values, destructuring and rest parameters.
 * - It returns a number (the output `resultado`) or an object whose own keys are the
 *   outputs, each a number. The test scenario fixes which: a scenario that returns another
 *   shape, or other keys, is that scenario's error.
 */
import vm from "node:vm";
import { describeError } from "../../errors.js";
import type { Evaluate } from "../types.js";
import { ModelDefinitionError } from "./errors.js";

/** The output name of a model that returns a number. */
export const SINGLE_OUTPUT = "resultado";

/** Columns of `resultados.parquet` that an output may not be called. */
export const RESERVED_COLUMNS: ReadonlySet<string> = new Set(["escenario_id", "consumidor"]);

export interface CompiledCode {
  /** The values of a scenario (in the model's variable order) → what `modelo` returns. */
  call: (values: Float64Array | number[]) => unknown;
  /** `modelo`'s parameters, by name. */
  parameters: string[];
}

const PARAMETER = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The model-file line an error's stack points at, when it points into `file`. */
export function lineInFile(error: unknown, file: string): number | undefined {
  const stack = error instanceof Error ? String(error.stack ?? "") : "";
  const match = new RegExp(`${escapeRegExp(file)}:(\\d+)`).exec(stack);
  return match ? Number(match[1]) : undefined;
}

/** The parameter names of a compiled function, or a reason why they are not plain names. */
function parameterNames(fn: (...args: unknown[]) => unknown): string[] | string {
  const text = Function.prototype.toString.call(fn);
  const arrow = /^\s*(?:async\s+)?([\p{L}_$][\p{L}\p{N}_$]*)\s*=>/u.exec(text);
  if (arrow) return [arrow[1] as string];
  const open = text.indexOf("(");
  const close = text.indexOf(")", open);
  if (open < 0 || close < 0) return "its parameters cannot be read";
  const inside = text.slice(open + 1, close).trim();
  if (inside === "") return [];
  const names = inside
    .split(",")
    .map((name) => name.trim())
    .filter((name, i, all) => name !== "" || i < all.length - 1);
  if (names.some((name) => !PARAMETER.test(name)))
    return `its parameters must be plain variable names (no defaults, destructuring, rest or comments), not (${inside})`;
  return names;
}

/**
 * Compiles a `codigo` block. `line` is the model file's line where `source` begins (the
 * line of `codigo = """`). Throws `ModelDefinitionError` when it does not compile, does not
 * define `function modelo`, or names a parameter that is not a variable. Only call this
 * when code is allowed.
 */
export function compileCode(
  source: string,
  variableNames: readonly string[],
  file: string,
  line: number,
): CompiledCode {
  const fail = (at: number | undefined, detail: string): never => {
    throw new ModelDefinitionError(file, at ?? line, `codigo: ${detail}`);
  };
  // One line: the wrapper's start shares the block's first line, so line numbers match.
  const wrapped = `(function () { "use strict"; ${source}\n;return typeof modelo === "function" ? modelo : undefined;\n})`;
  let script: vm.Script;
  try {
    script = new vm.Script(wrapped, { filename: file, lineOffset: line - 1 });
  } catch (error) {
    const at = lineInFile(error, file);
    return fail(
      at,
      describeError(error).startsWith("SyntaxError")
        ? describeError(error)
        : `SyntaxError: ${describeError(error)}`,
    );
  }
  let modelo: unknown;
  try {
    const outer = script.runInThisContext() as () => unknown;
    modelo = outer();
  } catch (error) {
    return fail(lineInFile(error, file), `running the block threw ${describeError(error)}`);
  }
  if (typeof modelo !== "function") return fail(line, "the block must define function modelo(…)");
  const parameters = parameterNames(modelo as (...args: unknown[]) => unknown);
  if (typeof parameters === "string") return fail(line, `modelo: ${parameters}`);
  const indices = parameters.map((name) => {
    const index = variableNames.indexOf(name);
    if (index < 0)
      fail(
        line,
        `modelo's parameter ${name} is not a variable; the variables are ${variableNames.join(", ")}`,
      );
    return index;
  });
  // Generated from numbers only: the variables' indices.
  const call = new Function(
    "modelo",
    `"use strict";\nreturn function codigo(v) {\n  return modelo(${indices.map((i) => `v[${i}]`).join(", ")});\n};`,
  )(modelo) as (values: Float64Array | number[]) => unknown;
  return { call, parameters };
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && typeof (value as { then?: unknown }).then === "function")
    return "a promise (modelo must not be async)";
  const type = typeof value;
  return type === "object" || type === "undefined" ? type : `a ${type}`;
}

/**
 * The outputs a result names: `["resultado"]` for a number, the keys of an object of
 * numbers; a reason for anything else.
 */
export function outputsOf(result: unknown): string[] | string {
  if (typeof result === "number") return [SINGLE_OUTPUT];
  if (
    typeof result !== "object" ||
    result === null ||
    Array.isArray(result) ||
    typeof (result as { then?: unknown }).then === "function"
  )
    return `modelo returned ${describeValue(result)}; it must return a number or an object of named numbers`;
  const keys = Object.keys(result);
  if (keys.length === 0) return "modelo returned an object with no outputs";
  for (const key of keys) {
    const value = (result as Record<string, unknown>)[key];
    if (typeof value !== "number")
      return `modelo returned ${describeValue(value)} for output ${key}; each output must be a number`;
  }
  return keys;
}

/**
 * Wraps a compiled `codigo` so that every scenario returns the shape the test scenario did:
 * a number when `outputs` is `["resultado"]` from a number, else an object with exactly
 * those keys, each a number. Anything else throws (that scenario's error).
 */
export function checkedEvaluate(
  call: (values: Float64Array | number[]) => unknown,
  outputs: readonly string[],
  single: boolean,
): Evaluate {
  if (single) {
    return (values) => {
      const result = call(values);
      if (typeof result === "number") return result;
      throw new Error(`modelo returned ${describeValue(result)}, not a number`);
    };
  }
  const expected = outputs.length;
  return (values) => {
    const result = call(values) as Record<string, unknown>;
    if (typeof result !== "object" || result === null || Array.isArray(result))
      throw new Error(`modelo returned ${describeValue(result)}, not an object of outputs`);
    for (let i = 0; i < expected; i++) {
      const key = outputs[i] as string;
      const value = result[key];
      if (typeof value !== "number")
        throw new Error(`modelo returned ${describeValue(value)} for output ${key}, not a number`);
    }
    let count = 0;
    for (const key in result) if (Object.hasOwn(result, key)) count++;
    if (count !== expected)
      throw new Error(
        `modelo returned outputs ${Object.keys(result).join(", ")}, not ${outputs.join(", ")}`,
      );
    return result as Record<string, number>;
  };
}
