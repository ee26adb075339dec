/**
 * One variable of `[VARIABLES]` turned into a sampler: a function drawing its next value
 * from the run's `RandomSource` (contract `simulation.md`, "The model file").
 *
 * | distribution | float | int |
 * |---|---|---|
 * | `normal(media, std)` | media + std·Z (polar method) | rounded |
 * | `uniform(min, max)` | min + (max − min)·U, U in [0, 1) | each integer in [⌈min⌉, ⌊max⌋] equally likely (pure-rand `uniformInt`, unbiased) |
 * | `exponential(lambda)` | −ln(U)/lambda, U in (0, 1) (rate lambda, mean 1/lambda) | rounded |
 * | `lognormal(mu, sigma)` | exp(mu + sigma·Z) | rounded |
 * | `triangular(left, mode, right)` | inverse CDF of one uniform | rounded |
 * | `binomial(n, p)` | exact (inversion or BTRD, `discrete.ts`) | same |
 * | `poisson(lambda)` | exact (inversion or PTRS, `discrete.ts`) | same |
 * | `constant(valor)` | valor, draws nothing | rounded |
 *
 * "Rounded" is to the nearest integer, halves away from zero (2.5 → 3, −2.5 → −3), so the
 * rounding is symmetric around zero (`Math.round` would send −2.5 to −2).
 */

import type { VariableSpec } from "../types.js";
import {
  binomialSampler,
  binomialStages,
  type DiscreteStages,
  poissonSampler,
  poissonStages,
} from "./discrete.js";
import { normalFromParts, type RandomSource } from "./source.js";

export type Sampler = (source: RandomSource) => number;

/**
 * A variable's draw split in two stages, whose composition is its sampler, value for value:
 * `record` consumes from the source exactly what the sampler would (the generator's
 * outputs, the accept/reject decisions) and writes `slots` doubles; `finish` computes the
 * value from them (the logarithms, exponentials, square roots and searches). The first
 * stage must run in stream order; the second can run anywhere (`tape.ts`).
 */
export interface DrawStages {
  readonly slots: number;
  record(source: RandomSource, out: Float64Array, k: number): void;
  finish(parts: Float64Array, k: number): number;
}

/** The parameters each distribution takes, by the contract's names, in order. */
export const DISTRIBUTION_PARAMS = {
  normal: ["media", "std"],
  uniform: ["min", "max"],
  exponential: ["lambda"],
  lognormal: ["mu", "sigma"],
  triangular: ["left", "mode", "right"],
  binomial: ["n", "p"],
  poisson: ["lambda"],
  constant: ["valor"],
} as const satisfies Record<VariableSpec["distribution"], readonly string[]>;

/** Round to the nearest integer, halves away from zero; never −0. */
export function roundHalfAwayFromZero(x: number): number {
  const r = x < 0 ? -Math.round(-x) : Math.round(x);
  return r === 0 ? 0 : r;
}

/**
 * Why a variable cannot be drawn, or `undefined` when it can: an unknown distribution, a
 * missing, extra or non-finite parameter, or an impossible one (std ≤ 0, sigma < 0,
 * min ≥ max, not left ≤ mode ≤ right, lambda ≤ 0, n not a non-negative integer, p outside
 * [0, 1], an `int` uniform with no integer in [min, max]). Degenerate but well-defined
 * cases are drawn: sigma = 0 gives exp(mu), left = mode = right gives that value.
 */
export function variableProblem(spec: VariableSpec): string | undefined {
  const names = (DISTRIBUTION_PARAMS as Record<string, readonly string[]>)[spec.distribution];
  if (names === undefined) return `unknown distribution "${spec.distribution}"`;
  if (spec.type !== "float" && spec.type !== "int") return `unknown type "${spec.type}"`;
  for (const name of names) {
    const value = spec.params[name];
    if (value === undefined) return `${spec.distribution} needs the parameter "${name}"`;
    if (!Number.isFinite(value)) return `the parameter "${name}" must be a finite number`;
  }
  for (const name of Object.keys(spec.params)) {
    if (!names.includes(name)) return `${spec.distribution} has no parameter "${name}"`;
  }
  const p = spec.params as Record<string, number>;
  switch (spec.distribution) {
    case "normal":
      if (!((p.std as number) > 0)) return "std must be > 0";
      break;
    case "uniform":
      if (!((p.min as number) < (p.max as number))) return "min must be < max";
      if (spec.type === "int") {
        const from = Math.ceil(p.min as number);
        const to = Math.floor(p.max as number);
        if (from > to) return "an int uniform needs an integer between min and max";
        if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
          return "an int uniform needs min and max within ±2^53";
        }
      }
      break;
    case "exponential":
    case "poisson":
      if (!((p.lambda as number) > 0)) return "lambda must be > 0";
      break;
    case "lognormal":
      if (!((p.sigma as number) >= 0)) return "sigma must be ≥ 0";
      break;
    case "triangular":
      if (
        !((p.left as number) <= (p.mode as number) && (p.mode as number) <= (p.right as number))
      ) {
        return "triangular needs left ≤ mode ≤ right";
      }
      break;
    case "binomial":
      if (!(Number.isSafeInteger(p.n) && (p.n as number) >= 0)) {
        return "n must be a non-negative integer";
      }
      if (!((p.p as number) >= 0 && (p.p as number) <= 1)) return "p must be in [0, 1]";
      break;
    case "constant":
      break;
  }
  return undefined;
}

/** The sampler of one variable; throws a `RangeError` naming it (and its line) if it cannot be drawn. */
export function variableSampler(spec: VariableSpec): Sampler {
  const problem = variableProblem(spec);
  if (problem !== undefined) {
    throw new RangeError(`variable "${spec.name}" (line ${spec.line}): ${problem}`);
  }
  const sampler = floatSampler(spec);
  if (
    spec.type === "float" ||
    spec.distribution === "binomial" ||
    spec.distribution === "poisson"
  ) {
    return sampler;
  }
  if (spec.distribution === "uniform") {
    const from = Math.ceil(spec.params.min as number);
    const to = Math.floor(spec.params.max as number);
    return (source) => source.integer(from, to);
  }
  if (spec.distribution === "constant") {
    const value = roundHalfAwayFromZero(spec.params.valor as number);
    return () => value;
  }
  return (source) => roundHalfAwayFromZero(sampler(source));
}

/**
 * The two stages of a variable's draw (`DrawStages`). Each `finish` is written as its
 * sampler computes the value — the same operations in the same order — so the values are
 * identical (the tests compare them bit for bit). Throws as `variableSampler` does.
 */
export function variableStages(spec: VariableSpec): DrawStages {
  const sampler = variableSampler(spec);
  const p = spec.params as Record<string, number>;
  const rounded = spec.type === "int";
  const round = rounded ? roundHalfAwayFromZero : (x: number) => x;
  const one = (
    record: (source: RandomSource) => number,
    finish: (x: number) => number,
  ): DrawStages => ({
    slots: 1,
    record: (source, out, k) => {
      out[k] = record(source);
    },
    finish: (parts, k) => finish(parts[k] as number),
  });
  const discrete = (stages: DiscreteStages) => one(stages.record, stages.finish);
  // A function of one standard normal: its parts recorded, the value computed from them.
  const normal = (value: (z: number) => number): DrawStages => ({
    slots: 2,
    record: (source, out, k) => source.normalParts(out, k),
    finish: (parts, k) => value(normalFromParts(parts[k] as number, parts[k + 1] as number)),
  });
  switch (spec.distribution) {
    case "normal": {
      const media = p.media as number;
      const std = p.std as number;
      return normal((z) => round(media + std * z));
    }
    case "lognormal": {
      const mu = p.mu as number;
      const sigma = p.sigma as number;
      return normal((z) => round(Math.exp(mu + sigma * z)));
    }
    case "uniform": {
      if (rounded) break; // pure-rand's unbiased integer: its rejections need the values
      const min = p.min as number;
      const width = (p.max as number) - min;
      return one(
        (source) => source.uniform(),
        (u) => min + width * u,
      );
    }
    case "exponential": {
      const lambda = p.lambda as number;
      return one(
        (source) => source.open(),
        (u) => round(-Math.log(u) / lambda),
      );
    }
    case "triangular": {
      const draw = triangular(p.left as number, p.mode as number, p.right as number);
      return one(
        (source) => source.uniform(),
        (u) => round(draw(u)),
      );
    }
    case "binomial":
      return discrete(binomialStages(p.n as number, p.p as number));
    case "poisson":
      return discrete(poissonStages(p.lambda as number));
    case "constant": {
      const value = round(p.valor as number);
      return { slots: 0, record: () => {}, finish: () => value };
    }
  }
  return one(sampler, (x) => x);
}

/** The triangular distribution's inverse CDF, of a uniform in [0, 1). */
function triangular(left: number, mode: number, right: number): (u: number) => number {
  const width = right - left;
  const below = mode - left;
  const above = right - mode;
  const split = width > 0 ? below / width : 0; // left = right: every draw is right
  const leftProduct = below * width;
  const rightProduct = above * width;
  return (u) =>
    u < split ? left + Math.sqrt(u * leftProduct) : right - Math.sqrt((1 - u) * rightProduct);
}

function floatSampler(spec: VariableSpec): Sampler {
  const p = spec.params as Record<string, number>;
  switch (spec.distribution) {
    case "normal": {
      const media = p.media as number;
      const std = p.std as number;
      return (source) => media + std * source.normal();
    }
    case "uniform": {
      const min = p.min as number;
      const width = (p.max as number) - min;
      return (source) => min + width * source.uniform();
    }
    case "exponential": {
      const lambda = p.lambda as number;
      return (source) => source.exponential() / lambda;
    }
    case "lognormal": {
      const mu = p.mu as number;
      const sigma = p.sigma as number;
      return (source) => Math.exp(mu + sigma * source.normal());
    }
    case "triangular": {
      const draw = triangular(p.left as number, p.mode as number, p.right as number);
      return (source) => draw(source.uniform());
    }
    case "binomial":
      return binomialSampler(p.n as number, p.p as number);
    case "poisson":
      return poissonSampler(p.lambda as number);
    case "constant": {
      const value = p.valor as number;
      return () => value;
    }
  }
}
