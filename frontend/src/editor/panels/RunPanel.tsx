/** The execution being watched: status, final outputs, a timeline and node details. */
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { NodeExecution } from "../../api/types";
import type { SocketState } from "../../api/ws";
import { Icon } from "../../ui/Icon";
import { StatusBadge } from "../../ui/StatusBadge";
import { useCanvas } from "../context";
import { durationMs, formatDuration, formatTime, preview } from "../lib/format";
import { displayName } from "../nodes/BlockNode";
import { isTerminal } from "../run";
import { NodeDetails } from "./NodeDetails";
import { Timeline } from "./Timeline";

type Tab = "outputs" | "timeline" | "node";

interface RunPanelProps {
  socket: SocketState;
  focusNode: string | null;
  onStop: () => void;
  onClose: () => void;
  onRerun: (nodeId: string) => void;
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function RunPanel({ socket, focusNode, onStop, onClose, onRerun }: RunPanelProps) {
  const { t, i18n } = useTranslation();
  const run = useCanvas((s) => s.run);
  const nodes = useCanvas((s) => s.nodes);
  const blocks = useCanvas((s) => s.blocks);
  const [tab, setTab] = useState<Tab>("outputs");
  const [selected, setSelected] = useState<NodeExecution | null>(null);
  const live = run !== null && !isTerminal(run.status);
  const now = useNow(live);

  const labels = useMemo(() => {
    const map = new Map<string, string>();
    for (const n of nodes) {
      const block = blocks[n.data.blockId];
      const name = typeof n.data.inputs.name === "string" && n.data.inputs.name ? ` · ${n.data.inputs.name}` : "";
      map.set(n.id, block ? `${displayName(block)}${name}` : n.id.slice(0, 8));
    }
    return map;
  }, [nodes, blocks]);

  useEffect(() => {
    if (!focusNode || !run) return;
    const view = run.nodes[focusNode];
    if (view) {
      setSelected(view.last);
      setTab("node");
    }
  }, [focusNode, run]);

  if (!run) return null;
  const rows = Object.values(run.execs)
    .sort((a, b) => (a.add_time ?? "").localeCompare(b.add_time ?? "") || a.seq - b.seq)
    .map((exec) => ({ exec, label: labels.get(exec.node_id) ?? exec.node_id.slice(0, 8) }));
  const current = selected ? (run.execs[selected.node_exec_id] ?? selected) : null;
  const outputs = Object.entries(run.outputs);

  return (
    <section className="run-panel" aria-label={t("run.panel")} data-testid="run-panel" data-status={run.status}>
      <header className="run-panel-head">
        <StatusBadge status={run.status} />
        <span className="muted">{formatTime(run.createdAt, i18n.language)}</span>
        <span className="muted">· {formatDuration(durationMs(run.startedAt ?? run.createdAt, run.endedAt ?? (live ? new Date(now).toISOString() : null)))}</span>
        {live && (
          <span className={`live-dot ${socket}`} title={t(`socket.${socket}`)}>
            {t(`socket.${socket}`)}
          </span>
        )}
        <span className="grow" />
        <div className="tabs" role="tablist">
          {(["outputs", "timeline", "node"] as const).map((name) => (
            <button key={name} role="tab" aria-selected={tab === name} className={tab === name ? "tab active" : "tab"} onClick={() => setTab(name)}>
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
      <div className="run-panel-body">
        {run.error && (
          <div className="callout error">
            <Icon name="alert" /> <span>{run.error}</span>
          </div>
        )}
        {tab === "outputs" &&
          (outputs.length ? (
            <div className="outputs" data-testid="run-outputs">
              {outputs.map(([name, values]) => (
                <div key={name} className="kv">
                  <span className="kv-key">{name}</span>
                  {values.map((v, i) => (
                    <pre key={i} data-testid="run-output">{preview(v, 8000)}</pre>
                  ))}
                </div>
              ))}
            </div>
          ) : (
            <p className="muted">{live ? t("run.waitingOutputs") : t("run.noOutputs")}</p>
          ))}
        {tab === "timeline" && (
          <Timeline
            rows={rows}
            now={now}
            selected={current?.node_exec_id ?? null}
            onSelect={(exec) => {
              setSelected(exec);
              setTab("node");
            }}
          />
        )}
        {tab === "node" &&
          (current ? (
            <NodeDetails
              exec={current}
              label={labels.get(current.node_id) ?? current.node_id}
              onRerun={live ? undefined : () => onRerun(current.node_id)}
            />
          ) : (
            <p className="muted">{t("run.pickNode")}</p>
          ))}
      </div>
    </section>
  );
}
