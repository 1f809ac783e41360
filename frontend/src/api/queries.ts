/** TanStack Query keys and hooks for server state shared across pages. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "./endpoints";
import { getTokens } from "./session";
import type { CreditKind, Schedule } from "./types";

export const keys = {
  me: ["me"] as const,
  blocks: ["blocks"] as const,
  graphs: ["graphs"] as const,
  graph: (id: string, version?: number) => ["graph", id, version ?? "active"] as const,
  versions: (id: string) => ["graph", id, "versions"] as const,
  executions: ["executions"] as const,
  graphExecutions: (id: string) => ["graph", id, "executions"] as const,
  execution: (execId: string) => ["execution", execId] as const,
  apiKeys: ["api-keys"] as const,
  credentials: ["credentials"] as const,
  providers: ["providers"] as const,
  /** Every schedule list starts with this, so invalidating it refreshes them all. */
  schedules: ["schedules"] as const,
  graphSchedules: (graphId: string) => ["schedules", "graph", graphId] as const,
  /** Every credits query starts with this, so invalidating it refreshes balance and ledger. */
  credits: ["credits"] as const,
  creditTransactions: (kind: CreditKind | undefined, offset: number, limit: number) =>
    ["credits", "transactions", kind ?? "all", offset, limit] as const,
};

export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: api.me,
    enabled: getTokens() !== null,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** The block catalogue changes only with a server upgrade: fetch once per session. */
export function useBlocks() {
  return useQuery({ queryKey: keys.blocks, queryFn: api.listBlocks, staleTime: Infinity });
}

export function useGraphs() {
  return useQuery({ queryKey: keys.graphs, queryFn: api.listGraphs });
}

export function useExecutions() {
  return useQuery({ queryKey: keys.executions, queryFn: api.listExecutions });
}

export function useGraphExecutions(graphId: string | undefined) {
  return useQuery({
    queryKey: keys.graphExecutions(graphId ?? ""),
    queryFn: () => api.listGraphExecutions(graphId ?? ""),
    enabled: Boolean(graphId),
  });
}

export function useVersions(graphId: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: keys.versions(graphId ?? ""),
    queryFn: () => api.listVersions(graphId ?? ""),
    enabled: Boolean(graphId) && enabled,
  });
}

export function useApiKeys() {
  return useQuery({ queryKey: keys.apiKeys, queryFn: api.listApiKeys });
}

export function useCredentials(enabled: boolean) {
  return useQuery({ queryKey: keys.credentials, queryFn: api.listCredentials, enabled, retry: false });
}

export function useProviders() {
  return useQuery({ queryKey: keys.providers, queryFn: api.listProviders, staleTime: 5 * 60_000 });
}

/** All the user's schedules, across agents. */
export function useSchedules() {
  return useQuery({
    queryKey: keys.schedules,
    queryFn: api.listSchedules,
    refetchInterval: (query) => untilNextFire(query.state.data),
  });
}

/** One agent's schedules; fetched only while `enabled` (e.g. its tab is open). */
export function useGraphSchedules(graphId: string | undefined, enabled = true) {
  return useQuery({
    queryKey: keys.graphSchedules(graphId ?? ""),
    queryFn: () => api.listGraphSchedules(graphId ?? ""),
    enabled: Boolean(graphId) && enabled,
    refetchInterval: (query) => untilNextFire(query.state.data),
  });
}

/**
 * How long a shown schedule list waits before it asks again: until a few seconds after the
 * earliest planned fire, so "last run" and "next run" move on by themselves (at least 5 s
 * apart while a fire is overdue, at most 10 min); false when none is planned.
 */
export function untilNextFire(schedules: readonly Schedule[] | undefined, now = Date.now()): number | false {
  const fires = (schedules ?? []).flatMap((s) =>
    s.enabled && s.next_run_at ? [Date.parse(s.next_run_at)] : [],
  );
  const next = Math.min(...fires.filter((at) => !Number.isNaN(at)));
  if (!Number.isFinite(next)) return false;
  return Math.min(Math.max(next - now + 3_000, 5_000), 10 * 60_000);
}

/** The balance moves with every run: fetched fresh on each visit, and every minute while shown. */
export function useCredits() {
  return useQuery({ queryKey: keys.credits, queryFn: api.getCredits, staleTime: 0, refetchInterval: 60_000 });
}

/** One page of the ledger, newest first; the previous page stays shown while the next loads. */
export function useCreditTransactions(kind: CreditKind | undefined, offset: number, limit: number) {
  return useQuery({
    queryKey: keys.creditTransactions(kind, offset, limit),
    queryFn: () => api.listCreditTransactions({ kind, offset, limit }),
    staleTime: 0,
    placeholderData: keepPreviousData,
  });
}
