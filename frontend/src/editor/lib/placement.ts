/**
 * Where a block added from the menu goes: the middle of the view, or, when a node is
 * already there, the nearest free spot beside or below the nodes around it. Blocks added
 * one after another then sit side by side instead of each one hiding the last.
 *
 * A new node's height is not known until it is drawn, so spots are found in columns,
 * below whatever a column already holds: nothing is placed above a node it could reach.
 */
import type { XYPosition } from "@xyflow/react";
import { NODE_SIZE } from "./viewport";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Space kept between a new node and its neighbours. */
const GAP = 40;
/** Columns tried, as steps from the middle one: right before left. */
const COLUMNS = [0, 1, -1, 2, -2, 3, -3];
/** How much of a new node must be in view for a person to notice it: its title and first field. */
const NOTICED = 120;

function overlaps(a: Box, b: Box): boolean {
  return (
    a.x < b.x + b.width + GAP &&
    b.x < a.x + a.width + GAP &&
    a.y < b.y + b.height + GAP &&
    b.y < a.y + a.height + GAP
  );
}

function within(a: Box, view: Box): boolean {
  return (
    a.x >= view.x &&
    a.y >= view.y &&
    a.x + a.width <= view.x + view.width &&
    a.y + a.height <= view.y + view.height
  );
}

/** The highest free spot in one column, starting at `y` and moving below what is in the way. */
function columnSpot(x: number, y: number, taken: Box[]): XYPosition {
  const box = { x, y, ...NODE_SIZE };
  for (;;) {
    const blocking = taken.filter((b) => overlaps(box, b));
    if (blocking.length === 0) return { x, y: box.y };
    box.y = Math.max(...blocking.map((b) => b.y + b.height)) + GAP;
  }
}

/**
 * The top-left corner for a new node near `wanted` that overlaps none of `taken`: the
 * highest free spot of the columns (middle, right, left, ... on a tie) that shows in
 * `view` (the visible part of the canvas, in flow units), else of any column.
 */
export function freeSpot(wanted: XYPosition, taken: Box[], view?: Box): XYPosition {
  const spots = COLUMNS.map((col) => columnSpot(wanted.x + col * (NODE_SIZE.width + GAP), wanted.y, taken));
  const seen = spots.filter((p) => view && within({ ...p, width: NODE_SIZE.width, height: NOTICED }, view));
  const pool = seen.length ? seen : spots;
  return pool.reduce((best, p) => (p.y < best.y ? p : best));
}
