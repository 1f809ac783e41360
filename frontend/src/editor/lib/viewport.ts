/**
 * The first view of a canvas, computed from node positions before anything is drawn.
 *
 * A big agent then opens zoomed out, where nodes draw in their compact form, instead of
 * drawing every full form at zoom 1 only to shrink it a moment later.
 */
import type { Viewport, XYPosition } from "@xyflow/react";

export const NODE_SIZE = { width: 300, height: 260 };
/** Below this zoom, nodes draw only their title and pins: forms cannot be read anyway. */
export const COMPACT_ZOOM = 0.45;
/** Below this zoom, a node is a labelled box: even pin names would be specks. */
export const OVERVIEW_ZOOM = 0.2;

export function initialViewport(
  positions: XYPosition[],
  width: number,
  height: number,
  { minZoom = 0.1, maxZoom = 1, padding = 0.15 } = {},
): Viewport {
  if (positions.length === 0) return { x: 0, y: 0, zoom: 1 };
  const xs = positions.map((p) => p.x);
  const ys = positions.map((p) => p.y);
  const left = Math.min(...xs);
  const top = Math.min(...ys);
  const boxWidth = Math.max(...xs) + NODE_SIZE.width - left;
  const boxHeight = Math.max(...ys) + NODE_SIZE.height - top;
  const fit = Math.min((width * (1 - 2 * padding)) / boxWidth, (height * (1 - 2 * padding)) / boxHeight);
  const zoom = Math.min(maxZoom, Math.max(minZoom, fit));
  return {
    x: (width - boxWidth * zoom) / 2 - left * zoom,
    y: (height - boxHeight * zoom) / 2 - top * zoom,
    zoom,
  };
}
