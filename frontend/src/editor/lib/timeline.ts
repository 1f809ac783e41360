/** Placing node executions on a time axis (see panels/Timeline.tsx). */
import type { NodeExecution } from "../../api/types";

export interface TimelineRow {
  exec: NodeExecution;
  label: string;
}

/** A run's node executions in the order they were queued, each with its node's label. */
export function timelineRows(
  execs: Record<string, NodeExecution>,
  labels: Map<string, string>,
): TimelineRow[] {
  return Object.values(execs)
    .sort((a, b) => (a.add_time ?? "").localeCompare(b.add_time ?? "") || a.seq - b.seq)
    .map((exec) => ({ exec, label: labels.get(exec.node_id) ?? exec.node_id.slice(0, 8) }));
}

interface Span {
  left: number;
  width: number;
}

/** Where a [from, to] interval sits on the axis, in percent; null when unknown. */
export function spanOf(from: string | null, to: string | null, start: number, total: number): Span | null {
  if (!from || total <= 0) return null;
  const a = Date.parse(from);
  const b = to ? Date.parse(to) : start + total;
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  const left = ((a - start) / total) * 100;
  return { left: Math.max(0, left), width: Math.max(0.6, ((b - a) / total) * 100) };
}

export function axisOf(execs: NodeExecution[], now: number): { start: number; total: number } {
  const times = execs.flatMap((e) => [e.add_time, e.queue_time, e.start_time, e.end_time]);
  const parsed = times.filter((t): t is string => Boolean(t)).map((t) => Date.parse(t));
  if (parsed.length === 0) return { start: now, total: 0 };
  const start = Math.min(...parsed);
  const running = execs.some((e) => !e.end_time);
  const end = Math.max(...parsed, running ? now : 0);
  return { start, total: Math.max(end - start, 1) };
}
