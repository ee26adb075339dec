/** The summaries of a run's outputs: final (`summarize.ts`) and live (`live.ts`). */

export { type LiveSnapshot, LiveSummary, type LiveSummaryOptions } from "./live.js";
export {
  averageRanks,
  CompensatedSum,
  confidenceInterval95,
  histogram,
  quantileSorted,
  rankCorrelation,
  sortedCopy,
  spearman,
  tQuantile975,
} from "./stats.js";
export { CONVERGENCE_POINTS, HISTOGRAM_BINS, summarizeOutput } from "./summarize.js";
