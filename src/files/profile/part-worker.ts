import { parentPort, workerData } from "node:worker_threads";
import { AppError, describeError, InputError } from "../../errors.js";
import { type PartInput, readPart } from "./part.js";

/**
 * A profile thread: reads one byte range of the file and posts its column states back
 * (the typed arrays transferred, not copied). Progress goes out after every chunk.
 */
export type PartMessage =
  | { type: "progress"; rows: number; bytes: number }
  | { type: "done"; result: Awaited<ReturnType<typeof readPart>> }
  | {
      type: "error";
      message: string;
      file?: string;
      line?: number;
      detail?: string;
      code?: string;
    };

const port = parentPort;
if (!port) throw new Error("part-worker.ts must run in a worker thread");
const input = (workerData as { input: PartInput }).input;
try {
  const result = await readPart(input, (rows, bytes) =>
    port.postMessage({ type: "progress", rows, bytes } satisfies PartMessage),
  );
  const transfer = result.states.flatMap((state) =>
    [state.numbers.values, state.numbers.weights, state.dates.values, state.dates.weights].flatMap(
      (array) => (array && array.length > 0 ? [array.buffer] : []),
    ),
  );
  port.postMessage({ type: "done", result } satisfies PartMessage, transfer as ArrayBuffer[]);
} catch (error) {
  const message: PartMessage =
    error instanceof InputError
      ? {
          type: "error",
          message: error.message,
          file: error.file,
          line: error.line,
          detail: error.detail,
          code: error.code,
        }
      : {
          type: "error",
          message: error instanceof AppError ? error.message : describeError(error),
        };
  port.postMessage(message);
}
