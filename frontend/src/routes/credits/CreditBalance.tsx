/** The balance in the sidebar, linking to the Credits page; absent while credits are off. */
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useCredits } from "../../api/queries";
import { Icon } from "../../ui/Icon";
import { formatCredits } from "./format";
import "./credits.css";

export function CreditBalance() {
  const { t, i18n } = useTranslation();
  const credits = useCredits();
  if (!credits.data?.enabled) return null;
  return (
    <Link
      to="/settings/credits"
      className="credit-balance-link"
      title={t("credits.headerTitle")}
      data-testid="credit-balance"
    >
      <Icon name="coins" size={15} />
      <span>
        {t("credits.count", {
          count: credits.data.balance,
          amount: formatCredits(credits.data.balance, i18n.language),
        })}
      </span>
    </Link>
  );
}
