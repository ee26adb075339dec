import { compact, stat } from "./files.js";
import * as fmt from "./format.js";
import { type Html, html } from "./html.js";

/**
 * The simulation charts, as inline SVG drawn in pixels at the width the page gives them
 * (the client measures its container and draws again on resize; the server's first paint
 * uses a default width): the histogram of an output, its running mean with the 95% band,
 * and the sensitivity (tornado) chart. No styles inline (the console's CSP): classes only.
 */

/** A chart's pixel size. */
export interface ChartSize {
  width: number;
  height?: number;
}

const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "0");

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  return ticks;
}

/** A tick label: compact, never "-0". */
function tickLabel(value: number): string {
  return value === 0 ? "0" : compact(value);
}

/** A histogram with its thinnest tails cut off: the bins kept, and what was left out. */
export interface TrimmedHistogram {
  edges: number[];
  counts: number[];
  /** Results in the bins cut off on each side. */
  below: number;
  above: number;
}

/**
 * Cuts off the end bins that hold, together, at most `share` of the results on each side
 * (a long tail squeezes the body of the distribution into a few bars), keeping at least
 * `minBins` bins.
 */
export function trimTails(
  hist: { edges: number[]; counts: number[] },
  share = 0.001,
  minBins = 8,
): TrimmedHistogram {
  const total = hist.counts.reduce((a, b) => a + b, 0);
  const limit = total * share;
  let first = 0;
  let last = hist.counts.length - 1;
  let below = 0;
  let above = 0;
  while (last - first + 1 > minBins && below + (hist.counts[first] as number) <= limit)
    below += hist.counts[first++] as number;
  while (last - first + 1 > minBins && above + (hist.counts[last] as number) <= limit)
    above += hist.counts[last--] as number;
  return {
    edges: hist.edges.slice(first, last + 2),
    counts: hist.counts.slice(first, last + 1),
    below,
    above,
  };
}

export interface HistogramMarks {
  mean?: number;
  ci95?: [number, number];
  /** Percentile lines (the summary's p5 and p95). */
  p5?: number;
  p95?: number;
  /** Results not drawn (a trimmed tail): counted in `data-total`. */
  hidden?: number;
}

/** An output's histogram: its bins, the x axis with round ticks, the mean and its 95% band. */
export function histogramSvg(
  hist: { edges: number[]; counts: number[] } | undefined,
  output: string,
  size: ChartSize,
  marks: HistogramMarks = {},
): Html {
  const width = Math.max(240, Math.round(size.width));
  const height = size.height ?? 220;
  const drawn = hist ? hist.counts.reduce((a, b) => a + b, 0) : 0;
  const total = drawn + (marks.hidden ?? 0);
  if (!hist || hist.counts.length === 0 || drawn === 0)
    return html`<div class="sim-chart-empty" data-total="0">The histogram appears with the first results.</div>`;
  const pad = { left: 10, right: 10, top: 22, bottom: 24 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const lo = hist.edges[0] as number;
  const hi = hist.edges[hist.edges.length - 1] as number;
  const span = hi > lo ? hi - lo : 1;
  const x = (v: number) => pad.left + ((v - lo) / span) * plotW;
  const max = Math.max(...hist.counts, 1);
  const base = pad.top + plotH;
  const bars = hist.counts.map((count, i) => {
    const from = hist.edges[i] as number;
    const to = (hist.edges[i + 1] as number | undefined) ?? from;
    const x0 = x(from);
    const w = Math.max(0.5, x(to) - x0 - (plotW / hist.counts.length > 4 ? 1 : 0));
    const h = count === 0 ? 0 : Math.max(1, (plotH * count) / max);
    return html`<rect class="sim-bar" x="${f2(x0)}" y="${f2(base - h)}" width="${f2(w)}" height="${f2(h)}"><title>${stat(from)} – ${stat(to)}: ${fmt.count(count)}</title></rect>`;
  });
  const ticks = niceTicks(lo, hi, Math.max(2, Math.floor(plotW / 60)));
  const inRange = (v: number | undefined): v is number =>
    v !== undefined && Number.isFinite(v) && v >= lo && v <= hi;
  const band =
    marks.ci95 && inRange(marks.ci95[0]) && inRange(marks.ci95[1])
      ? html`<rect class="sim-band" x="${f2(x(marks.ci95[0]))}" y="${pad.top}" width="${f2(Math.max(1, x(marks.ci95[1]) - x(marks.ci95[0])))}" height="${f2(plotH)}"/>`
      : "";
  // Beside their line, inside the plot (the mean's label is above it): p5 to the left, p95 to the right.
  const percentile = (name: string, v: number | undefined, side: "left" | "right") =>
    inRange(v)
      ? html`<line class="sim-pct" x1="${f2(x(v))}" x2="${f2(x(v))}" y1="${pad.top}" y2="${f2(base)}"/><text class="sim-pct-label" x="${f2(x(v) + (side === "left" ? -4 : 4))}" y="${pad.top + 10}" text-anchor="${side === "left" ? "end" : "start"}">${name}</text>`
      : "";
  const meanX = inRange(marks.mean) ? x(marks.mean) : undefined;
  const meanAnchor =
    meanX === undefined ? "middle" : meanX > width - 70 ? "end" : meanX < 70 ? "start" : "middle";
  return html`<svg class="sim-chart sim-hist" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" data-total="${total}" aria-label="Histogram of ${output}: ${fmt.count(total)} results in ${hist.counts.length} bins from ${stat(lo)} to ${stat(hi)}">
${ticks.map((t) => html`<line class="sim-grid" x1="${f2(x(t))}" x2="${f2(x(t))}" y1="${pad.top}" y2="${f2(base)}"/>`)}
${band}${bars}
<line class="sim-axis" x1="${pad.left}" x2="${width - pad.right}" y1="${f2(base + 0.5)}" y2="${f2(base + 0.5)}"/>
${ticks.map((t) => html`<text class="sim-tick" x="${f2(x(t))}" y="${height - 6}" text-anchor="middle">${tickLabel(t)}</text>`)}
${percentile("p5", marks.p5, "left")}${percentile("p95", marks.p95, "right")}
${meanX === undefined ? "" : html`<line class="sim-mean" x1="${f2(meanX)}" x2="${f2(meanX)}" y1="${pad.top - 2}" y2="${f2(base)}"/><text class="sim-mean-label" x="${f2(meanX)}" y="${pad.top - 8}" text-anchor="${meanAnchor}">mean ${stat(marks.mean)}</text>`}
</svg>`;
}

/**
 * The running mean against the scenarios so far, with its 95% band (mean ± 1.96·s/√n, s the
 * standard deviation of the results so far), over [0, `total`] scenarios so the line grows
 * across the chart as the run goes on. The first tenth of the run, where the band is wide, is
 * drawn but clipped: the y range fits the rest.
 */
export function convergenceSvg(
  points: readonly [number, number][] | undefined,
  std: number,
  total: number,
  output: string,
  size: ChartSize,
): Html {
  const width = Math.max(240, Math.round(size.width));
  const height = size.height ?? 220;
  const usable = (points ?? []).filter(([n, m]) => n > 0 && Number.isFinite(m));
  if (usable.length < 2)
    return html`<div class="sim-chart-empty" data-points="${usable.length}">The running mean appears with the first results.</div>`;
  const last = usable[usable.length - 1] as [number, number];
  const xMax = Math.max(total, last[0], 1);
  const sd = Number.isFinite(std) && std > 0 ? std : 0;
  const half = (n: number) => (1.96 * sd) / Math.sqrt(n);
  const fit = usable.filter(([n]) => n >= last[0] / 10);
  const shown = fit.length >= 2 ? fit : usable;
  let lo = Math.min(...shown.map(([n, m]) => m - half(n)));
  let hi = Math.max(...shown.map(([n, m]) => m + half(n)));
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    lo -= 1;
    hi += 1;
  }
  const margin = (hi - lo) * 0.08;
  lo -= margin;
  hi += margin;
  const yTicks = niceTicks(lo, hi, 4);
  const labelW = Math.min(
    72,
    Math.max(34, 7 * Math.max(...yTicks.map((t) => tickLabel(t).length)) + 10),
  );
  const pad = { left: labelW, right: 14, top: 12, bottom: 24 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (n: number) => pad.left + (n / xMax) * plotW;
  const y = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * plotH;
  const line = usable.map(([n, m], i) => `${i ? "L" : "M"}${f2(x(n))} ${f2(y(m))}`).join("");
  const upper = usable.map(([n, m]) => `${f2(x(n))} ${f2(y(m + half(n)))}`);
  const lower = usable.map(([n, m]) => `${f2(x(n))} ${f2(y(m - half(n)))}`).reverse();
  const band = sd > 0 ? `M${upper.join("L")}L${lower.join("L")}Z` : "";
  const xTicks = niceTicks(0, xMax, Math.max(2, Math.floor(plotW / 110)));
  const clip = `sim-clip-${output.replace(/[^A-Za-z0-9_-]/g, "")}`;
  return html`<svg class="sim-chart sim-conv" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" data-points="${usable.length}" data-last="${last[0]}" aria-label="Running mean of ${output}: ${stat(last[1])} after ${fmt.count(last[0])} results, with its 95% band">
<defs><clipPath id="${clip}"><rect x="${pad.left}" y="${pad.top}" width="${f2(plotW)}" height="${f2(plotH)}"/></clipPath></defs>
${yTicks.map((t) => html`<line class="sim-grid" x1="${pad.left}" x2="${width - pad.right}" y1="${f2(y(t))}" y2="${f2(y(t))}"/><text class="sim-tick" x="${pad.left - 6}" y="${f2(y(t) + 4)}" text-anchor="end">${tickLabel(t)}</text>`)}
<g clip-path="url(#${clip})">${band ? html`<path class="sim-band" d="${band}"/>` : ""}<line class="sim-final" x1="${pad.left}" x2="${width - pad.right}" y1="${f2(y(last[1]))}" y2="${f2(y(last[1]))}"/><path class="sim-line" d="${line}"/></g>
<circle class="sim-dot" cx="${f2(x(last[0]))}" cy="${f2(Math.min(pad.top + plotH, Math.max(pad.top, y(last[1]))))}" r="3"/>
<line class="sim-axis" x1="${pad.left}" x2="${width - pad.right}" y1="${f2(pad.top + plotH + 0.5)}" y2="${f2(pad.top + plotH + 0.5)}"/>
${xTicks.map((t, i) => html`<text class="sim-tick" x="${f2(x(t))}" y="${height - 6}" text-anchor="${i === 0 ? "start" : t === xMax ? "end" : "middle"}">${tickLabel(t)}</text>`)}
</svg>`;
}

/**
 * Spearman's ρ of each variable with the output, sorted by |ρ| (the largest on top), a
 * negative ρ to the left of the axis, a positive one to the right.
 */
export function tornadoSvg(
  sensitivity: Record<string, number> | undefined,
  output: string,
  size: ChartSize,
): Html {
  const entries = Object.entries(sensitivity ?? {})
    .filter(([, rho]) => Number.isFinite(rho))
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || a[0].localeCompare(b[0]));
  if (entries.length === 0)
    return html`<div class="sim-chart-empty">No sensitivity: the model has no variable that varies.</div>`;
  const width = Math.max(260, Math.round(size.width));
  const row = 26;
  const longest = Math.max(...entries.map(([name]) => Math.min(16, name.length)));
  const labelW = Math.min(140, 14 + 7.2 * longest);
  const pad = { left: labelW, right: 14, top: 6, bottom: 26 };
  const height = pad.top + entries.length * row + pad.bottom;
  const plotW = width - pad.left - pad.right;
  const top = Math.max(...entries.map(([, rho]) => Math.abs(rho)));
  const extent = Math.min(1, Math.max(0.2, Math.ceil(top * 10 + 0.5) / 10));
  const mid = pad.left + plotW / 2;
  const x = (rho: number) => mid + (rho / extent) * (plotW / 2);
  const ticks = [-extent, -extent / 2, 0, extent / 2, extent];
  const rows = entries.map(([name, rho], i) => {
    const y = pad.top + i * row;
    const x0 = Math.min(x(0), x(rho));
    const w = Math.max(1, Math.abs(x(rho) - x(0)));
    const label = name.length > 16 ? `${name.slice(0, 15)}…` : name;
    const value = rho.toFixed(2).replace(/^-0\.00$/, "0.00");
    const outside = w < 44;
    const valueX = rho < 0 ? (outside ? x0 - 4 : x0 + 5) : outside ? x0 + w + 4 : x0 + w - 5;
    const anchor = rho < 0 === outside ? "end" : "start";
    return html`<g class="sim-tornado-row" data-variable="${name}" data-rho="${rho}"><title>${name}: ρ = ${rho.toFixed(3)}</title><text class="sim-var" x="${pad.left - 8}" y="${y + row / 2 + 4}" text-anchor="end">${label}</text><rect class="sim-rho ${rho < 0 ? "neg" : "pos"}" x="${f2(x0)}" y="${y + 4}" width="${f2(w)}" height="${row - 8}" rx="2"/><text class="sim-rho-value${outside ? "" : " inside"}" x="${f2(valueX)}" y="${y + row / 2 + 4}" text-anchor="${anchor}">${value}</text></g>`;
  });
  const axisY = pad.top + entries.length * row;
  return html`<svg class="sim-chart sim-tornado" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" data-variables="${entries.length}" aria-label="Sensitivity of ${output}: Spearman's rank correlation of each variable, largest first">
${ticks.map((t) => html`<line class="${t === 0 ? "sim-zero" : "sim-grid"}" x1="${f2(x(t))}" x2="${f2(x(t))}" y1="${pad.top}" y2="${axisY}"/>`)}
${rows}
${ticks.map((t, i) => html`<text class="sim-tick" x="${f2(x(t))}" y="${axisY + 16}" text-anchor="${i === 0 ? "start" : i === ticks.length - 1 ? "end" : "middle"}">${t === 0 ? "0" : t.toFixed(t * 10 === Math.round(t * 10) ? 1 : 2)}</text>`)}
</svg>`;
}
