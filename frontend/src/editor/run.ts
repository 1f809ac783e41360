/**
 * The state of the execution shown on the canvas, and how events change it.
 *
 * Pure functions, so the store stays small and the ordering rules (ignore stale events,
 * catch up by `seq`) are tested on their own. Each update replaces only the entry of the
 * node it concerns, so a node's selector sees a new object only when its own status moves.
 */
import type {
  ExecutionStatus,
  GraphExecution,
  GraphExecutionEvent,
  GraphExecutionMeta,
  NodeExecution,
  NodeExecutionStream,
} from "../api/types";
import { TERMINAL_STATUSES } from "../api/types";

export interface NodeRunView {
  status: ExecutionStatus;
  /** How many times this node has run (or been queued) in this execution. */
  count: number;
  last: NodeExecution;
}

export interface RunState {
  execId: string;
  graphId: string;
  graphVersion: number;
  status: ExecutionStatus;
  createdAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown[]>;
  error: string | null;
  nodes: Record<string, NodeRunView>;
  execs: Record<string, NodeExecution>;
  /** Sub-agent runs started by this run's Agent Executor nodes, by that node execution's id. */
  children: Record<string, GraphExecutionMeta>;
  lastSeq: number;
}

export function isTerminal(status: ExecutionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function runFromMeta(meta: GraphExecutionMeta): RunState {
  return {
    execId: meta.id,
    graphId: meta.graph_id,
    graphVersion: meta.graph_version,
    status: meta.status,
    createdAt: meta.created_at,
    startedAt: meta.started_at,
    endedAt: meta.ended_at,
    inputs: meta.inputs,
    outputs: {},
    error: meta.error,
    nodes: {},
    execs: {},
    children: {},
    lastSeq: 0,
  };
}

/** A view for an execution known only by id, filled in by events and the stored snapshot. */
export function pendingRun(graphId: string, execId: string): RunState {
  return {
    ...runFromMeta({
      id: execId,
      graph_id: graphId,
      graph_version: 0,
      user_id: "",
      status: "QUEUED",
      created_at: new Date().toISOString(),
      started_at: null,
      ended_at: null,
      inputs: {},
      error: null,
    }),
  };
}

export function applyNodeExecution(run: RunState, event: NodeExecution): RunState {
  const previous = run.execs[event.node_exec_id];
  if (previous && previous.seq >= event.seq) return run;
  const view = run.nodes[event.node_id];
  const latest = !view || view.last.node_exec_id === event.node_exec_id || !previous;
  const nodes = latest
    ? {
        ...run.nodes,
        [event.node_id]: {
          status: event.status,
          count: (view?.count ?? 0) + (previous ? 0 : 1),
          last: event,
        },
      }
    : run.nodes;
  return {
    ...run,
    nodes,
    execs: { ...run.execs, [event.node_exec_id]: event },
    lastSeq: Math.max(run.lastSeq, event.seq),
  };
}

export function applyGraphEvent(run: RunState, event: GraphExecutionEvent): RunState {
  if (event.id !== run.execId) return run;
  if (isTerminal(run.status) && !isTerminal(event.status)) return run;
  return {
    ...run,
    status: event.status,
    startedAt: event.started_at,
    endedAt: event.ended_at,
    outputs: event.outputs,
    error: event.error,
    lastSeq: Math.max(run.lastSeq, event.seq),
  };
}

/** Partial output of a running node: shown on the node until its final event lands. */
export function applyStream(run: RunState, event: NodeExecutionStream): RunState {
  const view = run.nodes[event.node_id];
  if (event.graph_exec_id !== run.execId || view?.last.node_exec_id !== event.node_exec_id) return run;
  const previous = view.last.output_data[event.pin] ?? [];
  const last = {
    ...view.last,
    output_data: { ...view.last.output_data, [event.pin]: [...previous, event.value] },
  };
  return { ...run, nodes: { ...run.nodes, [event.node_id]: { ...view, last } } };
}

/**
 * A sub-agent run this run started (from the stored run or a live graph event of the child):
 * kept under the node execution that started it. A finished child never goes back to live.
 */
export function applyChild(run: RunState, child: GraphExecutionMeta): RunState {
  const key = child.parent_node_exec_id;
  if (child.parent_exec_id !== run.execId || !key) return run;
  const previous = run.children[key];
  if (previous && isTerminal(previous.status) && !isTerminal(child.status)) return run;
  return { ...run, children: { ...run.children, [key]: child } };
}

function withChildren(run: RunState, execution: GraphExecution): RunState {
  let merged = run;
  for (const child of execution.children ?? []) merged = applyChild(merged, child);
  return merged;
}

/** A stored execution, replayed in `seq` order into a fresh run view. */
export function runFromExecution(execution: GraphExecution): RunState {
  const sorted = [...execution.node_executions].sort((a, b) => a.seq - b.seq);
  let run = runFromMeta(execution);
  for (const nodeExec of sorted) run = applyNodeExecution(run, nodeExec);
  return withChildren({ ...run, outputs: execution.outputs }, execution);
}

/** Merge a stored snapshot into a live view without going back in time. */
export function mergeExecution(run: RunState, execution: GraphExecution): RunState {
  let merged = withChildren(run, execution);
  for (const nodeExec of [...execution.node_executions].sort((a, b) => a.seq - b.seq)) {
    merged = applyNodeExecution(merged, nodeExec);
  }
  if (isTerminal(merged.status) && !isTerminal(execution.status)) return merged;
  return {
    ...merged,
    graphVersion: execution.graph_version,
    createdAt: execution.created_at,
    inputs: execution.inputs,
    status: execution.status,
    startedAt: execution.started_at,
    endedAt: execution.ended_at,
    outputs: execution.outputs,
    error: execution.error,
  };
}
