import { type CommandContext, defineCommand } from "../cli/command.js";
import { dbPathOption, JSON_OPTION } from "../cli/options.js";
import { type OptionSpecs, parseCommand, readDotEnv } from "../config.js";
import { DEFAULT_CONTROL_DB } from "../control/db.js";
import { AppError, describeError, InterruptedError, UsageError } from "../errors.js";
import type { Logger } from "../log.js";
import { DefinitionError } from "./errors.js";
import { buildGraph, formatGraph, GRAPH_FORMATS, type GraphFormat } from "./graph.js";
import { Pipeline } from "./pipeline.js";
import { listJson, listText, runJson, runText } from "./report.js";
import type { Graph, RunReport, StepInfo } from "./types.js";

export const PIPELINE_OPTIONS = {
  stepsDir: {
    type: "string",
    flag: "steps-dir",
    env: "STEPS_DIR",
    default: "steps",
    arg: "DIR",
    help: "Folder of the step files (.ts, .js, .mjs; _name and sub-folders are not steps)",
  },
  force: {
    type: "boolean",
    flag: "force",
    help: "run: re-run the whole plan, reused producers too",
  },
  json: JSON_OPTION,
  format: {
    type: "string",
    flag: "format",
    default: "text",
    arg: "FORMAT",
    help: `graph: ${GRAPH_FORMATS.join(", ")}`,
    check: (value) =>
      (GRAPH_FORMATS as readonly string[]).includes(value)
        ? undefined
        : `unknown format "${value}" (one of ${GRAPH_FORMATS.join(", ")})`,
  },
  ui: { type: "boolean", flag: "ui", help: "Start the web console, on /pipeline" },
  concurrency: {
    type: "number",
    flag: "concurrency",
    env: "PIPELINE_CONCURRENCY",
    default: 4,
    min: 1,
    max: 1024,
    integer: true,
    arg: "N",
    help: "Steps that run at once (steps that do not depend on each other)",
  },
  stepTimeoutMs: {
    type: "number",
    env: "STEP_TIMEOUT_MS",
    min: 1,
    integer: true,
    help: "Timeout of a step without its own timeout_ms, in ms (none when unset)",
  },
  controlDb: {
    type: "string",
    flag: "control-db",
    env: "CONTROL_DB",
    default: DEFAULT_CONTROL_DB,
    arg: "PATH",
    help: "Control database where runs are recorded",
  },
  dbPath: dbPathOption("Sales database the bundled steps read (given to steps as DB_PATH)"),
  uiUrl: {
    type: "string",
    env: "UI_URL",
    default: "http://127.0.0.1:8501",
    help: "clear: the running console to clear",
    check: (value) =>
      /^https?:\/\/[^/\s]+\/?$/.test(value) ? undefined : "expected http://host:port",
  },
} as const satisfies OptionSpecs;

export type PipelineResult =
  | { kind: "run"; report: RunReport }
  | { kind: "list"; steps: StepInfo[] }
  | { kind: "graph"; format: GraphFormat; text: string; graph: Graph }
  | { kind: "clear"; url: string; console: boolean; cleared: number | null }
  | { kind: "ui"; url: string; stoppedBy: string };

const SUBCOMMANDS = ["run", "list", "graph", "clear"] as const;

/** Refuses a flag that means nothing to the subcommand, rather than ignoring it. */
function only(flag: string, given: boolean, where: string): void {
  if (given) throw new UsageError(`--${flag} only applies to ${where}`);
}

/** A logger whose lines first clear the terminal's progress line (children included). */
function clearingFirst(log: Logger, clear: () => void): Logger {
  return Object.create(log, {
    write: {
      value(info: unknown) {
        clear();
        return log.write(info);
      },
    },
  }) as Logger;
}

/** Shows the running steps on the terminal's progress line while a run goes on. */
function showProgress(pipeline: Pipeline, progress: CommandContext["progress"]): () => void {
  const running = new Map<string, string>();
  let finished = 0;
  let total = 0;
  pipeline.on("run-started", (run) => {
    total = run.steps.length;
  });
  pipeline.on("step", ({ step }) => {
    if (step.status === "running") running.set(step.name, "");
    else running.delete(step.name);
    if (step.status !== "running" && step.status !== "pending") finished++;
  });
  pipeline.on("progress", ({ step, done, total: of }) => {
    running.set(step, of ? ` ${Math.floor((100 * done) / of)}%` : ` ${done}`);
  });
  const timer = setInterval(() => {
    if (running.size === 0) return;
    const steps = [...running].map(([name, part]) => `${name}${part}`).join(" · ");
    progress.update(`${finished}/${total} steps · running ${steps}`);
  }, 100);
  return () => {
    clearInterval(timer);
    progress.clear();
  };
}

async function clearConsole(url: string, log: Logger): Promise<PipelineResult> {
  const base = url.replace(/\/$/, "");
  let response: Response;
  try {
    response = await fetch(`${base}/api/pipeline/clear`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EADDRNOTAVAIL") {
      log.debug(`no console running at ${base}: nothing to clear`);
      return { kind: "clear", url: base, console: false, cleared: null };
    }
    throw new AppError(`${base}: cannot reach the console: ${describeError(error)}`, "console", 1);
  }
  const text = await response.text();
  if (!response.ok)
    throw new AppError(
      `${base}/api/pipeline/clear answered ${response.status}: ${text.slice(0, 200)}`,
      "console",
      1,
    );
  let cleared: number | null = null;
  try {
    const body = JSON.parse(text) as { cleared?: unknown };
    if (typeof body.cleared === "number") cleared = body.cleared;
  } catch {
    // an answer without a count is still a clear
  }
  log.info(
    `cleared the memory of the console at ${base}${cleared === null ? "" : ` (${cleared} datasets)`}`,
  );
  return { kind: "clear", url: base, console: true, cleared };
}

/** Resolves when `signal` is aborted. */
const aborted = (signal: AbortSignal): Promise<void> =>
  signal.aborted
    ? Promise.resolve()
    : new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));

async function startUi(
  pipeline: Pipeline,
  config: { stepsDir: string; controlDb: string; dbPath: string },
  { log, signal }: CommandContext,
): Promise<PipelineResult> {
  // Loaded only here: `run`, `list` and `graph` do not load the console.
  const serverModule = "../ui/server.js";
  const optionsModule = "../ui/options.js";
  let server: { startConsole?: (options: Record<string, unknown>) => Promise<ConsoleHandle> };
  try {
    server = await import(serverModule);
  } catch (error) {
    throw new AppError(`console not available: ${describeError(error)}`, "console", 1);
  }
  if (typeof server.startConsole !== "function")
    throw new AppError("console not available: src/ui/server has no startConsole", "console", 1);
  // The console's own settings (UI_PORT, UI_HOST, SHUTDOWN_TIMEOUT_MS) from the environment and .env.
  let settings: Record<string, unknown> = {};
  try {
    const { UI_OPTIONS } = (await import(optionsModule)) as { UI_OPTIONS: OptionSpecs };
    const { port, host, shutdownMs } = parseCommand(
      { name: "ui", summary: "", options: UI_OPTIONS },
      [],
      process.env,
      readDotEnv(),
    ).config as Record<string, unknown>;
    settings = { port, host, shutdownMs };
  } catch (error) {
    if (error instanceof UsageError) throw error;
  }
  const { stepsDir, controlDb, dbPath } = config;
  const ui = await server.startConsole({ ...settings, stepsDir, controlDb, dbPath, log, pipeline });
  const url = `${ui.url}/pipeline`;
  log.info(`console on ${url}`, { url });
  await aborted(signal);
  const reason: unknown = signal.reason;
  const stoppedBy = reason instanceof InterruptedError ? reason.signal : "abort";
  log.info(`${stoppedBy}: stopping the console`);
  await ui.close();
  pipeline.close();
  return { kind: "ui", url, stoppedBy };
}

interface ConsoleHandle {
  url: string;
  close(): Promise<void>;
}

/**
 * `npm run pipeline` as a library value: `run STEP…`, `list`, `graph`, `clear`, `--ui`.
 *
 * @example
 * const result = await pipelineCommand.run(
 *   { config: { ...defaults, stepsDir: "steps" }, args: ["run", "informe_mensual"] },
 *   { log, signal, progress },
 * );
 */
export const pipelineCommand = defineCommand({
  name: "pipeline",
  summary:
    "Runs steps that declare the datasets they consume and produce; asking for one runs first\n" +
    "whatever produces a dataset it needs, and data passes between steps in memory.\n" +
    "  run STEP… [--force] [--json]    run the steps and, first, their missing producers\n" +
    "  list [--json]                   the steps: name, description, consumes, produces, file\n" +
    "  graph [--format FORMAT]         the dependency graph (text, mermaid, dot, json)\n" +
    "  clear                           clear the memory of the running console (UI_URL)\n" +
    "  --ui                            start the web console, on /pipeline\n" +
    "Exit 0 all done, 1 a step failed, 2 a usage or definition error (nothing ran).",
  positionals: "run STEP… | list | graph | clear | --ui",
  options: PIPELINE_OPTIONS,
  logFile: "pipeline",
  args: { min: 0, max: Number.POSITIVE_INFINITY },
  interruptedNote: "the steps under way were cancelled and the run recorded as cancelled",
  async run({ config, args }, context): Promise<PipelineResult> {
    const [sub, ...rest] = args;
    if (config.ui) {
      if (sub !== undefined) throw new UsageError(`--ui takes no subcommand (got "${sub}")`);
    } else if (sub === undefined)
      throw new UsageError(`missing subcommand: one of ${SUBCOMMANDS.join(", ")}, or --ui`);
    else if (!(SUBCOMMANDS as readonly string[]).includes(sub))
      throw new UsageError(
        `unknown subcommand "${sub}" (one of ${SUBCOMMANDS.join(", ")}, or --ui)`,
      );
    const what = config.ui ? "ui" : (sub as (typeof SUBCOMMANDS)[number]);
    only("force", config.force && what !== "run", "run");
    only("format", config.format !== "text" && what !== "graph", "graph");
    if (what === "run" && rest.length === 0)
      throw new UsageError("run needs at least one STEP (see `npm run pipeline -- list`)");
    if (what !== "run" && rest.length > 0)
      throw new UsageError(`unexpected argument "${rest[0]}" (see --help)`);
    if (what === "clear") return clearConsole(config.uiUrl, context.log);

    const progress = context.progress;
    const log = clearingFirst(context.log, () => progress.clear());
    const pipeline = new Pipeline({
      stepsDir: config.stepsDir,
      controlDb: config.controlDb,
      concurrency: config.concurrency,
      stepTimeoutMs: config.stepTimeoutMs ?? null,
      log,
      env: { ...readDotEnv(), ...process.env, DB_PATH: config.dbPath },
    });
    if (what === "ui") return startUi(pipeline, config, { ...context, log });
    try {
      if (what === "list" || what === "graph") {
        const catalog = await pipeline.catalog();
        if (catalog.problems.length > 0) throw new DefinitionError(catalog.problems);
        if (what === "list") return { kind: "list", steps: catalog.steps };
        const format = config.format as GraphFormat;
        const steps = catalog.steps;
        return {
          kind: "graph",
          format,
          text: formatGraph(steps, format),
          graph: buildGraph(steps),
        };
      }
      const stop = showProgress(pipeline, progress);
      try {
        const { done } = await pipeline.start(rest, {
          force: config.force,
          signal: context.signal,
        });
        const report = await done;
        // Interrupted: the CLI edge says so and exits 130/143; the run is recorded as cancelled.
        if (context.signal.aborted) throw context.signal.reason;
        return { kind: "run", report };
      } finally {
        stop();
      }
    } finally {
      pipeline.close();
    }
  },
  exitCode: (result) => (result.kind === "run" && result.report.status !== "ok" ? 1 : 0),
  json(result) {
    switch (result.kind) {
      case "run":
        return runJson(result.report);
      case "list":
        return listJson(result.steps);
      case "graph":
        return result.graph;
      case "clear":
        return { status: "ok", console: result.console, url: result.url, cleared: result.cleared };
      case "ui":
        return { status: "ok", url: result.url, stopped_by: result.stoppedBy };
    }
  },
  report(result, colour) {
    switch (result.kind) {
      case "run":
        return runText(result.report, colour);
      case "list":
        return listText(result.steps);
      case "graph":
        return result.text;
      case "clear":
        return result.console
          ? `cleared the console's memory at ${result.url}\n`
          : `no console running at ${result.url}: nothing to clear\n`;
      case "ui":
        return "";
    }
  },
});
