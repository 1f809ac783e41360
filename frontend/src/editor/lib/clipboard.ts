/**
 * Copied nodes live in localStorage, so they paste into another agent or another tab.
 * Falls back to nothing (the store keeps its own copy) when storage is unavailable.
 */
import type { BlockFlowNode, LinkFlowEdge } from "./convert";

const KEY = "blockyard.clipboard";

export interface Clip {
  nodes: BlockFlowNode[];
  edges: LinkFlowEdge[];
}

export function writeClipboard(clip: Clip): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(clip));
  } catch {
    // Full or blocked storage: copy and paste still work inside this canvas.
  }
}

export function readClipboard(): Clip | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const clip = JSON.parse(raw) as Partial<Clip>;
    return Array.isArray(clip.nodes) && Array.isArray(clip.edges) ? (clip as Clip) : null;
  } catch {
    return null;
  }
}
