/** Keyboard shortcuts of the editor, listed once so the help dialog shows the same table. */
import { useEffect } from "react";

export interface ShortcutHandlers {
  save: () => void;
  run: () => void;
  undo: () => void;
  redo: () => void;
  copy: () => void;
  paste: () => void;
  duplicate: () => void;
  selectAll: () => void;
  layout: () => void;
  fit: () => void;
  search: () => void;
  help: () => void;
}

export const SHORTCUTS: { keys: string; action: keyof ShortcutHandlers }[] = [
  { keys: "Mod+S", action: "save" },
  { keys: "Mod+Enter", action: "run" },
  { keys: "Mod+Z", action: "undo" },
  { keys: "Mod+Shift+Z", action: "redo" },
  { keys: "Mod+C", action: "copy" },
  { keys: "Mod+V", action: "paste" },
  { keys: "Mod+D", action: "duplicate" },
  { keys: "Mod+A", action: "selectAll" },
  { keys: "Shift+L", action: "layout" },
  { keys: "Shift+F", action: "fit" },
  { keys: "/", action: "search" },
  { keys: "?", action: "help" },
];

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** The name of the shortcut an event means, e.g. "Mod+Shift+Z" (Ctrl+Y counts as redo). */
export function comboOf(
  event: Pick<KeyboardEvent, "key" | "metaKey" | "ctrlKey" | "shiftKey" | "altKey">,
): string {
  const mod = event.metaKey || event.ctrlKey;
  const key = event.key.length === 1 ? event.key.toUpperCase() : event.key;
  if (mod && !event.shiftKey && key === "Y") return "Mod+Shift+Z";
  const parts: string[] = [];
  if (mod) parts.push("Mod");
  if (event.shiftKey && /^[A-Z]$/.test(key)) parts.push("Shift");
  if (event.altKey) parts.push("Alt");
  parts.push(key);
  return parts.join("+");
}

const ALWAYS = new Set(["Mod+S", "Mod+Enter"]);

export function useShortcuts(handlers: ShortcutHandlers, enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      const combo = comboOf(event);
      const match = SHORTCUTS.find((s) => s.keys === combo);
      if (!match) return;
      if (isEditable(event.target) && !ALWAYS.has(combo)) return;
      if (document.querySelector("dialog[open]")) return;
      event.preventDefault();
      handlers[match.action]();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [handlers, enabled]);
}
