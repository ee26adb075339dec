import type { Stats } from "node:fs";
import { stat } from "node:fs/promises";
import { describeError, InputError } from "../../errors.js";
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
import { LineList } from "./line-list.js";
import { Outbox, type RowSink } from "./outbox.js";
import { readRecords } from "./records.js";
import type { FileFacts } from "./sniff.js";

export type { Batch, BatchColumn, RejectedRow } from "./outbox.js";

/** A line after any file's last, kept a small integer (an Infinity would deopt the parser). */
const LAST_LINE = 2 ** 30 - 1;

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

/** A file's size and modification time: a second read checks the file is the same. */
async function identity(path: string, label: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    throw new InputError(
      label,
      undefined,
      `cannot read the file: ${describeError(error)}`,
      "unreadable",
    );
  }
}

const changed = (a: Stats, b: Stats) => a.size !== b.size || a.mtimeMs !== b.mtimeMs;
const fileChanged = (label: string, line: number) =>
  new InputError(label, line, "the file changed while it was being read", "file_changed");

/**
 * Characters of waiting rows held in memory before the reader falls back to a second read
 * (counted as 2 per character + 64 per row: about 30,000 rows of a sales file, enough for
 * the 1M-row sample). It was 16M, which a file with more waiting rows filled before
 * reading again anyway: 10M-row sample, peak RSS 311 MB → 202 MB with 4M.
 */
const HELD_CHARS = 4 * 2 ** 20;

/**
 * A copy of a string that does not keep alive the 1 MB chunk it was sliced from (V8 keeps
 * substrings of 13 characters and more as views into their parent).
 */
const own = (text: string): string =>
  text.length < 13 ? text : Buffer.from(text, "utf8").toString("utf8");

/**
 * Reads one input file into loaded rows and rejected rows. Every record after the header
 * is counted as read and ends up in exactly one of the two; the first row with a key (in
 * file order) is kept and later ones are `duplicate_key`. Only rows that normalize cleanly
 * take their key.
 *
 * A dot-grouped number (`1.500`) is read by the convention of its column in the whole file
 * (contract v1.1), known only at the end. So a row holding one waits, and its key is
 * reserved as pending, so that a later clean row with that
 * key waits too. At the end of the file each column's convention is fixed and the rows
 * that waited are normalized, in file order: from memory while they fit in `HELD_CHARS`
 * characters, else by reading the file once more for just those lines.
 */
export async function readTable(
  path: string,
  label: string,
  spec: TableSpec,
  facts: FileFacts,
  sink: TableSink,
  batchSize = 8192,
  heldChars = HELD_CHARS,
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
  const waiting = new LineList();
  // The rows that wait, held as parsed while they fit in HELD_CHARS; past that, only
  // their lines are kept and the file is read a second time for them.
  let held: { line: number; fields: string[]; raw: string }[] | null = [];
  let heldSoFar = 0;
  const hold = (fields: string[], line: number, raw: string) => {
    waiting.push(line);
    if (held === null) return;
    heldSoFar += 2 * raw.length + 64;
    if (heldSoFar > heldChars) held = null;
    else held.push({ line, fields: fields.map(own), raw: own(raw) });
  };
  const values: Value[] = new Array(spec.columns.length);
  const key: Value[] = new Array(keyPositions.length);
  const outbox = new Outbox(spec, sink, batchSize);
  let rows: RowNormalizer | null = null;
  let bytes = 0;
  const before = await identity(path, label);

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
      if (pendingKeys > 0 && !keys.has(key) && pending.has(key)) hold(fields, line, raw);
      else keep(line, raw);
    } else if (outcome === DEFER) {
      hold(fields, line, raw);
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

  if (held !== null) {
    // The rows that waited, now that every convention is known, in file order.
    for (const row of held) {
      const outcome = normalizer.normalize(row.fields, values);
      if (outcome === null) {
        takeKey();
        keep(row.line, row.raw);
      } else if (outcome !== DEFER) reject(row.line, outcome, row.raw);
    }
    held = null;
  } else if (waiting.length > 0) {
    // Second pass: just the rows that waited, now that every convention is known; the
    // parser passes over the others without building their fields.
    if (changed(before, await identity(path, label))) throw fileChanged(label, waiting.at(0));
    let next = 0;
    let parser: CsvParser | null = null;
    const secondPass = (fields: string[], line: number, raw: string) => {
      if (next === waiting.length) return;
      if (line !== waiting.at(next)) throw fileChanged(label, waiting.at(next));
      next++;
      const outcome = normalizer.normalize(fields, values);
      if (outcome === null) {
        takeKey();
        keep(line, raw);
      } else if (outcome !== DEFER) reject(line, outcome, raw);
      (parser as CsvParser).skipTo(next < waiting.length ? waiting.at(next) : LAST_LINE);
    };
    await readRecords(path, label, facts, secondPass, {
      parser: (p) => {
        parser = p;
        p.skipTo(waiting.at(0));
      },
      onBuffer: () => outbox.flushRejected(),
      done: () => next === waiting.length,
    });
    if (next < waiting.length) throw fileChanged(label, waiting.at(next));
  }
  outbox.flush();
  sink.progress?.(stats.read, bytes);
  return stats;
}
