import { defineCommand } from "../cli/command.js";
import type { OptionSpecs } from "../config.js";
import { UsageError } from "../errors.js";
import { asOfProblem } from "../validation/as-of.js";
import { existingOutputs, generate } from "./generate.js";

const options = {
  rows: {
    type: "number",
    flag: "rows",
    default: 5500,
    min: 20,
    integer: true,
    arg: "N",
    help: "Sales rows to write",
  },
  inventoryRows: {
    type: "number",
    flag: "inventory-rows",
    default: 5000,
    min: 20,
    integer: true,
    arg: "N",
    help: "Inventory rows to write",
  },
  seed: {
    type: "string",
    flag: "seed",
    default: "empresa",
    arg: "S",
    help: "Seed: the same seed writes the same files",
  },
  out: {
    type: "string",
    flag: "out",
    default: "data",
    arg: "DIR",
    help: "Folder to write the CSV files and manifest.json into (created when missing)",
  },
  force: {
    type: "boolean",
    flag: "force",
    default: false,
    help: "Overwrite the sample files when the folder already holds any of them",
  },
  clean: {
    type: "boolean",
    flag: "clean",
    default: false,
    help: "Write clean files instead: every row valid and plain (17, 2024-03-05, 1299.00), nothing rejected",
  },
  referenceDate: {
    type: "string",
    flag: "reference-date",
    default: "2025-01-01",
    arg: "YYYY-MM-DD",
    check: (value: string) => asOfProblem(value),
    help: "Sales dated after this day are the sample's future-dated sales",
  },
} satisfies OptionSpecs;

/** `npm run generate` as a library value: writes the sample and returns its manifest. */
export const generateCommand = defineCommand({
  name: "generate",
  summary:
    "Writes the four sample CSV files with every kind of mess the ETL accepts or rejects, and a\n" +
    "manifest.json of exactly what was injected (expected loaded and rejected rows per file and reason).\n" +
    "Refuses to overwrite a folder that already holds a sample unless --force is given.",
  options,
  logFile: "generate",
  async run({ config }, { log }) {
    const present = existingOutputs(config.out);
    if (present.length > 0 && !config.force)
      throw new UsageError(
        `refusing to write into ${config.out}: it already holds ${present.join(", ")} (give --force to overwrite them)`,
      );
    const started = Date.now();
    const manifest = generate(config);
    const v = manifest.files.ventas;
    log.info(
      `wrote ${config.out}: ventas ${v.read} rows (${v.loaded} to load, ${v.rejected} to reject) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return manifest;
  },
});
