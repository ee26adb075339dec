import { AppError } from "../../errors.js";

/**
 * A model file that cannot run: a syntax error, an unknown section, key, distribution or
 * parameter, an impossible parameter, an expression that does not parse, `codigo` without
 * permission, a model that throws on its test scenario. Found before anything runs; exit 2.
 * The message is `FILE:LINE: reason` (`FILE: reason` when no single line is to blame).
 */
export class ModelDefinitionError extends AppError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
    /** For an expression: the column in the file's line (1-based). */
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${detail}`, "definition", 2);
  }
}

/**
 * An expression outside the grammar, from `compileExpression`: `column` counts from 1 in the
 * expression's text. The model file's reader turns it into a `ModelDefinitionError`.
 */
export class ExpressionError extends AppError {
  constructor(
    readonly column: number,
    readonly detail: string,
  ) {
    super(`column ${column}: ${detail}`, "definition", 2);
  }
}
