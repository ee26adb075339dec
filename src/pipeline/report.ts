import { formatCount } from "../cli/progress.js";
import type { RunReport, StepInfo, StepState } from "./types.js";

/** The `run --json` document, exactly as the contract has it. */
export function runJson(report: RunReport) {
  return {
    status: report.status,
    targets: report.targets,
    steps: report.steps.map((s) => ({
      name: s.name,
      status: s.status,
      started_at: s.started_at,
      finished_at: s.finished_at,
      ms: s.ms,
      consumes: s.consumes,
      produces: s.produces,
      error: s.error,
    })),
    datasets: report.datasets,
  };
}

/** The `list --json` document: `[{name, description, consumes, produces, file}]`. */
export function listJson(steps: StepInfo[]) {
  return steps.map((s) => ({
    name: s.name,
    description: s.description,
    consumes: s.consumes,
    produces: s.produces,
    file: s.file,
  }));
}

const COLOURS: Partial<Record<StepState, string>> = {
  done: "\x1b[32m",
  reused: "\x1b[36m",
  failed: "\x1b[31m",
  skipped: "\x1b[33m",
};

const paint = (text: string, colour: string | undefined, on: boolean) =>
  on && colour ? `${colour}${text}\x1b[0m` : text;

/** Pads every column but the last to its widest cell. */
function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd(),
  );
}

const names = (list: readonly string[]) => (list.length > 0 ? list.join(", ") : "—");

/** The readable report of a run: one line per step, then the outcome. */
export function runText(report: RunReport, colour: boolean): string {
  const rows = report.steps.map((s) => {
    const outputs = s.produces
      .map((d) => {
        const info = report.datasets[d];
        if (!info) return d;
        return `${d} (${info.type}${info.rows === null ? "" : `, ${formatCount(info.rows)} rows`})`;
      })
      .join(", ");
    const detail = s.error ?? (outputs ? `→ ${outputs}` : "");
    return [s.status, s.name, s.ms === null ? "" : `${s.ms.toFixed(1)} ms`, detail];
  });
  const lines = table(rows).map((line, i) =>
    paint(line, COLOURS[report.steps[i]?.status as StepState], colour),
  );
  const ms = Date.parse(report.finished_at) - Date.parse(report.started_at);
  const count = (state: StepState) => report.steps.filter((s) => s.status === state).length;
  const summary = [`${count("done")} done`, `${count("reused")} reused`];
  if (count("failed") > 0) summary.push(`${count("failed")} failed`);
  if (count("skipped") > 0) summary.push(`${count("skipped")} skipped`);
  lines.push(
    `${report.status === "ok" ? "ok" : "failed"}: ${summary.join(", ")} in ${ms} ms (run ${report.run_id})`,
  );
  return `${lines.join("\n")}\n`;
}

/** The readable list of steps. */
export function listText(steps: StepInfo[]): string {
  if (steps.length === 0) return "(no steps)\n";
  const rows = [["step", "consumes", "produces", "file", "description"]];
  for (const s of steps)
    rows.push([s.name, names(s.consumes), names(s.produces), s.file, s.description]);
  return `${table(rows).join("\n")}\n`;
}
