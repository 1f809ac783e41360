import { useTranslation } from "react-i18next";
import { Icon } from "./Icon";
import { useToasts } from "./toasts";

export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  const { t } = useTranslation();
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((item) => (
        <div key={item.id} className={`toast ${item.kind}`} data-testid={`toast-${item.kind}`}>
          <p>{item.message}</p>
          <button
            className="btn btn-ghost btn-sm btn-icon"
            onClick={() => dismiss(item.id)}
            aria-label={t("common.close")}
          >
            <Icon name="x" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
