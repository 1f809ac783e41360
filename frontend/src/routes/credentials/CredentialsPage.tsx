/**
 * Saved credentials: add API keys (or passwords, or host headers), connect OAuth2
 * providers the server has configured, check and delete. Secrets are never shown again.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/endpoints";
import { keys, useCredentials, useProviders } from "../../api/queries";
import type { Credential, Provider } from "../../api/types";
import { formatTime } from "../../editor/lib/format";
import { Icon } from "../../ui/Icon";
import { toast } from "../../ui/toasts";
import { AddCredentialDialog } from "./AddCredentialDialog";
import { rememberOAuth } from "./drafts";
import { PageHead } from "../../ui/PageHead";

async function connect(provider: Provider): Promise<void> {
  try {
    const { login_url, state_token } = await api.oauthLogin(provider.name);
    rememberOAuth(state_token, provider.name);
    window.location.assign(login_url);
  } catch (error) {
    toast.error(error instanceof Error ? error.message : String(error));
  }
}

function CredentialRow({ credential, onChanged }: { credential: Credential; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      toast.success(done);
    } catch (error) {
      toast.error(error instanceof Error ? error.message : String(error));
    }
    onChanged();
  };
  const { provider, id } = credential;
  return (
    <tr data-testid="credential-row">
      <td>
        <strong>{credential.title || provider}</strong>
        {credential.username && <div className="hint">{credential.username}</div>}
        {credential.host && <div className="hint mono">{credential.host}</div>}
      </td>
      <td>{provider}</td>
      <td>{t(`credentials.types.${credential.type}`)}</td>
      <td>
        <span
          className={`badge ${credential.status === "active" ? "status-COMPLETED" : "status-FAILED"}`}
          title={credential.status_reason ?? ""}
        >
          <span className="dot" />
          {t(`credentials.status.${credential.status}`)}
        </span>
      </td>
      <td className="muted">{formatTime(credential.created_at, i18n.language)}</td>
      <td>
        <div className="row" style={{ justifyContent: "flex-end" }}>
          <button
            className="btn btn-sm"
            onClick={() => void act(() => api.checkCredential(provider, id), t("credentials.checked"))}
          >
            {t("credentials.check")}
          </button>
          <button
            className="btn btn-sm btn-danger"
            onClick={() => void act(() => api.deleteCredential(provider, id), t("credentials.deleted"))}
          >
            <Icon name="trash" size={13} /> {t("credentials.delete")}
          </button>
        </div>
      </td>
    </tr>
  );
}

export function CredentialsPage() {
  const { t } = useTranslation();
  const list = useCredentials(true);
  const providers = useProviders();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.credentials });
  const oauth = (providers.data ?? []).filter((p) => p.oauth_configured);
  const typed = (providers.data ?? []).filter((p) => p.credential_types.some((c) => c !== "oauth2"));

  return (
    <div className="page-inner">
      <PageHead title={t("credentials.pageTitle")} subtitle={t("credentials.subtitle")}>
        {oauth.map((p) => (
          <button key={p.name} className="btn" onClick={() => void connect(p)}>
            <Icon name="globe" /> {t("credentials.connect", { provider: p.title })}
          </button>
        ))}
        <button className="btn btn-primary" onClick={() => setAdding(true)} disabled={!typed.length}>
          <Icon name="plus" /> {t("credentials.add")}
        </button>
      </PageHead>
      <div className="card">
        {list.data?.length ? (
          <table className="table">
            <thead>
              <tr>
                <th>{t("credentials.name")}</th>
                <th>{t("credentials.provider")}</th>
                <th>{t("credentials.type")}</th>
                <th>{t("agents.status")}</th>
                <th>{t("apiKeys.created")}</th>
                <th>
                  <span className="sr-only">{t("agents.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((c) => (
                <CredentialRow key={c.id} credential={c} onChanged={refresh} />
              ))}
            </tbody>
          </table>
        ) : (
          <div className="empty">
            <Icon name="key" size={28} />
            <h3>{list.isLoading ? t("common.loading") : t("credentials.emptyTitle")}</h3>
            {!list.isLoading && <p>{t("credentials.emptyBody")}</p>}
          </div>
        )}
      </div>
      <AddCredentialDialog
        open={adding}
        providers={typed}
        onClose={() => setAdding(false)}
        onSaved={(c) => {
          setAdding(false);
          toast.success(t("credentials.saved", { title: c.title || c.provider }));
          refresh();
        }}
      />
    </div>
  );
}
