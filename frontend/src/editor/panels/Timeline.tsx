/**
 * Node executions as bars on one time axis: the pale part is time spent queued (or
 * waiting), the solid part time running, so a slow or stuck node stands out.
 */
import { useTranslation } from "react-i18next";
import type { NodeExecution } from "../../api/types";
import { axisTicks, durationMs, formatDuration } from "../lib/format";
import type { TimelineRow } from "../lib/timeline";
import { axisOf, spanOf } from "../lib/timeline";

interface TimelineProps {
  rows: TimelineRow[];
  selected: string | null;
  onSelect: (exec: NodeExecution) => void;
  now: number;
}

export function Timeline({ rows, selected, onSelect, now }: TimelineProps) {
  const { t } = useTranslation();
  const { start, total } = axisOf(
    rows.map((r) => r.exec),
    now,
  );
  if (rows.length === 0) return <p className="muted">{t("run.noNodeRuns")}</p>;
  return (
    <div className="timeline" role="list" aria-label={t("run.timeline")} data-testid="timeline">
      <div className="timeline-axis">
        {axisTicks(total).map((tick) => (
          <span key={tick}>{tick}</span>
        ))}
      </div>
      {rows.map(({ exec, label }) => {
        const queued = spanOf(
          exec.add_time ?? exec.queue_time,
          exec.start_time ?? exec.end_time,
          start,
          total,
        );
        const ran = spanOf(exec.start_time, exec.end_time, start, total);
        const ms = durationMs(
          exec.start_time,
          exec.end_time ?? (exec.start_time ? new Date(now).toISOString() : null),
        );
        return (
          <button
            key={exec.node_exec_id}
            role="listitem"
            className={selected === exec.node_exec_id ? "timeline-row active" : "timeline-row"}
            onClick={() => onSelect(exec)}
            data-status={exec.status}
          >
            <span className="timeline-label truncate">{label}</span>
            <span className="timeline-track">
              {queued && (
                <span className="bar queued" style={{ left: `${queued.left}%`, width: `${queued.width}%` }} />
              )}
              {ran && (
                <span
                  className={`bar ran st-${exec.status}`}
                  style={{ left: `${ran.left}%`, width: `${ran.width}%` }}
                />
              )}
            </span>
            <span className="timeline-dur">{formatDuration(ms)}</span>
          </button>
        );
      })}
    </div>
  );
}
