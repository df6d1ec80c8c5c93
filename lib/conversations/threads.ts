import { contactIdentity, type Channel } from "@/lib/contacts/phone";
import type { SqlClient } from "@/lib/db/types";
import { notifySql } from "@/lib/realtime/publish";
import type { MessageStatus } from "@/lib/status/ranking";

export interface UpsertThreadInput {
  channel: Channel;
  /** The customer's address as given (`whatsapp:+5215512345678`, `+52 55 1234 5678`, `whatsapp:US.1…`). */
  customerAddress: string;
  businessAddress: string;
  contactName?: string | null;
  waId?: string | null;
  /**
   * The customer used this address (an inbound message): the thread's replies go to it from now on.
   * Otherwise an existing thread keeps its address and only a new thread takes this one.
   */
  customerUsed?: boolean;
}

/**
 * The contact's upsert by person key, over parameters named by `param(n)` for person key (1), phone (2),
 * name (3) and WhatsApp id (4): a name an agent edited (`name_edited`) is kept. Answers `id` and `blocked`.
 * Shared by `upsertContactThread` and `insertMessageUpsertingThread`, which feed it to the thread's upsert
 * (contact locked before thread, the order every writer follows).
 */
export function contactUpsertSql(param: (n: number) => string): string {
  const $ = param;
  return `INSERT INTO contacts (person_key, phone, name, wa_id) VALUES (${$(1)}, ${$(2)}, ${$(3)}, ${$(4)})
       ON CONFLICT (person_key) DO UPDATE SET
         name = CASE WHEN contacts.name_edited THEN contacts.name ELSE COALESCE(EXCLUDED.name, contacts.name) END,
         wa_id = COALESCE(EXCLUDED.wa_id, contacts.wa_id),
         updated_at = CASE WHEN (EXCLUDED.name IS DISTINCT FROM contacts.name AND NOT contacts.name_edited) OR EXCLUDED.wa_id IS DISTINCT FROM contacts.wa_id
                           THEN now() ELSE contacts.updated_at END
       RETURNING id, blocked_at IS NOT NULL AS blocked`;
}

/** The contact parameters of `contactUpsertSql`, in order. */
export function contactParams(input: Pick<UpsertThreadInput, "channel" | "customerAddress" | "contactName" | "waId">): { params: unknown[]; customerAddress: string } {
  const who = contactIdentity(input.customerAddress, input.channel);
  return { params: [who.personKey, who.phone, input.contactName || null, input.waId || null], customerAddress: who.customerAddress };
}

const UPSERT_CONTACT_THREAD_SQL = `WITH c AS (
       ${contactUpsertSql((n) => `$${n}`)}
     )
     INSERT INTO threads (channel, contact_id, business_address, customer_address) SELECT $5::"Channel", c.id, $6, $7 FROM c
     ON CONFLICT (channel, contact_id, business_address) DO UPDATE SET
       customer_address = CASE WHEN $8::boolean THEN EXCLUDED.customer_address ELSE threads.customer_address END,
       updated_at = threads.updated_at
     RETURNING contact_id::text, id::text, customer_address, bot_active, (SELECT blocked FROM c) AS blocked`;

/**
 * Finds or creates the contact (by person key: the canonical phone, lib/contacts/phone.ts) and its thread
 * for (channel, contact, business sender). Locks contact → thread, the order every writer follows before
 * it writes a message. Returns the address replies in that thread go to.
 */
export async function upsertContactThread(
  tx: SqlClient,
  input: UpsertThreadInput,
): Promise<{ contactId: string; threadId: string; customerAddress: string; botActive: boolean; blocked: boolean }> {
  const contact = contactParams(input);
  // One statement (one round trip): the contact's upsert feeds the thread's. Whether the contact is
  // blocked comes back with the row, so the inbound path decides without another statement.
  const [thread] = await tx.query<{ contact_id: string; id: string; customer_address: string; bot_active: boolean; blocked: boolean }>(
    UPSERT_CONTACT_THREAD_SQL,
    [...contact.params, input.channel, input.businessAddress, contact.customerAddress, input.customerUsed === true],
    { name: "hilo_upsert_contact_thread" },
  );
  return { contactId: thread.contact_id, threadId: thread.id, customerAddress: thread.customer_address, botActive: thread.bot_active, blocked: thread.blocked };
}

/** The first row of a new message's status history, written with the thread update. */
export interface FirstStatus {
  status: MessageStatus;
  errorCode?: number | null;
  errorMessage?: string | null;
  /** Raw Twilio fields kept on the history row. */
  metadata?: Record<string, unknown>;
  source: "webhook" | "sync" | "backfill";
  /** The webhook delivery that reported it. */
  webhookEventId?: string | null;
}

/** What a new message does to its thread. Every option is explicit: each writer states its rule. */
export interface ThreadTouch {
  threadId: string;
  /** The new message. */
  messageId: string;
  /**
   * When the message happened. `"now"` (live writes): it becomes the thread's last message. A past time
   * (imported history): it becomes the last message only if it is not older than the current one.
   */
  at: "now" | Date;
  /** `increment`: a customer's message nobody has read; `reset`: an agent answered (read it all). */
  unread: "increment" | "reset" | "keep";
  /** A customer's message: opens the WhatsApp 24-hour window (`last_inbound_at`). */
  inbound: boolean;
  /** Reopen a closed conversation. */
  reopen: boolean;
  /** Also write the message's first history row (same statement). */
  firstStatus?: FirstStatus;
}

/**
 * The thread update (and first history row) of `touchThread`, over parameters named by `param(n)` for
 * the n-th of `touchParams`, with `guard` as an extra condition of both writes; `notify` announces
 * `message.created`. Shared by `touchThread` and `insertMessageTouchingThread` (one statement each).
 */
export function touchThreadParts(param: (n: number) => string, guard = "true"): { ctes: string; notify: string } {
  const $ = param;
  return {
    ctes: `t AS (
  UPDATE threads SET
    last_message_id = CASE WHEN ${$(3)}::timestamptz IS NULL OR last_message_id IS NULL OR ${$(3)}::timestamptz >= last_message_at
                           THEN ${$(2)}::uuid ELSE last_message_id END,
    last_message_at = CASE WHEN ${$(3)}::timestamptz IS NULL THEN GREATEST(last_message_at, now())
                           WHEN last_message_id IS NULL THEN ${$(3)}::timestamptz
                           ELSE GREATEST(last_message_at, ${$(3)}::timestamptz) END,
    last_inbound_at = CASE WHEN NOT ${$(4)}::boolean THEN last_inbound_at
                           WHEN ${$(3)}::timestamptz IS NULL THEN now()
                           ELSE GREATEST(COALESCE(last_inbound_at, ${$(3)}::timestamptz), ${$(3)}::timestamptz) END,
    unread_count = CASE ${$(5)}::text WHEN 'increment' THEN unread_count + 1 WHEN 'reset' THEN 0 ELSE unread_count END,
    status = CASE WHEN ${$(6)}::boolean THEN 'open'::"ThreadStatus" ELSE status END,
    closed_at = CASE WHEN ${$(6)}::boolean THEN NULL ELSE closed_at END,
    updated_at = now()
  WHERE id = ${$(1)}::uuid AND ${guard}
), h AS (
  INSERT INTO message_status_events (message_id, status, previous_status, error_code, error_message, metadata, source, webhook_event_id)
  SELECT ${$(2)}::uuid, ${$(8)}::"MessageStatus", NULL, ${$(9)}::int, ${$(10)}::text, ${$(11)}::jsonb, ${$(12)}::text, ${$(13)}::bigint
  WHERE ${$(7)}::boolean AND ${guard}
)`,
    notify: notifySql("message.created", { threadId: `${$(1)}::uuid`, messageId: `${$(2)}::uuid` }),
  };
}

const TOUCH_THREAD_SQL = (() => {
  const parts = touchThreadParts((n) => `$${n}`);
  return `WITH ${parts.ctes}\nSELECT ${parts.notify}`;
})();

/** The parameters of `touchThreadParts`, in order (1: thread, 2: message, 3…13: the rest). */
export function touchParams(touch: ThreadTouch): unknown[] {
  const first = touch.firstStatus;
  return [
    touch.threadId,
    touch.messageId,
    touch.at === "now" ? null : touch.at.toISOString(),
    touch.inbound,
    touch.unread,
    touch.reopen,
    first !== undefined,
    first?.status ?? null,
    first?.errorCode ?? null,
    first?.errorMessage ?? null,
    JSON.stringify(first?.metadata ?? {}),
    first?.source ?? null,
    first?.webhookEventId ?? null,
  ];
}

/**
 * Records a new message on its thread — last message, unread count, WhatsApp window, reopening — with
 * the message's first history row when given, and announces `message.created` to live listeners. ONE
 * statement (a prepared one on PostgreSQL): every writer of a message calls this once after
 * `insertMessage`, in the same transaction.
 */
export async function touchThread(tx: SqlClient, touch: ThreadTouch): Promise<void> {
  await tx.query(TOUCH_THREAD_SQL, touchParams(touch), { name: "hilo_touch_thread" });
}

/**
 * Fills or updates a message's contact from what a status callback carries (WhatsApp profile name,
 * WaId): written only when present and different, never blanked; a name an agent edited is kept. Its own statement, before the status
 * is applied and outside any transaction that locks the message, so the lock order stays
 * contact → thread → message everywhere. The message is found by its SID or, before Twilio's SID is
 * linked, by Hilo's id.
 */
export async function fillContactFromCallback(
  db: SqlClient,
  message: { sid: string; hiloId?: string | null },
  details: { name: string | null; waId: string | null },
): Promise<void> {
  if (!details.name && !details.waId) return;
  await db.query(
    `UPDATE contacts AS c SET name = CASE WHEN c.name_edited THEN c.name ELSE COALESCE($3::text, c.name) END,
            wa_id = COALESCE($4::text, c.wa_id), updated_at = now()
       FROM messages m JOIN threads t ON t.id = m.thread_id
      WHERE (m.twilio_sid = $1 OR m.id = $2::uuid) AND c.id = t.contact_id
        AND ((NOT c.name_edited AND c.name IS DISTINCT FROM COALESCE($3::text, c.name)) OR c.wa_id IS DISTINCT FROM COALESCE($4::text, c.wa_id))`,
    [message.sid, message.hiloId ?? null, details.name, details.waId],
    { name: "hilo_fill_contact_from_callback" },
  );
}
