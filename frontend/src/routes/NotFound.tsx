import { useTranslation } from "react-i18next";
import { Link } from "react-router";

export function NotFound() {
  const { t } = useTranslation();
  return (
    <div className="empty">
      <h3>{t("notFound.title")}</h3>
      <p>{t("notFound.body")}</p>
      <Link className="btn" to="/agents">
        {t("notFound.home")}
      </Link>
    </div>
  );
}
