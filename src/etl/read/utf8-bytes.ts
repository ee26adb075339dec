import { isAscii, isUtf8 } from "node:buffer";

/** Byte-level UTF-8 facts the sniffing pass needs beyond `isUtf8`. */

const isContinuation = (byte: number | undefined) =>
  byte !== undefined && byte >= 0x80 && byte <= 0xbf;

/** Length of the incomplete UTF-8 sequence at the end of `chunk`, if any (0-3 bytes). */
export function incompleteTail(chunk: Buffer): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const byte = chunk[chunk.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const expected = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return expected > back ? back : 0;
  }
  return 0;
}

/**
 * Whether `bytes` (from `from`) hold at least one valid multi-byte UTF-8 sequence (no
 * overlong form, no surrogate, nothing past U+10FFFF), however invalid the rest is. Only
 * called on files that are not valid UTF-8, so a plain byte loop is fast enough.
 */
export function hasMultibyteSequence(bytes: Buffer, from = 0): boolean {
  const n = bytes.length;
  for (let i = from; i < n; i++) {
    const lead = bytes[i] as number;
    if (lead < 0xc2 || lead > 0xf4) continue;
    const second = bytes[i + 1];
    if (lead <= 0xdf) {
      if (isContinuation(second)) return true;
      continue;
    }
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (second === undefined || second < low || second > high) continue;
    if (!isContinuation(bytes[i + 2])) continue;
    if (lead <= 0xef || isContinuation(bytes[i + 3])) return true;
  }
  return false;
}

/** Whether a file's first bytes look like UTF-16 text (a UTF-16 BOM, or ASCII with every other byte zero). */
export function looksLikeUtf16(head: Buffer): boolean {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return true;
  const pairs = Math.min(head.length, 64) >> 1;
  let little = 0;
  let big = 0;
  for (let p = 0; p < pairs; p++) {
    const even = head[2 * p] as number;
    const odd = head[2 * p + 1] as number;
    if (even !== 0 && odd === 0) little++;
    else if (even === 0 && odd !== 0) big++;
  }
  return pairs >= 2 && Math.max(little, big) >= pairs * 0.75;
}

/**
 * The encoding rule of every sniff (the ETL's, the profiler's, the upload's), fed chunk by
 * chunk: whether the bytes are valid UTF-8 (a sequence split between chunks is carried to
 * the next) and whether they hold any valid multi-byte sequence. Keeps a few bytes at most.
 *
 * @example
 * const check = new Utf8Check();
 * check.push(first, 3); // skip a BOM
 * check.push(second);
 * check.end();
 * check.encoding; // "utf-8" | "windows-1252"
 */
export class Utf8Check {
  /** Valid UTF-8 so far. */
  valid = true;
  /** A valid multi-byte sequence was seen (the BOM aside). */
  multibyte = false;
  private carry: Buffer = Buffer.alloc(0);

  /** The next chunk; `from` skips its first bytes (a BOM). */
  push(chunk: Buffer, from = 0): void {
    if (!this.valid && this.multibyte) return; // decided: UTF-8 with some records recoded
    // Copies a chunk only when a multi-byte sequence was split at the previous boundary.
    const joined = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const tail = this.valid ? incompleteTail(joined) : Math.min(3, joined.length);
    const body = joined.subarray(from, joined.length - tail);
    if (this.valid && isUtf8(body)) {
      if (!this.multibyte && !isAscii(body)) this.multibyte = true;
    } else {
      this.valid = false;
      this.multibyte ||= hasMultibyteSequence(joined, from);
    }
    this.carry = tail ? Buffer.from(joined.subarray(joined.length - tail)) : Buffer.alloc(0);
  }

  /** After the last chunk: a sequence still open makes the file invalid UTF-8. */
  end(): void {
    if (this.valid && this.carry.length) this.valid = false;
    this.carry = Buffer.alloc(0);
  }

  /** UTF-8 when valid or holding any valid multi-byte sequence, else Windows-1252. */
  get encoding(): "utf-8" | "windows-1252" {
    return this.valid || this.multibyte ? "utf-8" : "windows-1252";
  }

  /** UTF-8 with some invalid bytes: the records holding them are read as Windows-1252. */
  get recode(): boolean {
    return !this.valid && this.multibyte;
  }
}
