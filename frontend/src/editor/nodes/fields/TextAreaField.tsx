import { useTranslation } from "react-i18next";
import { templateVariables } from "../../lib/values";
import { placeholderOf } from "./placeholder";
import type { FieldProps } from "./types";

export function TextAreaField({
  id,
  prop,
  value,
  onChange,
  invalid,
  template,
}: FieldProps & { template?: boolean }) {
  const { t } = useTranslation();
  const text =
    typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
  const variables = template ? templateVariables(text) : [];
  return (
    <>
      <textarea
        id={id}
        className={template ? "textarea mono nodrag nowheel" : "textarea nodrag nowheel"}
        rows={template ? 4 : 3}
        value={text}
        placeholder={placeholderOf(
          prop.schema,
          t,
          template ? t("fields.templatePlaceholder", { name: "{{name}}" }) : "",
        )}
        aria-invalid={invalid}
        onChange={(e) => onChange(e.target.value === "" && !prop.required ? undefined : e.target.value)}
      />
      {template && variables.length > 0 && (
        <div className="template-vars">
          {variables.map((v) => (
            <code key={v}>{v}</code>
          ))}
        </div>
      )}
    </>
  );
}
