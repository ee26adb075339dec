import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/errors.js";
import { runEtl } from "../src/etl/run.js";
import { runCli } from "./helpers/cli.js";
import { type Dataset, writeDataset } from "./helpers/dataset.js";
import { dumpDb } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

/** A PNG's first bytes followed by `size` bytes of pseudo-random binary data. */
function png(size = 6000): Buffer {
  const bytes = Buffer.alloc(size);
  let x = 12345;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
    bytes,
  ]);
}

const hasControlCharacter = (text: string) =>
  [...text].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);

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

describe("a file that is not text", () => {
  it("is a fatal error naming the first binary byte, echoing none of the content", async () => {
    const error = await failingRun({ ventas: png() });
    expect(error.message).toBe("ventas.csv: not a text CSV (binary data at byte 8)");
    expect(error.file).toBe("ventas.csv");
  });

  it("says UTF-16 when the bytes look like it (with or without a byte-order mark)", async () => {
    const text = "cliente_id,nombre,ciudad\n1,Ana,Bogotá\n";
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(text, "utf16le").swap16();
    const withBom = await failingRun({ clientes: le });
    expect(withBom.message).toMatch(/^clientes\.csv: not a text CSV \(binary data at byte 3\)/);
    expect(withBom.message).toContain("UTF-16");
    const withoutBom = await failingRun({ clientes: be });
    expect(withoutBom.message).toMatch(/^clientes\.csv: not a text CSV \(binary data at byte 0\)/);
    expect(withoutBom.message).toContain("UTF-16");
  });

  it("prints one short line from the command, to the terminal and the log", async () => {
    const root = tempDir();
    writeDataset(join(root, "data"), { productos: png(20_000) });
    const result = await runCli("etl", [], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("productos.csv: not a text CSV (binary data at byte 8)");
    expect(result.stderr.length).toBeLessThan(1000);
    expect(readFileSync(join(root, "logs", "procesamiento.log"), "utf8").length).toBeLessThan(4000);
  });
});

describe("messages that quote a file's content", () => {
  const noise = `\u001b[31m${"x".repeat(5000)}\u0007`;

  it("quote a short, escaped excerpt of the header when a column is missing", async () => {
    const error = await failingRun({ clientes: `cliente_id,${noise},nombre\n1,a,b\n` });
    expect(error.message).toMatch(/^clientes\.csv:1: missing required column "ciudad" \(header: /);
    expect(error.message.length).toBeLessThan(300);
    expect(hasControlCharacter(error.message)).toBe(false);
    expect(error.message).toContain("\\u001b[31mxxx");
  });

  it("keep warnings about extra columns short and escaped", async () => {
    const root = tempDir();
    const warnings: string[] = [];
    const extra = Array.from({ length: 50 }, (_, i) => `extra${i}`).join(",");
    await runEtl({
      dataDir: writeDataset(join(root, "data"), {
        clientes: `cliente_id,nombre,ciudad,${noise},${extra}\n1,a,b,c${",".repeat(50)}\n`,
      }),
      dbPath: join(root, "empresa.db"),
      onWarning: (message) => warnings.push(message),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^clientes\.csv: ignoring extra columns \\u001b\[31mxxx/);
    expect(warnings[0]?.length).toBeLessThan(600);
    expect(hasControlCharacter(warnings[0] as string)).toBe(false);
  });
});
