/**
 * Where an OAuth2 provider sends the browser back (/auth/integrations/oauth_callback):
 * hands the code and state to the server, which saves the tokens, then back to settings.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api } from "../../api/endpoints";
import { keys } from "../../api/queries";
import { toast } from "../../ui/toasts";
import { recallOAuth } from "./drafts";

export function OAuthCallbackPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const code = params.get("code");
    const state = params.get("state");
    const provider = state ? recallOAuth(state) : null;
    const refused = params.get("error_description") ?? params.get("error");
    const finish = async () => {
      if (refused || !code || !state || !provider) throw new Error(refused ?? t("credentials.oauthBroken"));
      const saved = await api.oauthCallback(provider, code, state);
      toast.success(t("credentials.saved", { title: saved.title || saved.provider }));
      void queryClient.invalidateQueries({ queryKey: keys.credentials });
      void navigate("/settings/credentials", { replace: true });
    };
    finish().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [params, navigate, queryClient, t]);

  return (
    <div className="page-inner">
      {error ? (
        <div className="callout error" role="alert">
          <div className="grow">
            <strong>{t("credentials.oauthFailed")}</strong>
            <p>{error}</p>
            <Link to="/settings/credentials">{t("credentials.backToCredentials")}</Link>
          </div>
        </div>
      ) : (
        <div className="empty">
          <span className="spinner" />
          <p>{t("credentials.oauthFinishing")}</p>
        </div>
      )}
    </div>
  );
}
