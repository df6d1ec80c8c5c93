import type { SqlClient } from "@/lib/db/types";
import { EVENTS_CHANNEL, REALTIME_EVENT_FIELDS, type RealtimeEvent, type RealtimeEventFields, type RealtimeEventType } from "./channel";

/**
 * Live events are published with NOTIFY inside the transaction (or statement) that makes the change, so
 * listeners on every instance hear of it exactly when it commits. Two ways, one definition
 * (`REALTIME_EVENT_FIELDS`):
 * - `publish(tx, event)`: its own `SELECT pg_notify($1, $2)`, the payload built here, for transactions of
 *   several statements;
 * - `notifySql(type, fields)`: the same event as an SQL expression, for writes that must stay ONE
 *   statement (webhooks' hot paths, the status update), where the values are columns or parameters.
 */

/** The NOTIFY payload of an event: its type and its fields in table order, nothing else. */
export function eventPayload(event: RealtimeEvent): string {
  const values = event as unknown as Record<string, string>;
  const out: Record<string, string> = { type: event.type };
  for (const field of REALTIME_EVENT_FIELDS[event.type]) out[field] = String(values[field]);
  return JSON.stringify(out);
}

/** Publishes `event` when the transaction of `tx` commits (one statement of its own). */
export async function publish(tx: SqlClient, event: RealtimeEvent): Promise<void> {
  await tx.query(`SELECT pg_notify($1, $2)`, [EVENTS_CHANNEL, eventPayload(event)]);
}

/**
 * The event's JSON as an SQL expression (text). `fields` are SQL expressions written by Hilo's code
 * (columns, `$n` parameters), never input: each becomes a JSON string.
 */
export function eventJsonSql<T extends RealtimeEventType>(type: T, fields: RealtimeEventFields<T>): string {
  const exprs = fields as Record<string, string>;
  const pairs = REALTIME_EVENT_FIELDS[type].map((field: string) => `'${field}', (${exprs[field]})::text`);
  return `json_build_object('type', '${type}', ${pairs.join(", ")})::text`;
}

/** `pg_notify(…)` of the event, to embed in a single-statement write (it returns void). */
export function notifySql<T extends RealtimeEventType>(type: T, fields: RealtimeEventFields<T>): string {
  return `pg_notify('${EVENTS_CHANNEL}', ${eventJsonSql(type, fields)})`;
}
