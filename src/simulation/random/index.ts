/** Seeded scenario draws for the Monte Carlo system: see `stream.ts`, `distributions.ts`, `discrete.ts`, `source.ts`. */

export { binomialSampler, type DiscreteSampler, logFactorial, poissonSampler } from "./discrete.js";
export {
  DISTRIBUTION_PARAMS,
  roundHalfAwayFromZero,
  type Sampler,
  variableProblem,
  variableSampler,
} from "./distributions.js";
export { RandomSource } from "./source.js";
export { createScenarioStream, type ScenarioBatch, ScenarioStream } from "./stream.js";
