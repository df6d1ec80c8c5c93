import { describe, expect, it } from "vitest";
import { closedPeriodStart, isOpen, isValidTimeZone, scheduleSchema, zonedInstant } from "@/lib/business-hours/schedule";

const weekdays = { open: "09:00", close: "18:00" };
const schedule = scheduleSchema.parse({
  timeZone: "America/Bogota", // UTC−5, no DST
  weekly: { mon: [weekdays], tue: [weekdays], wed: [weekdays], thu: [weekdays], fri: [{ open: "09:00", close: "13:00" }, { open: "14:00", close: "18:00" }] },
  holidays: ["2026-12-08"],
});

describe("business hours", () => {
  it("validates time zones with Intl and rejects bad schedules", () => {
    expect(isValidTimeZone("America/Bogota")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
    expect(scheduleSchema.safeParse({ timeZone: "Nowhere/X", weekly: {}, holidays: [] }).success).toBe(false);
    expect(scheduleSchema.safeParse({ timeZone: "UTC", weekly: { mon: [{ open: "18:00", close: "09:00" }] }, holidays: [] }).success).toBe(false);
    expect(scheduleSchema.safeParse({ timeZone: "UTC", weekly: { mon: [{ open: "09:00", close: "12:00" }, { open: "11:00", close: "13:00" }] }, holidays: [] }).success).toBe(false);
    expect(scheduleSchema.safeParse({ timeZone: "UTC", weekly: { funday: [] }, holidays: [] }).success).toBe(false);
    expect(scheduleSchema.safeParse({ timeZone: "UTC", weekly: {}, holidays: ["2026-02-30"] }).success).toBe(false);
    expect(scheduleSchema.safeParse({ timeZone: "UTC", weekly: { mon: [{ open: "00:00", close: "24:00" }] }, holidays: [] }).success).toBe(true);
  });

  it("is open inside the local intervals only, closed on holidays and at lunch", () => {
    expect(isOpen(schedule, new Date("2026-11-30T14:00:00Z"))).toBe(true); // Monday 09:00 Bogotá
    expect(isOpen(schedule, new Date("2026-11-30T13:59:00Z"))).toBe(false); // 08:59
    expect(isOpen(schedule, new Date("2026-11-30T23:00:00Z"))).toBe(false); // 18:00: close is exclusive
    expect(isOpen(schedule, new Date("2026-12-04T18:30:00Z"))).toBe(false); // Friday 13:30 lunch
    expect(isOpen(schedule, new Date("2026-12-08T15:00:00Z"))).toBe(false); // holiday Tuesday
    expect(isOpen(schedule, new Date("2026-12-05T15:00:00Z"))).toBe(false); // Saturday
  });

  it("keys each closed period by the end of the last open interval", () => {
    const fridayClose = new Date("2026-12-04T23:00:00Z");
    // Friday evening, Saturday and Sunday night are one closed period.
    expect(closedPeriodStart(schedule, new Date("2026-12-05T02:00:00Z"))).toEqual(fridayClose);
    expect(closedPeriodStart(schedule, new Date("2026-12-07T10:00:00Z"))).toEqual(fridayClose);
    // Friday lunch is its own period.
    expect(closedPeriodStart(schedule, new Date("2026-12-04T18:30:00Z"))).toEqual(new Date("2026-12-04T18:00:00Z"));
    // The holiday continues Monday evening's period into Wednesday morning.
    expect(closedPeriodStart(schedule, new Date("2026-12-09T13:00:00Z"))).toEqual(new Date("2026-12-07T23:00:00Z"));
    expect(closedPeriodStart(schedule, new Date("2026-11-30T15:00:00Z"))).toBeNull();
    const never = scheduleSchema.parse({ timeZone: "UTC", weekly: {}, holidays: [] });
    expect(closedPeriodStart(never, new Date())).toEqual(new Date(0));
  });

  it("converts local times across DST", () => {
    // Madrid: CET (UTC+1) in winter, CEST (UTC+2) in summer.
    expect(zonedInstant("2026-01-15", 9 * 60, "Europe/Madrid").toISOString()).toBe("2026-01-15T08:00:00.000Z");
    expect(zonedInstant("2026-07-15", 9 * 60, "Europe/Madrid").toISOString()).toBe("2026-07-15T07:00:00.000Z");
    const madrid = scheduleSchema.parse({ timeZone: "Europe/Madrid", weekly: { wed: [weekdays] }, holidays: [] });
    expect(isOpen(madrid, new Date("2026-07-15T07:00:00Z"))).toBe(true);
    expect(isOpen(madrid, new Date("2026-07-15T06:59:00Z"))).toBe(false);
  });
});
