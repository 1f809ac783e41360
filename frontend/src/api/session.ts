/**
 * The signed-in session: the token pair, kept in localStorage so a reload stays signed in.
 *
 * Listeners hear when the session ends, so the app can go to the login page (and the
 * editor keeps its unsaved canvas, which it stores itself).
 */
import type { TokenPair } from "./types";

const KEY = "blockyard.session";

type Listener = (reason: "expired" | "logout" | "login") => void;

const listeners = new Set<Listener>();

export function getTokens(): TokenPair | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as TokenPair) : null;
  } catch {
    return null;
  }
}

export function setTokens(tokens: TokenPair): void {
  localStorage.setItem(KEY, JSON.stringify(tokens));
  listeners.forEach((l) => l("login"));
}

export function clearTokens(reason: "expired" | "logout"): void {
  localStorage.removeItem(KEY);
  listeners.forEach((l) => l(reason));
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
