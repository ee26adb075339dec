import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEtl } from "../src/etl/run.js";
import { packageVersion } from "../src/version.js";
import { ROOT, runCli } from "./helpers/cli.js";
import { writeDataset } from "./helpers/dataset.js";
import { tempDir } from "./helpers/tmp.js";

/** Every command's CLI edge behaves the same way (src/cli/command.ts). */
describe("the command line edge", () => {
  it("-h and --help print the usage, --version the version, exit 0", async () => {
    const root = tempDir();
    for (const flag of ["-h", "--help"]) {
      const result = await runCli("validate", [flag], { cwd: root });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: npm run validate -- \[options\]/);
      expect(result.stdout).toContain("--log-level LEVEL");
      expect(result.stderr).toBe("");
    }
    const version = await runCli("etl", ["--version"], { cwd: root });
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${packageVersion()}\n`);
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("an unknown flag is exit 2 with a did-you-mean, not Node's raw parser text", async () => {
    const result = await runCli("etl", ["--dat-dir", "x"], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option --dat-dir; did you mean --data-dir?");
    expect(result.stderr).not.toContain("ERR_PARSE_ARGS");
    const far = await runCli("etl", ["--zzzzzzzz"], { cwd: tempDir() });
    expect(far.stderr).toContain("unknown option --zzzzzzzz (see --help)");
    const missing = await runCli("etl", ["--db"], { cwd: tempDir() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--db needs a value");
  });

  it("a .env line without '=' is an error naming the line, not merged into the next one", async () => {
    const root = tempDir();
    writeFileSync(join(root, ".env"), "DATA_DIR=somewhere\nBROKEN LINE\nDB_PATH=x.db\n");
    const result = await runCli("etl", [], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('.env:2: expected NAME=value, got "BROKEN LINE"');
    expect(existsSync(join(root, "x.db"))).toBe(false);
  });

  it("a .env quote never closed is an error; a .env BOM is not part of the first name", async () => {
    const root = tempDir();
    writeFileSync(join(root, ".env"), 'DB_PATH="../q.db\nLOG_LEVEL=warn\nDATA_DIR="data"\n');
    const unclosed = await runCli("etl", [], { cwd: root });
    expect(unclosed.code).toBe(2);
    expect(unclosed.stderr).toContain('.env:1: a " quote opened on this line is never closed');
    writeFileSync(join(root, ".env"), "\uFEFFETL_LOCK_WAIT_MS=soon\n");
    const bom = await runCli("etl", [], { cwd: root });
    expect(bom.code).toBe(2);
    expect(bom.stderr).toContain("ETL_LOCK_WAIT_MS (from .env): expected a number");
  });

  it("a negative number after a flag is checked like any value, not refused by the parser", async () => {
    const result = await runCli("api", ["--port", "-1"], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port: must be at least 0, got -1");
    expect(result.stderr).not.toContain("ambiguous");
  });

  it("a bad value says where it came from: flag, environment or .env", async () => {
    const root = tempDir();
    writeFileSync(join(root, ".env"), "ETL_LOCK_WAIT_MS=soon\n");
    const fromDotEnv = await runCli("etl", [], { cwd: root });
    expect(fromDotEnv.code).toBe(2);
    expect(fromDotEnv.stderr).toContain(
      'ETL_LOCK_WAIT_MS (from .env): expected a number, got "soon"',
    );
    const fromEnv = await runCli("etl", [], { cwd: root, env: { ETL_LOCK_WAIT_MS: "-5" } });
    expect(fromEnv.stderr).toContain("ETL_LOCK_WAIT_MS: must be at least 0, got -5");
    const fromFlag = await runCli("api", ["--port", "70000"], { cwd: root });
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.stderr).toContain("--port");
  });

  it("LOG_LEVEL is case-insensitive; an unknown level is a usage error that still reaches stderr", async () => {
    const root = tempDir();
    writeDataset(join(root, "data"));
    const upper = await runCli("etl", [], { cwd: root, env: { LOG_LEVEL: "INFO" } });
    expect(upper.code).toBe(0);
    expect(upper.stderr).toContain("etl committed run");
    expect(readFileSync(join(root, "logs", "procesamiento.log"), "utf8")).toContain(
      "etl committed",
    );

    const unknown = await runCli("etl", ["--json"], { cwd: root, env: { LOG_LEVEL: "loud" } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('LOG_LEVEL: unknown log level "loud"');
    expect(JSON.parse(unknown.stdout)).toEqual({
      status: "error",
      error: { code: "usage", message: expect.stringContaining("unknown log level") },
    });

    // A fatal error reaches stderr at the quietest level.
    const quiet = await runCli("etl", ["--data-dir", "nowhere"], {
      cwd: root,
      env: { LOG_LEVEL: "error" },
    });
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toContain("data folder nowhere does not exist");
  });

  it("with --json a failure prints exactly one JSON document on stdout", async () => {
    const result = await runCli("validate", ["--db", "missing.db", "--json"], { cwd: tempDir() });
    expect(result.code).toBe(2);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toEqual({
      status: "error",
      error: { code: "database", message: expect.stringContaining("missing.db") },
    });
  });

  it("a log folder that cannot be written is said on stderr (validate: exit non-zero)", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    await runEtl({ dataDir: writeDataset(join(root, "data")), dbPath });
    writeFileSync(join(root, "not-a-folder"), "a file where the log folder should be");
    const etl = await runCli("etl", ["--db", dbPath], {
      cwd: root,
      env: { LOG_DIR: join(root, "not-a-folder") },
    });
    expect(etl.code).toBe(0);
    expect(etl.stderr).toMatch(/cannot write .*procesamiento\.log .*logging to stderr only/);

    const validate = await runCli("validate", ["--db", dbPath, "--as-of", "2025-01-01"], {
      cwd: root,
      env: { LOG_DIR: join(root, "not-a-folder") },
    });
    expect(validate.code).not.toBe(0);
    expect(validate.code).not.toBe(1);
    expect(validate.stderr).toMatch(/cannot write .*alertas\.log \(ENOTDIR: not a folder\)/);
    expect(validate.stderr).not.toContain("[winston]");
  });

  it("per-rule validation settings are read from .env like every other setting", async () => {
    const root = tempDir();
    const dbPath = join(root, "empresa.db");
    await runEtl({ dataDir: writeDataset(join(root, "data")), dbPath });
    writeFileSync(join(root, ".env"), "VALIDATION_PRODUCTO_FK_SEVERITY=loud\n");
    const result = await runCli("validate", ["--db", dbPath], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("VALIDATION_PRODUCTO_FK_SEVERITY: severity must be one of");
  });

  it("an unexpected argument is a usage error", async () => {
    const result = await runCli("etl", ["data"], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unexpected argument "data"');
  });
});

/** The process list's command lines, to find a process by a unique argument. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(marker)) found.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

describe("npm run <command>, as supervisors start it", () => {
  it("SIGTERM to the `npm run api` process stops the server (no orphan keeps serving)", async () => {
    const root = tempDir();
    const marker = join(root, `marker-${process.pid}.db`);
    const npm = spawn("npm", ["run", "-s", "api", "--", "--port", "0", "--db", marker], {
      cwd: ROOT,
      env: { ...process.env, LOG_DIR: join(root, "logs"), NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    npm.stderr?.on("data", (chunk) => (stderr += chunk));
    npm.stdout?.resume();
    const exited = new Promise<number | null>((done) => npm.on("exit", (code) => done(code)));
    while (!stderr.includes("listening on")) {
      if (npm.exitCode !== null) throw new Error(`npm run api ended early: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const servers = processesWith(marker).filter((pid) => pid !== npm.pid);
    expect(servers.length).toBeGreaterThan(0);
    npm.kill("SIGTERM");
    await exited;
    // Every process of the command is gone once npm has exited.
    for (let i = 0; i < 200 && processesWith(marker).length > 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(processesWith(marker)).toEqual([]);
  });
});
