import { useTranslation } from "react-i18next";
import type { FieldProps } from "./types";

const VARIABLE = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

/** Variables a Jinja template reads, shown so users see what pins to fill. */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1] ?? ""))].filter(Boolean);
}

export function TextAreaField({ id, prop, value, onChange, invalid, template }: FieldProps & { template?: boolean }) {
  const { t } = useTranslation();
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
  const variables = template ? templateVariables(text) : [];
  return (
    <>
      <textarea
        id={id}
        className={template ? "textarea mono nodrag nowheel" : "textarea nodrag nowheel"}
        rows={template ? 4 : 3}
        value={text}
        placeholder={prop.schema.placeholder ?? (template ? t("fields.templatePlaceholder", { name: "{{name}}" }) : "")}
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
