/**
 * Compile-time checks that the app's API types (types.ts) and the routes it calls
 * (endpoints.ts) match the backend's OpenAPI document (schema.gen.ts). Nothing runs here:
 * `tsc` fails when the backend renames a field or a route the front end depends on.
 */
import type { components, paths } from "./schema.gen";
import type {
  ApiKeyCreated,
  ApiKeyInfo,
  ApiKeyScope,
  Credential,
  CreditKind,
  CreditTransaction,
  CreditTransactionPage,
  Credits,
  ExecutionStatus,
  Graph,
  GraphExecution,
  GraphExecutionMeta,
  GraphMeta,
  ImportResult,
  NodeExecution,
  Provider,
  Schedule,
  ScheduleChange,
  ScheduleDraft,
  TokenPair,
  User,
} from "./types";

type S = components["schemas"];
type Assert<T extends true> = T;
/** Every field the app reads exists in the server's schema. */
type KeysIn<Ours, Theirs> = [Exclude<keyof Ours, keyof Theirs>] extends [never] ? true : false;
type Assignable<A, B> = [A] extends [B] ? true : false;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export type ResponseChecks = [
  Assert<KeysIn<User, S["UserPublic"]>>,
  Assert<KeysIn<TokenPair, S["TokenPairPublic"]>>,
  Assert<KeysIn<ApiKeyInfo, S["ApiKeyPublic"]>>,
  Assert<KeysIn<ApiKeyCreated, S["ApiKeyCreated"]>>,
  Assert<KeysIn<GraphMeta, S["GraphMetaPublic"]>>,
  Assert<KeysIn<Omit<Graph, "created_at" | "updated_at">, S["GraphPublic"]>>,
  Assert<KeysIn<ImportResult, S["GraphImportPublic"]>>,
  Assert<KeysIn<GraphExecutionMeta, S["GraphExecutionMeta"]>>,
  Assert<KeysIn<GraphExecution, S["GraphExecutionPublic"]>>,
  Assert<KeysIn<NodeExecution, S["NodeExecutionPublic"]>>,
  Assert<Same<ExecutionStatus, S["ExecutionStatus"]>>,
  Assert<KeysIn<Credential, S["CredentialPublic"]>>,
  Assert<KeysIn<Provider, S["ProviderPublic"]>>,
  Assert<KeysIn<Schedule, S["SchedulePublic"]>>,
  // Every field the server may send is one the app knows about, too.
  Assert<KeysIn<S["SchedulePublic"], Schedule>>,
  Assert<KeysIn<Credits, S["CreditsPublic"]>>,
  Assert<KeysIn<CreditTransaction, S["CreditTransactionPublic"]>>,
  Assert<KeysIn<S["CreditTransactionPublic"], CreditTransaction>>,
  Assert<KeysIn<CreditTransactionPage, S["CreditTransactionPage"]>>,
  Assert<Same<CreditKind, S["CreditKind"]>>,
];

export type RequestChecks = [
  // user_id has a server-side default, which the generator marks as required.
  Assert<
    Assignable<
      Omit<Graph, "created_at" | "updated_at" | "input_schema" | "output_schema">,
      Omit<S["Graph"], "user_id">
    >
  >,
  Assert<Assignable<{ name: string; scopes: ApiKeyScope[] }, S["ApiKeyCreate"]>>,
  Assert<
    Assignable<
      { inputs: Record<string, unknown>; node_input_masks?: Record<string, Record<string, unknown>> },
      S["ExecuteRequest"]
    >
  >,
  Assert<Assignable<{ node_id: string; inputs?: Record<string, unknown> }, S["RerunRequest"]>>,
  Assert<Assignable<{ active_graph_version: number }, S["SetActiveVersion"]>>,
  Assert<Assignable<ScheduleDraft, S["ScheduleCreate"]>>,
  Assert<Assignable<ScheduleChange, S["ScheduleUpdate"]>>,
];

/** Every route endpoints.ts calls, as the OpenAPI document names it. */
type UsedRoutes =
  | "/api/auth/register"
  | "/api/auth/login"
  | "/api/auth/refresh"
  | "/api/auth/logout"
  | "/api/auth/me"
  | "/api/api-keys"
  | "/api/api-keys/{key_id}"
  | "/api/blocks"
  | "/api/blocks/{block_id}/execute"
  | "/api/graphs"
  | "/api/graphs/import"
  | "/api/graphs/{graph_id}"
  | "/api/graphs/{graph_id}/versions"
  | "/api/graphs/{graph_id}/versions/active"
  | "/api/graphs/{graph_id}/export"
  | "/api/graphs/{graph_id}/execute/{graph_version}"
  | "/api/executions"
  | "/api/graphs/{graph_id}/executions"
  | "/api/graphs/{graph_id}/executions/{graph_exec_id}"
  | "/api/graphs/{graph_id}/executions/{graph_exec_id}/stop"
  | "/api/graphs/{graph_id}/executions/{graph_exec_id}/rerun"
  | "/api/integrations/providers"
  | "/api/integrations/credentials"
  | "/api/integrations/{provider}/credentials"
  | "/api/integrations/{provider}/credentials/{credential_id}"
  | "/api/integrations/{provider}/credentials/{credential_id}/check"
  | "/api/integrations/{provider}/login"
  | "/api/integrations/{provider}/callback"
  | "/api/graphs/{graph_id}/schedules"
  | "/api/schedules"
  | "/api/schedules/{schedule_id}"
  | "/api/credits"
  | "/api/credits/transactions";

export type RouteChecks = Assert<Assignable<UsedRoutes, keyof paths>>;
