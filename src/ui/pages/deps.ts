import type { Logger } from "../../log.js";
import type { Assets } from "../assets/index.js";
import type { SseOptions } from "../http/sse.js";
import type { PipelineSource } from "../pipeline/source.js";
import type { SchedulerSource } from "../scheduler/source.js";

/** What every page module gets from the console. */
export interface PageDeps {
  assets: Assets;
  pipeline: PipelineSource;
  /** The scheduler daemon's status file, schedule and history (`/scheduler`, the overview). */
  scheduler: SchedulerSource;
  /** The sales database the overview reads (`DB_PATH`). */
  dbPath: string;
  /** Heartbeats and the shutdown signal of every SSE stream. */
  sse: SseOptions;
  log?: Pick<Logger, "info" | "warn" | "error" | "debug">;
}
