import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import * as validation from "../src/validation/index.js";
import { ROOT } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

const INDEX = resolve(ROOT, "src/validation/index.ts");

/** The code of the module's `@example`, as a consumer would paste it. */
function example(): string {
  const doc = /\/\*\*([\s\S]*?)\*\//.exec(readFileSync(INDEX, "utf8"))?.[1] ?? "";
  const code = /@example\n([\s\S]*?)\n\s*\*\s*@module/.exec(doc)?.[1] ?? "";
  return code
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n");
}

describe("empresa-etl/validation as a library", () => {
  it("exports what a consumer needs", () => {
    expect(Object.keys(validation).sort()).toEqual(
      [
        "AppError",
        "DatabaseError",
        "RULES",
        "SEVERITIES",
        "UsageError",
        "VALIDATE_OPTIONS",
        "alertWorthy",
        "consoleReport",
        "overallStatus",
        "parseAsOf",
        "resolveThresholds",
        "runValidation",
        "sendWebhook",
        "validateCommand",
        "validationJson",
        "webhookUrlProblem",
      ].sort(),
    );
  });

  it("the @example runs as written, against a database loaded by the ETL", async () => {
    const cwd = tempDir();
    await runEtl({ dataDir: join(ROOT, "data"), dbPath: join(cwd, "database", "empresa.db") });
    const code = example();
    expect(code).toContain('from "empresa-etl/validation"');
    // Until the package is installed, the entry is the source file.
    writeFileSync(
      join(cwd, "example.mts"),
      code.replace('"empresa-etl/validation"', JSON.stringify(pathToFileURL(INDEX).href)),
    );
    const tsx = pathToFileURL(resolve(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
    const run = spawnSync(process.execPath, ["--import", tsx, "example.mts"], {
      cwd,
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines.some((l) => l.startsWith("ERROR producto_fk: 40 sales"))).toBe(true);
    expect(lines.some((l) => l.startsWith("WARNING fecha_not_future: 1,479 sales"))).toBe(true);
    expect(lines.at(-1)).toBe("attention");
  });
});
