/**
 * The agent editor: block menu, canvas, toolbar and the run and history panels, all
 * reading one canvas store.
 */
import { useReactFlow } from "@xyflow/react";
import { useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useBlocks } from "../api/queries";
import { Icon } from "../ui/Icon";
import { BlockMenu } from "./BlockMenu";
import { Canvas } from "./Canvas";
import { useCanvas, useCanvasStore } from "./context";
import { ShortcutsDialog } from "./ShortcutsDialog";
import { graphInputSchema } from "./lib/graphInputs";
import { freeSpot } from "./lib/placement";
import { NODE_SIZE } from "./lib/viewport";
import { downloadJson } from "../lib/download";
import type { NodeActions } from "./nodes/actions";
import { NodeActionsContext } from "./nodes/actions";
import { HistoryPanel } from "./panels/HistoryPanel";
import { NodeRunDialog } from "./panels/NodeRunDialog";
import { RunDialog } from "./panels/RunDialog";
import type { FocusRequest } from "./panels/RunPanel";
import { RunPanel } from "./panels/RunPanel";
import { useLiveExecution } from "./live";
import type { ShortcutHandlers } from "./shortcuts";
import { useShortcuts } from "./shortcuts";
import { Toolbar } from "./Toolbar";
import { useGraphDocument } from "./useGraphDocument";
import { useEditorSync } from "./useEditorSync";
import { useRunControls } from "./useRunControls";

interface EditorProps {
  graphId: string | undefined;
  version: number | undefined;
  execId: string | undefined;
}

export function Editor({ graphId, version, execId }: EditorProps) {
  const { t } = useTranslation();
  const store = useCanvasStore();
  const navigate = useNavigate();
  const flow = useReactFlow();
  const blocks = useBlocks();
  const doc = useGraphDocument(store, graphId, version);
  const controls = useRunControls(store, doc.save);
  const socket = useLiveExecution(store, graphId ?? null, execId ?? null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [saving, setSaving] = useState(false);
  const [runDialog, setRunDialog] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [help, setHelp] = useState(false);
  const [nodeRun, setNodeRun] = useState<string | null>(null);
  const [focus, setFocus] = useState<FocusRequest | null>(null);
  const hasRun = useCanvas((s) => s.run !== null);
  const header = useCanvas((s) => s.header);

  useEditorSync(store, graphId, execId, blocks.data);

  const save = async () => {
    const { dirty, header: saved0 } = store.getState();
    if (!dirty && saved0.id) return; // nothing new: no empty version
    setSaving(true);
    const saved = await doc.save();
    setSaving(false);
    if (saved && saved.id !== graphId) void navigate(`/agents/${saved.id}`, { replace: true });
  };

  const openRun = async () => {
    if (await controls.ensureSaved()) setRunDialog(true);
  };

  const addAtCentre = (blockId: string) => {
    const rect = document.querySelector(".canvas")?.getBoundingClientRect();
    const left = rect?.left ?? 0;
    const top = rect?.top ?? 0;
    const width = rect?.width ?? 800;
    const height = rect?.height ?? 600;
    const centre = flow.screenToFlowPosition({ x: left + width / 2, y: top + height / 2 });
    const corner = flow.screenToFlowPosition({ x: left, y: top });
    const far = flow.screenToFlowPosition({ x: left + width, y: top + height });
    const view = { x: corner.x, y: corner.y, width: far.x - corner.x, height: far.y - corner.y };
    const taken = store.getState().nodes.map((n) => ({
      ...n.position,
      width: n.measured?.width ?? NODE_SIZE.width,
      height: n.measured?.height ?? NODE_SIZE.height,
    }));
    store.getState().addNode(blockId, freeSpot({ x: centre.x - 150, y: centre.y - 80 }, taken, view));
  };

  const shortcuts = useMemo<ShortcutHandlers>(() => {
    const s = () => store.getState();
    return {
      save: () => void save(),
      run: () => void openRun(),
      undo: () => s().undo(),
      redo: () => s().redo(),
      copy: () => s().copySelected(),
      paste: () => s().paste(),
      duplicate: () => s().duplicateSelected(),
      selectAll: () => s().selectAll(),
      layout: () => s().layout(),
      fit: () => void flow.fitView({ padding: 0.2, duration: 200 }),
      search: () => searchRef.current?.focus(),
      help: () => setHelp(true),
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- save/openRun read the store at call time
  }, [store, flow]);
  useShortcuts(shortcuts, doc.state === "ready");

  const actions = useMemo<NodeActions>(
    () => ({
      runNode: setNodeRun,
      rerunFrom: (nodeId) => void controls.rerunFrom(nodeId),
      inspect: (nodeId) => setFocus({ nodeId }),
    }),
    [controls],
  );

  if (doc.state === "error") {
    return (
      <div className="empty">
        <h3>{t("editor.notFound")}</h3>
        <button className="btn" onClick={() => void navigate("/agents")}>
          {t("editor.back")}
        </button>
      </div>
    );
  }

  return (
    <NodeActionsContext.Provider value={actions}>
      <div className="editor" data-testid="editor">
        <Toolbar
          saving={saving}
          onSave={() => void save()}
          onRun={() => void openRun()}
          onFit={shortcuts.fit}
          onExport={() => downloadJson(`${header.name || "agent"}.json`, store.getState().toGraph())}
          onToggleHistory={() => setHistoryOpen((v) => !v)}
          onHelp={() => setHelp(true)}
          historyOpen={historyOpen}
        />
        {doc.restoredDraft !== null && (
          <div className="banner" role="status" data-testid="draft-banner">
            <Icon name="restore" />
            <span className="grow">
              {t("editor.draftRestored", { time: new Date(doc.restoredDraft).toLocaleTimeString() })}
            </span>
            <button className="btn btn-sm" onClick={() => void doc.discardDraft()}>
              {t("editor.discardDraft")}
            </button>
          </div>
        )}
        <div className="editor-body">
          <BlockMenu blocks={blocks.data ?? []} onAdd={addAtCentre} searchRef={searchRef} />
          <div className="editor-main">
            {doc.state === "loading" ? (
              <div className="canvas-loading">
                <span className="spinner" />
              </div>
            ) : (
              <Canvas />
            )}
            {hasRun && (
              <RunPanel
                socket={socket}
                focus={focus}
                onStop={() => void controls.stop()}
                onRerun={(nodeId) => void controls.rerunFrom(nodeId)}
                onClose={() => void navigate(graphId ? `/agents/${graphId}` : "/agents")}
              />
            )}
          </div>
          {historyOpen && graphId && (
            <HistoryPanel
              graphId={graphId}
              currentVersion={header.version}
              activeExecId={execId ?? null}
              onOpenRun={(id) => void navigate(`/agents/${graphId}/runs/${id}`)}
              onOpenVersion={(v) => void navigate(`/agents/${graphId}?version=${v}`)}
              onRestoreVersion={(v) => void doc.restoreVersion(v)}
              onClose={() => setHistoryOpen(false)}
            />
          )}
        </div>
        {runDialog && (
          <RunDialog
            open
            schema={graphInputSchema(store.getState().nodes, store.getState().blocks)}
            onClose={() => setRunDialog(false)}
            onRun={async (inputs) => {
              if (await controls.start(inputs)) setRunDialog(false);
            }}
          />
        )}
        {nodeRun && <NodeRunHost nodeId={nodeRun} onClose={() => setNodeRun(null)} />}
        <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
      </div>
    </NodeActionsContext.Provider>
  );
}

function NodeRunHost({ nodeId, onClose }: { nodeId: string; onClose: () => void }) {
  const node = useCanvas((s) => s.nodes.find((n) => n.id === nodeId));
  const block = useCanvas((s) => (node ? s.blocks[node.data.blockId] : undefined));
  const last = useCanvas((s) => s.run?.nodes[nodeId]?.last.input_data ?? null);
  if (!node || !block) return null;
  return <NodeRunDialog block={block} initial={node.data.inputs} pinned={last} onClose={onClose} />;
}
