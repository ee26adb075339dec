import {
  DECIMAL_POINT_EVIDENCE,
  type DotReading,
  type EvidenceSink,
  type NumberResult,
  normalizeCents,
  normalizeInteger,
  THOUSANDS_EVIDENCE,
} from "./number.js";

const BOTH = THOUSANDS_EVIDENCE | DECIMAL_POINT_EVIDENCE;

/**
 * One number column of one file (contract v1.1): normalizes its values while collecting
 * the evidence of the valid ones about the column's convention, then, once the whole file
 * has been seen, `resolve` fixes how a lone dot group (`1.500`) is read — thousands with
 * only thousands evidence, a decimal point with only decimal-point evidence, and no
 * reading (the value stays AMBIGUOUS) with none or both.
 */
export class NumberColumn implements EvidenceSink {
  evidence = 0;
  private reading: DotReading | undefined = undefined;
  private readonly integer: boolean;

  constructor(kind: "integer" | "decimal") {
    this.integer = kind === "integer";
  }

  normalize(text: string): NumberResult {
    // Two direct calls rather than one through a function-valued field: V8 can inline them.
    return this.integer
      ? normalizeInteger(text, this.reading, this)
      : normalizeCents(text, this.reading, this);
  }

  /** Evidence both ways: no later value can settle the column any more. */
  get undecided(): boolean {
    return this.evidence === BOTH;
  }

  resolve(): void {
    this.reading =
      this.evidence === THOUSANDS_EVIDENCE
        ? "thousands"
        : this.evidence === DECIMAL_POINT_EVIDENCE
          ? "decimal"
          : undefined;
  }
}
