import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import Sqlite from "better-sqlite3";
import { type DataQuality, lastEtlQuality, latestEtlRun } from "../db/etl-history.js";
import type { SqliteDatabase } from "../db/open.js";
import { schemaMismatches } from "../db/schema-check.js";
import { ApiError } from "./errors.js";
import type { SummaryQuery } from "./params.js";

/** A response body ready to send, with the ETag of the data it was computed from. */
export interface CachedBody {
  runId: string;
  body: string;
  etag: string;
}

export interface Readiness {
  runId: string;
  quality: DataQuality;
}

const UNAVAILABLE = "the sales database cannot be read right now";

/**
 * Read-only access to the sales database for the API, always fresh and never mixed:
 *
 * - a request first checks SQLite's `data_version`, which changes when another
 *   connection (an ETL run) commits; a change drops the cache. The ETL always commits
 *   into the same file, so that is what keeps answers fresh. The check costs two file
 *   locks, so it runs once per event-loop turn: requests handled in the same turn were
 *   all read from their sockets before the turn began, so none of them arrived after a
 *   commit the check could have missed. A file
 *   replaced by hand (deleted and created anew) is noticed by its inode, checked at most
 *   once a second (a stat per request cost 12% of the server's time);
 * - each answer is computed inside one read transaction, so its data and the run id in
 *   its ETag come from the same snapshot: the old data or the new, never a mix;
 * - answers are cached per run and query, so repeated requests do no SQL at all.
 *
 * Problems opening or reading the database become a 503 with a safe message; the file
 * path, SQL and stack stay in the server's log.
 */
export class SalesStore {
  private db: SqliteDatabase | null = null;
  private dataVersionStatement: Sqlite.Statement | null = null;
  private fileId = "";
  private fileCheckedAt = 0;
  /** True from a data_version check until the event loop's next turn. */
  private checkedThisTurn = false;
  private readonly endTurn = () => {
    this.checkedThisTurn = false;
  };
  private dataVersion = -1;
  private runId: string | null = null;
  private readonly cache = new Map<string, CachedBody>();

  constructor(
    readonly path: string,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly maxCached = 1000,
  ) {}

  /** The sum of `cantidad` per category, keys sorted, for sales matching the query. */
  summary(query: SummaryQuery): CachedBody {
    const db = this.fresh();
    const key =
      query.desde || query.hasta || query.ciudad
        ? JSON.stringify([query.desde ?? null, query.hasta ?? null, query.ciudad ?? null])
        : "";
    const hit = this.cache.get(key);
    if (hit && hit.runId === this.runId) return hit;
    const answer = this.guard(() =>
      db.transaction(() => {
        const runId = this.currentRunId(db);
        const rows = db
          .prepare(
            `SELECT categoria, sum(unidades) AS unidades FROM ventas_resumen_diario
             WHERE categoria IS NOT NULL
               AND (:desde IS NULL OR fecha >= :desde) AND (:hasta IS NULL OR fecha <= :hasta)
               AND (:ciudad IS NULL OR ciudad = :ciudad)
             GROUP BY categoria ORDER BY categoria`,
          )
          .all({
            desde: query.desde ?? null,
            hasta: query.hasta ?? null,
            ciudad: query.ciudad ?? null,
          }) as {
          categoria: string;
          unidades: number;
        }[];
        return { runId, rows };
      })(),
    );
    const summary: Record<string, number> = {};
    for (const row of answer.rows) summary[row.categoria] = row.unidades;
    const etag = `"${createHash("sha1").update(`${answer.runId}\u0000${key}`).digest("base64url").slice(0, 27)}"`;
    const cached: CachedBody = { runId: answer.runId, body: JSON.stringify(summary), etag };
    if (this.cache.size >= this.maxCached)
      this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, cached);
    return cached;
  }

  /** The database opens, has the full schema, and has a committed ETL run. */
  readiness(): Readiness {
    const db = this.fresh();
    const mismatches = this.guard(() => schemaMismatches(db));
    if (mismatches.length > 0)
      throw new ApiError(
        503,
        "database_unavailable",
        "the sales database does not have the expected schema",
      );
    const quality = this.guard(() => lastEtlQuality(db));
    if (!quality) throw new ApiError(503, "database_unavailable", "no ETL run has been loaded yet");
    return { runId: quality.etlRunId, quality };
  }

  close(): void {
    this.db?.close();
    this.db = null;
    this.dataVersionStatement = null;
    this.checkedThisTurn = false;
  }

  /** Opens the database if needed and drops the cache when the data changed. */
  private fresh(): SqliteDatabase {
    const now = Date.now();
    if (!this.db || now - this.fileCheckedAt >= 1000) {
      let fileId: string;
      try {
        const stat = statSync(this.path);
        fileId = `${stat.dev}:${stat.ino}`;
      } catch (error) {
        this.close();
        this.onError(error);
        throw new ApiError(503, "database_unavailable", UNAVAILABLE);
      }
      this.fileCheckedAt = now;
      if (this.db && fileId !== this.fileId) this.close();
      this.fileId = fileId;
    }
    if (!this.db) {
      // A short busy timeout: a wait blocks the event loop, and in WAL mode readers only
      // wait in rare moments (recovery), never on a running ETL.
      this.db = this.guard(
        () => new Sqlite(this.path, { readonly: true, fileMustExist: true, timeout: 2000 }),
      );
      this.dataVersion = -1;
    }
    const db = this.db;
    if (this.checkedThisTurn) return db;
    this.checkedThisTurn = true;
    setImmediate(this.endTurn);
    const version = this.guard(() => {
      this.dataVersionStatement ??= db.prepare("PRAGMA data_version").pluck();
      return this.dataVersionStatement.get() as number;
    });
    if (version !== this.dataVersion) {
      this.dataVersion = version;
      this.cache.clear();
      this.runId = this.guard(() => this.currentRunId(db));
    }
    return db;
  }

  private currentRunId(db: SqliteDatabase): string {
    const run = latestEtlRun(db);
    if (!run) throw new ApiError(503, "database_unavailable", "no ETL run has been loaded yet");
    return run.run_id;
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      this.onError(error);
      if (
        (error as { code?: string }).code === "SQLITE_CORRUPT" ||
        (error as { code?: string }).code === "SQLITE_NOTADB"
      )
        this.close();
      throw new ApiError(503, "database_unavailable", UNAVAILABLE);
    }
  }
}
