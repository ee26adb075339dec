/** A simulation run: `runSimulation`, its transports, its outputs and its record in the control database. */
export {
  createEmbeddedTransport,
  defaultWorkers,
  EmbeddedTransport,
  type EmbeddedTransportOptions,
  SimulationError,
} from "./embedded.js";
export { evaluateBatch, MAX_BATCH_ERRORS } from "./evaluate.js";
export { ROW_GROUP, resultsSchema, writeResultsParquet } from "./parquet.js";
export {
  DEFAULT_BATCH,
  DEFAULT_EMBEDDED_BATCH,
  DEFAULT_SIM_DIR,
  MAX_ERROR_SAMPLES,
  newRunId,
  type RunSimulationOptions,
  reapAndClean,
  runSimulation,
} from "./run.js";
export { ResultSpill } from "./spill.js";
export {
  createRun,
  getRun,
  listRuns,
  OWNER,
  reapOrphans,
  SIMULATION_DDL,
  type SimulationRun,
  type SimulationRunFields,
  updateRun,
} from "./store.js";
export { SUMMARY_IN_MEMORY_MAX, selectRanks, summarizeRun } from "./summary.js";
export type * from "./types.js";
