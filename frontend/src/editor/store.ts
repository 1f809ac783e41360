/**
 * One store per open canvas, made by `createCanvasStore` and read through selectors.
 *
 * It owns the editable graph (nodes, edges, header), the undo history, the clipboard,
 * per-node validation problems and the execution being watched. Components subscribe to
 * the slice they draw, so a live event re-renders only the node it is about.
 */
import type { Connection, EdgeChange, NodeChange, XYPosition } from "@xyflow/react";
import { addEdge, applyEdgeChanges, applyNodeChanges } from "@xyflow/react";
import { createStore } from "zustand/vanilla";
import type {
  BlockInfo,
  Graph,
  GraphExecution,
  GraphExecutionEvent,
  NodeExecution,
  NodeExecutionStream,
} from "../api/types";
import type { ConnectionProblem } from "./connect";
import { connectionProblem } from "./connect";
import type { BlockFlowNode, GraphHeader, LinkFlowEdge } from "./lib/convert";
import { subAgentInputPatch } from "./lib/agentPins";
import { readClipboard, writeClipboard } from "./lib/clipboard";
import type { Snapshot } from "./lib/graphEdits";
import {
  addDynamicIn,
  cloneWithNewIds,
  defaultsOf,
  patched,
  pruneEdges,
  newId,
  withoutSelection,
} from "./lib/graphEdits";
import { flowToGraph, graphToFlow, isDynamicPin } from "./lib/convert";
import { autoLayout } from "./lib/layout";
import type { RunState } from "./run";
import {
  applyChild,
  applyGraphEvent,
  applyNodeExecution,
  applyStream,
  mergeExecution,
  runFromExecution,
} from "./run";

export interface NodeProblem {
  field: string | null;
  message: string;
}

const HISTORY_LIMIT = 100;

export const EMPTY_HEADER: GraphHeader = {
  id: "",
  version: 0,
  name: "",
  description: "",
  is_active: true,
  sub_graphs: [],
};

export interface CanvasState {
  header: GraphHeader;
  nodes: BlockFlowNode[];
  edges: LinkFlowEdge[];
  blocks: Record<string, BlockInfo>;
  dirty: boolean;
  past: Snapshot[];
  future: Snapshot[];
  lastEditKey: string | null;
  clipboard: Snapshot | null;
  problems: Record<string, NodeProblem[]>;
  run: RunState | null;
  connectHint: ConnectionProblem | null;

  setBlocks: (blocks: BlockInfo[]) => void;
  load: (graph: Graph, options?: { dirty?: boolean }) => void;
  setHeader: (patch: Partial<GraphHeader>) => void;
  toGraph: () => Graph;
  onNodesChange: (changes: NodeChange<BlockFlowNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<LinkFlowEdge>[]) => void;
  checkpoint: () => void;
  addNode: (blockId: string, position: XYPosition) => string;
  connect: (connection: Connection) => ConnectionProblem | null;
  setInput: (nodeId: string, name: string, value: unknown) => void;
  /** An Agent Executor's sub-agent input, kept in its `inputs` (see lib/agentPins.ts). */
  setSubAgentInput: (nodeId: string, name: string, value: unknown) => void;
  /** Several inputs at once, one undo step (`undefined` removes an input). */
  setInputs: (nodeId: string, patch: Record<string, unknown>, undoable?: boolean) => void;
  /** Merge into a node's metadata (`undefined` removes a key), one undo step. */
  setMetadata: (nodeId: string, patch: Record<string, unknown>) => void;
  setEdgeStatic: (edgeId: string, isStatic: boolean) => void;
  deleteSelected: () => void;
  selectAll: () => void;
  copySelected: () => number;
  paste: () => void;
  duplicateSelected: () => void;
  undo: () => void;
  redo: () => void;
  layout: () => void;
  setProblems: (problems: Record<string, NodeProblem[]>) => void;
  setConnectHint: (hint: ConnectionProblem | null) => void;
  watchRun: (run: RunState | null) => void;
  applyNodeEvent: (event: NodeExecution & { graph_exec_id?: string }) => void;
  applyGraphEvent: (event: GraphExecutionEvent) => void;
  /** A sub-agent run of the watched run started or changed. */
  applyChildEvent: (event: GraphExecutionEvent) => void;
  applyStream: (event: NodeExecutionStream) => void;
  loadExecution: (execution: GraphExecution) => void;
}

export type CanvasStore = ReturnType<typeof createCanvasStore>;

export function createCanvasStore(initial?: { blocks?: BlockInfo[]; graph?: Graph }) {
  const store = createStore<CanvasState>()((set, get) => {
    /** Remember the current graph for undo before a change (and forget the redo line). */
    const remember = (editKey: string | null = null) => {
      const { nodes, edges, past, lastEditKey } = get();
      if (editKey !== null && editKey === lastEditKey) return;
      set({
        past: [...past.slice(-HISTORY_LIMIT + 1), { nodes, edges }],
        future: [],
        lastEditKey: editKey,
      });
    };

    const patchNode = (nodeId: string, patch: (n: BlockFlowNode) => BlockFlowNode) =>
      set((s) => ({ nodes: s.nodes.map((n) => (n.id === nodeId ? patch(n) : n)), dirty: true }));

    return {
      header: EMPTY_HEADER,
      nodes: [],
      edges: [],
      blocks: {},
      dirty: false,
      past: [],
      future: [],
      lastEditKey: null,
      clipboard: null,
      problems: {},
      run: null,
      connectHint: null,

      setBlocks: (blocks) => set({ blocks: Object.fromEntries(blocks.map((b) => [b.id, b])) }),

      load: (graph, options) => {
        const { nodes, edges, header } = graphToFlow(graph);
        set({
          nodes,
          edges,
          header,
          dirty: options?.dirty ?? false,
          past: [],
          future: [],
          lastEditKey: null,
          problems: {},
        });
      },

      setHeader: (patch) => set((s) => ({ header: { ...s.header, ...patch }, dirty: true })),

      toGraph: () => flowToGraph(get().nodes, get().edges, get().header),

      onNodesChange: (changes) => {
        const structural = changes.some((c) => c.type === "remove" || c.type === "add");
        if (structural) remember();
        const moved = changes.some((c) => c.type === "position" || c.type === "dimensions");
        set((s) => ({
          nodes: applyNodeChanges(changes, s.nodes),
          dirty: s.dirty || structural || changes.some((c) => c.type === "position"),
          ...(structural ? { edges: pruneEdges(s.edges, changes) } : {}),
          ...(moved ? {} : { lastEditKey: null }),
        }));
      },

      onEdgesChange: (changes) => {
        const structural = changes.some((c) => c.type === "remove" || c.type === "add");
        if (structural) remember();
        set((s) => ({ edges: applyEdgeChanges(changes, s.edges), dirty: s.dirty || structural }));
      },

      checkpoint: () => remember(),

      addNode: (blockId, position) => {
        remember();
        const id = newId();
        const node: BlockFlowNode = {
          id,
          type: "block",
          position,
          data: {
            blockId,
            inputs: defaultsOf(get().blocks[blockId]),
            metadata: {},
            dynamicIn: [],
            dynamicOut: [],
          },
        };
        set((s) => ({ nodes: [...s.nodes, node], dirty: true }));
        return id;
      },

      connect: (connection) => {
        const { nodes, edges, blocks } = get();
        const problem = connectionProblem(connection, nodes, edges, blocks);
        if (problem) {
          set({ connectHint: problem });
          return problem;
        }
        remember();
        const sourceBlock = blocks[nodes.find((n) => n.id === connection.source)?.data.blockId ?? ""];
        const isStatic = sourceBlock?.staticOutput ?? false;
        const edge: LinkFlowEdge = {
          ...connection,
          id: newId(),
          data: { isStatic },
          ...(isStatic ? { className: "edge-static" } : {}),
        };
        const handle = connection.targetHandle ?? "";
        set((s) => ({
          edges: addEdge(edge, s.edges),
          nodes: isDynamicPin(handle) ? addDynamicIn(s.nodes, connection.target, handle) : s.nodes,
          dirty: true,
          connectHint: null,
        }));
        return null;
      },

      setInput: (nodeId, name, value) => {
        remember(`${nodeId}:${name}`);
        get().setInputs(nodeId, { [name]: value }, false);
      },

      setSubAgentInput: (nodeId, name, value) => {
        const node = get().nodes.find((n) => n.id === nodeId);
        if (!node) return;
        remember(`${nodeId}:inputs.${name}`);
        get().setInputs(nodeId, subAgentInputPatch(node.data.inputs, name, value), false);
      },

      setInputs: (nodeId, patch, undoable = true) => {
        if (undoable) remember();
        patchNode(nodeId, (n) => ({ ...n, data: { ...n.data, inputs: patched(n.data.inputs, patch) } }));
        const problems = get().problems[nodeId];
        if (problems?.some((p) => p.field !== null && p.field in patch)) {
          const left = problems.filter((p) => p.field === null || !(p.field in patch));
          set((s) => ({ problems: { ...s.problems, [nodeId]: left } }));
        }
      },

      setMetadata: (nodeId, patch) => {
        remember();
        patchNode(nodeId, (n) => ({ ...n, data: { ...n.data, metadata: patched(n.data.metadata, patch) } }));
      },

      setEdgeStatic: (edgeId, isStatic) => {
        remember();
        set((s) => ({
          edges: s.edges.map((e) =>
            e.id === edgeId ? { ...e, data: { isStatic }, className: isStatic ? "edge-static" : "" } : e,
          ),
          dirty: true,
        }));
      },

      deleteSelected: () => {
        const { nodes, edges } = get();
        const gone = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
        const keptEdges = edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target));
        if (gone.size === 0 && keptEdges.length === edges.length) return;
        remember();
        set({ nodes: nodes.filter((n) => !gone.has(n.id)), edges: keptEdges, dirty: true });
      },

      selectAll: () =>
        set((s) => ({ nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })) })),

      copySelected: () => {
        const { nodes, edges } = get();
        const picked = nodes.filter((n) => n.selected);
        const ids = new Set(picked.map((n) => n.id));
        const inner = edges.filter((e) => ids.has(e.source) && ids.has(e.target));
        const clip = withoutSelection({ nodes: picked, edges: inner });
        if (picked.length) writeClipboard(clip);
        set({ clipboard: clip });
        return picked.length;
      },

      paste: () => {
        const clip = readClipboard() ?? get().clipboard;
        if (!clip || clip.nodes.length === 0) return;
        remember();
        const { nodes, edges } = cloneWithNewIds(clip);
        const next = { nodes: nodes.map((n) => ({ ...n, selected: false })), edges };
        writeClipboard(next); // the next paste lands one step further
        set((s) => ({
          nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...nodes],
          edges: [...s.edges, ...edges],
          clipboard: next,
          dirty: true,
        }));
      },

      duplicateSelected: () => {
        if (get().copySelected() > 0) get().paste();
      },

      undo: () => {
        const { past, future, nodes, edges } = get();
        const previous = past.at(-1);
        if (!previous) return;
        set({
          ...previous,
          past: past.slice(0, -1),
          future: [...future, { nodes, edges }],
          lastEditKey: null,
          dirty: true,
        });
      },

      redo: () => {
        const { past, future, nodes, edges } = get();
        const next = future.at(-1);
        if (!next) return;
        set({
          ...next,
          future: future.slice(0, -1),
          past: [...past, { nodes, edges }],
          lastEditKey: null,
          dirty: true,
        });
      },

      layout: () => {
        remember();
        set((s) => ({ nodes: autoLayout(s.nodes, s.edges), dirty: true }));
      },

      setProblems: (problems) => set({ problems }),
      setConnectHint: (hint) => set({ connectHint: hint }),
      watchRun: (run) => set({ run }),

      applyNodeEvent: (event) => {
        const run = get().run;
        if (!run || (event.graph_exec_id && event.graph_exec_id !== run.execId)) return;
        const next = applyNodeExecution(run, event);
        if (next !== run) set({ run: next });
      },

      applyGraphEvent: (event) => {
        const run = get().run;
        if (!run) return;
        const next = applyGraphEvent(run, event);
        if (next !== run) set({ run: next });
      },

      applyChildEvent: (event) => {
        const run = get().run;
        if (!run) return;
        const next = applyChild(run, event);
        if (next !== run) set({ run: next });
      },

      applyStream: (event) => {
        const run = get().run;
        if (!run) return;
        const next = applyStream(run, event);
        if (next !== run) set({ run: next });
      },

      loadExecution: (execution) => {
        const run = get().run;
        set({
          run: run?.execId === execution.id ? mergeExecution(run, execution) : runFromExecution(execution),
        });
      },
    };
  });
  if (initial?.blocks) store.getState().setBlocks(initial.blocks);
  if (initial?.graph) store.getState().load(initial.graph);
  return store;
}
