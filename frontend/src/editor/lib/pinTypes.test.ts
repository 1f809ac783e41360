import { describe, expect, it } from "vitest";
import { block } from "../../test/blocks";
import { compatible, pinKinds, primaryKind } from "./pinTypes";

describe("pinKinds", () => {
  const calc = block("CalculatorBlock");
  const fill = block("FillTextTemplateBlock");
  const input = block("AgentShortTextInputBlock");

  it("reads plain JSON types, $ref enums, optionals and Any", () => {
    expect(pinKinds(calc.inputSchema.properties!.a, calc.inputSchema)).toEqual(["number"]);
    expect(pinKinds(calc.inputSchema.properties!.operation, calc.inputSchema)).toEqual(["text"]);
    expect(pinKinds(input.inputSchema.properties!.value, input.inputSchema)).toEqual(["text"]);
    expect(pinKinds(fill.inputSchema.properties!.values, fill.inputSchema)).toEqual(["dict"]);
    expect(pinKinds(block("AgentOutputBlock").inputSchema.properties!.value)).toEqual(["any"]);
    expect(pinKinds(undefined)).toEqual(["any"]);
  });

  it("keeps every branch of a union, and any branch that is Any makes it Any", () => {
    expect(pinKinds({ anyOf: [{ type: "string" }, { type: "integer" }] })).toEqual(["text", "integer"]);
    expect(pinKinds({ anyOf: [{ type: "string" }, {}] })).toEqual(["any"]);
    expect(pinKinds({ type: ["array", "null"] })).toEqual(["list"]);
  });

  it("knows credentials fields", () => {
    expect(pinKinds({ type: "object", credentials_provider: ["openai"] })).toEqual(["credentials"]);
  });
});

describe("compatible", () => {
  it("accepts the same kind, integer into number and anything with Any", () => {
    expect(compatible(["text"], ["text"])).toBe(true);
    expect(compatible(["integer"], ["number"])).toBe(true);
    expect(compatible(["dict"], ["any"])).toBe(true);
    expect(compatible(["any"], ["number"])).toBe(true);
  });

  it("refuses kinds that the backend would not accept", () => {
    expect(compatible(["text"], ["number"])).toBe(false);
    expect(compatible(["number"], ["integer"])).toBe(false);
    expect(compatible(["list"], ["dict"])).toBe(false);
    expect(compatible(["boolean"], ["text"])).toBe(false);
  });

  it("accepts a union when any branch fits", () => {
    expect(compatible(["text", "integer"], ["number"])).toBe(true);
    expect(compatible(["text"], ["list", "text"])).toBe(true);
  });

  it("names a union by the neutral kind", () => {
    expect(primaryKind(["text", "integer"])).toBe("any");
    expect(primaryKind(["list"])).toBe("list");
  });
});
