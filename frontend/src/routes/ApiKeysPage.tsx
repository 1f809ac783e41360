/** API keys: create (the key is shown once), list and revoke. */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import { api } from "../api/endpoints";
import { keys, useApiKeys } from "../api/queries";
import type { ApiKeyCreated, ApiKeyScope } from "../api/types";
import { formatTime } from "../editor/lib/format";
import { Dialog } from "../ui/Dialog";
import { Icon } from "../ui/Icon";
import { toast } from "../ui/toasts";
import { PageHead } from "../ui/PageHead";

const SCOPES: ApiKeyScope[] = ["read", "execute", "manage"];

function CreateKeyDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (k: ApiKeyCreated) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiKeyScope[]>(["read", "execute"]);
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    try {
      onCreated(await api.createApiKey({ name, scopes }));
      setName("");
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  return (
    <Dialog
      open={open}
      title={t("apiKeys.createTitle")}
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button
            className="btn btn-primary"
            disabled={!name.trim() || scopes.length === 0}
            onClick={() => void create()}
          >
            {t("apiKeys.create")}
          </button>
        </>
      }
    >
      <div className="stack">
        <div>
          <label className="label" htmlFor="key-name">
            {t("apiKeys.name")}
          </label>
          <input
            id="key-name"
            className="input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={t("apiKeys.namePlaceholder")}
          />
        </div>
        <fieldset className="scopes">
          <legend className="label">{t("apiKeys.scopes")}</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="checkbox">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(e) =>
                  setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))
                }
              />
              <span>
                <strong>{scope}</strong> <span className="muted">{t(`apiKeys.scope.${scope}`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {error && <div className="callout error">{error}</div>}
      </div>
    </Dialog>
  );
}

export function ApiKeysPage() {
  const { t, i18n } = useTranslation();
  const list = useApiKeys();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.apiKeys });

  const revoke = async (id: string) => {
    await api.deleteApiKey(id).catch((e: unknown) => toast.error(String(e)));
    refresh();
  };

  return (
    <div className="page-inner">
      <PageHead title={t("apiKeys.title")} subtitle={t("apiKeys.subtitle")}>
        <button className="btn btn-primary" onClick={() => setCreating(true)}>
          <Icon name="plus" /> {t("apiKeys.create")}
        </button>
      </PageHead>
      {created && (
        <div className="callout success key-once" role="status">
          <div className="grow">
            <strong>{t("apiKeys.createdTitle")}</strong>
            <p className="muted">{t("apiKeys.createdBody")}</p>
            <code className="secret-key" data-testid="new-api-key">
              {created.key}
            </code>
          </div>
          <button
            className="btn btn-sm"
            onClick={() =>
              void navigator.clipboard.writeText(created.key).then(() => toast.success(t("apiKeys.copied")))
            }
          >
            <Icon name="copy" size={13} /> {t("apiKeys.copy")}
          </button>
          <button
            className="btn btn-ghost btn-sm btn-icon"
            onClick={() => setCreated(null)}
            aria-label={t("common.close")}
          >
            <Icon name="x" size={13} />
          </button>
        </div>
      )}
      <div className="card">
        {list.data?.length ? (
          <table className="table">
            <thead>
              <tr>
                <th>{t("apiKeys.name")}</th>
                <th>{t("apiKeys.prefix")}</th>
                <th>{t("apiKeys.scopes")}</th>
                <th>{t("apiKeys.created")}</th>
                <th>{t("apiKeys.lastUsed")}</th>
                <th>
                  <span className="sr-only">{t("agents.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((key) => (
                <tr key={key.id} className={key.revoked_at ? "revoked" : undefined}>
                  <td>
                    {key.name}{" "}
                    {key.revoked_at && (
                      <span className="badge status-TERMINATED">{t("apiKeys.revoked")}</span>
                    )}
                  </td>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>
                    {key.scopes.map((s) => (
                      <span key={s} className="badge" style={{ marginRight: 4 }}>
                        {s}
                      </span>
                    ))}
                  </td>
                  <td className="muted">{formatTime(key.created_at, i18n.language)}</td>
                  <td className="muted">
                    {key.last_used_at ? formatTime(key.last_used_at, i18n.language) : t("apiKeys.neverUsed")}
                  </td>
                  <td style={{ textAlign: "right" }}>
                    {!key.revoked_at && (
                      <button className="btn btn-sm btn-danger" onClick={() => void revoke(key.id)}>
                        <Icon name="trash" size={13} /> {t("apiKeys.revoke")}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <div className="empty">
            <Icon name="key" size={28} />
            <h3>{list.isLoading ? t("common.loading") : t("apiKeys.emptyTitle")}</h3>
            {!list.isLoading && <p>{t("apiKeys.emptyBody")}</p>}
          </div>
        )}
      </div>
      <CreateKeyDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(k) => {
          setCreated(k);
          setCreating(false);
          refresh();
        }}
      />
    </div>
  );
}
