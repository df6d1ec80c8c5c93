import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { Database } from "@/lib/db/types";
import { notifySql } from "@/lib/realtime/publish";

/**
 * A contact as agents keep it: the name (an edited name is never overwritten by WhatsApp's ProfileName),
 * an email, free-text notes, and blocking (a blocked contact's inbound messages are stored but do not
 * notify, reopen, assign or wake a bot: lib/webhooks/record.ts).
 */
export interface ApiContact {
  id: string;
  /** The canonical number; null for a WhatsApp user without one (shown by name). */
  phone: string | null;
  name: string | null;
  waId: string | null;
  email: string | null;
  notes: string | null;
  /** An agent set the name: WhatsApp's profile name no longer replaces it. */
  nameEdited: boolean;
  blocked: boolean;
}

/** The contact's columns as every conversation query reads them (`c` is `contacts`). */
export const CONTACT_COLUMNS = `c.id::text AS contact_id, c.phone, c.name AS contact_name, c.wa_id, c.email AS contact_email,
  c.notes AS contact_notes, c.name_edited AS contact_name_edited, c.blocked_at IS NOT NULL AS contact_blocked`;

export interface ContactColumns {
  contact_id: string;
  phone: string | null;
  contact_name: string | null;
  wa_id: string | null;
  contact_email: string | null;
  contact_notes: string | null;
  contact_name_edited: boolean;
  contact_blocked: boolean;
}

export function contactOf(r: ContactColumns): ApiContact {
  return {
    id: r.contact_id,
    phone: r.phone,
    name: r.contact_name,
    waId: r.wa_id,
    email: r.contact_email,
    notes: r.contact_notes,
    nameEdited: r.contact_name_edited,
    blocked: r.contact_blocked,
  };
}

/** Empty text clears a field (null). */
const clearable = (max: number) =>
  z
    .string({ error: "must be a string or null" })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullable()
    .transform((v) => (v ? v : null));

export const contactUpdateSchema = z
  .object({
    /** null or "": forget the edited name (WhatsApp's profile name fills it again). */
    name: clearable(200).optional(),
    email: z
      .union([z.literal(""), z.null(), z.email("must be an email address").max(254, "must be at most 254 characters")], { error: "must be an email address or null" })
      .transform((v) => (v ? v.toLowerCase() : null))
      .optional(),
    notes: clearable(2000).optional(),
  })
  .strict()
  .refine((v) => v.name !== undefined || v.email !== undefined || v.notes !== undefined, { message: "nothing to update: send 'name', 'email' and/or 'notes'" });
export type ContactUpdate = z.output<typeof contactUpdateSchema>;

/** A contact with every conversation it has (each channel and sender), newest first. */
export interface ContactDetail extends ApiContact {
  createdAt: string;
  conversations: { id: string; channel: "whatsapp" | "sms"; businessAddress: string; customerAddress: string; status: "open" | "closed"; unreadCount: number; lastMessageAt: string }[];
}

export async function getContact(sql: Database, contactId: string): Promise<ContactDetail | null> {
  const [c] = await sql.query<ContactColumns & { created_at: Date }>(`SELECT ${CONTACT_COLUMNS}, c.created_at FROM contacts c WHERE c.id = $1::uuid`, [contactId]);
  if (!c) return null;
  const threads = await sql.query<{ id: string; channel: "whatsapp" | "sms"; business_address: string; customer_address: string; status: "open" | "closed"; unread_count: number; last_message_at: Date }>(
    `SELECT id::text, channel::text, business_address, customer_address, status::text, unread_count, last_message_at
       FROM threads WHERE contact_id = $1::uuid ORDER BY last_message_at DESC, id LIMIT 50`,
    [contactId],
  );
  return {
    ...contactOf(c),
    createdAt: new Date(c.created_at).toISOString(),
    conversations: threads.map((t) => ({
      id: t.id,
      channel: t.channel,
      businessAddress: t.business_address,
      customerAddress: t.customer_address,
      status: t.status,
      unreadCount: t.unread_count,
      lastMessageAt: new Date(t.last_message_at).toISOString(),
    })),
  };
}

/**
 * Announces `thread.updated` for each conversation of the contact (their lists and headers show the
 * contact), in the statement that marks them changed (what a reconnecting stream replays).
 */
const TOUCH_CONTACT_THREADS = `UPDATE threads SET updated_at = now() WHERE contact_id = $1::uuid
  RETURNING ${notifySql("thread.updated", { threadId: "id" })}`;

async function changed(sql: Database, contactId: string, rows: unknown[]): Promise<ContactDetail> {
  if (rows.length === 0) throw new ApiError(404, "not_found", `No contact with id ${contactId}.`);
  return (await getContact(sql, contactId))!;
}

/** Edits the name, email and notes (`PATCH /api/messaging/contacts/{id}`). */
export async function updateContact(sql: Database, contactId: string, patch: ContactUpdate): Promise<ContactDetail> {
  const rows = await sql.transaction(async (tx) => {
    const updated = await tx.query(
      `UPDATE contacts SET
         name = CASE WHEN $2 THEN $3 ELSE name END,
         name_edited = CASE WHEN $2 THEN $3::text IS NOT NULL ELSE name_edited END,
         email = CASE WHEN $4 THEN $5 ELSE email END,
         notes = CASE WHEN $6 THEN $7 ELSE notes END,
         updated_at = now()
       WHERE id = $1::uuid RETURNING id`,
      [contactId, patch.name !== undefined, patch.name ?? null, patch.email !== undefined, patch.email ?? null, patch.notes !== undefined, patch.notes ?? null],
    );
    if (updated.length) await tx.query(TOUCH_CONTACT_THREADS, [contactId]);
    return updated;
  });
  return changed(sql, contactId, rows);
}

/** Blocks or unblocks (`POST` / `DELETE /api/messaging/contacts/{id}/block`); blocking again keeps the first time. */
export async function setContactBlocked(sql: Database, contactId: string, blocked: boolean): Promise<ContactDetail> {
  const rows = await sql.transaction(async (tx) => {
    const updated = await tx.query(
      `UPDATE contacts SET blocked_at = CASE WHEN $2 THEN COALESCE(blocked_at, now()) END, updated_at = now() WHERE id = $1::uuid RETURNING id`,
      [contactId, blocked],
    );
    if (updated.length) await tx.query(TOUCH_CONTACT_THREADS, [contactId]);
    return updated;
  });
  return changed(sql, contactId, rows);
}
