/**
 * Pure edits of a canvas's nodes and edges, used by the canvas store: each takes the
 * current state and returns the next, sharing everything it does not change.
 */
import type { NodeChange } from "@xyflow/react";
import type { BlockInfo } from "../../api/types";
import type { BlockFlowNode, LinkFlowEdge } from "./convert";

export interface Snapshot {
  nodes: BlockFlowNode[];
  edges: LinkFlowEdge[];
}

const PASTE_OFFSET = 40;

let counter = 0;
export function newId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  counter += 1;
  return `id-${Date.now().toString(36)}-${counter}`;
}

export function withoutSelection(snapshot: Snapshot): Snapshot {
  return {
    nodes: snapshot.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
    edges: snapshot.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
  };
}

export function defaultsOf(block: BlockInfo | undefined): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(block?.inputSchema.properties ?? {})) {
    if (schema.default !== undefined && schema.default !== null) inputs[name] = schema.default;
  }
  return inputs;
}

/** Inputs with `patch` applied, keeping the order of existing keys. */
export function patched(
  inputs: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({ ...inputs, ...patch }).filter(([, value]) => value !== undefined),
  );
}

export function pruneEdges(edges: LinkFlowEdge[], changes: NodeChange[]): LinkFlowEdge[] {
  const removed = new Set(changes.flatMap((c) => (c.type === "remove" ? [c.id] : [])));
  if (removed.size === 0) return edges;
  return edges.filter((e) => !removed.has(e.source) && !removed.has(e.target));
}

export function addDynamicIn(nodes: BlockFlowNode[], nodeId: string, handle: string): BlockFlowNode[] {
  return nodes.map((n) =>
    n.id === nodeId && !n.data.dynamicIn.includes(handle)
      ? { ...n, data: { ...n.data, dynamicIn: [...n.data.dynamicIn, handle] } }
      : n,
  );
}

export function cloneWithNewIds(clip: Snapshot): Snapshot {
  const ids = new Map(clip.nodes.map((n) => [n.id, newId()]));
  const nodes = clip.nodes.map((n) => ({
    ...n,
    id: ids.get(n.id) ?? newId(),
    position: { x: n.position.x + PASTE_OFFSET, y: n.position.y + PASTE_OFFSET },
    data: structuredClone(n.data),
    selected: true,
  }));
  const edges = clip.edges.map((e) => ({
    ...e,
    id: newId(),
    source: ids.get(e.source) ?? e.source,
    target: ids.get(e.target) ?? e.target,
  }));
  return { nodes, edges };
}
