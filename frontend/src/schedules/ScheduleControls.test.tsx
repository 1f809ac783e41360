import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { useState } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import type { Schedule } from "../api/types";
import type { ScheduleForm } from "./form";
import { newScheduleForm } from "./form";
import { CronText, LastError, LastRun } from "./ScheduleControls";
import { ScheduleFields } from "./ScheduleFields";

const BASE: Schedule = {
  id: "s1",
  graph_id: "g1",
  graph_version: null,
  name: "Morning",
  cron: "0 9 * * 1-5",
  timezone: "Europe/Paris",
  inputs: {},
  enabled: true,
  next_run_at: "2030-01-07T08:00:00Z",
  last_run_at: null,
  last_exec_id: null,
  last_error: null,
  created_at: null,
  updated_at: null,
};

function wrap(node: ReactNode) {
  const client = new QueryClient();
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>{node}</MemoryRouter>
    </QueryClientProvider>,
  );
}

afterEach(cleanup);

describe("a schedule's last run", () => {
  it("says when it has not fired yet", () => {
    wrap(<LastRun schedule={BASE} />);
    expect(screen.getByText("Not yet")).toBeTruthy();
  });

  it("links to the run its last fire started", () => {
    const fired = { ...BASE, last_run_at: new Date().toISOString(), last_exec_id: "e1" };
    wrap(<LastRun schedule={fired} />);
    expect(screen.getByTestId("schedule-last-run").getAttribute("href")).toBe("/agents/g1/runs/e1");
  });

  it("does not link an earlier run when the last fire could not start, and shows why", () => {
    const failed = {
      ...BASE,
      last_run_at: new Date().toISOString(),
      last_exec_id: "e0",
      last_error: "You have 10 runs going, the most allowed",
    };
    wrap(
      <>
        <LastRun schedule={failed} />
        <LastError schedule={failed} />
      </>,
    );
    expect(screen.queryByTestId("schedule-last-run")).toBeNull();
    expect(screen.getByRole("alert").textContent).toBe(
      "The last run could not start: You have 10 runs going, the most allowed",
    );
  });

  it("shows no error box while the last fire went well", () => {
    wrap(<LastError schedule={BASE} />);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("cron text", () => {
  it("puts a common shape into words and keeps the expression on hover", () => {
    wrap(<CronText cron="0 9 * * 1-5" />);
    const text = screen.getByText("At 09:00, Monday through Friday");
    expect(text.getAttribute("title")).toBe("0 9 * * 1-5");
    expect(text.className).toBe("");
  });

  it("shows an unusual shape as written, in monospace", () => {
    wrap(<CronText cron="0 9 L * *" />);
    expect(screen.getByText("0 9 L * *").className).toBe("cron-raw");
  });
});

function FieldsHarness({ onForm }: { onForm: (form: ScheduleForm) => void }) {
  const [form, setForm] = useState<ScheduleForm>(() => ({ ...newScheduleForm("Agent"), timezone: "UTC" }));
  return (
    <ScheduleFields
      value={form}
      onChange={(next) => {
        setForm(next);
        onForm(next);
      }}
      version={3}
      missing={new Set()}
    />
  );
}

describe("the schedule fields", () => {
  it("fill the cron field from a preset and follow a typed expression back to its preset", () => {
    let form: ScheduleForm | null = null;
    wrap(<FieldsHarness onForm={(f) => (form = f)} />);
    const preset = screen.getByLabelText<HTMLSelectElement>("Repeat");
    const cron = screen.getByLabelText<HTMLInputElement>("Cron expression");
    expect(preset.value).toBe("daily");
    expect(cron.value).toBe("0 9 * * *");

    fireEvent.change(preset, { target: { value: "monday" } });
    expect(cron.value).toBe("0 9 * * 1");
    expect(screen.getByTestId("cron-preview").textContent).toBe("At 09:00, every Monday");

    fireEvent.change(cron, { target: { value: "0 9 * * 1-5" } });
    expect(preset.value).toBe("weekdays");
    fireEvent.change(cron, { target: { value: "15 7 * * 6" } });
    expect(preset.value).toBe("custom");
    expect(screen.getByTestId("cron-preview").textContent).toBe("At 07:15, every Saturday");

    // Choosing "custom" keeps what is there, to be edited.
    fireEvent.change(preset, { target: { value: "custom" } });
    expect(cron.value).toBe("15 7 * * 6");
    expect(form).toMatchObject({ cron: "15 7 * * 6", timezone: "UTC", pinned: false });
  });

  it("offer the browser's zones and the version being edited", () => {
    let form: ScheduleForm | null = null;
    wrap(<FieldsHarness onForm={(f) => (form = f)} />);
    const zones = [...screen.getByLabelText<HTMLSelectElement>("Time zone").options].map((o) => o.value);
    expect(zones).toContain("UTC");
    expect(zones).toContain("Europe/Paris");
    const version = screen.getByLabelText<HTMLSelectElement>("Version to run");
    expect([...version.options].map((o) => o.textContent)).toEqual(["Active version", "Version 3 only"]);
    fireEvent.change(version, { target: { value: "pinned" } });
    expect(form).toMatchObject({ pinned: true });
  });
});
