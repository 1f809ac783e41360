/** Every schedule of the user, across agents: when each fires, its last run, on/off, delete. */
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useGraphs, useSchedules } from "../api/queries";
import type { Schedule } from "../api/types";
import { Icon } from "../ui/Icon";
import {
  CronText,
  DeleteSchedule,
  LastError,
  LastRun,
  LocalTime,
  ScheduleSwitch,
} from "../schedules/ScheduleControls";
import { PageHead } from "../ui/PageHead";

const COLUMNS = ["name", "agent", "when", "nextRun", "lastRun"] as const;

function Row({ schedule, agentName }: { schedule: Schedule; agentName: string | undefined }) {
  const { t } = useTranslation();
  return (
    <tr data-testid="schedule-row" className={schedule.enabled ? undefined : "paused"}>
      <td>
        <span className="schedule-name">{schedule.name}</span>
        <LastError schedule={schedule} />
      </td>
      <td>
        <Link to={`/agents/${schedule.graph_id}`} className="agent-name" data-testid="schedule-agent">
          {agentName ?? t("editor.untitled")}
        </Link>
        <div className="hint">
          {schedule.graph_version === null
            ? t("schedules.activeVersion")
            : t("schedules.pinnedVersion", { version: schedule.graph_version })}
        </div>
      </td>
      <td>
        <CronText cron={schedule.cron} />
        <div className="schedule-zone">{schedule.timezone}</div>
      </td>
      <td data-testid="schedule-next">
        {schedule.enabled ? (
          <LocalTime iso={schedule.next_run_at} />
        ) : (
          <span className="badge status-TERMINATED">{t("schedules.off")}</span>
        )}
      </td>
      <td>
        <LastRun schedule={schedule} />
      </td>
      <td>
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <ScheduleSwitch schedule={schedule} />
          <DeleteSchedule schedule={schedule} />
        </div>
      </td>
    </tr>
  );
}

export function SchedulesPage() {
  const { t } = useTranslation();
  const schedules = useSchedules();
  const graphs = useGraphs();
  const names = useMemo(() => new Map((graphs.data ?? []).map((g) => [g.id, g.name])), [graphs.data]);
  const list = schedules.data ?? [];
  return (
    <div className="page-inner">
      <PageHead title={t("schedules.title")} subtitle={t("schedules.subtitle")} />
      <div className="card">
        {schedules.isLoading ? (
          <div className="empty">
            <span className="spinner" />
          </div>
        ) : schedules.isError ? (
          <div className="callout error" role="alert">
            {schedules.error.message}
          </div>
        ) : list.length === 0 ? (
          <div className="empty">
            <Icon name="history" size={28} />
            <h3>{t("schedules.emptyTitle")}</h3>
            <p>{t("schedules.emptyBody")}</p>
            <Link className="btn" to="/agents">
              {t("notFound.home")}
            </Link>
          </div>
        ) : (
          <table className="table schedules-table" data-testid="schedules-table">
            <thead>
              <tr>
                {COLUMNS.map((column) => (
                  <th key={column}>{t(`schedules.${column}`)}</th>
                ))}
                <th>
                  <span className="sr-only">{t("agents.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <Row key={s.id} schedule={s} agentName={names.get(s.graph_id) || undefined} />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
