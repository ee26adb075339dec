import type { JobQueue } from "../../files/types.js";
import type { Logger } from "../../log.js";
import type { SimulationService } from "../../simulation/service.js";
import type { Assets } from "../assets/index.js";
import type { SseOptions } from "../http/sse.js";
import type { PipelineSource } from "../pipeline/source.js";
import type { SchedulerSource } from "../scheduler/source.js";
import type { SimulationsInfo } from "../views/simulations.js";

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
  /** The large-CSV system (`/files`): the upload limit and where jobs run; absent without it. */
  files?: FilesPageInfo;
  /** The file jobs' queue (the overview lists its jobs); absent without the large-CSV system. */
  jobs?: JobQueue;
  /** The simulations (`/simulations`) and what the page shows of their settings; absent without them. */
  simulations?: { service: SimulationService; info: SimulationsInfo };
  log?: Pick<Logger, "info" | "warn" | "error" | "debug">;
}

/** What `/files` shows of its settings. */
export interface FilesPageInfo {
  /** `MAX_FILE_SIZE_MB` in bytes: larger uploads are refused (413). */
  maxFileBytes: number;
  /** Where jobs run: the console's worker threads, or BullMQ on Redis (`npm run worker`). */
  queue: "embedded" | "bullmq";
}
