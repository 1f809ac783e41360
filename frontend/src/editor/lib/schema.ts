/**
 * Reading block JSON Schemas the way Pydantic writes them: `$ref`s into `$defs`,
 * `anyOf: [X, {type: null}]` for optional fields, and the SchemaField UI hints.
 */
import type { JSONSchema } from "../../api/types";

export interface SchemaProperty {
  name: string;
  schema: JSONSchema;
  required: boolean;
  /** True when `null` is one of the accepted values (an Optional field). */
  nullable: boolean;
}

/**
 * Inline a `$ref`. The referenced type's title ("ComparisonOperator", "CredentialsMeta")
 * names a class, not the field, so it is dropped: the field keeps its own title, or
 * `titleOf` derives one from the field's name.
 */
function resolveRef(schema: JSONSchema, root: JSONSchema): JSONSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace(/^#\/(\$defs|definitions)\//, "");
  const target = root.$defs?.[name] ?? (root.definitions as Record<string, JSONSchema> | undefined)?.[name];
  if (!target) return schema;
  const { $ref: _ref, ...rest } = schema;
  const { title: _typeName, ...type } = resolveRef(target, root);
  return { ...type, ...rest };
}

function isNull(schema: JSONSchema): boolean {
  return schema.type === "null";
}

/** Inline refs, fold single-item allOf/anyOf and strip the `null` branch of Optionals. */
export function normalize(schema: JSONSchema, root: JSONSchema): { schema: JSONSchema; nullable: boolean } {
  let current = resolveRef(schema, root);
  if (current.allOf?.length === 1 && current.allOf[0]) {
    const { allOf: _all, ...rest } = current;
    current = { ...resolveRef(current.allOf[0], root), ...rest };
  }
  const union = current.anyOf ?? current.oneOf;
  if (!union) return { schema: current, nullable: false };
  const branches = union.map((s) => resolveRef(s, root));
  const nonNull = branches.filter((s) => !isNull(s));
  const nullable = nonNull.length < branches.length;
  const { anyOf: _any, oneOf: _one, ...rest } = current;
  if (nonNull.length === 1 && nonNull[0]) {
    return { schema: { ...nonNull[0], ...rest }, nullable };
  }
  if (nonNull.length > 1 && nonNull.every((s) => s.type === "integer" || s.type === "number")) {
    // `int | float` is just a number to a person filling a form.
    return { schema: { ...rest, type: "number" }, nullable };
  }
  return { schema: { ...rest, anyOf: nonNull }, nullable };
}

/** The properties of an object schema in declaration order, normalised. */
export function properties(root: JSONSchema): SchemaProperty[] {
  const required = new Set(root.required ?? []);
  return Object.entries(root.properties ?? {}).map(([name, raw]) => {
    const { schema, nullable } = normalize(raw, root);
    return { name, schema, required: required.has(name), nullable };
  });
}

export function propertyOf(root: JSONSchema, name: string): SchemaProperty | undefined {
  const raw = root.properties?.[name];
  if (!raw) return undefined;
  const { schema, nullable } = normalize(raw, root);
  return { name, schema, required: (root.required ?? []).includes(name), nullable };
}

/** The schema of one element of a list, or one value of a dictionary, if declared. */
export function elementSchema(schema: JSONSchema, root: JSONSchema): JSONSchema {
  if (schema.type === "array" && schema.items) return normalize(schema.items, root).schema;
  if (typeof schema.additionalProperties === "object") {
    return normalize(schema.additionalProperties, root).schema;
  }
  return {};
}

export function titleOf(prop: SchemaProperty): string {
  if (prop.schema.title) return prop.schema.title;
  const words = prop.name.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function isCredentials(schema: JSONSchema): boolean {
  return Array.isArray(schema.credentials_provider) || schema.credentials_types !== undefined;
}
