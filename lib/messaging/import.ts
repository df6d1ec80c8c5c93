import type { Database } from "@/lib/db/types";
import { normalizeAddress, splitAddress, type Channel } from "@/lib/contacts/phone";
import { EVENTS_CHANNEL } from "@/lib/realtime/channel";
import { isMessageStatus, statusRank, type MessageStatus } from "@/lib/status/ranking";
import type { TwilioMessage } from "@/lib/twilio/client";
import { parsePrice } from "@/lib/twilio/wire";
import { upsertContactThread } from "@/lib/webhooks/record";

/**
 * Inbound messages imported from Twilio's API that are more recent than this count as unread and
 * reopen their thread (as if the webhook had arrived); older ones are stored as history only, so a
 * backfill of last month does not flood the inbox with unread conversations.
 */
export const IMPORT_UNREAD_WINDOW_MS = 24 * 3600 * 1000;

export interface ImportResult {
  created: boolean;
  messageId: string | null;
  threadId: string;
  direction: "inbound" | "outbound";
}

export function isInboundDirection(direction: string): boolean {
  return direction === "inbound";
}

/** The raw Twilio fields kept on the history row of an imported message. */
export function twilioMessageMetadata(m: TwilioMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Direction: m.direction,
    Price: m.price,
    PriceUnit: m.priceUnit,
    NumSegments: m.numSegments,
    NumMedia: m.numMedia,
    DateSent: m.dateSent?.toISOString() ?? null,
    DateUpdated: m.dateUpdated?.toISOString() ?? null,
    MessagingServiceSid: m.messagingServiceSid,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== null && v !== undefined));
}

function channelOf(m: TwilioMessage): Channel {
  return splitAddress(m.to).channel ?? (m.from ? splitAddress(m.from).channel : null) ?? "sms";
}

/**
 * Stores a message Hilo has never seen, as Twilio's API returned it: an outbound one sent from
 * another platform with the same account (sender "external", in the thread of its `To`), or an
 * inbound one Hilo missed (sender "contact", in the thread of its `From`). Idempotent on the SID:
 * a message Hilo already has is left alone (`created: false`). One transaction.
 */
export async function importTwilioMessage(
  db: Database,
  m: TwilioMessage,
  opts: { source: "sync" | "backfill"; now?: Date },
): Promise<ImportResult> {
  if (!isMessageStatus(m.status)) throw new Error(`Twilio returned an unknown status "${m.status}" for ${m.sid}`);
  const status: MessageStatus = m.status;
  const inbound = isInboundDirection(m.direction);
  const channel = channelOf(m);
  const contactRaw = inbound ? (m.from ?? "") : m.to;
  const businessRaw = inbound ? m.to : (m.from ?? m.messagingServiceSid ?? "");
  if (!contactRaw || !businessRaw) throw new Error(`Message ${m.sid} has no ${inbound ? "From" : "From or MessagingServiceSid"}`);
  const at = m.dateSent ?? m.dateCreated ?? new Date();
  const now = opts.now ?? new Date();
  const recent = inbound && now.getTime() - at.getTime() <= IMPORT_UNREAD_WINDOW_MS;

  return db.transaction(async (tx) => {
    const { threadId } = await upsertContactThread(tx, {
      channel,
      contactPhone: normalizeAddress(contactRaw),
      businessAddress: normalizeAddress(businessRaw),
    });
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO messages (thread_id, channel, direction, sender_type, body, media, "from", "to", twilio_sid,
                             status, status_rank, error_code, error_message, num_segments, num_media, price, price_unit,
                             messaging_service_sid, created_at, updated_at)
       VALUES ($1::uuid, $2::"Channel", $3::"Direction", $4::"SenderType", $5, '[]'::jsonb, $6, $7, $8, $9::"MessageStatus", $10,
               $11, $12, $13, $14, $15::numeric, $16, $17, $18::timestamptz, now())
       ON CONFLICT (twilio_sid) DO NOTHING
       RETURNING id::text`,
      [
        threadId,
        channel,
        inbound ? "inbound" : "outbound",
        inbound ? "contact" : "external",
        m.body,
        m.from ?? m.messagingServiceSid ?? "",
        m.to,
        m.sid,
        status,
        statusRank(status),
        m.errorCode,
        m.errorMessage,
        m.numSegments,
        m.numMedia,
        parsePrice(m.price ?? undefined),
        m.priceUnit,
        m.messagingServiceSid,
        at.toISOString(),
      ],
    );
    if (rows.length === 0) return { created: false, messageId: null, threadId, direction: inbound ? "inbound" : "outbound" };
    const messageId = rows[0].id;
    await tx.query(
      `WITH h AS (
         INSERT INTO message_status_events (message_id, status, previous_status, error_code, error_message, metadata, source)
         VALUES ($2::uuid, $3::"MessageStatus", NULL, $4, $5, $6::jsonb, $7)
       ), t AS (
         UPDATE threads SET
           last_message_id = CASE WHEN last_message_id IS NULL OR $8::timestamptz >= last_message_at THEN $2::uuid ELSE last_message_id END,
           last_message_at = CASE WHEN last_message_id IS NULL THEN $8::timestamptz ELSE GREATEST(last_message_at, $8::timestamptz) END,
           last_inbound_at = CASE WHEN $9::boolean THEN GREATEST(COALESCE(last_inbound_at, $8::timestamptz), $8::timestamptz) ELSE last_inbound_at END,
           unread_count = unread_count + CASE WHEN $10::boolean THEN 1 ELSE 0 END,
           status = CASE WHEN $10::boolean THEN 'open'::"ThreadStatus" ELSE status END,
           closed_at = CASE WHEN $10::boolean THEN NULL ELSE closed_at END,
           updated_at = now()
         WHERE id = $1::uuid
       )
       SELECT pg_notify('${EVENTS_CHANNEL}', json_build_object('type', 'message.created', 'threadId', $1::text, 'messageId', $2::text)::text)`,
      [
        threadId,
        messageId,
        status,
        m.errorCode,
        m.errorMessage,
        JSON.stringify(twilioMessageMetadata(m)),
        opts.source,
        at.toISOString(),
        inbound,
        recent,
      ],
    );
    return { created: true, messageId, threadId, direction: inbound ? "inbound" : "outbound" };
  });
}
