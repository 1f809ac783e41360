/**
 * Unsaved canvases kept in localStorage, so a reload, a crash or an expired session
 * loses nothing. One draft per agent (and one for a new, never-saved agent).
 */
import type { Graph } from "../../api/types";

const PREFIX = "blockyard.draft.";

export interface Draft {
  graph: Graph;
  /** The saved version the draft started from (0 for a new agent). */
  baseVersion: number;
  savedAt: number;
}

export function draftKey(graphId: string | undefined): string {
  return `${PREFIX}${graphId ?? "new"}`;
}

export function saveDraft(graphId: string | undefined, draft: Draft): void {
  try {
    localStorage.setItem(draftKey(graphId), JSON.stringify(draft));
  } catch {
    // Storage full or blocked: the canvas still works, it just cannot be kept.
  }
}

export function loadDraft(graphId: string | undefined): Draft | null {
  try {
    const raw = localStorage.getItem(draftKey(graphId));
    return raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    return null;
  }
}

export function clearDraft(graphId: string | undefined): void {
  localStorage.removeItem(draftKey(graphId));
}
