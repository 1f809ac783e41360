/** Asks for the agent's inputs (from its Agent Input blocks) and starts a run. */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { JSONSchema } from "../../api/types";
import { Dialog } from "../../ui/Dialog";
import { hasValue } from "../lib/fieldKinds";
import { SchemaForm } from "./SchemaForm";

interface RunDialogProps {
  open: boolean;
  schema: JSONSchema;
  onClose: () => void;
  onRun: (inputs: Record<string, unknown>) => Promise<void>;
}

function defaults(schema: JSONSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (prop.default !== undefined) out[name] = prop.default;
  }
  return out;
}

export function RunDialog({ open, schema, onClose, onRun }: RunDialogProps) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<string, unknown>>(() => defaults(schema));
  const [missing, setMissing] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const gaps = new Set((schema.required ?? []).filter((name) => !hasValue(values[name])));
    setMissing(gaps);
    if (gaps.size) return;
    setBusy(true);
    try {
      await onRun(values);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title={t("run.dialogTitle")}
      description={t("run.dialogHint")}
      onClose={onClose}
      testId="run-dialog"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button
            className="btn btn-primary"
            onClick={() => void submit()}
            disabled={busy}
            data-testid="run-start"
          >
            {busy ? <span className="spinner" /> : null}
            {t("run.start")}
          </button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <SchemaForm
          idPrefix="run-input"
          schema={schema}
          values={values}
          onChange={setValues}
          missing={missing}
        />
      </form>
    </Dialog>
  );
}
