/** What the console and the reports show of a dataset in memory. */
export interface DatasetInfo {
  name: string;
  /** The step that produced it, and in which run. */
  producer: string;
  run_id: string;
  /** `table` for arrays of objects and Arrow-like tables; else a type name (`number`, `Map`, …). */
  type: string;
  /** Rows of a table, items of an array or a Map/Set, else null. */
  rows: number | null;
  /** The columns of a table (the keys of its first rows), else null. */
  columns: string[] | null;
  /** Approximate size in bytes (as JSON, estimated from a sample of big values). */
  bytes: number;
  stored_at: string;
}

interface Entry {
  value: unknown;
  info: DatasetInfo;
}

/** An Apache Arrow `Table` or anything shaped like one. */
interface ArrowLike {
  numRows: number;
  schema: { fields: { name: string }[] };
  slice?(begin: number, end: number): { toArray(): unknown[] };
  get?(index: number): unknown;
}

const isArrowLike = (value: unknown): value is ArrowLike =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as ArrowLike).numRows === "number" &&
  Array.isArray((value as ArrowLike).schema?.fields);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Whether an array looks like rows: its first elements are objects (an empty array counts). */
const isRows = (value: unknown[]): boolean => value.slice(0, 10).every(isRecord);

/** The first `n` rows of an Arrow-like table as plain objects. */
function arrowRows(table: ArrowLike, n: number): unknown[] {
  const count = Math.min(n, table.numRows);
  let rows: unknown[];
  if (table.slice) rows = table.slice(0, count).toArray();
  else if (table.get) rows = Array.from({ length: count }, (_, i) => table.get?.(i));
  else return [];
  return rows.map((row) =>
    typeof (row as { toJSON?: unknown })?.toJSON === "function"
      ? (row as { toJSON(): unknown }).toJSON()
      : row,
  );
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return isRows(value) ? "table" : "array";
  if (isArrowLike(value)) return "table";
  if (typeof value !== "object") return typeof value;
  const maker = (value as object).constructor;
  return maker && maker !== Object ? maker.name || "object" : "object";
}

/** The UTF-8 length of a value as JSON (0 when it cannot be written: a cycle). */
function jsonBytes(value: unknown): number {
  try {
    const text = JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? String(v) : v));
    return text === undefined ? 0 : Buffer.byteLength(text);
  } catch {
    return 0; // a cycle: size unknown
  }
}

/** Evenly spaced items of a list, at most `n`. */
function sample<T>(items: ArrayLike<T>, n = 64): T[] {
  if (items.length <= n) return Array.from(items);
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)] as T);
}

function estimateBytes(value: unknown): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (typeof value === "string") return Buffer.byteLength(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 2;
    const part = sample(value);
    return Math.round((jsonBytes(part) * value.length) / part.length);
  }
  if (isArrowLike(value)) {
    const rows = arrowRows(value, 64);
    return rows.length === 0 ? 0 : Math.round((jsonBytes(rows) * value.numRows) / rows.length);
  }
  if (value instanceof Map || value instanceof Set) {
    const items = [...value].slice(0, 64);
    return items.length === 0 ? 2 : Math.round((jsonBytes(items) * value.size) / items.length);
  }
  return jsonBytes(value);
}

/** The type and row count of a value, as a run report shows them. */
export function shapeOf(value: unknown): Pick<DatasetInfo, "type" | "rows"> {
  let rows: number | null = null;
  if (Array.isArray(value)) rows = value.length;
  else if (isArrowLike(value)) rows = value.numRows;
  else if (value instanceof Map || value instanceof Set) rows = value.size;
  return { type: typeName(value), rows };
}

/** Type, rows, columns and approximate size of a value. */
export function describeValue(
  value: unknown,
): Pick<DatasetInfo, "type" | "rows" | "columns" | "bytes"> {
  const type = typeName(value);
  let rows: number | null = null;
  let columns: string[] | null = null;
  if (Array.isArray(value)) {
    rows = value.length;
    if (type === "table") {
      const keys = new Set<string>();
      for (const row of value.slice(0, 100)) for (const key of Object.keys(row)) keys.add(key);
      columns = [...keys];
    }
  } else if (isArrowLike(value)) {
    rows = value.numRows;
    columns = value.schema.fields.map((field) => field.name);
  } else if (value instanceof Map || value instanceof Set) rows = value.size;
  return { type, rows, columns, bytes: estimateBytes(value) };
}

/** A JSON-safe copy of a value for a preview: bigints as strings, long strings cut. */
function jsonSafe(value: unknown, depth = 0): unknown {
  if (typeof value === "bigint") return String(value);
  if (typeof value === "string") return value.length > 1000 ? `${value.slice(0, 1000)}…` : value;
  if (typeof value === "function" || typeof value === "symbol") return String(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value.toISOString();
  if (depth > 4) return "…";
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => jsonSafe(v, depth + 1));
  if (value instanceof Map)
    return Object.fromEntries(
      [...value].slice(0, 100).map(([k, v]) => [String(k), jsonSafe(v, depth + 1)]),
    );
  if (value instanceof Set) return [...value].slice(0, 100).map((v) => jsonSafe(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 100)) out[k] = jsonSafe(v, depth + 1);
  return out;
}

/** The first `n` rows of a table (or items of an array or Map/Set), else the value itself. */
export function previewValue(value: unknown, n: number): unknown[] {
  if (Array.isArray(value)) return value.slice(0, n).map((v) => jsonSafe(v));
  if (isArrowLike(value)) return arrowRows(value, n).map((v) => jsonSafe(v));
  if (value instanceof Map)
    return [...value].slice(0, n).map(([k, v]) => ({ key: jsonSafe(k), value: jsonSafe(v) }));
  if (value instanceof Set) return [...value].slice(0, n).map((v) => jsonSafe(v));
  return [jsonSafe(value)];
}

/**
 * The datasets in memory, by name, with what is shown of each (computed once, when
 * stored: values are not expected to change after their step returned them).
 */
export class DatasetStore {
  private readonly entries = new Map<string, Entry>();

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string): unknown {
    return this.entries.get(name)?.value;
  }

  set(name: string, value: unknown, producer: string, runId: string): DatasetInfo {
    const info: DatasetInfo = {
      name,
      producer,
      run_id: runId,
      ...describeValue(value),
      stored_at: new Date().toISOString(),
    };
    this.entries.set(name, { value, info });
    return info;
  }

  info(name: string): DatasetInfo | undefined {
    return this.entries.get(name)?.info;
  }

  /** Every dataset, by name. */
  list(): DatasetInfo[] {
    return [...this.entries.values()]
      .map((entry) => entry.info)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  preview(name: string, rows = 10): unknown[] | null {
    const entry = this.entries.get(name);
    return entry ? previewValue(entry.value, rows) : null;
  }

  clear(): string[] {
    const names = [...this.entries.keys()];
    this.entries.clear();
    return names;
  }
}
