/**
 * The shapes shared by the Monte Carlo system (`../shared/contracts/simulation.md`): the
 * model read from its file, the scenarios drawn from it, and the summary of a run.
 */

export type DistributionName =
  | "normal"
  | "uniform"
  | "exponential"
  | "lognormal"
  | "triangular"
  | "binomial"
  | "poisson"
  | "constant";

/** One line of `[VARIABLES]`: `name, type, distribution, param=value, …`. */
export interface VariableSpec {
  name: string;
  type: "float" | "int";
  distribution: DistributionName;
  /** By the contract's parameter names: media, std, min, max, lambda, mu, sigma, left, mode, right, n, p, valor. */
  params: Record<string, number>;
  /** The line of the model file it was read from. */
  line: number;
}

export interface ModelMetadata {
  nombre: string;
  version: string;
  descripcion?: string;
  autor?: string;
  fecha_creacion?: string;
}

export type ModelFunction =
  | { kind: "expresion"; source: string; line: number }
  | { kind: "codigo"; source: string; line: number };

export interface ModelDefinition {
  metadata: ModelMetadata;
  variables: VariableSpec[];
  function: ModelFunction;
  /** `[SIMULACION]` */
  scenarios: number;
  seed: number;
  /** `[CONFIGURACION] timeout_consumidor`, seconds. */
  consumerTimeoutS: number;
  /** SHA-256 of the file's bytes. */
  sha256: string;
}

/**
 * A compiled model: evaluates one scenario (the variables' values in `variables` order)
 * to a number or to named numbers. Throws, or returns a non-finite number, for an error.
 */
export type Evaluate = (values: Float64Array | number[]) => number | Record<string, number>;

/** The summary of one output (`resumen.json`, `simulate --json`). */
export interface OutputSummary {
  n: number;
  errors: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  p1: number;
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  p99: number;
  /** 95% confidence interval of the mean: [low, high]. */
  ci95: [number, number];
  histogram: { edges: number[]; counts: number[] };
  /** Spearman rank correlation of each variable with the output, by variable name. */
  sensitivity: Record<string, number>;
  /** The running mean at up to 100 points: [scenarios so far, mean]. */
  convergence: [number, number][];
}
