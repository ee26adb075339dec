import { RecordTooLargeError, UnclosedQuoteError } from "../../etl/read/csv-parser.js";

const QUOTE = 34;
const LF = 10;
const CR = 13;
const MAX_RECORD_BYTES = 16 * 2 ** 20;

/**
 * One record as the scanner hands it over: field `k` is the bytes `starts[k]…ends[k]` of
 * `bytes`, or, when it was quoted, the string `quoted[k]` (unescaped). Valid only during
 * the call: the arrays and the buffer are reused.
 */
export interface ByteRecord {
  bytes: Buffer;
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  quoted: (string | null)[];
  /** The line the record starts on (1-based, in the bytes given to this scanner). */
  line: number;
}

/**
 * The CSV rules of the ETL's parser (src/etl/read/csv-parser.ts), on bytes: records end at
 * LF or CRLF outside quotes; a field that starts with `"` is quoted (`""` inside is one
 * `"`; delimiters and line breaks are data) and text after its closing quote is appended as
 * is; a quote elsewhere is an ordinary character; lines of only whitespace are skipped.
 * Delimiters, quotes and line breaks are ASCII, so a UTF-8 or Windows-1252 file splits the
 * same without decoding it: an unquoted field stays bytes until someone needs its text.
 */
export class ByteScanner {
  private carry: Buffer = Buffer.alloc(0);
  private line = 1;
  private readonly record: ByteRecord = {
    bytes: Buffer.alloc(0),
    count: 0,
    starts: new Int32Array(64),
    ends: new Int32Array(64),
    quoted: new Array(64).fill(null),
    line: 1,
  };

  constructor(
    private readonly delimiter: number,
    private readonly decode: (b: Buffer, start: number, end: number) => string,
    private readonly onRecord: (record: ByteRecord) => void,
  ) {}

  /** Scans every complete record of `block` (after what was left of the last one). */
  push(block: Buffer): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, block]) : block;
    const used = this.scan(data, false);
    // The block's buffer is reused by the reader: keep a copy of the unfinished record.
    this.carry = used < data.length ? Buffer.from(data.subarray(used)) : Buffer.alloc(0);
    if (this.carry.length > MAX_RECORD_BYTES)
      throw new RecordTooLargeError(this.line, MAX_RECORD_BYTES);
  }

  /** Scans the last record (one without a final line break). */
  end(): void {
    if (this.carry.length > 0) this.scan(this.carry, true);
    this.carry = Buffer.alloc(0);
  }

  private grow(): void {
    const r = this.record;
    const size = r.starts.length * 2;
    const starts = new Int32Array(size);
    starts.set(r.starts);
    const ends = new Int32Array(size);
    ends.set(r.ends);
    r.starts = starts;
    r.ends = ends;
    r.quoted.length = size;
    r.quoted.fill(null, size / 2);
  }

  /** Scans records from the start of `b`; returns how many bytes were consumed. */
  private scan(b: Buffer, final: boolean): number {
    const n = b.length;
    const d = this.delimiter;
    const r = this.record;
    r.bytes = b;
    let pos = 0;
    while (pos < n) {
      const start = pos;
      let count = 0;
      let i = pos;
      let breaks = 0; // line breaks inside quoted fields
      for (;;) {
        if (count === r.starts.length) this.grow();
        if (i < n && b[i] === QUOTE) {
          let from = i + 1;
          let close: number;
          let doubled = false;
          for (;;) {
            close = b.indexOf(QUOTE, from);
            if (close === -1) {
              if (final) throw new UnclosedQuoteError(this.line + breaks);
              return start;
            }
            if (close + 1 < n && b[close + 1] === QUOTE) {
              doubled = true;
              from = close + 2;
              continue;
            }
            if (close + 1 >= n && !final) return start; // cannot tell `"` from `""` yet
            break;
          }
          for (let k = b.indexOf(LF, i + 1); k !== -1 && k < close; k = b.indexOf(LF, k + 1))
            breaks++;
          let text = this.decode(b, i + 1, close);
          if (doubled) text = text.replaceAll('""', '"');
          // Text after the closing quote, up to the delimiter or the line end.
          i = close + 1;
          const rest = i;
          while (i < n && b[i] !== d && b[i] !== LF) i++;
          const restEnd = i > rest && b[i - 1] === CR && (i === n || b[i] === LF) ? i - 1 : i;
          if (restEnd > rest) text += this.decode(b, rest, restEnd);
          r.quoted[count] = text;
        } else {
          const from = i;
          while (i < n) {
            const c = b[i];
            if (c === d || c === LF) break;
            i++;
          }
          r.starts[count] = from;
          r.ends[count] = i > from && b[i - 1] === CR && (i === n || b[i] === LF) ? i - 1 : i;
          r.quoted[count] = null;
        }
        count++;
        if (i >= n) {
          if (!final) return start;
          break;
        }
        if (b[i] === LF) break;
        i++; // the delimiter: next field
      }
      const line = this.line;
      this.line += breaks + (i < n ? 1 : 0);
      pos = i + 1;
      if (count === 1 && this.blank(b)) continue;
      r.count = count;
      r.line = line;
      this.onRecord(r);
    }
    return n;
  }

  /** A record of one field holding only whitespace: a blank line. */
  private blank(b: Buffer): boolean {
    const r = this.record;
    const quoted = r.quoted[0];
    if (quoted !== null && quoted !== undefined) return quoted.trim() === "";
    for (let k = r.starts[0] as number; k < (r.ends[0] as number); k++)
      if ((b[k] as number) > 32)
        return this.decode(b, r.starts[0] as number, r.ends[0] as number).trim() === "";
    return true;
  }
}
