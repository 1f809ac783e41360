/** The ledger as a table: date, kind, what it was for (a usage links to its run), amount, balance after. */
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useBlocks } from "../../api/queries";
import type { CreditTransaction } from "../../api/types";
import { displayName } from "../../editor/lib/blockName";
import { formatTime } from "../../editor/lib/format";
import { SIGNUP_REASON, formatCredits } from "./format";

function Details({ row, blockNames }: { row: CreditTransaction; blockNames: Map<string, string> }) {
  const { t } = useTranslation();
  if (row.kind !== "USAGE") {
    const reason =
      row.kind === "GRANT" && row.reason === SIGNUP_REASON ? t("credits.signupGrant") : row.reason;
    return <span>{reason ?? ""}</span>;
  }
  const block = (row.block_id && blockNames.get(row.block_id)) || t("credits.unknownBlock");
  return (
    <span className="row credit-usage">
      <span>{block}</span>
      {row.graph_id && row.graph_exec_id && (
        <Link to={`/agents/${row.graph_id}/runs/${row.graph_exec_id}`} className="credit-run-link">
          {t("credits.viewRun")}
        </Link>
      )}
    </span>
  );
}

export function TransactionsTable({ transactions }: { transactions: CreditTransaction[] }) {
  const { t, i18n } = useTranslation();
  const blocks = useBlocks();
  const blockNames = new Map((blocks.data ?? []).map((b) => [b.id, displayName(b)]));
  return (
    <table className="table credit-table" data-testid="credit-transactions">
      <thead>
        <tr>
          <th>{t("credits.date")}</th>
          <th>{t("credits.kindColumn")}</th>
          <th>{t("credits.details")}</th>
          <th className="num">{t("credits.amount")}</th>
          <th className="num">{t("credits.balanceAfter")}</th>
        </tr>
      </thead>
      <tbody>
        {transactions.map((row) => (
          <tr key={row.id}>
            <td className="muted">{formatTime(row.created_at, i18n.language)}</td>
            <td>
              <span className={`badge credit-kind-${row.kind}`}>{t(`credits.kind.${row.kind}`)}</span>
            </td>
            <td>
              <Details row={row} blockNames={blockNames} />
            </td>
            <td className={`num ${row.amount < 0 ? "credit-spent" : "credit-added"}`}>
              {formatCredits(row.amount, i18n.language, true)}
            </td>
            <td className="num">{formatCredits(row.running_balance, i18n.language)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
