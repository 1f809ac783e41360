import { useTranslation } from "react-i18next";
import { Dialog } from "../ui/Dialog";
import { SHORTCUTS } from "./shortcuts";

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.userAgent);

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const rows = [
    ...SHORTCUTS.map((s) => ({ keys: s.keys, label: t(`shortcuts.${s.action}`) })),
    { keys: "Delete", label: t("shortcuts.delete") },
  ];
  return (
    <Dialog open={open} title={t("shortcuts.title")} onClose={onClose}>
      <table className="table shortcuts">
        <tbody>
          {rows.map((row) => (
            <tr key={row.keys}>
              <td>{row.label}</td>
              <td style={{ textAlign: "right" }}>
                {row.keys.split("+").map((k) => (
                  <kbd key={k} className="kbd">
                    {k === "Mod" ? (isMac ? "⌘" : "Ctrl") : k}
                  </kbd>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
