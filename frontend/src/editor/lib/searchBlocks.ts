import type { BlockInfo } from "../../api/types";
import { displayName } from "./blockName";

/** Blocks that match every word of the query in their name, description or category. */
export function searchBlocks(blocks: BlockInfo[], query: string, category: string | null): BlockInfo[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return blocks
    .filter((b) => !b.disabled)
    .filter((b) => !category || b.categories.some((c) => c.category === category))
    .filter((b) => {
      const hay =
        `${b.name} ${displayName(b)} ${b.description} ${b.categories.map((c) => c.category).join(" ")}`.toLowerCase();
      return words.every((w) => hay.includes(w));
    })
    .sort((a, b) => rank(a, words) - rank(b, words) || a.name.localeCompare(b.name));
}

function rank(block: BlockInfo, words: string[]): number {
  const name = block.name.toLowerCase();
  return words.length && words.every((w) => name.includes(w)) ? 0 : 1;
}
