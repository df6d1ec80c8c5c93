import { z } from "zod";
import type { Database } from "@/lib/db/types";
import { ApiError, parseInput } from "@/lib/api/errors";
import { queryObject } from "@/lib/http/query";
import {
  conversationBot,
  MESSAGE_COLUMNS,
  REPLY_COLUMNS,
  REPLY_JOIN,
  THREAD_BOT_COLUMNS,
  toApiMessage,
  type ApiConversationBot,
  type ApiMessage,
  type MessageRow,
} from "./serialize";
import { isUuid } from "@/lib/ids";
import { contactIdentity, isPlausibleE164 } from "@/lib/contacts/phone";
import { CONTACT_COLUMNS, contactOf, type ApiContact, type ContactColumns } from "@/lib/contacts/profile";
import { labelRef, labelsOf, resolveLabel, THREAD_LABELS_COLUMN, threadHasLabelSql, type Label } from "@/lib/labels";

/**
 * A search that is a whole phone number in any form a person may type or a channel delivers
 * (`+521 55…`, `52155…`, `+549…`, Brazil without the ninth digit): its canonical key (lib/contacts/phone.ts),
 * which is the stored phone of its contact (or an alias of a contact it was merged into). Null otherwise.
 */
export function searchedPhoneKey(q: string): string | null {
  const value = q.replace(/^whatsapp:/i, "").trim();
  if (!/^\+?[\d\s().-]+$/.test(value) || !isPlausibleE164(value)) return null;
  return contactIdentity(value, "sms").personKey;
}

/** Opaque keyset cursor: the sort key of the last row of the previous page. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString("base64url");
}

export function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    if (Number.isNaN(Date.parse(at)) || !isUuid(id)) throw new Error("bad cursor");
    return { at, id };
  } catch {
    throw new ApiError(400, "invalid_cursor", "The cursor is not valid: pass the nextCursor value of a previous page.");
  }
}

/** Up to this many matching contacts, a search reads their threads directly (see listConversations). */
const SEARCH_FEW_CONTACTS = 500;
/** Bounds of "few" conversations for a label filter to read them directly (see listConversations). */
const LABEL_FEW_THREADS_MIN = 200;
const LABEL_FEW_THREADS_MAX = 20_000;

const limit = z.coerce.number().int("must be an integer").min(1, "must be at least 1").max(200, "must be at most 200").default(50);

export const conversationsQuerySchema = z.object({
  channel: z.enum(["whatsapp", "sms"], { error: "must be 'whatsapp' or 'sms'" }).optional(),
  status: z.enum(["open", "closed"], { error: "must be 'open' or 'closed'" }).optional(),
  assignee: z.union([z.enum(["me", "unassigned"]), z.uuid()], { error: "must be 'me', 'unassigned' or a user id" }).optional(),
  unread: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  q: z.string().trim().max(100).optional(),
  /** A label's id or name (any case): only the conversations carrying it. */
  label: labelRef.optional(),
  limit,
  cursor: z.string().optional(),
});

export interface ApiConversation {
  id: string;
  channel: "whatsapp" | "sms";
  status: "open" | "closed";
  unreadCount: number;
  lastMessageAt: string;
  lastInboundAt: string | null;
  businessAddress: string;
  /** The customer's address on this channel as they use it: replies go there. */
  customerAddress: string;
  assignee: { id: string; name: string } | null;
  /** `phone`: the canonical number; null for a WhatsApp user without one (shown by name). */
  contact: ApiContact;
  /** The bot bound to it: `active` while the bot answers the customer. */
  bot: ApiConversationBot;
  /** Its labels, by name. */
  labels: Label[];
  lastMessage: ApiMessage | null;
}

/** Threads, newest activity first, with keyset pagination on (last_message_at, id). */
export async function listConversations(
  sql: Database,
  params: URLSearchParams | Record<string, string>,
  viewer: { userId: string | null },
): Promise<{ conversations: ApiConversation[]; nextCursor: string | null }> {
  const q = parseInput(conversationsQuerySchema, params instanceof URLSearchParams ? queryObject(params) : params, "query");
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (q.channel) where.push(`t.channel = ${arg(q.channel)}::"Channel"`);
  if (q.status) where.push(`t.status = ${arg(q.status)}::"ThreadStatus"`);
  if (q.assignee === "me") {
    if (!viewer.userId) throw new ApiError(400, "validation_error", "assignee=me needs a signed-in user (API keys have no identity).");
    where.push(`t.assignee_id = ${arg(viewer.userId)}::uuid`);
  } else if (q.assignee === "unassigned") where.push(`t.assignee_id IS NULL`);
  else if (q.assignee) where.push(`t.assignee_id = ${arg(q.assignee)}::uuid`);
  if (q.unread === true) where.push(`t.unread_count > 0`);
  if (q.unread === false) where.push(`t.unread_count = 0`);
  let threadSource = "threads t";
  if (q.q) {
    const digits = q.q.replace(/[^\d]/g, "");
    const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const phoneLike = digits.length >= 3 ? `%${digits}%` : null;
    const phoneKey = searchedPhoneKey(q.q);
    // A search that matches few contacts (the usual case: a name or part of a number) is answered from
    // the trigram indexes on contacts, then their threads; scanning threads newest first and testing
    // each contact would read the whole inbox when nothing matches. A broad search (many contacts)
    // keeps the newest-first scan, which finds a page of matches quickly.
    // A whole number also finds its contact by canonical key: the phone (unique index) or an alias.
    // (ARRAY(…) is computed once, so each alternative stays an index scan.)
    const byKey = (p: string) => ` OR phone = ${p} OR id = ANY(ARRAY(SELECT contact_id FROM contact_aliases WHERE person_key = ${p}))`;
    const few = await sql.query<{ id: string }>(
      `SELECT id::text FROM contacts WHERE name ILIKE $1${phoneLike ? " OR phone LIKE $2" : ""}${phoneKey ? byKey("$3") : ""} LIMIT ${SEARCH_FEW_CONTACTS + 1}`,
      phoneKey ? [like, phoneLike, phoneKey] : phoneLike ? [like, phoneLike] : [like],
    );
    if (few.length === 0) return { conversations: [], nextCursor: null };
    // Materialized, so the planner cannot turn it back into a newest-first scan of every thread.
    if (few.length <= SEARCH_FEW_CONTACTS) {
      threadSource = `(WITH s AS MATERIALIZED (SELECT * FROM threads WHERE contact_id = ANY(${arg(few.map((r) => r.id))}::uuid[])) SELECT * FROM s) t`;
    } else {
      const key = phoneKey ? ` OR c.phone = ${arg(phoneKey)} OR c.id = ANY(ARRAY(SELECT contact_id FROM contact_aliases WHERE person_key = ${arg(phoneKey)}))` : "";
      where.push(`(c.name ILIKE ${arg(like)}${phoneLike ? ` OR c.phone LIKE ${arg(phoneLike)}` : ""}${key})`);
    }
  }
  if (q.label) {
    // Two ways to find a page of a label's conversations: read them all by id and sort them (cost: the
    // label's n conversations), or scan the inbox newest first testing each (cost: about limit × N / n
    // of the inbox's N). The first wins while n² < limit × N; N is the planner's estimate (pg_class).
    // A search already narrowed to few contacts just tests each of their conversations.
    const labelId = (await resolveLabel(sql, q.label)).id;
    const [{ n, threads }] = await sql.query<{ n: number; threads: number }>(
      `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM thread_labels WHERE label_id = $1::uuid LIMIT $2) x) AS n,
              (SELECT GREATEST(reltuples, 0)::float8 FROM pg_class WHERE oid = 'threads'::regclass) AS threads`,
      [labelId, LABEL_FEW_THREADS_MAX + 1],
    );
    const few = Math.max(LABEL_FEW_THREADS_MIN, Math.min(LABEL_FEW_THREADS_MAX, Math.sqrt(q.limit * Number(threads))));
    if (n <= few && threadSource === "threads t") {
      // ARRAY(…) is computed once: one index scan of thread_labels, then threads by primary key.
      threadSource = `(SELECT * FROM threads WHERE id = ANY(ARRAY(SELECT thread_id FROM thread_labels WHERE label_id = ${arg(labelId)}::uuid))) t`;
    } else where.push(threadHasLabelSql(arg(labelId)));
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push(`(t.last_message_at, t.id) < (${arg(c.at)}::timestamptz, ${arg(c.id)}::uuid)`);
  }
  const rows = await sql.query<
    MessageRow & ContactColumns & {
      t_id: string;
      t_channel: "whatsapp" | "sms";
      t_status: "open" | "closed";
      unread_count: number;
      last_message_at: Date;
      last_inbound_at: Date | null;
      business_address: string;
      customer_address: string;
      assignee_id: string | null;
      assignee_name: string | null;
      t_bot_id: string | null;
      t_bot_name: string | null;
      t_bot_active: boolean;
      t_labels: unknown;
    }
  >(
    `SELECT t.id::text AS t_id, t.channel::text AS t_channel, t.status::text AS t_status, t.unread_count, t.last_message_at,
            t.last_inbound_at, t.business_address, t.customer_address, t.assignee_id::text, u.name AS assignee_name,
            ${CONTACT_COLUMNS}, ${THREAD_BOT_COLUMNS}, ${THREAD_LABELS_COLUMN}, ${MESSAGE_COLUMNS}, ${REPLY_COLUMNS}
     FROM ${threadSource}
     JOIN contacts c ON c.id = t.contact_id
     LEFT JOIN users u ON u.id = t.assignee_id
     LEFT JOIN messages m ON m.id = t.last_message_id
     ${REPLY_JOIN}
     ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY t.last_message_at DESC, t.id DESC
     LIMIT ${arg(q.limit + 1)}`,
    args,
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    conversations: page.map((r) => ({
      id: r.t_id,
      channel: r.t_channel,
      status: r.t_status,
      unreadCount: r.unread_count,
      lastMessageAt: new Date(r.last_message_at).toISOString(),
      lastInboundAt: r.last_inbound_at ? new Date(r.last_inbound_at).toISOString() : null,
      businessAddress: r.business_address,
      customerAddress: r.customer_address,
      assignee: r.assignee_id ? { id: r.assignee_id, name: r.assignee_name ?? "" } : null,
      contact: contactOf(r),
      bot: conversationBot(r),
      labels: labelsOf(r.t_labels),
      lastMessage: r.id ? toApiMessage(r) : null,
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(new Date(last.last_message_at), last.t_id) : null,
  };
}

export const messagesQuerySchema = z.object({ limit, cursor: z.string().optional() });

/** A conversation's messages, newest first; `nextCursor` pages to older ones (new arrivals never shift pages). */
export async function listMessages(
  sql: Database,
  threadId: string,
  params: URLSearchParams | Record<string, string>,
): Promise<{ messages: ApiMessage[]; nextCursor: string | null }> {
  if (!isUuid(threadId)) throw new ApiError(404, "not_found", `No conversation with id ${threadId}.`);
  const q = parseInput(messagesQuerySchema, params instanceof URLSearchParams ? queryObject(params) : params, "query");
  const [exists] = await sql.query(`SELECT 1 FROM threads WHERE id = $1::uuid`, [threadId]);
  if (!exists) throw new ApiError(404, "not_found", `No conversation with id ${threadId}.`);
  const args: unknown[] = [threadId, q.limit + 1];
  let cursorSql = "";
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    args.push(c.at, c.id);
    cursorSql = `AND (m.created_at, m.id) < ($3::timestamptz, $4::uuid)`;
  }
  const rows = await sql.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS}, ${REPLY_COLUMNS} FROM messages m ${REPLY_JOIN} WHERE m.thread_id = $1::uuid ${cursorSql}
     ORDER BY m.created_at DESC, m.id DESC LIMIT $2`,
    args,
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    messages: page.map(toApiMessage),
    nextCursor: rows.length > q.limit && last ? encodeCursor(new Date(last.created_at), last.id) : null,
  };
}
