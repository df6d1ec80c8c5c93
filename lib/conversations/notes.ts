import type { SqlClient } from "@/lib/db/types";
import { publish } from "@/lib/realtime/publish";

/** A note on a conversation, as the API shows it. */
export interface ApiNote {
  id: string;
  threadId: string;
  kind: "system" | "agent";
  author: { id: string; name: string } | null;
  body: string;
  createdAt: string;
}

/** Notes are at most this long (a system note's reason is cut to fit). */
export const NOTE_MAX_LENGTH = 2000;

/**
 * Adds a note to a conversation and announces `note.created` (and `thread.updated`) when the caller's
 * transaction commits. System notes (no author) say what Hilo or a bot did: a handoff and why, a takeover.
 */
export async function addNote(
  tx: SqlClient,
  note: { threadId: string; kind: "system" | "agent"; body: string; authorUserId?: string | null },
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO thread_notes (thread_id, kind, author_user_id, body) VALUES ($1::uuid, $2, $3::uuid, $4) RETURNING id::text`,
    [note.threadId, note.kind, note.authorUserId ?? null, note.body.slice(0, NOTE_MAX_LENGTH)],
  );
  await publish(tx, { type: "note.created", threadId: note.threadId, noteId: row.id });
  return row.id;
}

/** The newest `limit` notes of a conversation, oldest first. */
export async function listNotes(db: SqlClient, threadId: string, limit = 200): Promise<ApiNote[]> {
  const rows = await db.query<{ id: string; thread_id: string; kind: "system" | "agent"; author_id: string | null; author_name: string | null; body: string; created_at: Date | string }>(
    `SELECT * FROM (
       SELECT n.id::text, n.thread_id::text, n.kind, u.id::text AS author_id, u.name AS author_name, n.body, n.created_at
         FROM thread_notes n LEFT JOIN users u ON u.id = n.author_user_id
        WHERE n.thread_id = $1::uuid ORDER BY n.created_at DESC, n.id DESC LIMIT $2
     ) x ORDER BY created_at, id`,
    [threadId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    threadId: r.thread_id,
    kind: r.kind,
    author: r.author_id ? { id: r.author_id, name: r.author_name ?? "" } : null,
    body: r.body,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
