import { resolve } from "node:path";
import { defineCommand } from "../cli/command.js";
import { JSON_OPTION } from "../cli/options.js";
import { formatCount } from "../cli/progress.js";
import type { OptionSpecs } from "../config.js";
import { processFile } from "./process.js";
import { DEFAULT_CHUNK_SIZE, defaultThreads } from "./profile/index.js";
import type { Columna, OutputPaths, ProfileProgress, Resumen } from "./types.js";

const options = {
  out: {
    type: "string",
    flag: "out",
    env: "RESULTS_DIR",
    default: "resultados",
    arg: "DIR",
    help: "Folder for NAME_resumen.parquet, NAME_columnas.parquet and NAME_muestra.parquet (created when missing)",
  },
  chunkSize: {
    type: "number",
    flag: "chunk-size",
    env: "CHUNK_SIZE",
    default: DEFAULT_CHUNK_SIZE,
    min: 1,
    max: 10_000_000,
    integer: true,
    arg: "N",
    help: "Rows read per chunk (progress is reported after each)",
  },
  threads: {
    type: "number",
    flag: "threads",
    env: "PROFILE_THREADS",
    default: defaultThreads(),
    min: 1,
    max: 64,
    integer: true,
    arg: "N",
    help: "Threads reading parts of a large file (8 MB and over) at once; default: the cores, at most 4",
  },
  json: JSON_OPTION,
} satisfies OptionSpecs;

export interface ProfileCommandResult {
  outputs: OutputPaths;
  resumen: Resumen;
  columnas: Columna[];
}

const BAR = 24;

/** `[#########...............]  38%  950,000 rows  61 MB/s  ETA 2 s` */
export function progressText(progress: ProfileProgress, seconds: number): string {
  const fraction = progress.totalBytes > 0 ? progress.bytesProcessed / progress.totalBytes : 1;
  const filled = Math.round(fraction * BAR);
  const rate = seconds > 0 ? progress.bytesProcessed / seconds : 0;
  const eta = rate > 0 ? Math.ceil((progress.totalBytes - progress.bytesProcessed) / rate) : null;
  return (
    `[${"#".repeat(filled)}${".".repeat(BAR - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%` +
    `  ${formatCount(progress.rowsProcessed)} rows  ${(rate / 2 ** 20).toFixed(0)} MB/s` +
    (eta === null ? "" : `  ETA ${eta} s`)
  );
}

const cell = (value: unknown, width: number) => {
  const text = value === null || value === undefined ? "" : String(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
};

const number = (value: number | null) =>
  value === null ? "" : Number.isInteger(value) ? formatCount(value) : value.toPrecision(6);

/** The readable report: the file in one line, a line per column, the outputs. */
export function profileReport(result: ProfileCommandResult): string {
  const r = result.resumen;
  const lines = [
    `${r.archivo}: ${formatCount(r.filas)} rows × ${r.columnas} columns, ${(r.bytes / 2 ** 20).toFixed(1)} MB, ${r.encoding}, "${r.delimitador}"` +
      `${r.filas_malformadas ? `, ${formatCount(r.filas_malformadas)} malformed rows left out` : ""} — ${r.duracion_s.toFixed(2)} s`,
    "",
    `${cell("#", 4)}${cell("column", 22)}${cell("type", 10)}${cell("nulls", 12)}${cell("distinct", 13)}${cell("min", 22)}${cell("max", 22)}mean`,
  ];
  for (const c of result.columnas)
    lines.push(
      `${cell(c.posicion, 4)}${cell(c.nombre, 22)}${cell(c.tipo, 10)}${cell(formatCount(c.nulos), 12)}` +
        `${cell(`${c.unicos_aproximado ? "≈" : ""}${formatCount(c.unicos)}`, 13)}${cell(c.minimo, 22)}${cell(c.maximo, 22)}${number(c.media)}`,
    );
  lines.push("", ...Object.values(result.outputs).map((path) => `wrote ${path}`));
  return `${lines.join("\n")}\n`;
}

/** `npm run profile -- FILE.csv`: the file jobs' processing without a server. */
export const profileCommand = defineCommand({
  name: "profile",
  positionals: "FILE.csv",
  summary:
    "Profiles any CSV file (types, counts, distinct values, min/max, mean, standard deviation,\n" +
    "quartiles, top values per column) and writes NAME_resumen.parquet, NAME_columnas.parquet\n" +
    "and NAME_muestra.parquet (the first 1,000 rows, typed). Exit 0 done, 1 the file cannot be\n" +
    "processed (the message names the line), 2 usage error.",
  options,
  args: { min: 1, max: 1 },
  logFile: "profile",
  interruptedNote: "nothing was written",
  async run({ config, args }, { log, signal, progress }) {
    const file = args[0] as string;
    const started = performance.now();
    const { outputs, profile } = await processFile(file, {
      outDir: config.out,
      chunkSize: config.chunkSize,
      threads: config.threads,
      signal,
      onProgress: (p) => progress.update(progressText(p, (performance.now() - started) / 1000)),
    });
    progress.clear();
    const r = profile.resumen;
    log.info(
      `profiled ${resolve(file)}: ${r.filas} rows, ${r.columnas} columns, ${r.filas_malformadas} malformed, in ${r.duracion_s} s`,
    );
    return { outputs, resumen: profile.resumen, columnas: profile.columnas };
  },
  json: (result) => result,
  report: (result) => profileReport(result),
});
