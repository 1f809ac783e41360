/**
 * An Agent Executor node's pins are its sub-agent's inputs and outputs, which the node
 * carries in `input_schema` and `output_schema` (as AutoGPT exports them). This merges
 * them into the block's own schemas so the node, its handles and the type check see them.
 */
import type { BlockInfo, JSONSchema } from "../../api/types";

function asSchema(value: unknown): JSONSchema | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const schema = value as JSONSchema;
  return typeof schema.properties === "object" ? schema : null;
}

function merged(base: JSONSchema, extra: JSONSchema | null): JSONSchema {
  if (!extra) return base;
  return {
    ...base,
    properties: { ...base.properties, ...extra.properties },
    required: [...(base.required ?? []), ...(extra.required ?? [])],
    $defs: { ...base.$defs, ...extra.$defs },
  };
}

export function effectiveBlock(block: BlockInfo, inputs: Record<string, unknown>): BlockInfo {
  if (block.uiType !== "Agent") return block;
  const ins = asSchema(inputs.input_schema);
  const outs = asSchema(inputs.output_schema);
  if (!ins && !outs) return block;
  return {
    ...block,
    inputSchema: merged(block.inputSchema, ins),
    outputSchema: merged(block.outputSchema, outs),
  };
}
