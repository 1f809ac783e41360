import i18n from "i18next";
import { describe, expect, it } from "vitest";
import { PRESETS, cronOfPreset, describeCron, normalizeCron, parseField, presetOf } from "./cron";

const en = (expr: string) => describeCron(expr, i18n.getFixedT("en"), "en-US");
const zh = (expr: string) => describeCron(expr, i18n.getFixedT("zh-CN"), "zh-CN");

describe("presets", () => {
  it("map to the cron expressions the dialog offers", () => {
    expect(Object.fromEntries(PRESETS.map((p) => [p.id, p.cron]))).toEqual({
      hourly: "0 * * * *",
      daily: "0 9 * * *",
      weekdays: "0 9 * * 1-5",
      monday: "0 9 * * 1",
    });
  });

  it("are recognised from an expression, whatever its spacing", () => {
    expect(presetOf("0 9 * * 1-5")).toBe("weekdays");
    expect(presetOf("  0   9 * *   1 ")).toBe("monday");
    expect(presetOf("0 * * * *")).toBe("hourly");
    expect(presetOf("0 9 * * *")).toBe("daily");
    expect(presetOf("0 10 * * *")).toBe("custom");
    expect(presetOf("")).toBe("custom");
  });

  it("give their expression, and custom keeps the one being edited", () => {
    for (const p of PRESETS) expect(presetOf(cronOfPreset(p.id, "*/5 * * * *"))).toBe(p.id);
    expect(cronOfPreset("custom", "*/5 * * * *")).toBe("*/5 * * * *");
  });

  it("normalise spacing", () => {
    expect(normalizeCron("\t0  9 *\n* 1-5 ")).toBe("0 9 * * 1-5");
  });
});

describe("describeCron in English", () => {
  it.each([
    ["0 9 * * 1-5", "At 09:00, Monday through Friday"],
    ["0 9 * * *", "At 09:00, every day"],
    ["30 17 * * 1", "At 17:30, every Monday"],
    ["0 9 * * MON-FRI", "At 09:00, Monday through Friday"],
    ["0 9 * * 1,3,5", "At 09:00, every Monday, Wednesday, and Friday"],
    ["0 9 * * 0,6", "At 09:00, every Sunday and Saturday"],
    ["0 9 * * 7", "At 09:00, every Sunday"],
    ["0 9 * * 0-6", "At 09:00, every day"],
    ["0 9,17 * * *", "At 09:00 and 17:00, every day"],
    ["* * * * *", "Every minute"],
    ["*/15 * * * *", "Every 15 minutes"],
    ["0 * * * *", "Every hour at minute 0"],
    ["0,30 * * * *", "Every hour at minute 0 and 30"],
    ["15 */2 * * *", "Every 2 hours at minute 15"],
    ["0 * * * 1-5", "Every hour at minute 0, Monday through Friday"],
    ["0 8 1 * *", "At 08:00, on day 1 of the month"],
    ["0 8 1,15 * *", "At 08:00, on days 1 and 15 of the month"],
    ["0 8 1 1 *", "At 08:00, on day 1 of January"],
    ["0 8 * 7,8 *", "At 08:00, every day in July and August"],
    ["0 8 * 12 1-5", "At 08:00, Monday through Friday in December"],
    ["0 8 * JAN-DEC *", "At 08:00, every day"],
  ])("%s reads “%s”", (expr, words) => {
    expect(en(expr)).toBe(words);
  });

  it.each([
    "0 9 1 * 1", // day of month OR day of week: shown as written
    "* 9 * * *",
    "*/5 9 * * *",
    "0 0-23 * * *", // 24 times a day: too many to list
    "0 9 L * *",
    "0 9 * * 5#2",
    "0 9 */2 * *",
    "1-10/2 * * * *",
    "61 * * * *",
    "0 9 * * 8",
    "0 9 * *",
    "not a cron",
    "0 9 * * FRI-MON",
  ])("%s is shown as written", (expr) => {
    expect(en(expr)).toBe(normalizeCron(expr));
  });
});

describe("describeCron in Simplified Chinese", () => {
  it("puts the days first and uses the language's day names", () => {
    expect(zh("0 9 * * 1-5")).toBe("星期一至星期五 09:00");
    expect(zh("0 9 * * *")).toBe("每天 09:00");
    expect(zh("30 17 * * 1")).toBe("每星期一 17:30");
    expect(zh("*/15 * * * *")).toBe("每 15 分钟");
  });
});

describe("parseField", () => {
  it("expands lists and ranges, and refuses out-of-range values", () => {
    expect(parseField("1-3,5", { min: 0, max: 7 })).toEqual({ kind: "values", values: [1, 2, 3, 5] });
    expect(parseField("*/1", { min: 0, max: 59 })).toEqual({ kind: "any" });
    expect(parseField("*/10", { min: 0, max: 59 })).toEqual({ kind: "step", step: 10 });
    expect(parseField("5-1", { min: 0, max: 7 })).toBeNull();
    expect(parseField("", { min: 0, max: 7 })).toBeNull();
    expect(parseField("1,,2", { min: 0, max: 7 })).toBeNull();
  });
});
