import { useState } from "react";
import { useTranslation } from "react-i18next";
import { parseLoose } from "../../lib/values";
import { placeholderOf } from "./placeholder";
import type { FieldProps } from "./types";

/** The text of a value; nothing (`undefined` or `null`, an unset default) is an empty field. */
function show(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export function JsonField({ id, prop, value, onChange, invalid }: FieldProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(show(value));
  const strict = prop.schema.type === "object" || prop.schema.type === "array";
  const [error, setError] = useState(false);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    // Changed from outside (undo, paste): show it unless the text already means it.
    setSeen(value);
    if (JSON.stringify(parseLoose(text) ?? null) !== JSON.stringify(value ?? null)) setText(show(value));
  }
  return (
    <>
      <textarea
        id={id}
        className="textarea mono nodrag nowheel"
        rows={2}
        value={text}
        placeholder={placeholderOf(prop.schema, t, t("fields.jsonPlaceholder"))}
        aria-invalid={invalid || error}
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseLoose(e.target.value);
          const bad = strict && typeof parsed === "string";
          setError(bad);
          if (!bad) onChange(parsed);
        }}
      />
      {error && <span className="error-text">{t("fields.invalidJson")}</span>}
    </>
  );
}
