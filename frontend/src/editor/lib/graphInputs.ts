/**
 * The inputs an agent asks for when it runs: one per Agent Input node (its `name`), typed
 * by that block's `value` schema. Used when the server's `input_schema` is not at hand.
 */
import type { BlockInfo, JSONSchema } from "../../api/types";
import type { BlockFlowNode } from "./convert";
import { hasValue } from "./fieldKinds";
import { normalize } from "./schema";

export function graphInputSchema(nodes: BlockFlowNode[], blocks: Record<string, BlockInfo>): JSONSchema {
  const properties: Record<string, JSONSchema> = {};
  const required: string[] = [];
  for (const node of nodes) {
    const block = blocks[node.data.blockId];
    if (block?.uiType !== "Input") continue;
    const inputs = node.data.inputs;
    const name = typeof inputs.name === "string" ? inputs.name : "";
    if (!name) continue;
    const raw = block.inputSchema.properties?.value ?? {};
    const { schema } = normalize(raw, block.inputSchema);
    const options = Array.isArray(inputs.placeholder_values) ? inputs.placeholder_values : [];
    properties[name] = {
      ...schema,
      title: typeof inputs.title === "string" && inputs.title ? inputs.title : name,
      description: typeof inputs.description === "string" ? inputs.description : schema.description,
      ...(hasValue(inputs.value) ? { default: inputs.value } : {}),
      ...(options.length && block.name.includes("Dropdown") ? { enum: options } : {}),
      secret: inputs.secret === true,
      advanced: inputs.advanced === true,
    };
    if (!hasValue(inputs.value)) required.push(name);
  }
  return { type: "object", properties, required };
}
