// Clients with a sale in the 90 days up to the latest sale in the data.
const DIAS = 90;
const DAY_MS = 86_400_000;

export default {
  description: `Clients with a sale in the last ${DIAS} days of the data, by amount`,
  consumes: ["ventas", "clientes"],
  produces: ["clientes_activos"],
  run({ ventas, clientes }, ctx) {
    if (ventas.length === 0) return { clientes_activos: [] };
    const ultima = ventas
      .map((v) => v.fecha)
      .sort()
      .at(-1);
    const desde = new Date(Date.parse(ultima) - (DIAS - 1) * DAY_MS).toISOString().slice(0, 10);
    const porId = new Map(clientes.map((c) => [c.cliente_id, c]));
    const activos = new Map();
    for (const venta of ventas) {
      if (venta.fecha < desde) continue;
      let fila = activos.get(venta.cliente_id);
      if (!fila) {
        const cliente = porId.get(venta.cliente_id);
        fila = {
          cliente_id: venta.cliente_id,
          nombre: cliente?.nombre ?? null,
          ciudad: cliente?.ciudad ?? null,
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
    ctx.log.info(`${clientes_activos.length} active clients between ${desde} and ${ultima}`);
    return { clientes_activos };
  },
};
