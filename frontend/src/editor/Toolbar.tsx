/** The editor's top bar: name, version and save state, history, layout, save and run. */
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useShallow } from "zustand/react/shallow";
import { Icon } from "../ui/Icon";
import { useCanvas } from "./context";
import { isTerminal } from "./run";

interface ToolbarProps {
  saving: boolean;
  onSave: () => void;
  onRun: () => void;
  onFit: () => void;
  onExport: () => void;
  onToggleHistory: () => void;
  onHelp: () => void;
  historyOpen: boolean;
}

function IconButton({
  label,
  icon,
  onClick,
  disabled,
  shortcut,
  pressed,
}: {
  label: string;
  icon: Parameters<typeof Icon>[0]["name"];
  onClick: () => void;
  disabled?: boolean;
  shortcut?: string;
  pressed?: boolean;
}) {
  return (
    <button
      className="btn btn-ghost btn-icon"
      aria-label={label}
      title={shortcut ? `${label} (${shortcut})` : label}
      onClick={onClick}
      disabled={disabled}
      aria-pressed={pressed}
    >
      <Icon name={icon} />
    </button>
  );
}

export function Toolbar(props: ToolbarProps) {
  const { t } = useTranslation();
  const s = useCanvas(
    useShallow((st) => ({
      name: st.header.name,
      version: st.header.version,
      dirty: st.dirty,
      canUndo: st.past.length > 0,
      canRedo: st.future.length > 0,
      running: st.run !== null && !isTerminal(st.run.status),
      setHeader: st.setHeader,
      undo: st.undo,
      redo: st.redo,
      layout: st.layout,
    })),
  );
  return (
    <header className="editor-toolbar">
      <Link
        to="/agents"
        className="btn btn-ghost btn-icon"
        aria-label={t("editor.back")}
        title={t("editor.back")}
      >
        <Icon name="chevronRight" style={{ transform: "rotate(180deg)" }} />
      </Link>
      <input
        className="name-input"
        value={s.name}
        aria-label={t("editor.name")}
        placeholder={t("editor.untitled")}
        onChange={(e) => s.setHeader({ name: e.target.value })}
        data-testid="agent-name"
      />
      {s.version > 0 && <span className="badge">v{s.version}</span>}
      <span className={s.dirty ? "save-state dirty" : "save-state"} data-testid="save-state">
        {s.dirty ? t("editor.unsaved") : s.version > 0 ? t("editor.allSaved") : ""}
      </span>
      <span className="grow" />
      <div className="toolbar-group">
        <IconButton
          label={t("editor.undo")}
          icon="undo"
          onClick={s.undo}
          disabled={!s.canUndo}
          shortcut="Ctrl+Z"
        />
        <IconButton
          label={t("editor.redo")}
          icon="redo"
          onClick={s.redo}
          disabled={!s.canRedo}
          shortcut="Ctrl+Shift+Z"
        />
        <IconButton label={t("editor.layout")} icon="layout" onClick={s.layout} shortcut="Shift+L" />
        <IconButton label={t("editor.fit")} icon="fit" onClick={props.onFit} shortcut="Shift+F" />
      </div>
      <div className="toolbar-group">
        <IconButton
          label={t("editor.history")}
          icon="history"
          onClick={props.onToggleHistory}
          pressed={props.historyOpen}
        />
        <IconButton label={t("editor.export")} icon="download" onClick={props.onExport} />
        <IconButton label={t("editor.shortcuts")} icon="keyboard" onClick={props.onHelp} shortcut="?" />
      </div>
      <button
        className="btn"
        onClick={props.onSave}
        disabled={props.saving || (!s.dirty && s.version > 0)}
        data-testid="save"
      >
        {props.saving ? <span className="spinner" /> : <Icon name="save" />}
        {t("editor.save")}
      </button>
      <button className="btn btn-primary" onClick={props.onRun} disabled={s.running} data-testid="run">
        <Icon name="play" />
        {s.running ? t("editor.running") : t("editor.run")}
      </button>
    </header>
  );
}
