/**
 * NAME in `NAME_resumen.parquet` etc. (`../shared/contracts/files.md`): the uploaded file's
 * name reduced to something safe to put in a path.
 */

/** Latin letters that NFD does not decompose into an ASCII letter + combining marks. */
const LATIN: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  Æ: "AE",
  œ: "oe",
  Œ: "OE",
  ø: "o",
  Ø: "O",
  ł: "l",
  Ł: "L",
  đ: "d",
  Đ: "D",
};

/** Longest NAME kept, so `NAME_columnas.parquet` and its temporary name stay far below 255 bytes. */
export const MAX_BASE_NAME = 100;

/** What NAME is when nothing of the original name survives. */
export const FALLBACK_BASE_NAME = "archivo";

/**
 * The uploaded file name's base (after the last `/` or `\`), without its extension (the last
 * `.xxx`, unless the name starts with that dot), reduced to `[A-Za-z0-9_-]`: accented letters
 * become their ASCII letter (NFD, combining marks removed; `ß`, `æ`, `ø`… spelled out), each
 * run of whitespace becomes one `_`, every other character is dropped. At most
 * `MAX_BASE_NAME` characters; never empty (`archivo`). The result never contains a path
 * separator or `..`, whatever the input.
 *
 * @example
 * outputBaseName("../../etc/passwd.csv");        // "passwd"
 * outputBaseName("Ventas 2024 (final).CSV");     // "Ventas_2024_final"
 * outputBaseName("C:\\datos\\Año_café.csv");     // "Ano_cafe"
 * outputBaseName("???.csv");                     // "archivo"
 */
export function outputBaseName(originalName: string): string {
  const base = originalName.slice(
    Math.max(originalName.lastIndexOf("/"), originalName.lastIndexOf("\\")) + 1,
  );
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const name = stem
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[ßæÆœŒøØłŁđĐ]/g, (c) => LATIN[c] ?? "")
    .trim()
    .replace(/\s+/g, "_")
    .replace(/[^A-Za-z0-9_-]/g, "")
    .slice(0, MAX_BASE_NAME);
  return name === "" ? FALLBACK_BASE_NAME : name;
}
