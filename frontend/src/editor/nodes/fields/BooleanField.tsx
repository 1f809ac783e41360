import type { FieldProps } from "./types";

export function BooleanField({ id, value, onChange, prop }: FieldProps) {
  const checked = value === undefined || value === null ? prop.schema.default === true : value === true;
  return (
    <input
      id={id}
      className="switch nodrag"
      type="checkbox"
      role="switch"
      checked={checked}
      onChange={(e) => onChange(e.target.checked)}
    />
  );
}
