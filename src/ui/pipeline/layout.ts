import dagre from "@dagrejs/dagre";
import type { GraphEdge, GraphLayout, GraphNode } from "../views/pipeline-model.js";

/** A step or dataset to place; `id` is unique across both kinds. */
export interface LayoutInput {
  nodes: { id: string; kind: "step" | "dataset"; name: string }[];
  edges: { from: string; to: string }[];
}

/** Box sizes: wide enough for the name in the monospace label font (12.5 px). */
const CHAR_WIDTH = 7.7;
const PADDING = { step: 30, dataset: 30 };
const HEIGHT = { step: 40, dataset: 32 };
const MIN_WIDTH = { step: 96, dataset: 80 };

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * A layered left-to-right layout of the dependency graph by dagre (network-simplex
 * ranking, crossing reduction, straightened edges): each node's centre and size and each
 * edge's route, ready to draw as SVG. Deterministic for the same input.
 *
 * @example
 * layoutGraph({ nodes: [{ id: "step:a", kind: "step", name: "a" }], edges: [] });
 */
export function layoutGraph(input: LayoutInput): GraphLayout {
  if (input.nodes.length === 0) return { width: 0, height: 0, nodes: [], edges: [] };
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: "LR", nodesep: 16, ranksep: 44, edgesep: 12, marginx: 4, marginy: 4 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of input.nodes) {
    const width = Math.max(
      MIN_WIDTH[node.kind],
      node.name.length * CHAR_WIDTH + PADDING[node.kind],
    );
    graph.setNode(node.id, { width: Math.ceil(width), height: HEIGHT[node.kind] });
  }
  for (const edge of input.edges) graph.setEdge(edge.from, edge.to);
  dagre.layout(graph);
  const label = graph.graph();
  const nodes: GraphNode[] = input.nodes.map((node) => {
    const placed = graph.node(node.id);
    return {
      ...node,
      x: round(placed.x ?? 0),
      y: round(placed.y ?? 0),
      width: placed.width,
      height: placed.height,
    };
  });
  const edges: GraphEdge[] = input.edges.map((edge) => ({
    ...edge,
    points: (graph.edge(edge.from, edge.to).points ?? []).map((p: { x: number; y: number }) => ({
      x: round(p.x),
      y: round(p.y),
    })),
  }));
  return { width: Math.ceil(label.width ?? 0), height: Math.ceil(label.height ?? 0), nodes, edges };
}
