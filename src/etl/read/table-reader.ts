import { InputError } from "../../errors.js";
import type { ReasonCode } from "../normalize/result.js";
import { type Rejection, rowNormalizer, type Value } from "../normalize/row.js";
import type { ColumnKind, TableSpec } from "../tables.js";
import { matchHeader } from "./header.js";
import { KeySet } from "./key-set.js";
import { readRecords } from "./records.js";
import type { FileFacts } from "./sniff.js";

/** Numeric columns travel as Float64Array (NaN for NULL), others as arrays. */
export type BatchColumn = Float64Array | (string | null)[];

/** Rows ready to insert, column by column (cheap to send between threads). */
export interface Batch {
  count: number;
  columns: BatchColumn[];
}

export interface RejectedRow {
  line: number;
  reason: ReasonCode;
  column: string | null;
  raw: string;
}

export interface ReadStats {
  read: number;
  loaded: number;
  rejected: number;
  reasons: Partial<Record<ReasonCode, number>>;
  /** Header names that were ignored. */
  extraColumns: string[];
}

export interface TableSink {
  batch(batch: Batch): void;
  rejects(rows: RejectedRow[]): void;
  progress?(read: number, bytes: number): void;
  /** Sees each loaded row's values (reused array: copy what you keep). */
  loaded?(values: readonly Value[]): void;
}

const NUMERIC: ReadonlySet<ColumnKind> = new Set(["id", "integer", "decimal", "date"]);

function newBatch(spec: TableSpec, size: number): Batch {
  return {
    count: 0,
    columns: spec.columns.map((column) =>
      NUMERIC.has(column.kind) ? new Float64Array(size) : new Array<string | null>(size),
    ),
  };
}

/**
 * Reads one input file into loaded rows and rejected rows, in file order. Every record
 * after the header is counted as read and ends up in exactly one of the two; the first
 * row with a key is kept and later ones are `duplicate_key`. Only rows that normalize
 * cleanly take their key.
 */
export async function readTable(
  path: string,
  label: string,
  spec: TableSpec,
  facts: FileFacts,
  sink: TableSink,
  batchSize = 8192,
): Promise<ReadStats> {
  const stats: ReadStats = { read: 0, loaded: 0, rejected: 0, reasons: {}, extraColumns: [] };
  const keyPositions = spec.key.map((name) => spec.columns.findIndex((c) => c.name === name));
  const keys = new KeySet();
  const values: Value[] = new Array(spec.columns.length);
  const key: Value[] = new Array(keyPositions.length);
  let normalize: ((record: readonly string[], out: Value[]) => Rejection | null) | null = null;
  let batch = newBatch(spec, batchSize);
  let rejects: RejectedRow[] = [];
  let bytes = 0;

  const reject = (line: number, rejection: Rejection, raw: string) => {
    stats.rejected++;
    stats.reasons[rejection.reason] = (stats.reasons[rejection.reason] ?? 0) + 1;
    rejects.push({ line, reason: rejection.reason, column: rejection.column, raw });
  };

  const onRecord = (fields: string[], line: number, raw: string) => {
    if (normalize === null) {
      const layout = matchHeader(spec, fields, label);
      stats.extraColumns = layout.extra;
      normalize = rowNormalizer(spec, layout.indexes, layout.fieldCount);
      return;
    }
    stats.read++;
    const rejection = normalize(fields, values);
    if (rejection) {
      reject(line, rejection, raw);
    } else {
      for (let k = 0; k < keyPositions.length; k++)
        key[k] = values[keyPositions[k] as number] as Value;
      if (!keys.add(key)) {
        reject(line, { reason: "duplicate_key", column: spec.key.join(",") }, raw);
      } else {
        const row = batch.count++;
        for (let c = 0; c < values.length; c++) {
          const column = batch.columns[c] as BatchColumn;
          const value = values[c] as Value;
          if (column instanceof Float64Array)
            column[row] = value === null ? Number.NaN : (value as number);
          else column[row] = value as string | null;
        }
        stats.loaded++;
        sink.loaded?.(values);
        if (batch.count === batchSize) {
          sink.batch(batch);
          batch = newBatch(spec, batchSize);
        }
      }
    }
    if (rejects.length >= 1024) {
      sink.rejects(rejects);
      rejects = [];
    }
    if ((stats.read & 0xffff) === 0) sink.progress?.(stats.read, bytes);
  };
  await readRecords(path, label, facts, onRecord, (n) => {
    bytes += n;
  });
  if (normalize === null)
    throw new InputError(label, 1, "the file is empty (no header line)", "empty_file");
  if (batch.count > 0) sink.batch(batch);
  if (rejects.length > 0) sink.rejects(rejects);
  sink.progress?.(stats.read, bytes);
  return stats;
}
