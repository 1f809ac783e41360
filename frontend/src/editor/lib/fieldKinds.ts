/**
 * Which form widget edits a block input, decided from its JSON Schema alone.
 *
 * Kept apart from the widgets so the mapping can be tested without rendering.
 */
import type { JSONSchema } from "../../api/types";
import type { SchemaProperty } from "./schema";
import { isCredentials } from "./schema";

export type FieldKind =
  | "text"
  | "multiline"
  | "template"
  | "secret"
  | "number"
  | "integer"
  | "boolean"
  | "enum"
  | "list"
  | "dict"
  | "credentials"
  | "date"
  | "time"
  | "json";

/** Field names that hold a Jinja template in AutoGPT's blocks (FillTextTemplate, Agent Output). */
const TEMPLATE_NAMES = new Set(["format", "template"]);
const LONG_TEXT_NAMES = new Set(["prompt", "sys_prompt", "text", "body", "code", "content"]);

function textKind(name: string, schema: JSONSchema): FieldKind {
  if (schema.secret) return "secret";
  if (schema.format === "template" || TEMPLATE_NAMES.has(name)) return "template";
  if (schema.format === "long-text" || schema.multiline === true) return "multiline";
  if (schema.format === "date") return "date";
  if (schema.format === "time") return "time";
  if (LONG_TEXT_NAMES.has(name) && schema.maxLength === undefined) return "multiline";
  return "text";
}

export function fieldKind(prop: SchemaProperty): FieldKind {
  const { schema, name } = prop;
  if (isCredentials(schema)) return "credentials";
  if (schema.enum && schema.enum.length > 0) return "enum";
  if (schema.anyOf) return "json";
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "string":
      return textKind(name, schema);
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    case "array":
      return "list";
    case "object":
      return schema.properties ? "json" : "dict";
    default:
      return "json";
  }
}

/** Does a value count as filled for a required field? */
export function hasValue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  return true;
}
