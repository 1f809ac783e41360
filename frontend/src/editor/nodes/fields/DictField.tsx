import { useTranslation } from "react-i18next";
import { Icon } from "../../../ui/Icon";
import { elementSchema } from "../../lib/schema";
import { FieldRenderer } from "./FieldRenderer";
import type { FieldProps } from "./types";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function freshKey(taken: string[]): string {
  let n = taken.length + 1;
  while (taken.includes(`key${n}`)) n += 1;
  return `key${n}`;
}

/** Key/value rows; each key is also a pin (`name_#_key`) a link can fill. */
export function DictField({ id, prop, root, value, onChange, renderPin, connected }: FieldProps) {
  const { t } = useTranslation();
  const entries = isRecord(value) ? value : {};
  const prefix = `${prop.name}_#_`;
  const linkedKeys = [...(connected ?? [])]
    .filter((p) => p.startsWith(prefix))
    .map((p) => p.slice(prefix.length));
  const keys = [...new Set([...Object.keys(entries), ...linkedKeys])];
  const element = elementSchema(prop.schema, root);

  const rename = (from: string, to: string) => {
    if (!to || to === from || to in entries) return;
    onChange(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k === from ? to : k, v])));
  };
  const remove = (key: string) => {
    const rest = Object.fromEntries(Object.entries(entries).filter(([k]) => k !== key));
    onChange(Object.keys(rest).length ? rest : undefined);
  };

  return (
    <div className="collection" role="group" aria-labelledby={`${id}-label`}>
      {keys.map((key, index) => {
        const pin = `${prefix}${key}`;
        const linked = connected?.has(pin) ?? false;
        return (
          <div className="collection-row" key={pin}>
            {renderPin?.(pin)}
            <input
              className="input nodrag dict-key"
              aria-label={t("fields.keyLabel", { index: index + 1 })}
              defaultValue={key}
              disabled={linked}
              onBlur={(e) => rename(key, e.target.value.trim())}
              onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
            />
            <div className="grow" role="group" aria-label={t("fields.valueLabel", { key })}>
              {linked ? (
                <span className="linked-note">{t("fields.connected")}</span>
              ) : (
                <FieldRenderer
                  id={`${id}-${index}`}
                  prop={{ name: pin, schema: element, required: false, nullable: true }}
                  root={root}
                  value={entries[key]}
                  onChange={(v) => onChange({ ...entries, [key]: v ?? "" })}
                />
              )}
            </div>
            <button
              type="button"
              className="btn btn-ghost btn-sm btn-icon nodrag"
              aria-label={t("fields.removeKey", { key })}
              disabled={linked}
              onClick={() => remove(key)}
            >
              <Icon name="x" size={13} />
            </button>
          </div>
        );
      })}
      <button
        type="button"
        className="btn btn-ghost btn-sm nodrag add-row"
        onClick={() => onChange({ ...entries, [freshKey(keys)]: "" })}
      >
        <Icon name="plus" size={13} /> {t("fields.addKey")}
      </button>
    </div>
  );
}
