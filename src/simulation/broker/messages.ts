/**
 * Encoding and decoding of the messages described in `topology.ts`, and the model's
 * signature (HMAC-SHA256 with `SIM_SECRET`).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { ScenarioTape } from "../random/index.js";
import type { ModelDefinition } from "../types.js";

/** AMQP headers as amqplib gives them. */
export type Headers = Record<string, unknown> | undefined;

export interface ModelMessage {
  model_id: string;
  run: string;
  published_at: string;
  definition: ModelDefinition;
}

/** hex HMAC-SHA256 of `body` with `secret`. */
export function sign(body: Uint8Array, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/** Whether `signature` is `body`'s signature with `secret` (constant time). */
export function signatureMatches(body: Uint8Array, signature: unknown, secret: string): boolean {
  if (typeof signature !== "string" || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(sign(body, secret), "hex");
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

export function encodeModel(message: ModelMessage, secret: string | undefined) {
  const body = Buffer.from(JSON.stringify(message));
  const headers: Record<string, unknown> = {};
  if (secret) headers.signature = sign(body, secret);
  return { body, headers };
}

/** The model message's body, or a reason why it is not one. */
export function decodeModel(body: Buffer): ModelMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    return "the model message is not JSON";
  }
  const message = value as Partial<ModelMessage> | null;
  if (
    !message ||
    typeof message.model_id !== "string" ||
    typeof message.run !== "string" ||
    !message.definition ||
    typeof message.definition !== "object" ||
    !Array.isArray(message.definition.variables) ||
    !message.definition.function ||
    !message.definition.metadata
  )
    return "the model message lacks model_id, run or a definition";
  return message as ModelMessage;
}

/**
 * The `format` header of a scenario batch whose body is a tape. Batches of the format
 * before tapes (drawn values, with a `width` header) are malformed to a consumer of this
 * one, and this one's to those (no `width`): neither can take the other's numbers for its own.
 */
export const TAPE_FORMAT = "tape/1";

/** A scenario batch's headers (`escenarios`). */
export interface BatchHeaders {
  model_id: string;
  run: string;
  first_id: number;
  count: number;
  /** The body's format: `TAPE_FORMAT`, or what another version sent. */
  format: string | undefined;
}

const positiveInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** The ids of a batch (or of a result, a note, a dead letter), or undefined if malformed. */
export function batchHeaders(headers: Headers): BatchHeaders | undefined {
  if (!headers) return undefined;
  const { model_id, run, first_id, count, format } = headers;
  if (typeof model_id !== "string" || typeof run !== "string") return undefined;
  if (!positiveInteger(first_id) || first_id < 1 || !positiveInteger(count) || count < 1)
    return undefined;
  return {
    model_id,
    run,
    first_id,
    count,
    format: typeof format === "string" ? format : undefined,
  };
}

/** The doubles of `bytes` (copied: a message's buffer is a view of a larger one, unaligned). */
export function toDoubles(bytes: Uint8Array): Float64Array {
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 8));
  return out;
}

export function doublesBuffer(values: Float64Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** A scenario batch's body: its tape's doubles. */
export function encodeTape(tape: ScenarioTape): Buffer {
  return Buffer.from(doublesBuffer(tape.parts));
}

/** A scenario batch's tape from its body, or a reason why the body is not one. */
export function decodeTape(body: Buffer, headers: BatchHeaders): ScenarioTape | string {
  if (headers.format !== TAPE_FORMAT)
    return `its format is ${headers.format === undefined ? "not given" : JSON.stringify(headers.format)}, not ${TAPE_FORMAT} (a producer of another version?)`;
  const { first_id: firstId, count } = headers;
  if (body.length % 8 !== 0) return `its body has ${body.length} bytes, not whole doubles`;
  return { firstId, count, parts: toDoubles(body) };
}

/** A result batch's body: the outputs' doubles one after another, then the errors' JSON. */
export function encodeResults(
  outputs: string[],
  columns: Record<string, Float64Array>,
  errors: { escenario_id: number; message: string }[],
): { body: Buffer; errorsBytes: number } {
  const errorsJson = errors.length > 0 ? Buffer.from(JSON.stringify(errors)) : Buffer.alloc(0);
  const parts = outputs.map((name) => doublesBuffer(columns[name] as Float64Array));
  parts.push(errorsJson);
  return { body: Buffer.concat(parts), errorsBytes: errorsJson.length };
}

export interface DecodedResults {
  outputs: Record<string, Float64Array>;
  errors: { escenario_id: number; message: string }[];
}

/** A result batch's body, or a reason why it is malformed. */
export function decodeResults(
  body: Buffer,
  headers: Headers,
  count: number,
): DecodedResults | string {
  const names = headers?.outputs;
  const errorsBytes = headers?.errors_bytes;
  if (!Array.isArray(names) || !names.every((name) => typeof name === "string"))
    return "no outputs header";
  if (!positiveInteger(errorsBytes)) return "no errors_bytes header";
  const valueBytes = names.length * count * 8;
  if (body.length !== valueBytes + errorsBytes)
    return `a body of ${body.length} bytes, not ${valueBytes + errorsBytes}`;
  const all = toDoubles(body.subarray(0, valueBytes));
  const outputs: Record<string, Float64Array> = {};
  names.forEach((name: string, i) => {
    outputs[name] = all.subarray(i * count, (i + 1) * count);
  });
  let errors: { escenario_id: number; message: string }[] = [];
  if (errorsBytes > 0) {
    try {
      errors = JSON.parse(body.subarray(valueBytes).toString("utf8"));
    } catch {
      return "its errors are not JSON";
    }
    if (!Array.isArray(errors)) return "its errors are not a list";
  }
  return { outputs, errors };
}
