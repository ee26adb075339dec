import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";
import { writeDataset } from "./helpers/dataset.js";
import { tempDir } from "./helpers/tmp.js";

const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/** What a TypeScript consumer writes: every public entry point, type-checked. */
const CONSUMER_TS = `
import { runEtl, type EtlReport } from "empresa-etl/etl";
import { runValidation, RULES } from "empresa-etl/validation";
import { createApp, SalesStore } from "empresa-etl/api";
import { runUpload, type UploadOptions } from "empresa-etl/upload";
import { defineCommand, runCli } from "empresa-etl/command";
import { defineStep } from "empresa-etl/pipeline";
import { profileFile, type Profile } from "empresa-etl/files";
import * as everything from "empresa-etl";
import { writeFileSync } from "node:fs";

export async function main(dataDir: string, dbPath: string): Promise<Record<string, unknown>> {
  const report: EtlReport = await runEtl({ dataDir, dbPath });
  const validation = await runValidation({ dbPath, asOf: "2025-01-01", thresholds: {} });
  const store = new SalesStore(dbPath);
  const app = createApp({ store });
  const response = await app.request("/ventas/resumen_por_categoria");
  const summary = (await response.json()) as Record<string, number>;
  store.close();
  const upload: (options: UploadOptions) => Promise<unknown> = runUpload;
  const command = defineCommand({
    name: "hello",
    summary: "Says hello.",
    options: { who: { type: "string", flag: "who", default: "world", help: "Whom" } },
    logFile: "hello",
    async run({ config }) {
      return config.who;
    },
  });
  const step = defineStep({
    description: "Doubles the numbers",
    consumes: ["numeros"],
    produces: ["dobles"],
    async run({ numeros }) {
      return { dobles: (numeros as number[]).map((n) => n * 2) };
    },
  });
  const doubled = await step.run({ numeros: [1, 2] } as never, {} as never);
  writeFileSync("medidas.csv", "ancho,alto\\n1,2.5\\n3,4\\n");
  const profile: Profile = await profileFile("medidas.csv");
  return {
    doubled,
    profiled: profile.columnas.map((c) => [c.nombre, c.tipo]),
    loaded: report.files.map((file) => [file.table, file.loaded]),
    status: validation.status,
    rules: RULES.length,
    summary,
    exports: [typeof upload, typeof runCli, typeof command.run, typeof everything.runEtl],
  };
}
`;

describe("the packed package, installed as a consumer installs it", () => {
  it("type-checks and runs runEtl, runValidation, createApp, runUpload and the command model", async () => {
    const work = tempDir("empresa-pack-");
    // `npm pack` runs `prepack`: the JavaScript and the declarations of every entry point.
    execFileSync("npm", ["pack", "--silent", "--pack-destination", work], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    expect(tarball).toBeDefined();

    const project = join(work, "consumer");
    const data = writeDataset(join(project, "data"));
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({
        name: "consumer",
        private: true,
        type: "module",
        dependencies: { "empresa-etl": `file:../${tarball}` },
        devDependencies: { "@types/node": "^20.11.0" },
      }),
    );
    // better-sqlite3 compiles from source on install (about 90 s here): the consumer gets
    // the same version's addon, already built for this Node, instead of a second compile.
    execFileSync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"], {
      cwd: project,
      stdio: ["ignore", "pipe", "inherit"],
    });
    cpSync(
      join(ROOT, "node_modules/better-sqlite3/build"),
      join(project, "node_modules/better-sqlite3/build"),
      { recursive: true },
    );

    writeFileSync(join(project, "consumer.ts"), CONSUMER_TS);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: true,
          noEmit: false,
          outDir: "out",
          types: ["node"],
        },
        files: ["consumer.ts"],
      }),
    );
    execFileSync(process.execPath, [TSC, "-p", "tsconfig.json"], {
      cwd: project,
      stdio: ["ignore", "inherit", "inherit"],
    });
    writeFileSync(
      join(project, "run.mjs"),
      `import { main } from "./out/consumer.js";\nconsole.log(JSON.stringify(await main(${JSON.stringify(data)}, "empresa.db")));\n`,
    );
    const output = execFileSync(process.execPath, ["run.mjs"], { cwd: project, encoding: "utf8" });
    const result = JSON.parse(output.trim().split("\n").pop() as string);
    expect(result).toEqual({
      doubled: { dobles: [2, 4] },
      profiled: [
        ["ancho", "integer"],
        ["alto", "decimal"],
      ],
      loaded: [
        ["productos", 2],
        ["clientes", 2],
        ["ventas", 2],
        ["inventario", 2],
      ],
      status: "ok",
      rules: 9,
      summary: { Electronicos: 2, Ropa: 3 },
      exports: ["function", "function", "function", "function"],
    });
  });
});
