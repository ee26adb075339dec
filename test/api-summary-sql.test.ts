import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SUMMARY_PARAMS, type SummaryQuery } from "../src/api/params.js";
import { SalesStore, summarySql } from "../src/api/sales-store.js";
import { runEtl } from "../src/etl/run.js";
import { ROOT } from "./helpers/cli.js";
import { query, readDb } from "./helpers/db.js";
import { tempDir } from "./helpers/tmp.js";

const VALUES: Required<SummaryQuery> = {
  desde: "2024-06-01",
  hasta: "2024-06-30",
  ciudad: "Cali",
};

/** Every combination of present parameters: 2³ of them, from none to all three. */
const COMBINATIONS: SummaryQuery[] = Array.from({ length: 1 << SUMMARY_PARAMS.length }, (_, mask) =>
  Object.fromEntries(
    SUMMARY_PARAMS.filter((_, i) => mask & (1 << i)).map((p) => [
      p.name,
      VALUES[p.name as keyof SummaryQuery],
    ]),
  ),
);

const label = (q: SummaryQuery) => Object.keys(q).join("+") || "no parameters";

async function sampleDb(): Promise<string> {
  const dbPath = join(tempDir(), "empresa.db");
  await runEtl({ dataDir: join(ROOT, "data"), dbPath });
  return dbPath;
}

describe("the summary's SQL, one fixed statement per combination of parameters", () => {
  it.each(COMBINATIONS.map((q) => [label(q), q] as const))(
    "%s: seeks an index on ventas_resumen_diario, no table scan, no temp B-tree",
    async (_name, params) => {
      const db = readDb(await sampleDb());
      try {
        const plan = (
          db.prepare(`EXPLAIN QUERY PLAN ${summarySql(params)}`).all(params) as {
            detail: string;
          }[]
        ).map((row) => row.detail);
        // Every read of the table is a seek into one of its covering indexes; the only
        // scan is of the few categories the statement itself enumerates.
        for (const line of plan.filter((l) => /^(SCAN|SEARCH) /.test(l)))
          expect(line).toMatch(
            /^SCAN categorias$|^SEARCH ventas_resumen_diario USING COVERING INDEX ventas_resumen_(categoria|ciudad)\b/,
          );
        expect(plan.join("\n")).not.toMatch(/TEMP B-TREE/);
        // The sum seeks on every filter that was given (EXPLAIN shows >= as >, <= as <).
        const sum = plan.find((line) => line.includes("categoria=?")) ?? "";
        expect(sum).toContain(
          params.ciudad
            ? "INDEX ventas_resumen_ciudad (ciudad=? AND categoria=?"
            : "INDEX ventas_resumen_categoria (categoria=?",
        );
        if (params.desde) expect(sum).toContain("fecha>?");
        if (params.hasta) expect(sum).toContain("fecha<?");
      } finally {
        db.close();
      }
    },
  );

  it("never carries a value: the statement text depends only on which parameters are present", () => {
    const other = { desde: "2020-01-01", hasta: "2030-12-31", ciudad: "x'); DROP TABLE y; --" };
    for (const q of COMBINATIONS) {
      const sql = summarySql(q);
      for (const value of [...Object.values(VALUES), ...Object.values(other)])
        expect(sql).not.toContain(value);
      const same = Object.fromEntries(
        Object.keys(q).map((k) => [k, other[k as keyof typeof other]]),
      );
      expect(summarySql(same)).toBe(sql);
    }
    expect(new Set(COMBINATIONS.map((q) => summarySql(q))).size).toBe(COMBINATIONS.length);
  });

  it("each combination answers what the contract's view says, keys sorted, no empty categories", async () => {
    const dbPath = await sampleDb();
    const store = new SalesStore(dbPath);
    try {
      for (const ciudad of ["Cali", "ciudad_desconocida", "Atlantis"]) {
        for (const q of COMBINATIONS) {
          const params = { ...q, ...(q.ciudad ? { ciudad } : {}) };
          const where = ["categoria IS NOT NULL"];
          if (params.desde) where.push("fecha >= :desde");
          if (params.hasta) where.push("fecha <= :hasta");
          if (params.ciudad) where.push("ciudad = :ciudad");
          const expected = Object.fromEntries(
            query(
              dbPath,
              `SELECT categoria, sum(cantidad) AS n FROM ventas_enriquecidas WHERE ${where.join(" AND ")} GROUP BY categoria ORDER BY categoria`,
              params,
            ).map((r) => [r.categoria, r.n]),
          );
          const body = store.summary(params).body;
          expect(body, `${label(q)} ${ciudad}`).toBe(JSON.stringify(expected));
        }
      }
    } finally {
      store.close();
    }
  });
});
