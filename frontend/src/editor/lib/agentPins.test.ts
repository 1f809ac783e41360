import { describe, expect, it } from "vitest";
import type { BlockInfo, Graph, GraphNode } from "../../api/types";
import { createCanvasStore } from "../store";
import { effectiveBlock, subAgentInputNames, subAgentInputValue } from "./agentPins";

/** The Agent Executor as GET /api/blocks describes it (the fields that matter here). */
const EXECUTOR: BlockInfo = {
  id: "e189baac-8c20-45a1-94a7-55177ea42565",
  name: "AgentExecutorBlock",
  description: "Runs one of your other agents inside this one.",
  categories: [{ category: "AGENT", description: "Agents." }],
  inputSchema: {
    type: "object",
    properties: {
      user_id: { type: "string", default: "", hidden: true, title: "User Id" },
      graph_id: { type: "string", title: "Graph Id" },
      graph_version: { anyOf: [{ type: "integer" }, { type: "null" }], default: null, advanced: true },
      agent_name: { anyOf: [{ type: "string" }, { type: "null" }], default: null, advanced: true },
      inputs: { type: "object", additionalProperties: true, advanced: true, title: "Inputs" },
      input_schema: { type: "object", hidden: true },
      output_schema: { type: "object", hidden: true },
    },
    required: ["graph_id"],
  },
  outputSchema: { type: "object", properties: { error: { type: "string" } } },
  staticOutput: false,
  uiType: "Agent",
  costs: [],
  contributors: [],
  disabled: false,
};

const SUB_SCHEMA = {
  type: "object",
  properties: { n: { type: "number", title: "n" }, items: { type: "array", items: {}, title: "items" } },
  required: ["n", "items"],
};

function parent(inputDefault: Record<string, unknown>): Graph {
  const node: GraphNode = {
    id: "ex",
    block_id: EXECUTOR.id,
    input_default: { graph_id: "child", input_schema: SUB_SCHEMA, ...inputDefault },
    metadata: { position: { x: 0, y: 0 } },
  };
  return { id: "g", version: 1, is_active: true, name: "Parent", description: "", nodes: [node], links: [] };
}

function saved(store: ReturnType<typeof createCanvasStore>): Record<string, unknown> {
  return store.getState().toGraph().nodes[0]!.input_default;
}

describe("an Agent Executor's sub-agent inputs", () => {
  it("are the sub-agent's input names, not the block's own fields", () => {
    const inputs = { input_schema: { properties: { n: {}, graph_id: {} } } };
    expect([...subAgentInputNames(EXECUTOR, inputs)]).toEqual(["n"]);
    expect(subAgentInputNames(EXECUTOR, {}).size).toBe(0);
    expect(
      Object.keys(effectiveBlock(EXECUTOR, parent({}).nodes[0]!.input_default).inputSchema.properties!),
    ).toContain("items");
  });

  it("read values stored the AutoGPT way (in `inputs`) and the top-level way", () => {
    const autogpt = { inputs: { n: 3, items: [1, 2] } };
    expect(subAgentInputValue(autogpt, "n")).toBe(3);
    expect(subAgentInputValue(autogpt, "items")).toEqual([1, 2]);
    const legacy = { n: 4, inputs: { n: 3 } };
    expect(subAgentInputValue(legacy, "n")).toBe(4); // as the engine merges them
    expect(subAgentInputValue({}, "n")).toBeUndefined();
  });

  it("are written into `inputs`, as AutoGPT exports them, replacing a top-level key", () => {
    const store = createCanvasStore({ blocks: [EXECUTOR], graph: parent({ inputs: { n: 3, items: [1] } }) });
    store.getState().setSubAgentInput("ex", "n", 5);
    expect(saved(store)).toMatchObject({ inputs: { n: 5, items: [1] } });

    const legacy = createCanvasStore({ blocks: [EXECUTOR], graph: parent({ n: 2, items: [9] }) });
    legacy.getState().setSubAgentInput("ex", "n", 7);
    expect(saved(legacy).inputs).toEqual({ n: 7 });
    expect(saved(legacy)).not.toHaveProperty("n");
    expect(saved(legacy).items).toEqual([9]); // untouched until edited

    legacy.getState().setSubAgentInput("ex", "n", undefined);
    expect(saved(legacy).inputs).toEqual({});
    legacy.getState().undo();
    expect(saved(legacy)).toMatchObject({ n: 2, items: [9] });
    expect(saved(legacy)).not.toHaveProperty("inputs");
  });
});
