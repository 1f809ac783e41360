/** The add-credentials form as the API's draft shapes (never stored in the browser). */
import type { CredentialDraft, Provider } from "../../api/types";

export type DraftType = "api_key" | "user_password" | "host_scoped";
const DRAFT_TYPES: DraftType[] = ["api_key", "user_password", "host_scoped"];

export interface DraftForm {
  title: string;
  apiKey: string;
  username: string;
  password: string;
  host: string;
  headers: Record<string, string>;
}

export const EMPTY_FORM: DraftForm = {
  title: "",
  apiKey: "",
  username: "",
  password: "",
  host: "",
  headers: {},
};

export function draftOf(type: DraftType, form: DraftForm): CredentialDraft {
  if (type === "api_key") return { type, title: form.title, api_key: form.apiKey };
  if (type === "user_password") {
    return { type, title: form.title, username: form.username, password: form.password };
  }
  return { type, title: form.title, host: form.host, headers: form.headers };
}

/** The kinds of secret a person can type in for this provider (OAuth2 has its own button). */
export function typesOf(provider: Provider | undefined): DraftType[] {
  const offered = DRAFT_TYPES.filter((t) => provider?.credential_types.includes(t));
  return offered.length ? offered : ["api_key"];
}

const STATE_PREFIX = "blockyard.oauth.";

/** Remember which provider a sign-in is for, by its state token, across the redirect. */
export function rememberOAuth(stateToken: string, provider: string): void {
  localStorage.setItem(STATE_PREFIX + stateToken, provider);
}

export function recallOAuth(stateToken: string): string | null {
  const provider = localStorage.getItem(STATE_PREFIX + stateToken);
  localStorage.removeItem(STATE_PREFIX + stateToken);
  return provider;
}
