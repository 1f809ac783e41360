import { Handle, Position } from "@xyflow/react";
import { memo } from "react";
import type { PinKind } from "../lib/pinTypes";
import { KIND_COLOURS } from "../lib/pinTypes";

interface PinHandleProps {
  type: "source" | "target";
  id: string;
  kind: PinKind;
  required?: boolean;
  label: string;
}

/** A pin: coloured by type, ringed when required, named for screen readers and tests. */
export const PinHandle = memo(function PinHandle({ type, id, kind, required, label }: PinHandleProps) {
  return (
    <Handle
      type={type}
      id={id}
      position={type === "target" ? Position.Left : Position.Right}
      className={required ? "pin pin-required" : "pin"}
      style={{ "--pin": KIND_COLOURS[kind] } as React.CSSProperties}
      data-kind={kind}
      data-pin={id}
      aria-label={label}
      title={label}
    />
  );
});
