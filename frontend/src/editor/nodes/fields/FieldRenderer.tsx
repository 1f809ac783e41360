/** The one place that maps a schema property to its widget (see lib/fieldKinds.ts). */
import { fieldKind } from "../../lib/fieldKinds";
import { BooleanField } from "./BooleanField";
import { CredentialsField } from "./CredentialsField";
import { DictField } from "./DictField";
import { EnumField } from "./EnumField";
import { JsonField } from "./JsonField";
import { ListField } from "./ListField";
import { NumberField } from "./NumberField";
import { TextAreaField } from "./TextAreaField";
import { TextField } from "./TextField";
import type { FieldProps } from "./types";

export function FieldRenderer(props: FieldProps) {
  const kind = fieldKind(props.prop);
  switch (kind) {
    case "text":
    case "secret":
    case "date":
    case "time":
      return <TextField {...props} variant={kind} />;
    case "multiline":
      return <TextAreaField {...props} />;
    case "template":
      return <TextAreaField {...props} template />;
    case "number":
      return <NumberField {...props} />;
    case "integer":
      return <NumberField {...props} integer />;
    case "boolean":
      return <BooleanField {...props} />;
    case "enum":
      return <EnumField {...props} />;
    case "list":
      return <ListField {...props} />;
    case "dict":
      return <DictField {...props} />;
    case "credentials":
      return <CredentialsField {...props} />;
    case "json":
      return <JsonField {...props} />;
  }
}
