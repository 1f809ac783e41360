/** One typed function per backend route (docs/api-contract.md). */
import { request } from "./client";
import type {
  ApiKeyCreated,
  ApiKeyInfo,
  ApiKeyScope,
  BlockInfo,
  Credential,
  CredentialDraft,
  CreditKind,
  CreditTransactionPage,
  Credits,
  Provider,
  Graph,
  GraphExecution,
  GraphExecutionMeta,
  GraphMeta,
  ImportResult,
  Schedule,
  ScheduleChange,
  ScheduleDraft,
  TokenPair,
  User,
} from "./types";

export type GraphInput = Omit<Graph, "id" | "version" | "is_active"> &
  Partial<Pick<Graph, "id" | "version" | "is_active">>;

export const api = {
  register: (body: { email: string; password: string; name?: string }) =>
    request<User>("/api/auth/register", { method: "POST", body, auth: false }),
  login: (body: { email: string; password: string }) =>
    request<TokenPair>("/api/auth/login", { method: "POST", body, auth: false }),
  logout: (refreshToken: string) =>
    request<undefined>("/api/auth/logout", {
      method: "POST",
      body: { refresh_token: refreshToken },
    }),
  me: () => request<User>("/api/auth/me"),

  listApiKeys: () => request<ApiKeyInfo[]>("/api/api-keys"),
  createApiKey: (body: { name: string; scopes: ApiKeyScope[] }) =>
    request<ApiKeyCreated>("/api/api-keys", { method: "POST", body }),
  deleteApiKey: (id: string) => request<undefined>(`/api/api-keys/${id}`, { method: "DELETE" }),

  listCredentials: () => request<Credential[]>("/api/integrations/credentials"),
  listProviders: () => request<Provider[]>("/api/integrations/providers"),
  createCredential: (provider: string, draft: CredentialDraft) =>
    request<Credential>(`/api/integrations/${provider}/credentials`, { method: "POST", body: draft }),
  deleteCredential: (provider: string, id: string) =>
    request<{ deleted: true; revoked: boolean }>(`/api/integrations/${provider}/credentials/${id}`, {
      method: "DELETE",
    }),
  checkCredential: (provider: string, id: string) =>
    request<Credential>(`/api/integrations/${provider}/credentials/${id}/check`, { method: "POST" }),
  oauthLogin: (provider: string) =>
    request<{ login_url: string; state_token: string }>(`/api/integrations/${provider}/login`),
  oauthCallback: (provider: string, code: string, stateToken: string) =>
    request<Credential>(`/api/integrations/${provider}/callback`, {
      method: "POST",
      body: { code, state_token: stateToken },
    }),

  listBlocks: () => request<BlockInfo[]>("/api/blocks"),
  executeBlock: (blockId: string, inputs: Record<string, unknown>) =>
    request<Record<string, unknown[]>>(`/api/blocks/${blockId}/execute`, {
      method: "POST",
      body: inputs,
    }),

  listGraphs: () => request<GraphMeta[]>("/api/graphs"),
  getGraph: (id: string, version?: number) => request<Graph>(`/api/graphs/${id}`, { query: { version } }),
  createGraph: (graph: GraphInput) =>
    request<Graph>("/api/graphs", { method: "POST", body: { graph, source: "builder" } }),
  updateGraph: (id: string, graph: GraphInput) =>
    request<Graph>(`/api/graphs/${id}`, { method: "PUT", body: { graph } }),
  deleteGraph: (id: string) => request<undefined>(`/api/graphs/${id}`, { method: "DELETE" }),
  listVersions: (id: string) => request<Graph[]>(`/api/graphs/${id}/versions`),
  setActiveVersion: (id: string, version: number) =>
    request<Graph>(`/api/graphs/${id}/versions/active`, {
      method: "PUT",
      body: { active_graph_version: version },
    }),
  importGraph: (agentJson: unknown) =>
    request<ImportResult>("/api/graphs/import", { method: "POST", body: agentJson }),
  exportGraph: (id: string, version?: number) =>
    request<Graph>(`/api/graphs/${id}/export`, { query: { version } }),

  executeGraph: (
    id: string,
    version: number,
    inputs: Record<string, unknown>,
    nodeInputMasks?: Record<string, Record<string, unknown>>,
  ) =>
    request<GraphExecutionMeta>(`/api/graphs/${id}/execute/${version}`, {
      method: "POST",
      body: { inputs, node_input_masks: nodeInputMasks },
    }),
  listExecutions: () => request<GraphExecutionMeta[]>("/api/executions"),
  listGraphExecutions: (id: string) => request<GraphExecutionMeta[]>(`/api/graphs/${id}/executions`),
  getExecution: (id: string, execId: string) =>
    request<GraphExecution>(`/api/graphs/${id}/executions/${execId}`),
  stopExecution: (id: string, execId: string) =>
    request<GraphExecutionMeta>(`/api/graphs/${id}/executions/${execId}/stop`, {
      method: "POST",
    }),
  rerunExecution: (id: string, execId: string, nodeId: string, inputs?: Record<string, unknown>) =>
    request<GraphExecutionMeta>(`/api/graphs/${id}/executions/${execId}/rerun`, {
      method: "POST",
      body: { node_id: nodeId, inputs },
    }),

  // Schedules: the server allows at most a few hundred per user, so one page holds them all.
  listSchedules: () => request<Schedule[]>("/api/schedules", { query: { limit: 500 } }),
  listGraphSchedules: (graphId: string) =>
    request<Schedule[]>(`/api/graphs/${graphId}/schedules`, { query: { limit: 500 } }),
  getSchedule: (id: string) => request<Schedule>(`/api/schedules/${id}`),
  createSchedule: (graphId: string, draft: ScheduleDraft) =>
    request<Schedule>(`/api/graphs/${graphId}/schedules`, { method: "POST", body: draft }),
  updateSchedule: (id: string, change: ScheduleChange) =>
    request<Schedule>(`/api/schedules/${id}`, { method: "PATCH", body: change }),
  deleteSchedule: (id: string) => request<undefined>(`/api/schedules/${id}`, { method: "DELETE" }),

  getCredits: () => request<Credits>("/api/credits"),
  listCreditTransactions: (page: { kind?: CreditKind; limit: number; offset: number }) =>
    request<CreditTransactionPage>("/api/credits/transactions", { query: page }),
};
