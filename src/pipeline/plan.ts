import { suggest } from "../suggest.js";

/** The smallest shape the planner needs of a step (the runner's steps have more). */
export interface PlanStep {
  name: string;
  consumes: readonly string[];
  produces: readonly string[];
  file?: string;
}

/** The steps by name and the producer of each dataset, once checked. */
export interface StepIndex<S extends PlanStep = PlanStep> {
  steps: Map<string, S>;
  producerOf: Map<string, S>;
}

/** `"a", "b"` */
export const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(", ");
const named = (step: PlanStep): string =>
  step.file ? `"${step.name}" (${step.file})` : `"${step.name}"`;

/**
 * Checks a set of steps as a whole and indexes them. Every problem is listed, each naming
 * what is wrong: a step name used twice, a dataset produced by two steps, a dataset
 * consumed but produced by no step, a cycle (its path, `a → b → a`).
 */
export function indexSteps<S extends PlanStep>(
  steps: readonly S[],
): { index: StepIndex<S>; problems: string[] } {
  const problems: string[] = [];
  const byName = new Map<string, S>();
  for (const step of steps) {
    const other = byName.get(step.name);
    if (other)
      problems.push(`step "${step.name}" is defined twice: ${other.file} and ${step.file}`);
    else byName.set(step.name, step);
  }
  const producerOf = new Map<string, S>();
  const twice = new Map<string, S[]>();
  for (const step of byName.values())
    for (const dataset of step.produces) {
      const first = producerOf.get(dataset);
      if (first === undefined) producerOf.set(dataset, step);
      else twice.set(dataset, [...(twice.get(dataset) ?? [first]), step]);
    }
  for (const [dataset, list] of twice)
    problems.push(
      `dataset "${dataset}" is produced by ${list.length} steps: ${list.map(named).join(" and ")}`,
    );
  const orphans = new Map<string, string[]>();
  for (const step of byName.values())
    for (const dataset of step.consumes)
      if (!producerOf.has(dataset)) {
        const list = orphans.get(dataset);
        if (list) list.push(step.name);
        else orphans.set(dataset, [step.name]);
      }
  for (const [dataset, consumers] of orphans)
    problems.push(`no step produces "${dataset}" (consumed by ${quoted(consumers)})`);
  for (const cycle of findCycles(byName, producerOf)) problems.push(`cycle: ${cycle.join(" → ")}`);
  return { index: { steps: byName, producerOf }, problems };
}

/**
 * One cycle per strongly connected component of the step graph (edges from producer to
 * consumer), each as a path that starts and ends at its alphabetically first step.
 * Tarjan's algorithm, iterative and over integer arrays: deep chains do not overflow the
 * stack and 10,000 steps take milliseconds.
 */
function findCycles(steps: Map<string, PlanStep>, producerOf: Map<string, PlanStep>): string[][] {
  const names = [...steps.keys()].sort();
  const n = names.length;
  const id = new Map<string, number>();
  for (let i = 0; i < n; i++) id.set(names[i] as string, i);
  // Edges producer → consumer, in compressed rows: the consumers of i are
  // targets[first[i]] … targets[first[i + 1] - 1], in name order.
  const first = new Int32Array(n + 1);
  const pairs: number[] = [];
  for (let to = 0; to < n; to++)
    for (const dataset of (steps.get(names[to] as string) as PlanStep).consumes) {
      const producer = producerOf.get(dataset);
      if (producer === undefined) continue;
      const from = id.get(producer.name) as number;
      pairs.push(from, to);
      first[from + 1] = (first[from + 1] as number) + 1;
    }
  for (let i = 0; i < n; i++) first[i + 1] = (first[i + 1] as number) + (first[i] as number);
  const targets = new Int32Array(pairs.length / 2);
  const fill = first.slice(0, n);
  for (let k = 0; k < pairs.length; k += 2) {
    const from = pairs[k] as number;
    targets[(fill[from] as number)++] = pairs[k + 1] as number;
  }
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const frames = new Int32Array(n);
  const next = new Int32Array(n);
  let stackTop = 0;
  let counter = 0;
  const components: number[][] = [];
  for (let root = 0; root < n; root++) {
    if (order[root] !== -1) continue;
    let depth = 0;
    frames[0] = root;
    next[root] = first[root] as number;
    order[root] = low[root] = counter++;
    stack[stackTop++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const node = frames[depth] as number;
      if ((next[node] as number) < (first[node + 1] as number)) {
        const to = targets[(next[node] as number)++] as number;
        if (order[to] === -1) {
          order[to] = low[to] = counter++;
          stack[stackTop++] = to;
          onStack[to] = 1;
          next[to] = first[to] as number;
          frames[++depth] = to;
        } else if (onStack[to]) low[node] = Math.min(low[node] as number, order[to] as number);
        continue;
      }
      depth--;
      if (depth >= 0) {
        const parent = frames[depth] as number;
        low[parent] = Math.min(low[parent] as number, low[node] as number);
      }
      if (low[node] !== order[node]) continue;
      const component: number[] = [];
      let member: number;
      do {
        member = stack[--stackTop] as number;
        onStack[member] = 0;
        component.push(member);
      } while (member !== node);
      let selfLoop = false;
      for (let k = first[node] as number; k < (first[node + 1] as number); k++)
        if (targets[k] === node) selfLoop = true;
      if (component.length > 1 || selfLoop) components.push(component);
    }
  }
  return components
    .map((component) => cycleIn(component, first, targets).map((i) => names[i] as string))
    .sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** A shortest cycle through the component's first step (breadth-first, in name order). */
function cycleIn(component: number[], first: Int32Array, targets: Int32Array): number[] {
  const members = new Set(component);
  const start = Math.min(...component);
  const cameFrom = new Map<number, number>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as number;
    for (let k = first[node] as number; k < (first[node + 1] as number); k++) {
      const to = targets[k] as number;
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at) as number) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}

/** How a step takes part in a run. */
export type PlanMode =
  /** It runs. */
  | "run"
  /** Its outputs are in memory: not run. */
  | "reuse"
  /** Another run is producing its outputs right now: this run waits for that one. */
  | "join";

export interface PlanEntry<S extends PlanStep = PlanStep> {
  step: S;
  mode: PlanMode;
  /** The steps of this plan whose outputs it consumes. */
  after: string[];
}

export interface PlanOptions {
  force?: boolean;
  /** Whether a dataset is in memory. */
  inMemory(dataset: string): boolean;
  /** Whether another run is producing this step's outputs right now. */
  inFlight?(step: string): boolean;
}

/**
 * The plan of a run of `targets`: the targets, and transitively the producers of every
 * dataset a running step consumes. A target always runs; a producer whose outputs are
 * all in memory is reused (not with `force`); a step another run is running is joined.
 * Entries come producers first. Unknown targets are a problem each, with a suggestion.
 *
 * @example
 * const { index } = indexSteps(steps);
 * const plan = planRun(index, ["informe_mensual"], { inMemory: (d) => store.has(d) });
 */
export function planRun<S extends PlanStep>(
  index: StepIndex<S>,
  targets: readonly string[],
  options: PlanOptions,
): { entries: PlanEntry<S>[]; problems: string[] } {
  const problems = targets
    .filter((target) => !index.steps.has(target))
    .map((target) => unknownStep(target, [...index.steps.keys()]));
  if (problems.length > 0) return { entries: [], problems };
  const targetSet = new Set(targets);
  const modeOf = (step: S): PlanMode => {
    if (options.inFlight?.(step.name)) return "join";
    if (targetSet.has(step.name) || options.force) return "run";
    return step.produces.every((d) => options.inMemory(d)) ? "reuse" : "run";
  };
  const modes = new Map<string, PlanMode>();
  const queue: S[] = [];
  for (const target of targetSet) {
    const step = index.steps.get(target) as S;
    modes.set(target, modeOf(step));
    queue.push(step);
  }
  for (let i = 0; i < queue.length; i++) {
    const step = queue[i] as S;
    if (modes.get(step.name) !== "run") continue;
    for (const dataset of step.consumes) {
      const producer = index.producerOf.get(dataset) as S;
      if (modes.has(producer.name)) continue;
      modes.set(producer.name, modeOf(producer));
      queue.push(producer);
    }
  }
  // Producers first: a depth-first post-order from the targets (iterative).
  const entries: PlanEntry<S>[] = [];
  const placed = new Set<string>();
  for (const target of targetSet) {
    const work: { step: S; next: number }[] = [{ step: index.steps.get(target) as S, next: 0 }];
    if (placed.has(target)) continue;
    placed.add(target);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { step: S; next: number };
      const mode = modes.get(frame.step.name) as PlanMode;
      const consumes = mode === "run" ? frame.step.consumes : [];
      if (frame.next < consumes.length) {
        const producer = index.producerOf.get(consumes[frame.next++] as string) as S;
        if (!placed.has(producer.name)) {
          placed.add(producer.name);
          work.push({ step: producer, next: 0 });
        }
        continue;
      }
      work.pop();
      const producers = consumes.map((d) => (index.producerOf.get(d) as S).name);
      const after = producers.length > 1 ? [...new Set(producers)] : producers;
      entries.push({ step: frame.step, mode, after });
    }
  }
  return { entries, problems: [] };
}

/** `unknown step "ventas_por_mez"; did you mean "ventas_por_mes"?` */
export function unknownStep(name: string, known: string[]): string {
  const best = suggest(name, known);
  return best !== undefined
    ? `unknown step "${name}"; did you mean "${best}"?`
    : `unknown step "${name}" (see \`npm run pipeline -- list\`)`;
}
