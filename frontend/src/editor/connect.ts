/** Whether a proposed link fits, with a reason a person can act on when it does not. */
import type { Connection, Edge } from "@xyflow/react";
import type { BlockInfo } from "../api/types";
import type { BlockFlowNode } from "./lib/convert";
import { effectiveBlock } from "./lib/agentPins";
import { basePin, isDynamicPin } from "./lib/convert";
import type { PinKind } from "./lib/pinTypes";
import { compatible, pinKinds, primaryKind } from "./lib/pinTypes";
import { elementSchema, normalize } from "./lib/schema";

export type ConnectionProblem =
  | { code: "self" }
  | { code: "duplicate" }
  | { code: "unknownPin" }
  | { code: "incompatible"; source: PinKind; sink: PinKind };

export function sourceKinds(block: BlockInfo | undefined, handle: string): PinKind[] | null {
  if (!block) return ["any"];
  const schema = block.outputSchema.properties?.[basePin(handle)];
  if (!schema) return null;
  return isDynamicPin(handle) ? ["any"] : pinKinds(schema, block.outputSchema);
}

export function sinkKinds(block: BlockInfo | undefined, handle: string): PinKind[] | null {
  if (!block) return ["any"];
  const root = block.inputSchema;
  const raw = root.properties?.[basePin(handle)];
  if (!raw) return null;
  if (!isDynamicPin(handle)) return pinKinds(raw, root);
  return pinKinds(elementSchema(normalize(raw, root).schema, root), root);
}

function blockOf(node: BlockFlowNode | undefined, blocks: Record<string, BlockInfo>): BlockInfo | undefined {
  const block = node ? blocks[node.data.blockId] : undefined;
  return block && node ? effectiveBlock(block, node.data.inputs) : block;
}

export function connectionProblem(
  connection: Connection | Edge,
  nodes: BlockFlowNode[],
  edges: Edge[],
  blocks: Record<string, BlockInfo>,
): ConnectionProblem | null {
  const { source, target } = connection;
  const sourceHandle = connection.sourceHandle ?? "";
  const targetHandle = connection.targetHandle ?? "";
  if (source === target) return { code: "self" };
  const duplicate = edges.some(
    (e) =>
      e.source === source &&
      e.target === target &&
      e.sourceHandle === sourceHandle &&
      e.targetHandle === targetHandle,
  );
  if (duplicate) return { code: "duplicate" };
  const sourceNode = nodes.find((n) => n.id === source);
  const targetNode = nodes.find((n) => n.id === target);
  const from = sourceKinds(blockOf(sourceNode, blocks), sourceHandle);
  const to = sinkKinds(blockOf(targetNode, blocks), targetHandle);
  if (!from || !to) return { code: "unknownPin" };
  if (!compatible(from, to)) {
    return { code: "incompatible", source: primaryKind(from), sink: primaryKind(to) };
  }
  return null;
}
