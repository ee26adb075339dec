import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/errors.js";
import { runEtl } from "../src/etl/run.js";
import { type Dataset, DEFAULT_FILES, writeDataset } from "./helpers/dataset.js";
import { dumpDb } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

const CR_ONLY = "lines end with CR only (a classic Mac export); save it with LF or CRLF line ends";

/** Runs the ETL on a good dataset, then on `files`; returns the error and checks nothing changed. */
async function failingRun(files: Dataset): Promise<InputError> {
  const root = tempDir();
  const dbPath = join(root, "empresa.db");
  await runEtl({ dataDir: writeDataset(join(root, "good")), dbPath });
  const before = dumpDb(dbPath);
  const error = await runEtl({ dataDir: writeDataset(join(root, "bad"), files), dbPath }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect(dumpDb(dbPath)).toEqual(before);
  return error as InputError;
}

const crOnly = (text: string) => text.replaceAll("\n", "\r");

describe("a file whose lines end with CR only", () => {
  it("is a fatal error naming the file and saying how to fix it (exit 1)", async () => {
    const error = await failingRun({ ventas: crOnly(DEFAULT_FILES.ventas) });
    expect(error.message).toBe(`ventas.csv: ${CR_ONLY}`);
    expect(error.file).toBe("ventas.csv");
    expect(error.exitCode).toBe(1);
  });

  it("is found with a byte-order mark, a ; delimiter, or a stray LF further on", async () => {
    const withBom = await failingRun({ clientes: `\ufeff${crOnly(DEFAULT_FILES.clientes)}` });
    expect(withBom.message).toBe(`clientes.csv: ${CR_ONLY}`);
    const semicolons = await failingRun({
      productos: crOnly(DEFAULT_FILES.productos.replaceAll(",", ";")),
    });
    expect(semicolons.message).toBe(`productos.csv: ${CR_ONLY}`);
    const strayLf = await failingRun({
      inventario: `${crOnly(DEFAULT_FILES.inventario)}prod001,2024-01-06,5\n`,
    });
    expect(strayLf.message).toBe(`inventario.csv: ${CR_ONLY}`);
  });

  it("LF and CRLF files (and a CR inside a quoted value) still load", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    const report = await runEtl({
      dataDir: writeDataset(join(root, "data"), {
        ventas: DEFAULT_FILES.ventas.replaceAll("\n", "\r\n"),
        clientes: 'cliente_id,nombre,ciudad\nC_1,"Ana\rMaría",Medellín\nC_2,Luis,Bogotá\n',
        productos: DEFAULT_FILES.productos.trimEnd(),
      }),
      dbPath,
    });
    expect(report.files.find((t) => t.table === "ventas")?.loaded).toBe(2);
    expect(report.files.find((t) => t.table === "clientes")?.loaded).toBe(2);
  });
});
