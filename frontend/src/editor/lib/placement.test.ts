import { describe, expect, it } from "vitest";
import type { Box } from "./placement";
import { freeSpot } from "./placement";
import { NODE_SIZE } from "./viewport";

const at = (x: number, y: number, height = NODE_SIZE.height): Box => ({
  x,
  y,
  width: NODE_SIZE.width,
  height,
});
const clear = (p: { x: number; y: number }, boxes: Box[]) =>
  boxes.every(
    (b) =>
      p.x + NODE_SIZE.width <= b.x ||
      b.x + b.width <= p.x ||
      p.y + NODE_SIZE.height <= b.y ||
      b.y + b.height <= p.y,
  );

describe("placing a block added from the menu", () => {
  it("takes the wanted spot when it is free", () => {
    expect(freeSpot({ x: 10, y: 20 }, [])).toEqual({ x: 10, y: 20 });
    expect(freeSpot({ x: 10, y: 20 }, [at(900, 900)])).toEqual({ x: 10, y: 20 });
  });

  it("puts each next block beside the others, never on them", () => {
    const taken: Box[] = [];
    for (let i = 0; i < 12; i++) {
      const spot = freeSpot({ x: 0, y: 0 }, taken);
      expect(clear(spot, taken), `block ${i}`).toBe(true);
      taken.push(at(spot.x, spot.y, i % 3 === 0 ? 520 : NODE_SIZE.height)); // some nodes are tall
    }
    expect(taken[1]).toMatchObject({ x: NODE_SIZE.width + 40, y: 0 }); // the second goes to the right
  });

  it("prefers a free spot inside the visible part of the canvas", () => {
    const view: Box = { x: -400, y: -100, width: 1100, height: 800 };
    const taken = [at(0, 0), at(340, 0)];
    const spot = freeSpot({ x: 0, y: 0 }, taken, view);
    expect(spot).toEqual({ x: -340, y: 0 }); // left of the middle: right of it is out of view
    const full = [...taken, at(-340, 0)];
    const below = freeSpot({ x: 0, y: 0 }, full, view);
    expect(clear(below, full)).toBe(true);
    expect(below.y).toBeLessThan(view.y + view.height);
  });

  it("goes below a tall node, not into it", () => {
    const tall = at(0, -200, 700);
    const narrow: Box = { x: -10, y: -300, width: 320, height: 1200 }; // only the middle column shows
    expect(freeSpot({ x: 0, y: 0 }, [tall], narrow)).toEqual({ x: 0, y: 540 });
  });
});
