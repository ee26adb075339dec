import { existsSync } from "node:fs";
import Sqlite from "better-sqlite3";

export type Row = Record<string, unknown>;

/** Opens a database file read-only for a test to look at. */
export function readDb(path: string): Sqlite.Database {
  return new Sqlite(path, { readonly: true, fileMustExist: true });
}

export function query(path: string, sql: string, ...params: unknown[]): Row[] {
  const db = readDb(path);
  try {
    return db.prepare(sql).all(...params) as Row[];
  } finally {
    db.close();
  }
}

/** Every table's rows in a stable order, for before/after comparisons (or null if no file). */
export function dumpDb(path: string): Record<string, Row[]> | null {
  if (!existsSync(path)) return null;
  const db = readDb(path);
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    const dump: Record<string, Row[]> = {};
    for (const table of tables) {
      const columns = db
        .prepare(`SELECT count(*) FROM pragma_table_info(?)`)
        .pluck()
        .get(table) as number;
      const order = Array.from({ length: columns }, (_, i) => i + 1).join(", ");
      dump[table] = db.prepare(`SELECT * FROM "${table}" ORDER BY ${order}`).all() as Row[];
    }
    return dump;
  } finally {
    db.close();
  }
}
