/** Model variables and draws for the simulation tests. */
import type { DistributionName, VariableSpec } from "../../src/simulation/types.js";

/** A `[VARIABLES]` line as the parser gives it (line 1). */
export function spec(
  distribution: DistributionName,
  params: Record<string, number>,
  type: "float" | "int" = "float",
  name = "x",
): VariableSpec {
  return { name, type, distribution, params, line: 1 };
}

/** Whether two arrays hold the same doubles bit for bit (−0 ≠ 0; NaNs by payload). */
export function sameBits(a: Float64Array, b: Float64Array): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}
