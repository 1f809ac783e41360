import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { useState } from "react";
import type { JSONSchema } from "../../api/types";
import { block } from "../../test/blocks";
import { SchemaForm } from "./SchemaForm";

function Harness({
  schema,
  onValues,
}: {
  schema: JSONSchema;
  onValues: (v: Record<string, unknown>) => void;
}) {
  const [values, setValues] = useState<Record<string, unknown>>({});
  return (
    <SchemaForm
      idPrefix="t"
      schema={schema}
      values={values}
      onChange={(v) => {
        setValues(v);
        onValues(v);
      }}
    />
  );
}

afterEach(cleanup);

describe("forms drawn from a block's schema", () => {
  it("gives each field a labelled widget of its type", () => {
    let values: Record<string, unknown> = {};
    render(<Harness schema={block("CalculatorBlock").inputSchema} onValues={(v) => (values = v)} />);
    const operation = screen.getByLabelText<HTMLSelectElement>(/Operation/);
    expect([...operation.options].map((o) => o.textContent)).toEqual([
      "Choose…",
      "Add",
      "Subtract",
      "Multiply",
      "Divide",
      "Power",
      "Modulo",
    ]);
    fireEvent.change(operation, { target: { value: JSON.stringify("Multiply") } });
    fireEvent.change(screen.getByLabelText(/^A/), { target: { value: "2.5" } });
    fireEvent.click(screen.getByLabelText(/Round Result/));
    expect(values).toEqual({ operation: "Multiply", a: 2.5, round_result: true });
    expect(screen.getByLabelText(/Round Result/).getAttribute("role")).toBe("switch");
  });

  it("masks secrets until shown, and edits lists and dictionaries row by row", () => {
    let values: Record<string, unknown> = {};
    const schema: JSONSchema = {
      type: "object",
      properties: {
        api_key: { type: "string", secret: true, title: "API key" },
        tags: { type: "array", items: { type: "string" }, title: "Tags" },
        headers: { type: "object", additionalProperties: { type: "string" }, title: "Headers" },
      },
    };
    render(<Harness schema={schema} onValues={(v) => (values = v)} />);
    const key = screen.getByLabelText<HTMLInputElement>("API key");
    expect(key.type).toBe("password");
    fireEvent.click(screen.getByRole("button", { name: "Show" }));
    expect(key.type).toBe("text");
    fireEvent.click(screen.getByRole("button", { name: /Add item/ }));
    const tags = within(screen.getByRole("group", { name: "Tags" }));
    fireEvent.change(within(tags.getByRole("group", { name: "Item 0" })).getByRole("textbox"), {
      target: { value: "news" },
    });
    fireEvent.click(screen.getByRole("button", { name: /Add entry/ }));
    expect(values).toMatchObject({ tags: ["news"], headers: { key1: "" } });
    fireEvent.click(screen.getByRole("button", { name: "Remove key1" }));
    expect(values.headers).toBeUndefined();
  });
});
