/**
 * `resultados.parquet` (contract `simulation.md`, "Scenarios and results"): one row per
 * scenario in `escenario_id` order, written in row groups of `ROW_GROUP` rows straight from
 * the spill file (outputs, consumer) and the seeded stream drawn again (variables), so memory
 * holds one row group at a time whatever N is.
 *
 * Columns and types:
 * - `escenario_id` INT64, required.
 * - each variable, in the model's order: INT64 for an `int` variable, DOUBLE for a `float`
 *   one; required.
 * - each output (`resultado` for a model returning a number): DOUBLE, null where the
 *   scenario failed (its error is in `resumen.json`).
 * - `consumidor` UTF8: the worker thread (`worker-N`) or RabbitMQ consumer that evaluated it.
 */
import { rename, rm } from "node:fs/promises";
import type { SchemaElement } from "hyparquet";
import { type ColumnSource, fileWriter, ParquetWriter } from "hyparquet-writer";
import { tapedStream } from "../random/index.js";
import type { VariableSpec } from "../types.js";
import type { ResultSpill } from "./spill.js";

/**
 * Doubles drawn from continuous distributions, and the outputs computed from them, hardly
 * repeat and hardly compress: written plain and uncompressed, the writer skips trying a
 * dictionary and Snappy on them (a `float` binomial, Poisson or constant keeps them).
 */
const RAW_DOUBLES = { encoding: "PLAIN", codec: "UNCOMPRESSED" } as const;

/** Rows per row group. */
export const ROW_GROUP = 100_000;

const utf8 = (name: string): SchemaElement => ({
  name,
  type: "BYTE_ARRAY",
  converted_type: "UTF8",
  logical_type: { type: "STRING" },
  repetition_type: "REQUIRED",
});

/**
 * A BigInt64Array of whole numbers (|x| < 2^53) written through its 32-bit words, without
 * a BigInt per value (little-endian, as every platform Node runs on).
 */
function int64s(count: number, value: (i: number) => number): BigInt64Array {
  const out = new BigInt64Array(count);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < count; i++) {
    const x = value(i);
    const hi = Math.floor(x / 4294967296);
    words[2 * i] = (x - hi * 4294967296) >>> 0;
    words[2 * i + 1] = hi >>> 0;
  }
  return out;
}

/** The file's schema. */
export function resultsSchema(
  variables: readonly VariableSpec[],
  outputs: readonly string[],
): SchemaElement[] {
  const columns: SchemaElement[] = [
    { name: "escenario_id", type: "INT64", repetition_type: "REQUIRED" },
    ...variables.map(
      (variable): SchemaElement => ({
        name: variable.name,
        type: variable.type === "int" ? "INT64" : "DOUBLE",
        repetition_type: "REQUIRED",
      }),
    ),
    ...outputs.map(
      (name): SchemaElement => ({ name, type: "DOUBLE", repetition_type: "OPTIONAL" }),
    ),
    utf8("consumidor"),
  ];
  return [{ name: "root", num_children: columns.length }, ...columns];
}

/**
 * Writes `path` (under a temporary name in the same folder, renamed at the end; removed
 * on failure) from the spill file and the variables drawn again with `seed`.
 */
export async function writeResultsParquet(
  path: string,
  spill: ResultSpill,
  variables: readonly VariableSpec[],
  seed: number,
  consumers: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  const temp = `${path}.tmp`;
  try {
    const writer = fileWriter(temp);
    const parquet = new ParquetWriter({
      writer,
      schema: resultsSchema(variables, spill.outputs),
      codec: "SNAPPY",
      // Min/max statistics of every column chunk were more than half the writing time (10M
      // rows: 7.8 s); only escenario_id's, which lets readers skip row groups by id, are kept.
      statistics: false,
      createdBy: "empresa-etl simulation (hyparquet-writer)",
    });
    const stream = tapedStream(variables, seed);
    const width = variables.length;
    const record = spill.record;
    const drawn = new Float64Array(ROW_GROUP * width);
    const records = new Float64Array(ROW_GROUP * record);
    for (let first = 1; first <= spill.scenarios; first += ROW_GROUP) {
      signal?.throwIfAborted();
      const count = Math.min(ROW_GROUP, spill.scenarios - first + 1);
      stream.fill(drawn, count);
      spill.read(first, count, records.subarray(0, count * record));
      const ids = int64s(count, (i) => first + i);
      const columnData: ColumnSource[] = [
        { name: "escenario_id", data: ids, statistics: true, encoding: "DELTA_BINARY_PACKED" },
      ];
      variables.forEach((variable, j) => {
        if (variable.type === "int") {
          const data = int64s(count, (i) => Math.round(drawn[i * width + j] as number));
          columnData.push({ name: variable.name, data });
        } else {
          const data = new Float64Array(count);
          for (let i = 0; i < count; i++) data[i] = drawn[i * width + j] as number;
          const continuous = !["binomial", "poisson", "constant"].includes(variable.distribution);
          columnData.push({ name: variable.name, data, ...(continuous ? RAW_DOUBLES : {}) });
        }
      });
      spill.outputs.forEach((name, o) => {
        const data = new Float64Array(count);
        let failed = false;
        for (let i = 0; i < count; i++) {
          const x = records[i * record + o] as number;
          data[i] = x;
          if (!Number.isFinite(x)) failed = true;
        }
        columnData.push({
          name,
          data: failed ? Array.from(data, (x) => (Number.isFinite(x) ? x : null)) : data,
          ...RAW_DOUBLES,
        });
      });
      const names = new Array<string>(count);
      for (let i = 0; i < count; i++)
        names[i] = consumers[records[i * record + record - 1] as number] ?? "";
      columnData.push({ name: "consumidor", data: names });
      await parquet.write({ columnData, rowGroupSize: count });
      // Let a cancellation (and the dashboard's events) through between row groups.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await parquet.finish();
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
