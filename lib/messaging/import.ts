import type { Database } from "@/lib/db/types";
import { normalizeAddress, splitAddress, type Channel } from "@/lib/contacts/phone";
import { insertMessage, touchThread, upsertContactThread } from "@/lib/conversations";
import { isMessageStatus, type MessageStatus } from "@/lib/status/ranking";
import type { TwilioMessage } from "@/lib/twilio/client";
import { parsePrice } from "@/lib/twilio/wire";

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
    const { threadId, blocked } = await upsertContactThread(tx, {
      channel,
      customerAddress: contactRaw,
      businessAddress: normalizeAddress(businessRaw),
    });
    const inserted = await insertMessage(tx, {
      threadId,
      channel,
      ...(inbound
        ? ({ direction: "inbound", sender: { type: "contact" } } as const)
        : ({ direction: "outbound", sender: { type: "external" } } as const)),
      body: m.body,
      numMedia: m.numMedia,
      from: m.from ?? m.messagingServiceSid ?? "",
      to: m.to,
      twilioSid: m.sid,
      status,
      errorCode: m.errorCode,
      errorMessage: m.errorMessage,
      numSegments: m.numSegments,
      price: parsePrice(m.price ?? undefined),
      priceUnit: m.priceUnit,
      messagingServiceSid: m.messagingServiceSid,
      createdAt: at,
    });
    if (!inserted) return { created: false, messageId: null, threadId, direction: inbound ? "inbound" : "outbound" };
    const messageId = inserted.id;
    await touchThread(tx, {
      threadId,
      messageId,
      at,
      // A blocked contact's recent message is kept without unread count or reopening, as a webhook's is.
      unread: recent && !blocked ? "increment" : "keep",
      inbound,
      reopen: recent && !blocked,
      firstStatus: {
        status,
        errorCode: m.errorCode,
        errorMessage: m.errorMessage,
        metadata: twilioMessageMetadata(m),
        source: opts.source,
      },
    });
    return { created: true, messageId, threadId, direction: inbound ? "inbound" : "outbound" };
  });
}
