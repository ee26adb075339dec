import { DatabaseError } from "../errors.js";
import {
  APPLICATION_ID,
  DATA_DDL,
  DATA_OBJECTS,
  HISTORY_DDL,
  INDEX_DDL,
  INDEX_NAMES,
  SCHEMA_VERSION,
} from "./ddl.js";
import { databaseState, type SqliteDatabase } from "./open.js";

/**
 * Inside the caller's write transaction, makes the data tables empty and index-free,
 * ready for a bulk load: an empty file gets the whole schema; one of ours at another
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
    for (const name of INDEX_NAMES) db.exec(`DROP INDEX IF EXISTS ${name}`);
    for (const object of DATA_OBJECTS) {
      if (object.type === "table") db.exec(`DELETE FROM ${object.name}`);
    }
  }
  db.exec("DELETE FROM rejected_rows");
}

/** Creates the data indexes, after the bulk load. */
export function createIndexes(db: SqliteDatabase): void {
  db.exec(INDEX_DDL);
}
