import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { JSONSchema } from "../../../api/types";
import { block } from "../../../test/blocks";
import { SchemaForm } from "../../panels/SchemaForm";

afterEach(cleanup);

function form(schema: JSONSchema, values: Record<string, unknown>) {
  return <SchemaForm idPrefix="t" schema={schema} values={values} onChange={() => undefined} />;
}

/** One field of every kind, each holding `null` (what an Agent Input's default is). */
const EVERY_KIND: JSONSchema = {
  type: "object",
  properties: {
    any: { title: "Any" },
    object: { title: "Object", type: "object", properties: { a: { type: "string" } } },
    text: { title: "Text", type: "string" },
    long: { title: "Long", type: "string", format: "long-text" },
    number: { title: "Number", type: "number" },
    integer: { title: "Integer", type: "integer" },
    choice: { title: "Choice", enum: ["x", "y"] },
    flag: { title: "Flag", type: "boolean", default: true },
  },
};

describe("a null value is an empty field", () => {
  it("shows no text 'null' in any kind of field", () => {
    const values = Object.fromEntries(Object.keys(EVERY_KIND.properties ?? {}).map((k) => [k, null]));
    render(form(EVERY_KIND, values));
    for (const label of ["Any", "Object", "Text", "Long", "Number", "Integer", "Choice"]) {
      const field = screen.getByLabelText<HTMLInputElement>(label);
      expect(field.value, label).toBe("");
    }
    expect(screen.getByLabelText<HTMLInputElement>("Flag").checked).toBe(true);
  });

  it("empties a field whose value becomes null from outside (undo, a new run)", () => {
    const { rerender } = render(form(EVERY_KIND, { any: "hello", number: 3, integer: 4 }));
    expect(screen.getByLabelText<HTMLTextAreaElement>("Any").value).toBe("hello");
    expect(screen.getByLabelText<HTMLInputElement>("Number").value).toBe("3");
    rerender(form(EVERY_KIND, { any: null, number: null, integer: null }));
    for (const label of ["Any", "Number", "Integer"]) {
      expect(screen.getByLabelText<HTMLInputElement>(label).value, label).toBe("");
    }
  });
});

describe("placeholders", () => {
  it("read as examples, not as values", () => {
    render(form(block("CalculatorBlock").inputSchema, {}));
    expect(screen.getByLabelText<HTMLInputElement>(/^A/).placeholder).toBe("e.g. 10");
    expect(screen.getByLabelText<HTMLInputElement>(/^B/).placeholder).toBe("e.g. 5");
  });

  it("keep a field's own hint, and show none where there is none", () => {
    const schema: JSONSchema = {
      type: "object",
      properties: {
        data: { title: "Data", placeholder: '{"name": "Ann"}' },
        free: { title: "Free" },
        plain: { title: "Plain", type: "string" },
      },
    };
    render(form(schema, {}));
    expect(screen.getByLabelText<HTMLTextAreaElement>("Data").placeholder).toBe('e.g. {"name": "Ann"}');
    expect(screen.getByLabelText<HTMLTextAreaElement>("Free").placeholder).toMatch(/^Text, or JSON/);
    expect(screen.getByLabelText<HTMLInputElement>("Plain").placeholder).toBe("");
  });
});
