/**
 * Cron presets and a readable preview of a cron expression.
 *
 * The server (cronsim) is the judge of what an expression means and whether it is valid;
 * this module only puts the common shapes into words ("At 09:00, Monday through Friday")
 * so a person can check what they typed. A shape it does not know is shown as written,
 * never guessed at.
 */
import type { TFunction } from "i18next";

export type PresetId = "hourly" | "daily" | "weekdays" | "monday" | "custom";

/** The choices offered before "custom"; the daily ones fire at 9:00 in the schedule's zone. */
export const PRESETS: readonly { id: Exclude<PresetId, "custom">; cron: string }[] = [
  { id: "hourly", cron: "0 * * * *" },
  { id: "daily", cron: "0 9 * * *" },
  { id: "weekdays", cron: "0 9 * * 1-5" },
  { id: "monday", cron: "0 9 * * 1" },
];

/** One space between fields, no space around: how expressions are compared and sent. */
export function normalizeCron(expr: string): string {
  return expr.trim().split(/\s+/).join(" ");
}

/** The preset an expression is, or "custom". */
export function presetOf(expr: string): PresetId {
  const cron = normalizeCron(expr);
  return PRESETS.find((p) => p.cron === cron)?.id ?? "custom";
}

/** The expression of a preset; "custom" keeps whatever the field holds. */
export function cronOfPreset(preset: PresetId, current: string): string {
  return PRESETS.find((p) => p.id === preset)?.cron ?? current;
}

/** A field read as one of the shapes the preview can word. */
type Field = { kind: "any" } | { kind: "step"; step: number } | { kind: "values"; values: number[] };

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

interface Bounds {
  min: number;
  max: number;
  names?: string[];
  /** What a name's index maps to (months count from 1). */
  nameBase?: number;
}

const MINUTE: Bounds = { min: 0, max: 59 };
const HOUR: Bounds = { min: 0, max: 23 };
const DAY: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = { min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 };
const WEEKDAY: Bounds = { min: 0, max: 7, names: DAY_NAMES, nameBase: 0 };

function atom(text: string, bounds: Bounds): number | null {
  const named = bounds.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + (bounds.nameBase ?? 0);
  if (!/^\d{1,2}$/.test(text)) return null;
  const n = Number(text);
  return n >= bounds.min && n <= bounds.max ? n : null;
}

/** Parse one field; null for anything beyond lists, ranges, `*` and `*\/n` (L, #, a-b/n…). */
export function parseField(text: string, bounds: Bounds): Field | null {
  if (text === "*" || text === "*/1") return { kind: "any" };
  const step = /^\*\/(\d{1,2})$/.exec(text);
  if (step) {
    const n = Number(step[1]);
    return n >= 2 && n <= bounds.max ? { kind: "step", step: n } : null;
  }
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [from, to, ...rest] = part.split("-");
    if (from === undefined || rest.length) return null;
    const a = atom(from, bounds);
    const b = to === undefined ? a : atom(to, bounds);
    if (a === null || b === null || b < a) return null;
    for (let n = a; n <= b; n++) values.add(n);
  }
  return { kind: "values", values: [...values].sort((x, y) => x - y) };
}

interface Words {
  t: TFunction;
  locale: string;
}

function list(items: string[], locale: string): string {
  return new Intl.ListFormat(locale, { type: "conjunction" }).format(items);
}

function weekdayName(day: number, locale: string): string {
  // 7 January 2024 was a Sunday; cron counts Sunday as 0 (and 7).
  const date = new Date(Date.UTC(2024, 0, 7 + (day % 7)));
  return new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" }).format(date);
}

function monthName(month: number, locale: string): string {
  const date = new Date(Date.UTC(2024, month - 1, 1));
  return new Intl.DateTimeFormat(locale, { month: "long", timeZone: "UTC" }).format(date);
}

function clock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/** Contiguous runs of at least three days read as "Monday through Friday". */
function weekdays(values: number[], { t, locale }: Words): string {
  const days = [...new Set(values.map((d) => d % 7))].sort((a, b) => a - b);
  const first = days[0] ?? 0;
  const last = days[days.length - 1] ?? 0;
  if (days.length >= 3 && last - first === days.length - 1) {
    return t("cron.dayRange", { from: weekdayName(first, locale), to: weekdayName(last, locale) });
  }
  return t("cron.onDays", {
    days: list(
      days.map((d) => weekdayName(d, locale)),
      locale,
    ),
  });
}

/** Days of the week, or null when every day of the week is in the field. */
function someWeekdays(dow: Field): number[] | null {
  if (dow.kind !== "values") return null;
  return new Set(dow.values.map((d) => d % 7)).size === 7 ? null : dow.values;
}

/** The "which days" half, or "" for every day; null when it cannot be worded. */
function daysPhrase(dom: Field, month: Field, dow: Field, words: Words): string | null {
  const { t, locale } = words;
  if (dom.kind === "step" || month.kind === "step" || dow.kind === "step") return null;
  const week = someWeekdays(dow);
  // Both day fields restricted means "either" in cron: too subtle to put in a few words.
  if (dom.kind === "values" && week) return null;
  const months =
    month.kind === "values" && month.values.length < 12
      ? list(
          month.values.map((m) => monthName(m, locale)),
          locale,
        )
      : null;
  if (dom.kind === "values") {
    const days = list(dom.values.map(String), locale);
    const count = dom.values.length;
    return months ? t("cron.onMonthDaysIn", { days, months, count }) : t("cron.onMonthDays", { days, count });
  }
  const weekWords = week ? weekdays(week, words) : null;
  if (!months) return weekWords ?? "";
  return weekWords ? t("cron.daysIn", { days: weekWords, months }) : t("cron.everyDayIn", { months });
}

/** The "what time" half; null when it cannot be worded. */
function timePhrase(minute: Field, hour: Field, words: Words): string | null {
  const { t, locale } = words;
  if (minute.kind === "any") return hour.kind === "any" ? t("cron.everyMinute") : null;
  if (minute.kind === "step") return hour.kind === "any" ? t("cron.everyMinutes", { n: minute.step }) : null;
  const minutes = list(minute.values.map(String), locale);
  if (hour.kind === "any") return t("cron.hourlyAt", { minutes });
  if (hour.kind === "step") return t("cron.everyHoursAt", { n: hour.step, minutes });
  const times = hour.values.flatMap((h) => minute.values.map((m) => clock(h, m)));
  return times.length <= 6 ? t("cron.at", { times: list(times, locale) }) : null;
}

/** Words for a cron expression in the UI's language; the expression itself when the shape is unusual. */
export function describeCron(expr: string, t: TFunction, locale: string): string {
  const cron = normalizeCron(expr);
  const fields = cron.split(" ");
  if (fields.length !== 5) return cron;
  const [m, h, dom, mon, dow] = fields as [string, string, string, string, string];
  const parsed = [
    parseField(m, MINUTE),
    parseField(h, HOUR),
    parseField(dom, DAY),
    parseField(mon, MONTH),
    parseField(dow, WEEKDAY),
  ];
  const [minute, hour, day, month, weekday] = parsed;
  if (!minute || !hour || !day || !month || !weekday) return cron;
  const words = { t, locale };
  const time = timePhrase(minute, hour, words);
  const days = daysPhrase(day, month, weekday, words);
  if (time === null || days === null) return cron;
  const fixedTimes = minute.kind === "values" && hour.kind === "values";
  if (!days) return fixedTimes ? t("cron.phrase", { time, days: t("cron.everyDay") }) : time;
  return t("cron.phrase", { time, days });
}
