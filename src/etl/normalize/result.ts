/** Why a row was rejected. The codes are part of the contract. */
export type ReasonCode =
  | "field_count"
  | "missing_value"
  | "invalid_id"
  | "invalid_date"
  | "invalid_number"
  | "ambiguous_number"
  | "duplicate_key";

/**
 * A normalizer returns the value, or `INVALID` when the text is not of its kind.
 * (A sentinel rather than an object per call keeps the per-value hot path allocation-free.)
 */
export const INVALID: unique symbol = Symbol("invalid");
export type Normalized<T> = T | typeof INVALID;

/**
 * What a number normalizer returns for a value whose meaning depends on the convention of
 * its column in the file (`1.500`: thousands or a decimal point), when it is not given one.
 */
export const AMBIGUOUS: unique symbol = Symbol("ambiguous");
