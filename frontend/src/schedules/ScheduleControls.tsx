/**
 * The pieces a schedule shows wherever it is listed (the editor's history panel and the
 * Schedules page): when it fires in words, its on/off switch, its delete button with a
 * confirmation, and the error of its last fire.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Schedule } from "../api/types";
import { formatTime, relativeTime } from "../editor/lib/format";
import { Dialog } from "../ui/Dialog";
import { Icon } from "../ui/Icon";
import { toast } from "../ui/toasts";
import { describeCron, normalizeCron } from "./cron";
import "./schedules.css";

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "At 09:00, Monday through Friday" with the raw expression on hover; an unusual one as written. */
export function CronText({ cron }: { cron: string }) {
  const { t, i18n } = useTranslation();
  const words = describeCron(cron, t, i18n.language);
  return (
    <span title={cron} className={words === normalizeCron(cron) ? "cron-raw" : undefined}>
      {words}
    </span>
  );
}

/** A time in the viewer's own zone (the schedule's zone may differ; the server sends UTC). */
export function LocalTime({ iso }: { iso: string | null }) {
  const { i18n } = useTranslation();
  return <time dateTime={iso ?? undefined}>{formatTime(iso, i18n.language)}</time>;
}

/**
 * Runs one change to a schedule: busy while it runs, a toast with the outcome, and the
 * schedule lists refreshed either way (a failed change may still mean the row moved on).
 */
function useScheduleChange() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const run = async (change: () => Promise<string>): Promise<boolean> => {
    setBusy(true);
    try {
      toast.success(await change());
      return true;
    } catch (error) {
      toast.error(t("schedules.changeFailed", { message: message(error) }));
      return false;
    } finally {
      setBusy(false);
      void queryClient.invalidateQueries({ queryKey: keys.schedules });
    }
  };
  return { busy, run };
}

export function ScheduleSwitch({ schedule }: { schedule: Schedule }) {
  const { t, i18n } = useTranslation();
  const { busy, run } = useScheduleChange();
  const toggle = (enabled: boolean) =>
    run(async () => {
      const saved = await api.updateSchedule(schedule.id, { enabled });
      return enabled
        ? t("schedules.resumed", { name: saved.name, time: formatTime(saved.next_run_at, i18n.language) })
        : t("schedules.paused", { name: saved.name });
    });
  return (
    <input
      type="checkbox"
      role="switch"
      className="switch"
      checked={schedule.enabled}
      aria-checked={schedule.enabled}
      disabled={busy}
      aria-label={t("schedules.enabledNamed", { name: schedule.name })}
      title={schedule.enabled ? t("schedules.pauseHint") : t("schedules.resumeHint")}
      data-testid="schedule-switch"
      onChange={(e) => void toggle(e.target.checked)}
    />
  );
}

export function DeleteSchedule({ schedule }: { schedule: Schedule }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const { busy, run } = useScheduleChange();
  const remove = async () => {
    const done = await run(async () => {
      await api.deleteSchedule(schedule.id);
      return t("schedules.deleted", { name: schedule.name });
    });
    if (done) setAsking(false);
  };
  return (
    <>
      <button
        className="btn btn-ghost btn-sm btn-icon"
        onClick={() => setAsking(true)}
        aria-label={t("schedules.deleteNamed", { name: schedule.name })}
        title={t("schedules.delete")}
        data-testid="schedule-delete"
      >
        <Icon name="trash" size={13} />
      </button>
      {asking && (
        <Dialog
          open
          title={t("schedules.deleteTitle", { name: schedule.name })}
          onClose={() => setAsking(false)}
          testId="schedule-delete-dialog"
          footer={
            <>
              <button className="btn" onClick={() => setAsking(false)}>
                {t("common.cancel")}
              </button>
              <button
                className="btn btn-danger-solid"
                onClick={() => void remove()}
                disabled={busy}
                data-testid="schedule-delete-confirm"
              >
                {t("schedules.delete")}
              </button>
            </>
          }
        >
          <p className="muted">{t("schedules.deleteBody")}</p>
        </Dialog>
      )}
    </>
  );
}

/** Why the last fire could not start; stays until a fire succeeds. */
export function LastError({ schedule }: { schedule: Schedule }) {
  const { t } = useTranslation();
  if (!schedule.last_error) return null;
  return (
    <div className="callout error schedule-last-error" role="alert" data-testid="schedule-last-error">
      <Icon name="alert" size={13} />
      <span>{t("schedules.lastError", { message: schedule.last_error })}</span>
    </div>
  );
}

/** When it last fired, linking to the run that fire started. */
export function LastRun({ schedule }: { schedule: Schedule }) {
  const { t, i18n } = useTranslation();
  if (!schedule.last_run_at) return <span className="muted">{t("schedules.notYet")}</span>;
  const when = relativeTime(schedule.last_run_at, i18n.language);
  // After a failed fire, last_exec_id is still the run of an earlier fire: no link then.
  if (!schedule.last_exec_id || schedule.last_error) return <span>{when}</span>;
  return (
    <Link to={`/agents/${schedule.graph_id}/runs/${schedule.last_exec_id}`} data-testid="schedule-last-run">
      {when}
    </Link>
  );
}
