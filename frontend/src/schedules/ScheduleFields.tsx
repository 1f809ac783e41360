/**
 * The schedule half of the run dialog: a name, when it repeats (a preset or a cron
 * expression, put into words as it is typed), the time zone it is read in, and which
 * version of the agent it runs. The agent's inputs are the run form's own.
 */
import type { ReactNode } from "react";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Icon } from "../ui/Icon";
import type { PresetId } from "./cron";
import { PRESETS, cronOfPreset, presetOf } from "./cron";
import { CronText } from "./ScheduleControls";
import type { ScheduleForm } from "./form";
import { browserTimeZone, timeZones } from "./zones";
import "./schedules.css";

function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="form-field">
      <label className="label" htmlFor={id}>
        {label}
      </label>
      {children}
    </div>
  );
}

interface ScheduleFieldsProps {
  value: ScheduleForm;
  onChange: (value: ScheduleForm) => void;
  /** The version open in the editor, offered for pinning. */
  version: number;
  /** Fields left empty that must not be, after a try to submit. */
  missing: ReadonlySet<"name" | "cron">;
}

export function ScheduleFields({ value, onChange, version, missing }: ScheduleFieldsProps) {
  const { t } = useTranslation();
  const zones = useMemo(() => timeZones([browserTimeZone(), value.timezone]), [value.timezone]);
  const preset = presetOf(value.cron);
  const set = (patch: Partial<ScheduleForm>) => onChange({ ...value, ...patch });
  return (
    <div className="stack schedule-fields" data-testid="schedule-fields">
      <Field id="schedule-name" label={t("schedules.name")}>
        <input
          id="schedule-name"
          className="input"
          value={value.name}
          maxLength={200}
          aria-invalid={missing.has("name") || undefined}
          onChange={(e) => set({ name: e.target.value })}
        />
        {missing.has("name") && <span className="error-text">{t("run.required")}</span>}
      </Field>
      <div className="row">
        <Field id="schedule-preset" label={t("schedules.repeat")}>
          <select
            id="schedule-preset"
            className="select"
            value={preset}
            onChange={(e) => set({ cron: cronOfPreset(e.target.value as PresetId, value.cron) })}
          >
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {t(`schedules.preset.${p.id}`)}
              </option>
            ))}
            <option value="custom">{t("schedules.preset.custom")}</option>
          </select>
        </Field>
        <Field id="schedule-cron" label={t("schedules.cron")}>
          <input
            id="schedule-cron"
            className="input mono"
            value={value.cron}
            maxLength={200}
            spellCheck={false}
            autoComplete="off"
            placeholder="0 9 * * 1-5"
            aria-invalid={missing.has("cron") || undefined}
            aria-describedby="schedule-cron-preview"
            title={t("schedules.cronHint")}
            onChange={(e) => set({ cron: e.target.value })}
          />
        </Field>
      </div>
      <div id="schedule-cron-preview" className="schedule-preview" data-testid="cron-preview">
        <Icon name="history" size={14} />
        {missing.has("cron") ? (
          <span className="error-text">{t("run.required")}</span>
        ) : (
          <span>{value.cron.trim() ? <CronText cron={value.cron} /> : t("schedules.cronHint")}</span>
        )}
      </div>
      <div className="row">
        <Field id="schedule-timezone" label={t("schedules.timezone")}>
          <select
            id="schedule-timezone"
            className="select"
            value={value.timezone}
            onChange={(e) => set({ timezone: e.target.value })}
          >
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll("_", " ")}
              </option>
            ))}
          </select>
        </Field>
        <Field id="schedule-version" label={t("schedules.version")}>
          <select
            id="schedule-version"
            className="select"
            value={value.pinned ? "pinned" : "active"}
            title={t("schedules.versionHint")}
            onChange={(e) => set({ pinned: e.target.value === "pinned" })}
          >
            <option value="active">{t("schedules.activeVersion")}</option>
            <option value="pinned">{t("schedules.pinnedVersion", { version })}</option>
          </select>
        </Field>
      </div>
    </div>
  );
}
