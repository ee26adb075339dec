import type { Value } from "../normalize/row.js";
import { columnIndexes, type TableName } from "../tables.js";

const PRODUCTO = columnIndexes("productos");
const CLIENTE = columnIndexes("clientes");
const VENTA = columnIndexes("ventas");

/** The city the view reports when a client is unknown or has none (contract section 4). */
export const UNKNOWN_CITY = "ciudad_desconocida";

export interface DailySummaryRow {
  /** YYYYMMDD */
  fecha: number;
  categoria: string | null;
  ciudad: string;
  ventas: number;
  unidades: number;
  importe_centavos: number;
}

/**
 * Sums the loaded sales per day, category and city while they stream past, with the same
 * joins as the view `ventas_enriquecidas` (unknown product: NULL category; unknown client
 * or no city: `ciudad_desconocida`). Doing it here costs one Map update per sale instead
 * of a 1.6 s GROUP BY over the whole table at commit (1M sales); a test checks that the
 * result equals the GROUP BY over the view.
 */
export class DailySummary {
  /** producto_id → index in `names` of its category (0 = NULL). */
  private readonly categoryOf = new Map<number, number>();
  /** cliente_id → index in `names` of its city. */
  private readonly cityOf = new Map<number, number>();
  private readonly names: (string | null)[] = [null, UNKNOWN_CITY];
  private readonly nameIndex = new Map<string, number>([[UNKNOWN_CITY, 1]]);
  /**
   * The groups of each day (YYYYMMDD, a small integer) by category × 8,192 + city, also a
   * small integer while there are at most 4,096 categories and 8,192 cities; beyond, a
   * string key. (One number for all three, `fecha × 2^25 + …`, is a double, which a Map
   * hashes so poorly that its lookups were 20 % of the reader thread.)
   */
  private readonly days = new Map<number, Map<number | string, DailySummaryRow>>();
  /** Every group in the order it first appeared (the rows' order). */
  private readonly order: DailySummaryRow[] = [];

  /** Takes a loaded row of any table, its values in the table spec's column order. */
  add(table: TableName, values: readonly Value[]): void {
    if (table === "productos")
      this.categoryOf.set(
        values[PRODUCTO.producto_id] as number,
        this.intern(values[PRODUCTO.categoria] as string),
      );
    else if (table === "clientes")
      this.cityOf.set(
        values[CLIENTE.cliente_id] as number,
        this.intern((values[CLIENTE.ciudad] as string | null) ?? UNKNOWN_CITY),
      );
    else if (table === "ventas") this.addSale(values);
  }

  private intern(name: string): number {
    let index = this.nameIndex.get(name);
    if (index === undefined) {
      index = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, index);
    }
    return index;
  }

  private addSale(values: readonly Value[]): void {
    const fecha = values[VENTA.fecha] as number;
    const category = this.categoryOf.get(values[VENTA.producto_id] as number) ?? 0;
    const city = this.cityOf.get(values[VENTA.cliente_id] as number) ?? 1;
    let groups = this.days.get(fecha);
    if (groups === undefined) {
      groups = new Map();
      this.days.set(fecha, groups);
    }
    const key =
      category < 4096 && city < 8192 ? category * 8192 + city : `${category}\u0000${city}`;
    let row = groups.get(key);
    if (!row) {
      row = {
        fecha,
        categoria: this.names[category] as string | null,
        ciudad: this.names[city] as string,
        ventas: 0,
        unidades: 0,
        importe_centavos: 0,
      };
      groups.set(key, row);
      this.order.push(row);
    }
    const cantidad = values[VENTA.cantidad] as number;
    row.ventas++;
    row.unidades += cantidad;
    row.importe_centavos += cantidad * (values[VENTA.precio_unitario] as number);
  }

  rows(): DailySummaryRow[] {
    return this.order;
  }
}
