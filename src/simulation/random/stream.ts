/**
 * The scenario stream of a run (contract `simulation.md`, "Scenarios and results"): ONE
 * random source seeded by the seed, from which scenario 1, 2, …, N draw every variable in
 * declaration order. It is consumed by the single producer, in order, so the values of a
 * scenario depend only on the seed, the variables and its id — never on how scenarios are
 * later batched or split among workers or consumers, nor on the batch sizes asked of the
 * stream (a batch of 1000 gives the same values as 1000 batches of 1).
 *
 * Batches are row-major: scenario i of a batch has variable j at `i·width + j`, so a batch
 * of many scenarios is one `Float64Array` with no per-scenario allocation.
 */

import type { VariableSpec } from "../types.js";
import { type Sampler, variableSampler } from "./distributions.js";
import { RandomSource } from "./source.js";

export interface ScenarioBatch {
  /** `escenario_id` of the batch's first scenario; the others follow consecutively. */
  firstId: number;
  /** How many scenarios. */
  count: number;
  /** count × width values, row-major, in the variables' declaration order. */
  values: Float64Array;
}

export class ScenarioStream {
  /** Values per scenario: the number of variables. */
  readonly width: number;
  private readonly source: RandomSource;
  private readonly samplers: Sampler[];
  private id = 1;

  /** Throws a `RangeError` for a variable that cannot be drawn, or a seed that is not a safe integer. */
  constructor(
    readonly variables: readonly VariableSpec[],
    readonly seed: number,
  ) {
    this.samplers = variables.map(variableSampler);
    this.width = variables.length;
    this.source = new RandomSource(seed);
  }

  /** `escenario_id` of the next scenario to be drawn (1 before the first). */
  get nextId(): number {
    return this.id;
  }

  /**
   * Draws the next `count` scenarios into `out`, from `out[offset]` on, row-major. `count`
   * defaults to as many whole scenarios as fit after `offset`. Returns the first one's id.
   */
  fill(out: Float64Array, count?: number, offset = 0): number {
    const width = this.width;
    const n = count ?? (width === 0 ? 0 : Math.floor((out.length - offset) / width));
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(offset) || offset < 0) {
      throw new RangeError(`bad count ${count} or offset ${offset}`);
    }
    if (offset + n * width > out.length) {
      throw new RangeError(`${n} scenarios of ${width} values do not fit from offset ${offset}`);
    }
    const first = this.id;
    const source = this.source;
    const samplers = this.samplers;
    let k = offset;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < width; j++) out[k++] = (samplers[j] as Sampler)(source);
    }
    this.id += n;
    return first;
  }

  /** Draws the next `count` scenarios into a new array. */
  batch(count: number): ScenarioBatch {
    const values = new Float64Array(count * this.width);
    const firstId = this.fill(values, count);
    return { firstId, count, values };
  }

  /** Draws the next scenario (into `into` when given, else a new array). */
  next(into?: Float64Array): Float64Array {
    const out = into ?? new Float64Array(this.width);
    this.fill(out, 1);
    return out;
  }
}

/** The stream of scenarios 1, 2, … of a run with these variables and this seed. */
export function createScenarioStream(
  variables: readonly VariableSpec[],
  seed: number,
): ScenarioStream {
  return new ScenarioStream(variables, seed);
}
