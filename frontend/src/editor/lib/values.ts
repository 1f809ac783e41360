/** Reading what people type into free-form fields. */

/**
 * For untyped (Any) and structured inputs: JSON when it parses, plain text otherwise,
 * so `hello` is a string and `[1, 2]` a list.
 */
export function parseLoose(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

const VARIABLE = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

/** Variables a Jinja template reads, shown so users see what pins to fill. */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1] ?? ""))].filter(Boolean);
}
