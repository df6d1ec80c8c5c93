import { z } from "zod";
import type { Database } from "@/lib/db/types";
import { ApiError } from "@/lib/api/errors";
import { notifySql } from "@/lib/realtime/publish";
import { isUuid } from "@/lib/ids";
import { CONTACT_COLUMNS, contactOf, type ApiContact, type ContactColumns } from "@/lib/contacts/profile";
import { labelsOf, THREAD_LABELS_COLUMN, type Label } from "@/lib/labels";
import { conversationBot, THREAD_BOT_COLUMNS, type ApiConversationBot } from "./serialize";

export const threadUpdateSchema = z
  .object({
    status: z.enum(["open", "closed"], { error: "must be 'open' or 'closed'" }).optional(),
    assigneeId: z.uuid("must be a user id").nullable().optional(),
  })
  .strict()
  .refine((v) => v.status !== undefined || v.assigneeId !== undefined, { message: "nothing to update: send 'status' and/or 'assigneeId'" });
export type ThreadUpdate = z.output<typeof threadUpdateSchema>;

/** Close/reopen and (un)assign a conversation (`PATCH /api/messaging/conversations/:id`, body `threadUpdateSchema`). */
export async function updateThread(sql: Database, threadId: string, { status, assigneeId }: ThreadUpdate): Promise<void> {
  if (assigneeId) {
    const [u] = await sql.query<{ active: boolean }>(`SELECT active FROM users WHERE id = $1::uuid`, [assigneeId]);
    if (!u || !u.active) throw new ApiError(422, "invalid_assignee", "The assignee must be an active user.");
  }
  const rows = await sql.query(
    `WITH t AS (
       UPDATE threads SET
         status = COALESCE($2::"ThreadStatus", status),
         closed_at = CASE WHEN $2 = 'closed' AND status <> 'closed' THEN now() WHEN $2 = 'open' THEN NULL ELSE closed_at END,
         assignee_id = CASE WHEN $3 THEN $4::uuid ELSE assignee_id END,
         updated_at = now()
       WHERE id = $1::uuid RETURNING id
     )
     SELECT ${notifySql("thread.updated", { threadId: "id" })} FROM t`,
    [threadId, status ?? null, assigneeId !== undefined, assigneeId ?? null],
  );
  if (rows.length === 0) throw new ApiError(404, "not_found", `No conversation with id ${threadId}.`);
}

/** An agent opened the conversation: its inbound messages are read. */
export async function markThreadRead(sql: Database, threadId: string): Promise<void> {
  const rows = await sql.query<{ changed: boolean }>(
    `WITH before AS (SELECT unread_count FROM threads WHERE id = $1::uuid),
     t AS (UPDATE threads SET unread_count = 0, updated_at = CASE WHEN unread_count > 0 THEN now() ELSE updated_at END
           WHERE id = $1::uuid RETURNING id)
     SELECT (SELECT unread_count FROM before) > 0 AS changed,
            CASE WHEN (SELECT unread_count FROM before) > 0
                 THEN ${notifySql("thread.updated", { threadId: "$1::text" })} END
     FROM t`,
    [threadId],
  );
  if (rows.length === 0) throw new ApiError(404, "not_found", `No conversation with id ${threadId}.`);
}

export interface ThreadDetail {
  id: string;
  channel: "whatsapp" | "sms";
  status: "open" | "closed";
  unreadCount: number;
  businessAddress: string;
  /** The customer's address on this channel as they use it: replies go there. */
  customerAddress: string;
  lastInboundAt: string | null;
  lastMessageAt: string;
  assignee: { id: string; name: string } | null;
  /** `phone`: the canonical number; null for a WhatsApp user without one (shown by name). */
  contact: ApiContact & { createdAt: string };
  /** The bot bound to it: `active` while the bot answers the customer. */
  bot: ApiConversationBot;
  /** The context the bot was given (`POST /api/bots/{botId}/conversations`), or {}. */
  botContext: Record<string, unknown>;
  /** Its labels, by name. */
  labels: Label[];
  /** The contact's other conversations (other channel or sender). */
  otherThreads: { id: string; channel: "whatsapp" | "sms"; businessAddress: string; lastMessageAt: string; status: string }[];
  messageCount: number;
  /** Segments of all its messages (those Twilio reported a count for). */
  segmentCount: number;
  /** Its total cost: the sum of its messages' prices, one entry per price unit ("USD"…), largest first. */
  totalCost: { priceUnit: string; amount: string }[];
}

export async function getThread(sql: Database, threadId: string): Promise<ThreadDetail | null> {
  if (!isUuid(threadId)) return null;
  const [t] = await sql.query<ContactColumns & {
    id: string; channel: "whatsapp" | "sms"; status: "open" | "closed"; unread_count: number; business_address: string; customer_address: string;
    last_inbound_at: Date | null; last_message_at: Date; assignee_id: string | null; assignee_name: string | null;
    contact_created: Date; message_count: string;
    t_bot_id: string | null; t_bot_name: string | null; t_bot_active: boolean; bot_context: Record<string, unknown> | string | null; t_labels: unknown;
  }>(
    `SELECT t.id::text, t.channel::text, t.status::text, t.unread_count, t.business_address, t.customer_address, t.last_inbound_at, t.last_message_at,
            t.assignee_id::text, u.name AS assignee_name, ${CONTACT_COLUMNS},
            c.created_at AS contact_created, (SELECT count(*) FROM messages WHERE thread_id = t.id)::text AS message_count,
            ${THREAD_BOT_COLUMNS}, t.bot_context, ${THREAD_LABELS_COLUMN}
     FROM threads t JOIN contacts c ON c.id = t.contact_id LEFT JOIN users u ON u.id = t.assignee_id
     WHERE t.id = $1::uuid`,
    [threadId],
  );
  if (!t) return null;
  const costs = await sql.query<{ price_unit: string | null; amount: string | null; segments: string }>(
    `SELECT price_unit, sum(price)::text AS amount, sum(COALESCE(num_segments, 0))::text AS segments
     FROM messages WHERE thread_id = $1::uuid GROUP BY price_unit ORDER BY sum(price) DESC NULLS LAST, price_unit`,
    [t.id],
  );
  const others = await sql.query<{ id: string; channel: "whatsapp" | "sms"; business_address: string; last_message_at: Date; status: string }>(
    `SELECT id::text, channel::text, business_address, last_message_at, status::text FROM threads
     WHERE contact_id = $1::uuid AND id <> $2::uuid ORDER BY last_message_at DESC LIMIT 20`,
    [t.contact_id, t.id],
  );
  return {
    id: t.id,
    channel: t.channel,
    status: t.status,
    unreadCount: t.unread_count,
    businessAddress: t.business_address,
    customerAddress: t.customer_address,
    lastInboundAt: t.last_inbound_at ? new Date(t.last_inbound_at).toISOString() : null,
    lastMessageAt: new Date(t.last_message_at).toISOString(),
    assignee: t.assignee_id ? { id: t.assignee_id, name: t.assignee_name ?? "" } : null,
    contact: { ...contactOf(t), createdAt: new Date(t.contact_created).toISOString() },
    bot: conversationBot(t),
    botContext: (typeof t.bot_context === "string" ? JSON.parse(t.bot_context) : t.bot_context) ?? {},
    labels: labelsOf(t.t_labels),
    otherThreads: others.map((o) => ({
      id: o.id, channel: o.channel, businessAddress: o.business_address, lastMessageAt: new Date(o.last_message_at).toISOString(), status: o.status,
    })),
    messageCount: Number(t.message_count),
    segmentCount: costs.reduce((n, c) => n + Number(c.segments), 0),
    totalCost: costs.flatMap((c) => (c.price_unit && c.amount !== null ? [{ priceUnit: c.price_unit, amount: c.amount }] : [])),
  };
}

/**
 * Open conversations with unread messages (the inbox's tab title and favicon badge): assigned to the
 * viewer, unassigned, and in all. One index read (`threads_unread_idx`, partial on unread_count > 0).
 */
export async function unreadCounts(sql: Database, userId: string | null): Promise<{ mine: number; unassigned: number; total: number }> {
  const [row] = await sql.query<{ mine: number; unassigned: number; total: number }>(
    `SELECT count(*) FILTER (WHERE assignee_id = $1::uuid)::int AS mine, count(*) FILTER (WHERE assignee_id IS NULL)::int AS unassigned, count(*)::int AS total
     FROM threads WHERE status = 'open' AND unread_count > 0`,
    [userId],
  );
  return row!;
}

export const PRESENCE_STATES = ["viewing", "typing", "left"] as const;

/**
 * Announces that `user` is viewing, typing in or left a conversation (the `presence` live event, to every
 * instance). One statement: nothing is announced, and false answered, when the conversation does not exist.
 */
export async function announcePresence(
  sql: Database,
  threadId: string,
  user: { id: string; name: string },
  state: (typeof PRESENCE_STATES)[number],
): Promise<boolean> {
  const rows = await sql.query(`SELECT ${notifySql("presence", { threadId: "t.id", userId: "$2", name: "$3", state: "$4" })} FROM threads t WHERE t.id = $1::uuid`, [
    threadId,
    user.id,
    user.name,
    state,
  ]);
  return rows.length > 0;
}
