/**
 * The signed-in frame: a sidebar with the sections that exist (library, store, credits
 * and notifications join it as their pages ship), the theme and the language.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, Navigate, Outlet, useLocation } from "react-router";
import { api } from "../api/endpoints";
import { useMe } from "../api/queries";
import { clearTokens, getTokens, onSessionChange } from "../api/session";
import { LANGUAGES } from "../i18n";
import { Icon } from "../ui/Icon";
import { CreditBalance } from "./credits/CreditBalance";
import type { ThemeChoice } from "../ui/theme";
import { applyTheme, storedTheme } from "../ui/theme";

/** Sends signed-out visitors to the login page, remembering where they were going. */
export function RequireAuth() {
  const location = useLocation();
  const queryClient = useQueryClient();
  const [session, setSession] = useState<"in" | "out" | "expired">(() => (getTokens() ? "in" : "out"));
  useEffect(
    () =>
      onSessionChange((reason) => {
        if (reason !== "login") queryClient.clear();
        setSession(reason === "login" ? "in" : reason === "expired" ? "expired" : "out");
      }),
    [queryClient],
  );
  if (session !== "in") {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}${session === "expired" ? "&expired=1" : ""}`} replace />;
  }
  return <Outlet />;
}

export function Logo() {
  return (
    <span className="logo">
      <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--accent)" />
        <rect x="7" y="7" width="8" height="8" rx="2" fill="#fff" />
        <rect x="17" y="17" width="8" height="8" rx="2" fill="#fff" />
        <path d="M15 11h3a3 3 0 0 1 3 3v3" stroke="#fff" strokeWidth="2" fill="none" />
      </svg>
      Blockyard
    </span>
  );
}

export function Preferences() {
  const { t, i18n } = useTranslation();
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  const next: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };
  return (
    <div className="prefs">
      <label className="sr-only" htmlFor="lang">
        {t("nav.language")}
      </label>
      <div className="lang-select">
        <Icon name="globe" size={14} />
        <select
          id="lang"
          value={i18n.resolvedLanguage}
          onChange={(e) => void i18n.changeLanguage(e.target.value)}
        >
          {LANGUAGES.map((l) => (
            <option key={l.code} value={l.code}>
              {l.label}
            </option>
          ))}
        </select>
      </div>
      <button
        className="btn btn-ghost btn-sm"
        onClick={() => {
          applyTheme(next[theme]);
          setTheme(next[theme]);
        }}
        aria-label={t("nav.theme", { theme: t(`theme.${theme}`) })}
        title={t("nav.theme", { theme: t(`theme.${theme}`) })}
      >
        <Icon name={theme === "dark" ? "moon" : "sun"} size={14} /> {t(`theme.${theme}`)}
      </button>
    </div>
  );
}

export function Layout() {
  const { t } = useTranslation();
  const me = useMe();
  const signOut = async () => {
    const tokens = getTokens();
    if (tokens) await api.logout(tokens.refresh_token).catch(() => undefined);
    clearTokens("logout");
  };
  return (
    <div className="shell">
      <nav className="sidebar" aria-label={t("nav.main")}>
        <Logo />
        <div className="nav-links">
          <NavLink to="/agents" className="nav-link">
            <Icon name="agents" /> {t("nav.agents")}
          </NavLink>
          <NavLink to="/schedules" className="nav-link">
            <Icon name="history" /> {t("nav.schedules")}
          </NavLink>
          <span className="nav-section">{t("nav.settings")}</span>
          <NavLink to="/settings/credentials" className="nav-link">
            <Icon name="pin" /> {t("nav.credentials")}
          </NavLink>
          <NavLink to="/settings/api-keys" className="nav-link">
            <Icon name="key" /> {t("nav.apiKeys")}
          </NavLink>
          <NavLink to="/settings/credits" className="nav-link">
            <Icon name="coins" /> {t("credits.title")}
          </NavLink>
        </div>
        <div className="sidebar-foot">
          <CreditBalance />
          <Preferences />
          <div className="me">
            <span className="avatar" aria-hidden="true">
              {(me.data?.name ?? me.data?.email ?? "?").charAt(0).toUpperCase()}
            </span>
            <span className="grow truncate" title={me.data?.email}>
              {me.data?.name ?? me.data?.email ?? ""}
            </span>
            <button
              className="btn btn-ghost btn-sm btn-icon"
              onClick={() => void signOut()}
              aria-label={t("nav.signOut")}
              title={t("nav.signOut")}
            >
              <Icon name="logout" size={14} />
            </button>
          </div>
        </div>
      </nav>
      <main className="page">
        <Outlet />
      </main>
    </div>
  );
}
