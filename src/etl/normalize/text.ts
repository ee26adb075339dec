const COMBINING_MARKS = /\p{M}+/gu;
const WHITESPACE = /\s+/g;

/** Removes accents and other combining marks: `Electrónicos` → `Electronicos`. */
export function stripAccents(text: string): string {
  return text.normalize("NFD").replace(COMBINING_MARKS, "").normalize("NFC");
}

/** Trims and collapses every run of whitespace to one space (NFC-normalized). */
export function collapseWhitespace(text: string): string {
  return text.trim().replace(WHITESPACE, " ").normalize("NFC");
}

/** Capitalizes each space-separated word: first letter upper case, the rest lower case. */
export function capitalizeWords(text: string): string {
  return text
    .split(" ")
    .map((word) => word.charAt(0).toLocaleUpperCase("es") + word.slice(1).toLocaleLowerCase("es"))
    .join(" ");
}

/** `nombre`: whitespace collapsed, nothing else changed. */
export const normalizeName = collapseWhitespace;

/** `categoria`: whitespace collapsed, accents stripped, words capitalized. */
export function normalizeCategory(text: string): string {
  return capitalizeWords(stripAccents(collapseWhitespace(text)));
}

/** `ciudad`: whitespace collapsed, words capitalized, accents kept; empty means no city. */
export function normalizeCity(text: string): string | null {
  const collapsed = collapseWhitespace(text);
  return collapsed === "" ? null : capitalizeWords(collapsed);
}

/** A header name as matched against the contract: trimmed, lower-cased, accents stripped. */
export function normalizeHeader(text: string): string {
  return stripAccents(text.trim()).toLowerCase();
}
