/**
 * Scenario tapes (`src/simulation/random/tape.ts`): the producer records each variable's
 * first stage, the evaluators compute the values from the tape. The values must be the
 * stream's — `createScenarioStream(variables, seed)` — bit for bit, for every distribution
 * and type, whatever the batch sizes (a normal pair split across two batches, a spare left
 * pending at a batch's end), including the rare path where an inversion search starts
 * again.
 */
import { mersenne } from "pure-rand/generator/mersenne";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { describe, expect, it } from "vitest";
import {
  binomialSampler,
  binomialStages,
  createScenarioStream,
  poissonSampler,
  poissonStages,
  RandomSource,
  ScenarioTaper,
  TapeReader,
  tapeWidth,
  variableSampler,
  variableStages,
} from "../src/simulation/random/index.js";
import type { VariableSpec } from "../src/simulation/types.js";
import { sameBits, spec } from "./helpers/variables.js";

/** Every distribution, both types, the parameter regions that take different algorithms. */
const VARIABLES: VariableSpec[] = [
  spec("normal", { media: 3, std: 2 }),
  spec("normal", { media: -1.5, std: 4 }, "int"),
  spec("uniform", { min: -2, max: 7 }),
  spec("uniform", { min: -2.5, max: 7.5 }, "int"),
  spec("exponential", { lambda: 0.7 }),
  spec("exponential", { lambda: 0.05 }, "int"),
  spec("lognormal", { mu: 0.5, sigma: 0.8 }),
  spec("lognormal", { mu: 1, sigma: 0 }, "int"),
  spec("triangular", { left: 0, mode: 2, right: 10 }),
  spec("triangular", { left: 1, mode: 1, right: 1 }, "int"),
  spec("binomial", { n: 10, p: 0.5 }, "int"), // inversion
  spec("binomial", { n: 30, p: 0.9 }, "int"), // inversion, reflected
  spec("binomial", { n: 1000, p: 0.3 }, "int"), // BTRD
  spec("binomial", { n: 1000, p: 0.8 }, "float"), // BTRD, reflected
  spec("binomial", { n: 0, p: 0.4 }, "int"),
  spec("binomial", { n: 7, p: 1 }, "int"),
  spec("poisson", { lambda: 3.5 }, "int"), // inversion
  spec("poisson", { lambda: 250 }, "int"), // PTRS
  spec("constant", { valor: 2.5 }),
  spec("constant", { valor: -2.5 }, "int"),
];

describe("scenario tapes", () => {
  it("give the stream's values bit for bit: each distribution alone, any batch sizes", () => {
    for (const variable of VARIABLES) {
      const n = 5000;
      const expected = createScenarioStream([variable], 99).batch(n).values;
      const taper = new ScenarioTaper([variable], 99);
      const reader = new TapeReader([variable]);
      const got = new Float64Array(n);
      let at = 0;
      for (let size = 1; at < n; size = (size * 7 + 3) % 977) {
        const tape = taper.tape(Math.min(size, n - at));
        expect(tape.firstId).toBe(at + 1);
        got.set(reader.values(tape), at);
        at += tape.count;
      }
      expect(sameBits(got, expected), `${variable.distribution} ${variable.type}`).toBe(true);
    }
  });

  it("give the stream's values for every variable together: normals' spares pending across batches", () => {
    const variables = VARIABLES.map((v, i) => ({ ...v, name: `v${i}` }));
    const n = 20_000;
    const expected = createScenarioStream(variables, 7).batch(n).values;
    const taper = new ScenarioTaper(variables, 7);
    const reader = new TapeReader(variables);
    expect(taper.width).toBe(tapeWidth(variables));
    const parts: Float64Array[] = [];
    // Odd batch sizes: a lone normal per scenario leaves its spare pending every other batch.
    for (let at = 0, size = 1; at < n; at += size, size = (size % 613) + 2)
      parts.push(reader.values(taper.tape(Math.min(size, n - at))));
    const got = new Float64Array(n * variables.length);
    let at = 0;
    for (const part of parts) {
      got.set(part, at);
      at += part.length;
    }
    expect(sameBits(got, expected)).toBe(true);
    expect(taper.nextId).toBe(n + 1);
  });

  it("the contract's example model: the same values as the stream, and a lone normal's spare", () => {
    const example = [
      spec("normal", { media: 0, std: 1 }, "float", "x"),
      spec("uniform", { min: 0, max: 10 }, "float", "y"),
      spec("exponential", { lambda: 1.5 }, "float", "z"),
      spec("lognormal", { mu: 0, sigma: 1 }, "float", "w"),
      spec("triangular", { left: 0, mode: 5, right: 10 }, "float", "v"),
      spec("binomial", { n: 10, p: 0.5 }, "int", "n"),
    ];
    const expected = createScenarioStream(example, 42).batch(3001).values;
    const taper = new ScenarioTaper(example, 42);
    const reader = new TapeReader(example);
    const got = new Float64Array(3001 * 6);
    got.set(reader.values(taper.tape(1000)), 0);
    got.set(reader.values(taper.tape(2001)), 6000);
    expect(sameBits(got, expected)).toBe(true);
    // One normal variable: scenario 2 takes the spare of scenario 1's pair.
    const lone = [spec("normal", { media: 0, std: 1 })];
    const one = new ScenarioTaper(lone, 3);
    const values = [0, 1, 2].map(() => new TapeReader(lone).values(one.tape(1))[0]);
    const stream = createScenarioStream(lone, 3).batch(3).values;
    expect(values).toEqual([stream[0], stream[1], stream[2]]);
  });

  it("an inversion search that starts again (a uniform within 2^-30 of 1) takes the same outputs and gives the same value", () => {
    // Outputs of all ones first: the first uniform is 1 − 2^-53, the search from it runs
    // past the support and starts again with the next uniform.
    const rigged = (): RandomGenerator & { calls: number } => {
      const inner = mersenne(11);
      let i = 0;
      const generator = {
        calls: 0,
        next: () => {
          generator.calls++;
          return i++ < 2 ? -1 : inner.next();
        },
        clone: () => generator,
        getState: () => inner.getState(),
      };
      return generator;
    };
    let restarted = 0;
    for (const [sampler, stages] of [
      // These restart from 1 − 2^-53 (their summed pmf rounds below it); 10, ½ does not.
      [binomialSampler(10, 0.1), binomialStages(10, 0.1)],
      [binomialSampler(20, 0.55), binomialStages(20, 0.55)],
      [binomialSampler(10, 0.5), binomialStages(10, 0.5)],
      [poissonSampler(1.6), poissonStages(1.6)],
      [poissonSampler(0.5), poissonStages(0.5)],
    ] as const) {
      const a = rigged();
      const b = rigged();
      const direct = sampler(new RandomSource(0, a));
      const recorded = stages.record(new RandomSource(0, b));
      expect(stages.finish(recorded)).toBe(direct);
      expect(b.calls).toBe(a.calls);
      if (a.calls > 2) restarted++;
    }
    // Those that should did start again (else this test would not test it).
    expect(restarted).toBe(3);
  });

  it("each variable's stages compose to its sampler, consuming the same outputs", () => {
    for (const variable of VARIABLES) {
      const a = new RandomSource(5);
      const b = new RandomSource(5);
      const sampler = variableSampler(variable);
      const stages = variableStages(variable);
      const parts = new Float64Array(Math.max(1, stages.slots));
      for (let i = 0; i < 2001; i++) {
        const direct = sampler(a);
        stages.record(b, parts, 0);
        expect(Object.is(stages.finish(parts, 0), direct), `${variable.distribution} #${i}`).toBe(
          true,
        );
      }
      expect(b.uniform()).toBe(a.uniform());
    }
  });

  it("a search whose pmf underflows before n gives up at once (n = 10^15: it used to count to n)", () => {
    const p = 7.210000000000002e-16; // its summed pmf stops short of 1 − 2^-53
    const stages = binomialStages(1e15, p);
    const inner = mersenne(3);
    let i = 0;
    // The first uniform is 1 − 2^-53, above what the summed pmf reaches.
    const generator = {
      next: () => (i++ < 2 ? -1 : inner.next()),
      clone: () => generator,
      getState: () => inner.getState(),
    };
    const u = stages.record(new RandomSource(0, generator));
    expect(i).toBe(4); // it started again with the next uniform
    expect(stages.finish(u)).toBeGreaterThanOrEqual(0);
    expect(binomialSampler(1e15, p)(new RandomSource(3))).toBeGreaterThanOrEqual(0);
  });

  it("a tape value that no producer records (an inversion's uniform ≥ 1) is refused, not turned into a value", () => {
    const reader = new TapeReader([spec("binomial", { n: 10, p: 0.3 }, "int")]);
    expect(() => reader.values({ firstId: 1, count: 1, parts: Float64Array.of(1.5) })).toThrow(
      /does not end an inversion search/,
    );
    const poisson = new TapeReader([spec("poisson", { lambda: 2 }, "int")]);
    expect(() => poisson.values({ firstId: 1, count: 1, parts: Float64Array.of(7) })).toThrow(
      /does not end an inversion search/,
    );
  });

  it("a tape whose size does not fit its scenarios is refused", () => {
    const reader = new TapeReader([
      spec("normal", { media: 0, std: 1 }),
      spec("uniform", { min: 0, max: 1 }),
    ]);
    expect(reader.width).toBe(3);
    expect(() => reader.values({ firstId: 1, count: 10, parts: new Float64Array(29) })).toThrow(
      /a tape of 29 doubles for 10 scenarios of 3 doubles each/,
    );
  });
});
