import { useTranslation } from "react-i18next";
import { Icon } from "../../../ui/Icon";
import { elementSchema } from "../../lib/schema";
import { FieldRenderer } from "./FieldRenderer";
import type { FieldProps } from "./types";

/** Rows of items; each row is also a pin (`name_$_index`) a link can fill. */
export function ListField({ id, prop, root, value, onChange, renderPin, connected }: FieldProps) {
  const { t } = useTranslation();
  const items = Array.isArray(value) ? (value as unknown[]) : [];
  const prefix = `${prop.name}_$_`;
  const linkedIndexes = [...(connected ?? [])]
    .filter((pin) => pin.startsWith(prefix))
    .map((pin) => Number(pin.slice(prefix.length)))
    .filter((n) => Number.isInteger(n));
  const count = Math.max(items.length, ...linkedIndexes.map((n) => n + 1), 0);
  const element = elementSchema(prop.schema, root);
  const setItem = (index: number, item: unknown) => {
    const next = Array.from({ length: Math.max(count, index + 1) }, (_, i) => items[i] ?? null);
    next[index] = item ?? null;
    onChange(next);
  };
  return (
    <div className="collection" role="group" aria-labelledby={`${id}-label`}>
      {Array.from({ length: count }, (_, index) => {
        const pin = `${prefix}${index}`;
        const linked = connected?.has(pin) ?? false;
        return (
          <div className="collection-row" key={pin}>
            {renderPin?.(pin)}
            <span className="collection-index">{index}</span>
            <div className="grow" role="group" aria-label={t("fields.itemLabel", { index })}>
              {linked ? (
                <span className="linked-note">{t("fields.connected")}</span>
              ) : (
                <FieldRenderer
                  id={`${id}-${index}`}
                  prop={{ name: pin, schema: element, required: false, nullable: true }}
                  root={root}
                  value={items[index] ?? undefined}
                  onChange={(v) => setItem(index, v)}
                />
              )}
            </div>
            <button
              type="button"
              className="btn btn-ghost btn-sm btn-icon nodrag"
              aria-label={t("fields.removeItem", { index })}
              disabled={linked}
              onClick={() => onChange(items.filter((_, i) => i !== index))}
            >
              <Icon name="x" size={13} />
            </button>
          </div>
        );
      })}
      <button
        type="button"
        className="btn btn-ghost btn-sm nodrag add-row"
        onClick={() => setItem(count, null)}
      >
        <Icon name="plus" size={13} /> {t("fields.addItem")}
      </button>
    </div>
  );
}
