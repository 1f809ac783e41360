import type { ReactNode } from "react";
import type { JSONSchema } from "../../../api/types";
import type { SchemaProperty } from "../../lib/schema";

/** What every field widget gets: one schema property, its value and a way to change it. */
export interface FieldProps {
  id: string;
  prop: SchemaProperty;
  root: JSONSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  invalid?: boolean;
  /** Draws the handle of a dynamic sub-pin (`items_$_0`, `values_#_key`) beside its row. */
  renderPin?: (pin: string) => ReactNode;
  /** Input pins of this node that a link feeds. */
  connected?: ReadonlySet<string>;
}
