import type { SqlClient } from "@/lib/db/types";
import { labelFilter, type StatsRange } from "./range";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** How many contacts `topContacts` lists. */
export const TOP_CONTACTS = 10;

export interface TopContact {
  contactId: string;
  name: string | null;
  /** The canonical phone number; null for a WhatsApp user known only by a business-scoped id. */
  phone: string | null;
  inbound: number;
  outbound: number;
  /** inbound + outbound */
  messages: number;
}

/**
 * The contacts with the most messages (both directions) created in [start, end), most first (ties by
 * contact id), at most TOP_CONTACTS. The channel filter applies; the status filter does not (the
 * rollups are not keyed by status). Whole UTC days come from `message_stats_contacts`, the whole hours
 * of the partial days at both ends from `message_stats_contact_hours`, and the partial hours from
 * messages (indexed on created_at), so any range is exact. A label filter reads all from messages.
 */
export async function computeTopContacts(sql: SqlClient, range: StatsRange): Promise<TopContact[]> {
  const startMs = range.start.getTime();
  const endMs = range.end.getTime();
  let hourStart = Math.ceil(startMs / HOUR_MS) * HOUR_MS;
  let hourEnd = Math.floor(endMs / HOUR_MS) * HOUR_MS;
  // No whole hour, or a label filter (the rollups have no thread): all from messages.
  if (hourStart >= hourEnd || range.label) hourStart = hourEnd = endMs;
  let dayStart = Math.ceil(hourStart / DAY_MS) * DAY_MS;
  let dayEnd = Math.floor(hourEnd / DAY_MS) * DAY_MS;
  if (dayStart >= dayEnd) dayStart = dayEnd = hourEnd; // no whole day: whole hours from the hourly rollup
  const params: unknown[] = [range.start, new Date(hourStart), new Date(dayStart), new Date(dayEnd), new Date(hourEnd), range.end, TOP_CONTACTS];
  let rollupChannel = "";
  let messageChannel = "";
  if (range.channel) {
    params.push(range.channel);
    rollupChannel = `AND channel = $${params.length}::"Channel"`;
    messageChannel = `AND m.channel = $${params.length}::"Channel"`;
  }
  messageChannel += labelFilter(range, params, "m.");
  const rows = await sql.query<{ id: string; name: string | null; phone: string | null; inbound: string; outbound: string }>(
    `
WITH src AS (
  SELECT contact_id, inbound, outbound FROM message_stats_contacts
   WHERE day >= ($3::timestamptz AT TIME ZONE 'UTC')::date AND day < ($4::timestamptz AT TIME ZONE 'UTC')::date ${rollupChannel}
  UNION ALL
  SELECT contact_id, inbound, outbound FROM message_stats_contact_hours
   WHERE ((hour >= $2 AND hour < $3) OR (hour >= $4 AND hour < $5)) ${rollupChannel}
  UNION ALL
  SELECT t.contact_id, (m.direction = 'inbound')::int, (m.direction = 'outbound')::int
    FROM messages m JOIN threads t ON t.id = m.thread_id
   WHERE ((m.created_at >= $1 AND m.created_at < $2) OR (m.created_at >= $5 AND m.created_at < $6)) ${messageChannel}
), top AS (
  SELECT contact_id, sum(inbound) AS inbound, sum(outbound) AS outbound FROM src
   GROUP BY contact_id HAVING sum(inbound) + sum(outbound) > 0
   ORDER BY sum(inbound) + sum(outbound) DESC, contact_id LIMIT $7
)
SELECT c.id::text, c.name, c.phone, top.inbound::text, top.outbound::text
  FROM top JOIN contacts c ON c.id = top.contact_id
 ORDER BY top.inbound + top.outbound DESC, top.contact_id`,
    params,
  );
  return rows.map((r) => {
    const inbound = Number(r.inbound);
    const outbound = Number(r.outbound);
    return { contactId: r.id, name: r.name, phone: r.phone, inbound, outbound, messages: inbound + outbound };
  });
}
