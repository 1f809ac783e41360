import { useTranslation } from "react-i18next";
import type { FieldProps } from "./types";

export function EnumField({ id, prop, value, onChange, invalid }: FieldProps) {
  const { t } = useTranslation();
  const options = prop.schema.enum ?? [];
  const current = value === undefined || value === null ? "" : JSON.stringify(value);
  return (
    <select
      id={id}
      className="select nodrag"
      value={current}
      aria-invalid={invalid}
      onChange={(e) => onChange(e.target.value === "" ? undefined : (JSON.parse(e.target.value) as unknown))}
    >
      {(!prop.required || current === "") && <option value="">{t("fields.choose")}</option>}
      {options.map((option) => (
        <option key={JSON.stringify(option)} value={JSON.stringify(option)}>
          {String(option)}
        </option>
      ))}
    </select>
  );
}
