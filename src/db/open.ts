import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Sqlite from "better-sqlite3";
import { DatabaseError, describeError } from "../errors.js";
import { APPLICATION_ID } from "./ddl.js";

export type SqliteDatabase = Sqlite.Database;

/** How long a connection waits for another one's lock before giving up (ms). */
const BUSY_TIMEOUT_MS = 30_000;

/** What kind of file sits at a database path. */
export type DatabaseState = "missing" | "empty" | "ours" | "foreign";

/** Tells whether an open database is empty, ours (by `application_id`) or another's. */
export function databaseState(db: SqliteDatabase): Exclude<DatabaseState, "missing"> {
  const applicationId = db.pragma("application_id", { simple: true }) as number;
  if (applicationId === APPLICATION_ID) return "ours";
  const objects = db
    .prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
    .get() as { n: number };
  return objects.n === 0 ? "empty" : "foreign";
}

/**
 * Opens (creating if needed) the database for a writer: WAL mode, so readers keep
 * reading the last committed data while a run writes, and a killed writer's partial
 * transaction is simply discarded on the next open. Another application's database is
 * refused *before* anything is set on it (a pragma such as `journal_mode` changes the
 * file). `busyTimeoutMs` is how long a write waits for another writer (another ETL run).
 *
 * `build: true` is for a new database built under a temporary name that no reader
 * knows: its journal is kept in memory (a new file has no old pages to save, so a
 * rollback still works and nothing is written twice, where WAL writes every page to the
 * log and again to the file). The builder switches it to WAL before putting it in place.
 */
export function openForWrite(
  path: string,
  busyTimeoutMs = BUSY_TIMEOUT_MS,
  { build = false }: { build?: boolean } = {},
): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Sqlite(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new DatabaseError(
      `${path}: cannot open the database for writing: ${describeError(error)}`,
    );
  }
  let state: Exclude<DatabaseState, "missing">;
  try {
    state = databaseState(db);
  } catch (error) {
    db.close();
    throw new DatabaseError(`${path}: not a readable SQLite database: ${describeError(error)}`);
  }
  if (state === "foreign") {
    db.close();
    throw new DatabaseError(
      `${path}: this database belongs to another application (it has tables and is not marked as ours); refusing to overwrite it. Choose another --db path.`,
    );
  }
  try {
    db.pragma(build ? "journal_mode = MEMORY" : "journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("journal_size_limit = 67108864");
    db.pragma("foreign_keys = OFF"); // orphans are loaded and reported by the validations
  } catch (error) {
    db.close();
    throw new DatabaseError(
      `${path}: cannot open the database for writing: ${describeError(error)}`,
    );
  }
  return db;
}

/**
 * Opens an existing database of ours for reading and recording history, never creating
 * one: a missing file, a file that is not SQLite, an empty database or another
 * application's database is a `DatabaseError` with exit code 2, and nothing is written.
 */
export function openOursForUpdate(path: string): SqliteDatabase {
  if (!existsSync(path))
    throw new DatabaseError(`${path}: no database at this path (run \`npm run etl\` first)`, 2);
  let db: SqliteDatabase;
  try {
    db = new Sqlite(path, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new DatabaseError(`${path}: cannot open the database: ${describeError(error)}`, 2);
  }
  let state: DatabaseState;
  try {
    state = databaseState(db);
  } catch (error) {
    db.close();
    throw new DatabaseError(`${path}: not a readable SQLite database: ${describeError(error)}`, 2);
  }
  if (state !== "ours") {
    db.close();
    throw new DatabaseError(
      state === "empty"
        ? `${path}: the database is empty (run \`npm run etl\` first)`
        : `${path}: not a database of this project (it has other tables and no empresa-etl mark)`,
      2,
    );
  }
  return db;
}
