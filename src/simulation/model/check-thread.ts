/**
 * The thread a `codigo` model is tried on (`check.ts`): compiles it and runs its test
 * scenario, then answers with the outputs or why not.
 */
import { parentPort, workerData } from "node:worker_threads";
import { describeError } from "../../errors.js";
import type { ModelDefinition } from "../types.js";
import { ModelDefinitionError } from "./errors.js";
import { compileModel } from "./load.js";

export interface CheckRequest {
  definition: ModelDefinition;
  file: string;
}

export type CheckReply =
  | { outputs: string[] }
  | { definition: { file: string; line: number | undefined; detail: string; column?: number } }
  | { message: string };

const port = parentPort;
if (!port) throw new Error("check-thread.ts runs on a worker thread");
const { definition, file } = (workerData as { request: CheckRequest }).request;
let reply: CheckReply;
try {
  reply = { outputs: compileModel(definition, { allowCode: true, file }).outputs };
} catch (error) {
  reply =
    error instanceof ModelDefinitionError
      ? {
          definition: {
            file: error.file,
            line: error.line,
            detail: error.detail,
            column: error.column,
          },
        }
      : { message: describeError(error) };
}
port.postMessage(reply);
