import { closeSync, openSync, writeSync } from "node:fs";

/**
 * Writes text to a file through a 1 MB buffer, in UTF-8 (optionally with BOM) or
 * Windows-1252, with LF or CRLF line ends. Memory stays at the buffer size.
 */
export class CsvFileWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;

  constructor(
    path: string,
    private readonly options: { encoding: "utf-8" | "windows-1252"; bom?: boolean; crlf?: boolean },
  ) {
    this.fd = openSync(path, "w");
    if (options.bom) writeSync(this.fd, Buffer.from([0xef, 0xbb, 0xbf]));
  }

  /** Writes one line (the line end is added). */
  line(text: string): void {
    this.parts.push(text, this.options.crlf ? "\r\n" : "\n");
    this.size += text.length + 2;
    if (this.size >= 1 << 20) this.flush();
  }

  private flush(): void {
    const text = this.parts.join("");
    this.parts = [];
    this.size = 0;
    // Windows-1252 equals Latin-1 for the characters the generator writes (no € in it).
    writeSync(this.fd, Buffer.from(text, this.options.encoding === "utf-8" ? "utf8" : "latin1"));
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Quotes a CSV field when it holds the delimiter, a quote or a line break. */
export function csvField(value: string, delimiter = ","): string {
  if (
    value.includes(delimiter) ||
    value.includes('"') ||
    value.includes("\n") ||
    value.includes("\r")
  ) {
    return `"${value.replaceAll('"', '""')}"`;
  }
  return value;
}
