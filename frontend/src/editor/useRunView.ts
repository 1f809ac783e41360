/**
 * Follow one execution outside the canvas store: a sub-agent run shown inside its parent's
 * run view. Same rules as the canvas's live view (seed from the stored run, then apply
 * socket events by `seq`), kept in component state so any number can be open at once.
 */
import { useEffect, useState } from "react";
import { api } from "../api/endpoints";
import { liveSocket } from "../api/ws";
import type { RunState } from "./run";
import {
  applyChild,
  applyGraphEvent,
  applyNodeExecution,
  applyStream,
  isTerminal,
  mergeExecution,
  pendingRun,
} from "./run";

export function useRunView(graphId: string, execId: string, live: boolean): RunState | null {
  const [run, setRun] = useState<RunState | null>(null);

  useEffect(() => {
    let cancelled = false;
    let current = pendingRun(graphId, execId);
    const update = (next: RunState) => {
      if (next === current || cancelled) return;
      current = next;
      setRun(next);
    };
    const refresh = async () => {
      const execution = await api.getExecution(graphId, execId);
      update(mergeExecution(current, execution));
    };
    const unsubscribe = live
      ? liveSocket.subscribe(execId, {
          lastSeq: () => current.lastSeq,
          onNode: (event) => {
            if (event.graph_exec_id === execId) update(applyNodeExecution(current, event));
          },
          onGraph: (event) => {
            update(applyGraphEvent(current, event));
            if (isTerminal(event.status)) void refresh().catch(() => undefined);
          },
          onStream: (event) => update(applyStream(current, event)),
          onChild: (event) => update(applyChild(current, event)),
        })
      : undefined;
    void refresh().catch(() => undefined);
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  }, [graphId, execId, live]);

  return run;
}
