/**
 * The business rules, as data: adding a rule means adding an entry here. docs/validate.md's
 * rule table, the JSON report and the history all come from this list.
 *
 * A SQL rule's query returns one row per offending row, with the columns `key` (what
 * identifies it), `value` (the offending value) and, for rules on sales, `unidades` and
 * `importe_centavos` (the impact). `:as_of` is bound to the day treated as today.
 *
 * Several queries repeat a partial index's condition (`cantidad <= 0 AND …`): that is how
 * SQLite knows it may read the small partial index instead of scanning every sale.
 */

export type Severity = "INFO" | "WARNING" | "ERROR" | "CRITICAL";

export const SEVERITIES: readonly Severity[] = ["INFO", "WARNING", "ERROR", "CRITICAL"];

export interface RuleBase {
  id: string;
  severity: Severity;
  /** What a failure means, in one phrase. */
  checks: string;
  /** What to do about a failure. */
  runbook: string;
  /** The noun for affected rows ("sales", "inventory rows"). */
  unit: string;
}

export interface SqlRule extends RuleBase {
  kind: "sql";
  sql: string;
  /** The offending rows carry `unidades` and `importe_centavos`. */
  salesImpact: boolean;
  /** Also count the distinct offending keys or values (where that differs from rows). */
  distinct?: { of: "key" | "value"; noun: string };
}

export interface SchemaRule extends RuleBase {
  kind: "schema";
}

export type Rule = SqlRule | SchemaRule;

/**
 * The distinct values of an indexed column of `ventas`, read as a loose index scan: one
 * index seek per distinct value (11 products: 11 seeks) instead of reading every sale.
 */
const distinctVentas = (column: string) => `
  WITH RECURSIVE seen(id) AS (
    SELECT min(${column}) FROM ventas
    UNION ALL
    SELECT (SELECT min(${column}) FROM ventas WHERE ${column} > seen.id) FROM seen WHERE seen.id IS NOT NULL)
  SELECT id FROM seen WHERE id IS NOT NULL`;

/**
 * "A sale names a <thing> not in <table>": the sales whose `column` is missing from the
 * referenced table, the distinct missing IDs found by a loose index scan.
 */
function foreignKeyRule(
  id: string,
  severity: Severity,
  table: string,
  column: string,
  thing: string,
  runbook: string,
): SqlRule {
  return {
    id,
    kind: "sql",
    severity,
    checks: `a sale names ${thing} not in ${table}`,
    runbook,
    unit: "sales",
    salesImpact: true,
    distinct: { of: "value", noun: column },
    sql: `SELECT ${sales(column)} FROM ventas
          WHERE ${column} IN (SELECT id FROM (${distinctVentas(column)})
                              WHERE id NOT IN (SELECT ${column} FROM ${table}))`,
  };
}

const SALES_COLUMNS =
  "venta_id AS key, {value} AS value, cantidad AS unidades, cantidad * precio_unitario_centavos AS importe_centavos";
const sales = (value: string) => SALES_COLUMNS.replace("{value}", value);

export const RULES: readonly Rule[] = [
  {
    id: "schema_structure",
    kind: "schema",
    severity: "CRITICAL",
    checks: "a table, view or column of the contract's schema is missing",
    runbook:
      "Rebuild the database with `npm run etl`; if it persists, check what else writes to DB_PATH.",
    unit: "schema objects",
  },
  {
    id: "venta_id_unique",
    kind: "sql",
    severity: "ERROR",
    checks: "two sales share a venta_id",
    runbook:
      "The sales table lost its primary key: rebuild it with `npm run etl` and find which process inserted the copies.",
    unit: "sales",
    salesImpact: true,
    distinct: { of: "key", noun: "venta_id" },
    // When venta_id is the table's INTEGER PRIMARY KEY the storage itself makes it unique:
    // the one-row `unchecked` is then empty and the CROSS JOIN (evaluated in that order)
    // reads no sales; otherwise it groups every sale.
    sql: `SELECT ${sales("venta_id")} FROM ventas
          WHERE venta_id IN (
            SELECT v.venta_id
            FROM (SELECT 1 WHERE (SELECT count(*) FROM pragma_table_info('ventas')
                                  WHERE name = 'venta_id' AND pk = 1 AND upper(type) = 'INTEGER') = 0) AS unchecked
            CROSS JOIN ventas AS v
            GROUP BY v.venta_id HAVING count(*) > 1)`,
  },
  foreignKeyRule(
    "producto_fk",
    "ERROR",
    "productos",
    "producto_id",
    "a product",
    "Add the missing products to productos.csv (or fix the sales' producto_id) and rerun `npm run etl`.",
  ),
  foreignKeyRule(
    "cliente_fk",
    "WARNING",
    "clientes",
    "cliente_id",
    "a client",
    "Add the missing clients to clientes.csv; until then their sales count under ciudad_desconocida.",
  ),
  {
    id: "cantidad_non_negative",
    kind: "sql",
    severity: "ERROR",
    checks: "a sale has cantidad < 0",
    runbook:
      "Negative quantities are not sales: correct them at the source or record them as returns.",
    unit: "sales",
    salesImpact: true,
    sql: `SELECT ${sales("cantidad")} FROM ventas WHERE cantidad <= 0 AND cantidad < 0`,
  },
  {
    id: "cantidad_zero",
    kind: "sql",
    severity: "WARNING",
    checks: "a sale has cantidad = 0 (a return)",
    runbook: "Confirm these are returns; if not, correct the quantity at the source.",
    unit: "sales",
    salesImpact: true,
    sql: `SELECT ${sales("cantidad")} FROM ventas WHERE cantidad <= 0 AND cantidad = 0`,
  },
  {
    id: "precio_non_negative",
    kind: "sql",
    severity: "ERROR",
    checks: "a sale has precio_unitario < 0",
    runbook:
      "Correct the unit price at the source; discounts belong in a separate column, not a negative price.",
    unit: "sales",
    salesImpact: true,
    sql: `SELECT ${sales("precio_unitario_centavos / 100.0")} FROM ventas WHERE precio_unitario_centavos < 0`,
  },
  {
    id: "fecha_not_future",
    kind: "sql",
    severity: "WARNING",
    checks: "a sale is dated after the as-of day",
    runbook:
      "Check the exporting system's clock and the date format of its export (day and month swapped?).",
    unit: "sales",
    salesImpact: true,
    sql: `SELECT ${sales("fecha")} FROM ventas WHERE fecha > :as_of`,
  },
  {
    id: "stock_non_negative",
    kind: "sql",
    severity: "ERROR",
    checks: "an inventory row has stock < 0",
    runbook:
      "Recount the product's stock; negative stock means sales were recorded without stock entries.",
    unit: "inventory rows",
    salesImpact: false,
    sql: "SELECT producto_id || ' @ ' || fecha AS key, stock AS value FROM inventario WHERE stock < 0",
  },
];

/** The rule table of docs/validate.md, from the same list. */
export function rulesMarkdown(rules: readonly Rule[] = RULES): string {
  const lines = ["| rule | fails when | severity | what to do |", "|---|---|---|---|"];
  for (const rule of rules)
    lines.push(`| \`${rule.id}\` | ${rule.checks} | ${rule.severity} | ${rule.runbook} |`);
  return lines.join("\n");
}
