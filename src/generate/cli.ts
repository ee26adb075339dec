import { runCommand } from "../cli/command.js";
import type { OptionSpecs } from "../config.js";
import { UsageError } from "../errors.js";
import { existingOutputs, generate } from "./generate.js";

const options = {
  rows: { type: "number", flag: "rows", default: 5500, arg: "N", help: "Sales rows to write" },
  inventoryRows: {
    type: "number",
    flag: "inventory-rows",
    default: 5000,
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
  referenceDate: {
    type: "string",
    flag: "reference-date",
    default: "2025-01-01",
    arg: "YYYY-MM-DD",
    help: "Sales dated after this day are the sample's future-dated sales",
  },
} satisfies OptionSpecs;

await runCommand({
  name: "generate",
  summary:
    "Writes the four sample CSV files with every kind of mess the ETL accepts or rejects, and a\n" +
    "manifest.json of exactly what was injected (expected loaded and rejected rows per file and reason).",
  options,
  logFile: "generate",
  async run({ config }, { log }) {
    for (const [name, value] of [
      ["--rows", config.rows],
      ["--inventory-rows", config.inventoryRows],
    ] as const) {
      if (!Number.isInteger(value) || value < 20)
        throw new UsageError(`${name} must be an integer of at least 20`);
    }
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(config.referenceDate) ||
      Number.isNaN(Date.parse(config.referenceDate))
    ) {
      throw new UsageError(`--reference-date must be YYYY-MM-DD, got "${config.referenceDate}"`);
    }
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
    return 0;
  },
});
