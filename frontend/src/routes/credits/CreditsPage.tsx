/** Credits: the balance, what running blocks hold of it, and the ledger, newest first. */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useCreditTransactions, useCredits } from "../../api/queries";
import type { CreditKind, Credits } from "../../api/types";
import { Icon } from "../../ui/Icon";
import { formatCredits } from "./format";
import { TransactionsTable } from "./TransactionsTable";
import { PageHead } from "../../ui/PageHead";
import "./credits.css";

export const PAGE_SIZE = 20;
const KINDS: CreditKind[] = ["USAGE", "GRANT", "TOP_UP", "REFUND"];

function Summary({ credits }: { credits: Credits }) {
  const { t, i18n } = useTranslation();
  const tiles = [
    { key: "balance", label: t("credits.balance"), value: credits.balance, hint: null },
    {
      key: "reserved",
      label: t("credits.reserved"),
      value: credits.reserved,
      hint: t("credits.reservedHint"),
    },
    { key: "available", label: t("credits.available"), value: credits.available, hint: null },
  ];
  return (
    <div className="credit-summary">
      {tiles.map((tile) => (
        <div key={tile.key} className="card credit-stat" data-testid={`credits-${tile.key}`}>
          <span className="credit-stat-label">{tile.label}</span>
          <strong className="credit-stat-value">{formatCredits(tile.value, i18n.language)}</strong>
          {tile.hint && <span className="muted credit-stat-hint">{tile.hint}</span>}
        </div>
      ))}
    </div>
  );
}

function Pager({
  offset,
  total,
  onMove,
}: {
  offset: number;
  total: number;
  onMove: (offset: number) => void;
}) {
  const { t } = useTranslation();
  if (total <= PAGE_SIZE) return null;
  return (
    <div className="pager">
      <span className="muted">
        {t("credits.range", { from: offset + 1, to: Math.min(offset + PAGE_SIZE, total), total })}
      </span>
      <span className="grow" />
      <button className="btn btn-sm" disabled={offset === 0} onClick={() => onMove(offset - PAGE_SIZE)}>
        {t("credits.previous")}
      </button>
      <button
        className="btn btn-sm"
        disabled={offset + PAGE_SIZE >= total}
        onClick={() => onMove(offset + PAGE_SIZE)}
      >
        {t("credits.next")}
      </button>
    </div>
  );
}

export function CreditsPage() {
  const { t } = useTranslation();
  const credits = useCredits();
  const [kind, setKind] = useState<CreditKind | "">("");
  const [offset, setOffset] = useState(0);
  const page = useCreditTransactions(kind || undefined, offset, PAGE_SIZE);
  const rows = page.data?.transactions ?? [];
  return (
    <div className="page-inner">
      <PageHead title={t("credits.title")} subtitle={t("credits.subtitle")} />
      {credits.data && !credits.data.enabled && (
        <div className="callout warning" role="status">
          <Icon name="alert" /> <p>{t("credits.off")}</p>
        </div>
      )}
      {credits.data && <Summary credits={credits.data} />}
      <div className="row credit-history-head">
        <h2>{t("credits.history")}</h2>
        <span className="grow" />
        <label className="label" htmlFor="credit-kind">
          {t("credits.filter")}
        </label>
        <select
          id="credit-kind"
          className="select credit-kind-filter"
          value={kind}
          onChange={(e) => {
            setKind(e.target.value as CreditKind | "");
            setOffset(0);
          }}
        >
          <option value="">{t("credits.all")}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`credits.kind.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="card">
        {rows.length ? (
          <>
            <TransactionsTable transactions={rows} />
            <Pager offset={offset} total={page.data?.total ?? 0} onMove={setOffset} />
          </>
        ) : (
          <div className="empty">
            <Icon name="coins" size={28} />
            <h3>
              {page.isLoading ? t("common.loading") : kind ? t("credits.emptyKind") : t("credits.emptyTitle")}
            </h3>
            {!page.isLoading && !kind && <p>{t("credits.emptyBody")}</p>}
          </div>
        )}
      </div>
    </div>
  );
}
