import { memo } from "react";
import { useTranslation } from "react-i18next";
import type { BlockInfo } from "../../api/types";
import { basePin, dynamicPinKey } from "../lib/convert";
import { pinKinds, primaryKind } from "../lib/pinTypes";
import { properties, titleOf } from "../lib/schema";
import { PinHandle } from "./PinHandle";

interface NodeOutputsProps {
  block: BlockInfo;
  dynamicOut: string[];
}

/** One source handle per output property, plus any dynamic sub-pins that links read. */
export const NodeOutputs = memo(function NodeOutputs({ block, dynamicOut }: NodeOutputsProps) {
  const { t } = useTranslation();
  // The error pin every block has goes last: it is the exception, not the result.
  const outputs = properties(block.outputSchema)
    .filter((p) => !p.schema.hidden)
    .sort((a, b) => Number(a.name === "error") - Number(b.name === "error"));
  return (
    <div className="node-outputs">
      {outputs.map((p) => {
        const kind = primaryKind(pinKinds(p.schema, block.outputSchema));
        const title = titleOf(p);
        return (
          <div key={p.name} className={p.name === "error" ? "pin-row out error-pin" : "pin-row out"}>
            <span className="pin-label out">
              <span
                className="pin-type"
                style={{ color: `var(--pin-${kind === "integer" ? "number" : kind})` }}
              >
                {t(`pinKind.${kind}`)}
              </span>
              <span title={p.schema.description ?? ""}>{title}</span>
            </span>
            <PinHandle type="source" id={p.name} kind={kind} label={t("node.outputPin", { name: title })} />
            {dynamicOut
              .filter((pin) => basePin(pin) === p.name)
              .map((pin) => (
                <div key={pin} className="pin-row out sub" data-pin={pin}>
                  <span className="pin-label out mono">{dynamicPinKey(pin)}</span>
                  <PinHandle
                    type="source"
                    id={pin}
                    kind="any"
                    label={t("node.outputPin", { name: `${title} · ${dynamicPinKey(pin)}` })}
                  />
                </div>
              ))}
          </div>
        );
      })}
    </div>
  );
});
