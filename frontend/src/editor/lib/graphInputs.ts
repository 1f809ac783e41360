/**
 * The inputs an agent asks for when it runs: one per Agent Input node (its `name`), typed
 * by that block's `value` schema. Used when the server's `input_schema` is not at hand.
 */
import type { BlockInfo, JSONSchema } from "../../api/types";
import type { BlockFlowNode } from "./convert";
import { hasValue } from "./fieldKinds";
import { normalize } from "./schema";

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The run-form field of one Agent Input node. */
function inputProperty(block: BlockInfo, inputs: Record<string, unknown>): JSONSchema {
  const name = text(inputs.name);
  const { schema } = normalize(block.inputSchema.properties?.value ?? {}, block.inputSchema);
  const options = Array.isArray(inputs.placeholder_values) ? inputs.placeholder_values : [];
  return {
    ...schema,
    title: text(inputs.title) || name,
    description: text(inputs.description) || schema.description,
    ...(hasValue(inputs.value) ? { default: inputs.value } : {}),
    ...(options.length && block.name.includes("Dropdown") ? { enum: options } : {}),
    secret: inputs.secret === true,
    advanced: inputs.advanced === true,
  };
}

export function graphInputSchema(nodes: BlockFlowNode[], blocks: Record<string, BlockInfo>): JSONSchema {
  const properties: Record<string, JSONSchema> = {};
  const required: string[] = [];
  for (const node of nodes) {
    const block = blocks[node.data.blockId];
    const name = text(node.data.inputs.name);
    if (block?.uiType !== "Input" || !name) continue;
    properties[name] = inputProperty(block, node.data.inputs);
    if (!hasValue(node.data.inputs.value)) required.push(name);
  }
  return { type: "object", properties, required };
}
