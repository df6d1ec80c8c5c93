import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { createAgentNote, listNotes, noteCreateSchema } from "@/lib/conversations/notes";
import { noteWriter } from "@/lib/conversations/note-writer";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const notFound = ({ id }: Record<string, string>) => `No conversation with id ${id}.`;
const paramsSchema = z.object({ id: z.string().regex(UUID_RE) });

/** The conversation's notes (agents' private notes, system notes: handoffs, takeovers): the newest 200, oldest first. */
export const GET = apiRoute({ notFound, schema: { params: paramsSchema } }, async ({ db, params }) => {
  const [exists] = await db.sql.query(`SELECT 1 FROM threads WHERE id = $1::uuid`, [params.id]);
  if (!exists) throw new ApiError(404, "not_found", notFound(params));
  return Response.json({ notes: await listNotes(db.sql, params.id) });
});

/** A private note (never sent to the customer), with the colleagues it mentions. */
export const POST = apiRoute({ notFound, schema: { params: paramsSchema, body: noteCreateSchema }, what: "note" }, async ({ db, params, body, principal }) =>
  Response.json({ note: await createAgentNote(db.sql, params.id, noteWriter(principal), body) }, { status: 201 }),
);
