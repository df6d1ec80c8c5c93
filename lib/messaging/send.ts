import { z } from "zod";
import { getConfig, type AppConfig } from "@/lib/config";
import { lockAttachmentsForSend, markSent, twilioMediaUrls } from "@/lib/attachments";
import { addressProblem, contactIdentity, normalizePhone, splitAddress } from "@/lib/contacts/phone";
import type { Database, SqlClient } from "@/lib/db/types";
import { withSerializationRetry } from "@/lib/db/retry";
import { logger } from "@/lib/log";
import { ApiError, parseInput } from "@/lib/api/errors";
import { insertMessageIntoThread, insertMessageTouchingThread, insertMessageUpsertingThread, upsertContactThread, type MessageIntoThread, type OutboundSender } from "@/lib/conversations";
import { takeOverOnReply } from "@/lib/bots/binding";
import { applyStatusUpdate } from "@/lib/status/apply";
import { explainTwilioError } from "@/lib/twilio/error-catalog";
import { isMessageStatus, type MessageStatus } from "@/lib/status/ranking";
import { createMessage, type TwilioClient, type TwilioMessage } from "@/lib/twilio/client";
import type { MediaItem } from "./media-path";
import { MESSAGE_COLUMNS, REPLY_COLUMNS, REPLY_JOIN, toApiMessage, type ApiMessage, type MessageRow } from "./serialize";
import { CONTENT_SID_RE } from "@/lib/ids";
import { classifyTwilioError, type TwilioFailure } from "@/lib/twilio/wire";
import { missingVariables, renderTemplateText } from "@/lib/twilio/template-content";
import { findApprovedTemplate } from "@/lib/twilio/templates";

export const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;

/** `POST /api/messaging/send` body. */
export const sendInputSchema = z
  .object({
    channel: z.enum(["whatsapp", "sms"], { error: "must be 'whatsapp' or 'sms'" }),
    /** The customer: any form of their number (`+521…` or `+52…`), or a WhatsApp user id. Optional with `threadId`. */
    to: z.string({ error: "must be a string" }).trim().min(1, "must not be empty").max(160, "must be at most 160 characters").optional(),
    message: z.string().trim().min(1, "must not be empty").max(1600, "must be at most 1600 characters").optional(),
    mediaUrl: z
      .array(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }))
      .max(10, "at most 10 media URLs")
      .optional(),
    /** Files uploaded with POST /api/messaging/attachments by the same agent or API key (lib/attachments). */
    attachmentIds: z
      .array(z.uuid("must be an attachment id"))
      .min(1, "must not be empty")
      .max(10, "at most 10 attachments")
      .refine((ids) => new Set(ids).size === ids.length, "must not repeat an attachment")
      .optional(),
    contentSid: z
      .string()
      .regex(CONTENT_SID_RE, "must be a Twilio Content SID (HX followed by 32 hex characters)")
      .optional(),
    contentVariables: z
      .record(
        z.string().min(1, "variable names must not be empty").max(64, "variable names are at most 64 characters"),
        z
          .union([z.string(), z.number()])
          .transform(String)
          .pipe(z.string().max(1024, "each value must be at most 1024 characters")),
      )
      .refine((v) => Object.keys(v).length <= 100, "at most 100 variables")
      .optional(),
    threadId: z.uuid("must be a conversation id").optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.to === undefined) {
      if (v.threadId === undefined) ctx.addIssue({ code: "custom", path: ["to"], message: "is required (or 'threadId')" });
      return;
    }
    const problem = addressProblem(v.to, "contact", v.channel);
    if (problem) ctx.addIssue({ code: "custom", path: ["to"], message: `${problem}, e.g. +573001234567` });
  })
  .refine((v) => v.message !== undefined || v.contentSid !== undefined || v.attachmentIds !== undefined, {
    message: "'message', 'attachmentIds' or 'contentSid' is required",
    path: ["message"],
  })
  .refine((v) => v.attachmentIds === undefined || v.contentSid === undefined, {
    message: "a template ('contentSid') carries no attachments",
    path: ["attachmentIds"],
  })
  .refine((v) => v.contentVariables === undefined || v.contentSid !== undefined, {
    message: "'contentVariables' needs 'contentSid'",
    path: ["contentVariables"],
  });
export type SendInput = z.infer<typeof sendInputSchema>;

/** Who sends: an agent, an API key, a bot or Hilo itself. */
export type SendSender = Exclude<OutboundSender, { type: "external" }>;

export interface SendDeps {
  sql: Database;
  twilio: TwilioClient;
  config: Pick<AppConfig, "publicBaseUrl" | "twilio"> & Partial<Pick<AppConfig, "storage">>;
  now?: () => Date;
}

/** What calling Twilio for an already written message needs. */
export type CallDeps = Pick<SendDeps, "sql" | "twilio"> & { config: Pick<AppConfig, "publicBaseUrl"> & Partial<Pick<AppConfig, "storage">> };

/** Who may send an attachment: the agent or API key that uploaded it (lib/attachments). */
function uploaderOf(sender: SendSender): string | null {
  if (sender.type === "agent") return `user:${sender.userId}`;
  if (sender.type === "api") return `api_key:${sender.apiKeyId}`;
  return null;
}

function withChannelPrefix(channel: "whatsapp" | "sms", address: string): string {
  return channel === "whatsapp" && !address.startsWith("whatsapp:") ? `whatsapp:${address}` : address;
}

/** Our sender for a channel: the thread's own business address when replying, else the configured one. */
function resolveSender(deps: SendDeps, channel: "whatsapp" | "sms", threadBusiness?: string) {
  const t = deps.config.twilio;
  if (threadBusiness?.startsWith("MG")) return { messagingServiceSid: threadBusiness, from: null, business: threadBusiness };
  if (threadBusiness) return { messagingServiceSid: null, from: withChannelPrefix(channel, threadBusiness), business: threadBusiness };
  if (t.messagingServiceSid) return { messagingServiceSid: t.messagingServiceSid, from: null, business: t.messagingServiceSid };
  const configured = channel === "whatsapp" ? t.whatsappFrom : t.smsFrom;
  if (!configured) {
    throw new ApiError(
      422,
      "sender_not_configured",
      `No ${channel === "whatsapp" ? "WhatsApp" : "SMS"} sender is configured: set ${channel === "whatsapp" ? "TWILIO_WHATSAPP_FROM" : "TWILIO_SMS_FROM"} or TWILIO_MESSAGING_SERVICE_SID.`,
    );
  }
  const business = normalizePhone(configured) ?? splitAddress(configured).address;
  return { messagingServiceSid: null, from: withChannelPrefix(channel, business), business };
}

/**
 * What a send ended with. `sent`: Twilio accepted the message (it has a SID). `unconfirmed`: Twilio's
 * answer proved nothing (5xx, not JSON, timeout, connection lost after the request left): the message may
 * have been sent; it stays queued and the reconciliation (lib/messaging/reconcile.ts) or its first status
 * callback settles it. A refusal that proves nothing was sent is thrown as a 502 `ApiError`.
 */
export interface SendResult {
  /**
   * `deferred`: Twilio answered 429 (too many concurrent requests) even after the library's retries; it
   * never processed the request, so the message stays queued and the reconciliation sweep sends it again.
   */
  outcome: "sent" | "unconfirmed" | "deferred";
  message: ApiMessage;
}

export interface SendOptions {
  /** Runs inside the transaction that writes the message (e.g. to tie an Idempotency-Key to it). */
  onMessageWritten?: (tx: SqlClient, messageId: string) => Promise<void>;
  /**
   * A bot's reply (sender `bot`) answering this turn: written only while that bot carries the conversation
   * (else 409 `bot_inactive`, nothing written), tied to the turn (`bot_turns.reply_message_id`) in the same
   * write, with what the bot's kind reports about it as the message's `extra.bot`.
   */
  botTurn?: { id: string; meta?: Record<string, string> };
  /** Seconds after the attempt before the reconciliation first looks at an unconfirmed send (default 30). */
  reconcileAfterSeconds?: number;
}

/** A validated send request. */
interface SendRequest {
  input: SendInput;
  /** What the message stores as its body: the text, or an approved template rendered with its variables. */
  body?: string;
}

/** Where the message goes out from, and what Twilio first answers for it. */
interface SendRoute {
  messagingServiceSid: string | null;
  from: string | null;
  /** The thread's business address. */
  business: string;
  /** What Twilio answers first: "accepted" through a Messaging Service, "queued" otherwise. */
  initialStatus: "accepted" | "queued";
  /** A reply in a known conversation: its thread and contact. */
  thread: { id: string; contactId: string } | null;
}

/** Step 1: the body must be a valid send (`validation_error` otherwise). */
function parseSendInput(rawInput: unknown): SendRequest {
  return { input: parseInput(sendInputSchema, rawInput, "message") };
}

/**
 * Step 1b: a template the account has approved (lib/twilio/templates.ts) needs a value for each of its
 * variables (422 `template_variables_missing`), and its rendered text is stored as the message's body, so
 * the inbox shows what the customer got. A SID Hilo cannot find among them is left to Twilio to judge.
 */
async function resolveTemplate(deps: SendDeps, request: SendRequest): Promise<SendRequest> {
  const { input } = request;
  if (!input.contentSid) return { ...request, body: input.message };
  const template = await findApprovedTemplate(deps.twilio, input.contentSid);
  if (!template) return { ...request, body: input.message };
  const missing = missingVariables(template, input.contentVariables);
  if (missing.length) {
    throw new ApiError(
      422,
      "template_variables_missing",
      `Template ${template.name} needs a value for ${missing.map((k) => `{{${k}}}`).join(", ")} in 'contentVariables'.`,
      { missing, template: template.sid },
    );
  }
  return { ...request, body: input.message ?? renderTemplateText(template.body, input.contentVariables) };
}

/** Step 2: a reply goes out from its thread's own business address (which must match); else the configured sender. */
async function resolveRoute(deps: SendDeps, { input }: SendRequest): Promise<SendRoute> {
  let thread: { channel: string; person_keys: string[]; contact_id: string; business_address: string; customer_address: string } | undefined;
  if (input.threadId) {
    [thread] = await deps.sql.query(
      `SELECT t.channel::text, c.person_key || ARRAY(SELECT a.person_key FROM contact_aliases a WHERE a.contact_id = c.id) AS person_keys,
              c.id::text AS contact_id, t.business_address, t.customer_address
       FROM threads t JOIN contacts c ON c.id = t.contact_id WHERE t.id = $1::uuid`,
      [input.threadId],
    );
    if (!thread) throw new ApiError(404, "thread_not_found", `No conversation with id ${input.threadId}.`);
    // `to`, when given, may be any form of the contact's number (`+521…` or `+52…`), or of a number of a
    // contact merged into this one.
    if (thread.channel !== input.channel || (input.to !== undefined && !thread.person_keys.includes(contactIdentity(input.to, input.channel).personKey))) {
      throw new ApiError(422, "thread_mismatch", `Conversation ${input.threadId} is a ${thread.channel} conversation with ${thread.customer_address}.`);
    }
  }
  const sender = resolveSender(deps, input.channel, thread?.business_address);
  return {
    ...sender,
    initialStatus: sender.messagingServiceSid ? "accepted" : "queued",
    thread: thread && input.threadId ? { id: input.threadId, contactId: thread.contact_id } : null,
  };
}

/**
 * The conversation a send writes to, and the exact address it goes to: the thread's customer address
 * (the form the customer used, e.g. `whatsapp:+521…`), whatever form of the number `to` gave. Locks
 * contact → thread, like every writer.
 */
async function lockThread(
  tx: SqlClient,
  { input }: SendRequest,
  route: SendRoute,
): Promise<{ threadId: string; customerAddress: string; botActive: boolean; botId: string | null }> {
  if (!route.thread) {
    const { threadId, customerAddress, botActive } = await upsertContactThread(tx, { channel: input.channel, customerAddress: input.to!, businessAddress: route.business });
    return { threadId, customerAddress, botActive, botId: null };
  }
  await tx.query(`SELECT 1 FROM contacts WHERE id = $1::uuid FOR UPDATE`, [route.thread.contactId]);
  const [t] = await tx.query<{ customer_address: string; bot_active: boolean; bot_id: string | null }>(
    `SELECT customer_address, bot_active, bot_id::text FROM threads WHERE id = $1::uuid AND contact_id = $2::uuid FOR UPDATE`,
    [route.thread.id, route.thread.contactId],
  );
  // Merged into another conversation meanwhile.
  if (!t) throw new ApiError(409, "thread_merged", `Conversation ${route.thread.id} was merged into another one; reload it.`);
  return { threadId: route.thread.id, customerAddress: t.customer_address, botActive: t.bot_active, botId: t.bot_id };
}

/** A bot's reply is written only while its bot carries the conversation. */
function assertBotStillActive(sender: SendSender, opts: SendOptions, thread: { botActive: boolean; botId: string | null }): void {
  if (!opts.botTurn) return;
  if (sender.type !== "bot" || !thread.botActive || thread.botId !== (sender.botId ?? null)) {
    throw new ApiError(409, "bot_inactive", "The bot no longer carries this conversation (taken over, handed off or replaced): its reply was not sent.");
  }
}

/** Media given as URLs by the caller: never fetched with the account's credentials nor redirected to (media-path.ts). */
function callerMedia(input: SendInput): MediaItem[] {
  return (input.mediaUrl ?? []).map((url) => ({ url, contentType: null, source: "caller" }));
}

/** The queued message every write of a send stores (its thread, sender and address aside). */
function queuedDraft({ input, body }: SendRequest, route: SendRoute, opts: SendOptions, reconcileAfterSeconds: number, media: MediaItem[]) {
  return {
    channel: input.channel,
    direction: "outbound" as const,
    body: body ?? null,
    media,
    from: route.from ?? route.messagingServiceSid!,
    status: route.initialStatus,
    contentSid: input.contentSid ?? null,
    contentVariables: input.contentVariables ?? null,
    messagingServiceSid: route.messagingServiceSid,
    extra: extraOf(opts),
    sendAttempt: { reconcileAfterSeconds },
  };
}

/** What the bot's kind reported about its reply, kept as the message's `extra.bot`. */
function extraOf(opts: SendOptions): object | null {
  return opts.botTurn?.meta && Object.keys(opts.botTurn.meta).length > 0 ? { bot: opts.botTurn.meta } : null;
}

/**
 * Step 3, inside the write's transaction: a free-form WhatsApp message needs the customer's last message
 * within 24 h (templates are allowed anytime).
 */
async function assertWhatsAppWindow(tx: SqlClient, { input }: SendRequest, route: SendRoute, threadId: string, now: Date): Promise<void> {
  if (input.channel !== "whatsapp" || input.contentSid) return;
  // The window opens with the customer's last message to us. Through a Messaging Service the thread
  // is keyed by the service, while the customer wrote to one of its numbers: any WhatsApp thread counts.
  const [w] = await tx.query<{ last_inbound_at: Date | null }>(
    route.messagingServiceSid
      ? `SELECT max(o.last_inbound_at) AS last_inbound_at FROM threads t JOIN threads o ON o.contact_id = t.contact_id AND o.channel = t.channel WHERE t.id = $1::uuid`
      : `SELECT last_inbound_at FROM threads WHERE id = $1::uuid`,
    [threadId],
  );
  const last = w?.last_inbound_at ? new Date(w.last_inbound_at) : null;
  if (!last || now.getTime() - last.getTime() > WHATSAPP_WINDOW_MS) {
    throw new ApiError(
      422,
      "outside_whatsapp_window",
      last
        ? `The customer last wrote ${Math.floor((now.getTime() - last.getTime()) / 3600000)} h ago: WhatsApp allows free-form messages only within 24 h of their last message. Send an approved template instead ('contentSid' and 'contentVariables').`
        : "The customer has not written to this WhatsApp number yet: WhatsApp allows free-form messages only within 24 h of their last message. Send an approved template instead ('contentSid' and 'contentVariables').",
      { lastInboundAt: last?.toISOString() ?? null, hint: "Use a template: contentSid (HX…) + contentVariables." },
    );
  }
}

/**
 * Step 4, the common cases in one statement, without a transaction: a message with nothing else to write
 * with it (no attachments, no Idempotency-Key) from an agent or an API key, to a number
 * (`insertMessageUpsertingThread`) or into a conversation, or a bot's reply into its conversation
 * (`insertMessageIntoThread`, the conditions checked on the thread's row). Answers null when the send
 * needs the transaction below: a WhatsApp window through a Messaging Service (any of the contact's
 * threads counts), or a condition that did not hold (nothing was written) — the transaction then takes
 * the conversation over from a bot, or answers the 409/422 the condition calls for.
 */
async function writeInOneStatement(
  deps: SendDeps,
  request: SendRequest,
  route: SendRoute,
  sender: SendSender,
  opts: SendOptions,
  reconcileAfterSeconds: number,
  now: Date,
): Promise<MessageRow | null> {
  const { input } = request;
  if (input.attachmentIds?.length || opts.onMessageWritten) return null;
  const freeFormWhatsApp = input.channel === "whatsapp" && !input.contentSid;
  const draft = queuedDraft(request, route, opts, reconcileAfterSeconds, callerMedia(input));
  let row: MessageRow | null;
  if (route.thread) {
    if (freeFormWhatsApp && route.messagingServiceSid) return null;
    let bot: MessageIntoThread["bot"];
    if ((sender.type === "agent" || sender.type === "api") && !opts.botTurn) bot = { botActive: false };
    else if (sender.type === "bot" && sender.botId && opts.botTurn) bot = { botId: sender.botId, turnId: opts.botTurn.id };
    else return null;
    const thread = route.thread;
    row = await withSerializationRetry(() =>
      insertMessageIntoThread<MessageRow>(
        deps.sql,
        {
          threadId: thread.id,
          contactId: thread.contactId,
          bot,
          window: freeFormWhatsApp ? { now, ms: WHATSAPP_WINDOW_MS } : null,
          draft: { ...draft, sender: sender as Extract<SendSender, { type: "agent" | "api" | "bot" }> },
        },
        MESSAGE_COLUMNS,
      ),
    );
  } else {
    if (freeFormWhatsApp || opts.botTurn || (sender.type !== "agent" && sender.type !== "api")) return null;
    const written = await withSerializationRetry(() =>
      insertMessageUpsertingThread<MessageRow>(
        deps.sql,
        { thread: { channel: input.channel, customerAddress: input.to!, businessAddress: route.business }, draft: { ...draft, sender } },
        MESSAGE_COLUMNS,
      ),
    );
    row = "botActive" in written ? null : written.row;
  }
  // No SID yet: nothing to conflict with, so a row that is there is the one just written.
  if (row && !row.id) throw new Error("send: the message row was not written");
  return row;
}

/**
 * Step 4: writes the message queued (`send_state` pending) through the conversation store, in one
 * transaction with the window check and the caller's `onMessageWritten`. Lock order contact → thread →
 * message, as inbound messages and callbacks for unknown messages.
 */
async function writeQueuedMessage(
  deps: SendDeps,
  request: SendRequest,
  route: SendRoute,
  sender: SendSender,
  opts: SendOptions,
  reconcileAfterSeconds: number,
  now: Date,
): Promise<MessageRow> {
  const { input } = request;
  const direct = await writeInOneStatement(deps, request, route, sender, opts, reconcileAfterSeconds, now);
  if (direct) return direct;
  return withSerializationRetry(() =>
    deps.sql.transaction(async (tx) => {
      const locked = await lockThread(tx, request, route);
      const { threadId, customerAddress: to, botActive } = locked;
      assertBotStillActive(sender, opts, locked);
      await assertWhatsAppWindow(tx, request, route, threadId, now);
      const media = callerMedia(input);
      const attachmentIds = input.attachmentIds ?? [];
      if (attachmentIds.length) {
        media.push(...(await lockAttachmentsForSend(tx, attachmentIds, uploaderOf(sender) ?? "", input.channel, deps.config.publicBaseUrl)));
      }
      // The message and its thread's update in one statement (the thread is locked above).
      const row = await insertMessageTouchingThread<MessageRow>(
        tx,
        {
          ...queuedDraft(request, route, opts, reconcileAfterSeconds, media),
          threadId,
          sender,
          to,
        },
        { at: "now", unread: sender.type === "agent" ? "reset" : "keep", inbound: false, reopen: false },
        MESSAGE_COLUMNS,
      );
      // No SID yet: nothing to conflict with.
      if (!row) throw new Error("send: the message row was not written");
      if (attachmentIds.length) await markSent(tx, attachmentIds, row.id);
      if (opts.botTurn) await tx.query(`UPDATE bot_turns SET reply_message_id = $2::uuid WHERE id = $1::uuid`, [opts.botTurn.id, row.id]);
      // A reply by an agent or through the API in a conversation a bot carries takes it over
      // (lib/bots/binding.ts); the thread is locked, so `botActive` is current.
      if (botActive && (sender.type === "agent" || sender.type === "api")) {
        await takeOverOnReply(tx, threadId, sender.type === "agent" ? { userId: sender.userId } : { apiKeyId: sender.apiKeyId });
      }
      await opts.onMessageWritten?.(tx, row.id);
      return row;
    }),
  );
}

type TwilioAnswer = { ok: true; message: TwilioMessage } | { ok: false; failure: TwilioFailure };

/** Step 5: the create request (lib/twilio/client.ts), its StatusCallback carrying Hilo's message id. */
async function callTwilio(deps: CallDeps, { input }: SendRequest, route: SendRoute, created: MessageRow): Promise<TwilioAnswer> {
  // Attachments get a fresh short-lived signed URL on every call (a throttled send's retry too). When
  // they cannot be minted nothing is sent: the message fails like a request that never left.
  let mediaUrl: string[] | undefined;
  try {
    mediaUrl = await twilioMediaUrls(deps.sql, { publicBaseUrl: deps.config.publicBaseUrl, storage: deps.config.storage ?? getConfig().storage }, created.media);
  } catch (err) {
    return { ok: false, failure: { kind: "unreachable", message: `The attachments' addresses for Twilio could not be prepared: ${(err as Error).message}` } };
  }
  try {
    const message = await createMessage(deps.twilio, {
      to: created.to,
      ...(route.messagingServiceSid ? { messagingServiceSid: route.messagingServiceSid } : { from: route.from! }),
      body: input.message,
      mediaUrl,
      contentSid: input.contentSid,
      contentVariables: input.contentVariables,
      statusCallback: `${deps.config.publicBaseUrl}/api/webhooks/message-status?m=${created.id}`,
    });
    return { ok: true, message };
  } catch (err) {
    return { ok: false, failure: classifyTwilioError(err) };
  }
}

/**
 * Sends a message through Twilio. The message row is written (queued, `send_state` pending) before Twilio
 * is called, and its StatusCallback URL carries Hilo's id, so even a callback that beats Twilio's answer
 * finds it, and a process killed while waiting leaves a row the reconciliation settles.
 */
export async function sendMessage(deps: SendDeps, rawInput: unknown, sender: SendSender, opts: SendOptions = {}): Promise<SendResult> {
  const request = await resolveTemplate(deps, parseSendInput(rawInput));
  const now = deps.now?.() ?? new Date();
  const route = await resolveRoute(deps, request);
  const reconcileAfter = Math.max(1, Math.floor(opts.reconcileAfterSeconds ?? 30));
  const created = await writeQueuedMessage(deps, request, route, sender, opts, reconcileAfter, now);
  const answer = await callTwilio(deps, request, route, created);
  return answer.ok
    ? settleAccepted(deps, created, answer.message, route.initialStatus)
    : settleFailedCreate(deps, created, answer.failure, reconcileAfter);
}

/**
 * Step 6a: Twilio accepted the message. From here on a database error must not turn it into a failed
 * send, nor into an answer that invites sending it again. The write is retried on deadlocks; if it still
 * fails, the row stays pending and the reconciliation links it from Twilio's list.
 */
async function settleAccepted(deps: CallDeps, created: MessageRow, res: TwilioMessage, initialStatus: MessageStatus): Promise<SendResult> {
  const status = isMessageStatus(res.status) ? res.status : initialStatus;
  try {
    // One statement: the first history row, the status, the SID and the send confirmed.
    const applied = await withSerializationRetry(() =>
      applyStatusUpdate(deps.sql, {
        lookup: { by: "id", id: created.id },
        status,
        errorCode: res.errorCode,
        errorMessage: res.errorMessage,
        numSegments: res.numSegments,
        // The segment count as text, as Twilio's JSON gives it.
        metadata: { source: "api_response", status: res.status, numSegments: res.numSegments === null ? null : String(res.numSegments) },
        source: "api",
        initial: true,
        link: { sid: res.sid, from: res.from },
      }),
    );
    if (!applied.inserted) {
      // A status callback recorded this status first (and linked the SID): confirm the send.
      await withSerializationRetry(() =>
        deps.sql.query(
          `UPDATE messages SET twilio_sid = COALESCE(twilio_sid, $2), "from" = COALESCE($3, "from"), num_segments = COALESCE($4, num_segments),
                  send_state = 'confirmed', reconcile_at = NULL, updated_at = now()
           WHERE id = $1::uuid`,
          [created.id, res.sid, res.from, res.numSegments],
        ),
      );
      return { outcome: "sent", message: await getMessage(deps.sql, created.id) };
    }
    // Usually the row is now exactly what was written plus Twilio's answer: no need to read it back. A
    // status callback that got there first may have moved it further: then read what it holds.
    if (applied.status !== status) return { outcome: "sent", message: await getMessage(deps.sql, created.id) };
    return {
      outcome: "sent",
      message: toApiMessage({
        ...created,
        twilio_sid: res.sid,
        from: res.from || created.from,
        num_segments: res.numSegments ?? created.num_segments,
        status,
        error_code: res.errorCode,
        error_message: res.errorMessage,
        updated_at: new Date(),
      }),
    };
  } catch (err) {
    logger().error({ err, messageId: created.id, sid: res.sid }, "send: Twilio accepted the message but it could not be stored yet; reconciliation will link it");
    const known = toApiMessage(created);
    return {
      outcome: "sent",
      message: { ...known, twilioSid: res.sid, status, from: res.from || known.from, updatedAt: new Date().toISOString() },
    };
  }
}

/**
 * Wait before a throttled send is tried again: half the message's age, at least
 * `THROTTLED_FIRST_WAIT_SECONDS`, at most `THROTTLED_MAX_WAIT_SECONDS` (a backoff that needs no counter).
 */
const THROTTLED_FIRST_WAIT_SECONDS = 2;
const THROTTLED_MAX_WAIT_SECONDS = 60;
export const THROTTLED_WAIT_SQL = `make_interval(secs => LEAST($3::float8, GREATEST($2::float8, extract(epoch FROM now() - created_at) / 2)))`;

/** Step 6b: stores what a failed create request proves, and answers accordingly (throws the 502s). */
async function settleFailedCreate(deps: CallDeps, created: MessageRow, failure: TwilioFailure, reconcileAfter: number): Promise<SendResult> {
  if (failure.kind === "throttled") {
    // Never processed by Twilio: queued for the sweep to send again (`resendThrottled`). If this update is
    // lost, the row stays pending and the sweep looks it up in Twilio's list (finds nothing) and fails it.
    try {
      await withSerializationRetry(() =>
        deps.sql.query(
          `UPDATE messages SET send_state = 'throttled',
                  reconcile_at = now() + ${THROTTLED_WAIT_SQL},
                  updated_at = now()
           WHERE id = $1::uuid AND twilio_sid IS NULL AND send_state = 'pending'`,
          [created.id, THROTTLED_FIRST_WAIT_SECONDS, THROTTLED_MAX_WAIT_SECONDS],
        ),
      );
    } catch (err) {
      logger().error({ err, messageId: created.id }, "send: could not defer a throttled send; it is reconciled as unconfirmed");
    }
    logger().warn({ messageId: created.id, error: failure.message }, "send: Twilio is throttling requests; the message is queued and sent again shortly");
    return { outcome: "deferred", message: await getMessage(deps.sql, created.id).catch(() => toApiMessage(created)) };
  }
  if (failure.kind === "ambiguous") {
    // Twilio may have the message: keep it queued, flagged, and look it up soon.
    try {
      await withSerializationRetry(() =>
        deps.sql.query(
          `UPDATE messages SET send_state = 'unconfirmed', reconcile_at = now() + make_interval(secs => $2::int), updated_at = now()
           WHERE id = $1::uuid AND twilio_sid IS NULL AND send_state = 'pending'`,
          [created.id, reconcileAfter],
        ),
      );
    } catch (err) {
      logger().error({ err, messageId: created.id }, "send: could not flag an unconfirmed send; it stays pending and is reconciled anyway");
    }
    logger().warn({ messageId: created.id, httpStatus: failure.httpStatus, error: failure.message }, "send: Twilio's answer did not confirm the message; reconciling");
    const message = await getMessage(deps.sql, created.id).catch(() => toApiMessage(created));
    // A status callback may already have linked it while Twilio's answer was failing.
    return { outcome: message.twilioSid ? "sent" : "unconfirmed", message };
  }
  const code = failure.kind === "refused" ? failure.code : null;
  try {
    await withSerializationRetry(() =>
      deps.sql.transaction(async (tx) => {
        await tx.query(`UPDATE messages SET send_state = $2, reconcile_at = NULL WHERE id = $1::uuid AND twilio_sid IS NULL`, [
          created.id,
          failure.kind === "refused" ? "refused" : "unreachable",
        ]);
        await applyStatusUpdate(tx, {
          lookup: { by: "id", id: created.id },
          status: "failed",
          errorCode: code,
          errorMessage: failure.message,
          metadata: {
            source: "api_response",
            httpStatus: failure.kind === "refused" ? failure.status : null,
            moreInfo: failure.kind === "refused" ? failure.moreInfo : null,
          },
          source: "api",
          initial: true,
        });
      }),
    );
  } catch (err) {
    // Nothing was sent; the row stays pending and the reconciliation marks it failed.
    logger().error({ err, messageId: created.id }, "send: could not store Twilio's refusal");
  }
  const explanation = explainTwilioError(code);
  throw new ApiError(
    502,
    failure.kind === "refused" ? "twilio_error" : "twilio_unreachable",
    failure.kind === "refused" ? `Twilio refused the message: ${failure.message}` : failure.message,
    undefined,
    {
      twilioCode: code,
      messageId: created.id,
      ...(explanation ? { explanation: explanation.explanation, fix: explanation.fix, moreInfo: explanation.moreInfo } : {}),
    },
  );
}

/**
 * Sends again a message Twilio throttled (429: never processed), for the reconciliation sweep. The row
 * is first moved back to `pending` with a fresh attempt time, in the statement that claims it: if the
 * process dies during the call, the sweep treats it as any unconfirmed send (looks it up in Twilio's
 * list) and never creates it twice. Answers the new outcome, or null when the row was no longer throttled.
 */
export async function resendThrottled(deps: CallDeps, messageId: string, reconcileAfterSeconds = 30): Promise<SendResult["outcome"] | "refused" | null> {
  const [row] = await withSerializationRetry(() =>
    deps.sql.query<MessageRow & { messaging_service_sid: string | null; content_variables: string | null; status_now: string }>(
      `UPDATE messages m SET send_state = 'pending', send_attempted_at = now(),
              reconcile_at = now() + make_interval(secs => $2::int), updated_at = now()
       WHERE m.id = $1::uuid AND m.send_state = 'throttled' AND m.twilio_sid IS NULL
       RETURNING ${MESSAGE_COLUMNS}, m.messaging_service_sid, m.content_variables::text AS content_variables`,
      [messageId, Math.max(1, Math.floor(reconcileAfterSeconds))],
    ),
  );
  if (!row) return null;
  const input = {
    channel: row.channel,
    // A template's body is its rendered text, not something to send along with it. Media: callTwilio
    // mints the attachments' URLs again (and passes a sender's own URLs as they were).
    message: row.content_sid ? undefined : (row.body ?? undefined),
    contentSid: row.content_sid ?? undefined,
    contentVariables: row.content_variables ? (JSON.parse(row.content_variables) as SendInput["contentVariables"]) : undefined,
  } as SendInput;
  const route: SendRoute = {
    messagingServiceSid: row.messaging_service_sid,
    from: row.messaging_service_sid ? null : row.from,
    business: row.messaging_service_sid ?? row.from,
    initialStatus: row.messaging_service_sid ? "accepted" : "queued",
    thread: null,
  };
  const answer = await callTwilio(deps, { input }, route, row);
  if (answer.ok) return (await settleAccepted(deps, row, answer.message, route.initialStatus)).outcome;
  try {
    return (await settleFailedCreate(deps, row, answer.failure, reconcileAfterSeconds)).outcome;
  } catch (err) {
    if (err instanceof ApiError) return "refused"; // stored as failed with Twilio's explanation
    throw err;
  }
}

export async function getMessage(sql: Database, id: string): Promise<ApiMessage> {
  const [row] = await sql.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS}, ${REPLY_COLUMNS} FROM messages m ${REPLY_JOIN} WHERE m.id = $1::uuid`, [id]);
  return toApiMessage(row);
}
