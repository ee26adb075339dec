import type { Columna, ColumnType, Histogram } from "../types.js";
import { isoDate, isoDateTime, readBoolean } from "./classify.js";
import { BOOLEAN, type ColumnState, DATE, DECIMAL, INTEGER } from "./column.js";
import { HyperLogLog } from "./hll.js";
import { countOf, forEachRun, type SortedValues, valueAt } from "./value-list.js";

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
export function quantile(sorted: SortedValues, n: number, q: number): number {
  const position = q * (n - 1);
  const low = Math.floor(position);
  const a = valueAt(sorted, low);
  if (position === low) return a;
  return a + (valueAt(sorted, Math.min(low + 1, n - 1)) - a) * (position - low);
}

/** Neumaier's compensated sum of value × count over the runs. */
function sumOf(sorted: SortedValues): number {
  let total = 0;
  let compensation = 0;
  forEachRun(sorted, (value, count) => {
    const v = value * count;
    const t = total + v;
    compensation += Math.abs(total) >= Math.abs(v) ? total - t + v : v - t + total;
    total = t;
  });
  return total + compensation;
}

/** Distinct values and the most frequent ones (ties: the smaller value first). */
function runs(sorted: SortedValues, text: (v: number) => string) {
  let distinct = 0;
  const top: [number, number][] = [];
  forEachRun(sorted, (v, count) => {
    distinct++;
    if (top.length < TOP || count > (top[top.length - 1] as [number, number])[1]) {
      let at = top.length;
      while (at > 0 && (top[at - 1] as [number, number])[1] < count) at--;
      top.splice(at, 0, [v, count]);
      if (top.length > TOP) top.pop();
    }
  });
  return { distinct, top: top.map(([v, n]) => [text(v), n] as [string, number]) };
}

function histogram(sorted: SortedValues, min: number, max: number, integer: boolean): Histogram {
  let bins = HISTOGRAM_BINS;
  if (integer && max - min + 1 < bins) bins = max - min + 1;
  if (max === min) bins = 1;
  const width = (max - min) / bins || 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  forEachRun(sorted, (v, count) => {
    const bin = Math.min(bins - 1, Math.floor((v - min) / width));
    counts[bin] = (counts[bin] as number) + count;
  });
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
    const sorted = state.numbers;
    const n = countOf(sorted);
    const mean = sumOf(sorted) / n;
    let squares = 0;
    forEachRun(sorted, (v, count) => {
      const d = v - mean;
      squares += d * d * count;
    });
    const { distinct, top } = runs(sorted, String);
    const min = valueAt(sorted, 0);
    const max = valueAt(sorted, n - 1);
    return {
      columna: {
        ...base,
        ...blank,
        unicos: distinct,
        minimo: String(min),
        maximo: String(max),
        media: mean,
        desviacion: n > 1 ? Math.sqrt(squares / (n - 1)) : null,
        p25: quantile(sorted, n, 0.25),
        p50: quantile(sorted, n, 0.5),
        p75: quantile(sorted, n, 0.75),
        top_valores: JSON.stringify(top),
      },
      histogram: histogram(sorted, min, max, tipo === "integer"),
    };
  }
  if (tipo === "date" || tipo === "datetime") {
    const sorted = state.dates;
    const text = tipo === "date" ? isoDate : isoDateTime;
    const { distinct, top } = runs(sorted, text);
    return {
      columna: {
        ...base,
        ...blank,
        unicos: distinct,
        minimo: text(valueAt(sorted, 0)),
        maximo: text(valueAt(sorted, countOf(sorted) - 1)),
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
  const approximate = state.hll !== null || state.inexact;
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
