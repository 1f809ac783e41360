import { describe, expect, it } from "vitest";
import { untilNextFire } from "./queries";
import type { Schedule } from "./types";

const NOW = Date.parse("2030-01-07T08:00:00Z");

function schedule(next: string | null, enabled = true): Schedule {
  return {
    id: next ?? "none",
    graph_id: "g",
    graph_version: null,
    name: "s",
    cron: "* * * * *",
    timezone: "UTC",
    inputs: {},
    enabled,
    next_run_at: next,
    last_run_at: null,
    last_exec_id: null,
    last_error: null,
    created_at: null,
    updated_at: null,
  };
}

describe("schedule lists refresh after the next fire", () => {
  it("wait until a few seconds after the earliest planned fire", () => {
    const list = [schedule("2030-01-07T08:05:00Z"), schedule("2030-01-07T08:01:00Z")];
    expect(untilNextFire(list, NOW)).toBe(63_000);
  });

  it("ignore paused schedules, and do not poll when nothing is planned", () => {
    expect(untilNextFire([schedule("2030-01-07T08:01:00Z", false)], NOW)).toBe(false);
    expect(untilNextFire([schedule(null)], NOW)).toBe(false);
    expect(untilNextFire([], NOW)).toBe(false);
    expect(untilNextFire(undefined, NOW)).toBe(false);
  });

  it("ask again every 5 s while a fire is overdue, and at least every 10 min", () => {
    expect(untilNextFire([schedule("2030-01-07T07:59:00Z")], NOW)).toBe(5_000);
    expect(untilNextFire([schedule("2030-01-08T08:00:00Z")], NOW)).toBe(600_000);
  });
});
