/**
 * A node seen from far away: its title, status and pins, without forms. Drawn below
 * COMPACT_ZOOM, where forms cannot be read, so a big agent opens and pans quickly.
 * Every handle of the full node is here too, so links keep their ends.
 */
import { memo } from "react";
import { useTranslation } from "react-i18next";
import type { BlockInfo } from "../../api/types";
import { displayName, primaryCategory } from "../lib/blockName";
import { pinKinds, primaryKind } from "../lib/pinTypes";
import { properties, titleOf } from "../lib/schema";
import type { NodeRunView } from "../run";
import { PinHandle } from "./PinHandle";

interface NodeCompactProps {
  id: string;
  block: BlockInfo;
  dynamicIn: string[];
  dynamicOut: string[];
  view: NodeRunView | undefined;
  selected: boolean;
}

function pinsOf(schema: BlockInfo["inputSchema"], dynamic: string[]) {
  const declared = properties(schema).filter((p) => !p.schema.hidden);
  const pins = declared.map((p) => ({
    id: p.name,
    label: titleOf(p),
    kind: primaryKind(pinKinds(p.schema, schema)),
    required: p.required,
  }));
  const extra = dynamic.map((pin) => ({ id: pin, label: pin, kind: "any" as const, required: false }));
  return [...pins, ...extra];
}

export const NodeCompact = memo(function NodeCompact({ id, block, dynamicIn, dynamicOut, view, selected }: NodeCompactProps) {
  const { t } = useTranslation();
  const inputs = pinsOf(block.inputSchema, dynamicIn);
  const outputs = pinsOf(block.outputSchema, dynamicOut);
  const classes = ["block-node", "compact", selected ? "selected" : "", view ? `run-${view.status}` : ""];
  return (
    <div className={classes.join(" ")} data-testid={`node-${id}`} data-block={block.name} data-status={view?.status}>
      <div className="node-head" data-category={primaryCategory(block)}>
        <span className="node-cat" aria-hidden="true" />
        <span className="node-title truncate">{displayName(block)}</span>
      </div>
      <div className="compact-pins">
        <div>
          {inputs.map((p) => (
            <div key={p.id} className="pin-row in compact-pin">
              <PinHandle type="target" id={p.id} kind={p.kind} required={p.required} label={t("node.inputPin", { name: p.label })} />
              <span className="truncate">{p.label}</span>
            </div>
          ))}
        </div>
        <div>
          {outputs.map((p) => (
            <div key={p.id} className="pin-row out compact-pin">
              <span className="truncate">{p.label}</span>
              <PinHandle type="source" id={p.id} kind={p.kind} label={t("node.outputPin", { name: p.label })} />
            </div>
          ))}
        </div>
      </div>
    </div>
  );
});
