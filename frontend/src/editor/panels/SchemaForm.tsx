/** A plain form over an object schema, for run inputs and single-node runs. */
import { useTranslation } from "react-i18next";
import type { JSONSchema } from "../../api/types";
import { FieldRenderer } from "../nodes/fields/FieldRenderer";
import { properties, titleOf } from "../lib/schema";

interface SchemaFormProps {
  idPrefix: string;
  schema: JSONSchema;
  values: Record<string, unknown>;
  onChange: (values: Record<string, unknown>) => void;
  missing?: ReadonlySet<string>;
}

export function SchemaForm({ idPrefix, schema, values, onChange, missing }: SchemaFormProps) {
  const { t } = useTranslation();
  const props = properties(schema).filter((p) => !p.schema.hidden);
  if (props.length === 0) return <p className="muted">{t("run.noInputs")}</p>;
  return (
    <div className="stack schema-form">
      {props.map((p) => {
        const id = `${idPrefix}-${p.name}`;
        const bad = missing?.has(p.name) ?? false;
        return (
          <div key={p.name} className="form-field" data-field={p.name}>
            <label className="label" htmlFor={id} id={`${id}-label`}>
              {titleOf(p)}
              {p.required && <span className="required"> *</span>}
            </label>
            <FieldRenderer
              id={id}
              prop={p}
              root={schema}
              value={values[p.name]}
              invalid={bad || undefined}
              onChange={(v) => onChange({ ...values, [p.name]: v })}
            />
            {p.schema.description && <span className="hint">{p.schema.description}</span>}
            {bad && <span className="error-text">{t("run.required")}</span>}
          </div>
        );
      })}
    </div>
  );
}
