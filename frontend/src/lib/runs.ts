import type { GraphExecutionMeta } from "../api/types";

/** The newest run of each agent, by graph id. */
export function lastRuns(runs: GraphExecutionMeta[]): Map<string, GraphExecutionMeta> {
  const out = new Map<string, GraphExecutionMeta>();
  for (const run of runs) {
    const seen = out.get(run.graph_id);
    if (!seen || (seen.created_at ?? "") < (run.created_at ?? "")) out.set(run.graph_id, run);
  }
  return out;
}
