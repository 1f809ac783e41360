import { describe, expect, it } from "vitest";
import type { Graph } from "../../api/types";
import { basePin, flowToGraph, graphToFlow, isDynamicPin } from "./convert";

const graph: Graph = {
  id: "g1",
  version: 3,
  is_active: true,
  name: "Greeter",
  description: "Says hello",
  nodes: [
    {
      id: "in",
      block_id: "7fcd3bcb-8e1b-4e69-903d-32d3d4a92158",
      input_default: { name: "topic" },
      metadata: { position: { x: 10, y: 20 }, customized_name: "Topic" },
    },
    {
      id: "fill",
      block_id: "db7d8f02-2f44-4c55-ab7a-eae0941f0c30",
      input_default: { format: "Hello {{ topic }}!", values: { extra: 1 } },
      metadata: { position: { x: 400, y: 20 } },
      policy: { max_attempts: 3, backoff_seconds: 1, backoff_factor: 2 },
    },
    {
      id: "out",
      block_id: "363ae599-353e-4804-937e-b2ee3cef3da4",
      input_default: { name: "greeting" },
      metadata: {},
    },
  ],
  links: [
    {
      id: "l1",
      source_id: "in",
      sink_id: "fill",
      source_name: "result",
      sink_name: "values_#_topic",
      is_static: true,
    },
    {
      id: "l2",
      source_id: "fill",
      sink_id: "out",
      source_name: "output",
      sink_name: "value",
      is_static: false,
    },
    {
      id: "l3",
      source_id: "out",
      sink_id: "fill",
      source_name: "output_#_status",
      sink_name: "values_#_status",
      is_static: false,
    },
  ],
  sub_graphs: [
    { id: "sub", version: 1, is_active: true, name: "Sub", description: "", nodes: [], links: [] },
  ],
};

describe("graphToFlow / flowToGraph", () => {
  it("round-trips an agent without losing anything the editor does not own", () => {
    const { nodes, edges, header } = graphToFlow(graph);
    const back = flowToGraph(nodes, edges, header);
    expect(back).toEqual({
      ...graph,
      nodes: graph.nodes.map((n) => ({ ...n, metadata: { position: { x: 0, y: 0 }, ...n.metadata } })),
    });
  });

  it("places nodes at their saved positions and defaults missing ones to the origin", () => {
    const { nodes } = graphToFlow(graph);
    expect(nodes.map((n) => n.position)).toEqual([
      { x: 10, y: 20 },
      { x: 400, y: 20 },
      { x: 0, y: 0 },
    ]);
    expect(nodes[0]!.data.metadata).toEqual({ customized_name: "Topic" });
  });

  it("turns links into edges on named handles, static ones marked", () => {
    const { edges } = graphToFlow(graph);
    expect(edges[0]).toMatchObject({
      source: "in",
      target: "fill",
      sourceHandle: "result",
      targetHandle: "values_#_topic",
      data: { isStatic: true },
      className: "edge-static",
    });
    expect(edges[1]!.data).toEqual({ isStatic: false });
  });

  it("lists the dynamic pins that links use, so their handles exist", () => {
    const { nodes } = graphToFlow(graph);
    const fill = nodes.find((n) => n.id === "fill")!;
    expect(fill.data.dynamicIn).toEqual(["values_#_topic", "values_#_status"]);
    expect(nodes.find((n) => n.id === "out")!.data.dynamicOut).toEqual(["output_#_status"]);
  });

  it("does not share input objects with the source graph", () => {
    const { nodes } = graphToFlow(graph);
    nodes[0]!.data.inputs.name = "changed";
    expect(graph.nodes[0]!.input_default.name).toBe("topic");
  });
});

describe("dynamic pin names", () => {
  it("knows the three separators and the base name", () => {
    expect(isDynamicPin("values_#_a")).toBe(true);
    expect(isDynamicPin("items_$_0")).toBe(true);
    expect(isDynamicPin("obj_@_attr")).toBe(true);
    expect(isDynamicPin("plain_name")).toBe(false);
    expect(basePin("values_#_a_$_0")).toBe("values");
    expect(basePin("input")).toBe("input");
  });
});
