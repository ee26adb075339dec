// Entry of the reader thread: lets a worker run the TypeScript sources through tsx
// (Node 20 does not pass the parent's module hooks to workers), then loads the worker.
import { workerData } from "node:worker_threads";

if (workerData.entry.endsWith(".ts")) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.entry);
