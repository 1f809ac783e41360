/** The execution being watched: status, final outputs, a timeline and node details. */
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { NodeExecution } from "../../api/types";
import type { SocketState } from "../../api/ws";
import { Icon } from "../../ui/Icon";
import { StatusBadge } from "../../ui/StatusBadge";
import { useCanvas } from "../context";
import { nodeLabel } from "../lib/blockName";
import { durationMs, formatDuration, formatTime, preview } from "../lib/format";
import type { RunState } from "../run";
import { isTerminal } from "../run";
import { NodeDetails } from "./NodeDetails";
import { timelineRows } from "../lib/timeline";
import { useNow } from "../useNow";
import { SubRun } from "./SubRun";
import { Timeline } from "./Timeline";

type Tab = "outputs" | "timeline" | "node";
const TABS: Tab[] = ["outputs", "timeline", "node"];

/** A request from elsewhere (a node's menu) to show one node's details. */
export interface FocusRequest {
  nodeId: string;
}

interface RunPanelProps {
  socket: SocketState;
  focus: FocusRequest | null;
  onStop: () => void;
  onClose: () => void;
  onRerun: (nodeId: string) => void;
}

function useNodeLabels(): Map<string, string> {
  const nodes = useCanvas((s) => s.nodes);
  const blocks = useCanvas((s) => s.blocks);
  return useMemo(() => {
    const map = new Map<string, string>();
    for (const n of nodes) map.set(n.id, nodeLabel(blocks[n.data.blockId], n.data.inputs, n.id));
    return map;
  }, [nodes, blocks]);
}

interface HeadProps {
  run: RunState;
  socket: SocketState;
  now: number;
  tab: Tab;
  setTab: (tab: Tab) => void;
  onStop: () => void;
  onClose: () => void;
}

function RunPanelHead({ run, socket, now, tab, setTab, onStop, onClose }: HeadProps) {
  const { t, i18n } = useTranslation();
  const live = !isTerminal(run.status);
  const end = run.endedAt ?? (live ? new Date(now).toISOString() : null);
  return (
    <header className="run-panel-head">
      <StatusBadge status={run.status} />
      <span className="muted">{formatTime(run.createdAt, i18n.language)}</span>
      <span className="muted">· {formatDuration(durationMs(run.startedAt ?? run.createdAt, end))}</span>
      {live && (
        <span className={`live-dot ${socket}`} data-testid="socket-state">
          {t(`socket.${socket}`)}
        </span>
      )}
      <span className="grow" />
      <div className="tabs" role="tablist">
        {TABS.map((name) => (
          <button
            key={name}
            role="tab"
            aria-selected={tab === name}
            className={tab === name ? "tab active" : "tab"}
            onClick={() => setTab(name)}
          >
            {t(`run.tab.${name}`)}
          </button>
        ))}
      </div>
      {live && (
        <button className="btn btn-sm btn-danger" onClick={onStop} data-testid="run-stop">
          <Icon name="stop" size={13} /> {t("run.stop")}
        </button>
      )}
      <button className="btn btn-ghost btn-sm btn-icon" onClick={onClose} aria-label={t("common.close")}>
        <Icon name="x" size={14} />
      </button>
    </header>
  );
}

function Outputs({ run }: { run: RunState }) {
  const { t } = useTranslation();
  const outputs = Object.entries(run.outputs);
  const error = run.error && (
    <div className="callout error" role="alert">
      <Icon name="alert" /> <span>{run.error}</span>
    </div>
  );
  if (!outputs.length) {
    return (
      <>
        {error}
        <p className="muted">{isTerminal(run.status) ? t("run.noOutputs") : t("run.waitingOutputs")}</p>
      </>
    );
  }
  return (
    <div className="outputs" data-testid="run-outputs">
      {error}
      {outputs.map(([name, values]) => (
        <div key={name} className="kv">
          <span className="kv-key">{name}</span>
          {values.map((v, i) => (
            <pre key={i} data-testid="run-output">
              {preview(v, 8000)}
            </pre>
          ))}
        </div>
      ))}
    </div>
  );
}

interface NodeTabProps {
  run: RunState;
  current: NodeExecution | undefined;
  labels: Map<string, string>;
  onRerun: (nodeId: string) => void;
}

/** The picked node execution, with the sub-agent run it started if it is an Agent Executor. */
function NodeTab({ run, current, labels, onRerun }: NodeTabProps) {
  const { t } = useTranslation();
  if (!current) return <p className="muted">{t("run.pickNode")}</p>;
  const child = run.children[current.node_exec_id];
  return (
    <NodeDetails
      exec={current}
      label={labels.get(current.node_id) ?? current.node_id}
      onRerun={isTerminal(run.status) ? () => onRerun(current.node_id) : undefined}
    >
      {child && <SubRun key={child.id} meta={child} />}
    </NodeDetails>
  );
}

/** What the Node tab shows: one execution (picked on the timeline), or a node's latest. */
type Pick = { execId: string } | { nodeId: string };

/** The one node selected on the canvas, if exactly one is. */
function selectedNode(nodes: { id: string; selected?: boolean }[]): string | null {
  let found: string | null = null;
  for (const n of nodes) {
    if (!n.selected) continue;
    if (found) return null;
    found = n.id;
  }
  return found;
}

/**
 * Which tab the panel shows and what its Node tab is about. A node picked from its menu,
 * or selected on the canvas, shows its latest execution (and keeps following it while
 * the run goes on); only the tab changes, so focus stays where the person is (in a
 * node's field, say). Another run (a re-run, one from the history) opens on its outputs.
 */
function usePanelView(run: RunState | null, focus: FocusRequest | null) {
  const selected = useCanvas((s) => selectedNode(s.nodes));
  const [tab, setTab] = useState<Tab>("outputs");
  const [pick, setPick] = useState<Pick | null>(null);
  const [seen, setSeen] = useState({ focus, selected, run: run?.execId });

  if (seen.focus !== focus || seen.selected !== selected || seen.run !== run?.execId) {
    setSeen({ focus, selected, run: run?.execId });
    const nodeId = seen.focus !== focus ? focus?.nodeId : selected;
    if (seen.run !== run?.execId) {
      setTab("outputs");
      setPick(null);
    } else if (nodeId && run?.nodes[nodeId]) {
      setPick({ nodeId });
      setTab("node");
    }
  }
  const pickExec = (exec: NodeExecution) => {
    setPick({ execId: exec.node_exec_id });
    setTab("node");
  };
  return { tab, setTab, current: currentExec(run, pick), pickExec };
}

function currentExec(run: RunState | null, pick: Pick | null): NodeExecution | undefined {
  if (!run || !pick) return undefined;
  return "execId" in pick ? run.execs[pick.execId] : run.nodes[pick.nodeId]?.last;
}

export function RunPanel({ socket, focus, onStop, onClose, onRerun }: RunPanelProps) {
  const { t } = useTranslation();
  const run = useCanvas((s) => s.run);
  const labels = useNodeLabels();
  const { tab, setTab, current, pickExec } = usePanelView(run, focus);
  const now = useNow(run !== null && !isTerminal(run.status));
  if (!run) return null;
  const rows = timelineRows(run.execs, labels);

  return (
    <section
      className="run-panel"
      aria-label={t("run.panel")}
      data-testid="run-panel"
      data-status={run.status}
    >
      <RunPanelHead
        run={run}
        socket={socket}
        now={now}
        tab={tab}
        setTab={setTab}
        onStop={onStop}
        onClose={onClose}
      />
      <div className="run-panel-body">
        {tab === "outputs" && <Outputs run={run} />}
        {tab === "timeline" && (
          <Timeline rows={rows} now={now} selected={current?.node_exec_id ?? null} onSelect={pickExec} />
        )}
        {tab === "node" && <NodeTab run={run} current={current} labels={labels} onRerun={onRerun} />}
      </div>
    </section>
  );
}
