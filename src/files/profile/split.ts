import { open } from "node:fs/promises";
import { READ_BLOCK } from "./sniff.js";

const QUOTE = 34;
const LF = 10;

/**
 * Record boundaries near `targets` (ascending byte offsets): for each, the first offset at
 * or after it that starts a record — just after a line feed that is not inside a quoted
 * field. Quoted fields are followed with the CSV parser's rule (a quote opens one only at
 * the start of a field; `""` inside is a quote), so a split never falls inside a record.
 * A file without quotes costs one `indexOf` per block; quotes cost one step each.
 * Offsets past the end come back as the file size.
 */
export async function recordBoundaries(
  path: string,
  size: number,
  delimiter: string,
  targets: number[],
): Promise<number[]> {
  const d = delimiter.charCodeAt(0);
  const found: number[] = [];
  const handle = await open(path, "r");
  try {
    const block = Buffer.allocUnsafe(READ_BLOCK);
    let base = 0;
    let inQuote = false;
    /** A quote ended the last block inside a quoted field: `""` or a close, decided by the next byte. */
    let pendingQuote = false;
    let previous = LF; // the file starts a field
    let next = 0;
    while (base < size && next < targets.length) {
      const { bytesRead } = await handle.read(block, 0, Math.min(READ_BLOCK, size - base), base);
      if (bytesRead === 0) break;
      const b = block.subarray(0, bytesRead);
      let pos = 0;
      if (pendingQuote) {
        pendingQuote = false;
        if (b[0] === QUOTE)
          pos = 1; // an escaped quote: still inside
        else inQuote = false;
      }
      while (pos < b.length && next < targets.length) {
        const target = (targets[next] as number) - base;
        if (inQuote) {
          const q = b.indexOf(QUOTE, pos);
          if (q === -1) {
            pos = b.length;
            break;
          }
          if (q + 1 === b.length) {
            pendingQuote = true;
            pos = b.length;
            break;
          }
          if (b[q + 1] === QUOTE) pos = q + 2;
          else {
            inQuote = false;
            pos = q + 1;
          }
          continue;
        }
        const q = b.indexOf(QUOTE, pos);
        const lf = b.indexOf(LF, Math.max(pos, target));
        if (lf !== -1 && (q === -1 || lf < q)) {
          // Outside quotes up to this line feed, which is at or past the target.
          found.push(base + lf + 1);
          next++;
          pos = lf + 1;
          continue;
        }
        if (q === -1) {
          pos = b.length;
          break;
        }
        const before = q > 0 ? b[q - 1] : previous;
        if (before === d || before === LF) inQuote = true;
        pos = q + 1;
      }
      previous = b[b.length - 1] as number;
      base += bytesRead;
    }
  } finally {
    await handle.close();
  }
  while (found.length < targets.length) found.push(size);
  return found;
}

/** Line feeds before `offset`: the line a part starts on is this plus one. */
export async function linesBefore(path: string, offset: number): Promise<number> {
  const handle = await open(path, "r");
  let lines = 0;
  try {
    const block = Buffer.allocUnsafe(READ_BLOCK);
    for (let base = 0; base < offset; ) {
      const { bytesRead } = await handle.read(block, 0, Math.min(READ_BLOCK, offset - base), base);
      if (bytesRead === 0) break;
      for (let i = block.indexOf(LF, 0); i !== -1 && i < bytesRead; i = block.indexOf(LF, i + 1))
        lines++;
      base += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return lines;
}
