/**
 * The Monte Carlo model: its file read into a `ModelDefinition`, its `expresion` compiled
 * from a checked syntax tree, its `codigo` compiled only when allowed.
 */

export { type CheckedModel, checkModelSource } from "./check.js";
export {
  checkedEvaluate,
  compileCode,
  outputsOf,
  RESERVED_COLUMNS,
  SINGLE_OUTPUT,
} from "./code.js";
export { ExpressionError, ModelDefinitionError } from "./errors.js";
export {
  compileExpression,
  compileNode,
  EXPRESSION_FUNCTIONS,
  type ExpressionNode,
  expressionVariables,
  generateSource,
  parseExpression,
  RESERVED_WORDS,
} from "./expression.js";
export {
  type CompiledModel,
  type CompileModelOptions,
  compileModel,
  type LoadedModel,
  type LoadModelOptions,
  loadModel,
  loadModelSource,
  readModelFile,
  testScenario,
} from "./load.js";
export {
  DEFAULT_CONSUMER_TIMEOUT_S,
  DISTRIBUTIONS,
  decodeModelBytes,
  impossibleParameters,
  type ParseModelOptions,
  parseModel,
} from "./parse-file.js";
