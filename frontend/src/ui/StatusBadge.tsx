import { useTranslation } from "react-i18next";
import type { ExecutionStatus } from "../api/types";

export function StatusBadge({ status, count }: { status: ExecutionStatus; count?: number }) {
  const { t } = useTranslation();
  return (
    <span className={`badge status-${status}`} data-status={status} data-testid="status-badge">
      <span className="dot" />
      {t(`status.${status}`)}
      {count !== undefined && count > 1 && <span aria-label={t("run.timesRun", { count })}>×{count}</span>}
    </span>
  );
}
