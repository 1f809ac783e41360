/**
 * An Agent Executor node's pins are its sub-agent's inputs and outputs, which the node
 * carries in `input_schema` and `output_schema` (as AutoGPT exports them). This merges
 * them into the block's own schemas so the node, its handles and the type check see them.
 *
 * The values typed for the sub-agent's inputs live where AutoGPT keeps them, in the
 * node's `inputs` dictionary; a top-level key of the same name (how earlier builders
 * saved them) is read too. The engine merges both shapes, the top-level key winning.
 */
import type { BlockInfo, JSONSchema } from "../../api/types";

function asSchema(value: unknown): JSONSchema | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const schema = value as JSONSchema;
  return typeof schema.properties === "object" ? schema : null;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
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

/**
 * The names of the sub-agent's inputs on an Agent Executor node (none for other blocks):
 * the properties of its `input_schema` that are not fields of the block itself.
 */
export function subAgentInputNames(block: BlockInfo, inputs: Record<string, unknown>): Set<string> {
  if (block.uiType !== "Agent") return new Set();
  const own = block.inputSchema.properties ?? {};
  const names = Object.keys(asSchema(inputs.input_schema)?.properties ?? {});
  return new Set(names.filter((name) => !(name in own)));
}

/** A sub-agent input's value: the top-level key if the node has one, else `inputs[name]`. */
export function subAgentInputValue(inputs: Record<string, unknown>, name: string): unknown {
  if (name in inputs) return inputs[name];
  return asRecord(inputs.inputs)?.[name];
}

/**
 * The input patch that sets a sub-agent input: into `inputs` (AutoGPT's shape, so an
 * export runs there too), dropping a top-level key of that name, which would override it.
 */
export function subAgentInputPatch(
  inputs: Record<string, unknown>,
  name: string,
  value: unknown,
): Record<string, unknown> {
  const given = Object.entries({ ...asRecord(inputs.inputs), [name]: value });
  return { inputs: Object.fromEntries(given.filter(([, v]) => v !== undefined)), [name]: undefined };
}
