import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { withSerializationRetry } from "@/lib/db/retry";
import type { Database } from "@/lib/db/types";
import { UUID_RE } from "@/lib/ids";

/** `POST /api/admin/contacts/{id}/merge` body. */
export const mergeContactsSchema = z.object({ into: z.string().regex(UUID_RE, "must be a contact id") }).strict();

export interface MergedContact {
  id: string;
  phone: string | null;
  name: string | null;
  waId: string | null;
  threadIds: string[];
}

/**
 * Moves every thread and message of contact `from` to contact `into` and deletes `from`, in one
 * transaction (database function `hilo_merge_contacts`, migration 20261129200000_person_key): a thread
 * on the same (channel, business sender) as one of `into`'s is merged into it, messages moved, unread
 * counts summed, last message and WhatsApp window recomputed. Nothing is lost.
 */
export async function mergeContacts(sql: Database, from: string, into: string): Promise<MergedContact> {
  if (from === into) throw new ApiError(422, "same_contact", "A contact cannot be merged into itself.");
  return withSerializationRetry(() =>
    sql.transaction(async (tx) => {
      const found = await tx.query<{ id: string }>(`SELECT id::text FROM contacts WHERE id IN ($1::uuid, $2::uuid) ORDER BY id FOR UPDATE`, [from, into]);
      for (const id of [from, into]) {
        if (!found.some((c) => c.id === id)) throw new ApiError(404, "contact_not_found", `No contact with id ${id}.`);
      }
      await tx.query(`SELECT hilo_merge_contacts($1::uuid, $2::uuid)`, [from, into]);
      const [c] = await tx.query<{ id: string; phone: string | null; name: string | null; wa_id: string | null; thread_ids: string[] }>(
        `SELECT c.id::text, c.phone, c.name, c.wa_id,
                COALESCE((SELECT array_agg(t.id::text ORDER BY t.id) FROM threads t WHERE t.contact_id = c.id), '{}') AS thread_ids
         FROM contacts c WHERE c.id = $1::uuid`,
        [into],
      );
      return { id: c.id, phone: c.phone, name: c.name, waId: c.wa_id, threadIds: c.thread_ids };
    }),
  );
}
