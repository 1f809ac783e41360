import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { NodeExecution } from "../../api/types";
import { axisTicks } from "../lib/format";
import { Timeline } from "./Timeline";

afterEach(cleanup);

function exec(id: string, start: string, end: string): NodeExecution {
  return {
    node_exec_id: id,
    node_id: `node-${id}`,
    status: "COMPLETED",
    add_time: start,
    queue_time: start,
    start_time: start,
    end_time: end,
    input_data: {},
    output_data: {},
    seq: 1,
  } as unknown as NodeExecution;
}

describe("the timeline's time axis", () => {
  it("never repeats a tick label, however short the run", () => {
    for (const total of [1, 2, 3, 7, 10, 15, 999, 1000, 1001, 1500, 59_999, 60_000, 61_000, 120_400]) {
      const ticks = axisTicks(total);
      expect(new Set(ticks).size, `${total} ms: ${ticks.join(" · ")}`).toBe(ticks.length);
      expect(ticks[0]).toBe("0");
    }
    expect(axisTicks(1)).toEqual(["0", "0.5 ms", "1 ms"]);
    expect(axisTicks(3)).toEqual(["0", "1.5 ms", "3 ms"]);
    expect(axisTicks(1500)).toEqual(["0", "750 ms", "1.50 s"]);
  });

  it("labels the axis of a one-millisecond run with distinct ticks", () => {
    const rows = [
      { exec: exec("a", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"), label: "Input" },
      { exec: exec("b", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.001Z"), label: "Template" },
    ];
    render(<Timeline rows={rows} selected={null} onSelect={() => undefined} now={Date.now()} />);
    const axis = screen.getByTestId("timeline").querySelector(".timeline-axis");
    const labels = [...(axis?.children ?? [])].map((el) => el.textContent);
    expect(labels).toEqual(["0", "0.5 ms", "1 ms"]);
  });
});
