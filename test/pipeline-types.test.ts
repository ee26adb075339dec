import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/** Type-checks a project; the compiler's output, empty when it passes. */
async function typecheck(project: string): Promise<string> {
  try {
    await promisify(execFile)(process.execPath, [TSC, "--noEmit", "-p", project], { cwd: ROOT });
    return "";
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

const DEFINE = JSON.stringify(join(ROOT, "src/pipeline/define.js"));

/** `defineStep` checks dataset names against what `run` takes and returns. */
const CHECKS = `import { defineStep } from ${DEFINE};

interface Venta { fecha: string; importe: number }

export const typedInputs = defineStep({
  consumes: ["ventas"],
  produces: ["total"],
  run({ ventas }: { ventas: Venta[] }, ctx) {
    ctx.progress(1, 2);
    ctx.signal.throwIfAborted();
    ctx.log.info(ctx.step + ctx.runId + (ctx.env.DB_PATH ?? ""));
    const total: number = ventas.reduce((sum, v) => sum + v.importe, 0);
    return { total };
  },
});

export const plainInputs = defineStep({
  consumes: ["a", "b"],
  produces: ["c"],
  async run(inputs) {
    const a: unknown = inputs.a;
    // @ts-expect-error "z" is not consumed
    inputs.z;
    return { c: [a, inputs.b] };
  },
});

export const missingOutput = defineStep({
  consumes: [],
  produces: ["x", "y"],
  // @ts-expect-error "y" is not returned
  run: () => ({ x: 1 }),
});

export const wrongInputs = defineStep({
  consumes: ["ventas"],
  produces: [],
  // @ts-expect-error the inputs' type lacks "ventas"
  run(_inputs: { otra: number }) {
    return {};
  },
});

export const noRun = defineStep(
  // @ts-expect-error run is required
  { consumes: [], produces: [] },
);

export const badTimeout = defineStep({
  consumes: [],
  produces: [],
  // @ts-expect-error timeout_ms is a number of milliseconds
  timeout_ms: "60s",
  run: () => ({}),
});
`;

describe("defineStep's types", () => {
  it("type-checks the bundled .ts steps", async () => {
    expect(await typecheck(join(ROOT, "steps"))).toBe("");
  });

  it("checks dataset names against run's inputs and result (each @ts-expect-error is needed)", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(dir, "checks.ts"), CHECKS);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(ROOT, "tsconfig.json"),
        compilerOptions: { typeRoots: [join(ROOT, "node_modules/@types")] },
        include: ["checks.ts"],
      }),
    );
    expect(await typecheck(dir)).toBe("");
    // And the checks do fail without their directives.
    writeFileSync(join(dir, "checks.ts"), CHECKS.replaceAll("// @ts-expect-error", "//"));
    const errors = (await typecheck(dir)).split("\n").filter((line) => line.includes("error TS"));
    expect(errors).toHaveLength(5);
  });
});
