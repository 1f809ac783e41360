/**
 * One fetch wrapper for every route: JSON in and out, the bearer token, one refresh on
 * 401, and errors as `ApiError` carrying the server's `detail` and per-node `problems`.
 */
import { clearTokens, getTokens, setTokens } from "./session";
import type { ApiErrorBody, TokenPair, ValidationProblem } from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly type: string | undefined;
  readonly problems: ValidationProblem[];

  constructor(status: number, body: ApiErrorBody) {
    super(body.detail || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.type = body.type;
    this.problems = body.problems ?? [];
  }
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  auth?: boolean;
  signal?: AbortSignal;
}

let refreshing: Promise<boolean> | null = null;

function buildUrl(path: string, query?: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function readError(response: Response): Promise<ApiError> {
  let body: ApiErrorBody = { detail: response.statusText || `HTTP ${response.status}` };
  try {
    const parsed = (await response.json()) as Omit<Partial<ApiErrorBody>, "detail"> & {
      detail?: unknown;
    };
    const detail = typeof parsed.detail === "string" ? parsed.detail : JSON.stringify(parsed.detail ?? "");
    body = { ...parsed, detail: detail || body.detail };
  } catch {
    // Not JSON (a proxy error page, say): the status text is all we have.
  }
  return new ApiError(response.status, body);
}

/** Trade the refresh token for a new pair; concurrent 401s share one attempt. */
export async function refreshSession(): Promise<boolean> {
  const tokens = getTokens();
  if (!tokens) return false;
  refreshing ??= (async () => {
    try {
      const response = await fetch("/api/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      });
      if (!response.ok) return false;
      setTokens((await response.json()) as TokenPair);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const tokens = options.auth === false ? null : getTokens();
  if (tokens) headers.Authorization = `Bearer ${tokens.access_token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(buildUrl(path, options.query), {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: options.signal ?? null,
  });
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options);
  if (response.status === 401 && options.auth !== false && getTokens()) {
    if (await refreshSession()) {
      response = await send(path, options);
    } else {
      clearTokens("expired");
    }
  }
  if (!response.ok) throw await readError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
