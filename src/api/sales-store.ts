import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import Sqlite from "better-sqlite3";
import { type DataQuality, lastEtlQuality } from "../db/etl-history.js";
import type { SqliteDatabase } from "../db/open.js";
import { schemaMismatches } from "../db/schema-check.js";
import { ApiError } from "./errors.js";
import { LruCache } from "./lru.js";
import type { SummaryQuery } from "./params.js";

/** Which of the summary's parameters a request gave (their values never reach the SQL). */
export type SummaryFilters = { [K in keyof SummaryQuery]?: unknown };

/**
 * The categories present, in ascending order, one index seek each: SQLite's `min()` over
 * the `(categoria, …)` index skips NULLs and jumps to the next distinct value.
 */
const CATEGORIES = `WITH RECURSIVE categorias (categoria) AS (
  SELECT min(categoria) FROM ventas_resumen_diario
  UNION ALL
  SELECT (SELECT min(categoria) FROM ventas_resumen_diario WHERE categoria > categorias.categoria)
  FROM categorias WHERE categorias.categoria IS NOT NULL
)`;

/**
 * The SQL of the summary for the parameters present: one fixed statement for each of the
 * eight combinations, with only `:desde`, `:hasta`, `:ciudad` placeholders (values are
 * always bound). For each category (found by a few index seeks), the sum of `unidades` is
 * one seek into a covering index on exactly the filters given —
 * `ventas_resumen_categoria (categoria, fecha, unidades)`, or with a city
 * `ventas_resumen_ciudad (ciudad, categoria, fecha, unidades)` (src/db/ddl.ts) — so it
 * reads only the matching rows, in order, with no temp B-tree. The categories come out in
 * ascending order (each is the least one above the last). A category with no matching
 * row sums to NULL, and `summary()` leaves it out, as GROUP BY would.
 * (`(:p IS NULL OR col = :p)` in one statement cannot use an index: the plan is made once
 * for every value, so it scanned the table and sorted it.)
 */
export function summarySql(filters: SummaryFilters): string {
  const where = ["categoria = categorias.categoria"];
  if (filters.ciudad !== undefined) where.unshift("ciudad = :ciudad");
  if (filters.desde !== undefined) where.push("fecha >= :desde");
  if (filters.hasta !== undefined) where.push("fecha <= :hasta");
  return `${CATEGORIES}
SELECT categoria,
       (SELECT sum(unidades) FROM ventas_resumen_diario WHERE ${where.join(" AND ")}) AS unidades
FROM categorias
WHERE categoria IS NOT NULL`;
}

/** 0–7: which parameters are present, as bits (desde 1, hasta 2, ciudad 4). */
function combination(query: SummaryQuery): number {
  return (
    (query.desde !== undefined ? 1 : 0) |
    (query.hasta !== undefined ? 2 : 0) |
    (query.ciudad !== undefined ? 4 : 0)
  );
}

export interface SalesStoreOptions {
  /**
   * Told about a database problem (the message a client sees is always the safe one):
   * once, not once per request, until an answer succeeds again or the problem changes.
   */
  onError?: (error: unknown) => void;
  /** How many answers to keep (least recently used out first); 0 keeps none. Default 1000. */
  cacheEntries?: number;
}

export interface CacheStats {
  entries: number;
  capacity: number;
  hits: number;
  misses: number;
}

/** A response body ready to send, with the ETag of the data it was computed from. */
export interface CachedBody {
  runId: string;
  body: string;
  etag: string;
}

interface Snapshot {
  runId: string;
  rows: { categoria: string; unidades: number | null }[];
}

export interface Readiness {
  runId: string;
  quality: DataQuality;
}

const UNAVAILABLE = "the sales database cannot be read right now";

/**
 * The last committed ETL run's id: `latestEtlRun()` (src/db/etl-history.ts) as one SQL text,
 * prepared once per connection — building and preparing it on every cache miss cost about
 * 17 µs of a miss's 60–300.
 */
const LATEST_RUN_ID = "SELECT run_id FROM etl_runs ORDER BY finished_at DESC, rowid DESC LIMIT 1";

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
 * - answers are cached per run and query in an LRU bounded in entries, so repeated
 *   requests do no SQL at all; a change of data empties it. A miss runs one of eight
 *   prepared statements (`summarySql`), each an index seek.
 *
 * Problems opening or reading the database become a 503 with a safe message; the file
 * path, SQL and stack stay in the server's log.
 */
export class SalesStore {
  private db: SqliteDatabase | null = null;
  private dataVersionStatement: Sqlite.Statement | null = null;
  private runIdStatement: Sqlite.Statement | null = null;
  /** One read transaction: the run id and a summary statement's rows, from one snapshot. */
  private snapshot: ((statement: Sqlite.Statement, params: object) => Snapshot) | null = null;
  private fileId = "";
  private fileCheckedAt = 0;
  /** True from a data_version check until the event loop's next turn. */
  private checkedThisTurn = false;
  private readonly endTurn = () => {
    this.checkedThisTurn = false;
  };
  private dataVersion = -1;
  private runId: string | null = null;
  private readonly cache: LruCache<string, CachedBody>;
  private hits = 0;
  private misses = 0;
  /** The summary's prepared statements on the open connection, by `combination()`. */
  private statements: (Sqlite.Statement | undefined)[] = [];
  private readonly onError: (error: unknown) => void;
  /** The problem last told to `onError`, until an answer succeeds again. */
  private lastProblem: string | undefined;

  constructor(
    readonly path: string,
    options: SalesStoreOptions = {},
  ) {
    this.onError = options.onError ?? (() => {});
    this.cache = new LruCache(options.cacheEntries ?? 1000);
  }

  /** The sum of `cantidad` per category, keys sorted, for sales matching the query. */
  summary(query: SummaryQuery): CachedBody {
    const db = this.fresh();
    const key =
      query.desde || query.hasta || query.ciudad
        ? JSON.stringify([query.desde ?? null, query.hasta ?? null, query.ciudad ?? null])
        : "";
    const hit = this.cache.get(key);
    if (hit && hit.runId === this.runId) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const which = combination(query);
    const params: Record<string, string> = {};
    if (query.desde !== undefined) params.desde = query.desde;
    if (query.hasta !== undefined) params.hasta = query.hasta;
    if (query.ciudad !== undefined) params.ciudad = query.ciudad;
    const answer = this.guard(() => {
      this.statements[which] ??= db.prepare(summarySql(query));
      // Made once per connection: better-sqlite3 builds a transaction's wrappers anew on
      // every db.transaction() call.
      this.snapshot ??= db.transaction((statement: Sqlite.Statement, params: object) => ({
        runId: this.currentRunId(db),
        rows: statement.all(params) as Snapshot["rows"],
      }));
      return this.snapshot(this.statements[which], params);
    });
    this.lastProblem = undefined;
    const summary: Record<string, number> = {};
    for (const row of answer.rows) if (row.unidades !== null) summary[row.categoria] = row.unidades;
    const etag = `"${createHash("sha1").update(`${answer.runId}\u0000${key}`).digest("base64url").slice(0, 27)}"`;
    const cached: CachedBody = { runId: answer.runId, body: JSON.stringify(summary), etag };
    this.cache.set(key, cached);
    return cached;
  }

  /** How the answer cache is doing (since the store was created). */
  cacheStats(): CacheStats {
    return {
      entries: this.cache.size,
      capacity: this.cache.capacity,
      hits: this.hits,
      misses: this.misses,
    };
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
    this.lastProblem = undefined;
    return { runId: quality.etlRunId, quality };
  }

  /** Closes the database connection (a later request opens it again). */
  close(): void {
    this.disconnect();
  }

  private disconnect(): void {
    this.db?.close();
    this.db = null;
    this.dataVersionStatement = null;
    this.runIdStatement = null;
    this.snapshot = null;
    this.statements = [];
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
        this.disconnect();
        this.tell(error);
        throw new ApiError(503, "database_unavailable", UNAVAILABLE);
      }
      this.fileCheckedAt = now;
      if (this.db && fileId !== this.fileId) this.disconnect();
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
    this.runIdStatement ??= db.prepare(LATEST_RUN_ID).pluck();
    const runId = this.runIdStatement.get() as string | undefined;
    if (runId === undefined)
      throw new ApiError(503, "database_unavailable", "no ETL run has been loaded yet");
    return runId;
  }

  /** Passes a problem to `onError` unless it is the one already told. */
  private tell(error: unknown): void {
    const problem = `${(error as { code?: string }).code}: ${(error as Error)?.message}`;
    if (problem === this.lastProblem) return;
    this.lastProblem = problem;
    this.onError(error);
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      this.tell(error);
      if (
        (error as { code?: string }).code === "SQLITE_CORRUPT" ||
        (error as { code?: string }).code === "SQLITE_NOTADB"
      )
        this.disconnect();
      throw new ApiError(503, "database_unavailable", UNAVAILABLE);
    }
  }
}
