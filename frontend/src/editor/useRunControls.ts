/** Starting, stopping and re-running executions from the editor. */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ApiError } from "../api/client";
import { api } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Graph } from "../api/types";
import { toast } from "../ui/toasts";
import { groupProblems } from "./lib/validate";
import { runFromMeta } from "./run";
import type { CanvasStore } from "./store";

export function useRunControls(store: CanvasStore, save: () => Promise<Graph | null>) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const fail = useCallback(
    (error: unknown) => {
      if (error instanceof ApiError && error.problems.length) {
        store.getState().setProblems(groupProblems(error.problems));
      }
      toast.error(
        t("run.failedToStart", { message: error instanceof Error ? error.message : String(error) }),
      );
    },
    [t, store],
  );

  const follow = useCallback(
    (graphId: string, execId: string) => {
      void navigate(`/agents/${graphId}/runs/${execId}`, { replace: true });
      void queryClient.invalidateQueries({ queryKey: keys.graphExecutions(graphId) });
    },
    [navigate, queryClient],
  );

  /** Make sure the canvas is saved; resolve to its id and version, or null. */
  const ensureSaved = useCallback(async () => {
    const s = store.getState();
    if (!s.dirty && s.header.id) return { id: s.header.id, version: s.header.version };
    const saved = await save();
    return saved ? { id: saved.id, version: saved.version } : null;
  }, [store, save]);

  const start = useCallback(
    async (inputs: Record<string, unknown>) => {
      const target = await ensureSaved();
      if (!target) return false;
      try {
        const meta = await api.executeGraph(target.id, target.version, inputs);
        store.getState().watchRun(runFromMeta(meta));
        follow(target.id, meta.id);
        return true;
      } catch (error) {
        fail(error);
        return false;
      }
    },
    [ensureSaved, store, follow, fail],
  );

  const stop = useCallback(async () => {
    const run = store.getState().run;
    if (!run) return;
    try {
      await api.stopExecution(run.graphId, run.execId);
      toast.info(t("run.stopping"));
    } catch (error) {
      fail(error);
    }
  }, [store, t, fail]);

  const rerunFrom = useCallback(
    async (nodeId: string) => {
      const run = store.getState().run;
      if (!run) return;
      try {
        const meta = await api.rerunExecution(run.graphId, run.execId, nodeId);
        store.getState().watchRun(runFromMeta(meta));
        follow(run.graphId, meta.id);
      } catch (error) {
        fail(error);
      }
    },
    [store, follow, fail],
  );

  return { ensureSaved, start, stop, rerunFrom };
}
