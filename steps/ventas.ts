import { defineStep } from "../src/pipeline/define.js";
import { openSalesDb } from "./_db.js";

/** A sale with its product's category and its client's city (the view `ventas_enriquecidas`). */
export interface Venta {
  venta_id: number;
  fecha: string;
  producto_id: number;
  cliente_id: number;
  cantidad: number;
  precio_unitario: number;
  importe: number;
  categoria: string | null;
  ciudad: string;
}

export default defineStep({
  description: "Every sale with its category and city, read from ventas_enriquecidas",
  consumes: [],
  produces: ["ventas"],
  run(_inputs, ctx) {
    const { db, path } = openSalesDb(ctx);
    try {
      const ventas = db
        .prepare(
          `SELECT venta_id, fecha, producto_id, cliente_id, cantidad, precio_unitario, importe,
                  categoria, ciudad
           FROM ventas_enriquecidas ORDER BY fecha, venta_id`,
        )
        .all() as Venta[];
      ctx.log.info(`${ventas.length} sales read from ${path}`);
      return { ventas };
    } finally {
      db.close();
    }
  },
});
