import { rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import winston from "winston";
import { Pipeline } from "../src/pipeline/pipeline.js";
import type { Catalog } from "../src/pipeline/types.js";
import { tempDir } from "./helpers/tmp.js";

const quiet = winston.createLogger({ silent: true });

/** Writes a file and moves its modification time forward, as a later edit would. */
function edit(path: string, content: string): void {
  let before = 0;
  try {
    before = statSync(path).mtimeMs;
  } catch {
    // a new file
  }
  writeFileSync(path, content);
  const later = new Date(Math.max(Date.now(), before + 2000));
  utimesSync(path, later, later);
}

async function producedBy(pipeline: Pipeline, target: string, dataset: string): Promise<unknown> {
  const { done } = await pipeline.start([target]);
  const report = await done;
  expect(report.status, JSON.stringify(report.steps)).toBe("ok");
  return pipeline.preview(dataset)?.[0];
}

describe("loading step files", () => {
  it("loads .ts steps with types and helpers, .mjs and .js (ESM or CommonJS) steps", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "_util.ts"),
      "export const doble = (n: number): number => n * 2;\nexport interface Fila { n: number }\n",
    );
    writeFileSync(
      join(dir, "tipado.ts"),
      `import { defineStep } from ${JSON.stringify(join(import.meta.dirname, "../src/pipeline/define.js"))};
import { doble, type Fila } from "./_util.js";

enum Modo { Simple = "simple" }
export default defineStep({
  name: "tipado",
  description: "A typed step",
  consumes: [],
  produces: ["filas"],
  timeout_ms: 5_000,
  run(_inputs, ctx) {
    const filas: Fila[] = [{ n: doble(21) }];
    return { filas: filas.map((f) => ({ ...f, modo: Modo.Simple, url: import.meta.url, step: ctx.step })) };
  },
});
`,
    );
    writeFileSync(
      join(dir, "modulo.mjs"),
      'export default { consumes: ["filas"], produces: ["total"], run: ({ filas }) => ({ total: filas[0].n + 1 }) };\n',
    );
    writeFileSync(
      join(dir, "comun.js"),
      'module.exports = { consumes: ["total"], produces: ["texto"], run: ({ total }) => ({ texto: "total " + total }) };\n',
    );
    const pipeline = new Pipeline({ stepsDir: dir, log: quiet, env: {} });
    expect(await pipeline.steps()).toEqual([
      {
        name: "comun",
        description: "",
        consumes: ["total"],
        produces: ["texto"],
        file: join(dir, "comun.js"),
        timeout_ms: null,
      },
      {
        name: "modulo",
        description: "",
        consumes: ["filas"],
        produces: ["total"],
        file: join(dir, "modulo.mjs"),
        timeout_ms: null,
      },
      {
        name: "tipado",
        description: "A typed step",
        consumes: [],
        produces: ["filas"],
        file: join(dir, "tipado.ts"),
        timeout_ms: 5000,
      },
    ]);
    expect(await producedBy(pipeline, "comun", "texto")).toBe("total 43");
    // import.meta in a step is its own file, not where the compiled code came from.
    expect(pipeline.preview("filas")).toEqual([
      { n: 42, modo: "simple", url: pathToFileURL(join(dir, "tipado.ts")).href, step: "tipado" },
    ]);
  });

  it("picks up a changed, added or removed step file on the next call, without a restart", async () => {
    const dir = tempDir();
    const step = (value: number) =>
      `export default { consumes: [], produces: ["x"], run: () => ({ x: ${value} }) };\n`;
    edit(join(dir, "a.mjs"), step(1));
    const pipeline = new Pipeline({ stepsDir: dir, log: quiet, env: {} });
    const changes: Catalog[] = [];
    pipeline.on("steps-changed", (catalog) => changes.push(catalog));
    expect(await producedBy(pipeline, "a", "x")).toBe(1);
    edit(join(dir, "a.mjs"), step(2));
    expect(await producedBy(pipeline, "a", "x")).toBe(2);
    expect(changes).toEqual([]); // same steps, same declarations: not a change of the folder
    edit(
      join(dir, "b.ts"),
      'export default { consumes: ["x"], produces: ["y"], run: ({ x }: { x: number }) => ({ y: x * 10 }) };\n',
    );
    expect((await pipeline.steps()).map((s) => s.name)).toEqual(["a", "b"]);
    expect(changes.map((c) => c.steps.map((s) => s.name))).toEqual([["a", "b"]]);
    expect(await producedBy(pipeline, "b", "y")).toBe(20);
    rmSync(join(dir, "a.mjs"));
    const catalog = await pipeline.catalog();
    expect(catalog.steps.map((s) => s.name)).toEqual(["b"]);
    expect(catalog.problems).toEqual(['no step produces "x" (consumed by "b")']);
    expect(changes).toHaveLength(2);
  });

  it("reloads a step when a helper it imports changes", async () => {
    const dir = tempDir();
    edit(join(dir, "_valor.ts"), "export const valor: number = 1;\n");
    edit(
      join(dir, "usa.ts"),
      'import { valor } from "./_valor.js";\nexport default { consumes: [], produces: ["v"], run: () => ({ v: valor }) };\n',
    );
    const pipeline = new Pipeline({ stepsDir: dir, log: quiet, env: {} });
    expect(await producedBy(pipeline, "usa", "v")).toBe(1);
    edit(join(dir, "_valor.ts"), "export const valor: number = 2;\n");
    expect(await producedBy(pipeline, "usa", "v")).toBe(2);
  });

  it("a file fixed after failing to load loads on the next call", async () => {
    const dir = tempDir();
    edit(join(dir, "a.mjs"), "export default {\n");
    const pipeline = new Pipeline({ stepsDir: dir, log: quiet, env: {} });
    expect((await pipeline.catalog()).problems).toHaveLength(1);
    edit(
      join(dir, "a.mjs"),
      'export default { consumes: [], produces: ["x"], run: () => ({ x: 3 }) };\n',
    );
    expect(await pipeline.catalog()).toMatchObject({ problems: [], steps: [{ name: "a" }] });
  });

  it("the graph: a node per step and dataset, producer → dataset → consumer", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "ventas.mjs"),
      'export default { consumes: [], produces: ["ventas"], run: () => ({ ventas: [] }) };\n',
    );
    writeFileSync(
      join(dir, "por_mes.mjs"),
      'export default { consumes: ["ventas"], produces: ["por_mes", "meses"], run: () => ({}) };\n',
    );
    const graph = await new Pipeline({ stepsDir: dir, log: quiet, env: {} }).graph();
    expect(graph).toEqual({
      nodes: [
        { id: "step:por_mes", kind: "step", name: "por_mes" },
        { id: "step:ventas", kind: "step", name: "ventas" },
        { id: "dataset:meses", kind: "dataset", name: "meses" },
        { id: "dataset:por_mes", kind: "dataset", name: "por_mes" },
        { id: "dataset:ventas", kind: "dataset", name: "ventas" },
      ],
      edges: [
        { from: "dataset:ventas", to: "step:por_mes" },
        { from: "step:por_mes", to: "dataset:por_mes" },
        { from: "step:por_mes", to: "dataset:meses" },
        { from: "step:ventas", to: "dataset:ventas" },
      ],
    });
  });
});
