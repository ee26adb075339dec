/** The fixed products and clients of the sample company (their IDs are 1..n). */

export interface Product {
  id: number;
  nombre: string;
  /** As the ETL will store it. */
  categoria: string;
  /** As written in the file (accents, case). */
  categoriaWritten: string;
  cents: number;
}

export const PRODUCTS: readonly Product[] = [
  {
    id: 1,
    nombre: "Laptop Pro 14",
    categoria: "Electronicos",
    categoriaWritten: "electrónicos",
    cents: 129900,
  },
  {
    id: 2,
    nombre: "Mouse inalámbrico",
    categoria: "Accesorios",
    categoriaWritten: "Accesorios",
    cents: 2550,
  },
  { id: 3, nombre: "Camiseta básica", categoria: "Ropa", categoriaWritten: "ropa", cents: 1599 },
  {
    id: 4,
    nombre: "Disco duro 1TB",
    categoria: "Almacenamiento",
    categoriaWritten: "ALMACENAMIENTO",
    cents: 5990,
  },
  {
    id: 5,
    nombre: 'Monitor 27"',
    categoria: "Electronicos",
    categoriaWritten: "Electrónicos",
    cents: 24900,
  },
  { id: 6, nombre: "Jeans clásicos", categoria: "Ropa", categoriaWritten: "ROPA", cents: 3995 },
  {
    id: 7,
    nombre: "Teclado mecánico",
    categoria: "Accesorios",
    categoriaWritten: "accesorios",
    cents: 7900,
  },
  {
    id: 8,
    nombre: "Memoria USB 64GB",
    categoria: "Almacenamiento",
    categoriaWritten: "almacenamiento",
    cents: 1250,
  },
  {
    id: 9,
    nombre: "Chaqueta, impermeable",
    categoria: "Ropa",
    categoriaWritten: "Ropa",
    cents: 8900,
  },
  {
    id: 10,
    nombre: "Audífonos\nBluetooth",
    categoria: "Electronicos",
    categoriaWritten: "ELECTRÓNICOS",
    cents: 5900,
  },
];

/** A product id that sales use but the product list lacks. */
export const UNKNOWN_PRODUCT = 11;

export interface Client {
  id: number;
  nombre: string;
  /** As written; empty means no city. */
  ciudad: string;
}

const CITIES = [
  "bogotá",
  "MEDELLÍN",
  "  cali ",
  "Barranquilla",
  "cartagena  de indias",
  "Bucaramanga",
  "pereira",
  "santa marta",
];
const NAMES = [
  "Ana Gómez",
  "Luis Pérez",
  "María Rodríguez",
  "Jorge Martínez",
  "Lucía Hernández",
  "Andrés López",
  "Sofía García",
  "Camilo Díaz",
  "Valentina Torres",
  "Mateo Ramírez",
  "Isabella Flórez",
  "Santiago Muñoz",
  "Daniela Castro",
  "Sebastián Ortiz",
  "Mariana Rojas",
  "Nicolás Vargas",
  "Gabriela Moreno",
  "Julián Jiménez",
  "Paula Suárez",
  "Tomás Peña",
];

export const CLIENTS: readonly Client[] = NAMES.map((nombre, i) => ({
  id: i + 1,
  nombre,
  ciudad: i % 9 === 8 ? "" : (CITIES[i % CITIES.length] as string),
}));

/** Client ids that sales use but the client list lacks. */
export const UNKNOWN_CLIENTS = [21, 22];
