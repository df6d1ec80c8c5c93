/**
 * Business hours as pure functions of a time zone, a weekly schedule and holidays: whether an instant is
 * open, and which closed period it belongs to (the key that makes the out-of-hours auto-reply go out at
 * most once per conversation per closed period). No database, no Next.js: unit-testable.
 *
 * Times are local to `timeZone` (IANA, checked with Intl). An interval is `open` ≤ t < `close` on one
 * day ("HH:MM", 24 h; `close` may be "24:00"); hours that cross midnight are two intervals. A holiday
 * (local date "YYYY-MM-DD") is closed all day.
 */
import { z } from "zod";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "must be a time HH:MM (00:00–24:00)");
const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** Whether Intl knows this IANA time zone. */
export function isValidTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const intervalSchema = z
  .object({ open: hhmm, close: hhmm })
  .strict()
  .refine((i) => minutesOf(i.close) > minutesOf(i.open), { message: "'close' must be after 'open' (split hours that cross midnight in two)" });

const daySchema = z
  .array(intervalSchema)
  .max(6, "at most 6 intervals a day")
  .refine(
    (list) => {
      const sorted = [...list].sort((a, b) => minutesOf(a.open) - minutesOf(b.open));
      return sorted.every((iv, i) => i === 0 || minutesOf(iv.open) >= minutesOf(sorted[i - 1].close));
    },
    { message: "intervals of a day must not overlap" },
  );

export const weeklySchema = z.object(Object.fromEntries(WEEKDAYS.map((d) => [d, daySchema.default([])])) as Record<Weekday, z.ZodDefault<typeof daySchema>>).strict();

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  }, "is not a real date");

export const scheduleSchema = z.object({
  timeZone: z.string().trim().refine(isValidTimeZone, "must be an IANA time zone such as America/Bogota"),
  weekly: weeklySchema,
  holidays: z
    .array(isoDate)
    .max(366, "at most 366 holidays")
    .transform((list) => [...new Set(list)].sort()),
});
export type Schedule = z.infer<typeof scheduleSchema>;

interface LocalParts {
  date: string;
  weekday: Weekday;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formatters.set(tz, f);
  }
  return f;
}

function parts(at: Date, tz: string): Record<string, string> {
  return Object.fromEntries(formatter(tz).formatToParts(at).map((p) => [p.type, p.value]));
}

/** The local date, weekday and minute of the day of an instant in `tz`. */
export function localParts(at: Date, tz: string): LocalParts {
  const p = parts(at, tz);
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    weekday: p.weekday.toLowerCase().slice(0, 3) as Weekday,
    minutes: Number(p.hour) * 60 + Number(p.minute),
  };
}

/** Offset of `tz` from UTC at an instant, in milliseconds. */
function offsetMs(at: Date, tz: string): number {
  const p = parts(at, tz);
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of a local date and minute of the day in `tz` (the later one in a DST gap's shift). */
export function zonedInstant(date: string, minutes: number, tz: string): Date {
  const [y, m, d] = date.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d, 0, minutes);
  let at = guess - offsetMs(new Date(guess), tz);
  at = guess - offsetMs(new Date(at), tz);
  return new Date(at);
}

function addDays(date: string, days: number): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

function weekdayOf(date: string): Weekday {
  return WEEKDAYS[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7];
}

/** Whether the business is open at `at`. */
export function isOpen(schedule: Schedule, at: Date): boolean {
  const local = localParts(at, schedule.timeZone);
  if (schedule.holidays.includes(local.date)) return false;
  return schedule.weekly[local.weekday].some((iv) => local.minutes >= minutesOf(iv.open) && local.minutes < minutesOf(iv.close));
}

/**
 * The closed period `at` falls in, as the instant it began (the end of the last open interval before
 * `at`, within the past 400 days), or null when open. A schedule never open in that time has one closed
 * period, keyed by the epoch.
 */
export function closedPeriodStart(schedule: Schedule, at: Date): Date | null {
  if (isOpen(schedule, at)) return null;
  const today = localParts(at, schedule.timeZone).date;
  for (let back = 0; back <= 400; back++) {
    const date = addDays(today, -back);
    if (schedule.holidays.includes(date)) continue;
    const ends = schedule.weekly[weekdayOf(date)]
      .map((iv) => zonedInstant(date, minutesOf(iv.close), schedule.timeZone))
      .filter((end) => end.getTime() <= at.getTime())
      .sort((a, b) => b.getTime() - a.getTime());
    if (ends.length > 0) return ends[0];
  }
  return new Date(0);
}
