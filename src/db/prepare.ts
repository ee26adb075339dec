import { DatabaseError } from "../errors.js";
import {
  APPLICATION_ID,
  DATA_DDL,
  DATA_OBJECTS,
  HISTORY_DDL,
  INDEX_DDL,
  LOAD_INDEX_DDL,
  SCHEMA_VERSION,
} from "./ddl.js";
import { databaseState, type SqliteDatabase } from "./open.js";

/**
 * Inside the caller's write transaction, makes the data tables empty, with only the
 * indexes that are cheaper to keep during a bulk load than to build after it: an empty file gets the whole schema; one of ours at another
 * version gets its data objects rebuilt (history is kept); another application's
 * database is refused. Nothing here is visible to readers until the caller commits.
 */
export function prepareForLoad(db: SqliteDatabase, path: string): void {
  const state = databaseState(db);
  if (state === "foreign") {
    throw new DatabaseError(
      `${path}: this database belongs to another application (it has tables and is not marked as ours); refusing to overwrite it. Choose another --db path.`,
    );
  }
  const version = db.pragma("user_version", { simple: true }) as number;
  if (state === "empty" || version !== SCHEMA_VERSION) {
    for (const object of DATA_OBJECTS)
      db.exec(`DROP ${object.type.toUpperCase()} IF EXISTS ${object.name}`);
    db.exec(DATA_DDL);
    db.exec(HISTORY_DDL);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  } else {
    dropDataIndexes(db);
    for (const object of DATA_OBJECTS) {
      if (object.type === "table") db.exec(`DELETE FROM ${object.name}`);
    }
  }
  db.exec(LOAD_INDEX_DDL);
  db.exec("DELETE FROM rejected_rows");
}

/**
 * The page cache while the indexes are built (KiB). `CREATE INDEX` sorts its keys in runs
 * as large as the page cache, and better-sqlite3's default cache is 16 MB: runs of 2 MB
 * stay in the CPU cache and the two index builds of 1M sales take about 390 ms of CPU
 * instead of about 600 ms (larger or smaller runs are slower).
 */
const INDEX_BUILD_CACHE_KIB = 2000;

/** Creates the other data indexes, after the bulk load. */
export function createIndexes(db: SqliteDatabase): void {
  const cacheSize = db.pragma("cache_size", { simple: true }) as number;
  db.pragma(`cache_size = ${-INDEX_BUILD_CACHE_KIB}`);
  try {
    db.exec(INDEX_DDL);
  } finally {
    db.pragma(`cache_size = ${cacheSize}`);
  }
}

/** Drops every index on the data tables (whatever an older version created), not the keys. */
function dropDataIndexes(db: SqliteDatabase): void {
  const tables = DATA_OBJECTS.filter((object) => object.type === "table").map(
    (object) => object.name,
  );
  const indexes = db
    .prepare(
      `SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables.map(() => "?").join(", ")})`,
    )
    .pluck()
    .all(...tables) as string[];
  for (const name of indexes) db.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`);
}
