// A helper of the bundled steps (files starting with "_" are not steps).
import Database from "better-sqlite3";
import type { StepContext } from "../src/pipeline/define.js";

/** The sales database of `DB_PATH` (default `database/empresa.db`), read-only. */
export function openSalesDb(ctx: Pick<StepContext, "env">): {
  db: Database.Database;
  path: string;
} {
  const path = ctx.env.DB_PATH || "database/empresa.db";
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare("SELECT 1 FROM ventas_enriquecidas LIMIT 0").get();
    return { db, path };
  } catch (error) {
    throw new Error(
      `${path}: cannot read the sales database (${(error as Error).message}); run \`npm run etl\` first`,
    );
  }
}
