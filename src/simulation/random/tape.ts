/**
 * Scenario tapes: how a run's ONE stream is drawn by many evaluators at once.
 *
 * Drawing a variable is two kinds of work (`DrawStages` in `distributions.ts`): consuming
 * the generator's outputs with the distribution's accept/reject decisions, which must
 * follow the one seeded stream in order, and computing the value from what was consumed
 * (logarithms, exponentials, square roots, searches), which need not. The producer runs
 * the first stage for every variable of every scenario, in id order, from the stream
 * seeded by the seed, and writes what it yields into a batch's *tape*: a few doubles per
 * variable. An evaluator runs the second stage on the tape (`replayTape`) and gets exactly
 * the values `createScenarioStream(variables, seed)` draws for those scenarios — the
 * stages compose to the samplers, value for value.
 */
import type { VariableSpec } from "../types.js";
import { type DrawStages, variableStages } from "./distributions.js";
import { RandomSource } from "./source.js";

/** Scenarios `firstId … firstId+count−1` as the producer recorded them. */
export interface ScenarioTape {
  firstId: number;
  count: number;
  /** `count × tapeWidth(variables)` doubles: each scenario's first-stage output, variable by variable. */
  parts: Float64Array;
}

/** Doubles a tape holds per scenario for these variables. */
export function tapeWidth(variables: readonly VariableSpec[]): number {
  return variables.map(variableStages).reduce((sum, stages) => sum + stages.slots, 0);
}

type Recorder = (source: RandomSource, parts: Float64Array, count: number) => void;
type Finisher = (parts: Float64Array, values: Float64Array, count: number) => void;

/**
 * The loops over a batch's scenarios, unrolled over the variables: one call site per
 * variable, so that each calls one stage function and V8 can inline it (a loop over the
 * variables would call every stage from one site, and inline none). The generated code
 * holds only indices and slot counts; the stage functions come in as arguments.
 */
function unrolled(stages: readonly DrawStages[]): { record: Recorder; finish: Finisher } {
  const width = stages.reduce((sum, stage) => sum + stage.slots, 0);
  const names = stages.map((_, j) => `s${j}`);
  const header = names.map((name, j) => `const ${name} = S[${j}];`).join("\n");
  let offset = 0;
  const recordBody: string[] = [];
  const finishBody: string[] = [];
  stages.forEach((stage, j) => {
    if (stage.slots > 0) recordBody.push(`s${j}.record(source, parts, k + ${offset});`);
    finishBody.push(`values[v + ${j}] = s${j}.finish(parts, k + ${offset});`);
    offset += stage.slots;
  });
  const loop = (body: string[]) =>
    `for (let i = 0, k = 0, v = 0; i < count; i++, k += ${width}, v += ${stages.length}) {\n${body.join("\n")}\n}`;
  const make = new Function(
    "S",
    `${header}\nreturn [function record(source, parts, count) {\n${loop(recordBody)}\n}, function finish(parts, values, count) {\n${loop(finishBody)}\n}];`,
  ) as (stages: readonly DrawStages[]) => [Recorder, Finisher];
  const [record, finish] = make(stages);
  return { record, finish };
}

/** The producer's side: the stream of `variables` seeded by `seed`, recorded batch after batch. */
export class ScenarioTaper {
  private readonly source: RandomSource;
  private readonly record: Recorder;
  readonly width: number;
  private id = 1;
  /** Tapes handed back (`recycle`), whose buffers the next tapes reuse. */
  private readonly free: Float64Array[] = [];

  /** Throws a `RangeError` for a variable that cannot be drawn, or a seed that is not a safe integer. */
  constructor(
    readonly variables: readonly VariableSpec[],
    seed: number,
  ) {
    const stages = variables.map(variableStages);
    this.width = stages.reduce((sum, stage) => sum + stage.slots, 0);
    this.record = unrolled(stages).record;
    this.source = new RandomSource(seed);
  }

  /** `escenario_id` of the next scenario to be recorded. */
  get nextId(): number {
    return this.id;
  }

  /** The tape of the next `count` scenarios (in a recycled buffer when there is one). */
  tape(count: number): ScenarioTape {
    if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`bad count ${count}`);
    const size = count * this.width;
    const spare = this.free.pop();
    const parts = spare && spare.length >= size ? spare.subarray(0, size) : new Float64Array(size);
    this.record(this.source, parts, count);
    const firstId = this.id;
    this.id += count;
    return { firstId, count, parts };
  }

  /** Hands back a tape no longer needed: the next tapes reuse its buffer (a few are kept). */
  recycle(parts: Float64Array): void {
    if (this.free.length < 8 && parts.buffer instanceof ArrayBuffer && parts.buffer.byteLength > 0)
      this.free.push(new Float64Array(parts.buffer));
  }
}

/** The evaluator's side: the tapes of one model's variables turned into values. */
export class TapeReader {
  private readonly finish: Finisher;
  readonly width: number;

  constructor(readonly variables: readonly VariableSpec[]) {
    const stages = variables.map(variableStages);
    this.width = stages.reduce((sum, stage) => sum + stage.slots, 0);
    this.finish = unrolled(stages).finish;
  }

  /**
   * The values of the tape's scenarios, row-major (`count × variables`), into `out` when
   * given. Throws a `RangeError` when the tape's size does not fit its count.
   */
  values(tape: ScenarioTape, out?: Float64Array): Float64Array {
    const { count, parts } = tape;
    if (parts.length !== count * this.width)
      throw new RangeError(
        `a tape of ${parts.length} doubles for ${count} scenarios of ${this.width} doubles each`,
      );
    const values = out ?? new Float64Array(count * this.variables.length);
    this.finish(parts, values, count);
    return values;
  }
}

/**
 * The stream's values drawn through tapes in this one thread (`fill(out, count)` as
 * `ScenarioStream.fill`, same values): the unrolled stages are cheaper than the stream's
 * per-variable samplers, so the summary and the Parquet writer draw the variables' columns
 * again this way.
 */
export function tapedStream(
  variables: readonly VariableSpec[],
  seed: number,
): { fill(out: Float64Array, count: number): void } {
  const taper = new ScenarioTaper(variables, seed);
  const reader = new TapeReader(variables);
  const width = variables.length;
  return {
    fill(out, count) {
      const tape = taper.tape(count);
      reader.values(tape, out.subarray(0, count * width));
      taper.recycle(tape.parts);
    },
  };
}
