import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate, OUTPUT_FILES } from "../src/generate/generate.js";
import { runCli } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

const SMALL = ["--rows", "40", "--inventory-rows", "30", "--seed", "cli"];

/** Every file of a folder with its bytes and modification time. */
function snapshot(dir: string) {
  return readdirSync(dir)
    .sort()
    .map((name) => ({
      name,
      bytes: readFileSync(join(dir, name)).toString("hex"),
      mtimeMs: statSync(join(dir, name)).mtimeMs,
    }));
}

describe("npm run generate: the output folder", () => {
  it("refuses a folder that already holds any of its files, leaves it untouched, exit 2", async () => {
    for (const present of ["ventas.csv", "manifest.json"]) {
      const cwd = tempDir();
      const out = join(cwd, "muestra");
      mkdirSync(out);
      writeFileSync(join(out, present), "mine\n");
      writeFileSync(join(out, "notas.txt"), "keep me\n");
      const before = snapshot(out);
      const run = await runCli("generate", [...SMALL, "--out", out], { cwd });
      expect(run.code, run.stderr).toBe(2);
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(out);
      expect(lines[0]).toContain(present);
      expect(lines[0]).toContain("--force");
      expect(run.stdout).toBe("");
      expect(snapshot(out)).toEqual(before);
    }
  });

  it("the default folder data/ is refused too when it holds sample files", async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, "data"));
    writeFileSync(join(cwd, "data", "productos.csv"), "mine\n");
    const before = snapshot(join(cwd, "data"));
    const run = await runCli("generate", SMALL, { cwd });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/data.*--force/);
    expect(snapshot(join(cwd, "data"))).toEqual(before);
  });

  it("with --force overwrites them (and leaves other files alone)", async () => {
    const cwd = tempDir();
    const out = join(cwd, "muestra");
    mkdirSync(out);
    writeFileSync(join(out, "ventas.csv"), "mine\n");
    writeFileSync(join(out, "notas.txt"), "keep me\n");
    const run = await runCli("generate", [...SMALL, "--out", out, "--force"], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const expected = tempDir();
    generate({
      rows: 40,
      inventoryRows: 30,
      seed: "cli",
      out: expected,
      referenceDate: "2025-01-01",
    });
    for (const name of OUTPUT_FILES)
      expect(readFileSync(join(out, name)).equals(readFileSync(join(expected, name))), name).toBe(
        true,
      );
    expect(readFileSync(join(out, "notas.txt"), "utf8")).toBe("keep me\n");
  });

  it("creates a folder that does not exist, and writes into one holding only other files", async () => {
    const cwd = tempDir();
    const run = await runCli("generate", [...SMALL, "--out", join("a", "b", "muestra")], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(join(cwd, "a", "b", "muestra")).sort()).toEqual([...OUTPUT_FILES].sort());

    const other = join(cwd, "otra");
    mkdirSync(other);
    writeFileSync(join(other, "README.txt"), "hola\n");
    const second = await runCli("generate", [...SMALL, "--out", other], { cwd });
    expect(second.code, second.stderr).toBe(0);
    expect(existsSync(join(other, "manifest.json"))).toBe(true);
  });

  it("refuses an --out that is a file, exit 2", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "archivo"), "x\n");
    const run = await runCli("generate", [...SMALL, "--out", "archivo", "--force"], { cwd });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("archivo");
    expect(readFileSync(join(cwd, "archivo"), "utf8")).toBe("x\n");
  });
});
