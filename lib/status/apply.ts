import type { SqlClient } from "@/lib/db/types";
import { notifySql } from "@/lib/realtime/publish";
import { statusRank, type MessageStatus } from "./ranking";

export interface RawEventInput {
  kind: string;
  messageSid: string | null;
  messageStatus: string | null;
  idempotencyToken: string | null;
  params: Record<string, string>;
  headers: Record<string, string>;
}

export interface StatusUpdateInput {
  lookup: { by: "sid"; sid: string } | { by: "id"; id: string };
  status: MessageStatus;
  errorCode?: number | null;
  errorMessage?: string | null;
  /** Raw Twilio fields kept on the history row. */
  metadata?: Record<string, unknown>;
  source: "webhook" | "api" | "sync" | "bulk";
  /** Move the current status even when the new one ranks lower (admin bulk update). */
  force?: boolean;
  price?: string | null;
  priceUnit?: string | null;
  numSegments?: number | null;
  /** A webhook delivery to store in the same statement (audit and replay). */
  rawEvent?: RawEventInput;
  /** Or: the id of a webhook event stored earlier, to link the history row to. */
  webhookEventId?: string | null;
  /** The first status Twilio reported (the API's answer to the create request): no previous status. */
  initial?: boolean;
  /**
   * Twilio's answer to Hilo's create request, stored by the same statement when it records the status:
   * the SID (kept if a callback linked it first), the sender Twilio chose, and the send confirmed. When the
   * status was already recorded (no new history row) nothing is stored: `inserted` is false and the
   * caller links it itself.
   */
  link?: { sid: string; from: string | null };
}

export interface StatusUpdateResult {
  found: boolean;
  messageId: string | null;
  threadId: string | null;
  /** A new history row was written (false: this status was already recorded). */
  inserted: boolean;
  previousStatus: MessageStatus | null;
  /** The message's current status after the update. */
  status: MessageStatus | null;
  eventId: string | null;
}

/** The `message.status` event of the statement below (the message `m`, its new status from `upd`). */
const NOTIFY_STATUS = notifySql("message.status", {
  threadId: "m.thread_id",
  messageId: "m.id",
  status: "COALESCE((SELECT status::text FROM upd), m.status::text)",
});

/**
 * Applies one status to one message in ONE SQL statement (atomic on its own, one round trip):
 * locks the message, inserts the history row unless (message, status) exists, moves the current
 * status only upwards by rank (or anyway with `force`), keeps price/segments, stores the raw webhook
 * event with its outcome and notifies listeners. Concurrent duplicates serialize on the row lock and
 * the unique (message_id, status) index, so they never create a second row.
 */
export async function applyStatusUpdate(conn: SqlClient, input: StatusUpdateInput): Promise<StatusUpdateResult> {
  const rank = statusRank(input.status);
  const where = input.lookup.by === "sid" ? "twilio_sid = $1" : "id = $1::uuid";
  const key = input.lookup.by === "sid" ? input.lookup.sid : input.lookup.id;
  const ev = input.rawEvent;
  const text = `
WITH ev_id AS (
  SELECT CASE WHEN $12::boolean THEN nextval(pg_get_serial_sequence('webhook_events', 'id')) ELSE $19::bigint END AS id
), m AS (
  SELECT id, thread_id, status, status_rank FROM messages WHERE ${where} FOR UPDATE
), ins AS (
  INSERT INTO message_status_events
    (message_id, status, previous_status, error_code, error_message, metadata, source, webhook_event_id)
  SELECT m.id, $2::"MessageStatus", CASE WHEN $20::boolean THEN NULL ELSE m.status END, $4::int, $5::text, $6::jsonb, $11::text, (SELECT id FROM ev_id) FROM m
  ON CONFLICT (message_id, status) DO NOTHING
  RETURNING id, message_id
), upd AS (
  UPDATE messages AS msg SET
    status        = CASE WHEN $3::int > msg.status_rank OR $10::boolean THEN $2::"MessageStatus" ELSE msg.status END,
    error_code    = CASE WHEN $3::int > msg.status_rank OR $10::boolean THEN $4::int ELSE msg.error_code END,
    error_message = CASE WHEN $3::int > msg.status_rank OR $10::boolean THEN $5::text ELSE msg.error_message END,
    status_rank   = CASE WHEN $10::boolean THEN $3::int ELSE GREATEST(msg.status_rank, $3::int) END,
    price         = COALESCE($7::numeric, msg.price),
    price_unit    = COALESCE($8::text, msg.price_unit),
    num_segments  = COALESCE($9::int, msg.num_segments),
    twilio_sid    = COALESCE(msg.twilio_sid, $21::text),
    "from"        = COALESCE($22::text, msg."from"),
    send_state    = CASE WHEN $21::text IS NULL THEN msg.send_state ELSE 'confirmed' END,
    reconcile_at  = CASE WHEN $21::text IS NULL THEN msg.reconcile_at END,
    updated_at    = now()
  FROM ins WHERE msg.id = ins.message_id
  RETURNING msg.id, msg.status
), ev AS (
  INSERT INTO webhook_events (id, kind, message_sid, message_status, idempotency_token, params, headers, outcome, processed_at)
  SELECT ev_id.id, $13::text, $14::text, $15::text, $16::text, $17::jsonb, $18::jsonb,
         CASE WHEN EXISTS (SELECT 1 FROM ins) THEN 'applied'
              WHEN EXISTS (SELECT 1 FROM m) THEN 'duplicate'
              ELSE 'unknown_message' END,
         now()
  FROM ev_id WHERE $12::boolean
  RETURNING id
)
SELECT m.id::text AS message_id, m.thread_id::text AS thread_id, m.status::text AS previous_status,
       (SELECT status::text FROM upd) AS new_status,
       EXISTS (SELECT 1 FROM ins) AS inserted,
       COALESCE((SELECT id::text FROM ev), (SELECT id::text FROM ev_id)) AS event_id,
       -- Twilio's answer to Hilo's own create request usually repeats the status the send stored with the
       -- message (and announced with message.created): nothing changed for anyone watching, so no event.
       -- Every NOTIFY serializes its transaction's commit with every other notifying commit (PostgreSQL
       -- holds one lock per database through the commit's WAL flush): one per send saved.
       CASE WHEN EXISTS (SELECT 1 FROM ins) AND NOT ($20::boolean AND (SELECT status FROM upd) IS NOT DISTINCT FROM m.status) THEN ${NOTIFY_STATUS} END AS notified
FROM (SELECT 1) AS one LEFT JOIN m ON true`;
  const params = [
    key,
    input.status,
    rank,
    input.errorCode ?? null,
    input.errorMessage ?? null,
    JSON.stringify(input.metadata ?? {}),
    input.price ?? null,
    input.priceUnit ?? null,
    input.numSegments ?? null,
    input.force === true,
    input.source,
    ev !== undefined,
    ev?.kind ?? null,
    ev?.messageSid ?? null,
    ev?.messageStatus ?? null,
    ev?.idempotencyToken ?? null,
    ev ? JSON.stringify(ev.params) : null,
    ev ? JSON.stringify(ev.headers) : null,
    input.webhookEventId ?? null,
    input.initial === true,
    input.link?.sid ?? null,
    input.link?.from || null,
  ];
  const [row] = await conn.query<{
    message_id: string | null;
    thread_id: string | null;
    previous_status: MessageStatus | null;
    new_status: MessageStatus | null;
    inserted: boolean;
    event_id: string | null;
  }>(text, params, { name: `hilo_apply_status_by_${input.lookup.by}` });
  return {
    found: row.message_id !== null,
    messageId: row.message_id,
    threadId: row.thread_id,
    inserted: row.inserted,
    previousStatus: row.previous_status,
    status: row.new_status ?? row.previous_status,
    eventId: row.event_id,
  };
}
