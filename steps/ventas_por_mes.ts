import { defineStep } from "../src/pipeline/define.js";
import type { Venta } from "./ventas.js";

/** One month of sales. */
export interface VentasMes {
  mes: string; // YYYY-MM
  ventas: number;
  unidades: number;
  importe: number;
  ticket_medio: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export default defineStep({
  description: "Sales, units and amount per month",
  consumes: ["ventas"],
  produces: ["ventas_por_mes"],
  run({ ventas }: { ventas: Venta[] }, ctx) {
    const meses = new Map<string, VentasMes>();
    ventas.forEach((venta, i) => {
      const mes = venta.fecha.slice(0, 7);
      const fila = meses.get(mes) ?? { mes, ventas: 0, unidades: 0, importe: 0, ticket_medio: 0 };
      meses.set(mes, fila);
      fila.ventas += 1;
      fila.unidades += venta.cantidad;
      fila.importe += venta.importe;
      if (i % 1000 === 0) ctx.progress(i, ventas.length);
    });
    const ventas_por_mes = [...meses.values()]
      .sort((a, b) => a.mes.localeCompare(b.mes))
      .map((fila) => ({
        ...fila,
        importe: round2(fila.importe),
        ticket_medio: round2(fila.importe / fila.ventas),
      }));
    return { ventas_por_mes };
  },
});
