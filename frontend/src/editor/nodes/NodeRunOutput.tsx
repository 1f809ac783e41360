import { useTranslation } from "react-i18next";
import type { NodeRunView } from "../run";
import { preview } from "../lib/format";

/** The latest outputs (or error) of this node in the execution being watched. */
export function NodeRunOutput({ view }: { view: NodeRunView }) {
  const { t } = useTranslation();
  const entries = Object.entries(view.last.output_data).filter(([pin]) => pin !== "error");
  const error = view.last.error ?? (view.last.output_data.error?.[0] as string | undefined);
  if (!entries.length && !error) return null;
  return (
    <div className="node-run-output nodrag nowheel" data-testid="node-output">
      {entries.map(([pin, values]) => (
        <div key={pin} className="output-entry">
          <span className="output-pin">{pin}</span>
          <pre>{preview(values.at(-1))}</pre>
          {values.length > 1 && (
            <span className="hint">{t("node.moreValues", { count: values.length - 1 })}</span>
          )}
        </div>
      ))}
      {error && (
        <div className="output-entry error">
          <span className="output-pin">{t("node.error")}</span>
          <pre>{error}</pre>
        </div>
      )}
    </div>
  );
}
