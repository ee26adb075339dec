/**
 * The calendar day (`YYYY-MM-DD`) of an instant in a time zone: the process's local zone
 * (which `TZ` sets) unless one is given. Used for "today" by the validations' default
 * `--as-of` and by the upload's freshness check and default key.
 *
 * @example
 * localDay(new Date("2026-11-22T04:30:00Z"), "America/Bogota"); // "2026-11-21"
 */
export function localDay(instant: Date | number, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant);
}
