import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import winston from "winston";
import { DefinitionError } from "../src/pipeline/errors.js";
import { Pipeline } from "../src/pipeline/pipeline.js";
import { indexSteps, type PlanStep, planRun } from "../src/pipeline/plan.js";
import { tempDir } from "./helpers/tmp.js";

const quiet = winston.createLogger({ silent: true });

/** Writes step files; a string is the file's whole source, an object a simple `.mjs` step. */
function folder(files: Record<string, string | { consumes?: string[]; produces?: string[] }>) {
  const dir = tempDir();
  for (const [file, content] of Object.entries(files)) {
    const source =
      typeof content === "string"
        ? content
        : `globalThis.__ran = (globalThis.__ran ?? 0);
export default {
  consumes: ${JSON.stringify(content.consumes ?? [])},
  produces: ${JSON.stringify(content.produces ?? [])},
  run() { globalThis.__ran++; return Object.fromEntries(${JSON.stringify(content.produces ?? [])}.map((d) => [d, 1])); },
};`;
    writeFileSync(join(dir, file), source);
  }
  return dir;
}

/** The problems `start` throws, or null when it starts. */
async function problemsOf(dir: string, targets: string[]): Promise<readonly string[] | null> {
  const pipeline = new Pipeline({ stepsDir: dir, log: quiet, env: {} });
  try {
    const { done } = await pipeline.start(targets);
    await done;
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as DefinitionError).exitCode).toBe(2);
    expect((error as DefinitionError).code).toBe("definition");
    return (error as DefinitionError).problems;
  }
}

describe("definition errors, found before anything runs", () => {
  it("an unknown step, with a suggestion when one is close", async () => {
    const dir = folder({
      "ventas.mjs": { produces: ["ventas"] },
      "ventas_por_mes.mjs": { consumes: ["ventas"], produces: ["ventas_por_mes"] },
    });
    expect(await problemsOf(dir, ["ventas_por_mez"])).toEqual([
      'unknown step "ventas_por_mez"; did you mean "ventas_por_mes"?',
    ]);
    expect(await problemsOf(dir, ["informe", "ventas"])).toEqual([
      'unknown step "informe" (see `npm run pipeline -- list`)',
    ]);
  });

  it("a dataset consumed but produced by no step, naming its consumers", async () => {
    const dir = folder({
      "a.mjs": { consumes: ["pedidos"], produces: ["x"] },
      "b.mjs": { consumes: ["pedidos", "x"], produces: ["y"] },
    });
    expect(await problemsOf(dir, ["b"])).toEqual([
      'no step produces "pedidos" (consumed by "a", "b")',
    ]);
  });

  it("a dataset produced by two steps, naming both with their files", async () => {
    const dir = folder({
      "a.mjs": { produces: ["x"] },
      "b.mjs": { produces: ["x"] },
      "c.mjs": { consumes: ["x"] },
    });
    expect(await problemsOf(dir, ["c"])).toEqual([
      `dataset "x" is produced by 2 steps: "a" (${join(dir, "a.mjs")}) and "b" (${join(dir, "b.mjs")})`,
    ]);
  });

  it("a cycle, with its path", async () => {
    const dir = folder({
      "a.mjs": { consumes: ["z"], produces: ["x"] },
      "b.mjs": { consumes: ["x"], produces: ["y"] },
      "c.mjs": { consumes: ["y"], produces: ["z"] },
      "d.mjs": { consumes: ["w"], produces: ["w"] },
      "e.mjs": { consumes: ["q"], produces: ["p"] },
      "f.mjs": { consumes: ["p"], produces: ["q"] },
      "ok.mjs": { produces: ["fine"] },
    });
    expect(await problemsOf(dir, ["ok"])).toEqual([
      "cycle: a → b → c → a",
      "cycle: d → d",
      "cycle: e → f → e",
    ]);
  });

  it("a step file that fails to load names the file (syntax, missing import, throwing at load)", async () => {
    const dir = folder({
      "roto.ts": "export default { consumes: [, produces: [] };\n",
      "importa.mjs": 'import { nada } from "./no-existe.mjs";\nexport default nada;\n',
      "lanza.mjs": 'throw new Error("cannot start");\n',
      "bien.mjs": { produces: ["x"] },
    });
    const problems = await problemsOf(dir, ["bien"]);
    expect(problems).toHaveLength(3);
    const [importa, lanza, roto] = problems as string[];
    expect(importa).toBe(
      `${join(dir, "importa.mjs")}: cannot load: ${join(dir, "importa.mjs")}:1:22: Could not resolve "./no-existe.mjs"`,
    );
    expect(lanza).toBe(`${join(dir, "lanza.mjs")}: cannot load: cannot start`);
    expect(roto).toMatch(
      new RegExp(
        `^${escapeRegExp(join(dir, "roto.ts"))}: cannot load: ${escapeRegExp(join(dir, "roto.ts"))}:1:\\d+: .+`,
      ),
    );
  });

  it("a step file with the wrong shape names the file and what is wrong", async () => {
    const dir = folder({
      "sin_default.mjs": "export const step = {};\n",
      "no_objeto.mjs": "export default 42;\n",
      "sin_run.mjs": 'export default { consumes: [], produces: ["a"] };\n',
      "nombres.mjs":
        'export default { consumes: ["Ventas", 3], produces: "x", run() {}, timeout_ms: -1 };\n',
      "repetido.mjs": 'export default { consumes: [], produces: ["b", "b"], run() {} };\n',
      "mal_nombre.mjs":
        'export default { name: "mal nombre", consumes: [], produces: [], run() {} };\n',
      "descripcion.mjs":
        "export default { description: 7, consumes: [], produces: [], run() {} };\n",
    });
    const file = (name: string) => join(dir, name);
    expect(await problemsOf(dir, ["x"])).toEqual([
      'unknown step "x" (see `npm run pipeline -- list`)',
      `${file("descripcion.mjs")}: "description" must be a string`,
      `${file("mal_nombre.mjs")}: bad step name "mal nombre" (letters, digits, "_" and "-"; the file name by default)`,
      `${file("no_objeto.mjs")}: the default export is not a step object (export default { consumes, produces, run })`,
      `${file("nombres.mjs")}: bad dataset name "Ventas" in "consumes" (use lower-case letters, digits and "_")`,
      `${file("nombres.mjs")}: bad dataset name 3 in "consumes" (use lower-case letters, digits and "_")`,
      `${file("nombres.mjs")}: "produces" must be an array of dataset names`,
      `${file("nombres.mjs")}: "timeout_ms" must be a positive number of milliseconds`,
      `${file("repetido.mjs")}: "b" is listed twice in "produces"`,
      `${file("sin_default.mjs")}: no default export (export default { consumes, produces, run })`,
      `${file("sin_run.mjs")}: "run" must be a function`,
    ]);
  });

  it("a step name used by two files", async () => {
    const dir = folder({
      "a.mjs": { produces: ["x"] },
      "b.mjs": 'export default { name: "a", consumes: [], produces: ["y"], run() {} };\n',
    });
    expect(await problemsOf(dir, ["a"])).toEqual([
      `step "a" is defined twice: ${join(dir, "a.mjs")} and ${join(dir, "b.mjs")}`,
    ]);
  });

  it("a steps folder that does not exist", async () => {
    const dir = join(tempDir(), "nope");
    expect(await problemsOf(dir, ["a"])).toEqual([
      'unknown step "a" (see `npm run pipeline -- list`)',
      `${dir}: cannot read the steps folder (no such folder)`,
    ]);
  });

  it("every problem at once, in one error, and nothing runs", async () => {
    const dir = folder({
      "a.mjs": { consumes: ["b_out"], produces: ["a_out"] },
      "b.mjs": { consumes: ["a_out"], produces: ["b_out"] },
      "c.mjs": { consumes: ["nadie"], produces: ["c_out"] },
      "d.mjs": { produces: ["c_out"] },
      "e.mjs": { produces: ["e_out"] },
      "roto.mjs": "export default {;\n",
    });
    (globalThis as { __ran?: number }).__ran = 0;
    const pipeline = new Pipeline({ stepsDir: dir, log: quiet, env: {} });
    const error = await pipeline.start(["e", "zzz"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefinitionError);
    const problems = (error as DefinitionError).problems;
    expect(problems).toHaveLength(5);
    expect(problems[0]).toBe('unknown step "zzz" (see `npm run pipeline -- list`)');
    expect(problems[1]).toMatch(
      new RegExp(`^${escapeRegExp(join(dir, "roto.mjs"))}: cannot load: `),
    );
    expect(problems.slice(2)).toEqual([
      `dataset "c_out" is produced by 2 steps: "c" (${join(dir, "c.mjs")}) and "d" (${join(dir, "d.mjs")})`,
      'no step produces "nadie" (consumed by "c")',
      "cycle: a → b → a",
    ]);
    expect((error as Error).message).toBe(`5 definition errors: ${problems.join("; ")}`);
    expect((globalThis as { __ran?: number }).__ran).toBe(0);
    // The catalog shows the same problems, and the steps that did load.
    const catalog = await pipeline.catalog();
    expect(catalog.problems).toEqual(problems.slice(1));
    expect(catalog.steps.map((s) => s.name)).toEqual(["a", "b", "c", "d", "e"]);
  });
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("the planner", () => {
  const steps: PlanStep[] = [
    { name: "ventas", consumes: [], produces: ["ventas"] },
    { name: "clientes", consumes: [], produces: ["clientes"] },
    { name: "por_mes", consumes: ["ventas"], produces: ["por_mes"] },
    { name: "activos", consumes: ["ventas", "clientes"], produces: ["activos"] },
    { name: "informe", consumes: ["por_mes", "activos"], produces: ["informe"] },
    { name: "aparte", consumes: [], produces: ["aparte"] },
  ];
  const { index, problems } = indexSteps(steps);
  const plan = (
    targets: string[],
    inMemory: string[] = [],
    force = false,
    inFlight: string[] = [],
  ) =>
    planRun(index, targets, {
      force,
      inMemory: (d) => inMemory.includes(d),
      inFlight: (s) => inFlight.includes(s),
    }).entries.map((e) => `${e.step.name}${e.mode === "run" ? "" : `:${e.mode}`}<${e.after}>`);

  it("plans the targets and their transitive producers, producers first", () => {
    expect(problems).toEqual([]);
    expect(plan(["informe"])).toEqual([
      "ventas<>",
      "por_mes<ventas>",
      "clientes<>",
      "activos<ventas,clientes>",
      "informe<por_mes,activos>",
    ]);
    expect(plan(["por_mes", "aparte"])).toEqual(["ventas<>", "por_mes<ventas>", "aparte<>"]);
  });

  it("reuses producers in memory (and not what only they needed); targets always run", () => {
    expect(plan(["informe"], ["ventas", "por_mes"])).toEqual([
      "por_mes:reuse<>",
      "ventas:reuse<>",
      "clientes<>",
      "activos<ventas,clientes>",
      "informe<por_mes,activos>",
    ]);
    expect(plan(["informe"], ["por_mes", "activos", "informe"])).toEqual([
      "por_mes:reuse<>",
      "activos:reuse<>",
      "informe<por_mes,activos>",
    ]);
    expect(plan(["informe"], ["por_mes", "activos"], true)).toHaveLength(5);
  });

  it("joins steps another run is running, without planning their producers", () => {
    expect(plan(["informe"], [], false, ["por_mes", "activos"])).toEqual([
      "por_mes:join<>",
      "activos:join<>",
      "informe<por_mes,activos>",
    ]);
  });

  it("plans and checks a 10,000-step graph without recursion limits", () => {
    const chain: PlanStep[] = Array.from({ length: 10_000 }, (_, i) => ({
      name: `s${i}`,
      consumes: i === 0 ? [] : [`d${i - 1}`],
      produces: [`d${i}`],
    }));
    const checked = indexSteps(chain);
    expect(checked.problems).toEqual([]);
    const entries = planRun(checked.index, ["s9999"], { inMemory: () => false }).entries;
    expect(entries).toHaveLength(10_000);
    expect(entries[0]?.step.name).toBe("s0");
    const looped = indexSteps([
      ...chain.slice(1),
      { name: "s0", consumes: ["d9999"], produces: ["d0"] },
    ]);
    expect(looped.problems).toHaveLength(1);
    expect(looped.problems[0]).toMatch(/^cycle: s0 → s1 → s2 → .* → s9999 → s0$/);
  });
});

describe("the folder", () => {
  it("only lists files of the folder itself, by the contract's rules", async () => {
    const dir = folder({
      "paso.mjs": { produces: ["a"] },
      "tipado.ts": 'export default { consumes: [], produces: ["b"], run: () => ({ b: 1 }) };\n',
      "plano.js": 'export default { consumes: [], produces: ["c"], run: () => ({ c: 1 }) };\n',
      "_ayuda.ts": "export const x = 1;\n",
      ".oculto.mjs": "syntax error here\n",
      "tipos.d.ts": "export type X = number;\n",
      "notas.txt": "not a step\n",
      "datos.json": "{}\n",
    });
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "dentro.mjs"), "syntax error here\n");
    const pipeline = new Pipeline({ stepsDir: dir, log: quiet, env: {} });
    const catalog = await pipeline.catalog();
    expect(catalog.problems).toEqual([]);
    expect(catalog.steps.map((s) => [s.name, s.file])).toEqual([
      ["paso", join(dir, "paso.mjs")],
      ["plano", join(dir, "plano.js")],
      ["tipado", join(dir, "tipado.ts")],
    ]);
  });
});
