import type { Database, SqlClient } from "@/lib/db/types";
import { withSerializationRetry } from "@/lib/db/retry";
import { addressProblem, normalizeAddress, splitAddress, type Channel } from "@/lib/contacts/phone";
import { fillContactFromCallback, insertInboundMessage, insertMessage, touchThread, upsertContactThread, type Bind, type MessageDraft } from "@/lib/conversations";
import { applyStatusUpdate, type RawEventInput, type StatusUpdateResult } from "@/lib/status/apply";
import type { MessageStatus } from "@/lib/status/ranking";
import { parseIntOrNull, parsePrice, twilioReportedMedia } from "@/lib/twilio/wire";
import { extraFromParams, statusMetadata } from "./fields";
import { enqueueExternalFetch } from "@/lib/messaging/external";
import { autoAnswerBotSql, botTurnJobCte } from "@/lib/bots/turn";
import { customerRulesJobCte } from "@/lib/business-hours/customer-rules";

/** WhatsApp's WaId when it is a phone number's digits; a business-scoped user has none. */
export function waIdOf(raw: string | undefined): string | null {
  return raw && /^\d{8,15}$/.test(raw) ? raw : null;
}

function channelOf(raw: string, fallback: Channel): Channel {
  return splitAddress(raw).channel ?? fallback;
}

/**
 * A signed webhook that can never be stored as a message (e.g. a sender that is not an address). Its
 * raw event is kept with outcome `rejected`; the answer is a 400 with this code.
 */
export class RejectedWebhookError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: { field: string; problem: string }[],
  ) {
    super(message);
  }
}

function invalidAddress(code: string, field: string, value: string | undefined, problem: string): RejectedWebhookError {
  const shown = JSON.stringify((value ?? "").slice(0, 64));
  return new RejectedWebhookError(code, `${field} ${shown} ${problem}.`, [{ field, problem }]);
}

/** The inbound's sender (a customer) and recipient (our number) must both be addresses. */
function inboundAddressError(params: Record<string, string>, channel: Channel): RejectedWebhookError | null {
  const from = addressProblem(params.From, "contact", channel);
  if (from) return invalidAddress("invalid_sender", "From", params.From, from);
  const to = addressProblem(params.To, "business", channel);
  if (to) return invalidAddress("invalid_recipient", "To", params.To, to);
  return null;
}

export interface InboundResult {
  outcome: "created" | "duplicate";
  messageId: string;
  threadId: string;
  eventId: string;
}

/** What every message stored from a webhook takes from Twilio's parameters as they are. */
function fromParams(params: Record<string, string>): Pick<MessageDraft, "body" | "media" | "twilioSid" | "numSegments" | "messagingServiceSid"> {
  return {
    body: params.Body ?? null,
    media: twilioReportedMedia(params),
    twilioSid: params.MessageSid,
    numSegments: parseIntOrNull(params.NumSegments),
    messagingServiceSid: params.MessagingServiceSid || null,
  };
}

/**
 * Stores an inbound message, its raw webhook event and what it starts (the conversation's bot turn, its
 * business rules) in ONE statement (lib/conversations `insertInboundMessage`). Idempotent on MessageSid: a
 * retry or duplicate stores only the raw event (outcome "duplicate").
 */
export async function recordInbound(
  db: Database,
  params: Record<string, string>,
  raw: RawEventInput,
  fallbackChannel: Channel,
): Promise<InboundResult> {
  const channel = channelOf(params.From, fallbackChannel);
  const rejected = inboundAddressError(params, channel);
  if (rejected) {
    await insertRawEvent(db, raw, "rejected", rejected.message);
    throw rejected;
  }
  const written = await withSerializationRetry(() =>
    insertInboundMessage(db, {
      thread: {
        channel,
        customerAddress: params.From,
        businessAddress: normalizeAddress(params.To),
        contactName: params.ProfileName,
        waId: waIdOf(params.WaId),
      },
      draft: {
        ...fromParams(params),
        channel,
        direction: "inbound",
        sender: { type: "contact" },
        from: params.From,
        to: params.To,
        extra: extraFromParams(params),
      },
      extras: (bind) => ({
        autoBot: autoAnswerBotSql(`${bind(channel)}::text`),
        event: rawEventCte(bind, "ev", raw, "created"),
        // A blocked contact's message is kept, but nobody is told: no unread count (hence no notification),
        // no reopening, no bot turn, no business-hours reply or assignment. Otherwise the conversation's bot
        // (if any) answers it in a durable job (lib/bots/turn.ts), and business hours and automatic
        // assignment (lib/business-hours) run as a job, both committed with the message.
        jobs: [botTurnJobCte(bind, "bot_job", "th", "NOT th.blocked"), customerRulesJobCte(bind, "rules_job", "th", "NOT th.blocked")],
      }),
    }),
  );
  if (written !== "duplicate") return { outcome: "created", ...written };
  // Twilio delivered it before: nothing of the above was kept; the delivery is recorded as a duplicate.
  return db.transaction(async (tx) => {
    const [existing] = await tx.query<{ id: string; thread_id: string }>(`SELECT id::text, thread_id::text FROM messages WHERE twilio_sid = $1`, [params.MessageSid]);
    const eventId = await insertRawEvent(tx, raw, "duplicate");
    return { outcome: "duplicate" as const, messageId: existing.id, threadId: existing.thread_id, eventId };
  });
}

/** The raw webhook event as a CTE named `name` of a caller's statement, answering its `id`. */
function rawEventCte(bind: Bind, name: string, raw: RawEventInput, outcome: string, error: string | null = null): string {
  return `${name} AS (
  INSERT INTO webhook_events (kind, message_sid, message_status, idempotency_token, params, headers, outcome, error, processed_at)
  VALUES (${bind(raw.kind)}, ${bind(raw.messageSid)}, ${bind(raw.messageStatus)}, ${bind(raw.idempotencyToken)}, ${bind(JSON.stringify(raw.params))}::jsonb,
          ${bind(JSON.stringify(raw.headers))}::jsonb, ${bind(outcome)}, ${bind(error)}::text, now())
  RETURNING id
)`;
}

/** The raw webhook event on its own (a rejected or duplicate delivery). */
async function insertRawEvent(tx: SqlClient, raw: RawEventInput, outcome: string, error?: string): Promise<string> {
  const params: unknown[] = [];
  const cte = rawEventCte((value) => `$${params.push(value)}`, "ev", raw, outcome, error ?? null);
  const [row] = await tx.query<{ id: string }>(`WITH ${cte} SELECT id::text FROM ev`, params, { name: "hilo_insert_webhook_event" });
  return row.id;
}

/** Keeps a delivery that could not be processed (for replay); best effort, never throws. */
export async function recordFailedEvent(db: Database, raw: RawEventInput, error: string): Promise<void> {
  await insertRawEvent(db, raw, "error", error).catch(() => {});
}

export interface StatusCallbackResult extends StatusUpdateResult {
  outcome: "applied" | "duplicate" | "linked" | "created_external";
  /** An outbound message first seen here whose body must be fetched from Twilio's API. */
  needsFetch: boolean;
}

/**
 * Applies a status callback. The common case (known message) is a single SQL statement. A callback
 * for a message Hilo has not linked yet is matched by Hilo's own id (`hiloMessageId`, carried in the
 * StatusCallback URL) or, when the message was sent outside Hilo, creates it in the thread of `To`.
 *
 * Lock order (no deadlocks between concurrent callbacks, sends and inbound messages): a callback that
 * names an existing message through `?m=` locks THAT message row only, links it and applies the status
 * in the same transaction, and never goes down the external path; the external path locks contact →
 * thread → message, the order of inbound messages and of the send path. Every write is retried on a
 * deadlock or serialization failure (`withSerializationRetry`).
 */
export async function recordStatus(
  db: Database,
  params: Record<string, string>,
  raw: RawEventInput,
  hiloMessageId?: string | null,
): Promise<StatusCallbackResult> {
  const status = params.MessageStatus as MessageStatus;
  const update = {
    status,
    errorCode: parseIntOrNull(params.ErrorCode),
    errorMessage: params.ErrorMessage || null,
    metadata: statusMetadata(params),
    source: "webhook" as const,
    price: parsePrice(params.Price),
    priceUnit: params.PriceUnit || null,
    numSegments: parseIntOrNull(params.NumSegments),
  };
  await withSerializationRetry(() =>
    fillContactFromCallback(db, { sid: params.MessageSid, hiloId: hiloMessageId }, {
      name: params.ProfileName?.trim().slice(0, 200) || null,
      waId: waIdOf(params.WaId),
    }),
  );
  const first = await withSerializationRetry(() =>
    applyStatusUpdate(db, { ...update, lookup: { by: "sid", sid: params.MessageSid }, rawEvent: raw }),
  );
  if (first.found) return { ...first, outcome: first.inserted ? "applied" : "duplicate", needsFetch: false };

  if (hiloMessageId) {
    const own = await withSerializationRetry(() =>
      db.transaction(async (tx): Promise<StatusCallbackResult | null> => {
        const [m] = await tx.query<{ twilio_sid: string | null }>(
          `SELECT twilio_sid FROM messages WHERE id = $1::uuid AND direction = 'outbound' FOR UPDATE`,
          [hiloMessageId],
        );
        // Not Hilo's message, or Hilo's id with another message's SID: not this callback's message.
        if (!m || (m.twilio_sid !== null && m.twilio_sid !== params.MessageSid)) return null;
        let outcome: StatusCallbackResult["outcome"] = "applied";
        if (m.twilio_sid === null) {
          // Another row already holds this SID (created from a callback without `?m=`): leave it to the
          // external path, which applies the status to that row.
          const [taken] = await tx.query(`SELECT 1 FROM messages WHERE twilio_sid = $1`, [params.MessageSid]);
          if (taken) return null;
          await tx.query(
            `UPDATE messages SET twilio_sid = $1, send_state = 'confirmed', reconcile_at = NULL, updated_at = now() WHERE id = $2::uuid`,
            [params.MessageSid, hiloMessageId],
          );
          outcome = "linked";
        }
        const result = await applyStatusUpdate(tx, { ...update, lookup: { by: "id", id: hiloMessageId }, webhookEventId: first.eventId });
        await tx.query(`UPDATE webhook_events SET outcome = $2 WHERE id = $1::bigint`, [first.eventId, result.inserted ? "applied" : "duplicate"]);
        return { ...result, outcome: result.inserted ? outcome : "duplicate", needsFetch: false };
      }),
    ).catch((err: unknown) => {
      // The SID was linked to another row concurrently (unique violation): the external path applies it there.
      if ((err as { code?: string }).code === "23505") return null;
      throw err;
    });
    if (own) return own;
  }

  try {
    return await withSerializationRetry(() =>
      db.transaction(async (tx): Promise<StatusCallbackResult> => {
        const created = await createExternalMessage(tx, params, first.eventId);
        if (created.created) {
          await tx.query(`UPDATE webhook_events SET outcome = $2 WHERE id = $1::bigint`, [first.eventId, "created_external"]);
          return {
            found: true,
            messageId: created.messageId,
            threadId: created.threadId,
            inserted: true,
            previousStatus: null,
            status,
            eventId: first.eventId,
            outcome: "created_external",
            needsFetch: created.needsFetch,
          };
        }
        // Another delivery created or linked the message meanwhile: apply to it (contact → thread → message).
        const result = await applyStatusUpdate(tx, { ...update, lookup: { by: "sid", sid: params.MessageSid }, webhookEventId: first.eventId });
        await tx.query(`UPDATE webhook_events SET outcome = $2 WHERE id = $1::bigint`, [first.eventId, result.inserted ? "applied" : "duplicate"]);
        return { ...result, outcome: result.inserted ? "linked" : "duplicate", needsFetch: false };
      }),
    );
  } catch (err) {
    if (err instanceof RejectedWebhookError && first.eventId) {
      await db.query(`UPDATE webhook_events SET outcome = 'rejected', error = $2 WHERE id = $1::bigint`, [first.eventId, err.message]);
    }
    throw err;
  }
}

/** Creates an outbound message that was sent from another platform with the same account. */
async function createExternalMessage(
  tx: SqlClient,
  params: Record<string, string>,
  eventId: string | null,
): Promise<{ created: boolean; messageId: string; threadId: string; needsFetch: boolean }> {
  const status = params.MessageStatus as MessageStatus;
  const to = params.To || params.ChannelToAddress || "";
  const from = params.From || params.MessagingServiceSid || "";
  const channel = channelOf(to || from, params.ChannelPrefix === "whatsapp" ? "whatsapp" : "sms");
  const problem = addressProblem(to, "contact", channel);
  if (problem) throw invalidAddress("invalid_recipient", "To", to, problem);
  const { threadId } = await upsertContactThread(tx, {
    channel,
    customerAddress: to,
    businessAddress: normalizeAddress(from),
    contactName: null,
    waId: waIdOf(params.WaId),
  });
  const hasBody = params.Body !== undefined;
  const errorCode = parseIntOrNull(params.ErrorCode);
  const inserted = await insertMessage(tx, {
    ...fromParams(params),
    threadId,
    channel,
    direction: "outbound",
    sender: { type: "external" },
    from,
    to,
    status,
    errorCode,
    errorMessage: params.ErrorMessage || null,
    price: parsePrice(params.Price),
    priceUnit: params.PriceUnit || null,
    needsFetch: !hasBody,
  });
  if (!inserted) return { created: false, messageId: "", threadId, needsFetch: false };
  const messageId = inserted.id;
  // Committed with the message: completed from Twilio's API by a durable job (lib/messaging/external.ts).
  if (!hasBody) await enqueueExternalFetch(tx, messageId);
  await touchThread(tx, {
    threadId,
    messageId,
    at: "now",
    unread: "keep",
    inbound: false,
    reopen: false,
    firstStatus: {
      status,
      errorCode,
      errorMessage: params.ErrorMessage || null,
      metadata: statusMetadata(params),
      source: "webhook",
      webhookEventId: eventId,
    },
  });
  return { created: true, messageId, threadId, needsFetch: !hasBody };
}
