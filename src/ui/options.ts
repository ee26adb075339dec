import type { CommandConfig } from "../cli/command.js";
import { dbPathOption, hostOption, portOption } from "../cli/options.js";
import type { OptionSpecs } from "../config.js";
import { FILES_OPTIONS } from "../files/http/options.js";
import { PIPELINE_OPTIONS } from "../pipeline/command.js";
import { SCHEDULER_OPTIONS } from "../scheduler/options.js";

/** The simulation settings of the console (`/simulations`, `../shared/contracts/simulation.md`). */
export const SIMULATIONS_OPTIONS = {
  simDir: {
    type: "string",
    env: "SIM_DIR",
    default: "simulaciones",
    arg: "DIR",
    help: "Folder of the simulations' outputs: RUN_ID/resultados.parquet and RUN_ID/resumen.json",
  },
  amqpUrl: {
    type: "string",
    env: "AMQP_URL",
    arg: "URL",
    secret: true,
    help: "RabbitMQ for simulations started from /simulations in RabbitMQ mode; none: worker threads only",
  },
  simConcurrency: {
    type: "number",
    env: "SIM_CONCURRENCY",
    default: 1,
    min: 1,
    max: 16,
    integer: true,
    help: "Simulations running at once from /simulations (the others wait, queued)",
  },
  simAllowCode: {
    type: "boolean",
    env: "SIM_ALLOW_CODE",
    help: "Run uploaded models whose function is codigo (JavaScript); refused by default",
  },
} as const satisfies OptionSpecs;

/**
 * The options of `npm run ui`: flags, environment variables, defaults. The pipeline's
 * settings (`STEPS_DIR`, `CONTROL_DB`, `PIPELINE_CONCURRENCY`, `STEP_TIMEOUT_MS`) are the
 * pipeline command's own specs; the large-CSV settings (`TEMP_DIR`, `RESULTS_DIR`,
 * `MAX_FILE_SIZE_MB`, `CHUNK_SIZE`, `JOB_CONCURRENCY`, `REDIS_URL`, `TEMP_TTL`, `RESULTS_TTL`)
 * are `FILES_OPTIONS`; the simulations' (`SIM_DIR`, `AMQP_URL`, `SIM_CONCURRENCY`,
 * `SIM_ALLOW_CODE`) are `SIMULATIONS_OPTIONS`; the log settings are every command's (`LOG_OPTIONS`),
 * added by the CLI edge.
 */
export const UI_OPTIONS = {
  port: portOption("UI_PORT", 8501),
  host: hostOption(
    "UI_HOST",
    "Address to listen on (loopback by default; 0.0.0.0 exposes the console's buttons to the network)",
  ),
  stepsDir: {
    ...PIPELINE_OPTIONS.stepsDir,
    help: "Folder of the pipeline's step files (a new file appears without a restart)",
  },
  controlDb: PIPELINE_OPTIONS.controlDb,
  concurrency: PIPELINE_OPTIONS.concurrency,
  stepTimeoutMs: PIPELINE_OPTIONS.stepTimeoutMs,
  dbPath: dbPathOption(
    "Sales database: the overview shows its last ETL run and validation; steps get it as DB_PATH",
  ),
  statusFile: {
    ...SCHEDULER_OPTIONS.statusFile,
    help: "The scheduler daemon's status file, shown on /scheduler",
  },
  scheduleFile: {
    ...SCHEDULER_OPTIONS.scheduleFile,
    help: "The scheduler's schedule file: the jobs /scheduler lists",
  },
  ...FILES_OPTIONS,
  ...SIMULATIONS_OPTIONS,
  shutdownMs: {
    type: "number",
    env: "SHUTDOWN_TIMEOUT_MS",
    default: 10000,
    min: 0,
    max: 3_600_000,
    integer: true,
    help: "How long requests and pipeline runs in flight may go on after SIGTERM/SIGINT, in ms",
  },
} as const satisfies OptionSpecs;

/** The resolved options of `npm run ui`, the log settings included. */
export type UiConfig = CommandConfig<typeof UI_OPTIONS>;
