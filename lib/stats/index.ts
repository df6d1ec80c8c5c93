import type { SqlClient } from "@/lib/db/types";
import { computeDeliveryStats, type DeliveryStats } from "./compute";
import { resolveStatsRange, type StatsRange } from "./range";

export * from "./compute";
export * from "./range";
export * from "./export";
export * from "./top-contacts";

export interface StatsResponse {
  stats: DeliveryStats;
  period: StatsRange["period"];
  startDate: string;
  endDate: string;
  channel: StatsRange["channel"];
  statuses: StatsRange["statuses"];
  label: StatsRange["label"];
  timeZone: string;
}

/** `GET /api/twilio/status/stats`: validates the query (400 on bad input) and computes the statistics. */
export async function getDeliveryStats(sql: SqlClient, query: unknown, now = new Date()): Promise<StatsResponse> {
  const range = await resolveStatsRange(sql, query, now);
  const stats = await computeDeliveryStats(sql, range);
  return {
    stats,
    period: range.period,
    startDate: range.start.toISOString(),
    endDate: range.end.toISOString(),
    channel: range.channel,
    statuses: range.statuses,
    label: range.label,
    timeZone: range.timeZone,
  };
}

/** Recomputes reply response times and the statistics rollup from the messages table (after bulk loads). */
export async function rebuildStatistics(sql: SqlClient): Promise<void> {
  await sql.query(`SELECT hilo_stats_rebuild()`);
}
