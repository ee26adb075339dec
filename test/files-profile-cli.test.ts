import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { profileFile } from "../src/files/profile/index.js";
import { progressText } from "../src/files/profile-command.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

const CSV = [
  "id,fecha,importe,ciudad,activo",
  "1,2024-03-01,10.5,Madrid,true",
  "2,05/03/2024,N/A,Málaga,false",
  "3,2024/03/07,12,,si",
  "4,2024-03-09,-3.25,Madrid,NO",
  "",
].join("\n");

describe("npm run profile", () => {
  it("profiles a file into the three Parquet files and prints the contract's --json document", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "Ventas Marzo.csv"), CSV);
    const run = await runCli("profile", ["Ventas Marzo.csv", "--json", "--out", "salida"], { cwd });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(Object.keys(doc).sort()).toEqual(["columnas", "outputs", "resumen"]);
    expect(doc.outputs).toEqual({
      resumen: join("salida", "Ventas_Marzo_resumen.parquet"),
      columnas: join("salida", "Ventas_Marzo_columnas.parquet"),
      muestra: join("salida", "Ventas_Marzo_muestra.parquet"),
    });
    for (const path of Object.values(doc.outputs as Record<string, string>))
      expect(existsSync(join(cwd, path))).toBe(true);
    expect(doc.resumen).toMatchObject({
      archivo: "Ventas Marzo.csv",
      encoding: "utf-8",
      delimitador: ",",
      filas: 4,
      columnas: 5,
      filas_malformadas: 0,
    });
    const byName = Object.fromEntries(
      (doc.columnas as { nombre: string; tipo: string }[]).map((c) => [c.nombre, c]),
    );
    expect(byName.id).toMatchObject({
      tipo: "integer",
      minimo: "1",
      maximo: "4",
      media: 2.5,
      p50: 2.5,
    });
    expect(byName.fecha).toMatchObject({
      tipo: "date",
      minimo: "2024-03-01",
      maximo: "2024-03-09",
    });
    expect(byName.importe).toMatchObject({ tipo: "decimal", nulos: 1, no_nulos: 3 });
    expect(byName.ciudad).toMatchObject({
      tipo: "text",
      nulos: 1,
      unicos: 2,
      top_valores: '[["Madrid",2],["Málaga",1]]',
    });
    expect(byName.activo).toMatchObject({ tipo: "boolean", unicos: 2 });
  });

  it("prints a readable table without --json", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "v.csv"), CSV);
    const run = await runCli("profile", ["v.csv", "--out", "."], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/v\.csv: 4 rows × 5 columns/);
    expect(run.stdout).toMatch(/importe\s+decimal/);
    expect(run.stdout).toMatch(/wrote .*v_muestra\.parquet/);
  });

  it("exits 1 naming the file and line of an unclosed quote, and writes nothing", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "roto.csv"), 'a,b\n1,2\n3,"abierta\n4,5\n');
    const run = await runCli("profile", ["roto.csv", "--out", "out"], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/roto\.csv:3: a quote opened here is never closed/);
    expect(existsSync(join(cwd, "out")) ? readdirSync(join(cwd, "out")) : []).toEqual([]);
  });

  it("exits 1 for a missing, empty or binary file, with the reason in words", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "vacio.csv"), "");
    writeFileSync(join(cwd, "foto.csv"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]));
    const cases: [string, RegExp][] = [
      ["no-existe.csv", /no such file/],
      ["vacio.csv", /vacio\.csv: the file is empty/],
      ["foto.csv", /foto\.csv: not a text CSV \(binary data at byte 4\)/],
    ];
    for (const [file, message] of cases) {
      const run = await runCli("profile", [file, "--json"], { cwd });
      expect(run.code, file).toBe(1);
      const doc = JSON.parse(run.stdout);
      expect(doc.status).toBe("error");
      expect(doc.error.message).toMatch(message);
    }
  });

  it("exits 1 at once when the output folder cannot be made: through a file, under /proc", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "v.csv"), CSV);
    for (const [out, message] of [
      ["v.csv/sub", /cannot create the output folder: a part of the path is a file/],
      ["/proc/empresa-etl-no", /cannot create the output folder/],
    ] as const) {
      const run = await runCli("profile", ["v.csv", "--out", out, "--json"], { cwd });
      expect(run.code, out).toBe(1);
      expect(JSON.parse(run.stdout).error.message).toMatch(message);
    }
  });

  it("exits 2 on usage errors: no file, two files, a bad --chunk-size", async () => {
    const cwd = tempDir();
    for (const args of [
      [],
      ["a.csv", "b.csv"],
      ["a.csv", "--chunk-size", "0"],
      ["a.csv", "--chunk-sise", "5"],
    ]) {
      const run = await runCli("profile", args, { cwd });
      expect(run.code, args.join(" ")).toBe(2);
    }
  });
});

describe("column names that are Object.prototype's", () => {
  it("__proto__ and constructor keep their histograms", async () => {
    const cwd = tempDir();
    const path = join(cwd, "proto.csv");
    writeFileSync(path, "__proto__,constructor,b\n1,2,x\n3,4,y\n");
    const profile = await profileFile(path);
    expect(Object.keys(profile.histogramas)).toEqual(["__proto__", "constructor"]);
    const parsed = JSON.parse(JSON.stringify(profile.histogramas));
    expect(Object.hasOwn(parsed, "__proto__")).toBe(true);
    expect(parsed.constructor.counts.reduce((a: number, b: number) => a + b, 0)).toBe(2);
  });
});

describe("the progress bar", () => {
  it("shows the share of bytes read, rows, speed and time left", () => {
    const text = progressText(
      { rowsProcessed: 950_000, bytesProcessed: 80 * 2 ** 20, totalBytes: 200 * 2 ** 20 },
      2,
    );
    expect(text).toBe("[##########..............]  40%  950,000 rows  40 MB/s  ETA 3 s");
    expect(progressText({ rowsProcessed: 0, bytesProcessed: 0, totalBytes: 0 }, 0)).toMatch(/100%/);
  });
});
