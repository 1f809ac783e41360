/**
 * Shapes of the backend's HTTP and WebSocket contract (docs/api-contract.md) as the app
 * uses them. Enums come straight from the OpenAPI-generated `schema.gen.ts` (`npm run
 * gen:api`); the rest is stricter than the generated shapes (fields the server always
 * fills are required here), and `contract.check.ts` fails the type check when the two drift.
 */
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

export type ExecutionStatus = Schemas["ExecutionStatus"];
export type NodePolicy = Schemas["NodePolicy"];

export const TERMINAL_STATUSES: readonly ExecutionStatus[] = ["COMPLETED", "FAILED", "TERMINATED"];

export interface User {
  id: string;
  email: string;
  name: string;
  is_admin: boolean;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
}

export type ApiKeyScope = Schemas["Scope"];

export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  created_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ApiKeyCreated extends ApiKeyInfo {
  key: string;
}

/** A JSON Schema, as the block schemas carry it, with the UI hints of SchemaField. */
export interface JSONSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  items?: JSONSchema;
  properties?: Record<string, JSONSchema>;
  additionalProperties?: boolean | JSONSchema;
  required?: string[];
  anyOf?: JSONSchema[];
  oneOf?: JSONSchema[];
  allOf?: JSONSchema[];
  $ref?: string;
  $defs?: Record<string, JSONSchema>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  advanced?: boolean;
  secret?: boolean;
  hidden?: boolean;
  placeholder?: string;
  multiline?: boolean;
  credentials_provider?: string[];
  credentials_types?: string[];
  [extra: string]: unknown;
}

export interface BlockCategoryInfo {
  category: string;
  description: string;
}

export type BlockUiType =
  | "Standard"
  | "Input"
  | "Output"
  | "Note"
  | "Webhook"
  | "Webhook (manual)"
  | "Agent"
  | "AI"
  | "Human In The Loop";

export interface BlockInfo {
  id: string;
  name: string;
  description: string;
  categories: BlockCategoryInfo[];
  inputSchema: JSONSchema;
  outputSchema: JSONSchema;
  staticOutput: boolean;
  uiType: BlockUiType;
  costs: { cost_amount: number; cost_type: string }[];
  contributors: string[];
  disabled: boolean;
}

export interface GraphNode {
  id: string;
  block_id: string;
  input_default: Record<string, unknown>;
  metadata: Record<string, unknown>;
  policy?: NodePolicy | null;
}

export interface GraphLink {
  id?: string;
  source_id: string;
  sink_id: string;
  source_name: string;
  sink_name: string;
  is_static: boolean;
}

export interface BaseGraph {
  id: string;
  version: number;
  is_active: boolean;
  name: string;
  description: string;
  nodes: GraphNode[];
  links: GraphLink[];
}

export interface Graph extends BaseGraph {
  sub_graphs?: BaseGraph[];
  user_id?: string;
  created_at?: string;
  updated_at?: string;
  input_schema?: JSONSchema;
  output_schema?: JSONSchema;
}

export interface GraphMeta {
  id: string;
  version: number;
  name: string;
  description: string;
  is_active: boolean;
  created_at: string | null;
  updated_at: string | null;
}

export interface ImportResult {
  graph: Graph;
  missing_blocks: { node_id: string; block_id: string }[];
}

export interface GraphExecutionMeta {
  id: string;
  graph_id: string;
  graph_version: number;
  user_id: string;
  status: ExecutionStatus;
  created_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  inputs: Record<string, unknown>;
  error: string | null;
  /** For a sub-agent run: the run whose Agent Executor node started it. */
  parent_exec_id?: string | null;
  /** For a sub-agent run: the node execution that started it. */
  parent_node_exec_id?: string | null;
}

export interface NodeExecution {
  node_exec_id: string;
  node_id: string;
  block_id: string;
  status: ExecutionStatus;
  input_data: Record<string, unknown>;
  output_data: Record<string, unknown[]>;
  add_time: string | null;
  queue_time: string | null;
  start_time: string | null;
  end_time: string | null;
  error: string | null;
  seq: number;
}

export interface GraphExecution extends GraphExecutionMeta {
  outputs: Record<string, unknown[]>;
  node_executions: NodeExecution[];
  /** Sub-agent runs started by this run's Agent Executor nodes, oldest first. */
  children?: GraphExecutionMeta[];
}

export interface ValidationProblem {
  node_id: string | null;
  field: string | null;
  message: string;
}

export interface ApiErrorBody {
  detail: string;
  type?: string;
  problems?: ValidationProblem[];
}

/** WebSocket envelope, both ways. */
export interface WSMessage<T = unknown> {
  method: string;
  data?: T;
  success?: boolean;
  channel?: string;
  error?: string;
}

export interface GraphExecutionEvent extends GraphExecutionMeta {
  outputs: Record<string, unknown[]>;
  seq: number;
}

/** Partial output of a running node; shown live, never stored. */
export interface NodeExecutionStream {
  graph_exec_id: string;
  node_exec_id: string;
  node_id: string;
  pin: string;
  value: unknown;
}

export interface NodeExecutionEvent extends NodeExecution {
  graph_id: string;
  graph_version: number;
  graph_exec_id: string;
  user_id: string;
}

export type CredentialsType = Schemas["CredentialPublic"]["type"];

/** What a node's credentials input holds: a reference to saved credentials, never a secret. */
export interface CredentialsMeta {
  id: string;
  provider: string;
  type: CredentialsType;
  title: string | null;
}

/** Saved credentials as the API lists them (metadata only). */
export interface Credential {
  id: string;
  provider: string;
  type: CredentialsType;
  title: string;
  username: string | null;
  host: string | null;
  header_names: string[];
  scopes: string[];
  expires_at: string | null;
  status: "active" | "broken";
  status_reason: string | null;
  created_at: string | null;
}

export type CredentialDraft =
  Schemas["APIKeyDraft"] | Schemas["UserPasswordDraft"] | Schemas["HostScopedDraft"];

export interface Provider {
  name: string;
  title: string;
  credential_types: string[];
  oauth_configured: boolean;
}

/** A schedule: runs an agent on a cron expression in a time zone with saved inputs. */
export interface Schedule {
  id: string;
  graph_id: string;
  /** Empty: whichever version is active when it fires. */
  graph_version: number | null;
  name: string;
  cron: string;
  timezone: string;
  /** Secret inputs come back masked. */
  inputs: Record<string, unknown>;
  enabled: boolean;
  /** Empty while the schedule is off. */
  next_run_at: string | null;
  last_run_at: string | null;
  /** The run its last fire started. */
  last_exec_id: string | null;
  /** Why its last fire could not start. */
  last_error: string | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface ScheduleDraft {
  name: string;
  cron: string;
  timezone: string;
  inputs: Record<string, unknown>;
  graph_version?: number | null;
}

/** The fields a PATCH may change; only those given change. */
export type ScheduleChange = Partial<ScheduleDraft & { enabled: boolean }>;

export type CreditKind = Schemas["CreditKind"];

/** The caller's credits; with `enabled` false the server charges nothing. */
export interface Credits {
  enabled: boolean;
  balance: number;
  /** Held by nodes running now; charged when they finish. */
  reserved: number;
  available: number;
}

/** One ledger row: `amount` is signed (usage negative), `running_balance` the balance after it. */
export interface CreditTransaction {
  id: string;
  kind: CreditKind;
  amount: number;
  running_balance: number;
  created_at: string | null;
  reason: string | null;
  /** Usage only: the agent and run it paid for. */
  graph_id: string | null;
  graph_exec_id: string | null;
  node_exec_id: string | null;
  block_id: string | null;
}

export interface CreditTransactionPage {
  transactions: CreditTransaction[];
  /** Matching transactions over every page. */
  total: number;
}
