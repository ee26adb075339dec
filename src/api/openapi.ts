import { type QueryParam, SUMMARY_PARAMS } from "./params.js";

const ERROR_SCHEMA = {
  type: "object",
  required: ["error", "message"],
  properties: {
    error: { type: "string", example: "invalid_parameter" },
    message: { type: "string" },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const parameters = (params: readonly QueryParam[]) =>
  params.map((p) => ({
    name: p.name,
    in: "query",
    required: false,
    description: p.description,
    schema: p.schema,
    example: p.example,
  }));

/** The OpenAPI 3.1 document, built from the same parameter specs that validate requests. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "empresa-etl sales API",
      version,
      description:
        'Read-only API over the sales database loaded by `npm run etl`. Every error is `{"error": code, "message": text}`.',
    },
    paths: {
      "/ventas/resumen_por_categoria": {
        get: {
          summary: "Units sold per category",
          description:
            "The sum of `cantidad` per category over sales of known products, keys sorted by category; `{}` when no sale matches. Fresh after every ETL run; supports `If-None-Match`.",
          parameters: parameters(SUMMARY_PARAMS),
          responses: {
            "200": {
              description: "Units per category",
              headers: { ETag: { schema: { type: "string" } } },
              content: {
                "application/json": {
                  schema: { type: "object", additionalProperties: { type: "integer" } },
                  example: {
                    Accesorios: 5677,
                    Almacenamiento: 6141,
                    Electronicos: 8917,
                    Ropa: 8634,
                  },
                },
              },
            },
            "304": { description: "Not modified (the ETag still matches)" },
            "400": errorResponse("A bad, unknown or repeated query parameter"),
            "503": errorResponse("The database cannot be read"),
          },
        },
      },
      "/health": {
        get: {
          summary: "The process is up",
          responses: {
            "200": {
              description: "Up",
              content: { "application/json": { example: { status: "ok" } } },
            },
          },
        },
      },
      "/ready": {
        get: {
          summary: "The database opens, has the expected schema and a loaded ETL run",
          responses: {
            "200": {
              description: "Ready, with the last ETL run's time and row counts",
              content: {
                "application/json": {
                  example: {
                    status: "ready",
                    etl_run: {
                      run_id: "4b41a6a7-…",
                      finished_at: "2026-11-22T05:30:00.000Z",
                      tables: { ventas: { read: 5500, loaded: 5407, rejected: 93 } },
                    },
                  },
                },
              },
            },
            "503": errorResponse("Not ready"),
          },
        },
      },
      "/openapi.json": {
        get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } },
      },
      "/docs": {
        get: {
          summary: "Human-readable documentation (no external resources)",
          responses: { "200": { description: "HTML" } },
        },
      },
    },
    components: { schemas: { Error: ERROR_SCHEMA } },
  };
}
