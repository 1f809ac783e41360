/**
 * A sub-agent run inside its parent's run view: the run an Agent Executor node started,
 * live, with its own timeline and node details, nested as deep as agents call agents.
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../../api/endpoints";
import { keys } from "../../api/queries";
import type { GraphExecutionMeta } from "../../api/types";
import { Icon } from "../../ui/Icon";
import { StatusBadge } from "../../ui/StatusBadge";
import { useCanvas } from "../context";
import { nodeLabel } from "../lib/blockName";
import { durationMs, formatDuration } from "../lib/format";
import { timelineRows } from "../lib/timeline";
import { isTerminal, runFromMeta } from "../run";
import { useNow } from "../useNow";
import { useRunView } from "../useRunView";
import { NodeDetails } from "./NodeDetails";
import { Timeline } from "./Timeline";

/** Deeper sub-runs are linked, not nested, so the panel stays readable. */
const MAX_NESTING = 4;

interface SubRunProps {
  meta: GraphExecutionMeta;
  depth?: number;
}

function useSubAgentLabels(meta: GraphExecutionMeta): { name: string | null; labels: Map<string, string> } {
  const blocks = useCanvas((s) => s.blocks);
  const graph = useQuery({
    queryKey: keys.graph(meta.graph_id, meta.graph_version),
    queryFn: () => api.getGraph(meta.graph_id, meta.graph_version),
    staleTime: Infinity,
  });
  return useMemo(() => {
    const labels = new Map<string, string>();
    for (const node of graph.data?.nodes ?? []) {
      labels.set(node.id, nodeLabel(blocks[node.block_id], node.input_default, node.id));
    }
    return { name: graph.data?.name ?? null, labels };
  }, [graph.data, blocks]);
}

export function SubRun({ meta, depth = 1 }: SubRunProps) {
  const { t } = useTranslation();
  const live = !isTerminal(meta.status);
  const run = useRunView(meta.graph_id, meta.id, live) ?? runFromMeta(meta);
  const status = isTerminal(meta.status) ? meta.status : run.status;
  const { name, labels } = useSubAgentLabels(meta);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const now = useNow(!isTerminal(status));
  const end = run.endedAt ?? (isTerminal(status) ? null : new Date(now).toISOString());
  const current = selectedId ? run.execs[selectedId] : undefined;
  const grandchild = current ? run.children[current.node_exec_id] : undefined;
  const href = `/agents/${meta.graph_id}/runs/${meta.id}`;

  return (
    <section className="sub-run" data-testid="sub-run" data-status={status} aria-label={t("run.subRun")}>
      <header className="row">
        <Icon name="agents" size={14} />
        <strong className="grow truncate">{name ?? t("run.subRun")}</strong>
        <StatusBadge status={status} />
        <span className="muted">{formatDuration(durationMs(run.startedAt ?? run.createdAt, end))}</span>
        <Link className="btn btn-ghost btn-sm" to={href} data-testid="sub-run-open">
          {t("run.openSubRun")}
        </Link>
      </header>
      {run.error && (
        <div className="callout error" role="alert">
          <Icon name="alert" /> <span>{run.error}</span>
        </div>
      )}
      <Timeline
        rows={timelineRows(run.execs, labels)}
        now={now}
        selected={selectedId}
        onSelect={(exec) => setSelectedId(exec.node_exec_id === selectedId ? null : exec.node_exec_id)}
      />
      {current && (
        <NodeDetails exec={current} label={labels.get(current.node_id) ?? current.node_id}>
          {grandchild &&
            (depth < MAX_NESTING ? (
              <SubRun meta={grandchild} depth={depth + 1} />
            ) : (
              <Link to={`/agents/${grandchild.graph_id}/runs/${grandchild.id}`}>{t("run.openSubRun")}</Link>
            ))}
        </NodeDetails>
      )}
    </section>
  );
}
