/** What the run dialog's schedule fields hold before they become a ScheduleDraft. */
import { PRESETS } from "./cron";
import { browserTimeZone } from "./zones";

export interface ScheduleForm {
  name: string;
  cron: string;
  timezone: string;
  /** Run only the version being edited, rather than whichever is active at the time. */
  pinned: boolean;
}

/** A new schedule: named after the agent, every day at 9:00 in the browser's zone. */
export function newScheduleForm(name: string): ScheduleForm {
  const daily = PRESETS.find((p) => p.id === "daily");
  return { name, cron: daily?.cron ?? "0 9 * * *", timezone: browserTimeZone(), pinned: false };
}
