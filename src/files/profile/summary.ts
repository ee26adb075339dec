import type { Columna, ColumnType, Histogram } from "../types.js";
import { isoDate, isoDateTime, readBoolean } from "./classify.js";
import { BOOLEAN, type ColumnState, DATE, DECIMAL, INTEGER } from "./column.js";
import { HyperLogLog } from "./hll.js";
import { sortDoubles } from "./sort.js";

const TOP = 5;
const HISTOGRAM_BINS = 20;

export function columnType(state: ColumnState): ColumnType {
  if (state.nonNull === 0) return "empty";
  if (state.candidates & INTEGER) return "integer";
  if (state.candidates & DECIMAL) return "decimal";
  if (state.candidates & BOOLEAN) return "boolean";
  if (state.candidates & DATE) return state.time ? "datetime" : "date";
  return "text";
}

/** numpy's default (`linear`) quantile of sorted values. */
export function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  const a = sorted[low] as number;
  return a + ((sorted[high] as number) - a) * (position - low);
}

/** Neumaier's compensated sum: exact to the last bit for any realistic column. */
function sum(values: Float64Array): number {
  let total = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const t = total + v;
    compensation += Math.abs(total) >= Math.abs(v) ? total - t + v : v - t + total;
    total = t;
  }
  return total + compensation;
}

/** Distinct values and the most frequent ones of sorted doubles, by runs. */
function runs(sorted: Float64Array, text: (v: number) => string) {
  let distinct = 0;
  const top: [number, number][] = [];
  let i = 0;
  while (i < sorted.length) {
    const v = sorted[i] as number;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === v) j++;
    distinct++;
    const count = j - i;
    // Keep the TOP largest counts; ties keep the smaller value (seen first).
    if (top.length < TOP || count > (top[top.length - 1] as [number, number])[1]) {
      let at = top.length;
      while (at > 0 && (top[at - 1] as [number, number])[1] < count) at--;
      top.splice(at, 0, [v, count]);
      if (top.length > TOP) top.pop();
    }
    i = j;
  }
  return { distinct, top: top.map(([v, n]) => [text(v), n] as [string, number]) };
}

function histogram(sorted: Float64Array, integer: boolean): Histogram {
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  let bins = HISTOGRAM_BINS;
  if (integer && max - min + 1 < bins) bins = max - min + 1;
  if (max === min) bins = 1;
  const width = (max - min) / bins || 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < sorted.length; i++) {
    const bin = Math.min(bins - 1, Math.floor(((sorted[i] as number) - min) / width));
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { edges, counts };
}

function topOfCounts(counts: Map<string, number>): [string, number][] {
  const top: [string, number][] = [];
  for (const [value, count] of counts) {
    const last = top[top.length - 1];
    if (top.length === TOP && last && (count < last[1] || (count === last[1] && value > last[0])))
      continue;
    top.push([value, count]);
    top.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (top.length > TOP) top.pop();
  }
  return top;
}

const blank = {
  media: null,
  desviacion: null,
  p25: null,
  p50: null,
  p75: null,
  longitud_min: null,
  longitud_max: null,
};

/** The `columnas` row of one column (and its histogram when numeric). */
export function summarize(
  position: number,
  name: string,
  state: ColumnState,
): { columna: Columna; histogram?: Histogram } {
  const tipo = columnType(state);
  const base = {
    posicion: position,
    nombre: name,
    tipo,
    no_nulos: state.nonNull,
    nulos: state.nulls,
    unicos_aproximado: false,
  };
  if (tipo === "empty")
    return {
      columna: { ...base, ...blank, unicos: 0, minimo: null, maximo: null, top_valores: "[]" },
    };
  if (tipo === "integer" || tipo === "decimal") {
    const sorted = sortDoubles(state.numbers);
    const n = sorted.length;
    const mean = sum(sorted) / n;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const d = (sorted[i] as number) - mean;
      squares += d * d;
    }
    const { distinct, top } = runs(sorted, String);
    return {
      columna: {
        ...base,
        ...blank,
        unicos: distinct,
        minimo: String(sorted[0]),
        maximo: String(sorted[n - 1]),
        media: mean,
        desviacion: n > 1 ? Math.sqrt(squares / (n - 1)) : null,
        p25: quantile(sorted, 0.25),
        p50: quantile(sorted, 0.5),
        p75: quantile(sorted, 0.75),
        top_valores: JSON.stringify(top),
      },
      histogram: histogram(sorted, tipo === "integer"),
    };
  }
  if (tipo === "date" || tipo === "datetime") {
    const sorted = sortDoubles(state.dates);
    const text = tipo === "date" ? isoDate : isoDateTime;
    const { distinct, top } = runs(sorted, text);
    return {
      columna: {
        ...base,
        ...blank,
        unicos: distinct,
        minimo: text(sorted[0] as number),
        maximo: text(sorted[sorted.length - 1] as number),
        top_valores: JSON.stringify(top),
      },
    };
  }
  const counts = state.counts ?? new Map<string, number>();
  if (tipo === "boolean") {
    const byValue = new Map<string, number>();
    for (const [text, count] of counts) {
      const key = String(readBoolean(text));
      byValue.set(key, (byValue.get(key) ?? 0) + count);
    }
    return {
      columna: {
        ...base,
        ...blank,
        unicos: byValue.size,
        minimo: byValue.has("false") ? "false" : "true",
        maximo: byValue.has("true") ? "true" : "false",
        top_valores: JSON.stringify(topOfCounts(byValue)),
      },
    };
  }
  const approximate = state.hll !== null;
  return {
    columna: {
      ...base,
      ...blank,
      unicos: approximate
        ? Math.max(new HyperLogLog(state.hll as Uint8Array).estimate(), counts.size)
        : counts.size,
      unicos_aproximado: approximate,
      minimo: state.minText,
      maximo: state.maxText,
      longitud_min: state.minLength,
      longitud_max: state.maxLength,
      top_valores: JSON.stringify(topOfCounts(counts)),
    },
  };
}
