// The body of a file job's thread (started by `processInThread` through boot.mjs): runs
// `processFile` and posts its progress and outcome to the thread that started it.
import { basename } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { describeError } from "../../errors.js";
import { processFile } from "../process.js";
import type { OutputName } from "../types.js";
import type { ThreadMessage, ThreadTask } from "./run-thread.js";

const task = (workerData as { task: ThreadTask }).task;
const post = (message: ThreadMessage) => parentPort?.postMessage(message);

try {
  const { outputs, profile } = await processFile(task.path, {
    name: task.name,
    outDir: task.outDir,
    chunkSize: task.chunkSize,
    profileJson: true,
    onProgress: (progress) => post({ type: "progress", ...progress }),
  });
  post({
    type: "done",
    outputs: Object.fromEntries(
      Object.entries(outputs).map(([name, path]) => [name, basename(path)]),
    ) as Record<OutputName, string>,
    rows: profile.resumen.filas, // the rows profiled, as the progress events and resumen count them
  });
} catch (error) {
  // The upload is stored under its id: name the file as the person knows it.
  post({ type: "error", message: describeError(error).replaceAll(task.path, task.name) });
}
