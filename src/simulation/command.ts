import { defineCommand } from "../cli/command.js";
import { JSON_OPTION } from "../cli/options.js";
import { formatCount } from "../cli/progress.js";
import type { OptionSpecs } from "../config.js";
import { DEFAULT_CONTROL_DB } from "../control/db.js";
import { UsageError } from "../errors.js";
import {
  DEFAULT_BATCH,
  DEFAULT_EMBEDDED_BATCH,
  DEFAULT_SIM_DIR,
  defaultWorkers,
  runSimulation,
} from "./run/index.js";
import type { SimulationEvent, SimulationResult } from "./run/types.js";

const options = {
  scenarios: {
    type: "number",
    flag: "scenarios",
    min: 1,
    integer: true,
    arg: "N",
    help: "Scenarios to draw (default: the model's numero_escenarios)",
  },
  seed: {
    type: "number",
    flag: "seed",
    integer: true,
    arg: "S",
    help: "Seed of the random stream (default: the model's semilla_aleatoria)",
  },
  workers: {
    type: "number",
    flag: "workers",
    env: "SIM_WORKERS",
    default: defaultWorkers(),
    min: 1,
    max: 1024,
    integer: true,
    arg: "N",
    help: "Worker threads evaluating the model (embedded mode); default: the cores",
  },
  allowCode: {
    type: "boolean",
    flag: "allow-code",
    help: "Allow a model whose [FUNCION] is codigo (JavaScript) to run",
  },
  broker: {
    type: "string",
    flag: "broker",
    env: "AMQP_URL",
    arg: "URL",
    secret: true,
    help: "RabbitMQ URL (amqp://…): run over RabbitMQ consumers instead of worker threads",
  },
  batch: {
    type: "number",
    flag: "batch",
    env: "SIM_BATCH",
    min: 1,
    max: 1_000_000,
    integer: true,
    arg: "B",
    help: `Scenarios per batch sent to the evaluators (default ${DEFAULT_BATCH} over RabbitMQ, ${DEFAULT_EMBEDDED_BATCH} on worker threads)`,
  },
  noWait: {
    type: "boolean",
    flag: "no-wait",
    help: "RabbitMQ mode: do not wait for consumers before publishing (see docs)",
  },
  simDir: {
    type: "string",
    env: "SIM_DIR",
    default: DEFAULT_SIM_DIR,
    help: "Folder of the runs' outputs (SIM_DIR/RUN_ID/resultados.parquet, resumen.json)",
  },
  controlDb: {
    type: "string",
    flag: "control-db",
    env: "CONTROL_DB",
    default: DEFAULT_CONTROL_DB,
    arg: "PATH",
    help: "Control database where runs are recorded",
  },
  json: JSON_OPTION,
} satisfies OptionSpecs;

const BAR = 24;

/** `[#########...............]  38%  3,800 / 10,000 scenarios  12,500/s  2 errors  ETA 1 s` */
export function progressText(event: Extract<SimulationEvent, { type: "progress" }>): string {
  const done = event.completed + event.errors;
  const fraction = event.total > 0 ? done / event.total : 1;
  const filled = Math.round(fraction * BAR);
  const eta = event.rate > 0 ? Math.ceil((event.total - done) / event.rate) : null;
  return (
    `[${"#".repeat(filled)}${".".repeat(BAR - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%` +
    `  ${formatCount(done)} / ${formatCount(event.total)} scenarios  ${formatCount(event.rate)}/s` +
    (event.errors > 0 ? `  ${formatCount(event.errors)} errors` : "") +
    (eta === null ? "" : `  ETA ${eta} s`)
  );
}

const num = (value: number | null | undefined): string =>
  value === null || value === undefined || Number.isNaN(value)
    ? "-"
    : Math.abs(value) >= 1e6 || (value !== 0 && Math.abs(value) < 1e-3)
      ? value.toExponential(3)
      : value.toFixed(4);

const cell = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);

/** The readable report: the run in a line, a table of the outputs, sensitivities, errors, files. */
export function simulationReport(result: SimulationResult): string {
  const lines = [
    `${result.model.nombre} ${result.model.version}: ${formatCount(result.scenarios)} scenarios (seed ${result.seed}, ${result.mode}, ${result.workers} ${result.mode === "embedded" ? "workers" : "consumers"})` +
      ` — ${formatCount(result.completed)} results, ${formatCount(result.errors)} errors in ${result.duration_s.toFixed(2)} s (${formatCount(result.scenarios_per_s)}/s)`,
    "",
    `${cell("output", 16)}${["mean", "std", "p5", "p50", "p95", "ci95 low", "ci95 high"].map((h) => cell(h, 13)).join("")}`,
  ];
  for (const [name, s] of Object.entries(result.outputs)) {
    lines.push(
      `${cell(name, 16)}${[s.mean, s.std, s.p5, s.p50, s.p95, s.ci95[0], s.ci95[1]].map((v) => cell(num(v), 13)).join("")}`,
    );
    const ranked = Object.entries(s.sensitivity)
      .filter(([, r]) => Number.isFinite(r))
      .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
    if (ranked.length > 0)
      lines.push(
        `${cell("", 16)}sensitivity: ${ranked.map(([v, r]) => `${v} ${r >= 0 ? "+" : ""}${r.toFixed(3)}`).join(", ")}`,
      );
  }
  if (result.error_samples.length > 0) {
    lines.push("", `first errors (${formatCount(result.errors)} in all):`);
    for (const e of result.error_samples.slice(0, 5))
      lines.push(`  escenario ${e.escenario_id}: ${e.message}`);
  }
  lines.push("", `wrote ${result.files.results}`, `wrote ${result.files.summary}`);
  return `${lines.join("\n")}\n`;
}

/** `npm run simulate -- MODEL.ini`: a Monte Carlo run over worker threads or RabbitMQ. */
export const simulateCommand = defineCommand({
  name: "simulate",
  positionals: "MODEL.ini",
  summary:
    "Runs a Monte Carlo simulation of a model file: draws the scenarios from one seeded stream,\n" +
    "evaluates the model on worker threads (or RabbitMQ consumers with --broker) and writes\n" +
    "SIM_DIR/RUN_ID/resultados.parquet and resumen.json. Exit 0 every scenario has a result or an\n" +
    "error, 1 the run could not finish or every scenario failed, 2 usage or model definition error.",
  options,
  args: { min: 1, max: 1 },
  logFile: "simulate",
  interruptedNote: "the workers were stopped and the partial outputs removed",
  async run({ config, args }, { log, signal, progress }) {
    const modelPath = args[0] as string;
    if (config.noWait && !config.broker)
      throw new UsageError("--no-wait applies only to a RabbitMQ run (--broker or AMQP_URL)");
    const result = await runSimulation({
      modelPath,
      scenarios: config.scenarios,
      seed: config.seed,
      workers: config.broker ? undefined : config.workers,
      allowCode: config.allowCode,
      brokerUrl: config.broker,
      mode: config.broker ? "rabbitmq" : "embedded",
      batch: config.batch,
      noWait: config.noWait,
      simDir: config.simDir,
      controlDb: config.controlDb,
      signal,
      log,
      onEvent: (event) => {
        if (event.type === "progress") progress.update(progressText(event));
        else if (event.type === "state") log.debug(`run ${event.run_id}: ${event.state}`);
      },
    });
    progress.clear();
    log.info(
      `simulated ${modelPath}: run ${result.run_id}, ${result.scenarios} scenarios, ${result.completed} results, ${result.errors} errors in ${result.duration_s} s`,
    );
    if (result.completed === 0)
      log.error(`every scenario failed (first: ${result.error_samples[0]?.message ?? "?"})`);
    return result;
  },
  exitCode: (result) => (result.completed === 0 ? 1 : 0),
  json: (result) => result,
  report: (result) => simulationReport(result),
});
