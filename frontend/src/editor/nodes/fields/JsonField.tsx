import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { FieldProps } from "./types";

function show(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

/**
 * For untyped (Any) and structured inputs: JSON when it parses, plain text otherwise,
 * so `hello` is a string and `[1, 2]` a list.
 */
export function parseLoose(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

export function JsonField({ id, prop, value, onChange, invalid }: FieldProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(show(value));
  const strict = prop.schema.type === "object" || prop.schema.type === "array";
  const [error, setError] = useState(false);
  useEffect(() => {
    if (JSON.stringify(parseLoose(text)) !== JSON.stringify(value)) setText(show(value));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- resync on outside changes only
  }, [value]);
  return (
    <>
      <textarea
        id={id}
        className="textarea mono nodrag nowheel"
        rows={2}
        value={text}
        placeholder={prop.schema.placeholder ?? t("fields.jsonPlaceholder")}
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
