import type { SqlClient } from "@/lib/db/types";
import type { MessageStatus } from "@/lib/status/ranking";
import { labelFilter, rangeFilter, type StatsRange } from "./range";
import { computeTopContacts, type TopContact } from "./top-contacts";

/** Width of a rollup bucket (message_stats_buckets): 15 minutes, so every real time zone's days and hours align. */
export const BUCKET_MS = 15 * 60_000;

export interface DayStats {
  /** Local calendar date in the range's time zone, YYYY-MM-DD. */
  date: string;
  total: number;
  byStatus: Partial<Record<MessageStatus, number>>;
}

export interface DeliveryStats {
  total: number;
  byStatus: Partial<Record<MessageStatus, number>>;
  byChannel: { whatsapp: number; sms: number };
  byDay: DayStats[];
  /** 24 entries: hour of day (0–23) in the range's time zone; `delivered` and `outcomes` as in `deliveryRate`. */
  byHour: { hour: number; total: number; delivered: number; outcomes: number }[];
  /** (delivered + read + partially_delivered) ÷ outbound with a known outcome; null when none has one yet. */
  deliveryRate: number | null;
  /** (failed + undelivered) ÷ the same; null when none has an outcome yet. */
  errorRate: number | null;
  byErrorCode: Record<string, number>;
  /** Sum of absolute prices in `priceUnit` (the currency of most priced messages); 0 when nothing is priced. */
  totalPrice: number;
  priceUnit: string | null;
  // Beyond the contract:
  inbound: number;
  outbound: number;
  /** Outbound messages with a known outcome (the denominator of the rates). */
  outcomes: number;
  /** Every currency's total, when Twilio priced messages in more than one. */
  totalPriceByUnit: Record<string, number>;
  /** Per currency: its total ÷ the outbound messages priced in it. */
  costPerMessageByUnit: Record<string, number>;
  /** Mean seconds from creation (queued) to the `delivered` status of outbound messages with one; null when none. */
  averageProcessingTime: number | null;
  /** Outbound messages with a processing time (the mean's denominator). */
  processed: number;
  /** Agent/API replies in the range that answered a conversation turn, and their mean response time. */
  firstResponses: number;
  averageFirstResponseSeconds: number | null;
  /** Conversations (threads) with at least one message in the range. */
  activeConversations: number;
  /** The most active contacts of the range (channel filter applies, status filter does not). */
  topContacts: TopContact[];
  timeZone: string;
}


const DELIVERED = new Set(["delivered", "read", "partially_delivered"]);
const FAILED = new Set(["failed", "undelivered"]);

interface TimeRow { g_day: number; day: string | null; hour: number | null; direction: string | null; status: string | null; n: string }
interface FlatRow {
  g_channel: number; g_direction: number; g_error: number; g_unit: number;
  channel: string | null; direction: string | null; status: string | null; error_code: number | null; price_unit: string | null;
  n: string; price: string; responses: string; rsum: string; processed: string; psum: string;
}

/**
 * Delivery statistics of the messages created in [start, end), counted once each by their CURRENT
 * status. Whole 15-minute buckets come from the rollup table; the partial buckets at both ends of the
 * range come from the messages table itself (indexed on created_at), so any range is exact.
 */
export async function computeDeliveryStats(sql: SqlClient, range: StatsRange): Promise<DeliveryStats> {
  const startMs = range.start.getTime();
  const endMs = range.end.getTime();
  let innerStart = Math.ceil(startMs / BUCKET_MS) * BUCKET_MS;
  let innerEnd = Math.floor(endMs / BUCKET_MS) * BUCKET_MS;
  // No whole bucket, or a label filter (the rollups have no thread): all from messages.
  if (innerStart >= innerEnd || range.label) innerStart = innerEnd = endMs;
  // Whole UTC days inside the whole buckets come from the daily rollup (time-zone-independent figures).
  let dayStart = Math.ceil(innerStart / 86_400_000) * 86_400_000;
  let dayEnd = Math.floor(innerEnd / 86_400_000) * 86_400_000;
  if (dayStart >= dayEnd) dayStart = dayEnd = innerEnd;
  const params: unknown[] = [range.start, new Date(innerStart), new Date(innerEnd), range.end, range.timeZone];
  // Both rollups are keyed by channel and current status, so the filters apply to them as to messages.
  const f = rangeFilter(range, params);
  const fm = f + labelFilter(range, params);

  // Time-dependent figures: each whole bucket's local time is computed once (a few thousand
  // conversions) and hash-joined to the rollup rows, which are then summed into days and hours.
  const timeSql = `
WITH ats AS (
  SELECT g AS at, g AT TIME ZONE $5::text AS lt
    FROM generate_series($2::timestamptz, $3::timestamptz - interval '15 minutes', interval '15 minutes') g
), src AS (
  SELECT ats.lt, b.direction, b.status, b.messages::bigint AS n
    FROM message_stats_buckets b JOIN ats ON ats.at = b.bucket
   WHERE b.bucket >= $2 AND b.bucket < $3 AND b.messages <> 0 ${f}
  UNION ALL
  SELECT created_at AT TIME ZONE $5::text, direction, status, 1 FROM messages
   WHERE ((created_at >= $1 AND created_at < $2) OR (created_at >= $3 AND created_at < $4)) ${fm}
)
SELECT GROUPING(day) AS g_day, day::text, hour, direction::text, status::text, sum(n)::text AS n
  FROM (SELECT lt::date AS day, extract(hour FROM lt)::int AS hour, direction, status, n FROM src) x
 GROUP BY GROUPING SETS ((day, status), (hour, direction, status))`;

  // Figures that do not depend on the time zone: whole UTC days from the daily rollup, the rest of
  // the whole buckets from the 15-minute rollup, the partial buckets from messages; one pass to a few
  // dozen groups, then the breakdowns.
  const rollupCols =
    "channel, direction, status, error_code, price_unit, messages::bigint AS n, price_sum AS price, responses::bigint AS responses, response_seconds_sum AS rsum, processed::bigint AS processed, processing_seconds_sum AS psum";
  const flatParams: unknown[] = [range.start, new Date(innerStart), new Date(innerEnd), range.end, new Date(dayStart), new Date(dayEnd)];
  const ff = rangeFilter(range, flatParams);
  const ffm = ff + labelFilter(range, flatParams);
  const flatSql = `
WITH src AS (
  SELECT ${rollupCols} FROM message_stats_days
   WHERE day >= ($5::timestamptz AT TIME ZONE 'UTC')::date AND day < ($6::timestamptz AT TIME ZONE 'UTC')::date AND messages <> 0 ${ff}
  UNION ALL
  SELECT ${rollupCols} FROM message_stats_buckets
   WHERE ((bucket >= $2 AND bucket < $5) OR (bucket >= $6 AND bucket < $3)) AND messages <> 0 ${ff}
  UNION ALL
  SELECT channel, direction, status, COALESCE(error_code, 0), COALESCE(price_unit, ''), 1, COALESCE(abs(price), 0),
         (response_seconds IS NOT NULL)::int, COALESCE(round(response_seconds::numeric, 3), 0),
         (processing_seconds IS NOT NULL)::int, COALESCE(round(processing_seconds::numeric, 3), 0)
    FROM messages WHERE ((created_at >= $1 AND created_at < $2) OR (created_at >= $3 AND created_at < $4)) ${ffm}
), g AS (
  SELECT channel, direction, status, error_code, price_unit, sum(n) AS n, sum(price) AS price, sum(responses) AS responses, sum(rsum) AS rsum,
         sum(processed) AS processed, sum(psum) AS psum
    FROM src GROUP BY 1, 2, 3, 4, 5
)
SELECT GROUPING(channel) AS g_channel, GROUPING(direction) AS g_direction, GROUPING(error_code) AS g_error, GROUPING(price_unit) AS g_unit,
       channel::text, direction::text, status::text, error_code, price_unit,
       sum(n)::text AS n, sum(price)::text AS price, sum(responses)::text AS responses, sum(rsum)::text AS rsum,
       sum(processed)::text AS processed, sum(psum)::text AS psum
  FROM g
 GROUP BY GROUPING SETS ((channel), (direction, status), (error_code), (price_unit, direction))`;

  // Threads touched since the start, checking messages only for threads with later messages (or,
  // with a status filter, for every one of them: its messages in the range must match).
  const activeParams: unknown[] = [range.start, range.end];
  if (range.channel) activeParams.push(range.channel);
  let activeCh = range.channel ? `AND t.channel = $3::"Channel"` : "";
  if (range.label) {
    activeParams.push(range.label.id);
    activeCh += ` AND EXISTS (SELECT 1 FROM thread_labels tl WHERE tl.thread_id = t.id AND tl.label_id = $${activeParams.length}::uuid)`;
  }
  let activeSql = `
SELECT count(*)::int AS n FROM threads t
 WHERE t.last_message_at >= $1 ${activeCh}
   AND (t.last_message_at < $2
        OR EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id AND m.created_at >= $1 AND m.created_at < $2))`;
  if (range.statuses) {
    activeParams.push(range.statuses.join(","));
    activeSql = `
SELECT count(*)::int AS n FROM threads t
 WHERE t.last_message_at >= $1 ${activeCh}
   AND EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id AND m.created_at >= $1 AND m.created_at < $2
                  AND m.status = ANY(string_to_array($${activeParams.length}::text, ',')::"MessageStatus"[]))`;
  }

  const daysSql = `
SELECT d::date::text AS day
  FROM generate_series(($1::timestamptz AT TIME ZONE $3)::date, (($2::timestamptz - interval '1 millisecond') AT TIME ZONE $3)::date, interval '1 day') d`;

  const [timeRows, flatRows, [active], days, topContacts] = await Promise.all([
    sql.query<TimeRow>(timeSql, params),
    sql.query<FlatRow>(flatSql, flatParams),
    sql.query<{ n: number }>(activeSql, activeParams),
    sql.query<{ day: string }>(daysSql, [range.start, range.end, range.timeZone]),
    computeTopContacts(sql, range),
  ]);

  const stats: DeliveryStats = {
    total: 0,
    byStatus: {},
    byChannel: { whatsapp: 0, sms: 0 },
    byDay: days.map((d) => ({ date: d.day, total: 0, byStatus: {} })),
    byHour: Array.from({ length: 24 }, (_, hour) => ({ hour, total: 0, delivered: 0, outcomes: 0 })),
    deliveryRate: null,
    errorRate: null,
    byErrorCode: {},
    totalPrice: 0,
    priceUnit: null,
    inbound: 0,
    outbound: 0,
    outcomes: 0,
    totalPriceByUnit: {},
    costPerMessageByUnit: {},
    averageProcessingTime: null,
    processed: 0,
    firstResponses: 0,
    averageFirstResponseSeconds: null,
    activeConversations: active.n,
    topContacts,
    timeZone: range.timeZone,
  };
  const dayIndex = new Map(stats.byDay.map((d, i) => [d.date, i]));
  const pricedCount: Record<string, number> = {};
  const pricedOutbound: Record<string, { n: number; price: number }> = {};
  const priceSum: Record<string, number> = {};
  let delivered = 0;
  let failed = 0;
  let responseSum = 0;
  let processed = 0;
  let processingSum = 0;
  for (const r of timeRows) {
    const n = Number(r.n);
    if (Number(r.g_day) === 0) {
      const i = dayIndex.get(r.day!);
      if (i !== undefined) {
        const d = stats.byDay[i];
        d.total += n;
        d.byStatus[r.status as MessageStatus] = (d.byStatus[r.status as MessageStatus] ?? 0) + n;
      }
    } else {
      const h = stats.byHour[r.hour!];
      h.total += n;
      if (r.direction === "outbound" && (DELIVERED.has(r.status!) || FAILED.has(r.status!))) {
        h.outcomes += n;
        if (DELIVERED.has(r.status!)) h.delivered += n;
      }
    }
  }
  for (const r of flatRows) {
    const n = Number(r.n);
    if (Number(r.g_channel) === 0) {
      stats.byChannel[r.channel as "whatsapp" | "sms"] += n;
      stats.total += n;
      stats.firstResponses += Number(r.responses);
      responseSum += Number(r.rsum);
      processed += Number(r.processed);
      processingSum += Number(r.psum);
    } else if (Number(r.g_unit) === 0) {
      const price = Number(r.price);
      if (r.price_unit && price > 0) {
        priceSum[r.price_unit] = (priceSum[r.price_unit] ?? 0) + price;
        pricedCount[r.price_unit] = (pricedCount[r.price_unit] ?? 0) + n;
        if (r.direction === "outbound") pricedOutbound[r.price_unit] = { n, price };
      }
    } else if (Number(r.g_direction) === 0) {
      stats.byStatus[r.status as MessageStatus] = (stats.byStatus[r.status as MessageStatus] ?? 0) + n;
      if (r.direction === "inbound") stats.inbound += n;
      else {
        stats.outbound += n;
        if (DELIVERED.has(r.status!)) delivered += n;
        if (FAILED.has(r.status!)) failed += n;
      }
    } else if (Number(r.g_error) === 0) {
      if (r.error_code) stats.byErrorCode[String(r.error_code)] = n;
    }
  }
  stats.outcomes = delivered + failed;
  if (stats.outcomes > 0) {
    stats.deliveryRate = delivered / stats.outcomes;
    stats.errorRate = failed / stats.outcomes;
  }
  for (const [unit, sum] of Object.entries(priceSum)) {
    stats.totalPriceByUnit[unit] = Math.round(sum * 100_000) / 100_000;
    const out = pricedOutbound[unit];
    if (out) stats.costPerMessageByUnit[unit] = Math.round((out.price / out.n) * 100_000) / 100_000;
  }
  const units = Object.keys(stats.totalPriceByUnit).sort((a, b) => pricedCount[b] - pricedCount[a] || a.localeCompare(b));
  if (units.length > 0) {
    stats.priceUnit = units[0];
    stats.totalPrice = stats.totalPriceByUnit[units[0]];
  }
  if (stats.firstResponses > 0) stats.averageFirstResponseSeconds = Math.round((responseSum / stats.firstResponses) * 1000) / 1000;
  stats.processed = processed;
  if (processed > 0) stats.averageProcessingTime = Math.round((processingSum / processed) * 1000) / 1000;
  return stats;
}
