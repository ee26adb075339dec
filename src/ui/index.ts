/**
 * The web console as a library: start it from your own code (`startConsole`), or build
 * the hono app over a pipeline source and drive it with `app.request()`. Reference:
 * docs/console.md.
 *
 * @example
 * import { startConsole } from "empresa-etl/ui";
 *
 * const ui = await startConsole({ port: 8501, stepsDir: "steps", dbPath: "database/empresa.db" });
 * console.log(`open ${ui.url}/pipeline`);
 * process.once("SIGTERM", () => void ui.close()); // stop accepting, finish in-flight, close
 *
 * @module
 */
export { type ConsoleAppOptions, createConsoleApp } from "./app.js";
export { type Assets, loadAssets } from "./assets/index.js";
export { type UiRunResult, uiCommand } from "./command.js";
export { ConsoleError } from "./http/errors.js";
export { UI_OPTIONS, type UiConfig } from "./options.js";
export { createPipelineSource, type PipelineSourceOptions } from "./pipeline/adapter.js";
export type { PipelineSource } from "./pipeline/source.js";
export {
  createSchedulerSource,
  type SchedulerSource,
  type SchedulerSourceOptions,
} from "./scheduler/source.js";
export { type ConsoleOptions, type RunningConsole, startConsole } from "./server.js";
export type { OverviewView } from "./views/overview.js";
export type * from "./views/pipeline-model.js";
export type * from "./views/scheduler-model.js";
