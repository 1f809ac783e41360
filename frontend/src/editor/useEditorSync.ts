/**
 * Keeping the canvas store in step with the world around it: the block catalogue, the
 * run in the URL, the graph version that run used, and a session that ends.
 */
import { useEffect } from "react";
import { api } from "../api/endpoints";
import { onSessionChange } from "../api/session";
import type { BlockInfo } from "../api/types";
import { useCanvas } from "./context";
import { saveDraft } from "./lib/draft";
import type { CanvasStore } from "./store";

export function useEditorSync(
  store: CanvasStore,
  graphId: string | undefined,
  execId: string | undefined,
  blocks: BlockInfo[] | undefined,
): void {
  useEffect(() => {
    if (blocks) store.getState().setBlocks(blocks);
  }, [blocks, store]);

  useEffect(() => {
    if (!execId) store.getState().watchRun(null);
  }, [execId, store]);

  // A past run of another version is shown on the graph it ran, not on today's.
  const runVersion = useCanvas((s) => s.run?.graphVersion ?? null);
  const loadedId = useCanvas((s) => s.header.id);
  useEffect(() => {
    const s = store.getState();
    const otherVersion = runVersion !== null && runVersion > 0 && runVersion !== s.header.version;
    if (!graphId || !loadedId || s.dirty || !otherVersion) return;
    void api.getGraph(graphId, runVersion).then((g) => store.getState().load(g));
  }, [runVersion, graphId, store, loadedId]);

  // When the session ends, keep the unsaved canvas at once (the debounced draft may lag).
  useEffect(
    () =>
      onSessionChange((reason) => {
        const s = store.getState();
        if (reason === "expired" && s.dirty) {
          saveDraft(graphId, { graph: s.toGraph(), baseVersion: s.header.version, savedAt: Date.now() });
        }
      }),
    [store, graphId],
  );
}
