import { ApiError } from "@/lib/api/errors";
import type { SqlClient } from "@/lib/db/types";
import { explainTwilioError, type TwilioErrorExplanation } from "@/lib/twilio/error-catalog";
import type { MessageStatus } from "./ranking";
import { isUuid, MESSAGE_SID_RE } from "@/lib/ids";

/** Hilo's message id (uuid) or Twilio's message SID (`SM…`/`MM…`, 34 characters). */
export type MessageRef = { by: "id"; id: string } | { by: "sid"; sid: string };

export function isMessageSid(value: string): boolean {
  return MESSAGE_SID_RE.test(value);
}

/** Reads `{id}` of the status routes; null when it is neither a uuid nor a message SID. */
export function parseMessageRef(value: string): MessageRef | null {
  const v = value.trim();
  if (isUuid(v)) return { by: "id", id: v.toLowerCase() };
  if (MESSAGE_SID_RE.test(v)) return { by: "sid", sid: `${v.slice(0, 2).toUpperCase()}${v.slice(2).toLowerCase()}` };
  return null;
}

export interface StatusHistoryRow {
  status: MessageStatus;
  previousStatus: MessageStatus | null;
  /** When Hilo received this status (ISO 8601). */
  timestamp: string;
  errorCode: number | null;
  errorMessage: string | null;
  /** Raw Twilio fields of the callback / API answer (price, segments, channel, country…). */
  metadata: Record<string, unknown>;
  /** webhook | api | sync | bulk | backfill */
  source: string;
  /** Plain-language explanation and fix of `errorCode`, when it is a known one. */
  errorExplanation: TwilioErrorExplanation | null;
}

export interface StatusHistory {
  messageId: string;
  twilioSid: string | null;
  /** The message's current status (highest rank ever received, or forced by an admin). */
  currentStatus: MessageStatus;
  statusHistory: StatusHistoryRow[];
  count: number;
  /** Status of the newest history row (arrival order); null when there is no history. */
  lastStatus: MessageStatus | null;
}

type Row = {
  message_id: string;
  twilio_sid: string | null;
  current_status: MessageStatus;
  status: MessageStatus | null;
  previous_status: MessageStatus | null;
  received_at: Date | string | null;
  error_code: number | null;
  error_message: string | null;
  metadata: Record<string, unknown> | string | null;
  source: string | null;
};

function toRow(r: Row, locale: "en" | "es"): StatusHistoryRow {
  const metadata = typeof r.metadata === "string" ? (JSON.parse(r.metadata) as Record<string, unknown>) : (r.metadata ?? {});
  return {
    status: r.status!,
    previousStatus: r.previous_status,
    timestamp: new Date(r.received_at!).toISOString(),
    errorCode: r.error_code,
    errorMessage: r.error_message,
    metadata,
    source: r.source ?? "webhook",
    errorExplanation: explainTwilioError(r.error_code, locale),
  };
}

/**
 * A message's status history in arrival order (ties broken by insertion order), or null when no
 * message has this id / SID.
 */
export async function getStatusHistory(db: SqlClient, ref: MessageRef, locale: "en" | "es" = "en"): Promise<StatusHistory | null> {
  const where = ref.by === "id" ? "m.id = $1::uuid" : "m.twilio_sid = $1";
  const rows = await db.query<Row>(
    `SELECT m.id::text AS message_id, m.twilio_sid, m.status::text AS current_status,
            e.status::text AS status, e.previous_status::text AS previous_status, e.received_at,
            e.error_code, e.error_message, e.metadata, e.source
       FROM messages m
       LEFT JOIN message_status_events e ON e.message_id = m.id
      WHERE ${where}
      ORDER BY e.received_at ASC NULLS FIRST, e.id ASC`,
    [ref.by === "id" ? ref.id : ref.sid],
  );
  if (rows.length === 0) return null;
  const history = rows.filter((r) => r.status !== null).map((r) => toRow(r, locale));
  return {
    messageId: rows[0].message_id,
    twilioSid: rows[0].twilio_sid,
    currentStatus: rows[0].current_status,
    statusHistory: history,
    count: history.length,
    lastStatus: history.at(-1)?.status ?? null,
  };
}

/** `{id}` of the status routes → history; ApiError 400 (neither uuid nor SID) or 404 (unknown). */
export async function statusHistoryOrThrow(db: SqlClient, id: string, locale: "en" | "es" = "en"): Promise<StatusHistory> {
  const ref = parseMessageRef(id ?? "");
  if (!ref) throw new ApiError(400, "invalid_id", "The id must be a Hilo message id (uuid) or a Twilio message SID (SM… or MM…, 34 characters).");
  const history = await getStatusHistory(db, ref, locale);
  if (!history) throw new ApiError(404, "not_found", `No message ${ref.by === "id" ? ref.id : ref.sid}.`);
  return history;
}
