import Sqlite from "better-sqlite3";
import { DATA_DDL } from "./ddl.js";
import type { SqliteDatabase } from "./open.js";

export interface SchemaObject {
  name: string;
  type: "table" | "view";
  columns: string[];
  /** Why the columns could not be read (a view over a dropped column, say). */
  broken?: string;
}

/** The tables and views that must exist, with their columns, read from the DDL itself. */
export function expectedSchema(): SchemaObject[] {
  expectedCache ??= readExpectedSchema();
  return expectedCache;
}

/** The DDL never changes while the process runs: read it into a schema once. */
let expectedCache: SchemaObject[] | undefined;

function readExpectedSchema(): SchemaObject[] {
  const memory = new Sqlite(":memory:");
  try {
    memory.exec(DATA_DDL);
    return describe(memory);
  } finally {
    memory.close();
  }
}

function describe(db: SqliteDatabase): SchemaObject[] {
  const objects = db
    .prepare(
      "SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all() as { name: string; type: "table" | "view" }[];
  return objects.map((object) => {
    try {
      const columns = db
        .prepare("SELECT name FROM pragma_table_info(?)")
        .pluck()
        .all(object.name) as string[];
      return { ...object, columns: columns.sort() };
    } catch (error) {
      return { ...object, columns: [], broken: (error as Error).message };
    }
  });
}

/**
 * Every difference between the database and the expected schema, at once: a missing table
 * or view, an object of the wrong type, a missing column. Extra objects are fine.
 */
export function schemaMismatches(db: SqliteDatabase, expected = expectedSchema()): string[] {
  const actual = new Map(describe(db).map((object) => [object.name, object]));
  const mismatches: string[] = [];
  for (const object of expected) {
    const found = actual.get(object.name);
    if (!found) {
      mismatches.push(`missing ${object.type} ${object.name}`);
      continue;
    }
    if (found.type !== object.type)
      mismatches.push(`${object.name} is a ${found.type}, expected a ${object.type}`);
    if (found.broken) {
      mismatches.push(`${object.type} ${object.name} cannot be read: ${found.broken}`);
      continue;
    }
    for (const column of object.columns) {
      if (!found.columns.includes(column))
        mismatches.push(`missing column ${object.name}.${column}`);
    }
  }
  return mismatches;
}
