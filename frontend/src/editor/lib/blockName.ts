import type { BlockInfo } from "../../api/types";

/**
 * "FillTextTemplateBlock" -> "Fill Text Template": how the UI names a block. An acronym
 * stays whole and ends where the next word's capital begins ("AITextGenerator" ->
 * "AI Text Generator", "ReadRSSFeed" -> "Read RSS Feed"), and a plural acronym keeps its
 * "s" ("ExtractURLs" -> "Extract URLs").
 */
export function displayName(block: Pick<BlockInfo, "name">): string {
  return block.name
    .replace(/Block$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z])([A-Z](?!s(?:[A-Z]|$))[a-z])/g, "$1 $2");
}

/** The category that colours a block: its most specific one (BASIC only as a last resort). */
export function primaryCategory(block: BlockInfo): string {
  return (block.categories.find((c) => c.category !== "BASIC") ?? block.categories[0])?.category ?? "BASIC";
}

/** How a run view names a node: its block, and the name given to it (an input's, say). */
export function nodeLabel(
  block: BlockInfo | undefined,
  inputs: Record<string, unknown>,
  nodeId: string,
): string {
  if (!block) return nodeId.slice(0, 8);
  const name = typeof inputs.name === "string" && inputs.name ? ` · ${inputs.name}` : "";
  return `${displayName(block)}${name}`;
}
