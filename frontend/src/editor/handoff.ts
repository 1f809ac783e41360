/**
 * When a new agent is saved its URL changes from /agents/new to /agents/<id>, which mounts
 * a new editor. The saved canvas store is handed over so that editor starts with it (no
 * reload, no flash, the run being started keeps its state) instead of fetching it again.
 */
import type { CanvasStore } from "./store";

let pending: { graphId: string; store: CanvasStore } | null = null;
const ready = new WeakSet<CanvasStore>();

export function handOff(graphId: string, store: CanvasStore): void {
  pending = { graphId, store };
}

/** The store handed over for this agent, if any; it counts as loaded. */
export function takeHandoff(graphId: string | undefined): CanvasStore | null {
  if (!graphId || pending?.graphId !== graphId) return null;
  const { store } = pending;
  pending = null;
  ready.add(store);
  return store;
}

/** True once for a handed-over store: its graph is already the saved one. */
export function consumeReady(store: CanvasStore): boolean {
  return ready.delete(store);
}
