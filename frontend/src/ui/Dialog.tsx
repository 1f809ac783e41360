/** A modal on the native <dialog>: focus trap, Escape and the backdrop come with it. */
import type { ReactNode } from "react";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Icon } from "./Icon";

interface DialogProps {
  open: boolean;
  title: string;
  description?: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  testId?: string;
}

export function Dialog({ open, title, description, onClose, children, footer, wide, testId }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const { t } = useTranslation();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={wide ? "dialog wide" : "dialog"}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      aria-label={title}
      data-testid={testId}
    >
      {open && (
        <>
          <div className="dialog-head">
            <div>
              <h2>{title}</h2>
              {description && (
                <p className="hint" style={{ margin: "4px 0 0" }}>
                  {description}
                </p>
              )}
            </div>
            <button className="btn btn-ghost btn-icon" onClick={onClose} aria-label={t("common.close")}>
              <Icon name="x" />
            </button>
          </div>
          <div className="dialog-body">{children}</div>
          {footer && <div className="dialog-foot">{footer}</div>}
        </>
      )}
    </dialog>
  );
}
