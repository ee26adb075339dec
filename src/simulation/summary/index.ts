/** The summaries of a run's outputs: final (`summarize.ts`) and live (`live.ts`). */

export { type LiveSnapshot, LiveSummary, type LiveSummaryOptions } from "./live.js";
export {
  argsortDoubles,
  averageRanks,
  CompensatedSum,
  confidenceInterval95,
  histogram,
  quantileSorted,
  rankCorrelation,
  ranksAndSorted,
  sortedCopy,
  spearman,
  tQuantile975,
} from "./stats.js";
export { CONVERGENCE_POINTS, HISTOGRAM_BINS, summarizeOutput } from "./summarize.js";
