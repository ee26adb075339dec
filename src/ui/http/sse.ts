import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";

/** One Server-Sent Event: its name and a JSON-serialisable payload. */
export interface SseEvent {
  event: string;
  data: unknown;
}

export interface SseOptions {
  /** A comment line (`: ping`) this often keeps proxies and the browser from timing out. */
  heartbeatMs: number;
  /** Aborted when the console shuts down: every stream ends cleanly. */
  closing: AbortSignal;
  /** Events waiting to be written before a slow client is dropped (default 1000). */
  maxQueued?: number;
}

/** What a stream's `start` gets: how to send, and a signal aborted when the stream ends. */
export interface SseChannel {
  send(event: SseEvent): void;
  /** Aborted when the client goes away, the stream is dropped, or the console shuts down. */
  ended: AbortSignal;
}

/**
 * A Server-Sent Events response: `start` subscribes to whatever it forwards and returns
 * its unsubscribe, called once when the stream ends — the client disconnected, the console
 * is shutting down, or the client fell `maxQueued` events behind. Writes keep their order;
 * a heartbeat comment goes out every `heartbeatMs`; `retry: 1000` asks the browser to
 * reconnect after a second if the stream drops.
 *
 * @example
 * app.get("/api/pipeline/events", (c) =>
 *   sseResponse(c, options, ({ send }) => pipeline.on("change", (data) => send({ event: "step", data }))),
 * );
 */
export function sseResponse(
  c: Context,
  options: SseOptions,
  start: (channel: SseChannel) => (() => void) | undefined,
): Response {
  c.header("X-Accel-Buffering", "no");
  return streamSSE(c, async (stream) => {
    const ended = new AbortController();
    let queued = 0;
    let chain: Promise<unknown> = stream.write("retry: 1000\n\n");
    const write = (job: (s: SSEStreamingApi) => Promise<unknown>) => {
      if (ended.signal.aborted) return;
      if (++queued > (options.maxQueued ?? 1000)) {
        ended.abort();
        return;
      }
      chain = chain.then(() => job(stream)).finally(() => queued--);
    };
    const send = ({ event, data }: SseEvent) =>
      write((s) => s.writeSSE({ event, data: JSON.stringify(data) }));
    const heartbeat = setInterval(() => write((s) => s.write(": ping\n\n")), options.heartbeatMs);
    const end = () => ended.abort();
    stream.onAbort(end);
    options.closing.addEventListener("abort", end, { once: true });
    let unsubscribe: (() => void) | undefined;
    try {
      unsubscribe = start({ send, ended: ended.signal });
      if (options.closing.aborted || stream.aborted) end();
      if (!ended.signal.aborted) {
        await new Promise<void>((resolve) =>
          ended.signal.addEventListener("abort", () => resolve(), { once: true }),
        );
      }
    } finally {
      clearInterval(heartbeat);
      options.closing.removeEventListener("abort", end);
      unsubscribe?.();
      await chain.catch(() => undefined);
    }
  });
}
