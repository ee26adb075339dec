import { defineStep } from "../src/pipeline/define.js";
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
  description: "The latest month against the one before, and the active clients",
  consumes: ["ventas_por_mes", "clientes_activos"],
  produces: ["informe_mensual"],
  run(
    {
      ventas_por_mes,
      clientes_activos,
    }: { ventas_por_mes: VentasMes[]; clientes_activos: ClienteActivo[] },
    ctx,
  ) {
    const actual = ventas_por_mes.at(-1);
    const anterior = ventas_por_mes.at(-2);
    const importeActivos = clientes_activos.reduce((sum, c) => sum + c.importe, 0);
    const mejor = clientes_activos[0];
    const informe_mensual: Indicador[] = [
      { indicador: "mes", valor: actual?.mes ?? null },
      { indicador: "ventas", valor: actual?.ventas ?? 0 },
      { indicador: "unidades", valor: actual?.unidades ?? 0 },
      { indicador: "importe", valor: actual?.importe ?? 0 },
      { indicador: "ticket_medio", valor: actual?.ticket_medio ?? null },
      {
        indicador: "variacion_importe_pct",
        valor:
          actual && anterior && anterior.importe !== 0
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
    ctx.log.info(`report of ${actual?.mes ?? "no month"}: ${actual?.importe ?? 0} in sales`);
    return { informe_mensual };
  },
});
