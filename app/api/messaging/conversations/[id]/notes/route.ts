import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { listNotes } from "@/lib/conversations/notes";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const notFound = ({ id }: Record<string, string>) => `No conversation with id ${id}.`;

/** The conversation's notes (system notes: handoffs, takeovers): the newest 200, oldest first. */
export const GET = apiRoute({ notFound, schema: { params: z.object({ id: z.string().regex(UUID_RE) }) } }, async ({ db, params }) => {
  const [exists] = await db.sql.query(`SELECT 1 FROM threads WHERE id = $1::uuid`, [params.id]);
  if (!exists) throw new ApiError(404, "not_found", notFound(params));
  return Response.json({ notes: await listNotes(db.sql, params.id) });
});
