import { InputError } from "../../errors.js";
import type { ReasonCode } from "../normalize/result.js";
import {
  DEFER,
  type Rejection,
  type RowNormalizer,
  rowNormalizer,
  type Value,
} from "../normalize/row.js";
import type { TableSpec } from "../tables.js";
import type { CsvParser } from "./csv-parser.js";
import { matchHeader } from "./header.js";
import { KeySet } from "./key-set.js";
import { Outbox, type RowSink } from "./outbox.js";
import { RecordList } from "./record-list.js";
import { readRecords } from "./records.js";
import type { FileFacts } from "./sniff.js";

export type { Batch, BatchColumn, RejectedRow } from "./outbox.js";

/** More records than any file holds, kept a small integer (an Infinity would deopt the parser). */
const ALL_RECORDS = 2 ** 30 - 1;

export interface ReadStats {
  read: number;
  loaded: number;
  rejected: number;
  reasons: Partial<Record<ReasonCode, number>>;
  /** Header names that were ignored (escaped and shortened: see `matchHeader`). */
  extraColumns: string[];
  /** Records (the header included) read as Windows-1252 in a UTF-8 file. */
  recodedRecords: number;
}

export interface TableSink extends RowSink {
  progress?(read: number, bytes: number): void;
}

/**
 * Reads one input file into loaded rows and rejected rows. Every record after the header
 * is counted as read and ends up in exactly one of the two; the first row with a key (in
 * file order) is kept and later ones are `duplicate_key`. Only rows that normalize cleanly
 * take their key.
 *
 * A dot-grouped number (`1.500`) is read by the convention of its column in the whole file
 * (contract v1.1), known only at the end. So a row holding one waits: only its record
 * number is kept, and its key is reserved as pending, so that a later clean row with that
 * key waits too. At the end of the file each column's convention is fixed and, only if
 * some rows waited, the file is read once more to normalize just those, in file order.
 */
export async function readTable(
  path: string,
  label: string,
  spec: TableSpec,
  facts: FileFacts,
  sink: TableSink,
  batchSize = 8192,
): Promise<ReadStats> {
  const stats: ReadStats = {
    read: 0,
    loaded: 0,
    rejected: 0,
    reasons: {},
    extraColumns: [],
    recodedRecords: 0,
  };
  const keyPositions = spec.key.map((name) => spec.columns.findIndex((c) => c.name === name));
  const keys = new KeySet();
  const pending = new KeySet();
  let pendingKeys = 0;
  const waiting = new RecordList();
  const values: Value[] = new Array(spec.columns.length);
  const key: Value[] = new Array(keyPositions.length);
  const outbox = new Outbox(spec, sink, batchSize);
  let rows: RowNormalizer | null = null;
  let bytes = 0;

  const reject = (line: number, rejection: Rejection, raw: string) => {
    stats.rejected++;
    stats.reasons[rejection.reason] = (stats.reasons[rejection.reason] ?? 0) + 1;
    outbox.reject(line, rejection, raw);
  };
  const takeKey = () => {
    for (let k = 0; k < keyPositions.length; k++)
      key[k] = values[keyPositions[k] as number] as Value;
  };
  /** Loads a clean row, or rejects it as a duplicate: its key is in `key`. */
  const keep = (line: number, raw: string) => {
    if (!keys.add(key)) {
      reject(line, { reason: "duplicate_key", column: spec.key.join(",") }, raw);
      return;
    }
    stats.loaded++;
    outbox.load(values);
  };

  // First pass: every record; rows that hold an undecided number wait.
  const firstPass = (fields: string[], line: number, raw: string) => {
    if (rows === null) {
      const layout = matchHeader(spec, fields, label);
      stats.extraColumns = layout.extra;
      rows = rowNormalizer(spec, layout.indexes, layout.fieldCount);
      return;
    }
    const record = ++stats.read;
    const outcome = rows.normalize(fields, values);
    if (outcome === null) {
      takeKey();
      if (pendingKeys > 0 && !keys.has(key) && pending.has(key)) waiting.push(record);
      else keep(line, raw);
    } else if (outcome === DEFER) {
      waiting.push(record);
      if (keyPositions.every((position) => (rows as RowNormalizer).keyKnown(position))) {
        takeKey();
        if (pending.add(key)) pendingKeys++;
      }
    } else reject(line, outcome, raw);
    if ((record & 0xffff) === 0) sink.progress?.(record, bytes);
  };
  stats.recodedRecords = await readRecords(path, label, facts, firstPass, {
    onBytes: (n) => {
      bytes += n;
    },
    onBuffer: () => outbox.flushRejected(),
  });
  if (rows === null)
    throw new InputError(label, 1, "the file is empty (no header line)", "empty_file");
  const normalizer: RowNormalizer = rows;
  normalizer.resolve();

  if (waiting.length > 0) {
    // Second pass: just the rows that waited, now that every convention is known; the
    // parser passes over the others without building their fields.
    let parser: CsvParser | null = null;
    let record = -1; // the number of the last record seen (the header is 0)
    let next = 0;
    /** Passes over the records before the next one that waited (or all, after the last). */
    const skipToNext = () => {
      const target = next < waiting.length ? waiting.at(next) : ALL_RECORDS;
      (parser as CsvParser).skip(target - record - 1);
      record = target - 1;
    };
    const secondPass = (fields: string[], line: number, raw: string) => {
      if (++record === 0 || record !== waiting.at(next)) {
        skipToNext();
        return;
      }
      next++;
      const outcome = normalizer.normalize(fields, values);
      if (outcome === null) {
        takeKey();
        keep(line, raw);
      } else if (outcome !== DEFER) reject(line, outcome, raw);
      skipToNext();
    };
    await readRecords(path, label, facts, secondPass, {
      parser: (p) => {
        parser = p;
      },
      onBuffer: () => outbox.flushRejected(),
      done: () => next === waiting.length,
    });
  }
  outbox.flush();
  sink.progress?.(stats.read, bytes);
  return stats;
}
