/**
 * Asks for the agent's inputs (from its Agent Input blocks) and starts a run, or, in its
 * "Schedule…" mode, saves those inputs in a schedule that runs the agent on a timetable.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { api } from "../../api/endpoints";
import { keys } from "../../api/queries";
import type { JSONSchema } from "../../api/types";
import { normalizeCron } from "../../schedules/cron";
import type { ScheduleForm } from "../../schedules/form";
import { newScheduleForm } from "../../schedules/form";
import { ScheduleFields } from "../../schedules/ScheduleFields";
import { Dialog } from "../../ui/Dialog";
import { toast } from "../../ui/toasts";
import { useCanvas } from "../context";
import { formatTime } from "../lib/format";
import { hasValue } from "../lib/fieldKinds";
import { SchemaForm } from "./SchemaForm";

interface RunDialogProps {
  open: boolean;
  schema: JSONSchema;
  onClose: () => void;
  onRun: (inputs: Record<string, unknown>) => Promise<void>;
}

type Mode = "run" | "schedule";

/** What the server said is wrong with a schedule: its message, and per-field problems if any. */
interface Refusal {
  message: string;
  problems: string[];
}

function defaults(schema: JSONSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (prop.default !== undefined) out[name] = prop.default;
  }
  return out;
}

function refusal(error: unknown): Refusal {
  if (!(error instanceof ApiError)) return { message: String(error), problems: [] };
  const problems = error.problems.map((p) => p.message).filter((m) => m !== error.message);
  return { message: error.message, problems };
}

export function RunDialog({ open, schema, onClose, onRun }: RunDialogProps) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const header = useCanvas((s) => s.header);
  const [mode, setMode] = useState<Mode>("run");
  const [values, setValues] = useState<Record<string, unknown>>(() => defaults(schema));
  const [missing, setMissing] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState<ScheduleForm>(() => newScheduleForm(header.name));
  const [formMissing, setFormMissing] = useState<Set<"name" | "cron">>(new Set());
  const [refused, setRefused] = useState<Refusal | null>(null);

  const schedule = async () => {
    const made = await api.createSchedule(header.id, {
      name: form.name.trim(),
      cron: normalizeCron(form.cron),
      timezone: form.timezone,
      inputs: values,
      graph_version: form.pinned ? header.version : null,
    });
    void queryClient.invalidateQueries({ queryKey: keys.schedules });
    toast.success(
      t("schedules.created", { name: made.name, time: formatTime(made.next_run_at, i18n.language) }),
    );
    onClose();
  };

  const submit = async () => {
    const gaps = new Set((schema.required ?? []).filter((name) => !hasValue(values[name])));
    setMissing(gaps);
    const formGaps = new Set<"name" | "cron">();
    if (mode === "schedule" && !form.name.trim()) formGaps.add("name");
    if (mode === "schedule" && !form.cron.trim()) formGaps.add("cron");
    setFormMissing(formGaps);
    if (gaps.size || formGaps.size) return;
    setBusy(true);
    setRefused(null);
    try {
      if (mode === "run") await onRun(values);
      else await schedule().catch((error: unknown) => setRefused(refusal(error)));
    } finally {
      setBusy(false);
    }
  };

  const scheduling = mode === "schedule";
  return (
    <Dialog
      open={open}
      title={scheduling ? t("schedules.dialogTitle") : t("run.dialogTitle")}
      description={scheduling ? t("schedules.dialogHint") : t("run.dialogHint")}
      onClose={onClose}
      testId="run-dialog"
      footer={
        <>
          {scheduling ? (
            <button
              className="btn"
              onClick={() => {
                setMode("run");
                setRefused(null);
              }}
              data-testid="schedule-back"
            >
              {t("schedules.back")}
            </button>
          ) : (
            <>
              <button className="btn" onClick={onClose}>
                {t("common.cancel")}
              </button>
              <span className="grow" />
              <button className="btn" onClick={() => setMode("schedule")} data-testid="run-schedule">
                {t("schedules.open")}
              </button>
            </>
          )}
          <button
            className="btn btn-primary"
            onClick={() => void submit()}
            disabled={busy}
            data-testid={scheduling ? "schedule-create" : "run-start"}
          >
            {busy ? <span className="spinner" /> : null}
            {scheduling ? t("schedules.create") : t("run.start")}
          </button>
        </>
      }
    >
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {scheduling && (
          <ScheduleFields
            value={form}
            onChange={(next) => {
              setForm(next);
              setRefused(null);
            }}
            version={header.version}
            missing={formMissing}
          />
        )}
        {scheduling && <h3 className="label schedule-inputs-head">{t("schedules.inputs")}</h3>}
        <SchemaForm
          idPrefix="run-input"
          schema={schema}
          values={values}
          onChange={setValues}
          missing={missing}
        />
        {scheduling && refused && (
          <div className="callout error schedule-error" role="alert" data-testid="schedule-error">
            <div>
              {refused.message}
              {refused.problems.length > 0 && (
                <ul>
                  {refused.problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        )}
      </form>
    </Dialog>
  );
}
