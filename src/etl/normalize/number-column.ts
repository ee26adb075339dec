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
  private readonly parse: (text: string, reading?: DotReading, sink?: EvidenceSink) => NumberResult;

  constructor(kind: "integer" | "decimal") {
    this.parse = kind === "integer" ? normalizeInteger : normalizeCents;
  }

  normalize(text: string): NumberResult {
    return this.parse(text, this.reading, this);
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
