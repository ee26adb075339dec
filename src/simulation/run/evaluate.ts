/**
 * Evaluating one batch of scenarios, as every evaluator does it (a worker thread, a
 * RabbitMQ consumer): the same rules, so the results never depend on where they ran.
 *
 * A scenario is an error when the function throws or when any of its outputs is not a
 * finite number; then every output of that scenario is NaN (null in `resultados.parquet`)
 * and the batch's `errors` names it with a message. Only the first `MAX_BATCH_ERRORS`
 * messages of a batch are sent (the run keeps the 100 smallest ids overall, which are
 * always among them); the NaN outputs count every error.
 */
import { describeError } from "../../errors.js";
import type { CompiledModel } from "../model/index.js";
import type { ScenarioTape, TapeReader } from "../random/index.js";
import type { ResultBatch } from "./types.js";

/** Error messages sent per batch: the run keeps the first 100 overall. */
export const MAX_BATCH_ERRORS = 100;

/** Messages are cut to this length (as the RabbitMQ consumer does). */
const MAX_MESSAGE = 500;

/**
 * Evaluates `batch` (row-major, `width` values per scenario) with a compiled model.
 * Returns one `Float64Array` per output (NaN where the scenario failed).
 */
export function evaluateBatch(
  model: CompiledModel,
  width: number,
  batch: { firstId: number; count: number; values: Float64Array },
  consumer: string,
): ResultBatch {
  const { firstId, count, values } = batch;
  const names = model.outputs;
  const single = names.length === 1 && names[0] === "resultado";
  const columns = names.map(() => new Float64Array(count));
  const errors: ResultBatch["errors"] = [];
  const row = new Float64Array(width);
  const evaluate = model.evaluate;
  const fail = (i: number, message: string) => {
    for (const column of columns) column[i] = Number.NaN;
    if (errors.length < MAX_BATCH_ERRORS)
      errors.push({ escenario_id: firstId + i, message: message.slice(0, MAX_MESSAGE) });
  };
  for (let i = 0, k = 0; i < count; i++) {
    for (let j = 0; j < width; j++) row[j] = values[k++] as number;
    let result: number | Record<string, number>;
    try {
      result = evaluate(row);
    } catch (error) {
      fail(i, describeError(error));
      continue;
    }
    if (typeof result === "number") {
      if (Number.isFinite(result) && single) (columns[0] as Float64Array)[i] = result;
      else if (!Number.isFinite(result)) fail(i, `the result is ${result}`);
      else fail(i, "the model returned a number, not its outputs");
      continue;
    }
    let bad: string | undefined;
    for (let o = 0; o < names.length; o++) {
      const value = result[names[o] as string] as number;
      if (!Number.isFinite(value)) {
        bad = `the output ${names[o]} is ${String(value)}`;
        break;
      }
      (columns[o] as Float64Array)[i] = value;
    }
    if (bad !== undefined) fail(i, bad);
  }
  const outputs: Record<string, Float64Array> = {};
  names.forEach((name, o) => {
    outputs[name] = columns[o] as Float64Array;
  });
  return { firstId, count, outputs, errors, consumer };
}

/** A tape that does not fit its model (its size): it was not made by this run's producer. */
export class MalformedTapeError extends Error {}

/**
 * Computes a batch's values from its tape (into `scratch` when it is large enough) and
 * evaluates them (`evaluateBatch`). Throws a `MalformedTapeError` when the tape does not
 * fit the model.
 */
export function evaluateTape(
  model: CompiledModel,
  reader: TapeReader,
  tape: ScenarioTape,
  consumer: string,
  scratch?: Float64Array,
): ResultBatch {
  let values: Float64Array;
  const size = tape.count * reader.variables.length;
  try {
    values = reader.values(
      tape,
      scratch && scratch.length >= size ? scratch.subarray(0, size) : undefined,
    );
  } catch (error) {
    throw new MalformedTapeError(describeError(error));
  }
  const { firstId, count } = tape;
  return evaluateBatch(model, reader.variables.length, { firstId, count, values }, consumer);
}
