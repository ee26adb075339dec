import { normalizeDate } from "../etl/normalize/date.js";
import { INVALID } from "../etl/normalize/result.js";
import { normalizeCity } from "../etl/normalize/text.js";
import { ApiError } from "./errors.js";

/**
 * A query parameter as data: the same description validates requests and produces the
 * OpenAPI document, so the two cannot drift apart.
 */
export interface QueryParam {
  name: string;
  description: string;
  example: string;
  /** JSON-schema fragment for the OpenAPI document. */
  schema: Record<string, unknown>;
  /** Returns the normalized value or throws an `ApiError` (400). */
  parse(raw: string): string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function dateParam(name: string, description: string, example: string): QueryParam {
  return {
    name,
    description,
    example,
    schema: { type: "string", format: "date", pattern: ISO_DATE.source },
    parse(raw) {
      if (!ISO_DATE.test(raw) || normalizeDate(raw) === INVALID) {
        throw new ApiError(
          400,
          "invalid_parameter",
          `${name} must be a date as YYYY-MM-DD, got "${raw.slice(0, 40)}"`,
        );
      }
      return raw;
    },
  };
}

export const SUMMARY_PARAMS: readonly QueryParam[] = [
  dateParam("desde", "First day included (YYYY-MM-DD).", "2024-06-01"),
  dateParam("hasta", "Last day included (YYYY-MM-DD).", "2024-06-30"),
  {
    name: "ciudad",
    description:
      "Only sales of clients in this city. Matched after the ETL's normalizing (`medellín` matches `Medellín`); `ciudad_desconocida` selects sales of unknown clients or clients without a city.",
    example: "Medellín",
    schema: { type: "string", minLength: 1, maxLength: 100 },
    parse(raw) {
      if (raw === "ciudad_desconocida") return raw;
      const city = raw.length <= 100 ? normalizeCity(raw) : null;
      if (city === null)
        throw new ApiError(400, "invalid_parameter", "ciudad must be 1 to 100 characters of text");
      return city;
    },
  },
];

export type SummaryQuery = { desde?: string; hasta?: string; ciudad?: string };

/**
 * Validates a request's query string against `params`: unknown or repeated parameters
 * and bad values are a 400, never silently ignored or defaulted.
 */
export function parseQuery(url: URL, params: readonly QueryParam[]): Record<string, string> {
  const allowed = new Map(params.map((p) => [p.name, p]));
  checkEncoding(url.search, allowed);
  const values: Record<string, string> = {};
  for (const [name, raw] of url.searchParams) {
    const param = allowed.get(name);
    if (!param) {
      const names = params.map((p) => p.name).join(", ");
      throw new ApiError(
        400,
        "unknown_parameter",
        `unknown query parameter "${name.slice(0, 40)}" (allowed: ${names})`,
      );
    }
    if (name in values)
      throw new ApiError(400, "invalid_parameter", `${name} is given more than once`);
    values[name] = param.parse(raw.trim());
  }
  return values;
}

function decodes(raw: string): boolean {
  try {
    decodeURIComponent(raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * `URLSearchParams` turns percent-encoding that is not UTF-8 (`%E9`, Latin-1 for `é`) into
 * U+FFFD, which would then match nothing and answer `200 {}`: a known parameter's value
 * that does not decode is a 400 naming it. (A name that does not decode is unknown.)
 */
function checkEncoding(search: string, allowed: ReadonlyMap<string, QueryParam>): void {
  for (const pair of search.replace(/^\?/, "").split("&")) {
    const at = pair.indexOf("=");
    if (at < 0) continue;
    const name = pair.slice(0, at).replaceAll("+", " ");
    if (!decodes(name) || !allowed.has(decodeURIComponent(name))) continue;
    if (!decodes(pair.slice(at + 1))) {
      throw new ApiError(
        400,
        "invalid_parameter",
        `${decodeURIComponent(name)} is not valid percent-encoded UTF-8 (é is %C3%A9, not %E9)`,
      );
    }
  }
}

/** The summary's query, with the cross-field check that `desde` is not after `hasta`. */
export function parseSummaryQuery(url: URL): SummaryQuery {
  const query = parseQuery(url, SUMMARY_PARAMS) as SummaryQuery;
  if (query.desde && query.hasta && query.desde > query.hasta) {
    throw new ApiError(
      400,
      "invalid_parameter",
      `desde (${query.desde}) is after hasta (${query.hasta})`,
    );
  }
  return query;
}
