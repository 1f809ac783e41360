import { memo, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { BlockInfo } from "../../api/types";
import { useCanvas } from "../context";
import { subAgentInputValue } from "../lib/agentPins";
import { dynamicPinKey } from "../lib/convert";
import { pinKinds, primaryKind } from "../lib/pinTypes";
import type { SchemaProperty } from "../lib/schema";
import { properties, titleOf } from "../lib/schema";
import type { NodeProblem } from "../store";
import { AgentPicker } from "./fields/AgentPicker";
import { FieldRenderer } from "./fields/FieldRenderer";
import { PinHandle } from "./PinHandle";
import { Icon } from "../../ui/Icon";

interface NodeInputsProps {
  nodeId: string;
  block: BlockInfo;
  inputs: Record<string, unknown>;
  /** An Agent Executor's sub-agent inputs, whose values live in its `inputs` dictionary. */
  subInputs: ReadonlySet<string>;
  connected: ReadonlySet<string>;
  problems: NodeProblem[] | undefined;
}

function isLinked(name: string, connected: ReadonlySet<string>): boolean {
  if (connected.has(name)) return true;
  for (const pin of connected) if (pin.startsWith(`${name}_`)) return true;
  return false;
}

export const NodeInputs = memo(function NodeInputs({
  nodeId,
  block,
  inputs,
  subInputs,
  connected,
  problems,
}: NodeInputsProps) {
  const { t } = useTranslation();
  const [showAdvanced, setShowAdvanced] = useState(false);
  // With the sub-agent's inputs drawn as fields, its raw `inputs` dictionary is not.
  const raw = (p: SchemaProperty) =>
    p.name === "inputs" && subInputs.size > 0 && !isLinked(p.name, connected);
  const props = properties(block.inputSchema).filter((p) => !p.schema.hidden && !raw(p));
  const flagged = new Set((problems ?? []).map((p) => p.field));
  const isOpen = (p: SchemaProperty) =>
    !p.schema.advanced || isLinked(p.name, connected) || flagged.has(p.name);
  const basic = props.filter(isOpen);
  const advanced = props.filter((p) => !isOpen(p));
  const row = (p: SchemaProperty) => (
    <InputRow
      key={p.name}
      nodeId={nodeId}
      prop={p}
      block={block}
      sub={subInputs.has(p.name)}
      value={subInputs.has(p.name) ? subAgentInputValue(inputs, p.name) : inputs[p.name]}
      connected={connected}
      problem={problems?.find((x) => x.field === p.name)?.message}
    />
  );
  return (
    <div className="node-inputs">
      {basic.map(row)}
      {advanced.length > 0 && (
        <button
          type="button"
          className="advanced-toggle nodrag"
          aria-expanded={showAdvanced}
          onClick={() => setShowAdvanced((v) => !v)}
        >
          <Icon name={showAdvanced ? "chevronDown" : "chevronRight"} size={13} />
          {t("node.advanced", { count: advanced.length })}
        </button>
      )}
      {showAdvanced && advanced.map(row)}
    </div>
  );
});

/**
 * A field's label. An Agent Executor's own fields are named for what a builder picks (an
 * agent, its version), not for the ids they store ("Graph Id").
 */
function fieldTitle(prop: SchemaProperty, block: BlockInfo, t: TFunction): string {
  if (block.uiType === "Agent" && prop.name === "graph_id") return t("fields.agent");
  if (block.uiType === "Agent" && prop.name === "graph_version") return t("fields.agentVersion");
  return titleOf(prop);
}

interface InputRowProps {
  nodeId: string;
  prop: SchemaProperty;
  block: BlockInfo;
  /** A sub-agent input of an Agent Executor (stored in its `inputs`). */
  sub: boolean;
  value: unknown;
  connected: ReadonlySet<string>;
  problem: string | undefined;
}

function InputRow({ nodeId, prop, block, sub, value, connected, problem }: InputRowProps) {
  const { t } = useTranslation();
  const setInput = useCanvas((s) => (sub ? s.setSubAgentInput : s.setInput));
  const kind = primaryKind(pinKinds(prop.schema, block.inputSchema));
  const linked = connected.has(prop.name);
  const fieldId = `f-${nodeId}-${prop.name}`;
  const title = fieldTitle(prop, block, t);
  return (
    <div className={problem ? "pin-row in has-problem" : "pin-row in"} data-field={prop.name}>
      <PinHandle
        type="target"
        id={prop.name}
        kind={kind}
        required={prop.required}
        label={t("node.inputPin", { name: title })}
      />
      <div className="pin-label">
        <label htmlFor={fieldId} id={`${fieldId}-label`} title={prop.schema.description ?? ""}>
          {title}
          {prop.required && (
            <span className="required" aria-label={t("node.required")}>
              *
            </span>
          )}
        </label>
        <span className="pin-type" style={{ color: `var(--pin-${kind === "integer" ? "number" : kind})` }}>
          {t(`pinKind.${kind}`)}
        </span>
      </div>
      {linked ? (
        <span className="linked-note">{t("fields.connected")}</span>
      ) : block.uiType === "Agent" && prop.name === "graph_id" ? (
        <AgentPicker id={fieldId} nodeId={nodeId} value={value} invalid={Boolean(problem) || undefined} />
      ) : (
        <FieldRenderer
          id={fieldId}
          prop={prop}
          root={block.inputSchema}
          value={value}
          invalid={Boolean(problem) || undefined}
          connected={connected}
          onChange={(v) => setInput(nodeId, prop.name, v)}
          renderPin={(pin) => (
            <PinHandle
              type="target"
              id={pin}
              kind="any"
              label={t("node.inputPin", { name: `${title} · ${dynamicPinKey(pin)}` })}
            />
          )}
        />
      )}
      {problem && (
        <span className="error-text" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
