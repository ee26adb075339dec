import type { PlanStep } from "./plan.js";
import type { Graph } from "./types.js";

export const GRAPH_FORMATS = ["text", "mermaid", "dot", "json"] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

const stepId = (name: string) => `step:${name}`;
const datasetId = (name: string) => `dataset:${name}`;

/**
 * The dependency graph of a set of steps: a node per step and per dataset, an edge from
 * each producing step to its dataset and from each dataset to each step that consumes it.
 */
export function buildGraph(steps: readonly PlanStep[]): Graph {
  const sorted = [...steps].sort((a, b) => a.name.localeCompare(b.name));
  const datasets = new Set<string>();
  const edges: Graph["edges"] = [];
  for (const step of sorted) {
    for (const d of step.consumes) {
      datasets.add(d);
      edges.push({ from: datasetId(d), to: stepId(step.name) });
    }
    for (const d of step.produces) {
      datasets.add(d);
      edges.push({ from: stepId(step.name), to: datasetId(d) });
    }
  }
  return {
    nodes: [
      ...sorted.map((s) => ({ id: stepId(s.name), kind: "step" as const, name: s.name })),
      ...[...datasets].sort().map((d) => ({ id: datasetId(d), kind: "dataset" as const, name: d })),
    ],
    edges,
  };
}

/**
 * Each step's level: 1 for steps that consume nothing produced here, else one more than
 * its deepest producer (steps in a cycle go last).
 */
export function stepLevels(steps: readonly PlanStep[]): Map<string, number> {
  const producer = new Map<string, string>();
  for (const step of steps) for (const d of step.produces) producer.set(d, step.name);
  const before = new Map<string, Set<string>>();
  const after = new Map<string, string[]>();
  for (const step of steps) {
    before.set(step.name, new Set());
    after.set(step.name, []);
  }
  for (const step of steps)
    for (const d of step.consumes) {
      const p = producer.get(d);
      if (p === undefined || before.get(step.name)?.has(p)) continue;
      before.get(step.name)?.add(p);
      after.get(p)?.push(step.name);
    }
  const levels = new Map<string, number>();
  const waiting = new Map([...before].map(([name, set]) => [name, set.size]));
  const ready = steps.filter((s) => waiting.get(s.name) === 0).map((s) => s.name);
  for (const name of ready) levels.set(name, 1);
  for (let i = 0; i < ready.length; i++) {
    const name = ready[i] as string;
    for (const next of after.get(name) ?? []) {
      levels.set(next, Math.max(levels.get(next) ?? 0, (levels.get(name) as number) + 1));
      const left = (waiting.get(next) as number) - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const last = Math.max(0, ...levels.values()) + 1;
  for (const step of steps) if (!levels.has(step.name)) levels.set(step.name, last);
  return levels;
}

const list = (names: readonly string[]) => (names.length > 0 ? names.join(", ") : "—");

/** The steps by level, each with what it consumes and produces. */
function asText(steps: readonly PlanStep[]): string {
  if (steps.length === 0) return "(no steps)\n";
  const levels = stepLevels(steps);
  const width = Math.max(...steps.map((s) => s.name.length));
  const lines: string[] = [];
  const depth = Math.max(...levels.values());
  for (let level = 1; level <= depth; level++) {
    const here = steps
      .filter((s) => levels.get(s.name) === level)
      .sort((a, b) => a.name.localeCompare(b.name));
    if (here.length === 0) continue;
    lines.push(`level ${level}`);
    for (const step of here)
      lines.push(`  ${step.name.padEnd(width)}  ${list(step.consumes)} → ${list(step.produces)}`);
  }
  return `${lines.join("\n")}\n`;
}

const escapeLabel = (text: string) => text.replace(/"/g, "#quot;");

function asMermaid(graph: Graph): string {
  const ids = new Map(
    graph.nodes.map((node, i) => [node.id, `${node.kind === "step" ? "s" : "d"}${i}`]),
  );
  const lines = ["flowchart LR"];
  for (const node of graph.nodes) {
    const id = ids.get(node.id);
    const label = escapeLabel(node.name);
    lines.push(
      node.kind === "step" ? `  ${id}["${label}"]:::step` : `  ${id}[("${label}")]:::dataset`,
    );
  }
  for (const edge of graph.edges) lines.push(`  ${ids.get(edge.from)} --> ${ids.get(edge.to)}`);
  lines.push("  classDef step fill:#dbeafe,stroke:#1d4ed8");
  lines.push("  classDef dataset fill:#f3f4f6,stroke:#6b7280");
  return `${lines.join("\n")}\n`;
}

const dotString = (text: string) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

function asDot(graph: Graph): string {
  const lines = ["digraph pipeline {", "  rankdir=LR;"];
  for (const node of graph.nodes)
    lines.push(
      `  ${dotString(node.id)} [label=${dotString(node.name)}, shape=${node.kind === "step" ? "box" : "cylinder"}];`,
    );
  for (const edge of graph.edges) lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** The graph in one of the formats of `pipeline graph --format`. */
export function formatGraph(steps: readonly PlanStep[], format: GraphFormat): string {
  const graph = buildGraph(steps);
  switch (format) {
    case "text":
      return asText(steps);
    case "mermaid":
      return asMermaid(graph);
    case "dot":
      return asDot(graph);
    case "json":
      return `${JSON.stringify(graph)}\n`;
  }
}
