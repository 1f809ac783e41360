/**
 * Loading, drafting and saving the agent on the canvas.
 *
 * A loaded graph is replaced by its local draft when one exists for the same version, so
 * unsaved work survives reloads and expired sessions. Saving flags missing required
 * inputs first, then shows the server's per-node problems on the nodes.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ApiError } from "../api/client";
import { api } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Graph } from "../api/types";
import { toast } from "../ui/toasts";
import { consumeReady, handOff } from "./handoff";
import { clearDraft, loadDraft, saveDraft } from "./lib/draft";
import { groupProblems, missingRequiredInputs } from "./lib/validate";
import type { CanvasStore } from "./store";

export type LoadState = "loading" | "ready" | "error";

export function useGraphDocument(
  store: CanvasStore,
  graphId: string | undefined,
  version: number | undefined,
) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const key = `${graphId ?? "new"}@${version ?? "active"}`;
  const [loaded, setLoaded] = useState<{ key: string; state: LoadState } | null>(null);
  const [restoredDraft, setRestoredDraft] = useState<number | null>(null);
  const state: LoadState = loaded?.key === key ? loaded.state : "loading";
  const untitled = t("editor.untitled");

  useEffect(() => {
    let cancelled = false;
    const apply = (graph: Graph) => {
      if (cancelled) return;
      const draft = loadDraft(graphId);
      if (draft && draft.baseVersion === graph.version && version === undefined) {
        store.getState().load(draft.graph, { dirty: true });
        setRestoredDraft(draft.savedAt);
      } else {
        store.getState().load(graph);
      }
      setLoaded({ key, state: "ready" });
    };
    const blank: Graph = {
      id: "",
      version: 0,
      is_active: true,
      name: untitled,
      description: "",
      nodes: [],
      links: [],
    };
    if (consumeReady(store)) {
      // Handed over from /agents/new right after its first save: already the saved graph.
      void Promise.resolve().then(() => !cancelled && setLoaded({ key, state: "ready" }));
      return () => {
        cancelled = true;
      };
    }
    const source = graphId ? api.getGraph(graphId, version) : Promise.resolve(blank);
    source.then(apply, () => !cancelled && setLoaded({ key, state: "error" }));
    return () => {
      cancelled = true;
    };
  }, [store, graphId, version, key, untitled]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = store.subscribe((s, prev) => {
      if (!s.dirty || (s.nodes === prev.nodes && s.edges === prev.edges && s.header === prev.header)) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const current = store.getState();
        saveDraft(graphId, {
          graph: current.toGraph(),
          baseVersion: current.header.version,
          savedAt: Date.now(),
        });
      }, 400);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store, graphId]);

  const discardDraft = useCallback(async () => {
    clearDraft(graphId);
    setRestoredDraft(null);
    if (graphId) store.getState().load(await api.getGraph(graphId, version));
  }, [store, graphId, version]);

  /** Save as a new version; resolves to the saved graph, or null when it was refused. */
  const save = useCallback(async (): Promise<Graph | null> => {
    const s = store.getState();
    const missing = missingRequiredInputs(s.nodes, s.edges, s.blocks);
    if (missing.length) {
      s.setProblems(
        groupProblems(
          missing.map((m) => ({ node_id: m.nodeId, field: m.field, message: t("node.missingRequired") })),
        ),
      );
      toast.error(t("editor.missingInputs", { count: missing.length }));
      return null;
    }
    try {
      const graph = s.toGraph();
      const saved = s.header.id ? await api.updateGraph(s.header.id, graph) : await api.createGraph(graph);
      clearDraft(graphId);
      clearDraft(saved.id);
      store.getState().load(saved);
      if (saved.id !== graphId) handOff(saved.id, store);
      setRestoredDraft(null);
      void queryClient.invalidateQueries({ queryKey: keys.graphs });
      void queryClient.invalidateQueries({ queryKey: keys.versions(saved.id) });
      toast.success(t("editor.saved", { version: saved.version }));
      return saved;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        // The session ended: the login page says so, and the canvas is kept as a draft.
      } else if (error instanceof ApiError && error.problems.length) {
        store.getState().setProblems(groupProblems(error.problems));
        toast.error(t("editor.saveProblems", { count: error.problems.length }));
      } else {
        toast.error(
          t("editor.saveFailed", { message: error instanceof Error ? error.message : String(error) }),
        );
      }
      return null;
    }
  }, [store, graphId, queryClient, t]);

  /** Make an older version the active one (runs and the API use it), then show it. */
  const restoreVersion = useCallback(
    async (v: number) => {
      if (!graphId) return;
      try {
        await api.setActiveVersion(graphId, v);
        void queryClient.invalidateQueries({ queryKey: keys.versions(graphId) });
        toast.success(t("history.restored", { version: v }));
        void navigate(`/agents/${graphId}?version=${v}`);
      } catch (error) {
        toast.error(error instanceof Error ? error.message : String(error));
      }
    },
    [graphId, queryClient, t, navigate],
  );

  return { state, save, restoredDraft, discardDraft, restoreVersion };
}
