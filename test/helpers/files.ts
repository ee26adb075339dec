import { readdirSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../src/log.js";
import { startTestConsole, type TestConsole } from "./browser.js";

export interface FilesConsole extends TestConsole {
  tempDir: string;
  resultsDir: string;
}

/**
 * The console on a free port of 127.0.0.1 over `root` with the large-CSV system: uploads in
 * `root/temp`, results in `root/resultados`, the embedded queue in `root/control.db`.
 */
export async function startFilesConsole(
  root: string,
  files: { maxFileSizeMb?: number; chunkSize?: number; concurrency?: number } = {},
): Promise<FilesConsole> {
  const tempDir = join(root, "temp");
  const resultsDir = join(root, "resultados");
  // A logger closed with the console: its file handle is not left for the GC.
  const log = createLogger("ui", { dir: join(root, "logs"), console: false });
  const ui = await startTestConsole(root, { files: { tempDir, resultsDir, ...files }, log });
  return {
    ...ui,
    tempDir,
    resultsDir,
    async close() {
      await ui.close();
      await log.flushFile();
    },
  };
}

/** `POST /api/files` with a real multipart body: `content` as the `file` field named `name`. */
export function uploadFile(
  url: string,
  content: string | Uint8Array | Blob,
  name = "datos.csv",
  headers: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  form.set("file", content instanceof Blob ? content : new Blob([content as BlobPart]), name);
  return fetch(`${url}/api/files`, { method: "POST", body: form, headers });
}

/** The names in a folder (none when it does not exist). */
export function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export interface SseMessage {
  event: string;
  data: unknown;
}

/** Reads a Server-Sent Events stream as it comes; `next` waits for a matching event. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  ended = false;
  private readonly controller = new AbortController();
  private wake: (() => void) | null = null;

  constructor(readonly url: string) {}

  async open(): Promise<Response> {
    const response = await fetch(this.url, { signal: this.controller.signal });
    if (response.ok) void this.pump(response);
    return response;
  }

  private async pump(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        this.wake?.();
      }
    } catch {
      // aborted by stop()
    }
    this.ended = true;
    this.wake?.();
  }

  private parse(block: string): void {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length > 0) this.messages.push({ event, data: JSON.parse(data.join("\n")) });
  }

  /** The first event so far that matches, or the next one to arrive. */
  async next(match: (message: SseMessage) => boolean): Promise<SseMessage> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.ended)
        throw new Error(
          `the stream ended; events: ${this.messages.map((m) => m.event).join(", ")}`,
        );
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  stop(): void {
    this.controller.abort();
  }
}
