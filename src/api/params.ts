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
