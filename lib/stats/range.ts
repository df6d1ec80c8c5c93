import { z } from "zod";
import type { SqlClient } from "@/lib/db/types";
import { parseInput, validationError } from "@/lib/api/errors";
import { TWILIO_STATUSES, type MessageStatus } from "@/lib/status/ranking";
import { labelRef, resolveLabel, type Label } from "@/lib/labels";

export const STATS_PERIODS = ["24h", "7d", "30d", "90d"] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];
export const MAX_RANGE_DAYS = 366;

export const PERIOD_MS: Record<StatsPeriod, number> = {
  "24h": 24 * 3600_000,
  "7d": 7 * 86400_000,
  "30d": 30 * 86400_000,
  "90d": 90 * 86400_000,
};

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const STATUS_SET = new Set<string>(TWILIO_STATUSES);

const dateInput = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: "must be an ISO 8601 date (2026-11-01) or date-time with offset (2026-11-01T08:00:00Z)",
});

/** Query string of the statistics routes and page: `?period=` or `?startDate=&endDate=`, `channel`, `status`, `tz`. */
export const statsQuerySchema = z
  .object({
    // "custom" (what the page's period menu sends) just means: use startDate and endDate.
    period: z.enum([...STATS_PERIODS, "custom"], { error: `must be one of ${STATS_PERIODS.join(", ")} (or custom, with startDate and endDate)` }).optional(),
    startDate: dateInput.optional(),
    endDate: dateInput.optional(),
    channel: z.enum(["whatsapp", "sms"], { error: "must be 'whatsapp' or 'sms'" }).optional(),
    // Comma-separated current statuses (`delivered,read`): only messages in one of them are counted.
    status: z
      .string()
      .max(256)
      .refine((v) => v.split(",").every((x) => STATUS_SET.has(x.trim())), { error: `must be a comma-separated list of ${TWILIO_STATUSES.join(", ")}` })
      .transform((v) => v.split(",").map((x) => x.trim() as MessageStatus))
      .optional(),
    // A label's id or name: only messages of conversations carrying it (read from messages, not the rollups).
    label: labelRef.optional(),
    tz: z.string().max(64).refine(isTimeZone, { error: "must be an IANA time zone such as America/Bogota or UTC" }).optional(),
  })
  .refine((q) => (q.startDate === undefined) === (q.endDate === undefined), {
    error: "startDate and endDate go together: send both for a custom range, or neither",
    path: ["endDate"],
  })
  .refine((q) => !(q.period && q.period !== "custom" && q.startDate), { error: "send either period or startDate/endDate, not both", path: ["period"] })
  .refine((q) => q.period !== "custom" || q.startDate, { error: "a custom period needs startDate and endDate", path: ["startDate"] });

export type StatsQuery = z.infer<typeof statsQuerySchema>;

export interface StatsRange {
  period: StatsPeriod | "custom";
  start: Date;
  end: Date;
  timeZone: string;
  channel: "whatsapp" | "sms" | null;
  /** Only messages whose current status is one of these (sorted, no duplicates); null: every status. */
  statuses: MessageStatus[] | null;
  /** Only messages of conversations carrying this label; null: every conversation. */
  label: Label | null;
}

/**
 * Validates the query and resolves it to an exact [start, end) range. Presets end now. A custom range
 * takes ISO dates or date-times: a date alone means midnight in `tz` for startDate, and the END of that
 * day (the next midnight) for endDate, so `startDate=2026-11-01&endDate=2026-11-30` is the whole of
 * November. The default is the last 7 days, in UTC.
 */
export async function resolveStatsRange(sql: SqlClient, input: unknown, now = new Date()): Promise<StatsRange> {
  const q = parseInput(statsQuerySchema, input, "statistics query");
  const timeZone = q.tz ?? "UTC";
  const channel = q.channel ?? null;
  const statuses = q.status ? [...new Set(q.status)].sort() : null;
  const label = q.label ? await resolveLabel(sql, q.label) : null;
  if (!q.startDate || !q.endDate) {
    const period = (q.period ?? "7d") as StatsPeriod;
    return { period, start: new Date(now.getTime() - PERIOD_MS[period]), end: now, timeZone, channel, statuses, label };
  }
  const [row] = await sql.query<{ start: Date; end: Date }>(
    `SELECT CASE WHEN $3 THEN ($1::text::date)::timestamp AT TIME ZONE $5 ELSE $1::text::timestamptz END AS start,
            CASE WHEN $4 THEN ($2::text::date + 1)::timestamp AT TIME ZONE $5 ELSE $2::text::timestamptz END AS "end"`,
    [q.startDate, q.endDate, !q.startDate.includes("T"), !q.endDate.includes("T"), timeZone],
  );
  const start = new Date(row.start);
  const end = new Date(row.end);
  const issues: z.core.$ZodIssue[] = [];
  if (start >= end) issues.push({ code: "custom", path: ["endDate"], message: "must be after startDate", input: q.endDate });
  else if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * 86400_000)
    issues.push({ code: "custom", path: ["endDate"], message: `the range may span at most ${MAX_RANGE_DAYS} days`, input: q.endDate });
  if (issues.length) throw validationError(new z.ZodError(issues), "statistics query");
  return { period: "custom", start, end, timeZone, channel, statuses, label };
}

/**
 * The range's channel and status filters as SQL conditions (each starting with AND) on a table with
 * `channel` and `status` columns (`prefix`: a table alias and dot), appending their values to `params`.
 */
export function rangeFilter(range: StatsRange, params: unknown[], prefix = ""): string {
  let sql = "";
  if (range.channel) {
    params.push(range.channel);
    sql += ` AND ${prefix}channel = $${params.length}::"Channel"`;
  }
  if (range.statuses) {
    params.push(range.statuses.join(","));
    sql += ` AND ${prefix}status = ANY(string_to_array($${params.length}::text, ',')::"MessageStatus"[])`;
  }
  return sql;
}

/**
 * The range's label filter as an SQL condition (starting with AND) on a table with a `thread_id` column
 * (`prefix`: a table alias and dot), appending its value to `params`; "" without one. The rollups have
 * no thread: with a label, every figure is read from messages (see `labelScan`).
 */
export function labelFilter(range: StatsRange, params: unknown[], prefix = ""): string {
  if (!range.label) return "";
  params.push(range.label.id);
  return ` AND ${prefix}thread_id IN (SELECT thread_id FROM thread_labels WHERE label_id = $${params.length}::uuid)`;
}

/**
 * The range's channel, status and label filters (each starting with AND) on `messages` (`prefix`: a
 * table alias and dot).
 */
export function messageFilter(range: StatsRange, params: unknown[], prefix = ""): string {
  return rangeFilter(range, params, prefix) + labelFilter(range, params, prefix);
}
