import { describe, expect, it } from "vitest";
import type { JSONSchema } from "../../api/types";
import { block } from "../../test/blocks";
import { fieldKind, hasValue } from "./fieldKinds";
import { properties } from "./schema";

function kindsOf(name: string): Record<string, string> {
  const schema = block(name).inputSchema;
  return Object.fromEntries(properties(schema).map((p) => [p.name, fieldKind(p)]));
}

describe("fieldKind on real block schemas", () => {
  it("maps numbers, enums (by $ref) and booleans", () => {
    expect(kindsOf("CalculatorBlock")).toEqual({
      operation: "enum",
      a: "number",
      b: "number",
      round_result: "boolean",
    });
  });

  it("maps dictionaries and templates", () => {
    expect(kindsOf("FillTextTemplateBlock")).toEqual({
      values: "dict",
      format: "template",
      escape_html: "boolean",
    });
  });

  it("maps lists, optional text and Any", () => {
    const kinds = kindsOf("AgentShortTextInputBlock");
    expect(kinds.placeholder_values).toBe("list");
    expect(kinds.value).toBe("text");
    expect(kinds.title).toBe("text");
    expect(kindsOf("AgentOutputBlock").value).toBe("json");
    expect(kindsOf("CombineTextsBlock").input).toBe("list");
  });

  it("maps integers, long text, secrets, dates and credentials from schema hints", () => {
    const prop = (schema: JSONSchema, name = "x") => ({ name, schema, required: false, nullable: false });
    expect(fieldKind(prop({ type: "integer" }))).toBe("integer");
    expect(fieldKind(prop({ type: "string", format: "long-text" }))).toBe("multiline");
    expect(fieldKind(prop({ type: "string" }, "prompt"))).toBe("multiline");
    expect(fieldKind(prop({ type: "string", secret: true }))).toBe("secret");
    expect(fieldKind(prop({ type: "string", format: "date" }))).toBe("date");
    expect(fieldKind(prop({ type: "object", credentials_provider: ["openai"] }))).toBe("credentials");
    expect(fieldKind(prop({ type: "object", properties: { a: { type: "string" } } }))).toBe("json");
    expect(fieldKind(prop({ anyOf: [{ type: "string" }, { type: "integer" }] }))).toBe("json");
  });
});

describe("properties", () => {
  it("keeps declaration order, requiredness and strips the null branch of optionals", () => {
    const props = properties(block("AgentShortTextInputBlock").inputSchema);
    expect(props.map((p) => p.name).slice(0, 3)).toEqual(["name", "value", "title"]);
    expect(props[0]!.required).toBe(true);
    expect(props[1]!.nullable).toBe(true);
    expect(props[1]!.schema.type).toBe("string");
  });
});

describe("hasValue", () => {
  it("treats blank text and null as missing, zero and false as given", () => {
    expect(hasValue("  ")).toBe(false);
    expect(hasValue(null)).toBe(false);
    expect(hasValue(undefined)).toBe(false);
    expect(hasValue(0)).toBe(true);
    expect(hasValue(false)).toBe(true);
  });
});
