import { createHash, randomUUID } from "node:crypto";
import type { Channel } from "@/lib/contacts/phone";
import type { SqlClient } from "@/lib/db/types";
import type { MediaItem } from "@/lib/messaging/media-path";
import { statusRank, type MessageStatus } from "@/lib/status/ranking";
import { notifySql } from "@/lib/realtime/publish";
import { contactParams, contactUpsertSql, touchParams, touchThreadParts, type ThreadTouch, type UpsertThreadInput } from "./threads";

/** Who wrote a message. A customer's messages are inbound; everything else is outbound. */
export type OutboundSender =
  | { type: "agent"; userId: string }
  | { type: "api"; apiKeyId: string }
  /** A bot's reply (`botId`: which bot; kept as `messages.bot_id`). */
  | { type: "bot"; botId?: string | null }
  | { type: "system" }
  /** Sent from another platform with the same Twilio account (seen in a callback or Twilio's API). */
  | { type: "external" };

interface DraftFields {
  threadId: string;
  channel: Channel;
  body: string | null;
  media?: MediaItem[];
  /** Twilio's count; defaults to the number of `media` items. */
  numMedia?: number | null;
  from: string;
  to: string;
  /** Unique: a second draft with a stored SID writes nothing (`insertMessage` answers null). */
  twilioSid?: string | null;
  status: MessageStatus;
  errorCode?: number | null;
  errorMessage?: string | null;
  contentSid?: string | null;
  contentVariables?: Record<string, string> | null;
  messagingServiceSid?: string | null;
  numSegments?: number | null;
  /** Absolute value, as text (exact decimal). */
  price?: string | null;
  priceUnit?: string | null;
  /** WhatsApp extras (location, buttons, replied-to, referral…). */
  extra?: object | null;
  /** Seen without its body: completed from Twilio's API later (lib/messaging/external.ts). */
  needsFetch?: boolean;
  /** When it happened, for history read from Twilio's API; default now. */
  createdAt?: Date;
  /**
   * Hilo is about to call Twilio for it: `send_state` pending, attempted now, and the reconciliation
   * (lib/messaging/reconcile.ts) may look it up after this many seconds.
   */
  sendAttempt?: { reconcileAfterSeconds: number };
}

/** A message to store: any writer (webhook, callback, send, import, bot…), one shape. */
export type MessageDraft = DraftFields &
  ({ direction: "inbound"; sender: { type: "contact" } } | { direction: "outbound"; sender: OutboundSender });

const COLUMNS = `thread_id, channel, direction, sender_type, sender_user_id, api_key_id, body, media, num_media, "from", "to",
  twilio_sid, status, status_rank, error_code, error_message, content_sid, content_variables, messaging_service_sid,
  num_segments, price, price_unit, extra, needs_fetch, send_state, send_attempted_at, reconcile_at, created_at, updated_at, bot_id`;

/** The values of `COLUMNS`, over parameters named by `param(n)` for the n-th of `draftParams`. */
function valuesSql(param: (n: number) => string): string {
  const $ = param;
  return `${$(1)}::uuid, ${$(2)}::"Channel", ${$(3)}::"Direction", ${$(4)}::"SenderType", ${$(5)}::uuid, ${$(6)}::uuid, ${$(7)}::text, ${$(8)}::jsonb, ${$(9)}::int, ${$(10)}::text, ${$(11)}::text,
  ${$(12)}::text, ${$(13)}::"MessageStatus", ${$(14)}::int, ${$(15)}::int, ${$(16)}::text, ${$(17)}::text, ${$(18)}::jsonb, ${$(19)}::text,
  ${$(20)}::int, ${$(21)}::numeric, ${$(22)}::text, ${$(23)}::jsonb, ${$(24)}::boolean,
  CASE WHEN ${$(25)}::int IS NULL THEN NULL ELSE 'pending' END, CASE WHEN ${$(25)}::int IS NULL THEN NULL ELSE now() END,
  CASE WHEN ${$(25)}::int IS NULL THEN NULL ELSE now() + make_interval(secs => ${$(25)}::int) END,
  COALESCE(${$(26)}::timestamptz, now()), now(), ${$(27)}::uuid`;
}

const VALUES = valuesSql((n) => `$${n}`);

const INSERT = `INSERT INTO messages (${COLUMNS}) VALUES (${VALUES}) ON CONFLICT (twilio_sid) DO NOTHING`;
const INSERT_RETURNING_ID = `${INSERT} RETURNING id::text`;

function draftParams(d: MessageDraft): unknown[] {
  const media = d.media ?? [];
  const s = d.sender;
  return [
    d.threadId,
    d.channel,
    d.direction,
    s.type,
    s.type === "agent" ? s.userId : null,
    s.type === "api" ? s.apiKeyId : null,
    d.body,
    JSON.stringify(media),
    d.numMedia === undefined ? media.length : d.numMedia,
    d.from,
    d.to,
    d.twilioSid ?? null,
    d.status,
    statusRank(d.status),
    d.errorCode ?? null,
    d.errorMessage ?? null,
    d.contentSid ?? null,
    d.contentVariables ? JSON.stringify(d.contentVariables) : null,
    d.messagingServiceSid ?? null,
    d.numSegments ?? null,
    d.price ?? null,
    d.priceUnit ?? null,
    d.extra ? JSON.stringify(d.extra) : null,
    d.needsFetch === true,
    d.sendAttempt ? Math.max(1, Math.floor(d.sendAttempt.reconcileAfterSeconds)) : null,
    d.createdAt ? d.createdAt.toISOString() : null,
    s.type === "bot" ? (s.botId ?? null) : null,
  ];
}

/**
 * The prepared statement's name for an insert answering `columns`: derived from the text itself, so
 * every copy of this module (Next.js may load it in several bundles) names the same text alike.
 */
function insertReturningName(columns: string): string {
  return `hilo_insert_message_${createHash("sha256").update(columns).digest("hex").slice(0, 16)}`;
}

/**
 * Writes a message: THE place where a row enters `messages`. Idempotent on the Twilio SID: a draft whose
 * SID is already stored writes nothing and answers null. One statement (prepared on PostgreSQL).
 * The caller then calls `touchThread` in the same transaction (after `upsertContactThread`: locks are
 * taken contact → thread → message).
 */
export async function insertMessage(tx: SqlClient, draft: MessageDraft): Promise<{ id: string } | null>;
/**
 * Same, answering the stored row as `columns` (a select list over the alias `m`, e.g. the API's
 * `MESSAGE_COLUMNS`).
 */
export async function insertMessage<T>(tx: SqlClient, draft: MessageDraft, columns: string): Promise<T | null>;
export async function insertMessage(tx: SqlClient, draft: MessageDraft, columns?: string): Promise<unknown> {
  const rows =
    columns === undefined
      ? await tx.query<{ id: string }>(INSERT_RETURNING_ID, draftParams(draft), { name: "hilo_insert_message" })
      : await tx.query(`WITH m AS (${INSERT} RETURNING *) SELECT ${columns} FROM m`, draftParams(draft), { name: insertReturningName(columns) });
  return rows[0] ?? null;
}

/**
 * `insertMessage` answering `columns`, and `touchThread` for the new message, in ONE statement (one round
 * trip; prepared on PostgreSQL). The caller holds the thread's lock (`upsertContactThread`), so the order
 * stays contact → thread → message. A draft whose SID is already stored writes nothing and answers null.
 */
export async function insertMessageTouchingThread<T>(
  tx: SqlClient,
  draft: MessageDraft,
  touch: Omit<ThreadTouch, "threadId" | "messageId">,
  columns: string,
): Promise<T | null> {
  const draftValues = draftParams(draft);
  const offset = draftValues.length - 2;
  // Touch parameter 1 is the draft's thread ($1), 2 the inserted row's id, the rest follow the draft's.
  const parts = touchThreadParts((n) => (n === 1 ? "$1" : n === 2 ? "(SELECT id FROM m)" : `$${offset + n}`), "EXISTS (SELECT 1 FROM m)");
  const text = `WITH m AS (${INSERT} RETURNING *), ${parts.ctes}\nSELECT ${columns}, ${parts.notify} AS notified FROM m`;
  const rows = await tx.query<T>(text, [...draftValues, ...touchParams({ ...touch, threadId: draft.threadId, messageId: "" }).slice(2)], {
    name: `${insertReturningName(columns)}_touch`,
  });
  return rows[0] ?? null;
}

/** A live outbound message's draft for the one-statement writes: it goes to the thread's customer address. */
type LiveDraft<S extends OutboundSender> = Omit<DraftFields, "threadId" | "to" | "createdAt"> & { direction: "outbound"; sender: S };

/** The live write of an agent's or an API key's message to a number (`insertMessageUpsertingThread`). */
export interface MessageToNumber {
  /** The contact and thread, as `upsertContactThread` takes them (an existing thread keeps its address). */
  thread: Omit<UpsertThreadInput, "customerUsed">;
  draft: LiveDraft<Extract<OutboundSender, { type: "agent" | "api" }>>;
}

/**
 * The message part of the one-statement writes: `m` inserts the draft with the chosen id (its thread and
 * address read from the CTE `th`), and the select answers `columns` with `message.created` announced.
 * Draft parameters 1 (thread) and 11 (to) come from `th`; the rest keep their order as $1…$25, and
 * `after(i)` names the i-th parameter after them.
 */
function liveInsert(write: { draft: LiveDraft<OutboundSender> }, columns: string) {
  const draftValues = draftParams({ ...write.draft, threadId: "", to: "" } as MessageDraft).filter((_, i) => i !== 0 && i !== 10);
  const param = (n: number) => (n === 1 ? "th.id" : n === 11 ? "th.customer_address" : `$${n < 11 ? n - 1 : n - 2}`);
  const k = draftValues.length;
  return {
    draftValues,
    after: (i: number) => `$${k + i}`,
    /** The insert, from `th`'s row when `where` holds. */
    m: (id: string, where = "true") => `m AS (
  INSERT INTO messages (id, ${COLUMNS}) SELECT ${id}::uuid, ${valuesSql(param)} FROM th WHERE ${where}
  ON CONFLICT (twilio_sid) DO NOTHING
  RETURNING *
)`,
    select: `${columns}, CASE WHEN m.id IS NULL THEN NULL ELSE ${notifySql("message.created", { threadId: "m.thread_id", messageId: "m.id" })} END AS notified`,
  };
}

/**
 * `upsertContactThread`, `touchThread` and `insertMessage` for a live outbound message from an agent or an
 * API key, in ONE autocommit statement (no BEGIN, no COMMIT: one round trip where the transaction took
 * four, and the rollup rows the insert's triggers lock are held only until the statement's own commit).
 * Locks contact → thread → message, like every writer. The thread's row is touched in its own upsert (a
 * statement cannot update a row twice): last message (the id is chosen here), the agent's reply resetting
 * the unread count, `updated_at`; and `message.created` is announced.
 *
 * When the thread has an active bot, nothing is touched nor written and the answer is `{ botActive: true }`:
 * a reply there takes the conversation over, which the caller does in a transaction of its own.
 */
export async function insertMessageUpsertingThread<T>(sql: SqlClient, write: MessageToNumber, columns: string): Promise<{ row: T } | { botActive: true }> {
  const contact = contactParams(write.thread);
  const live = liveInsert(write, columns);
  const $ = live.after;
  const text = `WITH c AS (
  ${contactUpsertSql((n) => $(n))}
), th AS (
  INSERT INTO threads AS t (channel, contact_id, business_address, customer_address, last_message_id, last_message_at)
  SELECT ${$(5)}::"Channel", c.id, ${$(6)}, ${$(7)}, ${$(8)}::uuid, now() FROM c
  ON CONFLICT (channel, contact_id, business_address) DO UPDATE SET
    last_message_id = CASE WHEN t.bot_active THEN t.last_message_id ELSE EXCLUDED.last_message_id END,
    last_message_at = CASE WHEN t.bot_active THEN t.last_message_at ELSE GREATEST(t.last_message_at, now()) END,
    unread_count = CASE WHEN t.bot_active OR NOT ${$(9)}::boolean THEN t.unread_count ELSE 0 END,
    updated_at = CASE WHEN t.bot_active THEN t.updated_at ELSE now() END
  RETURNING t.id, t.customer_address, t.bot_active
), ${live.m($(8), "NOT th.bot_active")}
SELECT th.bot_active AS hilo_bot_active, ${live.select}
  FROM th LEFT JOIN m ON true`;
  const [row] = await sql.query<T & { hilo_bot_active: boolean }>(
    text,
    [...live.draftValues, ...contact.params, write.thread.channel, write.thread.businessAddress, contact.customerAddress, randomUUID(), write.draft.sender.type === "agent"],
    { name: `${insertReturningName(columns)}_upsert` },
  );
  if (row.hilo_bot_active) return { botActive: true };
  const { hilo_bot_active: _, ...message } = row;
  return { row: message as unknown as T };
}

/** A live outbound message into a known conversation (`insertMessageIntoThread`). */
export interface MessageIntoThread {
  /** The conversation and, as read before, its contact: a conversation merged away meanwhile is not written. */
  threadId: string;
  contactId: string;
  /**
   * Who may write while a bot holds the conversation. `{ botActive: false }` (an agent, an API key): only
   * while no bot is active. `{ botId }` (a bot's reply): only while that bot is active, and the reply is
   * tied to `turnId` (`bot_turns.reply_message_id`) in the same statement.
   */
  bot: { botActive: false } | { botId: string; turnId: string };
  /** A WhatsApp free-form message: only while the customer's last message is at most this old. */
  window: { now: Date; ms: number } | null;
  draft: LiveDraft<Extract<OutboundSender, { type: "agent" | "api" | "bot" }>>;
}

/**
 * `touchThread` and `insertMessage` for a live outbound message into a known conversation, with their
 * conditions checked on the thread's row in the same statement, in ONE autocommit statement (no BEGIN, no
 * locks held across round trips, no COMMIT round trip): the thread's last message (the id is chosen here),
 * unread count reset by an agent, `updated_at`; the message; a bot's turn linked; `message.created`.
 * Only the thread is locked (it is updated first; a message write never needs its contact's lock).
 *
 * When a condition does not hold — another bot state, the WhatsApp window, the conversation merged into
 * another one — nothing is written and the answer is null: the caller's transaction decides what that
 * means (a takeover, a 422, a 409).
 */
export async function insertMessageIntoThread<T>(sql: SqlClient, write: MessageIntoThread, columns: string): Promise<T | null> {
  const live = liveInsert(write, columns);
  const $ = live.after;
  const bot = "botId" in write.bot ? write.bot : null;
  const text = `WITH th AS (
  UPDATE threads t SET last_message_id = ${$(3)}::uuid, last_message_at = GREATEST(t.last_message_at, now()),
         unread_count = CASE WHEN ${$(4)}::boolean THEN 0 ELSE t.unread_count END, updated_at = now()
   WHERE t.id = ${$(1)}::uuid AND t.contact_id = ${$(2)}::uuid
     AND CASE WHEN ${$(5)}::uuid IS NULL THEN NOT t.bot_active ELSE t.bot_active AND t.bot_id = ${$(5)}::uuid END
     AND (${$(7)}::timestamptz IS NULL OR t.last_inbound_at >= ${$(7)}::timestamptz)
  RETURNING t.id, t.customer_address
), ${live.m($(3))}, turn AS (
  UPDATE bot_turns SET reply_message_id = m.id FROM m WHERE bot_turns.id = ${$(6)}::uuid
)
SELECT ${live.select} FROM m`;
  const [row] = await sql.query<T>(
    text,
    [
      ...live.draftValues,
      write.threadId,
      write.contactId,
      randomUUID(),
      write.draft.sender.type === "agent",
      bot?.botId ?? null,
      bot?.turnId ?? null,
      write.window ? new Date(write.window.now.getTime() - write.window.ms).toISOString() : null,
    ],
    { name: `${insertReturningName(columns)}_into` },
  );
  return row ?? null;
}

/** Adds a parameter to the statement being built and answers its placeholder (`$n`). */
export type Bind = (value: unknown) => string;

/** What is written with a customer's message besides it (the caller's domains), over the conversation's row `th`. */
export interface InboundExtras {
  /** SQL expression: the bot an auto-answer binding gives the conversation when nobody holds it (null: none). */
  autoBot: string;
  /** A CTE named `ev` answering the `id` of the raw webhook event that reported the message (its first history row's). */
  event: string;
  /**
   * Jobs enqueued with the message, as CTEs over `th` (`id`, `bot_id`, `bot_active` after the binding, and
   * `blocked`, the contact's), each with its notification for the select.
   */
  jobs: { cte: string; notify: string }[];
}

/** A customer's message from a webhook (`insertInboundMessage`). */
export interface InboundMessageWrite {
  /** The contact and thread, as `upsertContactThread` takes them: the customer used this address. */
  thread: Omit<UpsertThreadInput, "customerUsed">;
  draft: Omit<Extract<MessageDraft, { direction: "inbound" }>, "threadId" | "status" | "sendAttempt" | "createdAt">;
  /** The rest of the write, built with the statement's own `bind`. */
  extras: (bind: Bind) => InboundExtras;
}

/**
 * A customer's message, and everything it does, in ONE autocommit statement (one round trip where a
 * transaction took seven, and no lock held across round trips): the contact's upsert; the
 * thread's upsert, which touches it (last message, the WhatsApp window, unread count and reopening unless the
 * contact is blocked, the address replies go to) and binds `extras.autoBot` when nobody holds a conversation
 * that no agent has written in; the message (`received`), its first history row tied to `extras.event`;
 * `extras.jobs`; and `message.created`. Locks contact → thread → message, like every writer.
 *
 * Twilio's second delivery of a message (its SID stored) is a unique violation that rolls the whole statement
 * back — nothing is touched, bound, enqueued or announced — and the answer is `"duplicate"`.
 */
export async function insertInboundMessage(sql: SqlClient, write: InboundMessageWrite): Promise<{ messageId: string; threadId: string; eventId: string } | "duplicate"> {
  const params: unknown[] = [];
  const bind: Bind = (value) => `$${params.push(value)}`;
  const contact = contactParams({ ...write.thread });
  const contactValues = contact.params.map(bind);
  const channel = bind(write.thread.channel);
  const messageId = bind(randomUUID());
  const draftValues = draftParams({ ...write.draft, threadId: "", status: "received" } as MessageDraft).map((v, i) => (i === 0 ? "th.id" : bind(v)));
  const extras = write.extras(bind);
  // The binding's condition on an existing conversation; a new one is bound when a bot is offered (`EXCLUDED`).
  const binds = `EXCLUDED.bot_id IS NOT NULL AND t.bot_id IS NULL AND t.assignee_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM messages a WHERE a.thread_id = t.id AND a.sender_type = 'agent')`;
  const text = `WITH c AS (
  ${contactUpsertSql((n) => contactValues[n - 1])}
), th AS (
  INSERT INTO threads AS t (channel, contact_id, business_address, customer_address, last_message_id, last_message_at, last_inbound_at, unread_count, bot_id, bot_active, bot_since)
  SELECT ${channel}::"Channel", c.id, ${bind(write.thread.businessAddress)}, ${bind(contact.customerAddress)}, ${messageId}::uuid, now(), now(),
         CASE WHEN c.blocked THEN 0 ELSE 1 END, offered.id, offered.id IS NOT NULL, CASE WHEN offered.id IS NULL THEN NULL ELSE now() END
    FROM c LEFT JOIN LATERAL (SELECT ${extras.autoBot} AS id WHERE NOT c.blocked) offered ON true
  ON CONFLICT (channel, contact_id, business_address) DO UPDATE SET
    customer_address = EXCLUDED.customer_address,
    last_message_id = EXCLUDED.last_message_id,
    last_message_at = GREATEST(t.last_message_at, now()),
    last_inbound_at = now(),
    -- EXCLUDED.unread_count is 1, or 0 for a blocked contact: nobody is told, nothing reopens.
    unread_count = t.unread_count + EXCLUDED.unread_count,
    status = CASE WHEN EXCLUDED.unread_count > 0 THEN 'open'::"ThreadStatus" ELSE t.status END,
    closed_at = CASE WHEN EXCLUDED.unread_count > 0 THEN NULL ELSE t.closed_at END,
    bot_id = CASE WHEN ${binds} THEN EXCLUDED.bot_id ELSE t.bot_id END,
    bot_active = CASE WHEN ${binds} THEN true ELSE t.bot_active END,
    bot_since = CASE WHEN ${binds} THEN now() ELSE t.bot_since END,
    updated_at = now()
  RETURNING t.id, t.bot_id, t.bot_active, (SELECT blocked FROM c) AS blocked
), m AS (
  INSERT INTO messages (id, ${COLUMNS}) SELECT ${messageId}::uuid, ${valuesSql((n) => draftValues[n - 1])} FROM th
  RETURNING id, thread_id
), ${extras.event}, h AS (
  INSERT INTO message_status_events (message_id, status, previous_status, metadata, source, webhook_event_id)
  SELECT m.id, 'received'::"MessageStatus", NULL, '{}'::jsonb, 'webhook', ev.id FROM m, ev
)${extras.jobs.map((j) => `, ${j.cte}`).join("")}
SELECT m.id::text AS message_id, m.thread_id::text AS thread_id, ev.id::text AS event_id,
       ${notifySql("message.created", { threadId: "m.thread_id", messageId: "m.id" })} AS notified${extras.jobs.map((j, i) => `, ${j.notify} AS job_${i}`).join("")}
  FROM m, ev`;
  try {
    const [row] = await sql.query<{ message_id: string; thread_id: string; event_id: string }>(text, params, {
      name: `hilo_insert_inbound_${createHash("sha256").update(text).digest("hex").slice(0, 16)}`,
    });
    return { messageId: row.message_id, threadId: row.thread_id, eventId: row.event_id };
  } catch (err) {
    const e = err as { code?: unknown; constraint?: unknown };
    if (e.code === "23505" && e.constraint === "messages_twilio_sid_key") return "duplicate";
    throw err;
  }
}
