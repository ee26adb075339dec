import {
  type Convention,
  conventionOf,
  type Reading,
  readDecimal,
  readInteger,
} from "./contract-numbers.js";

/** What the manifest says about one number column of a file. */
export interface NumberColumnExpectation {
  /** How the column reads a dot-grouped value (`both` and `none`: `ambiguous_number`). */
  convention: Convention;
  /** Values with one dot followed by three digits (`1.500`) checked by the ETL: resolved by the convention, or rejected. */
  dot_grouped: number;
  /** Rows rejected as `ambiguous_number` on this column. */
  ambiguous: number;
  /** Sum of the column over loaded rows (cents for a decimal). */
  loaded_sum: number;
}

/**
 * Checks every value the generator writes into one number column against the contract's
 * rules (`contract-numbers.ts`), and keeps what the manifest says about the column. The
 * generator plans each column's convention; the ledger reads what was really written,
 * confirms the plan (with the evidence of the loaded rows alone and of every row, so the
 * prediction does not depend on whether rejected rows count as evidence), and throws if
 * a written value would not be read as the generator meant.
 */
export class NumberColumnLedger {
  private readonly read: (text: string) => Reading;
  private readonly loadedEvidence = { thousands: false, decimalPoint: false };
  private readonly allEvidence = { thousands: false, decimalPoint: false };
  private dotGrouped = 0;
  private ambiguousRows = 0;
  private sum = 0;

  constructor(
    readonly file: string,
    readonly column: string,
    kind: "decimal" | "integer",
    /** The convention the generator writes this column for: `thousands`, `decimal_point`, or `both`/`none` when its dot-grouped values are to be rejected. */
    private readonly planned: Convention,
  ) {
    this.read = kind === "decimal" ? readDecimal : readInteger;
  }

  private fail(text: string, problem: string): never {
    throw new Error(
      `generator bug: ${this.file} ${this.column} "${text}" ${problem} (planned convention: ${this.planned})`,
    );
  }

  private note(reading: Reading, loaded: boolean): void {
    if (reading.kind !== "value" || reading.evidence === null) return;
    const key = reading.evidence === "thousands" ? "thousands" : "decimalPoint";
    this.allEvidence[key] = true;
    if (loaded) this.loadedEvidence[key] = true;
  }

  /**
   * A value of a row that normalizes cleanly: it loads (`loaded`) or is a later duplicate
   * of a key. It must be read as `intended`.
   */
  clean(text: string, intended: number, loaded: boolean): void {
    const reading = this.read(text);
    let value: number | null;
    if (reading.kind === "invalid") this.fail(text, "is not a number");
    if (reading.kind === "dot_grouped") {
      if (this.planned === "thousands") value = reading.thousands;
      else if (this.planned === "decimal_point") value = reading.decimalPoint;
      else this.fail(text, "is dot-grouped in a row meant to normalize");
      this.dotGrouped++;
    } else {
      value = reading.value;
      this.note(reading, loaded);
    }
    if (value !== intended) this.fail(text, `would be read as ${value}, not ${intended}`);
    if (loaded) this.sum += intended;
  }

  /** The value that rejects its row as `invalid_number`, whatever the convention. */
  invalid(text: string): void {
    if (this.read(text).kind !== "invalid") this.fail(text, "is meant to be invalid_number");
  }

  /** The value that rejects its row as `ambiguous_number`. */
  ambiguous(text: string): void {
    if (this.read(text).kind !== "dot_grouped") this.fail(text, "is not dot-grouped");
    if (this.planned !== "both" && this.planned !== "none")
      this.fail(text, "is meant to be ambiguous in a column with a convention");
    this.dotGrouped++;
    this.ambiguousRows++;
  }

  /**
   * A value of a row rejected for another reason (its evidence may count, or not). In a
   * column without a convention it is never dot-grouped, so that which problem comes
   * first in the row never matters.
   */
  other(text: string): void {
    const reading = this.read(text);
    if (reading.kind === "dot_grouped" && (this.planned === "both" || this.planned === "none"))
      this.fail(text, "is dot-grouped in a row rejected for another reason");
    this.note(reading, false);
  }

  /** The column's expectation; throws when what was written does not make the planned convention. */
  finish(): NumberColumnExpectation {
    const loaded = conventionOf(this.loadedEvidence);
    const all = conventionOf(this.allEvidence);
    const ambiguous = (c: Convention) => c === "both" || c === "none";
    const agrees = (c: Convention) => (ambiguous(this.planned) ? ambiguous(c) : c === this.planned);
    if (this.dotGrouped > 0 && (loaded !== all || !agrees(all)))
      throw new Error(
        `generator bug: ${this.file} ${this.column} was planned ${this.planned}, but its evidence makes it ${all} (loaded rows alone: ${loaded})`,
      );
    return {
      convention: all,
      dot_grouped: this.dotGrouped,
      ambiguous: this.ambiguousRows,
      loaded_sum: this.sum,
    };
  }
}
