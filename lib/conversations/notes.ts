import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import type { Database, SqlClient } from "@/lib/db/types";
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
  /** The colleagues an agent's note mentions (`@Name` in its body), in the order given. */
  mentions: { id: string; name: string }[];
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
  return readNotes(db, `n.thread_id = $1::uuid`, [threadId], limit);
}

type NoteRow = {
  id: string; thread_id: string; kind: "system" | "agent"; author_id: string | null; author_name: string | null; body: string;
  event: NoteEvent | null; created_at: Date | string; mentions: { id: string; name: string }[] | string | null;
};

async function readNotes(db: SqlClient, where: string, args: unknown[], limit: number): Promise<ApiNote[]> {
  const rows = await db.query<NoteRow>(
    `SELECT * FROM (
       SELECT n.id::text, n.thread_id::text, n.kind, u.id::text AS author_id, u.name AS author_name, n.body, n.event, n.created_at,
              (SELECT json_agg(json_build_object('id', mu.id::text, 'name', mu.name) ORDER BY mu.name, mu.id)
                 FROM note_mentions nm JOIN users mu ON mu.id = nm.user_id WHERE nm.note_id = n.id) AS mentions
         FROM thread_notes n LEFT JOIN users u ON u.id = n.author_user_id
        WHERE ${where} ORDER BY n.created_at DESC, n.id DESC LIMIT ${Number(limit)}
     ) x ORDER BY created_at, id`,
    args,
  );
  return rows.map((r) => ({
    id: r.id,
    threadId: r.thread_id,
    kind: r.kind,
    author: r.author_id ? { id: r.author_id, name: r.author_name ?? "" } : null,
    body: r.body,
    event: r.event ?? null,
    mentions: (typeof r.mentions === "string" ? JSON.parse(r.mentions) : r.mentions) ?? [],
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** At most this many colleagues per note. */
export const MAX_MENTIONS = 20;

/**
 * `POST /api/messaging/conversations/{id}/notes`: a private note (never sent to the customer). Mentions
 * are user ids (the composer writes `@Name` in the body and sends the ids of the names it inserted).
 */
export const noteCreateSchema = z
  .object({
    body: z.string({ error: "must be a string" }).trim().min(1, "must not be empty").max(NOTE_MAX_LENGTH, `must be at most ${NOTE_MAX_LENGTH} characters`),
    mentions: z
      .array(z.uuid("must be a user id"), { error: "must be a list of user ids" })
      .max(MAX_MENTIONS, `at most ${MAX_MENTIONS} colleagues`)
      .default([])
      .transform((ids) => [...new Set(ids.map((id) => id.toLowerCase()))]),
  })
  .strict();
export type NoteCreate = z.output<typeof noteCreateSchema>;

/** Who writes or deletes a note: a signed-in user, or an API key (`null`: its notes have no author). */
export type NoteWriter = { id: string; role: "admin" | "agent" } | null;

/**
 * Adds an agent's note with its mentions: 404 when the conversation does not exist, 422
 * `invalid_mention` when a mentioned id is not an active user. Each mentioned colleague (other than the
 * author, whose own mention is stored as read) gets a `mention` live event with the note, committed with it.
 */
export async function createAgentNote(db: Database, threadId: string, writer: NoteWriter, input: NoteCreate): Promise<ApiNote> {
  const noteId = await db.transaction(async (tx) => {
    const [thread] = await tx.query(`SELECT 1 FROM threads WHERE id = $1::uuid`, [threadId]);
    if (!thread) throw new ApiError(404, "not_found", `No conversation with id ${threadId}.`);
    const active = input.mentions.length
      ? new Set((await tx.query<{ id: string }>(`SELECT id::text FROM users WHERE id = ANY($1::uuid[]) AND active`, [input.mentions])).map((u) => u.id))
      : new Set<string>();
    const unknown = input.mentions.filter((id) => !active.has(id));
    if (unknown.length) {
      throw new ApiError(422, "invalid_mention", "Mentions must name active users.", unknown.map((id) => ({ field: "mentions", problem: `${id} is not an active user` })));
    }
    const id = await addNote(tx, { threadId, kind: "agent", body: input.body, authorUserId: writer?.id ?? null });
    if (input.mentions.length) {
      // The author mentioning themselves has read it already.
      await tx.query(
        `INSERT INTO note_mentions (note_id, user_id, read_at) SELECT $1::uuid, u, CASE WHEN u = $3::uuid THEN now() END FROM unnest($2::uuid[]) AS u`,
        [id, input.mentions, writer?.id ?? null],
      );
    }
    for (const userId of input.mentions) if (userId !== writer?.id) await publish(tx, { type: "mention", threadId, noteId: id, userId });
    return id;
  });
  const [note] = await readNotes(db, `n.id = $1::uuid`, [noteId], 1);
  return note!;
}

/**
 * Deletes an agent's note: its author or an administrator (403 `forbidden` otherwise, and for API keys);
 * system notes are Hilo's record and stay (403 `system_note`). Announces `note.deleted`.
 */
export async function deleteNote(db: Database, threadId: string, noteId: string, writer: NoteWriter): Promise<void> {
  await db.transaction(async (tx) => {
    const [note] = await tx.query<{ kind: string; author: string | null }>(
      `SELECT kind, author_user_id::text AS author FROM thread_notes WHERE id = $1::uuid AND thread_id = $2::uuid FOR UPDATE`,
      [noteId, threadId],
    );
    if (!note) throw new ApiError(404, "not_found", `No note with id ${noteId} in this conversation.`);
    if (note.kind === "system") throw new ApiError(403, "system_note", "System notes record what happened and cannot be deleted.");
    if (!writer || (writer.role !== "admin" && writer.id !== note.author)) {
      throw new ApiError(403, "forbidden", "Only the note's author or an administrator can delete it.");
    }
    await tx.query(`DELETE FROM thread_notes WHERE id = $1::uuid`, [noteId]);
    await publish(tx, { type: "note.deleted", threadId, noteId });
  });
}

/** A note that mentions the reader and they have not read yet (`GET /api/me/mentions`). */
export interface ApiMention {
  noteId: string;
  conversationId: string;
  /** The conversation's customer: its name, else its number, else its address. */
  contactLabel: string;
  author: { id: string; name: string } | null;
  body: string;
  createdAt: string;
}

/** The user's unread mentions, newest first (at most 100), and how many there are. */
export async function unreadMentions(db: SqlClient, userId: string): Promise<{ mentions: ApiMention[]; unread: number }> {
  const rows = await db.query<{ note_id: string; thread_id: string; label: string; author_id: string | null; author_name: string | null; body: string; created_at: Date; total: string }>(
    `SELECT n.id::text AS note_id, n.thread_id::text, COALESCE(c.name, c.phone, regexp_replace(t.customer_address, '^whatsapp:', '')) AS label,
            u.id::text AS author_id, u.name AS author_name, n.body, n.created_at, count(*) OVER ()::text AS total
       FROM note_mentions nm JOIN thread_notes n ON n.id = nm.note_id JOIN threads t ON t.id = n.thread_id
       JOIN contacts c ON c.id = t.contact_id LEFT JOIN users u ON u.id = n.author_user_id
      WHERE nm.user_id = $1::uuid AND nm.read_at IS NULL
      ORDER BY n.created_at DESC, n.id DESC LIMIT 100`,
    [userId],
  );
  return {
    unread: rows.length ? Number(rows[0]!.total) : 0,
    mentions: rows.map((r) => ({
      noteId: r.note_id,
      conversationId: r.thread_id,
      contactLabel: r.label,
      author: r.author_id ? { id: r.author_id, name: r.author_name ?? "" } : null,
      body: r.body,
      createdAt: new Date(r.created_at).toISOString(),
    })),
  };
}

/** `POST /api/me/mentions/read`: one conversation's mentions of the reader, or the notes named, or all. */
export const mentionsReadSchema = z
  .object({
    conversationId: z.uuid("must be a conversation id").optional(),
    noteIds: z.array(z.uuid("must be a note id")).min(1, "must not be empty").max(100, "at most 100 notes").optional(),
    all: z.literal(true, { error: "must be true" }).optional(),
  })
  .strict()
  .refine((v) => [v.conversationId, v.noteIds, v.all].filter((x) => x !== undefined).length === 1, {
    message: "give one of 'conversationId', 'noteIds' or 'all': true",
  });
export type MentionsRead = z.output<typeof mentionsReadSchema>;

/** Marks the user's mentions read; answers how many were unread. */
export async function markMentionsRead(db: SqlClient, userId: string, which: MentionsRead): Promise<number> {
  const rows = await db.query(
    `UPDATE note_mentions nm SET read_at = now()
       FROM thread_notes n
      WHERE n.id = nm.note_id AND nm.user_id = $1::uuid AND nm.read_at IS NULL
        AND ($2::uuid IS NULL OR n.thread_id = $2::uuid)
        AND ($3::uuid[] IS NULL OR nm.note_id = ANY($3::uuid[]))
      RETURNING nm.note_id`,
    [userId, which.conversationId ?? null, which.noteIds ?? null],
  );
  return rows.length;
}
