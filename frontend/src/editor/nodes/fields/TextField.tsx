import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Icon } from "../../../ui/Icon";
import { placeholderOf } from "./placeholder";
import type { FieldProps } from "./types";

type Variant = "text" | "secret" | "date" | "time";

export function TextField({
  id,
  prop,
  value,
  onChange,
  invalid,
  variant = "text",
}: FieldProps & { variant?: Variant }) {
  const { t } = useTranslation();
  const [revealed, setRevealed] = useState(false);
  const type = variant === "secret" ? (revealed ? "text" : "password") : variant;
  const input = (
    <input
      id={id}
      className="input nodrag"
      type={type}
      value={
        typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value)
      }
      placeholder={placeholderOf(prop.schema, t)}
      aria-invalid={invalid}
      autoComplete={variant === "secret" ? "off" : undefined}
      onChange={(e) => onChange(e.target.value === "" && !prop.required ? undefined : e.target.value)}
    />
  );
  if (variant !== "secret") return input;
  return (
    <div className="row field-secret">
      {input}
      <button
        type="button"
        className="btn btn-ghost btn-sm btn-icon nodrag"
        aria-label={revealed ? t("fields.hide") : t("fields.show")}
        aria-pressed={revealed}
        onClick={() => setRevealed((r) => !r)}
      >
        <Icon name={revealed ? "eyeOff" : "eye"} size={14} />
      </button>
    </div>
  );
}
