import {
  type Compilable,
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import type { SqliteDatabase } from "./open.js";
import type { Database } from "./schema.js";

/**
 * kysely as a typed query builder over the `Database` interface, compile-only: queries
 * are built and checked against the schema's types, then run synchronously on a
 * better-sqlite3 connection (kysely's own driver is asynchronous, and the ETL, the
 * validations and the API read synchronously inside their transactions).
 *
 * @example
 * const run = first(db, query.selectFrom("etl_runs").select("run_id").limit(1));
 */
export const query = new Kysely<Database>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/** Every row of a compiled query. */
export function all<R>(db: SqliteDatabase, built: Compilable<R>): R[] {
  const { sql, parameters } = built.compile();
  return db.prepare(sql).all(...parameters) as R[];
}

/** The first row of a compiled query, if any. */
export function first<R>(db: SqliteDatabase, built: Compilable<R>): R | undefined {
  const { sql, parameters } = built.compile();
  return db.prepare(sql).get(...parameters) as R | undefined;
}
