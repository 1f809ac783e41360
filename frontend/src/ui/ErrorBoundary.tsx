/**
 * The last line: a render error shows a readable page instead of a blank one. Unsaved
 * canvas work is already in localStorage, so reloading loses nothing.
 */
import type { ErrorInfo, ReactNode } from "react";
import { Component } from "react";
import { useTranslation } from "react-i18next";

function Fallback({ error }: { error: Error }) {
  const { t } = useTranslation();
  return (
    <div className="empty" role="alert" style={{ minHeight: "100%", justifyContent: "center" }}>
      <h3>{t("crash.title")}</h3>
      <p>{t("crash.body")}</p>
      <pre className="mono muted" style={{ maxWidth: 640, whiteSpace: "pre-wrap" }}>
        {error.message}
      </pre>
      <button className="btn btn-primary" onClick={() => location.reload()}>
        {t("crash.reload")}
      </button>
    </div>
  );
}

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("Blockyard crashed while drawing", error, info.componentStack);
  }

  override render(): ReactNode {
    return this.state.error ? <Fallback error={this.state.error} /> : this.props.children;
  }
}
