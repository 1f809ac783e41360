import { cleanup, render, screen } from "@testing-library/react";
import { ReactFlowProvider } from "@xyflow/react";
import { afterEach, describe, expect, it } from "vitest";
import type { JSONSchema } from "../../api/types";
import { block } from "../../test/blocks";
import { dynamicPinKey } from "../lib/convert";
import { properties, titleOf } from "../lib/schema";
import { NodeOutputs } from "./NodeOutputs";

afterEach(cleanup);

function titles(schema: JSONSchema): Record<string, string> {
  return Object.fromEntries(properties(schema).map((p) => [p.name, titleOf(p)]));
}

describe("field labels", () => {
  it("name a field, not the type it refers to", () => {
    expect(titles(block("ConditionBlock").inputSchema).operator).toBe("Operator");
    expect(titles(block("CalculatorBlock").inputSchema).operation).toBe("Operation");
    const ai: JSONSchema = {
      $defs: { CredentialsMeta: { title: "CredentialsMeta", type: "object", properties: {} } },
      properties: {
        credentials: {
          anyOf: [{ $ref: "#/$defs/CredentialsMeta" }, { type: "null" }],
          credentials_provider: ["openai"],
        },
        model: { allOf: [{ $ref: "#/$defs/CredentialsMeta" }], title: "Model" },
      },
    };
    expect(titles(ai)).toEqual({ credentials: "Credentials", model: "Model" });
  });

  it("call a dynamic pin by its key", () => {
    expect(dynamicPinKey("response_#_category")).toBe("category");
    expect(dynamicPinKey("items_$_0")).toBe("0");
    expect(dynamicPinKey("result")).toBe("result");
  });

  it("show a node's dynamic output pins by key, under their output", () => {
    render(
      <ReactFlowProvider>
        <NodeOutputs
          block={block("StoreValueBlock")}
          dynamicOut={["output_#_category", "output_#_priority"]}
        />
      </ReactFlowProvider>,
    );
    expect(screen.getByText("category")).toBeTruthy();
    expect(screen.getByText("priority")).toBeTruthy();
    expect(screen.queryByText(/_#_/)).toBeNull();
  });
});
