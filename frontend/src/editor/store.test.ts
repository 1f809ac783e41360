import { describe, expect, it } from "vitest";
import { block, BLOCKS } from "../test/blocks";
import { pendingRun } from "./run";
import { createCanvasStore } from "./store";

const INPUT = block("AgentShortTextInputBlock").id;
const FILL = block("FillTextTemplateBlock").id;
const CALC = block("CalculatorBlock").id;
const OUTPUT = block("AgentOutputBlock").id;

function setup() {
  const store = createCanvasStore({ blocks: BLOCKS });
  const s = () => store.getState();
  return { store, s };
}

describe("canvas store: building", () => {
  it("adds a node with the block's defaults and marks the canvas dirty", () => {
    const { s } = setup();
    const id = s().addNode(CALC, { x: 5, y: 6 });
    const node = s().nodes.find((n) => n.id === id)!;
    expect(node.position).toEqual({ x: 5, y: 6 });
    expect(node.data.inputs).toEqual({ round_result: false });
    expect(s().dirty).toBe(true);
  });

  it("connects compatible pins and records dynamic sink pins on the node", () => {
    const { s } = setup();
    const a = s().addNode(INPUT, { x: 0, y: 0 });
    const b = s().addNode(FILL, { x: 300, y: 0 });
    expect(
      s().connect({ source: a, sourceHandle: "result", target: b, targetHandle: "values_#_topic" }),
    ).toBeNull();
    expect(s().edges).toHaveLength(1);
    expect(s().edges[0]!.data).toEqual({ isStatic: true });
    expect(s().nodes.find((n) => n.id === b)!.data.dynamicIn).toEqual(["values_#_topic"]);
  });

  it("refuses an incompatible link with a reason and leaves a hint", () => {
    const { s } = setup();
    const a = s().addNode(INPUT, { x: 0, y: 0 });
    const c = s().addNode(CALC, { x: 300, y: 0 });
    const problem = s().connect({ source: a, sourceHandle: "result", target: c, targetHandle: "a" });
    expect(problem).toEqual({ code: "incompatible", source: "text", sink: "number" });
    expect(s().edges).toHaveLength(0);
    expect(s().connectHint).toEqual(problem);
  });

  it("refuses self links, duplicates and unknown pins", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 0, y: 0 });
    const o = s().addNode(OUTPUT, { x: 0, y: 0 });
    expect(s().connect({ source: c, sourceHandle: "result", target: c, targetHandle: "a" })?.code).toBe(
      "self",
    );
    expect(s().connect({ source: c, sourceHandle: "result", target: o, targetHandle: "value" })).toBeNull();
    expect(s().connect({ source: c, sourceHandle: "result", target: o, targetHandle: "value" })?.code).toBe(
      "duplicate",
    );
    expect(s().connect({ source: c, sourceHandle: "nope", target: o, targetHandle: "name" })?.code).toBe(
      "unknownPin",
    );
  });

  it("sets and clears inputs, and clears the problem of the field edited", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 0, y: 0 });
    s().setProblems({
      [c]: [
        { field: "a", message: "missing" },
        { field: null, message: "other" },
      ],
    });
    s().setInput(c, "a", 3);
    expect(s().nodes[0]!.data.inputs.a).toBe(3);
    expect(s().problems[c]).toEqual([{ field: null, message: "other" }]);
    s().setInput(c, "a", undefined);
    expect("a" in s().nodes[0]!.data.inputs).toBe(false);
  });

  it("deletes the selection with the links that touch it", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 0, y: 0 });
    const o = s().addNode(OUTPUT, { x: 0, y: 0 });
    s().connect({ source: c, sourceHandle: "result", target: o, targetHandle: "value" });
    s().onNodesChange([{ type: "select", id: c, selected: true }]);
    s().deleteSelected();
    expect(s().nodes.map((n) => n.id)).toEqual([o]);
    expect(s().edges).toHaveLength(0);
  });
});

describe("canvas store: history", () => {
  it("undoes and redoes structural changes in order", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 0, y: 0 });
    const o = s().addNode(OUTPUT, { x: 0, y: 0 });
    s().connect({ source: c, sourceHandle: "result", target: o, targetHandle: "value" });
    s().undo();
    expect(s().edges).toHaveLength(0);
    s().undo();
    expect(s().nodes.map((n) => n.id)).toEqual([c]);
    s().redo();
    s().redo();
    expect(s().nodes).toHaveLength(2);
    expect(s().edges).toHaveLength(1);
    s().redo();
    expect(s().edges).toHaveLength(1);
  });

  it("folds consecutive edits of one field into one undo step", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 0, y: 0 });
    s().setInput(c, "a", 1);
    s().setInput(c, "a", 12);
    s().setInput(c, "a", 123);
    s().setInput(c, "b", 4);
    s().undo();
    expect(s().nodes[0]!.data.inputs).toMatchObject({ a: 123 });
    expect(s().nodes[0]!.data.inputs.b).toBeUndefined();
    s().undo();
    expect(s().nodes[0]!.data.inputs.a).toBeUndefined();
  });

  it("forgets the redo line after a new change", () => {
    const { s } = setup();
    s().addNode(CALC, { x: 0, y: 0 });
    s().undo();
    s().addNode(OUTPUT, { x: 0, y: 0 });
    s().redo();
    expect(s().nodes.map((n) => n.data.blockId)).toEqual([OUTPUT]);
  });
});

describe("canvas store: clipboard", () => {
  it("pastes copies with new ids, offset, with the links between them", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 0, y: 0 });
    const o = s().addNode(OUTPUT, { x: 100, y: 0 });
    s().connect({ source: c, sourceHandle: "result", target: o, targetHandle: "value" });
    s().selectAll();
    expect(s().copySelected()).toBe(2);
    s().paste();
    const nodes = s().nodes;
    expect(nodes).toHaveLength(4);
    const pasted = nodes.slice(2);
    expect(pasted.every((n) => n.selected && ![c, o].includes(n.id))).toBe(true);
    expect(pasted.map((n) => n.position)).toEqual([
      { x: 40, y: 40 },
      { x: 140, y: 40 },
    ]);
    const newEdge = s().edges[1]!;
    expect([newEdge.source, newEdge.target]).toEqual(pasted.map((n) => n.id));
    s().paste();
    expect(s().nodes.at(-1)!.position).toEqual({ x: 180, y: 80 });
  });

  it("pastes into another canvas (another agent or tab)", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 0, y: 0 });
    s().setInput(c, "a", 42);
    s().selectAll();
    s().copySelected();
    const { s: other } = setup();
    other().paste();
    expect(other().nodes).toHaveLength(1);
    expect(other().nodes[0]!.data.inputs.a).toBe(42);
    expect(other().nodes[0]!.id).not.toBe(c);
  });

  it("gives pasted nodes their own inputs", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 0, y: 0 });
    s().setInput(c, "a", 1);
    s().onNodesChange([{ type: "select", id: c, selected: true }]);
    s().duplicateSelected();
    const copy = s().nodes[1]!;
    s().setInput(copy.id, "a", 2);
    expect(s().nodes[0]!.data.inputs.a).toBe(1);
  });
});

describe("canvas store: loading and saving", () => {
  it("loads a graph clean and gives it back unchanged", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 1, y: 2 });
    s().setInput(c, "a", 1);
    const graph = s().toGraph();
    const { s: s2 } = setup();
    s2().load(graph);
    expect(s2().dirty).toBe(false);
    expect(s2().past).toHaveLength(0);
    expect(s2().toGraph()).toEqual(graph);
  });

  it("lays nodes out left to right along their links", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 0, y: 0 });
    const o = s().addNode(OUTPUT, { x: 0, y: 0 });
    s().connect({ source: c, sourceHandle: "result", target: o, targetHandle: "value" });
    s().layout();
    const [a, b] = s().nodes;
    expect(b!.position.x).toBeGreaterThan(a!.position.x + 200);
    s().undo();
    expect(s().nodes.every((n) => n.position.x === 0)).toBe(true);
  });
});

describe("canvas store: live events", () => {
  it("leave the nodes and edges untouched and change only the entry of their node", () => {
    const { s } = setup();
    const a = s().addNode(CALC, { x: 0, y: 0 });
    const b = s().addNode(OUTPUT, { x: 0, y: 0 });
    s().watchRun({ ...pendingRun("g", "x1") });
    const event = (nodeId: string, seq: number, status: "RUNNING" | "COMPLETED") => ({
      node_exec_id: `${nodeId}-1`,
      node_id: nodeId,
      block_id: CALC,
      status,
      input_data: {},
      output_data: {},
      add_time: null,
      queue_time: null,
      start_time: null,
      end_time: null,
      error: null,
      seq,
      graph_exec_id: "x1",
    });
    s().applyNodeEvent(event(a, 1, "RUNNING"));
    s().applyNodeEvent(event(b, 2, "RUNNING"));
    const { nodes, edges } = s();
    const bView = s().run!.nodes[b];
    s().applyNodeEvent(event(a, 3, "COMPLETED"));
    expect(s().nodes).toBe(nodes);
    expect(s().edges).toBe(edges);
    expect(s().run!.nodes[b]).toBe(bView);
    expect(s().run!.nodes[a]!.status).toBe("COMPLETED");
    s().applyNodeEvent({ ...event(a, 4, "RUNNING"), graph_exec_id: "another run" });
    expect(s().run!.nodes[a]!.status).toBe("COMPLETED");
  });
});

describe("canvas store: node names", () => {
  it("keeps a node's own name in its metadata, saved with the agent and undoable", () => {
    const { s } = setup();
    const c = s().addNode(CALC, { x: 0, y: 0 });
    s().setMetadata(c, { customized_name: "Add tax" });
    expect(s().toGraph().nodes[0]!.metadata).toEqual({
      customized_name: "Add tax",
      position: { x: 0, y: 0 },
    });
    s().setMetadata(c, { customized_name: undefined });
    expect(s().toGraph().nodes[0]!.metadata).toEqual({ position: { x: 0, y: 0 } });
    s().undo();
    expect(s().nodes[0]!.data.metadata.customized_name).toBe("Add tax");
  });
});
