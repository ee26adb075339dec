// Entry of a file job's thread: lets the worker run the TypeScript sources through tsx
// (Node 20 does not pass the parent's module hooks to workers; the tests run the sources),
// then loads the thread's code. The build (scripts/build.mjs) copies this file as is.
import { workerData } from "node:worker_threads";

if (workerData.entry.endsWith(".ts")) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.entry);
