/**
 * Run one node's block on its own (POST /api/blocks/{id}/execute) with the node's
 * current inputs, or pinned ones taken from its last run, without running the agent.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { api } from "../../api/endpoints";
import type { BlockInfo } from "../../api/types";
import { Dialog } from "../../ui/Dialog";
import { displayName } from "../lib/blockName";
import { preview } from "../lib/format";
import { SchemaForm } from "./SchemaForm";

interface NodeRunDialogProps {
  block: BlockInfo;
  initial: Record<string, unknown>;
  pinned: Record<string, unknown> | null;
  onClose: () => void;
}

export function NodeRunDialog({ block, initial, pinned, onClose }: NodeRunDialogProps) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<string, unknown>>(initial);
  const [result, setResult] = useState<Record<string, unknown[]> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api.executeBlock(block.id, values));
    } catch (e) {
      setResult(null);
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      wide
      title={t("nodeRun.title", { name: displayName(block) })}
      description={t("nodeRun.hint")}
      onClose={onClose}
      testId="node-run-dialog"
      footer={
        <>
          {pinned && (
            <button className="btn" onClick={() => setValues({ ...values, ...pinned })}>
              {t("nodeRun.usePinned")}
            </button>
          )}
          <span className="grow" />
          <button className="btn" onClick={onClose}>
            {t("common.close")}
          </button>
          <button
            className="btn btn-primary"
            onClick={() => void run()}
            disabled={busy}
            data-testid="node-run-start"
          >
            {busy && <span className="spinner" />}
            {t("nodeRun.run")}
          </button>
        </>
      }
    >
      <div className="node-run-grid">
        <SchemaForm idPrefix="node-run" schema={block.inputSchema} values={values} onChange={setValues} />
        <div className="node-run-result" aria-live="polite">
          <h4>{t("run.outputs")}</h4>
          {error && (
            <div className="callout error">
              <pre>{error}</pre>
            </div>
          )}
          {result &&
            Object.entries(result).map(([pin, vals]) => (
              <div key={pin} className="kv">
                <span className="kv-key">{pin}</span>
                {vals.map((v, i) => (
                  <pre key={i} data-testid="node-run-output">
                    {preview(v, 4000)}
                  </pre>
                ))}
              </div>
            ))}
          {!result && !error && <p className="muted">{t("nodeRun.empty")}</p>}
        </div>
      </div>
    </Dialog>
  );
}
