/**
 * Types of pins and whether an output may feed an input.
 *
 * A pin's type comes from its JSON Schema. The check mirrors what the backend's Pydantic
 * validation accepts without surprises: same family, integer into number, anything into
 * an untyped (Any) pin, and unions when any branch fits.
 */
import type { JSONSchema } from "../../api/types";
import { normalize } from "./schema";

export type PinKind = "text" | "number" | "integer" | "boolean" | "list" | "dict" | "credentials" | "any";

const BY_JSON_TYPE: Record<string, PinKind> = {
  string: "text",
  number: "number",
  integer: "integer",
  boolean: "boolean",
  array: "list",
  object: "dict",
};

/** Every kind a schema admits (one for plain types, several for unions). */
export function pinKinds(raw: JSONSchema | undefined, root: JSONSchema = {}): PinKind[] {
  if (!raw) return ["any"];
  const { schema } = normalize(raw, root);
  if (Array.isArray(schema.credentials_provider)) return ["credentials"];
  if (schema.anyOf?.length) {
    const kinds = schema.anyOf.flatMap((branch) => pinKinds(branch, root));
    return kinds.includes("any") ? ["any"] : [...new Set(kinds)];
  }
  if (schema.enum) return ["text"];
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const kinds = types.filter((t) => t !== "null").map((t) => BY_JSON_TYPE[t] ?? "any");
  return kinds.length === 0 || kinds.includes("any") ? ["any"] : [...new Set(kinds)];
}

function fits(source: PinKind, sink: PinKind): boolean {
  if (source === sink || source === "any" || sink === "any") return true;
  return source === "integer" && sink === "number";
}

/** Can a value of `source` go into `sink`? True when some pair of their kinds fits. */
export function compatible(source: PinKind[], sink: PinKind[]): boolean {
  return source.some((s) => sink.some((k) => fits(s, k)));
}

/** The kind that names a pin in the UI and colours its handle. */
export function primaryKind(kinds: PinKind[]): PinKind {
  return kinds.length === 1 && kinds[0] ? kinds[0] : "any";
}

export const KIND_COLOURS: Record<PinKind, string> = {
  text: "var(--pin-text)",
  number: "var(--pin-number)",
  integer: "var(--pin-number)",
  boolean: "var(--pin-boolean)",
  list: "var(--pin-list)",
  dict: "var(--pin-dict)",
  credentials: "var(--pin-credentials)",
  any: "var(--pin-any)",
};
