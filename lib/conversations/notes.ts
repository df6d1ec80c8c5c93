import type { SqlClient } from "@/lib/db/types";
import { publish } from "@/lib/realtime/publish";
import type { NoteEvent } from "./note-events";

export type { NoteEvent };

/** A note on a conversation, as the API shows it. */
export interface ApiNote {
  id: string;
  threadId: string;
  kind: "system" | "agent";
  author: { id: string; name: string } | null;
  body: string;
  /** For system notes: what happened, as data (the inbox shows it in the reader's language). */
  event: NoteEvent | null;
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
  note: { threadId: string; kind: "system" | "agent"; body: string; authorUserId?: string | null; event?: NoteEvent },
): Promise<string> {
  const event = note.event && "detail" in note.event && note.event.detail ? { ...note.event, detail: note.event.detail.slice(0, NOTE_MAX_LENGTH) } : note.event;
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO thread_notes (thread_id, kind, author_user_id, body, event) VALUES ($1::uuid, $2, $3::uuid, $4, $5::jsonb) RETURNING id::text`,
    [note.threadId, note.kind, note.authorUserId ?? null, note.body.slice(0, NOTE_MAX_LENGTH), event ? JSON.stringify(event) : null],
  );
  await publish(tx, { type: "note.created", threadId: note.threadId, noteId: row.id });
  return row.id;
}

/** The newest `limit` notes of a conversation, oldest first. */
export async function listNotes(db: SqlClient, threadId: string, limit = 200): Promise<ApiNote[]> {
  const rows = await db.query<{ id: string; thread_id: string; kind: "system" | "agent"; author_id: string | null; author_name: string | null; body: string; event: NoteEvent | null; created_at: Date | string }>(
    `SELECT * FROM (
       SELECT n.id::text, n.thread_id::text, n.kind, u.id::text AS author_id, u.name AS author_name, n.body, n.event, n.created_at
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
    event: r.event ?? null,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
