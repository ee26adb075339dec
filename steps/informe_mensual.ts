import { defineStep } from "../src/pipeline/define.js";
import { asOfDay, completeMonths } from "./_db.js";
import type { VentasMes } from "./ventas_por_mes.js";

interface ClienteActivo {
  cliente_id: number;
  nombre: string | null;
  ciudad: string | null;
  compras: number;
  importe: number;
  ultima_compra: string;
}

/** One line of the report. */
export interface Indicador {
  indicador: string;
  valor: string | number | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export default defineStep({
  description:
    "The last complete month up to AS_OF (default today) against the one before, and the active clients",
  consumes: ["ventas_por_mes", "clientes_activos"],
  produces: ["informe_mensual"],
  run(
    {
      ventas_por_mes,
      clientes_activos,
    }: { ventas_por_mes: VentasMes[]; clientes_activos: ClienteActivo[] },
    ctx,
  ) {
    // The last month complete on the as-of day, not the latest sale's month: that one may
    // be partial, or in the future (dates are as the files say).
    const asOf = asOfDay(ctx);
    const meses = completeMonths(asOf);
    const porMes = new Map(ventas_por_mes.map((fila) => [fila.mes, fila]));
    const vacio = (mes: string): VentasMes => ({
      mes,
      ventas: 0,
      unidades: 0,
      importe: 0,
      ticket_medio: 0,
    });
    const actual = porMes.get(meses.mes) ?? vacio(meses.mes);
    const anterior = porMes.get(meses.anterior) ?? vacio(meses.anterior);
    const importeActivos = clientes_activos.reduce((sum, c) => sum + c.importe, 0);
    const mejor = clientes_activos[0];
    const informe_mensual: Indicador[] = [
      { indicador: "mes", valor: actual.mes },
      { indicador: "ventas", valor: actual.ventas },
      { indicador: "unidades", valor: actual.unidades },
      { indicador: "importe", valor: actual.importe },
      { indicador: "ticket_medio", valor: actual.ventas ? actual.ticket_medio : null },
      {
        indicador: "variacion_importe_pct",
        valor:
          anterior.importe !== 0
            ? round2((100 * (actual.importe - anterior.importe)) / anterior.importe)
            : null,
      },
      { indicador: "clientes_activos", valor: clientes_activos.length },
      { indicador: "importe_clientes_activos", valor: round2(importeActivos) },
      {
        indicador: "mejor_cliente",
        valor: mejor ? `${mejor.nombre ?? `cliente ${mejor.cliente_id}`} (${mejor.importe})` : null,
      },
    ];
    ctx.log.info(`report of ${actual.mes} (as of ${asOf}): ${actual.importe} in sales`);
    return { informe_mensual };
  },
});
