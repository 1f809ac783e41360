/**
 * The one node component: everything it draws comes from its block's schemas.
 *
 * It reads its own slices of the canvas store (block info, run status, problems), so a
 * live event or an edit elsewhere does not re-render it.
 */
import type { NodeProps } from "@xyflow/react";
import { useNodeConnections, useStore as useFlowStore } from "@xyflow/react";
import { memo, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Icon } from "../../ui/Icon";
import { StatusBadge } from "../../ui/StatusBadge";
import type { BlockInfo } from "../../api/types";
import { useCanvas, useCanvasStore } from "../context";
import type { NodeRunView } from "../run";
import { effectiveBlock, subAgentInputNames } from "../lib/agentPins";
import { displayName, primaryCategory } from "../lib/blockName";
import type { BlockFlowNode } from "../lib/convert";
import { useNodeActions } from "./actions";
import { COMPACT_ZOOM } from "../lib/viewport";
import { NodeCompact } from "./NodeCompact";
import { NodeInputs } from "./NodeInputs";
import { NodeOutputs } from "./NodeOutputs";
import { NodeRunOutput } from "./NodeRunOutput";
import { SubRunChip } from "./SubRunChip";
import { PinHandle } from "./PinHandle";

function NodeMenu({ nodeId, hasRun }: { nodeId: string; hasRun: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const actions = useNodeActions();
  const store = useCanvasStore();
  const ref = useRef<HTMLDivElement>(null);
  const pick = (fn: () => void) => () => {
    setOpen(false);
    fn();
  };
  const selectOnly = () => {
    const state = store.getState();
    state.onNodesChange(state.nodes.map((n) => ({ type: "select", id: n.id, selected: n.id === nodeId })));
    return state;
  };
  return (
    <div
      className="node-menu nodrag"
      ref={ref}
      onBlur={(e) => !ref.current?.contains(e.relatedTarget) && setOpen(false)}
      onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
    >
      <button
        className="btn btn-ghost btn-sm btn-icon"
        aria-label={t("node.menu")}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
      >
        <Icon name="more" />
      </button>
      {open && (
        <div className="menu" role="menu" style={{ right: 0, top: 28 }}>
          <button role="menuitem" onClick={pick(() => actions.runNode(nodeId))}>
            <Icon name="bolt" size={14} /> {t("node.runAlone")}
          </button>
          {hasRun && (
            <button role="menuitem" onClick={pick(() => actions.rerunFrom(nodeId))}>
              <Icon name="rerun" size={14} /> {t("node.rerunFrom")}
            </button>
          )}
          {hasRun && (
            <button role="menuitem" onClick={pick(() => actions.inspect(nodeId))}>
              <Icon name="eye" size={14} /> {t("node.inspect")}
            </button>
          )}
          <hr />
          <button
            role="menuitem"
            onClick={pick(() => {
              selectOnly().duplicateSelected();
            })}
          >
            <Icon name="copy" size={14} /> {t("node.duplicate")}
          </button>
          <button
            role="menuitem"
            className="btn-danger"
            onClick={pick(() => {
              selectOnly().deleteSelected();
            })}
          >
            <Icon name="trash" size={14} /> {t("node.delete")}
          </button>
        </div>
      )}
    </div>
  );
}

function NoteBody({ id, text }: { id: string; text: string }) {
  const { t } = useTranslation();
  const setInput = useCanvas((s) => s.setInput);
  return (
    <div className="note-node">
      <textarea
        className="nodrag nowheel"
        aria-label={t("node.noteLabel")}
        placeholder={t("node.notePlaceholder")}
        value={text}
        onChange={(e) => setInput(id, "text", e.target.value)}
      />
    </div>
  );
}

function UnknownBlock({ id, blockId }: { id: string; blockId: string }) {
  const { t } = useTranslation();
  const targets = useNodeConnections({ handleType: "target" });
  const sources = useNodeConnections({ handleType: "source" });
  const problems = useCanvas((s) => s.problems[id]);
  return (
    <div className="block-node unknown" data-testid={`node-${id}`} data-block="unknown">
      <div className="node-head">
        <Icon name="alert" />
        <span className="node-title grow">{t("node.unknownBlock")}</span>
        <NodeMenu nodeId={id} hasRun={false} />
      </div>
      <p className="hint mono node-desc">{blockId}</p>
      <p className="node-problem">{t("node.unknownBlockHint")}</p>
      {problems?.map((p) => (
        <p key={p.message} className="node-problem" role="alert">
          {p.message}
        </p>
      ))}
      {[...new Set(targets.map((c) => c.targetHandle ?? ""))].map((pin) => (
        <div className="pin-row in" key={`in-${pin}`}>
          <PinHandle type="target" id={pin} kind="any" label={pin} />
          <span className="pin-label">{pin}</span>
        </div>
      ))}
      {[...new Set(sources.map((c) => c.sourceHandle ?? ""))].map((pin) => (
        <div className="pin-row out" key={`out-${pin}`}>
          <span className="pin-label out">{pin}</span>
          <PinHandle type="source" id={pin} kind="any" label={pin} />
        </div>
      ))}
    </div>
  );
}

/** The node's title: its own name (AutoGPT's `customized_name`) or the block's; double-click renames. */
function NodeTitle({
  id,
  block,
  label,
  custom,
}: {
  id: string;
  block: BlockInfo;
  label: unknown;
  custom: unknown;
}) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const setMetadata = useCanvas((s) => s.setMetadata);
  const name = typeof custom === "string" && custom ? custom : displayName(block);
  if (editing) {
    return (
      <input
        className="input nodrag node-rename"
        aria-label={t("node.rename")}
        defaultValue={name}
        autoFocus
        onBlur={(e) => {
          const value = e.target.value.trim();
          setMetadata(id, { customized_name: value && value !== displayName(block) ? value : undefined });
          setEditing(false);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") e.currentTarget.blur();
          if (e.key === "Escape") setEditing(false);
        }}
      />
    );
  }
  return (
    <div
      className="node-title truncate"
      title={`${block.name} · ${t("node.renameHint")}`}
      onDoubleClick={() => setEditing(true)}
    >
      {name}
      {typeof label === "string" && label && <span className="node-label"> · {label}</span>}
    </div>
  );
}

function NodeHeader({
  id,
  block,
  label,
  custom,
  view,
}: {
  id: string;
  block: BlockInfo;
  label: unknown;
  custom: unknown;
  view: NodeRunView | undefined;
}) {
  const hasRun = useCanvas((s) => s.run !== null);
  return (
    <div className="node-head" data-category={primaryCategory(block)}>
      <span className="node-cat" aria-hidden="true" />
      <div className="grow">
        <NodeTitle id={id} block={block} label={label} custom={custom} />
      </div>
      {view && <StatusBadge status={view.status} count={view.count} />}
      <NodeMenu nodeId={id} hasRun={hasRun} />
    </div>
  );
}

function BlockNodeView({ id, data, selected }: NodeProps<BlockFlowNode>) {
  const known = useCanvas((s) => s.blocks[data.blockId]);
  const view = useCanvas((s) => s.run?.nodes[id]);
  const compact = useFlowStore((s) => s.transform[2] < COMPACT_ZOOM);
  const { input_schema: ins, output_schema: outs } = data.inputs;
  // Sub-agent pins change only with the sub-agent's schemas, not with every keystroke.
  const block = useMemo(
    () => (known ? effectiveBlock(known, { input_schema: ins, output_schema: outs }) : undefined),
    [known, ins, outs],
  );
  const subInputs = useMemo(
    () => (known ? subAgentInputNames(known, { input_schema: ins }) : NO_NAMES),
    [known, ins],
  );

  if (!block) return <UnknownBlock id={id} blockId={data.blockId} />;
  if (compact && block.uiType !== "Note") {
    return <NodeCompact id={id} block={block} view={view} selected={selected} />;
  }
  return (
    <BlockNodeFull id={id} data={data} selected={selected} block={block} view={view} subInputs={subInputs} />
  );
}

const NO_NAMES: ReadonlySet<string> = new Set();

interface FullProps {
  id: string;
  data: BlockFlowNode["data"];
  selected: boolean;
  block: BlockInfo;
  view: NodeRunView | undefined;
  /** An Agent Executor's sub-agent inputs (lib/agentPins.ts). */
  subInputs: ReadonlySet<string>;
}

function BlockNodeFull({ id, data, selected, block, view, subInputs }: FullProps) {
  const { t } = useTranslation();
  const problems = useCanvas((s) => s.problems[id]);
  const targets = useNodeConnections({ handleType: "target" });
  const connected = useMemo(() => new Set(targets.map((c) => c.targetHandle ?? "")), [targets]);

  if (block.uiType === "Note")
    return <NoteBody id={id} text={typeof data.inputs.text === "string" ? data.inputs.text : ""} />;
  const classes = [
    "block-node",
    selected ? "selected" : "",
    view ? `run-${view.status}` : "",
    problems?.length ? "invalid" : "",
  ];
  return (
    <div
      className={classes.join(" ")}
      data-testid={`node-${id}`}
      data-block={block.name}
      data-status={view?.status}
    >
      <NodeHeader
        id={id}
        block={block}
        label={data.inputs.name}
        custom={data.metadata.customized_name}
        view={view}
      />
      {view && <SubRunChip nodeId={id} nodeExecId={view.last.node_exec_id} />}
      {block.description && <p className="node-desc">{block.description}</p>}
      {problems
        ?.filter((p) => p.field === null)
        .map((p) => (
          <p key={p.message} className="node-problem" role="alert">
            {p.message}
          </p>
        ))}
      <NodeInputs
        nodeId={id}
        block={block}
        inputs={data.inputs}
        subInputs={subInputs}
        connected={connected}
        problems={problems}
      />
      <NodeOutputs block={block} dynamicOut={data.dynamicOut} />
      {view && <NodeRunOutput view={view} />}
      {block.staticOutput && <span className="sr-only">{t("node.staticOutput")}</span>}
    </div>
  );
}

export const BlockNode = memo(BlockNodeView);
