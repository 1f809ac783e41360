/** One node execution in full: status, timing, inputs, outputs and error. */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { NodeExecution } from "../../api/types";
import { Icon } from "../../ui/Icon";
import { StatusBadge } from "../../ui/StatusBadge";
import { durationMs, formatDuration, formatTime, preview } from "../lib/format";

interface NodeDetailsProps {
  exec: NodeExecution;
  label: string;
  onRerun?: () => void;
  /** What this execution started, shown under its facts (an Agent Executor's sub-run). */
  children?: ReactNode;
}

function Values({ title, data }: { title: string; data: Record<string, unknown> }) {
  const { t } = useTranslation();
  const entries = Object.entries(data);
  return (
    <section>
      <h4>{title}</h4>
      {entries.length === 0 && <p className="muted">{t("run.none")}</p>}
      {entries.map(([key, value]) => (
        <div key={key} className="kv">
          <span className="kv-key">{key}</span>
          <pre>{preview(value, 4000)}</pre>
        </div>
      ))}
    </section>
  );
}

export function NodeDetails({ exec, label, onRerun, children }: NodeDetailsProps) {
  const { t, i18n } = useTranslation();
  const outputs = Object.fromEntries(
    Object.entries(exec.output_data).map(([k, v]) => [k, v.length === 1 ? v[0] : v]),
  );
  return (
    <div className="node-details" data-testid="node-details">
      <div className="row">
        <strong className="grow truncate">{label}</strong>
        <StatusBadge status={exec.status} />
        {onRerun && (
          <button className="btn btn-sm" onClick={onRerun}>
            <Icon name="rerun" size={13} /> {t("node.rerunFrom")}
          </button>
        )}
      </div>
      <dl className="facts">
        <dt>{t("run.queuedAt")}</dt>
        <dd>{formatTime(exec.add_time ?? exec.queue_time, i18n.language)}</dd>
        <dt>{t("run.startedAt")}</dt>
        <dd>{formatTime(exec.start_time, i18n.language)}</dd>
        <dt>{t("run.duration")}</dt>
        <dd>{formatDuration(durationMs(exec.start_time, exec.end_time))}</dd>
      </dl>
      {exec.error && (
        <div className="callout error">
          <Icon name="alert" /> <pre>{exec.error}</pre>
        </div>
      )}
      {children}
      <Values title={t("run.inputs")} data={exec.input_data} />
      <Values title={t("run.outputs")} data={outputs} />
    </div>
  );
}
