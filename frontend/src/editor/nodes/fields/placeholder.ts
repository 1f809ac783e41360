/**
 * A field's placeholder as an example, not a value: a block's hint "10" shows as
 * "e.g. 10", so an empty Calculator does not look filled in (see editor.css too).
 */
import type { TFunction } from "i18next";
import type { JSONSchema } from "../../../api/types";

export function placeholderOf(schema: JSONSchema, t: TFunction, fallback = ""): string {
  const hint = schema.placeholder;
  return typeof hint === "string" && hint !== "" ? t("fields.example", { value: hint }) : fallback;
}
