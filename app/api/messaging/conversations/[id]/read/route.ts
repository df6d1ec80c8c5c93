import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { markThreadRead } from "@/lib/messaging/threads";
import { markMentionsRead } from "@/lib/conversations/notes";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.string().regex(UUID_RE) });

/** Its inbound messages are read; for a signed-in user, so are the notes in it that mention them. */
export const POST = apiRoute({ schema: { params: paramsSchema }, notFound: ({ id }) => `No conversation with id ${id}.` }, async ({ db, params, principal }) => {
  await markThreadRead(db.sql, params.id);
  if (principal.type === "user") await markMentionsRead(db.sql, principal.user.id, { conversationId: params.id });
  return Response.json({ ok: true });
});
