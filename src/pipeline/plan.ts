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

const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(", ");
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
  const producers = new Map<string, S[]>();
  for (const step of byName.values())
    for (const dataset of step.produces) {
      const list = producers.get(dataset);
      if (list) list.push(step);
      else producers.set(dataset, [step]);
    }
  const producerOf = new Map<string, S>();
  for (const [dataset, list] of producers) {
    if (list.length > 1)
      problems.push(
        `dataset "${dataset}" is produced by ${list.length} steps: ${list.map(named).join(" and ")}`,
      );
    producerOf.set(dataset, list[0] as S);
  }
  const orphans = new Map<string, string[]>();
  for (const step of byName.values())
    for (const dataset of step.consumes)
      if (!producers.has(dataset)) {
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
 * Tarjan's algorithm, iterative, so deep chains do not overflow the stack.
 */
function findCycles(steps: Map<string, PlanStep>, producerOf: Map<string, PlanStep>): string[][] {
  const names = [...steps.keys()].sort();
  const consumersOf = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const name of names)
    for (const dataset of (steps.get(name) as PlanStep).consumes) {
      const producer = producerOf.get(dataset);
      if (producer) consumersOf.get(producer.name)?.push(name);
    }
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of names) {
    if (order.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    order.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; next: number };
      const edges = consumersOf.get(frame.node) as string[];
      if (frame.next < edges.length) {
        const to = edges[frame.next++] as string;
        if (!order.has(to)) {
          order.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to))
          low.set(frame.node, Math.min(low.get(frame.node) as number, order.get(to) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent)
        low.set(
          parent.node,
          Math.min(low.get(parent.node) as number, low.get(frame.node) as number),
        );
      if (low.get(frame.node) === order.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = (consumersOf.get(frame.node) as string[]).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components
    .map((component) => cycleIn(new Set(component), consumersOf))
    .sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** A shortest cycle through the component's first step (breadth-first). */
function cycleIn(component: Set<string>, consumersOf: Map<string, string[]>): string[] {
  const start = [...component].sort()[0] as string;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as string;
    for (const to of [...(consumersOf.get(node) ?? [])].sort()) {
      if (!component.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at) as string) path.splice(1, 0, at);
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
      const after =
        mode === "run"
          ? [...new Set(consumes.map((d) => (index.producerOf.get(d) as S).name))]
          : [];
      entries.push({ step: frame.step, mode, after });
    }
  }
  return { entries, problems: [] };
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] as number;
}

/** `unknown step "ventas_por_mez"; did you mean "ventas_por_mes"?` */
export function unknownStep(name: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))
    ? `unknown step "${name}"; did you mean "${best}"?`
    : `unknown step "${name}" (see \`npm run pipeline -- list\`)`;
}
