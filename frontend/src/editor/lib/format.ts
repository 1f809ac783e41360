/** Short, readable renderings of values, durations and times for the UI. */

export function preview(value: unknown, limit = 400): string {
  const json = JSON.stringify(value, null, 2) as string | undefined;
  const text = typeof value === "string" ? value : (json ?? String(value));
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

export function durationMs(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isNaN(ms) ? null : Math.max(0, ms);
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** One tick of an axis `total` ms long: spans under 10 ms need tenths of a millisecond. */
function formatTick(ms: number, total: number): string {
  if (ms === 0) return "0";
  if (total < 10) return `${Number(ms.toFixed(1))} ms`;
  return formatDuration(ms);
}

/**
 * The labels of a time axis `total` ms long: its start, middle and end, precise enough
 * to differ ("0 · 0.5 ms · 1 ms" for a fast run); a middle that would read like the
 * start or the end is left out.
 */
export function axisTicks(total: number): string[] {
  const ticks = ["0", formatTick(total / 2, total), formatTick(total, total)];
  return ticks.filter((tick, i) => ticks.indexOf(tick) === i);
}

export function formatTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return date.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

export function relativeTime(iso: string | null | undefined, locale?: string, now = Date.now()): string {
  if (!iso) return "—";
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (Number.isNaN(seconds)) return "—";
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), "hour");
  return rtf.format(Math.round(seconds / 86_400), "day");
}
