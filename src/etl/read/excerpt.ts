/** Control characters, C1 controls, and the format characters that reorder or hide text. */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * A short, escaped excerpt of a file's content, safe to print in a message or a log line:
 * control and invisible characters as `\uXXXX`, at most `max` characters of the text
 * (then `…`). A binary or garbled file then shows a few readable bytes, never kilobytes
 * of raw data or terminal escape sequences.
 *
 * @example
 * excerpt("\u001b[31mred"); // "\\u001b[31mred"
 * excerpt("x".repeat(500), 5); // "xxxxx…"
 */
export function excerpt(text: string, max = 80): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(
    UNSAFE,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return text.length > max ? `${escaped}…` : escaped;
}
