/**
 * Between agent JSON (the backend's graph) and React Flow nodes and edges.
 *
 * Everything the canvas does not edit (unknown metadata keys, node policies, sub-graphs)
 * rides along untouched, so a graph survives a round trip through the editor.
 */
import type { Edge, Node } from "@xyflow/react";
import type { BaseGraph, Graph, GraphLink, GraphNode, NodePolicy } from "../../api/types";

export interface BlockNodeData extends Record<string, unknown> {
  blockId: string;
  inputs: Record<string, unknown>;
  /** Node metadata other than the position, kept as it came. */
  metadata: Record<string, unknown>;
  policy?: NodePolicy | null;
  /** Dynamic input pins (`values_#_key`, `items_$_0`) that links use. */
  dynamicIn: string[];
  /** Dynamic output pins (`result_#_status`) that links read. */
  dynamicOut: string[];
}

export interface LinkEdgeData extends Record<string, unknown> {
  isStatic: boolean;
}

export type BlockFlowNode = Node<BlockNodeData, "block">;
export type LinkFlowEdge = Edge<LinkEdgeData>;

export interface GraphHeader {
  id: string;
  version: number;
  name: string;
  description: string;
  is_active: boolean;
  sub_graphs: BaseGraph[];
}

const DYNAMIC = /_#_|_\$_|_@_/;

export function isDynamicPin(pin: string): boolean {
  return DYNAMIC.test(pin);
}

/** How a dynamic pin reads to a person: its key or index ("response_#_category" -> "category"). */
export function dynamicPinKey(pin: string): string {
  const match = DYNAMIC.exec(pin);
  return match ? pin.slice(match.index + match[0].length) : pin;
}

export function basePin(pin: string): string {
  return pin.split(DYNAMIC, 1)[0] ?? pin;
}

function position(metadata: Record<string, unknown>): { x: number; y: number } {
  const pos = metadata.position as { x?: unknown; y?: unknown } | undefined;
  const x = typeof pos?.x === "number" ? pos.x : 0;
  const y = typeof pos?.y === "number" ? pos.y : 0;
  return { x, y };
}

export function linkToEdge(link: GraphLink, id: string): LinkFlowEdge {
  return {
    id,
    source: link.source_id,
    target: link.sink_id,
    sourceHandle: link.source_name,
    targetHandle: link.sink_name,
    data: { isStatic: link.is_static },
    ...(link.is_static ? { className: "edge-static" } : {}),
  };
}

function nodeToFlow(node: GraphNode, links: GraphLink[]): BlockFlowNode {
  const { position: _pos, ...metadata } = node.metadata;
  const dynamicIn = links
    .filter((l) => l.sink_id === node.id && isDynamicPin(l.sink_name))
    .map((l) => l.sink_name);
  const dynamicOut = links
    .filter((l) => l.source_id === node.id && isDynamicPin(l.source_name))
    .map((l) => l.source_name);
  return {
    id: node.id,
    type: "block",
    position: position(node.metadata),
    data: {
      blockId: node.block_id,
      inputs: { ...node.input_default },
      metadata,
      ...(node.policy !== undefined ? { policy: node.policy } : {}),
      dynamicIn: [...new Set(dynamicIn)],
      dynamicOut: [...new Set(dynamicOut)],
    },
  };
}

export function graphToFlow(graph: Graph): {
  nodes: BlockFlowNode[];
  edges: LinkFlowEdge[];
  header: GraphHeader;
} {
  const nodes = graph.nodes.map((n) => nodeToFlow(n, graph.links));
  const edges = graph.links.map((l, i) => linkToEdge(l, l.id ?? `link-${i}`));
  const header: GraphHeader = {
    id: graph.id,
    version: graph.version,
    name: graph.name,
    description: graph.description,
    is_active: graph.is_active,
    sub_graphs: graph.sub_graphs ?? [],
  };
  return { nodes, edges, header };
}

function flowNodeToGraph(node: BlockFlowNode): GraphNode {
  const out: GraphNode = {
    id: node.id,
    block_id: node.data.blockId,
    input_default: node.data.inputs,
    metadata: {
      ...node.data.metadata,
      position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
    },
  };
  if (node.data.policy !== undefined) out.policy = node.data.policy;
  return out;
}

function edgeToLink(edge: LinkFlowEdge): GraphLink {
  return {
    id: edge.id,
    source_id: edge.source,
    sink_id: edge.target,
    source_name: edge.sourceHandle ?? "",
    sink_name: edge.targetHandle ?? "",
    is_static: edge.data?.isStatic ?? false,
  };
}

export function flowToGraph(nodes: BlockFlowNode[], edges: LinkFlowEdge[], header: GraphHeader): Graph {
  return {
    id: header.id,
    version: header.version,
    is_active: header.is_active,
    name: header.name,
    description: header.description,
    nodes: nodes.map(flowNodeToGraph),
    links: edges.map(edgeToLink),
    sub_graphs: header.sub_graphs,
  };
}
