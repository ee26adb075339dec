import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Sqlite from "better-sqlite3";
import { DatabaseError, describeError } from "../errors.js";

export type ControlDatabase = Sqlite.Database;

/** Marks the file as the control database ("EMPC"), so no other database is written by mistake. */
export const CONTROL_APPLICATION_ID = 0x454d5043;

/** The default path of the control database (`CONTROL_DB`). */
export const DEFAULT_CONTROL_DB = "database/control.db";

/** How long a write waits for another process's (the console, a CLI run, the scheduler). */
const BUSY_TIMEOUT_MS = 10_000;

const schemas = new WeakMap<ControlDatabase, Set<string>>();

/**
 * Opens (creating if needed) the control database shared by every wave-2 system: WAL mode,
 * so the console reads while daemons and CLI runs write. A file that is another database
 * (the sales database given by mistake, another application's) is refused untouched.
 *
 * @example
 * const db = openControlDb(process.env.CONTROL_DB ?? DEFAULT_CONTROL_DB);
 * ensureSchema(db, "pipeline", PIPELINE_DDL);
 */
export function openControlDb(path: string): ControlDatabase {
  let db: ControlDatabase;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Sqlite(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new DatabaseError(`${path}: cannot open the control database: ${describeError(error)}`);
  }
  try {
    if ((db.pragma("application_id", { simple: true }) as number) !== CONTROL_APPLICATION_ID)
      // Checked and marked in one write transaction: two processes creating it at once agree.
      db.transaction(() => {
        const id = db.pragma("application_id", { simple: true }) as number;
        if (id === CONTROL_APPLICATION_ID) return;
        const objects = db
          .prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
          .get() as { n: number };
        if (id !== 0 || objects.n > 0)
          throw new DatabaseError(
            `${path}: not a control database (it has other tables); set CONTROL_DB to another path`,
          );
        db.pragma(`application_id = ${CONTROL_APPLICATION_ID}`);
      }).immediate();
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
  } catch (error) {
    db.close();
    if (error instanceof DatabaseError) throw error;
    throw new DatabaseError(`${path}: cannot open the control database: ${describeError(error)}`);
  }
  return db;
}

/**
 * Creates a system's tables (`CREATE TABLE IF NOT EXISTS …`) once per connection: each
 * system (`pipeline`, `scheduler`, `files`, `simulation`) owns its tables and creates them
 * itself, so a new system changes nothing here.
 */
export function ensureSchema(db: ControlDatabase, system: string, ddl: string): void {
  const done = schemas.get(db) ?? new Set<string>();
  schemas.set(db, done);
  if (done.has(system)) return;
  db.exec(ddl);
  done.add(system);
}
