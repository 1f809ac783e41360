/** Past runs, saved versions and schedules of the agent, side by side in one drawer. */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useGraphExecutions, useGraphSchedules, useVersions } from "../../api/queries";
import {
  CronText,
  DeleteSchedule,
  LastError,
  LastRun,
  LocalTime,
  ScheduleSwitch,
} from "../../schedules/ScheduleControls";
import { Icon } from "../../ui/Icon";
import { StatusBadge } from "../../ui/StatusBadge";
import { relativeTime } from "../lib/format";

interface HistoryPanelProps {
  graphId: string;
  currentVersion: number;
  activeExecId: string | null;
  onOpenRun: (execId: string) => void;
  onOpenVersion: (version: number) => void;
  onRestoreVersion: (version: number) => void;
  onClose: () => void;
}

export function HistoryPanel(props: HistoryPanelProps) {
  const { t } = useTranslation();
  const [tab, setTab] = useState<"runs" | "versions" | "schedules">("runs");
  return (
    <aside className="side-panel" aria-label={t("history.title")} data-testid="history-panel">
      <header className="side-panel-head">
        <div className="tabs" role="tablist">
          {(["runs", "versions", "schedules"] as const).map((name) => (
            <button
              key={name}
              role="tab"
              aria-selected={tab === name}
              className={tab === name ? "tab active" : "tab"}
              onClick={() => setTab(name)}
            >
              {t(`history.${name}`)}
            </button>
          ))}
        </div>
        <span className="grow" />
        <button
          className="btn btn-ghost btn-sm btn-icon"
          onClick={props.onClose}
          aria-label={t("common.close")}
        >
          <Icon name="x" size={14} />
        </button>
      </header>
      {tab === "runs" && <RunList {...props} />}
      {tab === "versions" && <VersionList {...props} />}
      {tab === "schedules" && <ScheduleList {...props} />}
    </aside>
  );
}

function Loading() {
  return (
    <div className="side-panel-body">
      <span className="spinner" />
    </div>
  );
}

function RunList({ graphId, activeExecId, onOpenRun }: HistoryPanelProps) {
  const { t, i18n } = useTranslation();
  const { data, isLoading } = useGraphExecutions(graphId);
  if (isLoading) return <Loading />;
  if (!data?.length) return <p className="side-panel-body muted">{t("history.noRuns")}</p>;
  return (
    <ul className="side-list" data-testid="run-list">
      {data.map((run) => (
        <li key={run.id}>
          <button
            className={run.id === activeExecId ? "side-item active" : "side-item"}
            onClick={() => onOpenRun(run.id)}
          >
            <StatusBadge status={run.status} />
            <span className="grow truncate">{relativeTime(run.created_at, i18n.language)}</span>
            <span className="muted">v{run.graph_version}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function VersionList({ graphId, currentVersion, onOpenVersion, onRestoreVersion }: HistoryPanelProps) {
  const { t, i18n } = useTranslation();
  const { data, isLoading } = useVersions(graphId, true);
  if (isLoading) return <Loading />;
  const versions = [...(data ?? [])].sort((a, b) => b.version - a.version);
  return (
    <ul className="side-list" data-testid="version-list">
      {versions.map((g) => (
        <li
          key={g.version}
          className={g.version === currentVersion ? "side-item static active" : "side-item static"}
        >
          <span className="version-tag">v{g.version}</span>
          <span className="grow">
            <span className="truncate">{g.is_active ? t("history.active") : g.name}</span>
            <span className="hint">
              {t("history.nodes", { count: g.nodes.length })}
              {(g.created_at ?? g.updated_at) &&
                ` · ${relativeTime(g.created_at ?? g.updated_at, i18n.language)}`}
            </span>
          </span>
          <button
            className="btn btn-sm"
            onClick={() => onOpenVersion(g.version)}
            disabled={g.version === currentVersion}
          >
            {t("history.open")}
          </button>
          {!g.is_active && (
            <button
              className="btn btn-sm"
              onClick={() => onRestoreVersion(g.version)}
              title={t("history.restoreHint")}
            >
              <Icon name="restore" size={13} /> {t("history.restore")}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function ScheduleList({ graphId }: HistoryPanelProps) {
  const { t } = useTranslation();
  const { data, isLoading } = useGraphSchedules(graphId);
  if (isLoading) return <Loading />;
  if (!data?.length) return <p className="side-panel-body muted">{t("history.noSchedules")}</p>;
  return (
    <ul className="side-list" data-testid="schedule-list">
      {data.map((s) => (
        <li
          key={s.id}
          className={s.enabled ? "schedule-item" : "schedule-item paused"}
          data-testid="schedule-item"
        >
          <ScheduleSwitch schedule={s} />
          <div className="grow">
            <span className="schedule-name truncate">{s.name}</span>
            <span className="schedule-meta">
              <CronText cron={s.cron} />
            </span>
            <span className="schedule-zone">
              {s.timezone}
              {s.graph_version !== null && ` · v${s.graph_version}`}
            </span>
            <span className="schedule-meta" data-testid="schedule-next">
              <span className="muted">{t("schedules.nextRun")}</span>{" "}
              {s.enabled ? <LocalTime iso={s.next_run_at} /> : t("schedules.off")}
            </span>
            <span className="schedule-meta">
              <span className="muted">{t("schedules.lastRun")}</span> <LastRun schedule={s} />
            </span>
            <LastError schedule={s} />
          </div>
          <DeleteSchedule schedule={s} />
        </li>
      ))}
    </ul>
  );
}
