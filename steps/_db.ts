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

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * The day the steps report as of: `AS_OF` (`YYYY-MM-DD`, a real date) from the step's
 * environment, else today in the process's local time zone (as `validate --as-of`).
 */
export function asOfDay(ctx: Pick<StepContext, "env">, now: Date = new Date()): string {
  const value = ctx.env.AS_OF;
  if (value === undefined || value === "")
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : null;
  if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value)
    throw new Error(`AS_OF must be a real date as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return value;
}

/** `YYYY-MM-DD` plus `days` (negative: before). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The last month (`YYYY-MM`) whose last day is on or before `day`, and the month before it. */
export function completeMonths(day: string): { mes: string; anterior: string } {
  const next = addDays(day, 1); // `day` ends its month when the next day starts another
  const [y, m] = next.split("-").map(Number) as [number, number];
  const shift = (back: number) => {
    const d = new Date(Date.UTC(y, m - 1 - back, 1));
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
  };
  return { mes: shift(1), anterior: shift(2) };
}
