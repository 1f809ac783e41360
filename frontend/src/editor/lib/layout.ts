/** Auto-layout: left-to-right layers with dagre, keeping each node's measured size. */
import dagre from "@dagrejs/dagre";
import type { Edge, Node } from "@xyflow/react";

const DEFAULT_SIZE = { width: 300, height: 220 };

export function autoLayout<N extends Node>(nodes: N[], edges: Edge[]): N[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 48, ranksep: 110, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    g.setNode(node.id, {
      width: node.measured?.width ?? DEFAULT_SIZE.width,
      height: node.measured?.height ?? DEFAULT_SIZE.height,
    });
  }
  for (const edge of edges) g.setEdge(edge.source, edge.target);
  dagre.layout(g);
  return nodes.map((node) => {
    const laid = g.node(node.id) as { x: number; y: number; width: number; height: number };
    return { ...node, position: { x: laid.x - laid.width / 2, y: laid.y - laid.height / 2 } };
  });
}
