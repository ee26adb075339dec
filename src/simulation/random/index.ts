/** Seeded scenario draws for the Monte Carlo system: see `stream.ts`, `distributions.ts`, `discrete.ts`, `source.ts`. */

export {
  binomialSampler,
  binomialStages,
  type DiscreteSampler,
  type DiscreteStages,
  logFactorial,
  poissonSampler,
  poissonStages,
} from "./discrete.js";
export {
  DISTRIBUTION_PARAMS,
  type DrawStages,
  roundHalfAwayFromZero,
  type Sampler,
  variableProblem,
  variableSampler,
  variableStages,
} from "./distributions.js";
export { normalFromParts, RandomSource } from "./source.js";
export { createScenarioStream, type ScenarioBatch, ScenarioStream } from "./stream.js";
export {
  type ScenarioTape,
  ScenarioTaper,
  TapeReader,
  tapedStream,
  tapeWidth,
} from "./tape.js";
