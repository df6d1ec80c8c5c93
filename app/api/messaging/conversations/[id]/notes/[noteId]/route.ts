import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { deleteNote } from "@/lib/conversations/notes";
import { noteWriter } from "@/lib/conversations/note-writer";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.string().regex(UUID_RE), noteId: z.string().regex(UUID_RE) });

/** Deletes an agent's note: its author or an administrator. */
export const DELETE = apiRoute({ notFound: ({ noteId }) => `No note with id ${noteId} in this conversation.`, schema: { params: paramsSchema } }, async ({ db, params, principal }) => {
  await deleteNote(db.sql, params.id, params.noteId, noteWriter(principal));
  return new Response(null, { status: 204 });
});
