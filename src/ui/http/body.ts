import type { Context } from "hono";
import { ConsoleError } from "./errors.js";

/** The largest request body an endpoint reads (bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Reads the body as bytes, refusing (413) past `limit` without reading the rest. */
async function readLimited(c: Context, limit: number): Promise<Uint8Array> {
  const declared = Number(c.req.header("Content-Length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const body = c.req.raw.body;
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): ConsoleError {
  return new ConsoleError(413, "body_too_large", `the request body is larger than ${limit} bytes`);
}

/**
 * The request's JSON body: 415 unless it is `application/json`, 413 past `limit` bytes,
 * 400 if it is not JSON. An empty body (no `Content-Type`, nothing sent) reads as `{}`,
 * so `curl -X POST …/clear` works.
 */
export async function readJson(c: Context, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = c.req.header("Content-Type");
  const bytes = await readLimited(c, limit);
  if (bytes.byteLength === 0 && type === undefined) return {};
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) {
    throw new ConsoleError(
      415,
      "unsupported_media_type",
      `send the body as application/json (got ${type ? JSON.stringify(type.slice(0, 60)) : "no Content-Type"})`,
    );
  }
  const text = new TextDecoder().decode(bytes).trim();
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ConsoleError(400, "invalid_json", "the request body is not valid JSON");
  }
}
