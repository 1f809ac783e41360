import { useTranslation } from "react-i18next";
import { Icon } from "../../ui/Icon";
import { StatusBadge } from "../../ui/StatusBadge";
import { useCanvas } from "../context";
import { useNodeActions } from "./actions";

/**
 * The sub-agent run this node's latest execution started (Agent Executor nodes), as a strip
 * under the node's title that opens the run in the run panel.
 */
export function SubRunChip({ nodeId, nodeExecId }: { nodeId: string; nodeExecId: string }) {
  const { t } = useTranslation();
  const actions = useNodeActions();
  const child = useCanvas((s) => s.run?.children[nodeExecId]);
  if (!child) return null;
  return (
    <button
      className="sub-run-chip nodrag"
      onClick={() => actions.inspect(nodeId)}
      title={t("node.subRunDetails")}
      data-testid="sub-run-chip"
      data-status={child.status}
    >
      <Icon name="agents" size={13} />
      <span className="grow">{t("node.subRun")}</span>
      <StatusBadge status={child.status} />
      <Icon name="chevronRight" size={13} />
    </button>
  );
}
