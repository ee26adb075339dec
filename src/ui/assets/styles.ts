/**
 * The console's one stylesheet (a module rather than a .css file so every build of the
 * sources carries it). System fonts, calm colours; a step's state is a colour used the
 * same way in the graph, the pills and the legend.
 */
export const CONSOLE_CSS = /* css */ `
:root {
  --bg: #f5f6f8;
  --surface: #ffffff;
  --border: #e2e5ea;
  --border-strong: #cdd2da;
  --text: #1c2430;
  --muted: #5f6b7a;
  --faint: #8a94a3;
  --accent: #1d4ed8;
  --accent-soft: #e8eefc;
  --danger: #b42318;
  --radius: 10px;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.05);
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;

  --pending-fill: #f2f4f7; --pending-line: #98a2b3; --pending-text: #475467;
  --running-fill: #dbe8ff; --running-line: #2563eb; --running-text: #1e40af;
  --done-fill: #dcf5e4; --done-line: #16a34a; --done-text: #166534;
  --reused-fill: #d5f3ef; --reused-line: #0f9488; --reused-text: #115e59;
  --failed-fill: #fde3e1; --failed-line: #d92d20; --failed-text: #9b1c13;
  --skipped-fill: #fdf0d5; --skipped-line: #d08a06; --skipped-text: #8a5100;
  --memory-fill: #ece9fe; --memory-line: #6d5bd0; --memory-text: #4433a0;
  --absent-fill: #ffffff; --absent-line: #b4bcc8; --absent-text: #5f6b7a;
  --timeout-fill: #ffe6d5; --timeout-line: #e8590c; --timeout-text: #9a3412;
  --killed-fill: #eceef2; --killed-line: #667085; --killed-text: #344054;
}

*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 14px/1.5 var(--font);
  -webkit-font-smoothing: antialiased;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: var(--mono); font-size: 0.92em; }
h1, h2, h3 { margin: 0; line-height: 1.25; }
h1 { font-size: 22px; font-weight: 650; letter-spacing: -0.01em; }
h2 { font-size: 15px; font-weight: 650; }
p { margin: 0; }

/* Top bar and navigation */
.topbar { background: #111827; color: #e5e7eb; position: sticky; top: 0; z-index: 10; }
.topbar-inner {
  max-width: 1240px; margin: 0 auto; padding: 0 24px;
  display: flex; align-items: center; gap: 28px; height: 52px;
}
.brand { color: #fff; font-weight: 650; display: flex; align-items: center; gap: 9px; white-space: nowrap; }
.brand:hover { text-decoration: none; }
.brand-mark {
  width: 18px; height: 18px; border-radius: 5px;
  background: linear-gradient(135deg, #60a5fa, #1d4ed8);
  box-shadow: inset 0 0 0 1px rgba(255, 255, 255, 0.25);
}
.nav { display: flex; gap: 4px; overflow-x: auto; scrollbar-width: none; height: 100%; align-items: stretch; }
.nav::-webkit-scrollbar { display: none; }
.nav a {
  color: #cbd2dc; padding: 0 12px; display: flex; align-items: center; white-space: nowrap;
  border-bottom: 2px solid transparent; border-top: 2px solid transparent;
}
.nav a:hover { color: #fff; text-decoration: none; }
.nav a[aria-current="page"] { color: #fff; border-bottom-color: #60a5fa; font-weight: 600; }

/* Page */
.page { max-width: 1240px; margin: 0 auto; padding: 24px 24px 48px; }
.page-head { display: flex; align-items: flex-start; justify-content: space-between; gap: 16px; margin-bottom: 20px; flex-wrap: wrap; }
.page-head .sub { color: var(--muted); margin-top: 4px; }
.page-actions { display: flex; align-items: center; gap: 12px; }

.card {
  background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius);
  box-shadow: var(--shadow); margin-bottom: 20px; min-width: 0;
}
.card-head {
  display: flex; align-items: center; justify-content: space-between; gap: 12px;
  padding: 14px 18px; border-bottom: 1px solid var(--border); flex-wrap: wrap;
}
.card-head .meta { color: var(--muted); font-size: 13px; }
.card-body { padding: 16px 18px; }
.card-body.flush { padding: 0; }
.grid { display: grid; gap: 20px; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); }
.grid > .card { margin-bottom: 0; }
.grid + .grid, .grid + .card, .card + .grid { margin-top: 20px; }
.cols { display: grid; gap: 20px; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); align-items: start; margin-bottom: 20px; }
.cols > .card { margin-bottom: 0; }
.stack > * + * { margin-top: 20px; }

/* Buttons */
.btn {
  font: inherit; font-weight: 550; font-size: 13px; line-height: 1;
  display: inline-flex; align-items: center; justify-content: center; gap: 6px;
  height: 32px; padding: 0 14px; border-radius: 7px; cursor: pointer;
  border: 1px solid var(--border-strong); background: var(--surface); color: var(--text);
  white-space: nowrap; transition: background 0.12s, border-color 0.12s;
}
.btn:hover { background: #f3f5f8; }
.btn:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.btn:disabled { opacity: 0.55; cursor: default; }
.btn-primary { background: var(--accent); border-color: var(--accent); color: #fff; }
.btn-primary:hover { background: #1e40af; }
.btn-small { height: 28px; padding: 0 11px; font-size: 12.5px; }
.btn-danger { color: var(--danger); }
.btn-danger:hover { background: #fef3f2; border-color: #f4b4ad; }
.btn-run { color: var(--accent); border-color: #c7d4f5; background: #f7f9ff; min-width: 64px; }
.btn-run:hover { background: var(--accent-soft); border-color: #a9bdf0; }
.btn-run::before { content: ""; width: 0; height: 0; border-style: solid; border-width: 4.5px 0 4.5px 7px; border-color: transparent transparent transparent currentColor; }
.btn-run:disabled::before { display: none; }

/* Connection indicator */
.live { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); font-size: 12.5px; white-space: nowrap; }
.live::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--faint); }
.live[data-state="live"]::before { background: var(--done-line); box-shadow: 0 0 0 3px var(--done-fill); }
.live[data-state="lost"]::before { background: var(--skipped-line); }

/* State pills */
.pill {
  display: inline-flex; align-items: center; gap: 6px; padding: 2px 9px 2px 8px; border-radius: 999px;
  font-size: 12px; font-weight: 600; white-space: nowrap; line-height: 18px;
  background: var(--pending-fill); color: var(--pending-text);
}
.pill::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: var(--pending-line); }
.pill.pending { background: #fff; color: var(--running-text); box-shadow: inset 0 0 0 1px #bcd0f7; }
.pill.pending::before { background: transparent; box-shadow: inset 0 0 0 1.5px var(--running-line); }
.pill.running { background: var(--running-fill); color: var(--running-text); }
.pill.running::before { background: var(--running-line); animation: pulse 1.2s ease-in-out infinite; }
.pill.done, .pill.ok { background: var(--done-fill); color: var(--done-text); }
.pill.done::before, .pill.ok::before { background: var(--done-line); }
.pill.reused { background: var(--reused-fill); color: var(--reused-text); }
.pill.reused::before { background: var(--reused-line); }
.pill.failed, .pill.critical { background: var(--failed-fill); color: var(--failed-text); }
.pill.failed::before, .pill.critical::before { background: var(--failed-line); }
.pill.skipped, .pill.warning, .pill.attention { background: var(--skipped-fill); color: var(--skipped-text); }
.pill.skipped::before, .pill.warning::before, .pill.attention::before { background: var(--skipped-line); }
@keyframes pulse { 50% { opacity: 0.35; } }

.chip {
  display: inline-block; font-family: var(--mono); font-size: 12px; line-height: 18px;
  padding: 0 6px; border-radius: 5px; background: #f2f4f7; color: #344054; border: 1px solid #e4e7ec;
  white-space: nowrap;
}
.chip.in-memory { background: var(--memory-fill); border-color: #d9d3fb; color: var(--memory-text); }
.muted { color: var(--muted); }
.faint { color: var(--faint); }
.small { font-size: 12.5px; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.error-text { color: var(--failed-text); }

/* Tables */
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 10px 18px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: 12px; font-weight: 600; color: var(--muted); background: #fafbfc; white-space: nowrap; }
tbody tr:last-child > td { border-bottom: 0; }
td.actions { text-align: right; width: 1%; }
#datasets-table > tbody > tr:not(.preview-row) > td { vertical-align: middle; }
.graph-hint { font-weight: 400; }
.graph-hint[hidden] { display: none; }

/* Empty states */
.empty { padding: 28px 18px; text-align: center; color: var(--muted); }
.empty strong { display: block; color: var(--text); font-weight: 600; margin-bottom: 4px; }
.empty code { background: #f2f4f7; padding: 1px 5px; border-radius: 4px; }

/* Banners */
.banner {
  border-radius: var(--radius); padding: 12px 16px; margin-bottom: 20px;
  background: var(--failed-fill); color: var(--failed-text); border: 1px solid #f7c1bb;
}
.banner strong { display: block; margin-bottom: 2px; font-weight: 600; }
.banner[hidden] { display: none; }
.banner .problems { margin: 6px 0 0; padding-left: 18px; font-family: var(--mono); font-size: 12.5px; overflow-wrap: anywhere; }

/* Steps list */
.steps { list-style: none; margin: 0; padding: 0; }
.step {
  display: grid; grid-template-columns: minmax(0, 1fr) auto auto; gap: 6px 16px; align-items: center;
  padding: 12px 18px; border-bottom: 1px solid var(--border);
}
.step:last-child { border-bottom: 0; }
.step-name { font-weight: 600; font-family: var(--mono); font-size: 13px; }
.step-desc { color: var(--muted); font-size: 13px; margin-top: 1px; }
.step-io { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: 4px 6px; align-items: center; font-size: 12px; color: var(--faint); }
.step-io .arrow { margin: 0 2px; }
.step-state { display: flex; flex-direction: column; align-items: flex-end; gap: 2px; min-width: 92px; }
.step-state .small { color: var(--muted); font-variant-numeric: tabular-nums; }
.step-error { grid-column: 1 / -1; color: var(--failed-text); font-size: 12.5px; background: #fff6f5; border: 1px solid #fbd5d0; border-radius: 6px; padding: 6px 10px; overflow-wrap: anywhere; }
.progress { display: block; height: 4px; width: 92px; }
.progress .track { fill: var(--running-fill); }
.progress .fill { fill: var(--running-line); }

/* Graph */
.graph-wrap { overflow: auto; padding: 18px; display: flex; }
.graph-wrap svg { margin: 0 auto; flex: none; display: block; }
.graph-node rect { stroke-width: 1.5; }
.graph-node text { font: 600 12.5px var(--mono); dominant-baseline: middle; text-anchor: middle; }
.graph-node .kind { font: 500 10px var(--font); letter-spacing: 0.04em; text-transform: uppercase; }
.graph-node.step rect { fill: var(--pending-fill); stroke: var(--pending-line); }
.graph-node.step text { fill: var(--pending-text); }
.graph-node.step.pending rect { fill: #fff; stroke: var(--running-line); stroke-dasharray: 5 3; }
.graph-node.step.pending text { fill: var(--running-text); }
.graph-node.step.running rect { fill: var(--running-fill); stroke: var(--running-line); }
.graph-node.step.running text { fill: var(--running-text); }
.graph-node.step.done rect { fill: var(--done-fill); stroke: var(--done-line); }
.graph-node.step.done text { fill: var(--done-text); }
.graph-node.step.reused rect { fill: var(--reused-fill); stroke: var(--reused-line); }
.graph-node.step.reused text { fill: var(--reused-text); }
.graph-node.step.failed rect { fill: var(--failed-fill); stroke: var(--failed-line); }
.graph-node.step.failed text { fill: var(--failed-text); }
.graph-node.step.skipped rect { fill: var(--skipped-fill); stroke: var(--skipped-line); }
.graph-node.step.skipped text { fill: var(--skipped-text); }
.graph-node.step.running rect { animation: pulse 1.2s ease-in-out infinite; }
.graph-node.dataset rect { fill: var(--absent-fill); stroke: var(--absent-line); stroke-dasharray: 4 3; }
.graph-node.dataset text { fill: var(--absent-text); }
.graph-node.dataset.in-memory rect { fill: var(--memory-fill); stroke: var(--memory-line); stroke-dasharray: none; }
.graph-node.dataset.in-memory text { fill: var(--memory-text); }
.graph-edge { fill: none; stroke: #a3acb9; stroke-width: 1.4; }
.graph-arrow { fill: #a3acb9; }

.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 12px; color: var(--muted); }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { width: 14px; height: 10px; border-radius: 3px; border: 1.5px solid; }
.swatch.idle { background: var(--pending-fill); border-color: var(--pending-line); }
.swatch.pending { background: #fff; border-color: var(--running-line); border-style: dashed; }
.swatch.running { background: var(--running-fill); border-color: var(--running-line); }
.swatch.done { background: var(--done-fill); border-color: var(--done-line); }
.swatch.reused { background: var(--reused-fill); border-color: var(--reused-line); }
.swatch.failed { background: var(--failed-fill); border-color: var(--failed-line); }
.swatch.skipped { background: var(--skipped-fill); border-color: var(--skipped-line); }
.swatch.in-memory { background: var(--memory-fill); border-color: var(--memory-line); }
.swatch.absent { background: var(--absent-fill); border-color: var(--absent-line); border-style: dashed; }

/* Datasets and previews */
details.preview > summary { cursor: pointer; color: var(--accent); font-size: 12.5px; white-space: nowrap; list-style: none; }
details.preview > summary::-webkit-details-marker { display: none; }
details.preview > summary::before { content: "▸ "; }
details.preview[open] > summary::before { content: "▾ "; }
tr.preview-row > td { background: #fafbfc; padding-top: 0; }
.preview-table { margin-top: 4px; border: 1px solid var(--border); border-radius: 6px; overflow: auto; max-height: 280px; background: #fff; }
.preview-table table { font-size: 12px; }
.preview-table th, .preview-table td { padding: 5px 10px; font-family: var(--mono); white-space: nowrap; }
.preview-table th { position: sticky; top: 0; }
.preview-value { font-family: var(--mono); font-size: 12px; white-space: pre-wrap; margin: 4px 0 0; padding: 8px 10px; background: #fff; border: 1px solid var(--border); border-radius: 6px; max-height: 220px; overflow: auto; }

/* Runs */
.runs { list-style: none; margin: 0; padding: 0; }
.run { padding: 11px 18px; border-bottom: 1px solid var(--border); display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 2px 12px; }
.run:last-child { border-bottom: 0; }
.run-targets { font-family: var(--mono); font-size: 13px; font-weight: 600; overflow-wrap: anywhere; }
.run-meta { color: var(--muted); font-size: 12.5px; grid-column: 1 / -1; }
.run-error { color: var(--failed-text); font-size: 12.5px; grid-column: 1 / -1; overflow-wrap: anywhere; }
details.run-steps { grid-column: 1 / -1; font-size: 12.5px; }
details.run-steps > summary { cursor: pointer; color: var(--accent); width: max-content; list-style: none; }
details.run-steps > summary::-webkit-details-marker { display: none; }
details.run-steps > summary::before { content: "▸ "; }
details.run-steps[open] > summary::before { content: "▾ "; }
.run-steps-table { margin-top: 6px; }
.run-steps-table td { padding: 4px 8px 4px 0; border-bottom: 1px dashed var(--border); vertical-align: middle; }
.run-steps-table tr:last-child td { border-bottom: 0; }
.run-steps-table .pill { font-size: 11.5px; line-height: 16px; }
.run-step-error td { color: var(--failed-text); padding-top: 0; overflow-wrap: anywhere; }

/* Overview */
.stat-list { list-style: none; margin: 0; padding: 0; }
.stat-list li { display: grid; grid-template-columns: 110px minmax(0, 1fr) auto; gap: 12px; align-items: center; padding: 7px 0; }
.stat-list li + li { border-top: 1px dashed var(--border); }
.bar { display: block; width: 100%; height: 6px; }
.bar .track { fill: #eef0f3; }
.bar .fill { fill: var(--done-line); }
.bar.low .fill { fill: var(--skipped-line); }
.kv { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 16px; font-size: 13px; margin-top: 12px; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; overflow-wrap: anywhere; }
.big-status { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }

/* Not-built pages */
.coming { max-width: 560px; margin: 56px auto; text-align: center; }
.coming h1 { margin-bottom: 10px; }
.coming p { color: var(--muted); margin-bottom: 8px; }
.coming .soon { display: inline-block; margin-bottom: 14px; font-size: 12px; font-weight: 600; color: var(--muted); background: #eef0f3; border-radius: 999px; padding: 2px 10px; }

/* Scheduler */
.pill.timeout { background: var(--timeout-fill); color: var(--timeout-text); }
.pill.timeout::before { background: var(--timeout-line); }
.pill.killed { background: var(--killed-fill); color: var(--killed-text); }
.pill.killed::before { background: var(--killed-line); }
.pill.idle { background: #f2f4f7; color: var(--muted); }
.pill.idle::before { background: #b4bcc8; }
.pill.queued, .pill.requested { background: #fff; color: var(--running-text); box-shadow: inset 0 0 0 1px #bcd0f7; }
.pill.queued::before, .pill.requested::before { background: transparent; box-shadow: inset 0 0 0 1.5px var(--running-line); }
.pill.daemon-running { background: var(--done-fill); color: var(--done-text); }
.pill.daemon-running::before { background: var(--done-line); animation: pulse 2s ease-in-out infinite; }
.pill.daemon-stopping { background: var(--skipped-fill); color: var(--skipped-text); }
.pill.daemon-stopping::before { background: var(--skipped-line); }
.pill.daemon-stopped { background: var(--killed-fill); color: var(--killed-text); }
.pill.daemon-stopped::before { background: var(--killed-line); }
.pill.daemon-not_running { background: var(--failed-fill); color: var(--failed-text); }
.pill.daemon-not_running::before { background: var(--failed-line); }
.banner.soft { background: var(--skipped-fill); color: var(--skipped-text); border-color: #f3d7a2; }
.notice { margin-top: 14px; font-size: 13px; border-radius: 8px; padding: 8px 12px; }
.notice.warn { background: var(--skipped-fill); color: var(--skipped-text); border: 1px solid #f3d7a2; }
.tag { display: inline-block; font: 600 10.5px var(--font); letter-spacing: 0.03em; text-transform: uppercase; color: var(--skipped-text); background: var(--skipped-fill); border-radius: 4px; padding: 1px 5px; vertical-align: 1px; }

.tiles { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; }
.tile { border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; min-width: 0; background: #fcfcfd; }
.tile-label { font-size: 12px; color: var(--muted); font-weight: 550; }
.tile-value { font-size: 17px; font-weight: 650; margin-top: 4px; display: flex; align-items: center; gap: 7px; min-height: 26px; font-variant-numeric: tabular-nums; }
.tile-value .pill { font-size: 13px; line-height: 20px; }
.tile-detail { font-size: 12.5px; color: var(--muted); margin-top: 2px; font-variant-numeric: tabular-nums; }
.cycle-icon { width: 19px; height: 19px; fill: none; stroke-width: 1.6; stroke-linecap: round; flex: none; }
.cycle-icon.day { stroke: #d97706; }
.cycle-icon.day circle { fill: #fde68a; }
.cycle-icon.night { stroke: #4f46e5; fill: #e0e7ff; }
.cycle-icon.non_working_day { stroke: #0f766e; }
.count { white-space: nowrap; }
.count.failed { color: var(--failed-text); font-weight: 600; }
.count.timeout { color: var(--timeout-text); font-weight: 600; }
.count.killed { color: var(--killed-text); font-weight: 600; }
.daemon-card[data-state="not_running"] { border-left: 4px solid var(--failed-line); }
.daemon-card[data-state="stopped"], .daemon-card[data-state="stopping"] { border-left: 4px solid var(--skipped-line); }
.runs-filter { display: inline-flex; align-items: center; gap: 6px; }
.runs-filter select { font: inherit; font-size: 13px; color: var(--text); border: 1px solid var(--border-strong); border-radius: 6px; padding: 3px 6px; background: #fff; max-width: 180px; }
h2 .meta { font-weight: 400; margin-left: 6px; }
.daemon-off { display: flex; align-items: center; justify-content: space-between; gap: 12px 24px; flex-wrap: wrap; }
.daemon-off-text strong { display: block; font-size: 15px; margin-bottom: 2px; }
.daemon-off-text .muted { font-size: 13px; }
.start-hint { white-space: nowrap; }
.start-hint code { background: #111827; color: #e5e7eb; padding: 6px 10px; border-radius: 6px; font-size: 13px; }

/* The job list: a table on wide screens, cards on narrow ones */
.jobs { list-style: none; margin: 0; padding: 0; }
.jobs-head, .job {
  display: grid; gap: 4px 16px; align-items: center; padding: 10px 18px;
  grid-template-columns: minmax(0, 1.45fr) minmax(0, 1fr) 100px minmax(0, 1.1fr) minmax(0, 0.85fr) 150px 96px;
}
.jobs-head { font-size: 12px; font-weight: 600; color: var(--muted); background: #fafbfc; border-bottom: 1px solid var(--border); border-radius: var(--radius) var(--radius) 0 0; padding-top: 8px; padding-bottom: 8px; }
.job { border-bottom: 1px solid var(--border); font-size: 13px; }
.job:last-child { border-bottom: 0; }
.job[data-state="running"] { background: linear-gradient(90deg, var(--running-fill) 0 3px, #f8fbff 3px); }
.job-name { font-family: var(--mono); font-weight: 600; font-size: 13px; overflow-wrap: anywhere; }
.job-command { font-family: var(--mono); font-size: 11.5px; color: var(--faint); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; margin-top: 1px; }
.job-state { display: flex; flex-direction: column; align-items: flex-start; gap: 2px; }
.job-state .small, .job-last .small, .job-next .small { font-variant-numeric: tabular-nums; }
.job-action { text-align: right; }
.job-action .btn { min-width: 88px; }
.cell-line { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.cell-label { display: none; }
.rate { display: flex; align-items: center; gap: 8px; }
.rate .num { font-weight: 600; min-width: 38px; text-align: left; }
.rate .bar { width: 60px; flex: none; }
.bar.bad .fill { fill: var(--failed-line); }

/* The timeline: HTML lanes, each an SVG track scaled to its width (one unit a minute) */
.tl { display: grid; gap: 0; }
.tl-lane { display: grid; grid-template-columns: 150px minmax(0, 1fr); align-items: center; }
.tl-label { font: 600 12px var(--mono); color: var(--text); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding-right: 12px; }
.tl-track { display: block; width: 100%; height: 24px; background: #fafbfc; border-left: 1px solid var(--border); border-right: 1px solid var(--border); }
.tl-lane:not(.tl-axis) + .tl-lane .tl-track { border-top: 1px solid #f0f1f4; }
.tl-lane:last-child .tl-track { border-bottom: 1px solid var(--border); }
.tl-hours { display: grid; grid-template-columns: repeat(25, minmax(0, 1fr)); border-bottom: 1px solid var(--border); height: 22px; }
.tl-hours.cols-13 { grid-template-columns: repeat(13, minmax(0, 1fr)); }
.tl-hour { position: relative; font-size: 11px; color: var(--faint); font-variant-numeric: tabular-nums; }
.tl-hour > span { position: absolute; left: 0; bottom: 4px; transform: translateX(-50%); white-space: nowrap; }
.tl-hour:first-child > span { transform: none; }
.tl-hour > span { display: none; }
.tl-hour.major > span, .tl-hour.minor > span { display: block; }
.tl-hour.major > span { color: var(--muted); }
.tl-hour.midnight > span { font-weight: 600; }
.tl-grid { stroke: #eceef2; stroke-width: 1; vector-effect: non-scaling-stroke; }
.tl-grid.major { stroke: #dfe2e8; }
.tl-grid.midnight { stroke: #c3c9d3; }
.tl-future { fill: #f1f3f6; }
.tl-now { stroke: var(--accent); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.tl-next { stroke: var(--running-line); stroke-width: 2; stroke-dasharray: 3 2; vector-effect: non-scaling-stroke; }
.tl-mark { stroke-width: 2; vector-effect: non-scaling-stroke; }
.tl-mark.ok { fill: var(--done-line); stroke: var(--done-line); }
.tl-mark.failed { fill: var(--failed-line); stroke: var(--failed-line); }
.tl-mark.timeout { fill: var(--timeout-line); stroke: var(--timeout-line); }
.tl-mark.killed { fill: var(--killed-line); stroke: var(--killed-line); }
.tl-mark.skipped { fill: #f5c16c; stroke: var(--skipped-line); }
.tl-mark.running { fill: var(--running-fill); stroke: var(--running-line); animation: pulse 1.2s ease-in-out infinite; }
.tl-mark:hover { opacity: 0.75; }
.tl-note { margin-top: 8px; }
.segmented { display: inline-flex; margin-left: 10px; border: 1px solid var(--border-strong); border-radius: 7px; overflow: hidden; vertical-align: 1px; }
.seg { font: inherit; font-size: 12px; font-weight: 550; border: 0; background: #fff; color: var(--muted); padding: 3px 10px; cursor: pointer; }
.seg + .seg { border-left: 1px solid var(--border-strong); }
.seg[aria-pressed="true"] { background: var(--accent-soft); color: var(--accent); }
.seg:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.swatch.run-ok { background: var(--done-line); border-color: var(--done-line); }
.swatch.run-failed { background: var(--failed-line); border-color: var(--failed-line); }
.swatch.run-timeout { background: var(--timeout-line); border-color: var(--timeout-line); }
.swatch.run-killed { background: var(--killed-line); border-color: var(--killed-line); }
.swatch.run-skipped { background: #f5c16c; border-color: var(--skipped-line); }
.swatch.run-running { background: var(--running-fill); border-color: var(--running-line); }
.swatch.next { width: 0; height: 12px; border-width: 0 0 0 2px; border-style: dashed; border-color: var(--running-line); border-radius: 0; }
.sruns { list-style: none; margin: 0; padding: 0; }
.srun {
  display: grid; grid-template-columns: 118px minmax(0, 1fr) 92px minmax(0, 1fr) 70px; gap: 4px 14px;
  align-items: center; padding: 7px 18px; border-bottom: 1px solid var(--border); font-size: 13px;
}
.srun:last-child { border-bottom: 0; }
.srun-time { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
.srun-job { font-family: var(--mono); font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.srun-meta { color: var(--muted); font-size: 12.5px; font-variant-numeric: tabular-nums; }
.srun-status .pill { font-size: 11.5px; line-height: 16px; }
.srun-detail { grid-column: 1 / -1; }
details.srun-output { text-align: right; }
details.srun-output > summary { cursor: pointer; color: var(--accent); font-size: 12.5px; list-style: none; white-space: nowrap; }
details.srun-output > summary::-webkit-details-marker { display: none; }
details.srun-output > summary::before { content: "▸ "; }
details.srun-output[open] > summary::before { content: "▾ "; }
.run-output { font-family: var(--mono); font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0 0; padding: 8px 10px; background: #0f172a; color: #e2e8f0; border-radius: 6px; max-height: 260px; overflow: auto; }

/* Overview: the scheduler card */
.sched-h { font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; margin: 14px 0 4px; }
.sched-hint { margin-top: 8px; }
.sched-line { margin: 0; }
.sched-list { list-style: none; margin: 0; padding: 0; }
.sched-list li { display: grid; grid-template-columns: minmax(120px, max-content) auto minmax(0, 1fr); align-items: center; gap: 2px 10px; padding: 4px 0; }
.sched-list li + li { border-top: 1px dashed var(--border); }
.sched-list .pill { font-size: 11.5px; line-height: 16px; }
.sched-list .mono { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

/* Toast */
.toast {
  position: fixed; right: 20px; bottom: 20px; max-width: min(420px, calc(100vw - 40px)); z-index: 20;
  background: #1f2937; color: #fff; padding: 10px 14px; border-radius: 8px; font-size: 13px;
  box-shadow: 0 6px 20px rgba(16, 24, 40, 0.2);
}
.toast.error { background: #9b1c13; }
.toast[hidden] { display: none; }

/* Narrow screens */
@media (max-width: 1100px) {
  .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .jobs-head { display: none; }
  .job { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) minmax(0, 1fr) auto; align-items: start; gap: 10px 16px; padding: 12px 18px; }
  .job-id { grid-column: 1 / 4; }
  .job-action { grid-column: 4; grid-row: 1; }
  .cell-label { display: block; font-size: 11.5px; font-weight: 600; color: var(--faint); margin-bottom: 2px; }
  .job-schedule { grid-column: 1; }
}
@media (max-width: 900px) {
  .cols { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 640px) {
  .topbar-inner { padding: 0 14px; gap: 14px; }
  .brand { font-size: 0; gap: 0; }
  .nav a { padding: 0 9px; }
  .page { padding: 16px 12px 40px; }
  h1 { font-size: 20px; }
  .card-head { padding: 12px 14px; }
  .card-body { padding: 14px; }
  th, td { padding: 9px 12px; }
  .step { padding: 12px 14px; grid-template-columns: minmax(0, 1fr) auto; }
  .step-state { grid-column: 1; grid-row: 3; flex-direction: row; align-items: center; gap: 8px; min-width: 0; }
  .step .actions { grid-column: 2; grid-row: 1; }
  .run { padding: 10px 14px; }
  .graph-wrap { padding: 12px; }
  .grid { grid-template-columns: minmax(0, 1fr); }
  .stat-list li { grid-template-columns: 84px minmax(0, 1fr) auto; }
  .hide-narrow { display: none; }
  .tiles { gap: 8px; }
  .tile { padding: 8px 10px; }
  .tile-value { font-size: 15px; }
  .job { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); padding: 12px 14px; }
  .job-id { grid-column: 1; }
  .job-action { grid-column: 2; }
  .job-schedule { grid-column: auto; }
  .tl-lane { grid-template-columns: 84px minmax(0, 1fr); }
  .sched-list li { grid-template-columns: minmax(0, 1fr) auto; }
  .sched-list li > .small { grid-column: 1 / -1; }
  .srun { grid-template-columns: auto minmax(0, 1fr) auto; padding: 8px 14px; gap: 2px 10px; }
  .srun-job { grid-column: 1 / 3; grid-row: 1; }
  .srun-status { grid-column: 3; grid-row: 1; text-align: right; }
  .srun-time { grid-column: 1; grid-row: 2; font-size: 12.5px; }
  .srun-meta { grid-column: 2; grid-row: 2; }
  .srun-output { grid-column: 3; grid-row: 2; }
  .tl-label { font-size: 11px; padding-right: 6px; }
  .tl-hour.minor > span { display: none; }
  .tl-hour.major > span { font-size: 10px; }
}
@media (max-width: 480px) {
  .brand { display: none; }
  .topbar-inner { padding: 0 8px; }
  .nav { flex: 1; justify-content: space-between; gap: 0; }
  .nav a { padding: 0 6px; font-size: 13.5px; }
}
/* ── Files (/files): upload, preview, jobs, column profile ─────────────────────────── */
.dropzone {
  position: relative; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 6px;
  padding: 28px 18px; border: 2px dashed var(--border-strong); border-radius: var(--radius);
  background: #fafbfc; cursor: pointer; text-align: center; transition: background 0.12s, border-color 0.12s;
}
.dropzone:hover { background: #f7f9ff; border-color: #a9bdf0; }
.dropzone:focus-within { outline: 2px solid var(--accent); outline-offset: 2px; }
.dropzone.dragging { background: var(--accent-soft); border-color: var(--accent); border-style: solid; }
.dropzone.busy { opacity: 0.7; }
.dropzone[data-disabled="true"] { opacity: 0.55; cursor: not-allowed; }
#files-unavailable code { background: rgba(255, 255, 255, 0.6); padding: 1px 5px; border-radius: 4px; }
.dropzone-icon { width: 34px; height: 34px; fill: none; stroke: var(--accent); stroke-width: 1.7; stroke-linecap: round; stroke-linejoin: round; }
.dropzone-text { font-size: 15px; }
.dropzone-text .link { color: var(--accent); font-weight: 600; text-decoration: underline; text-underline-offset: 2px; }
.dropzone input[type="file"] { position: absolute; width: 1px; height: 1px; opacity: 0; pointer-events: none; }
#upload-status:empty { display: none; }
#upload-status { margin-top: 14px; }
.upload-progress { border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; background: #fcfcfd; }
.upload-line { display: flex; align-items: center; gap: 12px; margin-bottom: 8px; }
.upload-name { font-family: var(--mono); font-size: 13px; font-weight: 600; flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.upload-bar { height: 8px; }
.upload-bar .track { fill: var(--running-fill); }
.upload-bar .fill { fill: var(--running-line); }
.upload-error {
  display: flex; flex-direction: column; gap: 2px; margin-top: 14px; padding: 10px 14px; border-radius: 8px;
  background: var(--failed-fill); color: var(--failed-text); border: 1px solid #f7c1bb; border-left: 4px solid var(--failed-line);
  font-size: 13px; overflow-wrap: anywhere;
}
#upload-status > .upload-error { margin-top: 0; }
.upload-error strong { font-size: 14px; }
.upload-note { margin: 0; }
.process-started { display: inline-flex; align-items: center; gap: 8px; color: var(--muted); }
.facts { display: flex; flex-wrap: wrap; gap: 10px 32px; margin: 0; }
.facts > div { min-width: 0; }
.facts dt { font-size: 12px; color: var(--muted); font-weight: 550; }
.facts dd { margin: 2px 0 0; font-weight: 600; font-variant-numeric: tabular-nums; max-width: 420px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.preview-grid { border-top: 1px solid var(--border); }
.preview-grid:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.preview-grid table { font-size: 12.5px; }
.preview-grid th, .preview-grid td { padding: 7px 14px; white-space: nowrap; max-width: 280px; overflow: hidden; text-overflow: ellipsis; }
.preview-grid td { font-family: var(--mono); font-size: 12px; }
.preview-grid td.blank { background: repeating-linear-gradient(135deg, #fafbfc 0 4px, #f2f4f7 4px 8px); }
.preview-grid .rownum { color: var(--faint); width: 1%; text-align: right; font-variant-numeric: tabular-nums; }
.preview-grid th:first-child, .preview-grid td:first-child { padding-left: 18px; }

.fjobs { list-style: none; margin: 0; padding: 0; }
.fjob {
  display: grid; grid-template-columns: minmax(0, 1.2fr) 110px minmax(0, 2fr) 150px; gap: 6px 18px;
  align-items: center; padding: 12px 18px; border-bottom: 1px solid var(--border); font-size: 13px;
}
.fjob:last-child { border-bottom: 0; }
.fjob[data-state="processing"] { background: linear-gradient(90deg, var(--running-line) 0 3px, #f8fbff 3px); }
.fjob[data-state="failed"] { background: linear-gradient(90deg, var(--failed-line) 0 3px, transparent 3px); }
.fjob[aria-current="true"] { background: linear-gradient(90deg, var(--accent) 0 3px, #f7f9ff 3px); }
.fjob-name { font-family: var(--mono); font-weight: 600; font-size: 13px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.fjob-id .small { font-variant-numeric: tabular-nums; }
.fjob-progress { min-width: 0; }
.fjob-actions { text-align: right; }
.fjob-actions .btn { min-width: 96px; }
.fjob-downloads { grid-column: 3 / 5; display: flex; align-items: center; flex-wrap: wrap; gap: 4px 10px; }
.job-bar .bar { height: 8px; }
.job-meter .track { fill: var(--running-fill); }
.job-meter .fill { fill: var(--running-line); }
.job-stats { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 8px; margin-top: 6px; font-variant-numeric: tabular-nums; }
.job-stats .sep, .quartiles .sep { color: var(--faint); }
.job-error { color: var(--failed-text); background: #fff6f5; border: 1px solid #fbd5d0; border-radius: 6px; padding: 6px 10px; font-size: 12.5px; overflow-wrap: anywhere; }
.job-error strong { margin-right: 2px; }
.fjob[data-state="failed"] .fjob-progress { grid-column: 3 / 5; }
.fjob[data-state="failed"] .fjob-actions, .fjob[data-state="cancelled"] .fjob-actions { display: none; }
.fjob[data-state="cancelled"] .fjob-progress { grid-column: 3 / 5; }
.btn-run-profile { color: var(--accent); border-color: #c7d4f5; background: #f7f9ff; }
.btn-run-profile:hover { background: var(--accent-soft); }
.btn-run-profile.selected { background: var(--accent); border-color: var(--accent); color: #fff; }
.downloads { display: inline-flex; flex-wrap: wrap; gap: 4px 12px; }
.download { display: inline-flex; align-items: center; gap: 3px; font-size: 12.5px; font-weight: 550; white-space: nowrap; }
.download svg { width: 14px; height: 14px; fill: none; stroke: currentColor; stroke-width: 1.8; stroke-linecap: round; stroke-linejoin: round; }
.download .ext { color: var(--faint); font-weight: 400; }
.downloads.large { gap: 8px; }
.downloads.large .download { border: 1px solid #c7d4f5; background: #f7f9ff; border-radius: 7px; padding: 5px 11px 5px 9px; font-size: 13px; }
.downloads.large .download:hover { background: var(--accent-soft); text-decoration: none; }
.profile-downloads { display: flex; align-items: center; flex-wrap: wrap; gap: 8px 12px; margin-top: 14px; }

.profile-wrap { border-top: 1px solid var(--border); }
.profile-table { font-size: 12.5px; }
.profile-table th, .profile-table td { padding: 9px 10px; vertical-align: middle; }
.profile-table th:first-child, .profile-table td:first-child { padding-left: 18px; }
.profile-table th:last-child, .profile-table td:last-child { padding-right: 18px; }
.profile-table td.num { font-variant-numeric: tabular-nums; }
.profile-table td.pos { color: var(--faint); }
.profile-table .col-name { display: block; font-family: var(--mono); font-weight: 600; max-width: 190px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; margin-bottom: 3px; }
.profile-table .clip { display: block; font-family: var(--mono); font-size: 12px; max-width: 130px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.mini { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 1px 8px; margin: 0; align-items: baseline; }
.mini dt { font-size: 11px; color: var(--faint); }
.mini dd { margin: 0; font-variant-numeric: tabular-nums; white-space: nowrap; min-width: 0; }
.profile-table td.stats .mini dd { text-align: right; }
.profile-table tbody tr:hover { background: #fafbfc; }
.profile-table .chart-cell { width: 236px; min-width: 226px; }
.profile-table th .faint { font-weight: 400; }
.type { display: inline-block; font: 600 11px var(--font); letter-spacing: 0.02em; border-radius: 4px; padding: 1px 6px; white-space: nowrap; background: #f2f4f7; color: #344054; }
.type-integer, .type-decimal { background: var(--running-fill); color: var(--running-text); }
.type-boolean { background: var(--reused-fill); color: var(--reused-text); }
.type-date, .type-datetime { background: var(--memory-fill); color: var(--memory-text); }
.type-text { background: #f2f4f7; color: #344054; }
.type-empty { background: #fff; color: var(--faint); box-shadow: inset 0 0 0 1px var(--border-strong); }
.chart { margin: 0; }
.hist svg { display: block; width: 210px; height: 40px; }
.hist-bar { fill: #7ea3f0; }
.hist-bar:hover { fill: var(--accent); }
.hist-base { stroke: var(--border-strong); stroke-width: 1; vector-effect: non-scaling-stroke; }
.hist figcaption { display: flex; justify-content: space-between; width: 210px; font-size: 10.5px; color: var(--faint); font-variant-numeric: tabular-nums; margin-top: 2px; }
.topv { list-style: none; padding: 0; width: 210px; display: grid; gap: 2px; }
.topv li { display: grid; grid-template-columns: minmax(0, 1fr) 48px 34px; align-items: center; gap: 6px; font-size: 11px; line-height: 15px; }
.topv-value { font-family: var(--mono); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.topv-bar { display: block; width: 48px; height: 6px; }
.topv-bar .track { fill: #eef0f3; }
.topv-bar .fill { fill: #f0a860; }
.topv li.topv-note { display: block; color: var(--faint); font-size: 10.5px; }
.topv-count { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; }

@media (max-width: 1100px) {
  .fjob { grid-template-columns: minmax(0, 1fr) 100px minmax(0, 1.5fr) auto; }
}
@media (max-width: 760px) {
  .fjob { grid-template-columns: minmax(0, 1fr) auto; padding: 12px 14px; gap: 8px 12px; }
  .fjob-progress, .fjob-downloads, .fjob[data-state] .fjob-progress { grid-column: 1 / -1; }
  .fjob-actions { grid-column: 1 / -1; text-align: left; }
  .fjob-actions:empty { display: none; }
  .fjob-state { grid-column: 2; grid-row: 1; justify-self: end; }
  .facts { gap: 8px 20px; }
  .facts dd { max-width: 300px; }
  .profile-table thead { display: none; }
  .profile-table, .profile-table tbody { display: block; }
  .profile-table tr { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px 12px; padding: 12px 14px; border-bottom: 1px solid var(--border); }
  .profile-table tbody tr:last-child { border-bottom: 0; }
  .profile-table td, .profile-table td:first-child, .profile-table td:last-child { display: block; padding: 0; border: 0; text-align: left; min-width: 0; }
  .profile-table td::before { content: attr(data-label); display: block; font: 600 11px var(--font); color: var(--faint); margin-bottom: 1px; }
  .profile-table td.pos, .profile-table td.none { display: none; }
  .profile-table td.val { grid-column: span 2; }
  .profile-table td.name { grid-column: 1 / -1; display: flex; align-items: center; gap: 8px; }
  .profile-table td.name .col-name { margin-bottom: 0; }
  .profile-table td.stats .mini dd { text-align: left; }
  .profile-table td.name::before, .profile-table td.chart-cell::before { display: none; }
  .profile-table td.name .col-name { max-width: none; font-size: 13.5px; }
  .profile-table td.chart-cell { grid-column: 1 / -1; width: auto; padding-top: 4px; }
  .profile-table .clip { max-width: none; }
  .hist svg, .hist figcaption, .topv { width: 100%; max-width: 320px; }
  .topv li { grid-template-columns: minmax(0, 1fr) 90px 40px; }
  .topv-bar { width: 90px; }
}
@media (max-width: 640px) {
  .upload-line { flex-wrap: wrap; row-gap: 6px; }
  .upload-name { flex-basis: 100%; }
  .upload-line .num { flex: 1; text-align: left; }
  .dropzone { padding: 20px 12px; }
  .dropzone-text { font-size: 14px; }
  .profile-table tr { padding: 12px 14px; }
}
/* ── end Files ───────────────────────────────────────────────────────────────────── */
/* ── Simulations (/simulations): runs, the start form, a run's live page ──────────── */
.crumbs { margin: -6px 0 10px; }
.live[hidden] { display: none; }
.sim-form { display: grid; gap: 14px; }
.sim-file {
  position: relative; display: flex; align-items: center; gap: 14px; padding: 14px 16px;
  border: 2px dashed var(--border-strong); border-radius: var(--radius); background: #fafbfc; cursor: pointer;
  transition: background 0.12s, border-color 0.12s;
}
.sim-file:hover { background: #f7f9ff; border-color: #a9bdf0; }
.sim-file:focus-within { outline: 2px solid var(--accent); outline-offset: 2px; }
.sim-file.chosen { border-style: solid; border-color: #a9bdf0; background: #f7f9ff; }
.sim-file .dropzone-icon { width: 30px; height: 30px; flex: none; }
.sim-file-text { display: flex; flex-direction: column; gap: 1px; flex: 1; min-width: 0; }
.sim-file-text strong { font-size: 14.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.sim-file.chosen .sim-file-text strong { font-family: var(--mono); font-size: 14px; }
.sim-file input[type="file"] { position: absolute; width: 1px; height: 1px; opacity: 0; pointer-events: none; }
.sim-fields { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) minmax(0, 1.6fr) auto; gap: 12px 16px; align-items: end; }
.field { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
.field-label { font-size: 12px; font-weight: 600; color: var(--muted); }
.field input, .field select {
  font: inherit; font-size: 13.5px; color: var(--text); height: 34px; padding: 0 10px; min-width: 0; width: 100%;
  border: 1px solid var(--border-strong); border-radius: 7px; background: #fff;
}
.field input::placeholder { color: var(--faint); }
.field input:focus-visible, .field select:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; border-color: var(--accent); }
.field-submit .btn { height: 34px; padding: 0 18px; }
.sim-form-note { margin: 0; }
#sim-form-status:empty { display: none; }
#sim-form-status > .upload-error { margin-top: 0; }
.sim-error-line { font-weight: 700; }
.sim-started { display: flex; align-items: center; flex-wrap: wrap; gap: 8px 12px; padding: 10px 14px; border-radius: 8px; background: var(--done-fill); color: var(--done-text); border: 1px solid #b7e4c7; font-size: 13px; }
.sim-started .btn { margin-left: auto; }

.sim-runs { font-size: 13px; }
.sim-runs td { vertical-align: middle; }
.sim-runs tbody tr:hover { background: #fafbfc; }
.sim-runs tr[data-state="running"] > td:first-child { box-shadow: inset 3px 0 0 var(--running-line); }
.sim-runs tr[data-state="failed"] > td:first-child { box-shadow: inset 3px 0 0 var(--failed-line); }
.sim-model { min-width: 200px; max-width: 340px; }
.sim-model-name { font-weight: 650; font-size: 13.5px; }
.sim-model .small { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.sim-progress-cell { width: 30%; min-width: 200px; }
.sim-row-bar .bar { height: 7px; }
.sim-meter .track, .sim-big-meter .track { fill: var(--running-fill); }
.sim-meter .fill, .sim-big-meter .fill { fill: var(--running-line); }
.sim-big-meter.completed .fill { fill: var(--done-line); }
.sim-big-meter.completed .track { fill: var(--done-fill); }
.sim-big-meter.failed .fill { fill: var(--failed-line); }
.sim-big-meter.cancelled .fill { fill: var(--killed-line); }
.sim-big-meter.cancelled .track, .sim-big-meter.failed .track { fill: #eef0f3; }
.sim-row-stats { display: flex; justify-content: space-between; gap: 8px; margin-top: 4px; font-variant-numeric: tabular-nums; }
.sim-row-error { color: var(--failed-text); font-size: 12.5px; overflow: hidden; text-overflow: ellipsis; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow-wrap: anywhere; }
.num-inline { font-variant-numeric: tabular-nums; }
.sim-mode.embedded { background: var(--running-fill); color: var(--running-text); border-color: #c7d8fb; font-family: var(--font); }
.sim-mode.rabbitmq { background: var(--timeout-fill); color: var(--timeout-text); border-color: #fbd0b5; font-family: var(--font); }
.sim-started-cell { white-space: nowrap; }

.sim-title { min-width: 0; }
.sim-title h1 { overflow-wrap: anywhere; }
.sim-title .sub { display: flex; flex-wrap: wrap; align-items: center; gap: 2px 6px; }
.sim-actions { display: inline-flex; align-items: center; gap: 12px; }
.sim-actions .pill { font-size: 13px; line-height: 22px; padding: 2px 11px 2px 9px; }
.sim-bar-wrap .bar { height: 12px; }
.sim-stats { font-size: 13.5px; margin-top: 8px; }
.sim-tiles { margin-top: 16px; }
.sim-tiles .tile-value { font-size: 16px; }
.sim-producer-state { text-transform: capitalize; }
.sim-sha { font-size: 14px; }
.sim-failed, .sim-cancelled { margin-top: 12px; }

.sim-charts { margin-bottom: 20px; }
.sim-chart-box { padding: 14px 18px 12px; min-width: 0; }
.sim-chart { display: block; max-width: 100%; height: auto; overflow: visible; }
.sim-chart-empty { display: flex; align-items: center; justify-content: center; min-height: 180px; color: var(--faint); font-size: 13px; background: repeating-linear-gradient(135deg, #fcfcfd 0 6px, #f6f7f9 6px 12px); border-radius: 8px; text-align: center; padding: 12px; }
.sim-bar { fill: #7ea3f0; }
.sim-bar:hover { fill: var(--accent); }
.sim-band { fill: rgba(37, 99, 235, 0.14); }
.sim-grid { stroke: #eef0f3; stroke-width: 1; }
.sim-axis { stroke: var(--border-strong); stroke-width: 1; }
.sim-zero { stroke: #98a2b3; stroke-width: 1.2; }
.sim-tick { font: 11px var(--font); fill: var(--faint); font-variant-numeric: tabular-nums; }
.sim-mean { stroke: #1e3a8a; stroke-width: 1.6; stroke-dasharray: 4 3; }
.sim-mean-label { font: 600 11px var(--font); fill: #1e3a8a; }
.sim-pct { stroke: #d08a06; stroke-width: 1.2; stroke-dasharray: 2 3; }
.sim-pct-label { font: 600 10.5px var(--font); fill: var(--skipped-text); }
.sim-line { fill: none; stroke: var(--accent); stroke-width: 1.8; stroke-linejoin: round; }
.sim-final { stroke: #98a2b3; stroke-width: 1; stroke-dasharray: 3 3; }
.sim-dot { fill: var(--accent); stroke: #fff; stroke-width: 1.5; }
.sim-var { font: 600 12px var(--mono); fill: var(--text); }
.sim-rho.pos { fill: #3b82f6; }
.sim-rho.neg { fill: #f97316; }
.sim-tornado-row:hover .sim-rho { opacity: 0.8; }
.sim-rho-value { font: 600 11px var(--font); fill: var(--muted); font-variant-numeric: tabular-nums; }
.sim-rho-value.inside { fill: #fff; }
.sim-legend { display: flex; flex-wrap: wrap; gap: 4px 16px; color: var(--muted); margin-top: 8px; font-variant-numeric: tabular-nums; }
.sim-legend span { display: inline-flex; align-items: center; gap: 6px; }
.sim-legend .sw { display: inline-block; width: 14px; height: 10px; border-radius: 2px; }
.sim-legend .sw.bar { background: #7ea3f0; }
.sim-legend .sw.band { background: rgba(37, 99, 235, 0.18); }
.sim-legend .sw.mean { height: 0; border-top: 2px dashed #1e3a8a; border-radius: 0; }
.sim-legend .sw.line { height: 0; border-top: 2px solid var(--accent); border-radius: 0; }
.sim-legend .sw.pct { height: 0; border-top: 2px dotted #d08a06; border-radius: 0; }
.sim-chart-note { padding: 0 18px 14px; margin: 0; }

.sim-result { margin-bottom: 20px; }
.sim-summary { font-size: 13px; }
.sim-summary th, .sim-summary td { padding: 6px 18px; }
.sim-summary tbody th { background: transparent; color: var(--text); font-weight: 550; font-size: 13px; }
.sim-summary td { font-variant-numeric: tabular-nums; }
.sim-summary tr[data-stat="mean"] td, .sim-summary tr[data-stat="p50"] td { font-weight: 650; }
.sim-summary tr[data-stat="p5"] th, .sim-summary tr[data-stat="p95"] th { color: var(--skipped-text); }
.sim-downloads { display: flex; align-items: center; flex-wrap: wrap; gap: 8px 12px; border-top: 1px solid var(--border); }
.sim-consumers { font-size: 13px; }
.sim-consumers td { vertical-align: middle; }
.sim-consumer-id { font-weight: 600; max-width: 260px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.sim-consumers .pill { font-size: 11.5px; line-height: 16px; }
.sim-missing { margin-top: 40px; }

@media (max-width: 900px) {
  .sim-fields { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
  .field-submit, .field-mode { grid-column: 1 / -1; }
  .field-submit .btn { width: 100%; }
}
@media (max-width: 760px) {
  .sim-runs thead, .sim-consumers thead { display: none; }
  .sim-runs, .sim-runs tbody, .sim-consumers, .sim-consumers tbody { display: block; }
  .sim-runs tr { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 6px 12px; padding: 12px 14px; border-bottom: 1px solid var(--border); }
  .sim-runs tbody tr:last-child { border-bottom: 0; }
  .sim-runs td { display: block; padding: 0; border: 0; min-width: 0; max-width: none; width: auto; }
  .sim-runs td.sim-model { grid-column: 1; grid-row: 1; }
  .sim-runs td.sim-state { grid-column: 2; grid-row: 1; justify-self: end; }
  .sim-runs td.sim-progress-cell { grid-column: 1 / -1; }
  .sim-runs td.sim-mode-cell, .sim-runs td.sim-duration, .sim-runs td.sim-started-cell { grid-row: 3; font-size: 12.5px; text-align: left; }
  .sim-runs tr { grid-template-columns: auto auto minmax(0, 1fr); }
  .sim-runs td.sim-model { grid-column: 1 / 3; }
  .sim-runs td.sim-state { grid-column: 3; }
  .sim-runs td.sim-duration::before { content: "took "; color: var(--faint); }
  .sim-runs td.sim-started-cell { justify-self: end; color: var(--muted); }
  .sim-runs td.sim-duration:has(.faint) { display: none; }
  .sim-runs tr[data-state] > td:first-child { box-shadow: none; }
  .sim-runs tr[data-state="running"] { box-shadow: inset 3px 0 0 var(--running-line); }
  .sim-runs tr[data-state="failed"] { box-shadow: inset 3px 0 0 var(--failed-line); }
  .sim-consumers tr { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 6px 12px; padding: 10px 14px; border-bottom: 1px solid var(--border); }
  .sim-consumers tbody tr:last-child { border-bottom: 0; }
  .sim-consumers td { display: block; padding: 0; border: 0; text-align: left; min-width: 0; }
  .sim-consumers td::before { content: attr(data-label); display: block; font: 600 11px var(--font); color: var(--faint); }
  .sim-consumers td.sim-consumer-id { grid-column: 1 / -1; max-width: none; }
  .sim-consumers td.sim-consumer-id::before { display: none; }
  .sim-consumers td:nth-child(2) { grid-column: span 2; }
}
@media (max-width: 640px) {
  .sim-file { padding: 12px; gap: 10px; }
  .sim-file .btn { display: none; }
  .sim-chart-box { padding: 12px 12px 10px; }
  .sim-chart-note { padding: 0 14px 12px; }
  .sim-summary th, .sim-summary td { padding: 6px 12px; }
  .sim-actions { gap: 8px; }
  .sim-started .btn { margin-left: 0; }
}
/* ── end Simulations ─────────────────────────────────────────────────────────────── */
/* ── Overview (/): the file jobs' and simulations' cards ──────────────────────────── */
.ov-h { font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; margin: 14px 0 4px; }
.ov-card .card-body > .ov-h:first-child { margin-top: 0; }
.ov-line { margin: 0; }
.ov-list { list-style: none; margin: 0; padding: 0; }
.ov-item { display: grid; grid-template-columns: minmax(0, 1fr) auto; align-items: center; gap: 3px 10px; padding: 7px 0; }
.ov-item + .ov-item { border-top: 1px dashed var(--border); }
.ov-item .pill { font-size: 11.5px; line-height: 16px; }
.ov-name { font-weight: 600; font-size: 13.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
.ov-bar, .ov-meta { grid-column: 1 / -1; }
.ov-bar .bar { height: 7px; }
.ov-meter .fill { fill: var(--running-line); }
.ov-meta { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 6px; font-size: 12.5px; color: var(--muted); min-width: 0; }
.ov-meta strong { color: var(--text); font-weight: 600; }
.ov-meta .chip { font-size: 11px; line-height: 16px; padding: 0 6px; }
.ov-sep { color: var(--faint); }
.ov-error { overflow-wrap: anywhere; }
.ov-mean .mono { font-size: 12px; }
/* ── end Overview ────────────────────────────────────────────────────────────────── */
`;
