/** Save an API key, a user name and password, or host-scoped headers for a provider. */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { api } from "../../api/endpoints";
import type { Credential, Provider } from "../../api/types";
import { DictField } from "../../editor/nodes/fields/DictField";
import { Dialog } from "../../ui/Dialog";
import type { DraftForm, DraftType } from "./drafts";
import { EMPTY_FORM, draftOf, typesOf } from "./drafts";

interface Props {
  open: boolean;
  providers: Provider[];
  onClose: () => void;
  onSaved: (credential: Credential) => void;
}

export function AddCredentialDialog({ open, providers, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const [providerName, setProviderName] = useState("");
  const [type, setType] = useState<DraftType>("api_key");
  const [form, setForm] = useState<DraftForm>(EMPTY_FORM);
  const [error, setError] = useState<string | null>(null);
  const types = typesOf(providers.find((p) => p.name === providerName));
  const chosenType = types.includes(type) ? type : (types[0] ?? "api_key");
  const set = (patch: Partial<DraftForm>) => setForm({ ...form, ...patch });

  const save = async () => {
    try {
      onSaved(await api.createCredential(providerName, draftOf(chosenType, form)));
      setForm(EMPTY_FORM);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <Dialog
      open={open}
      title={t("credentials.addTitle")}
      description={t("credentials.addHint")}
      onClose={onClose}
      testId="add-credential-dialog"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button className="btn btn-primary" disabled={!providerName} onClick={() => void save()}>
            {t("credentials.save")}
          </button>
        </>
      }
    >
      <div className="stack">
        <div>
          <label className="label" htmlFor="cred-provider">
            {t("credentials.provider")}
          </label>
          <select
            id="cred-provider"
            className="select"
            value={providerName}
            onChange={(e) => setProviderName(e.target.value)}
          >
            <option value="">{t("fields.choose")}</option>
            {providers.map((p) => (
              <option key={p.name} value={p.name}>
                {p.title}
              </option>
            ))}
          </select>
        </div>
        {types.length > 1 && (
          <div>
            <label className="label" htmlFor="cred-type">
              {t("credentials.type")}
            </label>
            <select
              id="cred-type"
              className="select"
              value={chosenType}
              onChange={(e) => setType(e.target.value as DraftType)}
            >
              {types.map((ty) => (
                <option key={ty} value={ty}>
                  {t(`credentials.types.${ty}`)}
                </option>
              ))}
            </select>
          </div>
        )}
        <TextInput
          id="cred-title"
          label={t("credentials.name")}
          value={form.title}
          onChange={(v) => set({ title: v })}
        />
        <TypeFields type={chosenType} form={form} set={set} />
        {error && <div className="callout error">{error}</div>}
      </div>
    </Dialog>
  );
}

interface TextInputProps {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  secret?: boolean;
}

function TextInput({ id, label, value, onChange, secret }: TextInputProps) {
  return (
    <div>
      <label className="label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input"
        type={secret ? "password" : "text"}
        autoComplete="off"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

interface TypeFieldsProps {
  type: DraftType;
  form: DraftForm;
  set: (patch: Partial<DraftForm>) => void;
}

const HEADER_SCHEMA = { type: "object", additionalProperties: { type: "string", secret: true } };

function TypeFields({ type, form, set }: TypeFieldsProps) {
  const { t } = useTranslation();
  if (type === "api_key") {
    return (
      <TextInput
        id="cred-key"
        label={t("credentials.apiKey")}
        value={form.apiKey}
        secret
        onChange={(v) => set({ apiKey: v })}
      />
    );
  }
  if (type === "user_password") {
    return (
      <>
        <TextInput
          id="cred-user"
          label={t("credentials.username")}
          value={form.username}
          onChange={(v) => set({ username: v })}
        />
        <TextInput
          id="cred-pass"
          label={t("credentials.password")}
          value={form.password}
          secret
          onChange={(v) => set({ password: v })}
        />
      </>
    );
  }
  return (
    <>
      <TextInput
        id="cred-host"
        label={t("credentials.host")}
        value={form.host}
        onChange={(v) => set({ host: v })}
      />
      <div>
        <span className="label" id="cred-headers-label">
          {t("credentials.headers")}
        </span>
        <DictField
          id="cred-headers"
          prop={{ name: "headers", schema: HEADER_SCHEMA, required: false, nullable: false }}
          root={{}}
          value={form.headers}
          onChange={(v) => set({ headers: (v ?? {}) as Record<string, string> })}
        />
      </div>
    </>
  );
}
