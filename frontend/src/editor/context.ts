/** The open canvas's store, handed down by context and read through selectors. */
import { createContext, useContext } from "react";
import { useStore } from "zustand";
import type { CanvasState, CanvasStore } from "./store";

export const CanvasContext = createContext<CanvasStore | null>(null);

export function useCanvasStore(): CanvasStore {
  const store = useContext(CanvasContext);
  if (!store) throw new Error("useCanvasStore outside a CanvasContext provider");
  return store;
}

export function useCanvas<T>(selector: (state: CanvasState) => T): T {
  return useStore(useCanvasStore(), selector);
}
