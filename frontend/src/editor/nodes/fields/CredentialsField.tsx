import { useTranslation } from "react-i18next";
import { useCredentials } from "../../../api/queries";
import type { CredentialsMeta } from "../../../api/types";
import type { FieldProps } from "./types";

function providersOf(schema: FieldProps["prop"]["schema"]): string[] {
  return Array.isArray(schema.credentials_provider) ? schema.credentials_provider : [];
}

/** Picks one of the user's saved credentials; the node stores only the reference. */
export function CredentialsField({ id, prop, value, onChange, invalid }: FieldProps) {
  const { t } = useTranslation();
  const { data, isError, isLoading } = useCredentials(true);
  const providers = providersOf(prop.schema);
  const types = Array.isArray(prop.schema.credentials_types) ? prop.schema.credentials_types : [];
  const options = (data ?? []).filter(
    (c) =>
      (providers.length === 0 || providers.includes(c.provider)) &&
      (types.length === 0 || types.includes(c.type)),
  );
  const current = (value as Partial<CredentialsMeta> | undefined)?.id ?? "";
  if (isError) return <p className="hint">{t("fields.credentialsUnavailable")}</p>;
  return (
    <select
      id={id}
      className="select nodrag"
      value={current}
      aria-invalid={invalid}
      disabled={isLoading}
      onChange={(e) => {
        const picked = options.find((c) => c.id === e.target.value);
        onChange(
          picked
            ? { id: picked.id, provider: picked.provider, type: picked.type, title: picked.title }
            : undefined,
        );
      }}
    >
      <option value="">
        {options.length
          ? t("fields.chooseCredentials")
          : t("fields.noCredentials", { provider: providers.join(", ") })}
      </option>
      {options.map((c) => (
        <option key={c.id} value={c.id}>
          {c.title || c.id} · {c.provider}
          {c.status === "broken" ? ` (${t("credentials.status.broken")})` : ""}
        </option>
      ))}
    </select>
  );
}
