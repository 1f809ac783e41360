/**
 * The React Flow canvas bound to the canvas store: typed connections with a hint when
 * they cannot fit, drop-to-add, minimap, controls and the keyboard shortcuts.
 */
import type { Connection, Edge, FinalConnectionState, NodeTypes } from "@xyflow/react";
import { Background, BackgroundVariant, Controls, MiniMap, ReactFlow, useReactFlow } from "@xyflow/react";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useShallow } from "zustand/react/shallow";
import { Icon } from "../ui/Icon";
import { DRAG_TYPE } from "./lib/dnd";
import { initialViewport } from "./lib/viewport";
import { connectionProblem } from "./connect";
import type { ConnectionProblem } from "./connect";
import { useCanvas, useCanvasStore } from "./context";
import type { BlockFlowNode, LinkFlowEdge } from "./lib/convert";
import { BlockNode } from "./nodes/BlockNode";

const nodeTypes: NodeTypes = { block: BlockNode };

interface CanvasProps {
  onAdded?: (nodeId: string) => void;
  readOnly?: boolean;
}

export function HintBanner() {
  const { t } = useTranslation();
  const hint = useCanvas((s) => s.connectHint);
  const clear = useCanvas((s) => s.setConnectHint);
  useEffect(() => {
    if (!hint) return;
    const timer = setTimeout(() => clear(null), 5000);
    return () => clearTimeout(timer);
  }, [hint, clear]);
  if (!hint) return null;
  return (
    <div className="canvas-hint" role="alert" data-testid="connect-hint">
      <Icon name="alert" />
      <span>{hintText(hint, t)}</span>
      <button
        className="btn btn-ghost btn-sm btn-icon"
        onClick={() => clear(null)}
        aria-label={t("common.close")}
      >
        <Icon name="x" size={13} />
      </button>
    </div>
  );
}

function EmptyCanvas() {
  const { t } = useTranslation();
  return (
    <div className="canvas-empty" data-testid="canvas-empty">
      <Icon name="agents" size={28} />
      <h3>{t("editor.emptyTitle")}</h3>
      <p>
        {t("editor.emptyBody")} <kbd className="kbd">/</kbd>
      </p>
    </div>
  );
}

function hintText(hint: ConnectionProblem, t: ReturnType<typeof useTranslation>["t"]): string {
  if (hint.code !== "incompatible") return t(`connect.${hint.code}`);
  return t("connect.incompatible", {
    source: t(`pinKind.${hint.source}`),
    sink: t(`pinKind.${hint.sink}`),
  });
}

/** The canvas element's likely size before it exists: the window less the side panels. */
function expectedCanvasSize(): { width: number; height: number } {
  return { width: Math.max(400, window.innerWidth - 272), height: Math.max(300, window.innerHeight - 52) };
}

export function Canvas({ onAdded, readOnly }: CanvasProps) {
  const store = useCanvasStore();
  const [viewport] = useState(() => {
    const { width, height } = expectedCanvasSize();
    return initialViewport(
      store.getState().nodes.map((n) => n.position),
      width,
      height,
    );
  });
  // Fit the view to the agent it opens with; an empty canvas keeps its view when the
  // first block is added (a fit waiting for nodes would zoom in on that block).
  const [fitOnOpen] = useState(() => store.getState().nodes.length > 0);
  const { screenToFlowPosition } = useReactFlow();
  const { nodes, edges } = useCanvas(useShallow((s) => ({ nodes: s.nodes, edges: s.edges })));
  const runShown = useCanvas((s) => s.run !== null);
  const handlers = useCanvas(
    useShallow((s) => ({
      onNodesChange: s.onNodesChange,
      onEdgesChange: s.onEdgesChange,
      connect: s.connect,
      checkpoint: s.checkpoint,
      setConnectHint: s.setConnectHint,
      addNode: s.addNode,
    })),
  );

  const isValidConnection = useCallback(
    (c: Connection | Edge) => {
      const s = store.getState();
      return connectionProblem(c, s.nodes, s.edges, s.blocks) === null;
    },
    [store],
  );

  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false || !state.toHandle) return;
      const from = state.fromHandle.type === "source" ? state.fromHandle : state.toHandle;
      const to = state.fromHandle.type === "source" ? state.toHandle : state.fromHandle;
      const s = store.getState();
      const problem = connectionProblem(
        {
          source: from.nodeId,
          sourceHandle: from.id ?? null,
          target: to.nodeId,
          targetHandle: to.id ?? null,
        },
        s.nodes,
        s.edges,
        s.blocks,
      );
      if (problem) handlers.setConnectHint(problem);
    },
    [store, handlers],
  );

  return (
    <div className="canvas" data-testid="canvas">
      <ReactFlow<BlockFlowNode, LinkFlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={handlers.onNodesChange}
        onEdgesChange={handlers.onEdgesChange}
        onConnect={(c) => handlers.connect(c)}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStart={handlers.checkpoint}
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes(DRAG_TYPE)) {
            e.preventDefault();
            e.dataTransfer.dropEffect = "move";
          }
        }}
        onDrop={(e) => {
          const blockId = e.dataTransfer.getData(DRAG_TYPE);
          if (!blockId) return;
          e.preventDefault();
          const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
          const id = handlers.addNode(blockId, { x: at.x - 150, y: at.y - 30 });
          onAdded?.(id);
        }}
        deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
        nodesConnectable={!readOnly}
        nodesDraggable={!readOnly}
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        selectionOnDrag={false}
        panOnScroll={false}
        minZoom={0.1}
        maxZoom={2}
        onlyRenderVisibleElements={nodes.length > 120}
        defaultEdgeOptions={{ type: "default" }}
        proOptions={{ hideAttribution: true }}
        defaultViewport={viewport}
        fitView={fitOnOpen}
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} color="var(--grid)" />
        {/* With the run panel open the canvas is too short to spare a corner for it. */}
        {!runShown && <MiniMap pannable zoomable className="minimap" nodeBorderRadius={6} />}
        <Controls showInteractive={false} position="bottom-left" />
      </ReactFlow>
      <HintBanner />
      {nodes.length === 0 && <EmptyCanvas />}
    </div>
  );
}
