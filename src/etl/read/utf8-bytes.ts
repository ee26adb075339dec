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
