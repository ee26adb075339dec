// Known clients with a sale in the 90 days up to the as-of day (AS_OF, default today):
// sales dated after it and client ids not in `clientes` do not count.
import { addDays, asOfDay } from "./_db.js";

const DIAS = 90;

export default {
  description: `Known clients with a sale in the ${DIAS} days up to AS_OF (default today), by amount`,
  consumes: ["ventas", "clientes"],
  produces: ["clientes_activos"],
  run({ ventas, clientes }, ctx) {
    const hasta = asOfDay(ctx);
    const desde = addDays(hasta, -(DIAS - 1));
    const porId = new Map(clientes.map((c) => [c.cliente_id, c]));
    const activos = new Map();
    for (const venta of ventas) {
      if (venta.fecha < desde || venta.fecha > hasta) continue;
      const cliente = porId.get(venta.cliente_id);
      if (!cliente) continue;
      let fila = activos.get(venta.cliente_id);
      if (!fila) {
        fila = {
          cliente_id: venta.cliente_id,
          nombre: cliente.nombre,
          ciudad: cliente.ciudad,
          compras: 0,
          importe: 0,
          ultima_compra: venta.fecha,
        };
        activos.set(venta.cliente_id, fila);
      }
      fila.compras += 1;
      fila.importe += venta.importe;
      if (venta.fecha > fila.ultima_compra) fila.ultima_compra = venta.fecha;
    }
    const clientes_activos = [...activos.values()]
      .map((fila) => ({ ...fila, importe: Math.round(fila.importe * 100) / 100 }))
      .sort((a, b) => b.importe - a.importe || a.cliente_id - b.cliente_id);
    ctx.log.info(`${clientes_activos.length} active clients between ${desde} and ${hasta}`);
    return { clientes_activos };
  },
};
