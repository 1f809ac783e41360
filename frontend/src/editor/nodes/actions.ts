/** Editor-level actions a node's menu can ask for (dialogs live above the canvas). */
import { createContext, useContext } from "react";

export interface NodeActions {
  runNode: (nodeId: string) => void;
  rerunFrom: (nodeId: string) => void;
  inspect: (nodeId: string) => void;
}

const noop = () => undefined;

export const NodeActionsContext = createContext<NodeActions>({
  runNode: noop,
  rerunFrom: noop,
  inspect: noop,
});

export function useNodeActions(): NodeActions {
  return useContext(NodeActionsContext);
}
