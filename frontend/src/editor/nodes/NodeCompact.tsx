/**
 * A node seen from far away: its title, status and linked pins, without forms. Drawn
 * below COMPACT_ZOOM, where forms cannot be read, so a big agent opens and pans quickly:
 * only the handles that links end on are drawn (zoom in to connect more).
 */
import { useNodeConnections, useStore as useFlowStore } from "@xyflow/react";
import { memo } from "react";
import { useTranslation } from "react-i18next";
import type { BlockInfo } from "../../api/types";
import { displayName, primaryCategory } from "../lib/blockName";
import { basePin, dynamicPinKey, isDynamicPin } from "../lib/convert";
import { pinKinds, primaryKind } from "../lib/pinTypes";
import { properties, titleOf } from "../lib/schema";
import type { NodeRunView } from "../run";
import { OVERVIEW_ZOOM } from "../lib/viewport";
import { PinHandle } from "./PinHandle";

interface NodeCompactProps {
  id: string;
  block: BlockInfo;
  view: NodeRunView | undefined;
  selected: boolean;
}

/** The pins that links use, declared ones first, each with its label and kind. */
function linkedPins(schema: BlockInfo["inputSchema"], linked: Set<string>) {
  const props = properties(schema);
  const titles = new Map(props.map((p) => [p.name, titleOf(p)]));
  const declared = props
    .filter((p) => linked.has(p.name))
    .map((p) => ({ id: p.name, label: titleOf(p), kind: primaryKind(pinKinds(p.schema, schema)) }));
  const dynamic = [...linked]
    .filter((pin) => !titles.has(pin))
    .map((pin) => {
      const base = basePin(pin);
      const label = isDynamicPin(pin) ? `${titles.get(base) ?? base} · ${dynamicPinKey(pin)}` : pin;
      return { id: pin, label, kind: "any" as const };
    });
  return [...declared, ...dynamic];
}

export const NodeCompact = memo(function NodeCompact({ id, block, view, selected }: NodeCompactProps) {
  const { t } = useTranslation();
  const targets = useNodeConnections({ handleType: "target" });
  const sources = useNodeConnections({ handleType: "source" });
  const overview = useFlowStore((s) => s.transform[2] < OVERVIEW_ZOOM);
  const inputs = linkedPins(block.inputSchema, new Set(targets.map((c) => c.targetHandle ?? "")));
  const outputs = linkedPins(block.outputSchema, new Set(sources.map((c) => c.sourceHandle ?? "")));
  const classes = ["block-node", "compact", selected ? "selected" : "", view ? `run-${view.status}` : ""];
  if (overview) {
    // So far out that only the shape, the title and where links attach can be seen.
    return (
      <div
        className={`${classes.join(" ")} overview`}
        data-testid={`node-${id}`}
        data-block={block.name}
        data-status={view?.status}
        data-category={primaryCategory(block)}
      >
        <span className="node-title truncate">{displayName(block)}</span>
        {inputs.map((p) => (
          <PinHandle key={p.id} type="target" id={p.id} kind={p.kind} label={p.label} />
        ))}
        {outputs.map((p) => (
          <PinHandle key={p.id} type="source" id={p.id} kind={p.kind} label={p.label} />
        ))}
      </div>
    );
  }
  return (
    <div
      className={classes.join(" ")}
      data-testid={`node-${id}`}
      data-block={block.name}
      data-status={view?.status}
    >
      <div className="node-head" data-category={primaryCategory(block)}>
        <span className="node-cat" aria-hidden="true" />
        <span className="node-title truncate">{displayName(block)}</span>
      </div>
      <div className="compact-pins">
        <div>
          {inputs.map((p) => (
            <div key={p.id} className="pin-row in compact-pin">
              <PinHandle
                type="target"
                id={p.id}
                kind={p.kind}
                label={t("node.inputPin", { name: p.label })}
              />
              <span className="truncate">{p.label}</span>
            </div>
          ))}
        </div>
        <div>
          {outputs.map((p) => (
            <div key={p.id} className="pin-row out compact-pin">
              <span className="truncate">{p.label}</span>
              <PinHandle
                type="source"
                id={p.id}
                kind={p.kind}
                label={t("node.outputPin", { name: p.label })}
              />
            </div>
          ))}
        </div>
      </div>
    </div>
  );
});
