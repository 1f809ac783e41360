/**
 * The checks the editor makes before saving, so obvious gaps are flagged on the nodes
 * at once (the server's validation still has the last word).
 */
import type { BlockInfo, ValidationProblem } from "../../api/types";
import type { NodeProblem } from "../store";
import type { BlockFlowNode, LinkFlowEdge } from "./convert";
import { basePin } from "./convert";
import { hasValue } from "./fieldKinds";

export interface MissingInput {
  nodeId: string;
  field: string;
}

/** Required inputs that have neither a value nor a link. */
export function missingRequiredInputs(
  nodes: BlockFlowNode[],
  edges: LinkFlowEdge[],
  blocks: Record<string, BlockInfo>,
): MissingInput[] {
  const linked = new Set(edges.map((e) => `${e.target}\u0000${basePin(e.targetHandle ?? "")}`));
  const missing: MissingInput[] = [];
  for (const node of nodes) {
    const block = blocks[node.data.blockId];
    if (!block || block.uiType === "Note") continue;
    for (const field of block.inputSchema.required ?? []) {
      if (block.inputSchema.properties?.[field]?.hidden) continue;
      if (hasValue(node.data.inputs[field]) || linked.has(`${node.id}\u0000${field}`)) continue;
      missing.push({ nodeId: node.id, field });
    }
  }
  return missing;
}

/** The server's problems, by node, as the nodes show them. */
export function groupProblems(list: ValidationProblem[]): Record<string, NodeProblem[]> {
  const out: Record<string, NodeProblem[]> = {};
  for (const p of list) {
    if (!p.node_id) continue;
    (out[p.node_id] ??= []).push({ field: p.field, message: p.message });
  }
  return out;
}
