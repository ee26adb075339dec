import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type FileContent = string | Buffer;

export interface Dataset {
  productos?: FileContent | null;
  clientes?: FileContent | null;
  ventas?: FileContent | null;
  inventario?: FileContent | null;
}

/** Small valid files; a test overrides the one it is about (null leaves a file out). */
export const DEFAULT_FILES: Required<Record<keyof Dataset, string>> = {
  productos:
    "producto_id,nombre,categoria,precio\nprod001,Laptop,Electrónicos,1299.00\nprod002,Camisa,Ropa,15.99\n",
  clientes: "cliente_id,nombre,ciudad\nC_1,Ana,Medellín\nC_2,Luis,Bogotá\n",
  ventas:
    "venta_id,fecha,producto_id,cliente_id,cantidad,precio_unitario\nV001,2024-01-05,prod001,C_1,2,1299.00\nV002,2024-01-06,prod002,C_2,3,15.99\n",
  inventario: "producto_id,fecha,stock\nprod001,2024-01-05,10\nprod002,2024-01-05,20\n",
};

/** Writes the four input files into `dir` (created if needed) and returns it. */
export function writeDataset(dir: string, files: Dataset = {}): string {
  mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(DEFAULT_FILES) as (keyof Dataset)[]) {
    const content = name in files ? files[name] : DEFAULT_FILES[name];
    if (content !== null && content !== undefined) writeFileSync(join(dir, `${name}.csv`), content);
  }
  return dir;
}
