/** Formats a count with thousands separators: 1234567 → "1,234,567". */
export const formatCount = (n: number): string => Math.round(n).toLocaleString("en-US");

/**
 * A single status line redrawn in place on a terminal (stderr). On anything else it
 * prints nothing: callers log one summary line per unit of work instead.
 */
export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = stream.isTTY === true,
  ) {}

  /** Redraws the line, at most ten times a second unless `force`. */
  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.drawn = true;
    this.stream.write(`\r\x1b[2K${text}`);
  }

  /** Clears the line so that the next log line starts clean. */
  clear(): void {
    if (this.enabled && this.drawn) this.stream.write("\r\x1b[2K");
    this.drawn = false;
  }
}
