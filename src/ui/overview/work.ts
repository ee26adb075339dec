import type { JobQueue, JobRecord, JobState } from "../../files/types.js";
import type { RunState, SimulationMode } from "../../simulation/run/types.js";
import type { SimulationRun, SimulationService } from "../../simulation/service.js";

/**
 * What the overview shows of the file jobs and the simulations: the ones going on now and
 * the latest finished ones, read from the job queue and the simulation service at each
 * request (both already keep their lists; nothing is cached here).
 */

/** How many finished jobs or runs the overview lists. */
export const RECENT = 5;
/** How many jobs or runs in progress the overview lists (the card counts the rest). */
export const ACTIVE = 6;

/** One file job as the overview shows it (a `JobRecord` without its outputs and sizes). */
export interface OverviewJob {
  job_id: string;
  name: string;
  state: JobState;
  percent: number;
  rows_processed: number;
  rows_per_s: number | null;
  eta_s: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

export interface FilesOverview {
  /** False when the console runs without the file jobs (the card says so). */
  available: boolean;
  /** Where jobs run: the console's threads or BullMQ (`npm run worker`); null when unavailable. */
  queue: "embedded" | "bullmq" | null;
  /** Jobs processing, then queued (oldest first), at most `ACTIVE`. */
  running: OverviewJob[];
  /** Jobs in progress in all (`running` may show fewer). */
  running_total: number;
  /** The latest completed, failed or cancelled jobs, newest first, at most `RECENT`. */
  recent: OverviewJob[];
  /** Jobs the queue lists. */
  total: number;
  /** Why the queue could not be read (BullMQ without Redis), else null. */
  error: string | null;
}

/** One simulation run as the overview shows it. */
export interface OverviewSimulation {
  run_id: string;
  model: { nombre: string; version: string };
  file: string;
  mode: SimulationMode;
  state: RunState;
  scenarios: number;
  completed: number;
  errors: number;
  /** 0–100. */
  percent: number;
  /** Scenarios a second: the run's latest progress, else the average so far; null when not started. */
  rate: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_s: number | null;
  error: string | null;
  /** When completed: the model's first output and its mean. */
  first_output: { name: string; mean: number } | null;
}

export interface SimulationsOverview {
  /** False when the console runs without the simulations (the card says so). */
  available: boolean;
  /** Runs running, then queued (oldest first), at most `ACTIVE`. */
  running: OverviewSimulation[];
  running_total: number;
  /** The latest completed, failed or cancelled runs, newest first, at most `RECENT`. */
  recent: OverviewSimulation[];
  /** Runs the service lists (its latest 100 and the ones of this console). */
  total: number;
}

function job(record: JobRecord): OverviewJob {
  return {
    job_id: record.job_id,
    name: record.name,
    state: record.state,
    percent: record.percent,
    rows_processed: record.rows_processed,
    rows_per_s: record.rows_per_s,
    eta_s: record.eta_s,
    created_at: record.created_at,
    started_at: record.started_at,
    finished_at: record.finished_at,
    error: record.error,
  };
}

/** The file jobs' part of the overview; a queue that cannot be read is a status, not an error. */
export async function filesOverview(queue: JobQueue | undefined): Promise<FilesOverview> {
  const none = { running: [], running_total: 0, recent: [], total: 0 };
  if (!queue) return { available: false, queue: null, error: null, ...none };
  let jobs: JobRecord[];
  try {
    jobs = await queue.list();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      available: true,
      queue: queue.kind,
      error: `the job queue could not be read: ${reason.split("\n")[0]?.slice(0, 200)}`,
      ...none,
    };
  }
  const rank = (state: JobState) => (state === "processing" ? 0 : 1);
  const running = jobs
    .filter((j) => j.state === "processing" || j.state === "queued")
    .sort((a, b) => rank(a.state) - rank(b.state) || a.created_at.localeCompare(b.created_at));
  const recent = jobs
    .filter((j) => j.state !== "processing" && j.state !== "queued")
    .sort((a, b) => (b.finished_at ?? b.created_at).localeCompare(a.finished_at ?? a.created_at))
    .slice(0, RECENT);
  return {
    available: true,
    queue: queue.kind,
    running: running.slice(0, ACTIVE).map(job),
    running_total: running.length,
    recent: recent.map(job),
    total: jobs.length,
    error: null,
  };
}

const OVER: ReadonlySet<RunState> = new Set(["completed", "failed", "cancelled"]);

function simulation(
  run: SimulationRun,
  service: SimulationService,
  now: number,
): OverviewSimulation {
  const done = run.completed + run.errors;
  let rate: number | null = null;
  let first: OverviewSimulation["first_output"] = null;
  if (run.state === "running") {
    const progress = service.get(run.run_id)?.progress;
    if (progress) rate = progress.rate;
    else if (run.started_at) {
      const seconds = (now - Date.parse(run.started_at)) / 1000;
      rate = seconds > 0 ? done / seconds : null;
    }
  } else if (run.state === "completed") {
    const outputs = service.get(run.run_id)?.result?.outputs ?? {};
    const [name, summary] = Object.entries(outputs)[0] ?? [];
    if (name !== undefined && summary) first = { name, mean: summary.mean };
    if (run.duration_s) rate = done / run.duration_s;
  }
  return {
    run_id: run.run_id,
    model: { nombre: run.model.nombre, version: run.model.version },
    file: run.file,
    mode: run.mode,
    state: run.state,
    scenarios: run.scenarios,
    completed: run.completed,
    errors: run.errors,
    percent:
      run.state === "completed"
        ? 100
        : run.scenarios > 0
          ? Math.min(100, (100 * done) / run.scenarios)
          : 0,
    rate: rate !== null && Number.isFinite(rate) ? rate : null,
    created_at: run.created_at,
    started_at: run.started_at,
    finished_at: run.finished_at,
    duration_s: run.duration_s,
    error: run.error,
    first_output: first,
  };
}

/** The simulations' part of the overview. */
export function simulationsOverview(
  service: SimulationService | undefined,
  now = Date.now(),
): SimulationsOverview {
  if (!service) return { available: false, running: [], running_total: 0, recent: [], total: 0 };
  const runs = service.list();
  const rank = (state: RunState) => (state === "running" ? 0 : 1);
  const running = runs
    .filter((run) => !OVER.has(run.state))
    .sort((a, b) => rank(a.state) - rank(b.state) || a.created_at.localeCompare(b.created_at));
  const recent = runs
    .filter((run) => OVER.has(run.state))
    .sort((a, b) => (b.finished_at ?? b.created_at).localeCompare(a.finished_at ?? a.created_at))
    .slice(0, RECENT);
  return {
    available: true,
    running: running.slice(0, ACTIVE).map((run) => simulation(run, service, now)),
    running_total: running.length,
    recent: recent.map((run) => simulation(run, service, now)),
    total: runs.length,
  };
}
