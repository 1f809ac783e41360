/**
 * Block infos as GET /api/blocks returned them from the backend's built-in blocks
 * (a fixed sample, so the tests read the real schema shapes Pydantic writes).
 */
import type { BlockInfo } from "../api/types";

export const BLOCKS: BlockInfo[] = [
  {
    id: "b1ab9b19-67a6-406d-abf5-2dba76d00c79",
    name: "CalculatorBlock",
    description:
      "Adds, subtracts, multiplies, divides, raises to a power or takes the remainder (modulo) of two numbers, optionally rounding the result to a whole number.",
    categories: [
      {
        category: "LOGIC",
        description: "Comparisons, branching and arithmetic.",
      },
    ],
    inputSchema: {
      $defs: {
        Operation: {
          enum: ["Add", "Subtract", "Multiply", "Divide", "Power", "Modulo"],
          title: "Operation",
          type: "string",
        },
      },
      properties: {
        operation: {
          $ref: "#/$defs/Operation",
          advanced: false,
          description: "What to do with the two numbers.",
          secret: false,
        },
        a: {
          advanced: false,
          description: "The first number (A).",
          placeholder: "10",
          secret: false,
          title: "A",
          type: "number",
        },
        b: {
          advanced: false,
          description: "The second number (B).",
          placeholder: "5",
          secret: false,
          title: "B",
          type: "number",
        },
        round_result: {
          advanced: true,
          default: false,
          description: "Round the result to the nearest whole number.",
          secret: false,
          title: "Round Result",
          type: "boolean",
        },
      },
      required: ["operation", "a", "b"],
      title: "Input",
      type: "object",
    },
    outputSchema: {
      properties: {
        error: {
          advanced: true,
          default: "",
          description: "What went wrong, when the block fails.",
          secret: false,
          title: "Error",
          type: "string",
        },
        result: {
          advanced: false,
          description: "The result of A (operation) B.",
          secret: false,
          title: "Result",
          type: "number",
        },
      },
      required: ["result"],
      title: "Output",
      type: "object",
    },
    staticOutput: false,
    uiType: "Standard",
    costs: [],
    contributors: [],
    disabled: false,
  },
  {
    id: "db7d8f02-2f44-4c55-ab7a-eae0941f0c30",
    name: "FillTextTemplateBlock",
    description:
      "Fills a Jinja2 template with named values, e.g. 'Hello {{ name }}'. Connect values to the pins values_#_<name>; loops and conditions ({% for %}, {% if %}) work too.",
    categories: [
      {
        category: "TEXT",
        description: "Blocks that work on text.",
      },
    ],
    inputSchema: {
      properties: {
        values: {
          additionalProperties: true,
          advanced: false,
          description: "Named values for the template; use each as {{ name }}.",
          secret: false,
          title: "Values",
          type: "object",
        },
        format: {
          advanced: false,
          description: "The template, in Jinja2 syntax.",
          placeholder: "Hello {{ name }}!",
          secret: false,
          title: "Format",
          type: "string",
        },
        escape_html: {
          advanced: true,
          default: false,
          description: "Escape HTML special characters in inserted values (for HTML output).",
          secret: false,
          title: "Escape Html",
          type: "boolean",
        },
      },
      required: ["format"],
      title: "Input",
      type: "object",
    },
    outputSchema: {
      properties: {
        error: {
          advanced: true,
          default: "",
          description: "What went wrong, when the block fails.",
          secret: false,
          title: "Error",
          type: "string",
        },
        output: {
          advanced: false,
          description: "The filled-in text.",
          secret: false,
          title: "Output",
          type: "string",
        },
      },
      required: ["output"],
      title: "Output",
      type: "object",
    },
    staticOutput: false,
    uiType: "Standard",
    costs: [],
    contributors: [],
    disabled: false,
  },
  {
    id: "7fcd3bcb-8e1b-4e69-903d-32d3d4a92158",
    name: "AgentShortTextInputBlock",
    description: "A one-line text input of your agent.",
    categories: [
      {
        category: "BASIC",
        description: "Basic building blocks.",
      },
      {
        category: "INPUT",
        description: "Blocks that take an agent's inputs.",
      },
    ],
    inputSchema: {
      properties: {
        name: {
          advanced: false,
          description: "The input's name, used as its key in a run.",
          secret: false,
          title: "Name",
          type: "string",
        },
        value: {
          advanced: false,
          anyOf: [
            {
              type: "string",
            },
            {
              type: "null",
            },
          ],
          default: null,
          description: "Short text input.",
          format: "short-text",
          secret: false,
          title: "Default Value",
        },
        title: {
          advanced: true,
          anyOf: [
            {
              type: "string",
            },
            {
              type: "null",
            },
          ],
          default: null,
          description: "The label shown to users.",
          secret: false,
          title: "Title",
        },
        description: {
          advanced: true,
          anyOf: [
            {
              type: "string",
            },
            {
              type: "null",
            },
          ],
          default: null,
          description: "Help text shown to users.",
          secret: false,
          title: "Description",
        },
        placeholder_values: {
          advanced: true,
          description: "Example values to suggest to users.",
          items: {},
          secret: false,
          title: "Placeholder Values",
          type: "array",
        },
        advanced: {
          advanced: true,
          default: false,
          description: "Show it among the advanced inputs, if it is optional.",
          secret: false,
          title: "Advanced",
          type: "boolean",
        },
        secret: {
          advanced: true,
          default: false,
          description: "Treat the value as a secret (hidden in the interface).",
          secret: false,
          title: "Secret",
          type: "boolean",
        },
      },
      required: ["name"],
      title: "Input",
      type: "object",
    },
    outputSchema: {
      properties: {
        result: {
          advanced: false,
          description: "The text given.",
          secret: false,
          title: "Result",
          type: "string",
        },
      },
      required: ["result"],
      title: "Output",
      type: "object",
    },
    staticOutput: true,
    uiType: "Input",
    costs: [],
    contributors: [],
    disabled: false,
  },
  {
    id: "96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98",
    name: "AgentNumberInputBlock",
    description: "A number input of your agent.",
    categories: [
      {
        category: "BASIC",
        description: "Basic building blocks.",
      },
      {
        category: "INPUT",
        description: "Blocks that take an agent's inputs.",
      },
    ],
    inputSchema: {
      properties: {
        name: {
          advanced: false,
          description: "The input's name, used as its key in a run.",
          secret: false,
          title: "Name",
          type: "string",
        },
        value: {
          advanced: false,
          anyOf: [
            {
              type: "integer",
            },
            {
              type: "number",
            },
            {
              type: "null",
            },
          ],
          default: null,
          description: "Number input.",
          secret: false,
          title: "Default Value",
        },
        title: {
          advanced: true,
          anyOf: [
            {
              type: "string",
            },
            {
              type: "null",
            },
          ],
          default: null,
          description: "The label shown to users.",
          secret: false,
          title: "Title",
        },
        description: {
          advanced: true,
          anyOf: [
            {
              type: "string",
            },
            {
              type: "null",
            },
          ],
          default: null,
          description: "Help text shown to users.",
          secret: false,
          title: "Description",
        },
        placeholder_values: {
          advanced: true,
          description: "Example values to suggest to users.",
          items: {},
          secret: false,
          title: "Placeholder Values",
          type: "array",
        },
        advanced: {
          advanced: true,
          default: false,
          description: "Show it among the advanced inputs, if it is optional.",
          secret: false,
          title: "Advanced",
          type: "boolean",
        },
        secret: {
          advanced: true,
          default: false,
          description: "Treat the value as a secret (hidden in the interface).",
          secret: false,
          title: "Secret",
          type: "boolean",
        },
      },
      required: ["name"],
      title: "Input",
      type: "object",
    },
    outputSchema: {
      properties: {
        result: {
          advanced: false,
          anyOf: [
            {
              type: "integer",
            },
            {
              type: "number",
            },
          ],
          description: "The number given.",
          secret: false,
          title: "Result",
        },
      },
      required: ["result"],
      title: "Output",
      type: "object",
    },
    staticOutput: true,
    uiType: "Input",
    costs: [],
    contributors: [],
    disabled: false,
  },
  {
    id: "363ae599-353e-4804-937e-b2ee3cef3da4",
    name: "AgentOutputBlock",
    description:
      "An output of your agent: the value connected here is shown as a result of each run under this name, optionally formatted with a Jinja2 template.",
    categories: [
      {
        category: "BASIC",
        description: "Basic building blocks.",
      },
      {
        category: "OUTPUT",
        description: "Blocks that give an agent's outputs.",
      },
    ],
    inputSchema: {
      properties: {
        value: {
          advanced: false,
          default: null,
          description: "The value to record as an output.",
          secret: false,
          title: "Value",
        },
        name: {
          advanced: false,
          description: "The output's name, its key in a run's results.",
          secret: false,
          title: "Name",
          type: "string",
        },
        title: {
          advanced: true,
          anyOf: [
            {
              type: "string",
            },
            {
              type: "null",
            },
          ],
          default: null,
          description: "The label shown to users.",
          secret: false,
          title: "Title",
        },
        description: {
          advanced: true,
          anyOf: [
            {
              type: "string",
            },
            {
              type: "null",
            },
          ],
          default: null,
          description: "Help text shown to users.",
          secret: false,
          title: "Description",
        },
        format: {
          advanced: true,
          default: "",
          description:
            "A Jinja2 template for the value, e.g. 'Total: {{ value }}' (the output's name works too). Empty keeps the value as it is.",
          secret: false,
          title: "Format",
          type: "string",
        },
        escape_html: {
          advanced: true,
          default: false,
          description: "Escape HTML special characters inserted by the format.",
          secret: false,
          title: "Escape Html",
          type: "boolean",
        },
        advanced: {
          advanced: true,
          default: false,
          description: "Show it among advanced outputs.",
          secret: false,
          title: "Advanced",
          type: "boolean",
        },
        secret: {
          advanced: true,
          default: false,
          description: "Treat the value as a secret.",
          secret: false,
          title: "Secret",
          type: "boolean",
        },
      },
      required: ["name"],
      title: "Input",
      type: "object",
    },
    outputSchema: {
      properties: {
        output: {
          advanced: false,
          description: "The recorded (and formatted) value.",
          secret: false,
          title: "Output",
        },
        name: {
          advanced: false,
          description: "The output's name.",
          secret: false,
          title: "Name",
        },
      },
      required: ["output", "name"],
      title: "Output",
      type: "object",
    },
    staticOutput: true,
    uiType: "Output",
    costs: [],
    contributors: [],
    disabled: false,
  },
  {
    id: "1ff065e9-88e8-4358-9d82-8dc91f622ba9",
    name: "StoreValueBlock",
    description:
      "Holds a value and sends it on each time it is triggered; its outgoing links are static, so later blocks can reuse the value as often as they run.",
    categories: [
      {
        category: "BASIC",
        description: "Basic building blocks.",
      },
    ],
    inputSchema: {
      properties: {
        input: {
          advanced: false,
          description: "Triggers the block; it is also the value sent when 'data' is empty.",
          secret: false,
          title: "Input",
        },
        data: {
          advanced: false,
          default: null,
          description: "A fixed value to send on instead.",
          secret: false,
          title: "Data",
        },
      },
      required: ["input"],
      title: "Input",
      type: "object",
    },
    outputSchema: {
      properties: {
        error: {
          advanced: true,
          default: "",
          description: "What went wrong, when the block fails.",
          secret: false,
          title: "Error",
          type: "string",
        },
        output: {
          advanced: false,
          description: "'data' when given, otherwise 'input'.",
          secret: false,
          title: "Output",
        },
      },
      required: ["output"],
      title: "Output",
      type: "object",
    },
    staticOutput: true,
    uiType: "Standard",
    costs: [],
    contributors: [],
    disabled: false,
  },
  {
    id: "e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85",
    name: "CombineTextsBlock",
    description: "Joins several texts into one, with an optional delimiter between them.",
    categories: [
      {
        category: "TEXT",
        description: "Blocks that work on text.",
      },
    ],
    inputSchema: {
      properties: {
        input: {
          advanced: false,
          description: "The texts to join, in order (pins input_$_0, input_$_1, ...).",
          items: {
            type: "string",
          },
          secret: false,
          title: "Input",
          type: "array",
        },
        delimiter: {
          advanced: true,
          default: "",
          description: "Put between the texts.",
          secret: false,
          title: "Delimiter",
          type: "string",
        },
      },
      required: ["input"],
      title: "Input",
      type: "object",
    },
    outputSchema: {
      properties: {
        error: {
          advanced: true,
          default: "",
          description: "What went wrong, when the block fails.",
          secret: false,
          title: "Error",
          type: "string",
        },
        output: {
          advanced: false,
          description: "The joined text.",
          secret: false,
          title: "Output",
          type: "string",
        },
      },
      required: ["output"],
      title: "Output",
      type: "object",
    },
    staticOutput: false,
    uiType: "Standard",
    costs: [],
    contributors: [],
    disabled: false,
  },
  {
    id: "cc10ff7b-7753-4ff2-9af6-9399b1a7eddc",
    name: "NoteBlock",
    description: "A sticky note on the canvas, to explain your agent. It never runs.",
    categories: [
      {
        category: "BASIC",
        description: "Basic building blocks.",
      },
    ],
    inputSchema: {
      properties: {
        text: {
          advanced: false,
          description: "The text of the note.",
          secret: false,
          title: "Text",
          type: "string",
        },
      },
      required: ["text"],
      title: "Input",
      type: "object",
    },
    outputSchema: {
      properties: {
        error: {
          advanced: true,
          default: "",
          description: "What went wrong, when the block fails.",
          secret: false,
          title: "Error",
          type: "string",
        },
        output: {
          advanced: false,
          description: "The text of the note.",
          secret: false,
          title: "Output",
          type: "string",
        },
      },
      required: ["output"],
      title: "Output",
      type: "object",
    },
    staticOutput: false,
    uiType: "Note",
    costs: [],
    contributors: [],
    disabled: false,
  },
  {
    id: "715696a0-e1da-45c8-b209-c2fa9c3b0be6",
    name: "ConditionBlock",
    description:
      "Compares two values (equal, greater than, ...) and sends a value on 'yes_output' or 'no_output': the if/else of an agent. Numbers written as text compare as numbers.",
    categories: [
      {
        category: "LOGIC",
        description: "Comparisons, branching and arithmetic.",
      },
    ],
    inputSchema: {
      $defs: {
        ComparisonOperator: {
          enum: ["==", "!=", ">", "<", ">=", "<="],
          title: "ComparisonOperator",
          type: "string",
        },
      },
      properties: {
        value1: {
          advanced: false,
          description: "The first value.",
          placeholder: "10",
          secret: false,
          title: "Value1",
        },
        operator: {
          $ref: "#/$defs/ComparisonOperator",
          advanced: false,
          description: "How to compare them.",
          secret: false,
        },
        value2: {
          advanced: false,
          description: "The second value.",
          placeholder: "20",
          secret: false,
          title: "Value2",
        },
        yes_value: {
          advanced: true,
          default: null,
          description: "Sent when the condition holds; empty sends value1.",
          secret: false,
          title: "Yes Value",
        },
        no_value: {
          advanced: true,
          default: null,
          description: "Sent when it does not; empty sends value2.",
          secret: false,
          title: "No Value",
        },
      },
      required: ["value1", "operator", "value2"],
      title: "Input",
      type: "object",
    },
    outputSchema: {
      properties: {
        error: {
          advanced: true,
          default: "",
          description: "What went wrong, when the block fails.",
          secret: false,
          title: "Error",
          type: "string",
        },
        result: {
          advanced: false,
          description: "Whether the condition holds.",
          secret: false,
          title: "Result",
          type: "boolean",
        },
        yes_output: {
          advanced: false,
          description: "The 'yes' value, when it holds.",
          secret: false,
          title: "Yes Output",
        },
        no_output: {
          advanced: false,
          description: "The 'no' value, when it does not.",
          secret: false,
          title: "No Output",
        },
      },
      required: ["result", "yes_output", "no_output"],
      title: "Output",
      type: "object",
    },
    staticOutput: false,
    uiType: "Standard",
    costs: [],
    contributors: [],
    disabled: false,
  },
  {
    id: "cbf36ab5-df4a-43b6-8a7f-f7ed8652116e",
    name: "AgentToggleInputBlock",
    description: "A yes/no switch input of your agent.",
    categories: [
      {
        category: "BASIC",
        description: "Basic building blocks.",
      },
      {
        category: "INPUT",
        description: "Blocks that take an agent's inputs.",
      },
    ],
    inputSchema: {
      properties: {
        name: {
          advanced: false,
          description: "The input's name, used as its key in a run.",
          secret: false,
          title: "Name",
          type: "string",
        },
        value: {
          advanced: false,
          default: false,
          description: "On or off.",
          secret: false,
          title: "Default Value",
          type: "boolean",
        },
        title: {
          advanced: true,
          anyOf: [
            {
              type: "string",
            },
            {
              type: "null",
            },
          ],
          default: null,
          description: "The label shown to users.",
          secret: false,
          title: "Title",
        },
        description: {
          advanced: true,
          anyOf: [
            {
              type: "string",
            },
            {
              type: "null",
            },
          ],
          default: null,
          description: "Help text shown to users.",
          secret: false,
          title: "Description",
        },
        placeholder_values: {
          advanced: true,
          description: "Example values to suggest to users.",
          items: {},
          secret: false,
          title: "Placeholder Values",
          type: "array",
        },
        advanced: {
          advanced: true,
          default: false,
          description: "Show it among the advanced inputs, if it is optional.",
          secret: false,
          title: "Advanced",
          type: "boolean",
        },
        secret: {
          advanced: true,
          default: false,
          description: "Treat the value as a secret (hidden in the interface).",
          secret: false,
          title: "Secret",
          type: "boolean",
        },
      },
      required: ["name"],
      title: "Input",
      type: "object",
    },
    outputSchema: {
      properties: {
        result: {
          advanced: false,
          description: "True when switched on.",
          secret: false,
          title: "Result",
          type: "boolean",
        },
      },
      required: ["result"],
      title: "Output",
      type: "object",
    },
    staticOutput: true,
    uiType: "Input",
    costs: [],
    contributors: [],
    disabled: false,
  },
];

export function block(name: string): BlockInfo {
  const found = BLOCKS.find((b) => b.name === name);
  if (!found) throw new Error(`no fixture block ${name}`);
  return found;
}
