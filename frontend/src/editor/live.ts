/**
 * Watch one execution: seed from the store's stored view, then follow the socket.
 *
 * Events carry a `seq`; the view keeps the highest it applied and the socket sends it on
 * every (re)subscribe, so a dropped connection catches up instead of missing steps.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "../api/endpoints";
import { keys } from "../api/queries";
import type { SocketState } from "../api/ws";
import { liveSocket } from "../api/ws";
import type { CanvasStore } from "./store";
import { isTerminal, pendingRun } from "./run";

export function useLiveExecution(
  store: CanvasStore,
  graphId: string | null,
  execId: string | null,
): SocketState {
  const queryClient = useQueryClient();
  const [socketState, setSocketState] = useState<SocketState>(liveSocket.state);

  useEffect(() => liveSocket.onState(setSocketState), []);
  useEffect(() => liveSocket.hold(), []);

  useEffect(() => {
    if (!graphId || !execId) return;
    let cancelled = false;
    if (store.getState().run?.execId !== execId) store.getState().watchRun(pendingRun(graphId, execId));
    const refresh = async () => {
      const execution = await api.getExecution(graphId, execId);
      if (!cancelled) store.getState().loadExecution(execution);
    };
    const unsubscribe = liveSocket.subscribe(execId, {
      lastSeq: () => store.getState().run?.lastSeq ?? 0,
      onNode: (event) => store.getState().applyNodeEvent(event),
      onStream: (event) => store.getState().applyStream(event),
      onChild: (event) => store.getState().applyChildEvent(event),
      onGraph: (event) => {
        store.getState().applyGraphEvent(event);
        if (isTerminal(event.status)) {
          void refresh();
          void queryClient.invalidateQueries({ queryKey: keys.graphExecutions(graphId) });
          void queryClient.invalidateQueries({ queryKey: keys.executions });
        }
      },
    });
    void refresh().catch(() => undefined);
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [store, graphId, execId, queryClient]);

  return socketState;
}
