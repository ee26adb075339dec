/**
 * A model file, read, checked and compiled, ready to evaluate scenarios: `loadModel`.
 * A model received as a definition (over RabbitMQ) is compiled with `compileModel`.
 */
import { readFile } from "node:fs/promises";
import { describeError, UsageError } from "../../errors.js";
import type { Evaluate, ModelDefinition, VariableSpec } from "../types.js";
import {
  checkedEvaluate,
  compileCode,
  lineInFile,
  outputsOf,
  RESERVED_COLUMNS,
  SINGLE_OUTPUT,
} from "./code.js";
import { ExpressionError, ModelDefinitionError } from "./errors.js";
import { compileExpression } from "./expression.js";
import { parseModel } from "./parse-file.js";

export interface CompileModelOptions {
  /** Whether a `codigo` model may be compiled and run (`--allow-code`). Default false. */
  allowCode?: boolean;
  /** Names the model in messages (its file, or an upload's name). */
  file?: string;
}

export interface LoadModelOptions extends CompileModelOptions {
  /** `--scenarios`: overrides `numero_escenarios`. */
  scenarios?: number;
  /** `--seed`: overrides `semilla_aleatoria`. */
  seed?: number;
}

export interface CompiledModel {
  /** Evaluates one scenario: the variables' values in `definition.variables` order. */
  evaluate: Evaluate;
  /** The outputs, in order: `["resultado"]` for a number, else the returned object's keys. */
  outputs: string[];
}

export interface LoadedModel extends CompiledModel {
  definition: ModelDefinition;
}

/**
 * A scenario to try the model on before the run: each variable at a central value of its
 * distribution (normal: media; uniform: the midpoint; exponential: 1/lambda; lognormal: the
 * median e^mu; triangular: mode; binomial: n·p; poisson: lambda; constant: valor), rounded
 * to an integer for `int` variables and for binomial and poisson.
 */
export function testScenario(variables: readonly VariableSpec[]): Float64Array {
  return Float64Array.from(variables, ({ distribution, type, params: p }) => {
    const v = (key: string) => p[key] as number;
    let value: number;
    switch (distribution) {
      case "normal":
        value = v("media");
        break;
      case "uniform":
        value = (v("min") + v("max")) / 2;
        break;
      case "exponential":
        value = 1 / v("lambda");
        break;
      case "lognormal":
        value = Math.exp(v("mu"));
        break;
      case "triangular":
        value = v("mode");
        break;
      case "binomial":
        value = Math.round(v("n") * v("p"));
        break;
      case "poisson":
        value = Math.round(v("lambda"));
        break;
      case "constant":
        value = v("valor");
        break;
    }
    return type === "int" ? Math.round(value) : value;
  });
}

function describeScenario(variables: readonly VariableSpec[], values: Float64Array): string {
  const parts = variables.map((variable, i) => `${variable.name}=${values[i]}`);
  return parts.length > 6 ? `${parts.slice(0, 6).join(", ")}, …` : parts.join(", ");
}

/**
 * Compiles a model's function and evaluates it once on `testScenario`. Throws
 * `ModelDefinitionError` (exit 2) for `codigo` without `allowCode`, code that does not
 * compile, or a model that throws or returns something other than numbers there. A
 * non-finite result on the test scenario is accepted (it may be a point of the domain
 * that the draws never hit; such scenarios are errors during the run).
 */
export function compileModel(
  definition: ModelDefinition,
  options: CompileModelOptions = {},
): CompiledModel {
  const file = options.file ?? definition.metadata.nombre;
  const { function: fn, variables } = definition;
  const names = variables.map((variable) => variable.name);
  const values = testScenario(variables);
  if (fn.kind === "expresion") {
    let evaluate: (values: Float64Array | number[]) => number;
    try {
      evaluate = compileExpression(fn.source, names);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      throw new ModelDefinitionError(
        file,
        fn.line,
        `expresion: ${error.detail} (column ${error.column} of the expression)`,
      );
    }
    evaluate(values);
    return { evaluate, outputs: [SINGLE_OUTPUT] };
  }

  if (options.allowCode !== true)
    throw new ModelDefinitionError(
      file,
      fn.line,
      "codigo runs JavaScript, which this command does not allow: pass --allow-code to run it (or write the function as an expresion)",
    );
  const { call } = compileCode(fn.source, names, file, fn.line);
  let result: unknown;
  try {
    result = call(values);
  } catch (error) {
    throw new ModelDefinitionError(
      file,
      lineInFile(error, file) ?? fn.line,
      `codigo: modelo throws on the test scenario (${describeScenario(variables, values)}): ${describeError(error)}`,
    );
  }
  const outputs = outputsOf(result);
  if (typeof outputs === "string")
    throw new ModelDefinitionError(
      file,
      fn.line,
      `codigo: on the test scenario (${describeScenario(variables, values)}), ${outputs}`,
    );
  const single = typeof result === "number";
  for (const output of single ? [] : outputs) {
    if (RESERVED_COLUMNS.has(output) || names.includes(output))
      throw new ModelDefinitionError(
        file,
        fn.line,
        `codigo: modelo returns an output named ${output}, which is already a column of the results (${[
          ...RESERVED_COLUMNS,
          ...names,
        ].join(", ")}); rename it`,
      );
  }
  return { evaluate: checkedEvaluate(call, outputs, single), outputs };
}

/** Refuses overrides that are not a positive integer number of scenarios or an integer seed (`UsageError`). */
export function checkOverrides(options: LoadModelOptions): void {
  const { scenarios, seed } = options;
  if (scenarios !== undefined && !(Number.isSafeInteger(scenarios) && scenarios >= 1))
    throw new UsageError(`the number of scenarios must be a positive integer, not ${scenarios}`);
  if (seed !== undefined && !Number.isSafeInteger(seed))
    throw new UsageError(`the seed must be an integer, not ${seed}`);
}

/**
 * Reads a model file, checks it, compiles its function and tries it on the test scenario.
 * Throws `ModelDefinitionError` (exit 2) with the file and line for anything wrong with
 * the file (a missing file too), `UsageError` for bad overrides.
 */
export async function loadModel(
  path: string,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  checkOverrides(options);
  const file = options.file ?? path;
  return loadModelSource(await readModelFile(path, file), file, options);
}

/** A model file's bytes; a file that cannot be read is a `ModelDefinitionError` naming `file`. */
export async function readModelFile(path: string, file: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "this is a folder, not a model file"
          : describeError(error);
    throw new ModelDefinitionError(file, undefined, `cannot read the model: ${reason}`);
  }
}

/** `loadModel` for a model already in memory (an upload): `file` names it in messages. */
export function loadModelSource(
  content: string | Uint8Array,
  file: string,
  options: LoadModelOptions = {},
): LoadedModel {
  checkOverrides(options);
  const definition = parseModel(content, file, {
    scenarios: options.scenarios,
    seed: options.seed,
  });
  const compiled = compileModel(definition, { allowCode: options.allowCode, file });
  return { definition, ...compiled };
}
