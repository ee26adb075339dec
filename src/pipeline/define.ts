import type { Logger as WinstonLogger } from "winston";

/** A dataset or step name as the contract allows it: lower-case letters, digits, `_`. */
export const DATASET_NAME = /^[a-z0-9_]+$/;

/** What a step's `run` gets besides its inputs. */
export interface StepContext {
  /** The project's logger, with `step` and `run_id` on every line. */
  log: WinstonLogger;
  /** Aborted when the step times out or the run is cancelled: stop and return (or throw). */
  signal: AbortSignal;
  /** Reports progress (`done` of `total` units, or just `done`); shown live by the CLI and console. */
  progress(done: number, total?: number): void;
  /** The settings the run sees: the environment over the `.env` file (e.g. `DB_PATH`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The step's own name and the run's id. */
  step: string;
  runId: string;
}

/**
 * A step: the datasets it consumes and produces and the function that makes the second
 * from the first. `C` and `P` are the consumed and produced dataset names; `In` and `Out`
 * may narrow the values (annotate `run`'s first parameter, or its return type).
 */
export interface StepDefinition<
  C extends string = string,
  P extends string = string,
  In extends { [K in C]: unknown } = { [K in C]: unknown },
  Out extends { [K in P]: unknown } = { [K in P]: unknown },
> {
  /** Default: the file name without its extension. */
  name?: string;
  description?: string;
  consumes: readonly C[];
  produces: readonly P[];
  /** Per-step timeout; else `STEP_TIMEOUT_MS`; none if neither. */
  timeout_ms?: number;
  /** Returns exactly the produced datasets, by name. */
  run(inputs: In, ctx: StepContext): Promise<Out> | Out;
}

/**
 * Declares a step with its dataset names checked by the compiler: `inputs` has exactly
 * the consumed names and the returned object must have every produced one. Annotate the
 * inputs to give them types (`run({ ventas }: { ventas: Venta[] }, ctx)`).
 *
 * @example
 * // steps/ventas_por_mes.ts
 * import { defineStep } from "empresa-etl/pipeline";
 *
 * export default defineStep({
 *   description: "Sales per month",
 *   consumes: ["ventas"],
 *   produces: ["ventas_por_mes"],
 *   async run({ ventas }: { ventas: { fecha: string; importe: number }[] }, ctx) {
 *     ctx.log.info(`${ventas.length} sales`);
 *     return { ventas_por_mes: porMes(ventas) };
 *   },
 * });
 */
export function defineStep<
  const C extends string = never,
  const P extends string = never,
  In extends { [K in C]: unknown } = { [K in C]: unknown },
  Out extends { [K in P]: unknown } = { [K in P]: unknown },
>(step: StepDefinition<C, P, In, Out>): StepDefinition<C, P, In, Out> {
  return step;
}
