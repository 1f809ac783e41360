import { useState } from "react";
import { useTranslation } from "react-i18next";
import { placeholderOf } from "./placeholder";
import type { FieldProps } from "./types";

/** Keeps the typed text while it is not yet a number ("-", "1."), stores numbers only. */
export function NumberField({
  id,
  prop,
  value,
  onChange,
  invalid,
  integer,
}: FieldProps & { integer?: boolean }) {
  const { t } = useTranslation();
  const [text, setText] = useState(typeof value === "number" ? String(value) : "");
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    // The value changed from outside (undo, paste): show it unless the text already means it.
    setSeen(value);
    if (typeof value === "number" && Number(text) !== value) setText(String(value));
    if ((value === undefined || value === null) && text !== "" && !Number.isNaN(Number(text))) setText("");
  }
  return (
    <input
      id={id}
      className="input nodrag"
      type="number"
      inputMode={integer ? "numeric" : "decimal"}
      step={integer ? 1 : "any"}
      min={prop.schema.minimum}
      max={prop.schema.maximum}
      value={text}
      placeholder={placeholderOf(prop.schema, t)}
      aria-invalid={invalid}
      onChange={(e) => {
        setText(e.target.value);
        if (e.target.value === "") return onChange(undefined);
        const parsed = integer ? parseInt(e.target.value, 10) : Number(e.target.value);
        if (!Number.isNaN(parsed)) onChange(parsed);
      }}
    />
  );
}
