// Worker thread of `sha256File` (file.ts): hashes one file so that the main thread can load
// the AWS SDK and talk to S3 meanwhile. Plain JavaScript, so that it runs the same from
// dist/ and under the tests' TypeScript loader. Posts { sha256, before, after } (the file's
// size and modification time before and after it was read) or { error, code }.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";

const BLOCK = 8 * 1024 * 1024;

async function hashFile(path) {
  const file = await open(path, "r");
  try {
    const before = await file.stat();
    const hash = createHash("sha256");
    // Two buffers take turns: the next block is read (in libuv's thread pool) while the
    // current one is hashed.
    let current = Buffer.allocUnsafe(BLOCK);
    let next = Buffer.allocUnsafe(BLOCK);
    let reading = file.read(current, 0, BLOCK, null);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      reading = file.read(next, 0, BLOCK, null);
      hash.update(current.subarray(0, bytesRead));
      [current, next] = [next, current];
    }
    const after = await file.stat();
    const state = (stat) => ({ size: stat.size, mtimeMs: stat.mtimeMs });
    return { sha256: hash.digest("hex"), before: state(before), after: state(after) };
  } finally {
    await file.close();
  }
}

try {
  parentPort.postMessage(await hashFile(workerData.path));
} catch (error) {
  parentPort.postMessage({ error: error.message, code: error.code });
}
