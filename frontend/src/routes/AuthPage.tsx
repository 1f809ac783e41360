/** Sign in and sign up; after either, back to where the visitor was going. */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { ApiError } from "../api/client";
import { api } from "../api/endpoints";
import { getTokens, setTokens } from "../api/session";
import { Logo, Preferences } from "./Layout";

function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/agents";
}

export function AuthPage({ mode }: { mode: "login" | "register" }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get("next"));

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      if (mode === "register") await api.register({ email, password, ...(name ? { name } : {}) });
      setTokens(await api.login({ email, password }));
      void navigate(next, { replace: true });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t("auth.networkError"));
    } finally {
      setBusy(false);
    }
  };

  if (getTokens() && !busy) return <Navigate to={next} replace />;
  const login = mode === "login";
  const text = login
    ? { title: t("auth.loginTitle"), subtitle: t("auth.loginSubtitle"), submit: t("auth.login") }
    : { title: t("auth.registerTitle"), subtitle: t("auth.registerSubtitle"), submit: t("auth.register") };
  const switchTo = login
    ? { to: "/register", ask: t("auth.noAccount"), label: t("auth.register") }
    : { to: "/login", ask: t("auth.haveAccount"), label: t("auth.login") };
  return (
    <div className="auth">
      <div className="auth-card card">
        <Logo />
        <h1>{text.title}</h1>
        <p className="muted">{text.subtitle}</p>
        {params.get("expired") && (
          <div className="callout warning" role="status">
            {t("auth.expired")}
          </div>
        )}
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          {mode === "register" && (
            <div>
              <label className="label" htmlFor="name">
                {t("auth.name")}
              </label>
              <input
                id="name"
                className="input"
                autoComplete="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
          )}
          <div>
            <label className="label" htmlFor="email">
              {t("auth.email")}
            </label>
            <input
              id="email"
              className="input"
              type="email"
              required
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div>
            <label className="label" htmlFor="password">
              {t("auth.password")}
            </label>
            <input
              id="password"
              className="input"
              type="password"
              required
              minLength={mode === "register" ? 8 : undefined}
              autoComplete={login ? "current-password" : "new-password"}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            {mode === "register" && <span className="hint">{t("auth.passwordHint")}</span>}
          </div>
          {error && (
            <div className="callout error" role="alert">
              {error}
            </div>
          )}
          <button className="btn btn-primary btn-lg" type="submit" disabled={busy} data-testid="auth-submit">
            {busy && <span className="spinner" />}
            {text.submit}
          </button>
        </form>
        <p className="muted auth-switch">
          {switchTo.ask} <Link to={`${switchTo.to}?${params.toString()}`}>{switchTo.label}</Link>
        </p>
      </div>
      <Preferences />
    </div>
  );
}
