import { describe, expect, it } from "vitest";
import { block, BLOCKS } from "../../test/blocks";
import { comboOf } from "../shortcuts";
import { createCanvasStore } from "../store";
import { displayName, primaryCategory } from "./blockName";
import { durationMs, formatDuration, preview } from "./format";
import { graphInputSchema } from "./graphInputs";
import { searchBlocks } from "./searchBlocks";
import { axisOf, spanOf } from "./timeline";
import { missingRequiredInputs } from "./validate";
import { parseLoose, templateVariables } from "./values";

const key = (k: string, mods: Partial<Record<"metaKey" | "ctrlKey" | "shiftKey" | "altKey", boolean>> = {}) =>
  comboOf({ key: k, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, ...mods });

describe("keyboard shortcuts", () => {
  it("names combinations the same on every platform", () => {
    expect(key("z", { ctrlKey: true })).toBe("Mod+Z");
    expect(key("z", { metaKey: true })).toBe("Mod+Z");
    expect(key("Z", { ctrlKey: true, shiftKey: true })).toBe("Mod+Shift+Z");
    expect(key("y", { ctrlKey: true })).toBe("Mod+Shift+Z");
    expect(key("L", { shiftKey: true })).toBe("Shift+L");
    expect(key("?", { shiftKey: true })).toBe("?");
    expect(key("Enter", { ctrlKey: true })).toBe("Mod+Enter");
  });
});

describe("required inputs before saving", () => {
  it("flags required inputs with neither a value nor a link", () => {
    const store = createCanvasStore({ blocks: BLOCKS });
    const s = store.getState();
    const calc = s.addNode(block("CalculatorBlock").id, { x: 0, y: 0 });
    const input = s.addNode(block("AgentNumberInputBlock").id, { x: 0, y: 0 });
    store.getState().setInput(calc, "operation", "Add");
    store.getState().setInput(calc, "b", 0);
    store.getState().setInput(input, "name", "n");
    store.getState().connect({ source: input, sourceHandle: "result", target: calc, targetHandle: "a" });
    s.addNode(block("NoteBlock").id, { x: 0, y: 0 });
    const st = store.getState();
    expect(missingRequiredInputs(st.nodes, st.edges, st.blocks)).toEqual([]);
    store.getState().setInput(calc, "operation", "");
    const after = store.getState();
    expect(missingRequiredInputs(after.nodes, after.edges, after.blocks)).toEqual([
      { nodeId: calc, field: "operation" },
    ]);
  });
});

describe("the run form of an agent", () => {
  it("has one field per named Agent Input, required unless it has a default", () => {
    const store = createCanvasStore({ blocks: BLOCKS });
    const s = store.getState();
    const a = s.addNode(block("AgentShortTextInputBlock").id, { x: 0, y: 0 });
    const b = s.addNode(block("AgentNumberInputBlock").id, { x: 0, y: 0 });
    s.addNode(block("AgentToggleInputBlock").id, { x: 0, y: 0 });
    store.getState().setInput(a, "name", "topic");
    store.getState().setInput(a, "title", "Topic");
    store.getState().setInput(b, "name", "count");
    store.getState().setInput(b, "value", 3);
    const schema = graphInputSchema(store.getState().nodes, store.getState().blocks);
    expect(Object.keys(schema.properties ?? {})).toEqual(["topic", "count"]);
    expect(schema.properties?.topic).toMatchObject({ type: "string", title: "Topic" });
    expect(schema.properties?.count).toMatchObject({ type: "number", default: 3 });
    expect(schema.required).toEqual(["topic"]);
  });
});

describe("block menu search", () => {
  it("matches every word in names, descriptions or categories, name matches first", () => {
    expect(searchBlocks(BLOCKS, "calc", null).map((b) => b.name)).toEqual(["CalculatorBlock"]);
    expect(searchBlocks(BLOCKS, "agent input", "INPUT").every((b) => b.uiType === "Input")).toBe(true);
    expect(searchBlocks(BLOCKS, "", "LOGIC").map((b) => b.name)).toContain("ConditionBlock");
    expect(searchBlocks(BLOCKS, "no such thing", null)).toEqual([]);
  });

  it("names and colours blocks", () => {
    expect(displayName(block("FillTextTemplateBlock"))).toBe("Fill Text Template");
    expect(primaryCategory(block("AgentShortTextInputBlock"))).toBe("INPUT");
  });
});

describe("timeline geometry", () => {
  const execs = [
    {
      add_time: "2026-01-01T00:00:00Z",
      queue_time: null,
      start_time: "2026-01-01T00:00:01Z",
      end_time: "2026-01-01T00:00:02Z",
    },
    {
      add_time: "2026-01-01T00:00:02Z",
      queue_time: null,
      start_time: "2026-01-01T00:00:03Z",
      end_time: "2026-01-01T00:00:04Z",
    },
  ];
  it("spans the axis from the first to the last time and places bars in percent", () => {
    const axis = axisOf(execs as never, 0);
    expect(axis.total).toBe(4000);
    expect(spanOf(execs[1]!.start_time, execs[1]!.end_time, axis.start, axis.total)).toEqual({
      left: 75,
      width: 25,
    });
    expect(spanOf(null, null, axis.start, axis.total)).toBeNull();
  });
});

describe("values typed by people", () => {
  it("parses JSON when it is JSON and keeps text otherwise", () => {
    expect(parseLoose("[1, 2]")).toEqual([1, 2]);
    expect(parseLoose("hello")).toBe("hello");
    expect(parseLoose("  ")).toBeUndefined();
    expect(templateVariables("Hi {{ name }} and {{name}}, {{ user.email }}")).toEqual(["name", "user.email"]);
  });

  it("formats durations and previews", () => {
    expect(formatDuration(250)).toBe("250 ms");
    expect(formatDuration(1500)).toBe("1.50 s");
    expect(formatDuration(null)).toBe("—");
    expect(durationMs("2026-01-01T00:00:00Z", "2026-01-01T00:00:01.5Z")).toBe(1500);
    expect(preview({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(preview("x".repeat(10), 4)).toBe("xxxx…");
  });
});

describe("Agent Executor pins", () => {
  it("come from the sub-agent's schemas the node carries", async () => {
    const { effectiveBlock } = await import("./agentPins");
    const executor = {
      ...block("CalculatorBlock"),
      uiType: "Agent" as const,
      inputSchema: { type: "object", properties: { graph_id: { type: "string" } }, required: ["graph_id"] },
      outputSchema: { type: "object", properties: { error: { type: "string" } } },
    };
    const inputs = {
      input_schema: { properties: { topic: { type: "string" } }, required: ["topic"] },
      output_schema: { properties: { summary: { type: "string" } } },
    };
    const seen = effectiveBlock(executor, inputs);
    expect(Object.keys(seen.inputSchema.properties ?? {})).toEqual(["graph_id", "topic"]);
    expect(seen.inputSchema.required).toEqual(["graph_id", "topic"]);
    expect(Object.keys(seen.outputSchema.properties ?? {})).toEqual(["error", "summary"]);
    expect(effectiveBlock(block("CalculatorBlock"), inputs)).toBe(block("CalculatorBlock"));
  });
});
